"""Outcome metrics: each declared once, with unit and definition, beside the code computing it.

Every metric is a small function of a :class:`RunContext` (one run's tidy tables, the
horizon and the parameters the definitions need), registered with :func:`metric`. The
declaration and the arithmetic sit together, so a definition cannot drift from what is
computed. Metrics are computed from the same tables written to the results folder, so
anyone can recompute them from the Parquet files; :func:`run_metrics` is the one way the
code does so.

Adding a metric is one decorated function here (and pasting ``mentorsim metrics
--markdown`` into the README's table, which a test checks).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any

import numpy as np
import pandas as pd

from sim.params import ScenarioParams
from sim.vocabulary import CLOSURE_REASONS, RISK_BANDS

ABANDONMENT = ("mentor_abandonment", "mentee_abandonment")
# A referral this close to the horizon may still be waiting: a quarter of a year, part of
# the matched-share metric's definition.
MATCHING_GRACE_WEEKS = 13  # literal-ok: a metric's definition (a quarter), not behaviour


@dataclass
class RunContext:
    """What a metric is computed from: one run's tables over a window of weeks.

    Shared intermediates (the relationship cohort, mentors' time on the books, ...) are
    cached properties, computed once however many metrics use them.

    The window (``start_week``..``end_week``, inclusive) is the whole run, or one year of
    it for the per-year table (:func:`yearly_metrics`). In a window:

    - weekly quantities are the window's weeks;
    - a relationship *cohort* is the relationships started in the window whose commitment
      point (their own planned length) falls by the horizon, so each has either reached it
      or ended before it; they are followed to the horizon;
    - rates per year (abandonments per relationship-year, mentor exits per mentor-year,
      burnout incidence) count events in the window over time at risk in the window;
    - mentees are those referred in the window (the intention-to-treat cohort is every
      arrival, whatever happened to the referral);
    - money is what was received and spent in the window.

    Attributes:
        tables: the run's tables by name (``weekly``, ``matches``, ``mentors``,
            ``mentees``, ``events``).
        params: the parameters the run used (its horizon, unit costs).
        start_week, end_week: the window; default the whole run (1..weeks).
    """

    tables: Mapping[str, pd.DataFrame]
    params: ScenarioParams
    start_week: int = 1
    end_week: int | None = None
    # Intermediates of the whole run (the same in every window), shared by the windows of
    # one run so the per-year table computes them once, not once a year.
    shared: dict[str, Any] = field(default_factory=dict, repr=False)
    weeks: int = field(init=False)

    def __post_init__(self) -> None:
        self.weeks = self.params.run.weeks
        if self.end_week is None:
            self.end_week = self.weeks
        if not 1 <= self.start_week <= self.end_week <= self.weeks:
            raise ValueError(f"window {self.start_week}..{self.end_week} is not inside the "
                             f"run's weeks 1..{self.weeks}")

    @classmethod
    def whole_run(cls, tables: Mapping[str, pd.DataFrame],
                  params: ScenarioParams) -> RunContext:
        """The context of a whole run of ``params``."""
        return cls(tables, params)

    # --- the tables ---------------------------------------------------------------------
    @property
    def horizon(self) -> int:
        """The run's last week (relationships and follow-up are seen up to it)."""
        return self.weeks

    @property
    def last_week(self) -> int:
        """The window's last week."""
        assert self.end_week is not None
        return self.end_week

    @property
    def years(self) -> float:
        """The window's length in years."""
        return (self.last_week - self.start_week + 1) / 52

    @cached_property
    def weekly(self) -> pd.DataFrame:
        """The window's weekly rows."""
        weekly = self.tables["weekly"]
        return weekly[(weekly["week"] >= self.start_week) & (weekly["week"] <= self.last_week)]

    @property
    def all_matches(self) -> pd.DataFrame:
        """Every relationship of the run (including those open when it began)."""
        return self.tables["matches"]

    @cached_property
    def matches(self) -> pd.DataFrame:
        """Relationships started in the window."""
        m = self.all_matches
        return m[(m["start_week"] >= self.start_week) & (m["start_week"] <= self.last_week)]

    @property
    def mentors(self) -> pd.DataFrame:
        """Every mentor of the run."""
        return self.tables["mentors"]

    @cached_property
    def mentees(self) -> pd.DataFrame:
        """Mentees referred in the window (whatever happened to the referral)."""
        m = self.tables["mentees"]
        return m[(m["referral_week"] >= self.start_week) & (m["referral_week"] <= self.last_week)]

    @cached_property
    def referred(self) -> pd.DataFrame:
        """Of those, mentees who joined a waiting list."""
        m = self.mentees
        return m[m["referral_outcome"] == "referred"] if "referral_outcome" in m else m

    # --- shared intermediates -----------------------------------------------------------
    @cached_property
    def resolved(self) -> pd.DataFrame:
        """The cohort whose early endings are not cut short by the run ending: relationships
        started in the window whose commitment point (``start_week + planned_weeks``) is by
        the horizon, so each has reached it or ended before it."""
        matches = self.matches
        return matches[matches["start_week"] + matches["planned_weeks"] <= self.horizon]

    @cached_property
    def match_years(self) -> float:
        """Years of relationships running within the window."""
        m = self.all_matches
        end = m["end_week"].astype("float64").fillna(float(self.horizon)).to_numpy()
        start = m["start_week"].to_numpy(dtype=float)
        weeks = np.minimum(end, self.last_week) - np.maximum(start, self.start_week - 1)
        return float(np.clip(weeks, 0, None).sum()) / 52

    @cached_property
    def ended_in_window(self) -> pd.DataFrame:
        """Relationships that ended within the window."""
        m = self.all_matches
        end = m["end_week"].astype("float64")
        return m[(end >= self.start_week) & (end <= self.last_week)]

    @cached_property
    def mentors_on_books(self) -> np.ndarray:
        """Mentors on the books, week by week."""
        return self.weekly["active_mentors"].to_numpy(dtype=float)

    @cached_property
    def tenure(self) -> np.ndarray:
        """Weeks each mentor spent on the books within the window (time at risk)."""
        mentors = self.mentors
        left = mentors["left_week"].astype("float64").fillna(float(self.horizon)).to_numpy()
        joined = mentors["joined_week"].to_numpy(dtype=float)
        weeks = np.minimum(left, self.last_week) - np.maximum(joined, self.start_week - 1)
        return np.clip(weeks, 0, None)

    @cached_property
    def left_in_window(self) -> np.ndarray:
        """Mentors who left within the window."""
        left = self.mentors["left_week"].astype("float64").to_numpy()
        return (left >= self.start_week) & (left <= self.last_week)

    def exits(self, *categories: str) -> np.ndarray:
        """Mentors who left within the window in one of the exit ``categories``."""
        category = self.mentors["exit_category"].to_numpy()
        return self.left_in_window & np.isin(category, categories)

    @cached_property
    def exited(self) -> np.ndarray:
        """Mentors who left of their own accord (a negative exit or paid work) within the
        window: turnover as volunteer and workforce surveys count it."""
        return self.exits("negative", "progression")

    @cached_property
    def paid(self) -> np.ndarray:
        """Paid peer mentors."""
        return self.mentors["paid"].to_numpy(dtype=bool)

    @cached_property
    def peer(self) -> np.ndarray:
        """Peer (lived-experience) mentors."""
        return (self.mentors["mentor_kind"] == "peer").to_numpy()

    @cached_property
    def mentor_years(self) -> float:
        """Mentor-years on the books within the window."""
        return float(self.tenure.sum()) / 52

    @cached_property
    def followed(self) -> pd.DataFrame:
        """Mentees referred in the window with 12 months of follow-up by the horizon, who
        joined a waiting list."""
        referred = self.referred
        return referred[referred["reoffended_12m"].notna()]

    @cached_property
    def reached(self) -> pd.DataFrame:
        """Of the cohort (``resolved``), the relationships that reached their commitment
        point."""
        resolved = self.resolved
        return resolved[resolved["reached_commitment"].astype(bool)]

    @cached_property
    def reoffenders_averted(self) -> float:
        """People not reoffending because of the programme: the intention-to-treat effect
        per person followed up, times everyone referred in the window."""
        followed = self.arrivals_followed
        averted = int(followed["reoffended_12m_without_mentoring"].astype(bool).sum()
                      - followed["reoffended_12m"].astype(bool).sum())
        return _ratio(averted * len(self.mentees), len(followed))

    @cached_property
    def reoffences_averted(self) -> float:
        """Proven reoffences averted by the programme: the intention-to-treat difference in
        reoffences per person followed up (without mentoring minus with, same random
        numbers), times everyone referred in the window."""
        followed = self.arrivals_followed
        averted = int(followed["reoffences_12m_without_mentoring"].sum()
                      - followed["reoffences_12m"].sum())
        return _ratio(averted * len(self.mentees), len(followed))

    @cached_property
    def funding(self) -> float:
        """Money the commissioner paid in the window (grant income)."""
        return float(self.weekly["income_gbp"].sum())

    @cached_property
    def arrivals_followed(self) -> pd.DataFrame:
        """The intention-to-treat cohort: everyone referred in the window (joined a waiting
        list, lost while the programme could not take them, or diverted) with 12 months of
        follow-up by the horizon. The same people arrive in every scenario."""
        mentees = self.mentees
        return mentees[mentees["reoffended_12m"].notna()]

    @property
    def last_match(self) -> pd.DataFrame:
        """Each matched mentee's last relationship in the run, indexed by ``mentee_id``
        (whatever the window: shared by the run's windows)."""
        last = self.shared.get("last_match")
        if last is None:
            last = self.shared["last_match"] = (
                self.all_matches.sort_values("match_id").groupby("mentee_id").tail(1)
                .set_index("mentee_id"))
        return last

    @cached_property
    def spend(self) -> float:
        """Total spending in the window."""
        return float(self.weekly["spend_gbp"].sum())

    @cached_property
    def closure_counts(self) -> pd.Series:
        """Relationships started in the window by recorded closure reason."""
        return self.matches["closure_reason"].value_counts()


