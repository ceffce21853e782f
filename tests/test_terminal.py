"""The terminal report fits 80 columns; the start line comes first; one progress display.

The report is measured, not eyeballed: rendered by rich at 80 columns (``Console(width=80,
record=True)``) for the demo's six scenarios, from a real small ``mentorsim demo`` and
from a made-up 20-replication summary with large money figures and narrow intervals
(the widest cells a real demo produces).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from sim.cli import DEMO_SCENARIOS, main
from sim.labels import metric_unit_words
from sim.metrics import HEADLINE, METRICS
from sim.progress import Progress, estimate_seconds, rough_duration
from sim.summary import summarise
from sim.terminal import print_report, render_report

MINUS = "\u2212"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, Path]:
    """stdout, stderr and folder of a tiny real demo: six scenarios x 2 x 26 weeks."""
    out = tmp_path_factory.mktemp("terminal") / "demo"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["demo", "--reps", "2", "--weeks", "26", "--workers", "1",
                     "--no-dashboard", "--out", str(out)])
    assert code == 0, stderr.getvalue()
    return stdout.getvalue(), stderr.getvalue(), out


def wide_summary(reps: int = 20, names: tuple[str, ...] = DEMO_SCENARIOS) -> pd.DataFrame:
    """Made-up replications of every headline metric for ``names``: realistic sizes, large
    money, and effects from clearly better to clearly worse."""
    rng = np.random.default_rng(7)
    rows = []
    typical = {"share": (0.45, 0.01), "share/year": (0.5, 0.02), "GBP": (586_630, 9_000),
               "GBP/year": (117_000, 2_000), "ratio": (2.7, 0.1)}
    for k, name in enumerate(names):
        shift = (0.0, -1.0, -0.5, 0.5, 1.0, 0.02)[k % 6]  # the first is the reference
        for rep in range(reps):
            row = {"scenario": name, "replication": rep}
            for metric in HEADLINE:
                unit = METRICS[metric].unit
                centre, sd = typical.get(unit, (60.0, 2.0))
                if metric == "reoffending_itt_difference":
                    centre, sd = -0.018, 0.002
                if metric == "net_benefit_gbp":
                    centre, sd = -1_234_567, 20_000
                common = np.random.default_rng(rep).normal(0, sd)  # shared by the pair
                row[metric] = centre * (1 + 0.2 * shift) + common + rng.normal(0, sd / 4)
            rows.append(row)
    return summarise(pd.DataFrame(rows), list(names))


def lines_of(text: str) -> list[str]:
    return ANSI.sub("", text).splitlines()


def measured(summary: pd.DataFrame, **console: object) -> str:
    """The report as rich renders it at 80 columns (recorded, colour as asked)."""
    out = Console(width=80, record=True, file=io.StringIO(), highlight=False, **console)
    print_report(summary, HEADLINE, out)
    return "\n".join(line.rstrip() for line in out.export_text(styles=False).splitlines())


def block(text: str, label: str) -> list[str]:
    """The lines under a metric's heading, up to the next heading."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(label + " · "))
    rows = []
    for line in lines[start + 1:]:
        if " · " in line or line.startswith("─") or not line.strip():
            break
        rows.append(line)
    return rows


# --- width ---------------------------------------------------------------------------------
def test_demo_output_fits_80_columns(demo_run: tuple[str, str, Path]) -> None:
    stdout, stderr, out = demo_run
    too_wide = [line for line in lines_of(stdout)
                if len(line) > 80 and line != f"results: {out}"]  # a path is as long as it is
    assert not too_wide, f"{len(too_wide)} lines over 80 columns, e.g. {too_wide[:3]}"
    assert stdout.startswith("Key findings\n")
    assert len(lines_of(stderr)[0]) <= 80


def test_wide_six_scenario_summary_fits_80_columns_on_one_line_each() -> None:
    text = measured(wide_summary())
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0] == "Key findings"
    for metric in HEADLINE:
        rows = block(text, METRICS[metric].label)
        assert [r.split()[0] for r in rows] == list(DEMO_SCENARIOS), (
            f"{metric}: expected one line per scenario, got {rows}")


