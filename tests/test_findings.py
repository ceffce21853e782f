"""Key findings: wording, verdicts from the paired interval, rounding and units.

Summaries are built by hand (the columns :func:`sim.summary.summarise` returns), or by
``summarise`` itself from a few made-up replications, so no model runs here.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from sim import findings
from sim.findings import Finding, format_money, format_number, key_findings, verdict_of
from sim.metrics import METRICS
from sim.summary import summarise

NAN = math.nan
COLUMNS = ["scenario", "metric", "mean", "ci_low", "ci_high", "replications", "statistic",
           "reference"]


def summary(values: dict[str, dict[str, tuple[float, float, float]]],
            diffs: dict[str, dict[str, tuple[float, float, float]]] | None = None,
            reps: int = 20) -> pd.DataFrame:
    """A summary frame: ``values[scenario][metric] = (mean, low, high)``, and paired
    differences against the first scenario likewise."""
    rows = []
    for scenario, metrics in values.items():
        for metric, (mean, low, high) in metrics.items():
            rows.append((scenario, metric, mean, low, high, reps, "value", ""))
    reference = next(iter(values))
    for scenario, metrics in (diffs or {}).items():
        for metric, (mean, low, high) in metrics.items():
            rows.append((scenario, metric, mean, low, high, reps, "paired_difference",
                         reference))
    return pd.DataFrame(rows, columns=COLUMNS)


BASE = {"premature_closure_rate": (0.596, 0.571, 0.620),
        "abandonment_rate": (0.258, 0.24, 0.276),
        "burnout_incidence_per_100_mentor_years": (51.6, 48.0, 55.2)}


def compare(diffs: dict[str, tuple[float, float, float]], reps: int = 20) -> Finding:
    """The one comparison finding of ``option`` against ``baseline``."""
    frame = summary({"baseline": BASE, "option": BASE}, {"option": diffs}, reps)
    found = [f for f in key_findings(frame) if f.reference == "baseline"]
    assert len(found) == 1
    return found[0]


def test_whole_interval_on_the_better_side_is_better_in_words() -> None:
    f = compare({"premature_closure_rate": (-0.09, -0.11, -0.06)})
    assert f.verdict == "better" and f.label == "better"
    assert f.text == ("option vs baseline: 9 fewer relationships ending early per 100 "
                      "started (95% CI 6 to 11).")
    assert f.marked_text.startswith("option vs baseline: better: 9 fewer")
    assert (f.metric, f.difference, f.lower, f.upper, f.unit) == (
        "premature_closure_rate", -0.09, -0.11, -0.06, "share")


def test_whole_interval_on_the_worse_side_is_worse() -> None:
    f = compare({"burnout_incidence_per_100_mentor_years": (10.7, 7.2, 14.2)})
    assert f.verdict == "worse"
    assert "11 more new burnout episodes per 100 mentors a year (95% CI 7 to 14)" in f.text


def test_interval_spanning_zero_is_no_clear_difference() -> None:
    f = compare({"premature_closure_rate": (-0.094, -0.115, -0.073),
                 "burnout_incidence_per_100_mentor_years": (0.3, -1.1, 1.8)})
    assert f.verdict == "better"  # the sentence: better on the one outcome that differs
    assert f.text.endswith("; no clear difference in burnout.")
    burnout = next(o for o in f.outcomes if o.metric.startswith("burnout"))
    assert burnout.verdict == "no_clear_difference"
    assert [(c.verdict, c.label) for c in f.clauses] == [
        ("better", "better"), ("no_clear_difference", "no clear difference")]
    assert f.marked_text.endswith("no clear difference: burnout.")


def test_an_interval_touching_zero_is_no_clear_difference() -> None:
    assert verdict_of("premature_closure_rate", -0.05, 0.0) == "no_clear_difference"
    assert verdict_of("premature_closure_rate", NAN, NAN) == "no_clear_difference"


def test_too_few_replications_is_no_clear_difference_and_says_why() -> None:
    f = compare({"premature_closure_rate": (-0.09, NAN, NAN)}, reps=1)
    assert f.verdict == "no_clear_difference" and f.label == "no clear difference"
    assert "too few replications" in f.text


def test_better_and_worse_in_one_sentence_is_mixed() -> None:
    f = compare({"burnout_incidence_per_100_mentor_years": (-8.0, -11.0, -5.0),
                 "cost_per_completed_match_gbp": (297.0, 190.0, 400.0)})
    assert f.verdict == "mixed" and f.label == "mixed"
    assert [c.verdict for c in f.clauses] == ["better", "worse"]
    assert f.metric == "burnout_incidence_per_100_mentor_years"  # the lead: better first
    assert "£300 more per completed relationship (95% CI £200 to £400)" in f.text


def test_direction_comes_from_the_metric_declaration(monkeypatch: pytest.MonkeyPatch) -> None:
    diff = {"premature_closure_rate": (-0.09, -0.11, -0.06)}
    assert compare(diff).verdict == "better"
    flipped = dataclasses.replace(METRICS["premature_closure_rate"], better="higher")
    monkeypatch.setitem(METRICS, "premature_closure_rate", flipped)
    assert compare(diff).verdict == "worse"
    neither = dataclasses.replace(METRICS["premature_closure_rate"], better="neither")
    monkeypatch.setitem(METRICS, "premature_closure_rate", neither)
    assert verdict_of("premature_closure_rate", -0.11, -0.06) is None


def test_findings_module_declares_no_direction() -> None:
    """Better/worse is read from sim.metrics, never listed in sim/findings.py."""
    source = findings.__file__
    with open(source, encoding="utf-8") as fh:
        text = fh.read()
    assert 'better="' not in text and "better='" not in text
    assert "lower_is_better" not in text and "HIGHER_IS_BETTER" not in text


def test_degenerate_interval_is_said_in_words() -> None:
    f = compare({"cost_per_completed_match_gbp": (834.0, 834.0, 834.0)})
    assert f.verdict == "worse"
    assert "£834 more per completed relationship (the same in every replication)" in f.text
    frame = summary({"baseline": {"premature_closure_rate": (0.26, 0.26, 0.26)}})
    (own,) = key_findings(frame)
    assert "26 of every 100 relationships started ended early (the same in every " \
           "replication)" in own.text.replace(".0 ", " ")
    assert "26.0 to 26.0" not in own.text and "to 26 " not in own.text


def test_no_difference_in_any_replication_is_no_clear_difference() -> None:
    f = compare({"abandonment_rate": (0.0, 0.0, 0.0)})
    assert f.verdict == "no_clear_difference"
    assert f.text == "option vs baseline: no clear difference in abandonment."
    assert f.outcomes[0].text == "no difference in abandonment in any replication"


def test_shares_are_per_100_or_percentage_points() -> None:
    f = compare({"abandonment_rate": (0.017, 0.007, 0.026),
                 "reoffending_itt_difference": (-0.012, -0.02, -0.004)})
    assert "1.7 more relationships abandoned per 100 started (95% CI 0.7 to 2.6)" in f.text
    assert ("1.2 percentage points less reoffending among everyone referred (95% CI 0.4 "
            "to 2.0)") in f.text
    assert "%" not in f.text.replace("95% CI", "")  # per 100 and points, never "%"


def test_money_has_a_true_minus_and_the_pound_sign_after_it() -> None:
    assert format_money(-297.4) == "\u2212£297"
    assert format_money(1234) == "£1,234"
    assert format_money(834, signed=True) == "+£834"
    assert format_money(539_953, decimals=-3) == "£540,000"
    assert format_money(NAN) == "n/a"
    assert format_number(-0.04, 1) == "0.0"  # no "−0.0"
    assert format_number(-1.25, 1) == "\u22121.2"
    f = compare({"cost_per_completed_match_gbp": (-504.0, -700.0, -310.0)})
    assert f.verdict == "better"
    assert "£500 less per completed relationship (95% CI £300 to £700)" in f.text
    assert "£-" not in f.text


def test_rounding_never_hides_a_real_change_or_an_interval_clear_of_zero() -> None:
    f = compare({"premature_closure_rate": (-0.0017, -0.0031, -0.0003)})
    assert "0.17 fewer relationships ending early per 100 started (95% CI 0.03 to 0.31)" \
        in f.text


def test_one_scenario_describes_its_key_numbers() -> None:
    frame = summary({"baseline": {**BASE,
                                  "reoffending_itt_difference": (-0.018, -0.021, -0.014),
                                  "cost_per_completed_match_gbp": (3055.0, 2785.0, 3324.0),
                                  "benefit_cost_ratio": (2.7, 2.2, 3.3)}})
    found = key_findings(frame)
    assert [f.verdict for f in found] == [None, None]
    assert all(f.label == "no comparison" and f.reference is None for f in found)
    first, second = (f.text for f in found)
    assert first.startswith("baseline (20 replications): 60 of every 100 relationships "
                            "started ended early (95% CI 57 to 62)")
    assert ("reoffending among everyone referred 1.8 percentage points lower than without "
            "mentoring (95% CI 1.4 to 2.1)") in second
    assert "a benefit-cost ratio of 2.7 (95% CI 2.2 to 3.3)" in second
    assert " vs " not in first + second


def test_reference_sentences_fill_the_room_the_comparisons_leave() -> None:
    two = summary({"baseline": BASE, "a": BASE},
                  {"a": {"premature_closure_rate": (-0.09, -0.11, -0.06)}})
    assert [f.reference for f in key_findings(two)] == [None, "baseline"]
    many = summary({name: BASE for name in ["baseline", *"abcdefg"]},
                   {name: {"premature_closure_rate": (0.01, -0.01, 0.03)} for name in "abcdefg"})
    found = key_findings(many, limit=5)
    assert [f.scenario for f in found] == list("abcde")
    assert key_findings(many, limit=1)[0].scenario == "a"
    with pytest.raises(ValueError, match="limit"):
        key_findings(many, limit=0)


def test_reference_must_be_the_summary_s_own() -> None:
    frame = summary({"baseline": BASE, "a": BASE},
                    {"a": {"premature_closure_rate": (-0.09, -0.11, -0.06)}})
    assert key_findings(frame, reference="baseline")[-1].reference == "baseline"
    with pytest.raises(ValueError, match="against 'baseline'"):
        key_findings(frame, reference="a")


def test_titles_name_the_scenarios() -> None:
    frame = summary({"baseline": BASE, "long_term_investment": BASE},
                    {"long_term_investment": {"premature_closure_rate": (-0.09, -0.11, -0.06)}})
    f = key_findings(frame, titles={"long_term_investment": "Five-year funding",
                                    "baseline": "two-year grants"})[-1]
    assert f.text.startswith("Five-year funding vs two-year grants: 9 fewer")
    assert f.scenario == "long_term_investment"


def test_missing_and_undefined_outcomes_are_left_out() -> None:
    f = compare({"premature_closure_rate": (-0.09, -0.11, -0.06),
                 "reoffending_itt_difference": (NAN, NAN, NAN)})
    assert [o.metric for o in f.outcomes] == ["premature_closure_rate"]
    assert "reoffending" not in f.text


def test_reads_what_summarise_returns_and_summary_csv(tmp_path) -> None:
    rng = np.random.default_rng(1)
    reps = 8
    base = rng.normal(0.6, 0.02, reps)
    metrics = pd.DataFrame({
        "scenario": ["baseline"] * reps + ["long_term_investment"] * reps,
        "replication": list(range(reps)) * 2,
        "premature_closure_rate": np.concatenate([base, base - 0.09 + rng.normal(0, 0.01, reps)]),
        "burnout_incidence_per_100_mentor_years": np.concatenate(
            [rng.normal(50, 3, reps), rng.normal(50, 3, reps)]),
    })
    frame = summarise(metrics, ["baseline", "long_term_investment"])
    path = tmp_path / "summary.csv"
    frame.to_csv(path, index=False)
    for read in (frame, pd.read_csv(path)):
        f = key_findings(read)[-1]
        assert f.scenario == "long_term_investment" and f.reference == "baseline"
        assert f.verdict == "better"
        assert "fewer relationships ending early per 100 started" in f.text
        assert f.text.endswith("; no clear difference in burnout.")


MONEY = {"funding_received_gbp": (492_782.0, 410_000.0, 580_000.0),
         "total_spend_gbp": (337_175.0, 280_000.0, 400_000.0),
         "annual_spend_gbp": (67_435.0, 56_000.0, 80_000.0),
         "funding_unspent_gbp": (155_607.0, 128_000.0, 183_000.0),
         "funding_unspent_share": (0.3156, 0.2888, 0.3424),
         "weeks_with_cuts": (0.0, 0.0, 0.0)}


def _money_frame(option: dict[str, tuple[float, float, float]],
                 diff: dict[str, tuple[float, float, float]]) -> list[Finding]:
    frame = summary({"baseline": {**BASE, **MONEY}, "option": {**BASE, **MONEY, **option}},
                    {"option": {"premature_closure_rate": (0.01, -0.01, 0.03), **diff}})
    return key_findings(frame, titles={"baseline": "annual grants", "option": "cut"})


def test_findings_say_what_each_option_spent_was_paid_and_left_unspent() -> None:
    own, cut = _money_frame({}, {"total_spend_gbp": (109_540.0, 49_000.0, 170_000.0),
                                 "funding_received_gbp": (7_218.0, -80_000.0, 90_000.0)})
    assert own.clauses[-1].label == "money"
    assert ("spent £337,175 over 5 years (£67,435 a year); it was paid £492,782 and left "
            "£155,607 (32%) of it unspent") in own.text
    money = cut.clauses[-1]
    assert money.label == "money" and money.verdict is None
    assert "£110,000 more than annual grants (95% CI £49,000 to £170,000)" in money.text
    assert cut.money_binds is None  # funding does not differ clearly: nothing to say
    assert "did not bind" not in cut.text
    assert cut.short.endswith("money: spent £110,000 more over 5 years, 32% of its funding "
                              "unspent.")
    assert "95% CI" not in cut.short


def test_a_cut_that_spending_does_not_follow_is_said_not_to_bind() -> None:
    option = {"funding_received_gbp": (369_586.0, 300_000.0, 430_000.0),
              "total_spend_gbp": (330_874.0, 270_000.0, 390_000.0),
              "annual_spend_gbp": (66_175.0, 54_000.0, 78_000.0),
              "funding_unspent_share": (0.1068, 0.07, 0.14)}
    found = _money_frame(option, {"total_spend_gbp": (-6_301.0, -8_700.0, -3_900.0),
                                  "funding_received_gbp": (-123_195.0, -140_000.0,
                                                           -100_000.0)})[-1]
    assert found.verdict == "no_clear_difference" and found.money_binds is False
    assert ("the money did not bind: funding fell by £123,000 but spending fell by only "
            "£6,000, as annual grants left £155,607 (32%) of its funding unspent") in found.text
    assert "the money did not bind" in found.short
    # the same cut with spending that follows the money binds, and says nothing of it
    bound = _money_frame(option, {"total_spend_gbp": (-100_000.0, -120_000.0, -80_000.0),
                                  "funding_received_gbp": (-123_195.0, -140_000.0,
                                                           -100_000.0)})[-1]
    assert bound.money_binds is True and "bind" not in bound.text
    # budget cuts that saved little: the money hardly bound
    cuts = _money_frame({**option, "weeks_with_cuts": (22.6, 19.5, 25.7)},
                        {"total_spend_gbp": (-6_301.0, -8_700.0, -3_900.0),
                         "funding_received_gbp": (-123_195.0, -140_000.0, -100_000.0)})[-1]
    assert "budget cuts were in force 23 weeks on average" in cuts.text
    assert "the money hardly bound" in cuts.text