MetricFunction = Callable[[RunContext], float]


@dataclass(frozen=True)
class Metric:
    """An outcome: name, unit, plain-English definition, which direction is better, and
    the function computing it from a run."""

    name: str
    label: str
    unit: str
    definition: str
    better: str = "lower"  # "lower", "higher" or "neither"
    compute: MetricFunction = field(kw_only=True, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.better not in ("lower", "higher", "neither"):
            raise ValueError(f"metric {self.name}: better must be lower, higher or neither")


METRICS: dict[str, Metric] = {}


def _register(declared: Metric) -> None:
    if declared.name in METRICS:
        raise ValueError(f"metric {declared.name} is declared twice")
    METRICS[declared.name] = declared


def metric(*, name: str, label: str, unit: str, definition: str,
           better: str = "lower") -> Callable[[MetricFunction], MetricFunction]:
    """Declare a metric on the function that computes it.

    The function takes a :class:`RunContext` and returns a float (NaN where the metric
    is undefined, e.g. no completions). Declaration order is the order of
    :data:`METRICS`, of :func:`run_metrics`' result and of the README's table.

    Example:
        >>> METRICS["median_match_weeks"].better
        'higher'
    """
    def register(function: MetricFunction) -> MetricFunction:
        _register(Metric(name, label, unit, definition, better, compute=function))
        return function
    return register


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else float("nan")


# --- relationships ----------------------------------------------------------------------
@metric(name="premature_closure_rate", label="Relationships ending early", unit="share",
        definition="Of relationships whose commitment point (their planned length) fell by "
        "the horizon, the share that ended before reaching it, for any reason")
def _premature_closure_rate(run: RunContext) -> float:
    resolved = run.resolved
    return _ratio((~resolved["reached_commitment"].astype(bool)).sum(), len(resolved))


@metric(name="premature_closure_not_programme_rate",
        label="Relationships ending early, programme closures aside", unit="share",
        definition="Of the same relationships, the share that ended before their commitment "
        "point for a reason other than the programme closing (the relationship's own "
        "failures, a reoffence, a mentor moving on)")
def _premature_closure_not_programme_rate(run: RunContext) -> float:
    resolved = run.resolved
    early = ~resolved["reached_commitment"].astype(bool)
    return _ratio((early & (resolved["closure_reason"] != "programme_closed")).sum(),
                  len(resolved))


@metric(name="commitment_reached_share", label="Relationships reaching commitment",
        unit="share", definition="Of the same relationships, the share that lasted their "
        "planned length (whether they then ended, were extended or carried on informally)",
        better="higher")
def _commitment_reached_share(run: RunContext) -> float:
    return _ratio(len(run.reached), len(run.resolved))


@metric(name="continued_past_commitment_share", label="Carried on past commitment",
        unit="share", definition="Of the relationships that reached their commitment point, "
        "the share formally extended or carrying on informally", better="higher")
def _continued_past_commitment_share(run: RunContext) -> float:
    reached = run.reached
    carried = (reached["extensions"] > 0) | (reached["closure_detail"] == "informal")
    return _ratio(carried.sum(), len(reached))


@metric(name="informal_continuation_share", label="Carried on informally", unit="share",
        definition="Of the same relationships, the share whose formal end was followed by "
        "informal contact (closure detail `informal`)", better="higher")
def _informal_continuation_share(run: RunContext) -> float:
    reached = run.reached
    return _ratio((reached["closure_detail"] == "informal").sum(), len(reached))


@metric(name="abandonment_rate", label="Relationships abandoned", unit="share",
        definition="Of the same relationships, the share ended by mentor or mentee "
        "abandonment")
def _abandonment_rate(run: RunContext) -> float:
    resolved = run.resolved
    return _ratio(resolved["closure_reason"].isin(ABANDONMENT).sum(), len(resolved))


@metric(name="abandonment_per_100_match_years",
        label="Abandonments per 100 relationship-years", unit="per 100 relationship-years",
        definition="Mentor or mentee abandonments per 100 years of relationships running: the "
        "abandonment hazard, free of the competing risk of programme closure")
def _abandonment_per_100_match_years(run: RunContext) -> float:
    ended = run.ended_in_window
    return 100 * _ratio(ended["closure_reason"].isin(ABANDONMENT).sum(), run.match_years)


@metric(name="median_match_weeks", label="Median relationship length", unit="weeks",
        definition="Median duration of the same relationships (one still open at the horizon "
        "counts its length so far, a lower bound)", better="higher")
def _median_match_weeks(run: RunContext) -> float:
    resolved = run.resolved
    return float(resolved["duration_weeks"].median()) if len(resolved) else float("nan")


@metric(name="match_quality_at_end", label="Relationship quality at the end", unit="0-1",
        definition="Mean quality of the relationships started (the bond built through "
        "caring, listening and encouraging small steps) when they ended, or at the horizon "
        "if still open", better="higher")
def _match_quality_at_end(run: RunContext) -> float:
    matches = run.matches
    return float(matches["quality_at_end"].mean()) if len(matches) else float("nan")


# --- the workforce ----------------------------------------------------------------------
@metric(name="mentor_burnout_prevalence", label="Mentors burnt out", unit="share",
        definition="Mean over weeks of burnt-out mentors / mentors on the books (high "
        "emotional exhaustion)")
def _mentor_burnout_prevalence(run: RunContext) -> float:
    on_books = run.mentors_on_books
    burnt = run.weekly["burnt_out_mentors"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(on_books > 0, burnt / np.where(on_books > 0, on_books, 1), np.nan)
    return float(np.nanmean(share)) if np.isfinite(share).any() else float("nan")


@metric(name="burnout_incidence_per_100_mentor_years", label="New burnout episodes",
        unit="per 100 mentor-years",
        definition="Mentors becoming burnt out (a new episode of high emotional exhaustion) "
        "per 100 mentor-years on the books: the headline burnout measure, which, unlike "
        "prevalence, does not fall when a funding cliff replaces the pool with fresh "
        "recruits")
def _burnout_incidence_per_100_mentor_years(run: RunContext) -> float:
    return 100 * _ratio(float(run.weekly["burnout_onsets"].sum()), run.mentor_years)


@metric(name="mentor_attrition_annual", label="Mentors lost (negative exits)",
        unit="share/year",
        definition="Mentors leaving through burnout, a life change or relapse, per mentor-year "
        "on the books; moves into paid work and programme closures are counted separately")
def _mentor_attrition_annual(run: RunContext) -> float:
    return _ratio(run.exits("negative").sum(), run.mentor_years)


@metric(name="mentor_losses_all_cause_annual", label="Mentors lost, all causes",
        unit="share/year",
        definition="Mentors leaving for any reason, including programme closure at a funding "
        "cliff and moves into paid work, per mentor-year on the books")
def _mentor_losses_all_cause_annual(run: RunContext) -> float:
    return _ratio(run.exits("negative", "progression", "closure").sum(), run.mentor_years)


@metric(name="mentor_closure_losses_annual", label="Mentors lost to programme closure",
        unit="share/year",
        definition="Mentors released because their programme closed, per mentor-year")
def _mentor_closure_losses_annual(run: RunContext) -> float:
    return _ratio(run.exits("closure").sum(), run.mentor_years)


@metric(name="volunteer_attrition_annual", label="Volunteer mentor turnover",
        unit="share/year",
        definition="Unpaid mentors leaving of their own accord (negative exits and moves into "
        "paid work, not closures), per volunteer-year: comparable with the share of "
        "volunteers who do not return the next year")
def _volunteer_attrition_annual(run: RunContext) -> float:
    return _ratio((run.exited & ~run.paid).sum(), run.tenure[~run.paid].sum() / 52)


@metric(name="paid_attrition_annual", label="Paid peer mentor turnover", unit="share/year",
        definition="As volunteer_attrition_annual, paid peer mentors only")
def _paid_attrition_annual(run: RunContext) -> float:
    return _ratio((run.exited & run.paid).sum(), run.tenure[run.paid].sum() / 52)


@metric(name="mentor_burnout_exits_annual", label="Mentors leaving through burnout",
        unit="share/year", definition="Mentors leaving while burnt out, per mentor-year")
def _mentor_burnout_exits_annual(run: RunContext) -> float:
    burnout = run.left_in_window & (run.mentors["exit_reason"] == "burnout").to_numpy()
    return _ratio(burnout.sum(), run.mentor_years)


@metric(name="peer_relapse_annual", label="Peer mentor relapse", unit="share/year",
        definition="Peer mentors leaving through reoffending or relapse, per peer-mentor-year")
def _peer_relapse_annual(run: RunContext) -> float:
    relapse = run.left_in_window & (run.mentors["exit_reason"] == "relapse").to_numpy()
    return _ratio(relapse.sum(), run.tenure[run.peer].sum() / 52)


@metric(name="mentor_progression_annual", label="Peer mentors into paid work",
        unit="share/year", definition="Peer mentors moving on to paid work (a positive exit), "
        "per peer-mentor-year", better="higher")
def _mentor_progression_annual(run: RunContext) -> float:
    return _ratio(run.exits("progression").sum(), run.tenure[run.peer].sum() / 52)


@metric(name="trained_mentor_years_lost_at_cliffs", label="Trained mentor-years lost at cliffs",
        unit="mentor-years",
        definition="Experience thrown away when programmes close: for each mentor released by "
        "a closure, the years since their training ended, summed")
def _trained_mentor_years_lost_at_cliffs(run: RunContext) -> float:
    mentors = run.mentors
    lost = run.exits("closure")
    left = mentors["left_week"].astype("float64").to_numpy()
    trained = mentors["trained_week"].to_numpy(dtype=float)
    return float(np.clip(left[lost] - trained[lost], 0, None).sum()) / 52


@metric(name="mean_mentor_tenure_weeks", label="Mean mentor tenure", unit="weeks",
        definition="Mean weeks on the books, from joining, of mentors who left in the window "
        "for any reason", better="higher")
def _mean_mentor_tenure_weeks(run: RunContext) -> float:
    mentors = run.mentors
    left = mentors["left_week"].astype("float64").to_numpy()[run.left_in_window]
    joined = mentors["joined_week"].to_numpy(dtype=float)[run.left_in_window]
    return float(np.mean(left - joined)) if len(left) else float("nan")


# --- mentees ----------------------------------------------------------------------------
@metric(name="mentees_matched_share", label="Referrals matched", unit="share",
        definition=f"Of mentees who joined a waiting list at least {MATCHING_GRACE_WEEKS} weeks "
        "before the horizon, the share ever matched", better="higher")
def _mentees_matched_share(run: RunContext) -> float:
    mentees = run.referred
    eligible = mentees[mentees["referral_week"] <= run.horizon - MATCHING_GRACE_WEEKS]
    return _ratio(eligible["matched"].sum(), len(eligible))


@metric(name="service_linkage_rate", label="Mentees linked to services", unit="share",
        definition="Of matched mentees who had a need, the share linked to at least one "
        "partner service", better="higher")
def _service_linkage_rate(run: RunContext) -> float:
    mentees = run.referred
    matched = mentees[mentees["matched"] & (mentees["needs"] > 0)]
    return _ratio((matched["services_linked"] > 0).sum(), len(matched))


@metric(name="referrals_lost_share", label="Referrals lost", unit="share",
        definition="Of the people referred, the share who arrived while the programme could "
        "not take them (closed, setting up or on a skeleton service)")
def _referrals_lost_share(run: RunContext) -> float:
    mentees = run.mentees
    if "referral_outcome" not in mentees:
        return float("nan")
    arrived = mentees[mentees["referral_outcome"] != "diverted"]
    return _ratio((arrived["referral_outcome"] == "lost").sum(), len(arrived))


@metric(name="reoffending_rate_12m", label="Reoffending within 12 months", unit="share",
        definition="Of mentees with 12 months of follow-up, the share proven to reoffend "
        "within 52 weeks of referral")
def _reoffending_rate_12m(run: RunContext) -> float:
    followed = run.followed
    return _ratio(followed["reoffended_12m"].astype(bool).sum(), len(followed))


@metric(name="reoffending_rate_12m_without_mentoring", label="Reoffending without mentoring",
        unit="share", definition="The same people's 12-month reoffending had mentoring had no "
        "effect (same random numbers, mentoring effects switched off)", better="neither")
def _reoffending_rate_12m_without_mentoring(run: RunContext) -> float:
    followed = run.followed
    return _ratio(followed["reoffended_12m_without_mentoring"].astype(bool).sum(),
                  len(followed))


def _reoffending_ratio(run: RunContext, mentee_ids: pd.Index) -> float:
    """Reoffending of the followed mentees among ``mentee_ids`` / theirs without
    mentoring."""
    group = run.followed[run.followed["mentee_id"].isin(mentee_ids)]
    return _ratio(group["reoffended_12m"].astype(bool).sum(),
                  group["reoffended_12m_without_mentoring"].astype(bool).sum())


@metric(name="reoffending_rr_completed",
        label="Reoffending ratio, completed relationships (post-treatment subgroup)",
        unit="ratio", definition="Reoffending of mentees whose last relationship completed / "
        "their reoffending without mentoring. A post-treatment subgroup, not an effect: a "
        "reoffence that leads to recall removes the person from it, so it flatters mentoring; "
        "the intention-to-treat measures are the effect")
def _reoffending_rr_completed(run: RunContext) -> float:
    last = run.last_match
    return _reoffending_ratio(run, last.index[last["closure_reason"] == "completed"])


@metric(name="reoffending_rr_early", label="Reoffending ratio, very early endings",
        unit="ratio", definition="The same ratio for mentees whose last relationship ended, "
        "other than by completion, within effects.early_end_weeks of its start (a very early "
        "ending, Grossman & Rhodes 2002)")
def _reoffending_rr_early(run: RunContext) -> float:
    last = run.last_match
    reason = last["closure_reason"]
    early = ((reason != "completed") & (reason != "ongoing")
             & (last["duration_weeks"] <= run.params.effects.early_end_weeks))
    return _reoffending_ratio(run, last.index[early])


# --- reoffending, intention to treat ---------------------------------------------------
def _itt_rates(cohort: pd.DataFrame) -> tuple[float, float]:
    """12-month reoffending of ``cohort`` with mentoring and without (same people)."""
    n = len(cohort)
    return (_ratio(cohort["reoffended_12m"].astype(bool).sum(), n),
            _ratio(cohort["reoffended_12m_without_mentoring"].astype(bool).sum(), n))


@metric(name="reoffending_itt_difference", label="Reoffending, effect of the programme",
        unit="share", definition="Intention to treat: 12-month reoffending of everyone "
        "referred (matched or not, including referrals the programme could not take) minus "
        "the same people's reoffending without mentoring (same random numbers); negative "
        "means fewer people reoffended")
def _reoffending_itt_difference(run: RunContext) -> float:
    with_, without = _itt_rates(run.arrivals_followed)
    return with_ - without


@metric(name="reoffending_itt_ratio", label="Reoffending ratio, everyone referred",
        unit="ratio", definition="The same cohort's reoffending with mentoring / without: the "
        "cohort-level effect comparable with Peterborough's -9% (below 1 means the "
        "programme helped)")
def _reoffending_itt_ratio(run: RunContext) -> float:
    with_, without = _itt_rates(run.arrivals_followed)
    return _ratio(with_, without)


def _itt_difference_in_band(band: str, run: RunContext) -> float:
    cohort = run.arrivals_followed
    with_, without = _itt_rates(cohort[cohort["risk_band"] == band])
    return with_ - without


for _band in RISK_BANDS:
    _register(Metric(
        f"reoffending_itt_difference_{_band}_risk",
        f"Reoffending, effect of the programme ({_band}-risk third)", "share",
        f"As reoffending_itt_difference, among people whose risk at referral was in the "
        f"{_band} third (a pre-treatment group, so differences between bands are dose and "
        "need, not selection)",
        compute=partial(_itt_difference_in_band, _band)))
del _band


# --- value for money --------------------------------------------------------------------
@metric(name="reoffenders_averted", label="People not reoffending because of the programme",
        unit="people", definition="Everyone referred in the window times the intention-to-"
        "treat effect (people reoffending without mentoring minus with, per person followed "
        "up for 12 months): the difference made to the whole referred cohort, in people",
        better="higher")
def _reoffenders_averted(run: RunContext) -> float:
    return run.reoffenders_averted


@metric(name="reoffences_averted", label="Proven reoffences averted", unit="reoffences",
        definition="Everyone referred in the window times the intention-to-treat difference "
        "in proven reoffences per person over 12 months (without mentoring minus with, on the "
        "same random numbers): fewer reoffences by people who still reoffend count too",
        better="higher")
def _reoffences_averted(run: RunContext) -> float:
    return run.reoffences_averted


@metric(name="reoffences_itt_ratio", label="Reoffences ratio, everyone referred",
        unit="ratio", definition="Proven reoffences within 12 months of everyone referred, "
        "with mentoring / without: the cohort-level effect on reoffences, the measure of "
        "Peterborough's -9% reconviction events (below 1 means the programme helped)")
def _reoffences_itt_ratio(run: RunContext) -> float:
    followed = run.arrivals_followed
    return _ratio(float(followed["reoffences_12m"].sum()),
                  float(followed["reoffences_12m_without_mentoring"].sum()))


@metric(name="reoffences_per_reoffender_without_mentoring",
        label="Reoffences per reoffender, without mentoring", unit="reoffences/person",
        definition="Proven reoffences within 12 months per person proven to reoffend, for "
        "everyone referred, had mentoring had no effect (comparable with the published "
        "frequency of reoffending)", better="neither")
def _reoffences_per_reoffender(run: RunContext) -> float:
    followed = run.arrivals_followed
    return _ratio(float(followed["reoffences_12m_without_mentoring"].sum()),
                  int(followed["reoffended_12m_without_mentoring"].astype(bool).sum()))


@metric(name="social_cost_averted_gbp", label="Cost of reoffending averted", unit="GBP",
        definition="Proven reoffences averted times value.cost_per_reoffence_gbp (the "
        "economic and social cost of a proven reoffence, derived from Newton et al. 2019 in "
        "sim/unit_value.py). Wellbeing and mentors' own gains (e.g. peer mentors into work) "
        "are not counted", better="higher")
def _social_cost_averted_gbp(run: RunContext) -> float:
    return run.reoffences_averted * run.params.value.cost_per_reoffence_gbp


@metric(name="net_benefit_gbp", label="Net benefit", unit="GBP",
        definition="Cost of reoffending averted minus the money the commissioner paid "
        "(funding received); money left unspent is not a saving", better="higher")
def _net_benefit_gbp(run: RunContext) -> float:
    return _social_cost_averted_gbp(run) - run.funding


@metric(name="benefit_cost_ratio", label="Benefit-cost ratio", unit="ratio",
        definition="Cost of reoffending averted / the money the commissioner paid (GBP of "
        "reoffending costs avoided per GBP paid)", better="higher")
def _benefit_cost_ratio(run: RunContext) -> float:
    return _ratio(_social_cost_averted_gbp(run), run.funding)


@metric(name="cost_per_commitment_reached_gbp", label="Cost per relationship reaching commitment",
        unit="GBP", definition="Total spending / relationships started in the window that "
        "lasted their planned length (by the horizon)")
def _cost_per_commitment_reached_gbp(run: RunContext) -> float:
    return _ratio(run.spend, int(run.matches["reached_commitment"].astype(bool).sum()))


# --- money and staff --------------------------------------------------------------------
@metric(name="cost_per_completed_match_gbp", label="Cost per completed relationship",
        unit="GBP", definition="Total spending / relationships completed as planned")
def _cost_per_completed_match_gbp(run: RunContext) -> float:
    return _ratio(run.spend, int((run.matches["closure_reason"] == "completed").sum()))


@metric(name="cost_per_linked_mentee_gbp", label="Cost per mentee linked to services",
        unit="GBP", definition="Total spending / mentees linked to at least one partner "
        "service")
def _cost_per_linked_mentee_gbp(run: RunContext) -> float:
    return _ratio(run.spend, int((run.referred["services_linked"] > 0).sum()))


@metric(name="cost_per_mentee_year_gbp", label="Cost per mentee-year", unit="GBP",
        definition="Total spending / mentee-years spent in a relationship")
def _cost_per_mentee_year_gbp(run: RunContext) -> float:
    return _ratio(run.spend, float(run.weekly["active_matches"].sum()) / 52)


@metric(name="mentors_per_staff_fte", label="Mentors per staff member", unit="mentors/FTE",
        definition="Mean mentors on the books / coordinator and supervisor FTE in post",
        better="neither")
def _mentors_per_staff_fte(run: RunContext) -> float:
    weekly = run.weekly
    staff = weekly["staff_fte"].to_numpy(dtype=float) if "staff_fte" in weekly else None
    if staff is None or not (staff > 0).any():
        return float("nan")
    return float(np.mean(run.mentors_on_books[staff > 0] / staff[staff > 0]))


@metric(name="funding_received_gbp", label="Funding received", unit="GBP",
        definition="Grant income received over the weeks (all agencies)", better="neither")
def _funding_received_gbp(run: RunContext) -> float:
    return run.funding


@metric(name="total_spend_gbp", label="Total spending", unit="GBP",
        definition="Spending over the weeks (all agencies), charged as delivered",
        better="neither")
def _total_spend_gbp(run: RunContext) -> float:
    return run.spend


@metric(name="annual_spend_gbp", label="Spending a year", unit="GBP/year",
        definition="Total spending / years in the window", better="neither")
def _annual_spend_gbp(run: RunContext) -> float:
    return _ratio(run.spend, run.years)


@metric(name="funding_unspent_gbp", label="Funding left unspent", unit="GBP",
        definition="Funding received minus spending over the weeks (all agencies): money the "
        "commissioner paid that the programme did not spend (negative when it spent "
        "reserves it held before the window). Money left unspent, never a saving",
        better="neither")
def _funding_unspent_gbp(run: RunContext) -> float:
    return _funding_received_gbp(run) - run.spend


@metric(name="funding_unspent_share", label="Share of funding left unspent", unit="share",
        definition="Funding left unspent / funding received", better="neither")
def _funding_unspent_share(run: RunContext) -> float:
    return _ratio(_funding_unspent_gbp(run), _funding_received_gbp(run))


@metric(name="final_balance_gbp", label="Reserves at the end", unit="GBP",
        definition="All agencies' balance (reserves) in the window's last week",
        better="neither")
def _final_balance_gbp(run: RunContext) -> float:
    weekly = run.weekly
    return float(weekly["funding_balance_gbp"].iloc[-1]) if len(weekly) else float("nan")


@metric(name="weeks_below_floor", label="Weeks below the reserve floor", unit="agency-weeks",
        definition="Agency-weeks with a grant paying and reserves below the reserves "
        "policy's floor")
def _weeks_below_floor(run: RunContext) -> float:
    return float(run.weekly["agencies_below_floor"].sum())


@metric(name="money_bound_share", label="Weeks money held the offer back", unit="share",
        definition="Of agency-weeks with a grant paying, the share in which money held the "
        "offer back (a grant planned below its design, a cut in force, or too little money "
        "for the offer or for growth the waiting list called for): whether the money binds",
        better="neither")
def _money_bound_share(run: RunContext) -> float:
    weekly = run.weekly
    return _ratio(float(weekly["agencies_money_bound"].sum()),
                  float(weekly["agencies_funded"].sum()))


@metric(name="weeks_with_cuts", label="Weeks with budget cuts", unit="weeks",
        definition="Weeks in which at least one budget cut was in force at some agency")
def _weeks_with_cuts(run: RunContext) -> float:
    return float((run.weekly["cuts_in_force"] > 0).sum())


@metric(name="support_delivered_share", label="Support contacts delivered", unit="share",
        definition="Coordinator support contacts delivered / contacts due to open "
        "relationships (staff capacity limits delivery)", better="higher")
def _support_delivered_share(run: RunContext) -> float:
    weekly = run.weekly
    return _ratio(float(weekly["support_contacts_delivered"].sum()),
                  float(weekly["support_contacts_offered"].sum()))


@metric(name="supervision_delivered_share", label="Supervision sessions delivered",
        unit="share", definition="Supervision sessions delivered / sessions due to trained "
        "mentors (supervisor capacity limits delivery)", better="higher")
def _supervision_delivered_share(run: RunContext) -> float:
    weekly = run.weekly
    return _ratio(float(weekly["supervision_sessions_delivered"].sum()),
                  float(weekly["supervision_sessions_offered"].sum()))


# --- why relationships end: one metric per closure reason -------------------------------
def _closure_share(reason: str, run: RunContext) -> float:
    return _ratio(int(run.closure_counts.get(reason, 0)), len(run.matches))


for _reason in CLOSURE_REASONS:
    _register(Metric(
        f"closure_share_{_reason}", f"Closures: {_reason.replace('_', ' ')}", "share",
        f"Share of all relationships started whose recorded closure reason is {_reason}",
        "higher" if _reason == "completed" else ("neither" if _reason == "ongoing" else "lower"),
        compute=partial(_closure_share, _reason)))
del _reason

# The headline measures, in the groups the terminal table prints them under: what the
# funding question asks about (relationships and mentors) first, then mentees and money.
HEADLINE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Relationships", ("premature_closure_rate", "premature_closure_not_programme_rate",
                       "abandonment_rate", "median_match_weeks",
                       "continued_past_commitment_share")),
    ("Mentors", ("burnout_incidence_per_100_mentor_years", "mentor_burnout_prevalence",
                 "mentor_burnout_exits_annual", "mentor_attrition_annual",
                 "mentor_losses_all_cause_annual", "mentor_progression_annual",
                 "trained_mentor_years_lost_at_cliffs", "mean_mentor_tenure_weeks")),
    ("Mentees", ("mentees_matched_share", "reoffending_rate_12m",
                 "reoffending_itt_difference")),
    ("Money", ("cost_per_completed_match_gbp", "cost_per_commitment_reached_gbp",
               "funding_received_gbp", "total_spend_gbp", "annual_spend_gbp",
               "funding_unspent_gbp", "final_balance_gbp", "money_bound_share",
               "weeks_below_floor")),
    ("Value for money", ("reoffences_averted", "social_cost_averted_gbp", "net_benefit_gbp",
                         "benefit_cost_ratio")),
)
HEADLINE: tuple[str, ...] = tuple(m for _, group in HEADLINE_GROUPS for m in group)