def test_a_very_long_scenario_name_still_fits() -> None:
    names = ("baseline", "a_scenario_name_much_longer_than_any_bundled_one_2026")
    text = measured(wide_summary(reps=5, names=names))
    assert max(len(line) for line in text.splitlines()) <= 80


def test_the_last_lines_are_the_key_findings_in_short(demo_run: tuple[str, str, Path]
                                                      ) -> None:
    from sim.findings import caveat, key_findings
    from sim.spreadsheet import read_summary

    stdout, _stderr, out = demo_run
    lines = lines_of(stdout)
    start = max(i for i, line in enumerate(lines) if line.startswith("Key findings in short"))
    tail = lines[start:]
    assert lines.index(f"results: {out}") < start  # the table and paths come before
    assert all(len(line) <= 80 for line in tail)
    said = " ".join(line.strip() for line in tail[1:])
    # what the findings are: said under the full findings and again last of all
    assert said.endswith(" " + caveat())
    assert " ".join(stdout.split()).count(caveat()) == 2
    bullets = said.removesuffix(" " + caveat()).split("• ")[1:]
    comparisons = [f for f in key_findings(read_summary(out)) if f.reference]
    # every comparison, each wrapped between words only (the lines join back into it)
    assert [b.strip() for b in bullets][-len(comparisons):] == [f.short for f in comparisons]
    assert all("money:" in f.short for f in comparisons)


def test_an_interval_end_near_zero_keeps_its_sign() -> None:
    rows = [("a", "premature_closure_rate", 0.665, 0.6, 0.73, 10, "value", ""),
            ("b", "premature_closure_rate", 0.654, 0.6, 0.72, 10, "value", ""),
            ("b", "premature_closure_rate", -0.011, -0.026, 0.0034, 10, "paired_difference",
             "a")]
    frame = pd.DataFrame(rows, columns=["scenario", "metric", "mean", "ci_low", "ci_high",
                                        "replications", "statistic", "reference"])
    text = render_report(frame, ["premature_closure_rate"])
    assert re.search(f"{MINUS}1 point \\({MINUS}3 to \\+0\\) +no clear difference", text)
    assert "to 0)" not in text


def test_narrower_terminal_is_respected() -> None:
    text = render_report(wide_summary(reps=5), width=60)
    assert max(len(line) for line in text.splitlines()) <= 60


# --- content -------------------------------------------------------------------------------
def test_share_differences_are_points_and_money_has_a_true_minus() -> None:
    text = measured(wide_summary())
    early = block(text, METRICS["premature_closure_rate"].label)
    assert early[0].startswith("baseline") and "95% CI" in early[0] and "%" in early[0]
    assert all(" points (" in r or " point (" in r for r in early[1:]), early
    money = block(text, METRICS["total_spend_gbp"].label)
    assert any(f"{MINUS}£" in r for r in money), money
    assert "£-" not in text and "-£" not in text.replace(f"{MINUS}£", "")
    effect = block(text, METRICS["reoffending_itt_difference"].label)
    assert "points" in effect[0] and "%" not in effect[0].replace("95% CI", "")


def test_no_clear_difference_marker_where_the_interval_spans_zero() -> None:
    frame = wide_summary()
    text = measured(frame)
    diffs = frame[(frame["statistic"] == "paired_difference")
                  & frame["metric"].isin(HEADLINE)]
    for _, d in diffs.iterrows():
        row = next(r for r in block(text, METRICS[d["metric"]].label)
                   if r.startswith(d["scenario"] + " "))
        spans = d["ci_low"] <= 0 <= d["ci_high"]
        assert row.endswith("no clear difference") == spans, row
        if not spans and METRICS[d["metric"]].better != "neither":
            assert row.endswith(("better", "worse")), row


def test_units_are_in_every_heading() -> None:
    text = measured(wide_summary())
    for metric in HEADLINE:
        heading = next(line for line in text.splitlines()
                       if line.startswith(METRICS[metric].label + " · "))
        unit = METRICS[metric].unit
        expected = {"share": ("%", "percentage points"), "share/year": ("% a year",),
                    "GBP": ("£",), "GBP/year": ("£ a year",), "ratio": ("ratio",)}
        said = expected.get(unit, (metric_unit_words(unit),))  # in words, not "mentor-years"
        assert any(w in heading for w in said), heading


