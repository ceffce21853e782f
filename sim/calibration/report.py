"""``docs/calibration.md``: the fit report, generated from the fit record and a check."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from sim.calibration.check import CheckResult, markdown_table
from sim.calibration.targets import CalibrationSpec
from sim.metrics import METRICS

REPORT_FILE = Path(__file__).resolve().parents[2] / "docs" / "calibration.md"
PINNED = 0.5  # posterior 90% width below half the search range: the targets pin it down


def _g(value: float) -> str:
    if isinstance(value, int) or (math.isfinite(value) and value == int(value)
                                  and abs(value) >= 1):
        return f"{value:g}"
    return f"{value:.3g}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _targets_table(spec: CalibrationSpec) -> list[str]:
    lines = ["| target | metric | variant | range | published figure | population | source "
             "| confidence | observation sd | discrepancy sd |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for t in spec.targets:
        enforced = "" if t.enforce else " (not enforced)"
        lines.append(f"| `{t.key}`{enforced} | `{t.metric}` ({METRICS[t.metric].unit}) | "
                     f"`{t.variant}` | {_g(t.low)} to {_g(t.high)} | {_cell(t.evidence)} | "
                     f"{_cell(t.population)} | {_cell(t.source)} | {_cell(t.confidence)} | "
                     f"{_g(t.observation_sd)} | {_g(t.discrepancy_sd)} |")
    return lines


def _uncertainty_notes(spec: CalibrationSpec) -> list[str]:
    return ["Why each target's observation and discrepancy standard deviations are what "
            "they are:", "", *[f"- `{t.key}`: {t.uncertainty}" for t in spec.targets], ""]


def _top_ups(record: dict[str, Any]) -> str:
    ups = record.get("top_ups", [])
    if not ups:
        return ""
    said = ", ".join(f"{u['draws']} more ({u['confirmed']} confirmed)" for u in ups)
    return (f", then topped up with `calibrate --worlds --more`: {said}, the waves reproduced "
            "from the seed and the next candidates confirmed with free draws of their own")


def _screened(found: dict[str, Any]) -> str:
    return "; ".join(f"`{name}` moves `{x['target']}` ({x['rho']:+.2f})"
                     for name, x in found.items()) or "none"


def _ensemble(spec: CalibrationSpec) -> list[str]:
    """The plausible worlds section, from worlds.json beside the targets file."""
    import json

    path = spec.path.with_name("worlds.json")
    if not path.exists():
        return ["## Plausible worlds", "", "No ensemble has been built yet: "
                "`mentorsim calibrate --worlds` builds it.", ""]
    r = json.loads(path.read_text())
    waves = [f"| {w['wave']} | {w['points']} | {w['reps']} | {w['simulated_not_ruled_out']} "
             f"| {w['rule']} | {100 * w['not_ruled_out_share']:.2f}% | "
             f"{min(w['emulator_loo_r2'].values()):.2f} |" for w in r["waves"]]
    ruled = ", ".join(f"`{k}` {v}" for k, v in sorted(r["ruled_out_by"].items(),
                                                       key=lambda kv: -kv[1]) if v)
    return [
        "## Plausible worlds",
        "",
        "One calibrated point gives one answer at one set of assumed values. The ensemble "
        "keeps every parameter set the targets cannot rule out, so every comparison can be "
        "run across them (`mentorsim run --worlds N`, docs/outputs.md). It is built by "
        "`mentorsim calibrate --worlds` ([`sim/calibration/ensemble.py`]"
        "(../sim/calibration/ensemble.py)) and stored in "
        "[`scenarios/calibration/worlds.csv`](../scenarios/calibration/worlds.csv) (each "
        "world's parameter values, each target's simulated mean and implausibility), with "
        "its record in `worlds.json`.",
        "",
        f"History matching (Vernon, Goldstein & Bower 2010; Andrianakis et al. 2015) judges a "
        "parameter set x by each enforced target's implausibility, I(x) = |z - E[f(x)]| / "
        "sqrt(V_obs + V_disc + V_model(x)): z the published figure (the range's centre), "
        "V_obs and V_disc the target's declared observation and discrepancy variances (table "
        "above), V_model the emulator's variance while screening or the replications' "
        f"variance of the mean once simulated. A set is ruled out when I exceeds {r['cutoff']:g} "
        f"(three-sigma rule). The {len(r['fitted_parameters'])} fitted parameters are "
        "history-matched. Wave 1 also draws every other declared numeric uncertainty "
        "(those no bundled calibration variant sets itself) from its plausible range, and "
        "screens them: an uncertainty whose rank correlation with a target's residuals (after "
        "a quadratic in the fitted parameters) is clear at the 5% family-wise level moves "
        "that target, so it is history-matched too "
        f"({len(r['screened_in'])}: {_screened(r['screened_in'])}). The other "
        f"{len(r['free_parameters'])} are free: no target constrains them, and every "
        "world draws them by Latin hypercube from their plausible ranges (compositions, "
        "shares that add up to one, as a whole); in the emulators they act as noise, so "
        "they widen the emulators' variance rather than being ignored.",
        "",
        "| wave | points | replications | simulated points not ruled out | rule | share of "
        "the box the emulators keep | emulator leave-one-out R² (lowest target) |",
        "|---|---|---|---|---|---|---|",
        *waves,
        "",
        f"Confirmation: {r['draws_run']} candidate worlds (history-matched parameters from "
        "the last wave's not-ruled-out candidates, free uncertainties drawn afresh) and the "
        f"defaults were run for {r['confirm_reps']} replications on fresh seeds (root "
        f"{r['confirm_seed']}){_top_ups(r)}. **{r['confirmed_plausible']} of "
        f"{r['draws_run']}** were not "
        f"ruled out by any enforced target; {r['kept']} worlds are stored, world 0 being "
        f"the defaults (largest I {max(r['defaults_implausibility'].values()):.2f}, "
        f"{'plausible' if r['defaults_plausible'] else 'NOT plausible'}). Targets that ruled "
        f"out candidate worlds (count): {ruled or 'none'}. {r['runs']:,} runs, "
        f"{r['wall_time_s'] / 60:.0f} minutes on {r['workers']} worker(s).",
        "",
    ]


def _variants_table(spec: CalibrationSpec) -> list[str]:
    lines = ["| variant | scenario | overrides | replications in the check | why |",
             "|---|---|---|---|---|"]
    for v in spec.variants.values():
        sets = ", ".join(f"`{s}`" for s in v.overrides) or "none"
        lines.append(f"| `{v.name}` | `{v.scenario}` | {sets} | {v.reps} | {_cell(v.why)} |")
    return lines


def _share(wave: dict[str, Any]) -> str:
    if wave.get("confirmation"):
        return ""
    value = wave.get("not_ruled_out_share")
    return "(all: the prior)" if value is None else f"{value:.2%}"


def _choice(settings: dict[str, Any], fit: dict[str, Any]) -> list[str]:
    confirmed = [x for x in fit["points"] if x["wave"] == len(settings["waves"]) + 1]
    if not confirmed:
        return []
    lines = ["| confirmation point | worst target (rho) | mean squared distance | inside every "
             "range |", "|---|---|---|---|"]
    for i, x in enumerate(confirmed, start=1):
        mark = ""
        if i == settings.get("closest"):
            mark += " (worst target furthest inside)"
        if i == (settings.get("choose") or settings.get("closest")):
            mark += " **chosen**"
        lines.append(f"| {i}{mark} | {x['rho']:.2f} | {x['score']:.3f} | "
                     f"{'yes' if x['rho'] <= 1 else 'no'} |")
    if settings.get("choose"):
        lines += ["", f"**Choice.** Confirmation point {settings['choose']} was chosen rather "
                  f"than point {settings.get('closest')}: {settings.get('choose_reason', '')}"]
    return [*lines, ""]


def _factors(settings: dict[str, Any]) -> str:
    factors = settings.get("fit_reps_factor", {})
    return ", ".join(f"`{v}` x {n}" for v, n in factors.items())


def _lowest_r2(wave: dict[str, Any], key: str = "emulator_loo_r2") -> str:
    r2 = wave.get(key)
    if not r2:
        return ""
    worst = min(r2, key=r2.get)
    return f"{r2[worst]:.2f} (`{worst}`)"


def _emulator_table(fit: dict[str, Any]) -> list[str]:
    """Per target, the last emulator's leave-one-out fit beside the quadratic's alone."""
    last = [w for w in fit["waves"] if "emulator_loo_r2" in w]
    if not last:
        return []
    w = last[-1]
    lines = [f"Emulators of wave {w['wave']} (fitted to every point simulated before it), "
             "by leave-one-out: R² of the quadratic regression alone and with the Gaussian "
             "process, the share of points within two of the emulator's standard deviations "
             "(near 0.95 when its uncertainty is honest) and the parameters its length-scales "
             "say the target does not use:", "",
             "| target | quadratic alone: R² | emulator: R² | within 2 sd | parameters not "
             "used |", "|---|---|---|---|---|"]
    for key, r2 in w["emulator_loo_r2"].items():
        unused = w.get("parameters_not_used", {}).get(key, [])
        lines.append(f"| `{key}` | {w['quadratic_loo_r2'][key]:.2f} | {r2:.2f} | "
                     f"{w['emulator_loo_within_2sd'][key]:.2f} | "
                     f"{', '.join(f'`{u}`' for u in unused) or 'none'} |")
    return [*lines, ""]


def _parameters_table(fit: dict[str, Any]) -> list[str]:
    posterior = fit["posterior"]
    before = fit.get("defaults_before", {})
    lines = ["| parameter | search range | default before calibration | accepted points: median "
             "[5%, 95%] "
             "| chosen (rounded) | identified? | why uncertain |",
             "|---|---|---|---|---|---|---|"]
    for p in fit["parameters"]:
        name = p["name"]
        post = posterior[name]
        width = (post["p95"] - post["p05"]) / (p["high"] - p["low"])
        identified = ("yes" if width < PINNED else "weakly") if post["n"] >= 2 else "n/a"
        lines.append(
            f"| `{name}` | {_g(p['low'])} to {_g(p['high'])} | {_g(before.get(name, math.nan))} "
            f"| {_g(post['median'])} [{_g(post['p05'])}, {_g(post['p95'])}] | "
            f"**{_g(fit['rounded'][name])}** | {identified} ({width:.0%} of range) | "
            f"{_cell(p.get('why', ''))} |")
    return lines


def _adjusted_table(spec: CalibrationSpec) -> list[str]:
    """Values set after the last search (``[[fit.adjusted]]``), each with why; the check
    above runs on them."""
    if not spec.fit.adjusted:
        return []
    return ["**Set after the last search.** The check runs on the search's chosen values "
            "with these calibrated on their own (declared, with the reason, in the targets "
            "file):", "", "| parameter | value | why |", "|---|---|---|",
            *[f"| `{a.name}` | {_g(a.value)} | {_cell(a.why)} |" for a in spec.fit.adjusted],
            ""]


def build(spec: CalibrationSpec, fit: dict[str, Any], check: CheckResult,
          workers: int, notes: str = "") -> str:
    """The report as Markdown.

    Args:
        spec: the targets file.
        fit: the fit record (``scenarios/calibration/fit.json``).
        check: the check of the chosen parameter set.
        workers: processes the check used.
        notes: free text from the targets file's ``[report]`` table.
    """
    s = fit["settings"]
    last = [x for x in fit["points"] if x["wave"] == len(s["waves"])]
    inside = sum(1 for x in last if x["rho"] <= 1)
    chosen = ("inside every range" if fit["chosen_rho"] <= 1 else
              f"NOT inside every range (rho {fit['chosen_rho']:.2f}): no point was")
    state = "passes" if check.passed else "FAILS"
    reasons = [f"- `{t.key}`: {t.note}" for t in spec.targets if t.note]
    runs = ", ".join(f"{name} x {n}" for name, n in check.counts.items())
    lines = [
        "# Calibration report",
        "",
        "<!-- generated by `mentorsim calibrate`; edit scenarios/calibration/targets.toml, "
        "not this file -->",
        "",
        "The baseline scenario was calibrated against published figures on mentoring in "
        "criminal justice and adjacent fields. Targets are declared, with their sources, in "
        "[`scenarios/calibration/targets.toml`](../scenarios/calibration/targets.toml); the "
        "search is [`sim/calibration/fit.py`](../sim/calibration/fit.py) and its full record "
        "(every simulated point) is "
        "[`scenarios/calibration/fit.json`](../scenarios/calibration/fit.json).",
        "",
        "## Result",
        "",
        f"The calibrated parameter set {state} the check that `mentorsim calibrate --check` "
        "runs on the defaults: "
        f"{check.runs} simulations ({runs}; root seed {check.seed}, which the search did not "
        f"use), {check.wall_time_s:.0f} s on {workers} worker(s). A target is met when the "
        "defaults are not implausible against it (I, below, at most 3; see *Plausible "
        "worlds*) and the ensemble's 95% predictive interval (the worlds' means, each "
        "widened by the target's observation and discrepancy sds) covers the published "
        "figure; the published range is shown, not used as a wall. The bracket is the 95% "
        "t-interval of the defaults' mean over replications; the worlds' 5-95% range shows "
        "how far plausible worlds spread.",
        "",
        markdown_table(check).rstrip(),
        "",
        *_adjusted_table(spec),
        *_ensemble(spec),
        "## Targets and their sources",
        "",
        *_targets_table(spec),
        "",
        *_uncertainty_notes(spec),
        *(["Notes on the targets:", "", *reasons, ""] if reasons else []),
        "Each target is measured on a variant of a bundled scenario:",
        "",
        *_variants_table(spec),
        "",
        "## Method",
        "",
        f"The search varies the {len(fit['parameters'])} uncertain parameters below, each "
        "over a search range (a uniform prior), and runs the variant(s) "
        f"{', '.join(f'`{v}`' for v in s['variants'])} for {s.get('weeks', 260)} weeks on "
        "common seeds. It "
        "works in waves, as in history matching (Vernon, Goldstein & Bower 2010; "
        "Andrianakis et al. 2015), and ends with approximate Bayesian computation (ABC) "
        "rejection:",
        "",
        f"1. **Wave 1.** {s['waves'][0][0]} points of a scrambled Sobol sequence "
        f"(scipy.stats.qmc, seed {fit['seed']}), {s['waves'][0][1]} replications each.",
        "2. **Later waves.** Each target is emulated by "
        f"{s.get('emulator', 'a quadratic regression on the parameters')}, fitted to every "
        "point simulated so far (Vernon, Goldstein & Bower 2010; scikit-learn's "
        "GaussianProcessRegressor, hyperparameters by maximum marginal likelihood). Of "
        f"{s['candidates']:,} new Sobol candidates, those whose emulated targets all lie "
        "within a cutoff of the emulator's standard deviations at that candidate of their "
        "ranges (the cutoff tightens wave by wave) are *not ruled out yet*; the wave "
        "simulates a low-discrepancy subset of them with more replications.",
        "3. **ABC rejection.** A point's distance is its worst target in half-widths of that "
        "target's range, rho = max |model mean - range centre| / half-width, so rho <= 1 "
        "means every enforced target is inside. The last wave's points with rho <= 1 are "
        "accepted and approximate the posterior (summarised under *Fitted parameters*).",
        f"4. **Confirmation and choice.** Up to {s['confirm_points']} points (the accepted "
        "ones, topped up with the candidates the final emulators put closest to the centres "
        f"of all ranges), rounded to {s['significant_digits']} significant figures, were "
        f"re-run with {s['confirm_reps']} replications on fresh seeds, so what is confirmed "
        "is exactly what becomes the defaults. The confirmed point whose worst target lies "
        "furthest inside its range (smallest rho; ties by mean squared distance) was chosen: "
        "the check must find every enforced target inside on seeds the search did not use, "
        "so the worst target's margin matters most. Its values are the defaults in "
        "`sim/params.py` (source \"calibrated (see docs/calibration.md)\").",
        "",
        *_choice(s, fit),
        f"Variants with few of the people a target counts run more often in the search "
        f"({_factors(s)}).",
        "",
        "| wave | points | replications | cutoff (sd) | share of candidates not ruled out "
        "| emulator R² (lowest target) | quadratic alone: R² (lowest target) "
        "| points inside every range |",
        "|---|---|---|---|---|---|---|---|",
        *[f"| {'confirmation' if w.get('confirmation') else w['wave']} | {w['points']} | "
          f"{w['reps']} | {w.get('cutoff', '')} | {_share(w)} | {_lowest_r2(w)} | "
          f"{_lowest_r2(w, 'quadratic_loo_r2')} | "
          f"{w['inside_all_ranges']} |" for w in fit["waves"]],
        "",
        *_emulator_table(fit),
        f"{inside} of the last wave's {len(last)} points had every target inside its range "
        f"(ABC tolerance {fit['tolerance']:.2f}; it is widened to the 8th smallest distance "
        "only when fewer than 8 points are inside). The chosen point was "
        f"{chosen} in its confirmation runs. The search made "
        f"{fit['runs']:,} runs in {fit['wall_time_s'] / 60:.0f} minutes on {s['workers']} "
        "worker(s) and is reproduced exactly by `mentorsim calibrate`.",
        "",
        "## Fitted parameters",
        "",
        "\"Identified\" compares the 5-95% spread of the accepted points with the search "
        f"range: below {PINNED:.0%} of the range the targets pin the parameter down; above "
        "it they say little about it, the default is one value consistent with them, and "
        "sweeps should keep varying it over its plausible range.",
        "",
        *_parameters_table(fit),
        "",
    ]
    if notes.strip():
        lines += ["## What does not fit, and other notes", "", notes.strip(), ""]
    return "\n".join(lines)


def write(text: str, path: Path = REPORT_FILE) -> Path:
    """Write the report (atomically)."""
    from sim.files import write_text_atomically

    write_text_atomically(path, text)
    return path