def yearly_metrics(tables: Mapping[str, pd.DataFrame], params: ScenarioParams
                   ) -> pd.DataFrame:
    """Every metric of one run, year by year (``yearly.parquet``): a row per year of the
    horizon (the last year may be shorter), with ``year``, ``start_week`` and
    ``end_week`` in front."""
    weeks = params.run.weeks
    rows = []
    shared: dict[str, Any] = {}
    for year, start in enumerate(range(1, weeks + 1, 52), start=1):
        end = min(weeks, start + 52 - 1)
        run = RunContext(tables, params, start, end, shared)
        rows.append({"year": year, "start_week": start, "end_week": end, **metrics_of(run)})
    return pd.DataFrame(rows)


def metrics_of(run: RunContext) -> dict[str, float]:
    """Every metric of a run context, in declaration order."""
    return {m.name: m.compute(run) for m in METRICS.values()}


def run_metrics(tables: Mapping[str, pd.DataFrame], params: ScenarioParams) -> dict[str, float]:
    """All metrics of one run from its tables.

    Args:
        tables: that run's tables (as :func:`sim.runner.simulate` returns them, or the
            run's rows of a results folder's Parquet files).
        params: the parameters it ran with (for the horizon and planned length).

    Returns:
        ``{metric name: value}`` in declaration order; NaN where a metric is undefined
        (e.g. no completions).
    """
    return metrics_of(RunContext.whole_run(tables, params))


def markdown_table() -> str:
    """The metric registry as a Markdown table (for the README and docs)."""
    lines = ["| metric | unit | definition | better |", "|---|---|---|---|"]
    lines += [f"| `{m.name}` | {m.unit} | {m.definition} | {m.better} |"
              for m in METRICS.values()]
    return "\n".join(lines) + "\n"