def test_key_findings_come_first_with_word_markers_and_colour() -> None:
    frame = wide_summary()
    coloured = Console(width=80, file=io.StringIO(), force_terminal=True,
                       color_system="truecolor", highlight=False)
    print_report(frame, HEADLINE, coloured)
    raw = coloured.file.getvalue()
    plain = ANSI.sub("", raw)
    assert raw != plain, "a colour terminal gets colour"
    assert max(len(line) for line in plain.splitlines()) <= 80
    findings = plain.split("\n\n")[0]
    assert findings.startswith("Key findings")
    assert "better:" in findings and "worse:" in findings  # words, not only colour
    assert findings.count("• ") == 5  # one sentence per option compared, at most five


def test_detectable_difference_is_kept(demo_run: tuple[str, str, Path]) -> None:
    text = measured(wide_summary())
    assert "Reoffending: with 20 replications, a difference in the programme's effect" in text
    assert "paired, vs baseline" in text
    stdout, _, _ = demo_run
    assert "Reoffending: too few replications to say" in stdout  # 26 weeks: no follow-up


def test_groups_are_kept_in_order() -> None:
    text = measured(wide_summary())
    rules = [line.strip("─ ") for line in text.splitlines() if line.startswith("─")]
    assert rules == ["Relationships", "Mentors", "Mentees", "Money", "Value for money"]


def test_one_scenario_has_no_comparison_columns() -> None:
    text = measured(wide_summary(reps=5, names=("baseline",)))
    rows = [line for line in text.split("Means")[1].splitlines() if " · " not in line]
    assert not [r for r in rows if r.endswith(("better", "worse", "no clear difference"))]
    assert "Means over 5 replications, with 95% intervals." in text


def test_degenerate_intervals_are_said_in_words() -> None:
    frame = wide_summary(reps=5)
    same = frame["metric"] == "median_match_weeks"
    frame.loc[same & (frame["statistic"] == "value"), ["mean", "ci_low", "ci_high"]] = 26.0
    frame.loc[same & (frame["statistic"] == "paired_difference"),
              ["mean", "ci_low", "ci_high"]] = 0.0
    rows = block(measured(frame), METRICS["median_match_weeks"].label)
    assert rows[0].endswith("26.0  same in every replication")
    assert all("none in any replication" in r for r in rows[1:])
    assert "26.0 to 26.0" not in "\n".join(rows)


# --- the start line and progress -----------------------------------------------------------
def test_first_line_says_what_will_run_and_how_long(demo_run: tuple[str, str, Path]) -> None:
    _, stderr, _ = demo_run
    first = stderr.splitlines()[0]
    assert first.startswith("Running 6 scenarios × 2 replications × 26 weeks on 1 worker: ")
    assert rough_duration(estimate_seconds(120, 260, 2, factor=1.0)) == "about 1 min"


