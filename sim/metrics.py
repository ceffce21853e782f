"""Outcome metrics: each declared once, with unit and definition, and computed per run.

Metrics are computed from one replication's tidy tables (the same tables written to the
results folder), so anyone can recompute them from the Parquet files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.relationship import CLOSURE_REASONS

ABANDONMENT = ("mentor_abandonment", "mentee_abandonment")
NON_EXITS = ("active", "programme_closed")  # not counted as attrition


@dataclass(frozen=True)
class Metric:
    """An outcome: name, unit, plain-English definition and which direction is better."""

    name: str
    label: str
    unit: str
    definition: str
    better: str = "lower"  # "lower", "higher" or "neither"


_METRICS = [
    Metric("premature_closure_rate", "Relationships ending early", "share",
           "Of relationships started at least the planned length before the horizon, the "
           "share that ended before planned completion, for any reason"),
    Metric("abandonment_rate", "Relationships abandoned", "share",
           "Of the same relationships, the share ended by mentor or mentee abandonment"),
    Metric("abandonment_per_100_match_years", "Abandonments per 100 relationship-years",
           "per 100 relationship-years",
           "Mentor or mentee abandonments per 100 years of relationships running: the "
           "abandonment hazard, free of the competing risk of programme closure"),
    Metric("median_match_weeks", "Median relationship length", "weeks",
           "Median duration of the same relationships", "higher"),
    Metric("match_quality_at_end", "Relationship quality at the end", "0-1",
           "Mean quality of all relationships started (the bond built through caring, "
           "listening and encouraging small steps) when they ended, or at the horizon if "
           "still open", "higher"),
    Metric("mentor_burnout_prevalence", "Mentors burnt out", "share",
           "Mean over weeks of burnt-out mentors / mentors on the books (high emotional "
           "exhaustion)"),
    Metric("mentor_attrition_annual", "Mentor attrition", "share/year",
           "Mentors leaving for any reason except programme closure, per mentor-year on "
           "the books"),
    Metric("volunteer_attrition_annual", "Volunteer mentor attrition", "share/year",
           "As mentor_attrition_annual, unpaid mentors only"),
    Metric("paid_attrition_annual", "Paid peer mentor attrition", "share/year",
           "As mentor_attrition_annual, paid peer mentors only"),
    Metric("mentor_burnout_exits_annual", "Mentors leaving through burnout", "share/year",
           "Mentors leaving while burnt out, per mentor-year"),
    Metric("peer_relapse_annual", "Peer mentor relapse", "share/year",
           "Peer mentors leaving through reoffending or relapse, per peer-mentor-year"),
    Metric("mentor_progression_annual", "Peer mentors into paid work", "share/year",
           "Peer mentors moving on to paid work, per peer-mentor-year", "higher"),
    Metric("mentees_matched_share", "Referrals matched", "share",
           "Of mentees referred at least 13 weeks before the horizon, the share ever "
           "matched", "higher"),
    Metric("service_linkage_rate", "Mentees linked to services", "share",
           "Of matched mentees who had a need, the share linked to at least one partner "
           "service", "higher"),
    Metric("reoffending_rate_12m", "Reoffending within 12 months", "share",
           "Of mentees with 12 months of follow-up, the share proven to reoffend within 52 "
           "weeks of referral"),
    Metric("reoffending_rate_12m_without_mentoring", "Reoffending without mentoring",
           "share", "The same people's 12-month reoffending had mentoring had no effect "
           "(same random numbers, mentoring effects switched off)", "neither"),
    Metric("reoffending_rr_completed", "Reoffending ratio, completed relationships", "ratio",
           "Reoffending of mentees whose relationship completed / their reoffending without "
           "mentoring (below 1 means mentoring helped)"),
    Metric("reoffending_rr_early", "Reoffending ratio, very early endings", "ratio",
           "The same ratio for mentees whose only relationship ended early in its first 8 "
           "weeks"),
    Metric("cost_per_completed_match_gbp", "Cost per completed relationship", "GBP",
           "Total spending / relationships completed as planned"),
    Metric("cost_per_linked_mentee_gbp", "Cost per mentee linked to services", "GBP",
           "Total spending / mentees linked to at least one partner service"),
    Metric("cost_per_mentee_year_gbp", "Cost per mentee-year", "GBP",
           "Total spending / mentee-years spent in a relationship"),
    Metric("mentors_per_staff_fte", "Mentors per staff member", "mentors/FTE",
           "Mean mentors on the books / coordinator and supervisor FTE in post", "neither"),
]
_METRICS += [
    Metric(f"closure_share_{reason}", f"Closures: {reason.replace('_', ' ')}", "share",
           f"Share of all relationships started whose recorded closure reason is {reason}",
           "higher" if reason == "completed" else ("neither" if reason == "ongoing" else "lower"))
    for reason in CLOSURE_REASONS
]
METRICS: dict[str, Metric] = {m.name: m for m in _METRICS}
HEADLINE = ("premature_closure_rate", "abandonment_rate", "median_match_weeks",
            "mentor_burnout_prevalence", "mentor_attrition_annual", "mentees_matched_share",
            "service_linkage_rate", "reoffending_rate_12m", "cost_per_completed_match_gbp")


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else float("nan")


def _per_year(leavers: pd.DataFrame, exits: pd.Series, weeks_on_books: float) -> float:
    return _ratio(float(exits.sum()), weeks_on_books / 52.0) if len(leavers) else float("nan")


def compute(weekly: pd.DataFrame, matches: pd.DataFrame, mentors: pd.DataFrame,
            mentees: pd.DataFrame, weeks: int, planned_match_weeks: int) -> dict[str, float]:
    """All metrics of one replication from its tables.

    Args:
        weekly, matches, mentors, mentees: that replication's rows of the result tables.
        weeks: the horizon.
        planned_match_weeks: the scenario's planned relationship length.

    Returns:
        ``{metric name: value}``; NaN where a metric is undefined (e.g. no completions).
    """
    out: dict[str, float] = {}
    cohort = matches[matches["start_week"] <= weeks - planned_match_weeks]
    resolved = cohort[cohort["closure_reason"] != "ongoing"]
    out["premature_closure_rate"] = _ratio((resolved["closure_reason"] != "completed").sum(),
                                           len(resolved))
    out["abandonment_rate"] = _ratio(resolved["closure_reason"].isin(ABANDONMENT).sum(),
                                     len(resolved))
    match_years = float(matches["duration_weeks"].sum()) / 52
    out["abandonment_per_100_match_years"] = 100 * _ratio(
        matches["closure_reason"].isin(ABANDONMENT).sum(), match_years)
    out["median_match_weeks"] = (float(resolved["duration_weeks"].median())
                                 if len(resolved) else float("nan"))
    out["match_quality_at_end"] = (float(matches["quality_at_end"].mean())
                                   if len(matches) else float("nan"))

    on_books = weekly["active_mentors"].to_numpy(dtype=float)
    burnt = weekly["burnt_out_mentors"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(on_books > 0, burnt / np.where(on_books > 0, on_books, 1), np.nan)
    out["mentor_burnout_prevalence"] = (float(np.nanmean(share))
                                        if np.isfinite(share).any() else float("nan"))

    left = mentors["left_week"].fillna(weeks).to_numpy(dtype=float)
    tenure = left - mentors["joined_week"].to_numpy(dtype=float)
    exited = ~mentors["exit_reason"].isin(NON_EXITS)
    paid = mentors["paid"].to_numpy(dtype=bool)
    peer = (mentors["mentor_kind"] == "peer").to_numpy()
    out["mentor_attrition_annual"] = _ratio(exited.sum(), tenure.sum() / 52)
    out["volunteer_attrition_annual"] = _ratio((exited & ~paid).sum(), tenure[~paid].sum() / 52)
    out["paid_attrition_annual"] = _ratio((exited & paid).sum(), tenure[paid].sum() / 52)
    out["mentor_burnout_exits_annual"] = _ratio((mentors["exit_reason"] == "burnout").sum(),
                                                tenure.sum() / 52)
    out["peer_relapse_annual"] = _ratio((mentors["exit_reason"] == "relapse").sum(),
                                        tenure[peer].sum() / 52)
    out["mentor_progression_annual"] = _ratio((mentors["exit_reason"] == "paid_work").sum(),
                                              tenure[peer].sum() / 52)

    eligible = mentees[mentees["referral_week"] <= weeks - 13]
    out["mentees_matched_share"] = _ratio(eligible["matched"].sum(), len(eligible))
    matched = mentees[mentees["matched"] & (mentees["needs"] > 0)]
    out["service_linkage_rate"] = _ratio((matched["services_linked"] > 0).sum(), len(matched))
    followed = mentees[mentees["reoffended_12m"].notna()]
    actual = followed["reoffended_12m"].astype(bool)
    counterfactual = followed["reoffended_12m_without_mentoring"].astype(bool)
    out["reoffending_rate_12m"] = _ratio(actual.sum(), len(followed))
    out["reoffending_rate_12m_without_mentoring"] = _ratio(counterfactual.sum(), len(followed))
    last = matches.sort_values("match_id").groupby("mentee_id").tail(1).set_index("mentee_id")
    completed_ids = last.index[last["closure_reason"] == "completed"]
    early_ids = last.index[(last["closure_reason"] != "completed")
                           & (last["closure_reason"] != "ongoing")
                           & (last["duration_weeks"] <= 8)]
    for name, ids in (("reoffending_rr_completed", completed_ids),
                      ("reoffending_rr_early", early_ids)):
        group = followed[followed["mentee_id"].isin(ids)]
        out[name] = _ratio(group["reoffended_12m"].astype(bool).sum(),
                           group["reoffended_12m_without_mentoring"].astype(bool).sum())

    spend = float(weekly["spend_gbp"].sum())
    completed = int((matches["closure_reason"] == "completed").sum())
    out["cost_per_completed_match_gbp"] = _ratio(spend, completed)
    out["cost_per_linked_mentee_gbp"] = _ratio(spend, int((mentees["services_linked"] > 0).sum()))
    out["cost_per_mentee_year_gbp"] = _ratio(spend, float(weekly["active_matches"].sum()) / 52)
    staff = weekly["staff_fte"].to_numpy(dtype=float) if "staff_fte" in weekly else None
    if staff is not None and (staff > 0).any():
        out["mentors_per_staff_fte"] = float(np.mean(on_books[staff > 0] / staff[staff > 0]))
    else:
        out["mentors_per_staff_fte"] = float("nan")

    counts = matches["closure_reason"].value_counts()
    for reason in CLOSURE_REASONS:
        out[f"closure_share_{reason}"] = _ratio(int(counts.get(reason, 0)), len(matches))
    return out


def markdown_table() -> str:
    """The metric registry as a Markdown table (for the README and docs)."""
    lines = ["| metric | unit | definition | better |", "|---|---|---|---|"]
    lines += [f"| `{m.name}` | {m.unit} | {m.definition} | {m.better} |" for m in _METRICS]
    return "\n".join(lines) + "\n"
