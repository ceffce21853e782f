"""Plain-text report of ``mentorsim analyse``: what was written and the top parameters."""

from __future__ import annotations

from pathlib import Path

from sim.sweep.analysis import Analysis
from sim.sweep.columns import plain

TOP = 5


def analysis_text(folder: Path, result: Analysis) -> str:
    """Files written, notes, and for Morris/Sobol the most influential parameters."""
    lines = [f"{result.design} sweep in {folder}"
             + ("" if result.complete else " (incomplete: some runs missing or failed)")]
    lines += [f"note: {n}" for n in result.notes]
    written = ["point_summary.parquet", "point_summary.csv", "convergence.csv",
               "failures.csv", "noise.csv"]
    table = result.sensitivity
    if table is not None and len(table):
        written += ["sensitivity.csv", "sensitivity.parquet", "sensitivity_convergence.csv"]
        rank_index = "mu_star" if result.design == "morris" else "ST"
        keys = ["policy", "metric"] if "policy" in table else ["metric"]
        for key, rows in table[table["index"] == rank_index].groupby(keys, sort=False):
            metric, under = (key[1], f" under {key[0]}") if len(keys) == 2 else (key[0], "")
            lines.append(f"\n{metric}{under}: top parameters by {rank_index} (± 95% CI, "
                         f"{int(rows['samples'].iloc[0])} samples)")
            top = rows.sort_values("value", ascending=False).head(TOP)
            width = max(len(p) for p in top["parameter"])
            for _, r in top.iterrows():
                flag = f"  [{r['flag']}]" if r["flag"] else ""
                lines.append(f"  {r['parameter']:<{width}}  {r['value']:.4g} ± "
                             f"{r['conf']:.2g}{flag}")
    elif len(result.summary):
        lines += _extremes(result)
    lines.append(f"\nwrote: {', '.join(written)}")
    return "\n".join(lines)


def _extremes(result: Analysis) -> list[str]:
    """For designs without indices: the points with the lowest and highest mean."""
    points = plain(result.points).set_index("point_id")  # labelled by dotted parameter
    lines = []
    for outcome in result.outcomes:
        rows = result.summary[result.summary["metric"] == outcome].dropna(subset=["mean"])
        if rows.empty:
            continue
        lines.append(f"\n{outcome} (mean, 95% CI over replications):")
        for label, row in (("lowest ", rows.loc[rows["mean"].idxmin()]),
                           ("highest", rows.loc[rows["mean"].idxmax()])):
            at = ", ".join(f"{k}={shown(v)}"
                           for k, v in points.loc[int(row["point_id"])].items())
            lines.append(f"  {label} {row['mean']:.4g} [{row['ci_low']:.4g}, "
                         f"{row['ci_high']:.4g}] at {at}")
    return lines


def shown(value: object) -> str:
    """A parameter value as a reader wants it: four significant figures, whole numbers
    and thousands without decimals, choices as they are.

    Example:
        >>> [shown(v) for v in (0.020625644673886973, 16.0, 830653.04, True, "close")]
        ['0.02063', '16', '830,653', 'True', 'close']
    """
    if isinstance(value, bool | str) or not isinstance(value, int | float):
        return str(value)
    number = float(value)
    if number.is_integer() or abs(number) >= 1000:
        return f"{number:,.0f}"
    return f"{number:.4g}"