def test_first_line_is_printed_before_the_model_and_data_stack_load(tmp_path: Path) -> None:
    code = """
import sys
import sim.progress as progress
plan = progress.plan_line
def spy(*args):
    loaded = [m for m in ("pandas", "numpy", "mesa", "rich", "sim.runner") if m in sys.modules]
    sys.stderr.write("LOADED " + ",".join(loaded) + "\\n")
    return plan(*args)
progress.plan_line = spy
from sim.cli import main
sys.exit(main(sys.argv[1:]))
"""
    proc = subprocess.run([sys.executable, "-c", code, "run", "baseline", "--reps", "1",
                           "--weeks", "1", "--workers", "1", "--no-dashboard", "--out",
                           str(tmp_path / "out")], capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[0] == "LOADED ", f"the start line waited for {lines[0]}"
    assert lines[1].startswith("Running 1 scenario × 1 replication × 1 week on 1 worker")


def test_progress_off_a_terminal_writes_plain_lines() -> None:
    stream = io.StringIO()
    bar = Progress(3, "runs", every_s=0.0, stream=stream)
    for _ in range(3):
        bar()
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("progress: 1/3 runs, ") and "ETA" in lines[0]
    assert lines[-1].startswith("done: 3/3 runs in ")
    bar.close()  # closing twice is harmless
    assert stream.getvalue().splitlines() == lines


def test_progress_json_records_for_sweep_logs() -> None:
    stream = io.StringIO()
    bar = Progress(0, already=2, every_s=3600, stream=stream, log="json")
    bar.update(2, 0, 10, exact=False, force=True)
    bar.update(5, 1, 10, exact=False)  # not due yet
    bar.close()
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(records) == 2
    assert records[-1] | {"runs_per_s": 0, "eta_s": 0, "elapsed_s": 0} == {
        "event": "progress", "done": 5, "failed": 1, "planned": 10, "planned_final": False,
        "runs_per_s": 0, "eta_s": 0, "elapsed_s": 0}


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_is_a_rich_bar_that_closes_itself() -> None:
    stream = FakeTerminal()
    bar = Progress(4, "runs", stream=stream)
    assert bar._bar is not None
    for _ in range(4):
        bar()
    assert bar.closed
    text = ANSI.sub("", stream.getvalue())
    assert "4/4 runs" in text and "ETA" in text


def test_progress_closes_on_an_error_and_can_be_silenced() -> None:
    stream = FakeTerminal()
    with pytest.raises(KeyboardInterrupt), Progress(10, stream=stream) as bar:
        bar()
        raise KeyboardInterrupt
    assert bar.closed and not bar._bar.live.is_started
    quiet = io.StringIO()
    with Progress(2, stream=quiet, enabled=False, every_s=0) as silent:
        silent()
        silent()
    assert quiet.getvalue() == ""


def test_only_one_progress_implementation() -> None:
    """The runner, calibration and sweeps share sim.progress.Progress."""
    import sim.runner
    import sim.sweep.progress

    assert sim.runner.Progress is Progress
    assert sim.sweep.progress.Progress is Progress
    root = Path(__file__).resolve().parents[1] / "sim"
    defined = [str(p.relative_to(root)) for p in root.rglob("*.py")
               if re.search(r"^class \w*Progress\w*\b", p.read_text(encoding="utf-8"), re.M)]
    assert defined == ["progress.py"]


def test_estimates_are_scaled_by_what_this_machine_measured(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    from sim import progress

    monkeypatch.setenv("MENTORSIM_CACHE", str(tmp_path))
    assert progress.measured() == (1.0, 1.0)
    built_in = estimate_seconds(40, 260, 2, factor=1.0)
    for simulate_s in (2 * built_in, 2.2 * built_in, 1.8 * built_in):  # a slower machine
        progress.record_run(40, 260, 2, simulate_s,
                            3 * progress.estimate_write_seconds(40, 260, factor=1.0))
    sim_factor, write_factor = progress.measured()
    assert sim_factor == pytest.approx(2.0) and write_factor == pytest.approx(3.0)
    assert estimate_seconds(40, 260, 2) == pytest.approx(2 * built_in)
    assert json.loads((tmp_path / progress.THROUGHPUT_FILE).read_text())["runs"][0]["runs"] == 40
    for _ in range(30):  # only the most recent are kept
        progress.record_run(1, 26, 1, 1.0)
    assert len(json.loads((tmp_path / progress.THROUGHPUT_FILE).read_text())["runs"]) == \
        progress.KEEP_RECORDS


def test_the_eta_moves_from_the_estimate_to_the_measured_rate() -> None:
    from sim.progress import blended_eta

    # nothing done yet: the estimate, less the time gone
    assert blended_eta(0, 40, 5.0, 25.0, workers=2) == pytest.approx(20.0)
    # half done after 40 s where 25 s were expected for all: close to the measured 40 s
    late = blended_eta(20, 40, 40.0, 25.0, workers=2)
    assert 35.0 < late < 40.0
    # one early run per worker: between the estimate (15 s left) and that rate (190 s)
    early = blended_eta(2, 40, 10.0, 25.0, workers=2)
    assert 15.0 < early < 190.0 and early == pytest.approx((15.0 + 190.0) / 2)
    assert blended_eta(40, 40, 40.0, 25.0) == 0.0
