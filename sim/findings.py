"""Key findings: a few plain-English sentences from a summary, each with its verdict.

:func:`key_findings` reads the frame :func:`sim.summary.summarise` returns (or
``summary.csv`` read back) and says, for each scenario compared with the reference, how
the primary outcomes (:data:`KEY_OUTCOMES`: relationships ending early, abandonment,
burnout, reoffending on everyone referred, cost per completed relationship, benefit-cost
ratio) differ, e.g.::

    long_term_investment vs baseline: 9 fewer relationships ending early per 100 started
    (95% CI 7 to 12); no clear difference in abandonment, burnout or reoffending.

Each sentence ends with what the option cost (:func:`money_clause`): its total and
annual spending, the money the commissioner paid it and the money left unspent, and
for a comparison the difference in spending; when an option's funding changes clearly
but its spending barely follows, the sentence says that the money did not bind (so a
small difference in outcomes is no surprise), e.g.::

    cut vs baseline: no clear difference in relationships ending early ...; money: spent
    £330,874 over 5 years (£66,175 a year), £6,000 less than baseline (95% CI £4,000 to
    £9,000); paid £369,586, £38,712 (10%) of it left unspent; the money did not bind:
    funding fell by £120,000 but spending by only £6,000, as baseline left £155,607
    (32%) of its funding unspent.

The terminal report (:mod:`sim.terminal`) and the dashboard print these sentences first,
and the terminal ends with :attr:`Finding.short`, one line or two per option.

Every output that shows findings (the terminal report, the dashboard and its printout,
the spreadsheet, the planners' web page) shows :func:`caveat` with them: they are simulated
comparisons under stated assumptions, not measured outcomes, and whether their intervals
take in uncertainty in the model's parameters (a run across plausible worlds,
:func:`manifest_worlds`) or only the chance variation between replications. Beside them
goes why an option's results are not calibrated, when its setting is not
(:func:`not_calibrated_notes`), and after them, for a run across plausible worlds, what
each option does across the worlds (:func:`sim.across_worlds.sentences`).

Verdicts come from the paired-difference interval and the metric's declared direction
(``better`` in :mod:`sim.metrics`, never a list here): the whole 95% interval on the
better side of zero is ``"better"``, on the worse side ``"worse"``; an interval that
includes zero, or none at all (fewer than two replications), is
``"no_clear_difference"``. A sentence can hold outcomes with different verdicts; each is
a :class:`Clause` with its own verdict and a short :attr:`Clause.label` in words, so a
colour key never carries the meaning alone.

Numbers are rounded to what the interval supports (an interval 5 wide is given in whole
numbers, one 0.6 wide to one decimal; money to the pound, ten, hundred or thousand
pounds); shares are spoken of "per 100" or in "percentage points", money as "£1,234" or
"−£297" (a true minus sign), and an interval of zero width is said in words ("the same
in every replication").

Public API (stable; the dashboard uses it):

- :func:`key_findings` ``(summary, reference=None, limit=5, *, titles=None) ->
  list[Finding]``
- :class:`Finding`, :class:`Clause`, :class:`Outcome` (frozen dataclasses)
- :data:`LABELS` (verdict -> words), :func:`verdict_of`, :func:`format_money`,
  :func:`format_number`, :func:`decimals_for`
- :func:`caveat` ``(worlds=None) -> str``, :func:`manifest_worlds` ``(manifest) -> int |
  None``, :func:`not_calibrated_notes` ``(manifest, titles=None) -> list[str]``
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from sim.metrics import HEADLINE_GROUPS, METRICS

Verdict = Literal["better", "worse", "no_clear_difference"]
# A whole sentence: better or worse on every outcome that differs, both ("mixed"), or no
# clear difference on any.
FindingVerdict = Literal["better", "worse", "no_clear_difference", "mixed"]

# Verdicts in words, for colour keys and markers (None: a scenario described on its own,
# or a clear difference on a metric declared neither better nor worse).
LABELS: dict[str | None, str] = {"better": "better", "worse": "worse",
                                 "no_clear_difference": "no clear difference",
                                 "mixed": "mixed", None: "no comparison"}

MINUS = "\u2212"  # a true minus sign: "−£297", not "-£297" or "£-297"


@dataclass(frozen=True)
class KeyOutcome:
    """How one primary outcome is spoken of. Direction comes from its declaration.

    Attributes:
        metric: the metric's name in :data:`sim.metrics.METRICS`.
        topic: what it is about, after "no clear difference in".
        value: a scenario's own figure; ``{n}`` the number, ``{word}`` a word of
            ``value_words`` by the sign.
        change: a difference; ``{n}`` its size, ``{word}`` a word of ``change_words``.
        unit_text: what the numbers count, after a signed interval.
        change_words, value_words: (positive, negative) words.
        scale: 100 for shares (spoken per 100 or in percentage points), else 1.
    """

    metric: str
    topic: str
    value: str
    change: str
    unit_text: str
    change_words: tuple[str, str] = ("more", "fewer")
    value_words: tuple[str, str] = ("", "")
    scale: float = 1.0


# The primary outcomes, in the order sentences name them.
KEY_OUTCOMES: tuple[KeyOutcome, ...] = (
    KeyOutcome("premature_closure_rate", "relationships ending early",
               "{n} of every 100 relationships started ended early",
               "{n} {word} relationships ending early per 100 started", "per 100 started",
               scale=100),
    KeyOutcome("abandonment_rate", "abandonment",
               "{n} of every 100 were abandoned",
               "{n} {word} relationships abandoned per 100 started", "per 100 started",
               scale=100),
    KeyOutcome("burnout_incidence_per_100_mentor_years", "burnout",
               "{n} new burnout episodes per 100 mentors a year",
               "{n} {word} new burnout episodes per 100 mentors a year",
               "per 100 mentors a year"),
    KeyOutcome("reoffending_itt_difference", "reoffending",
               "reoffending among everyone referred {n} percentage points {word} than "
               "without mentoring",
               "{n} percentage points {word} reoffending among everyone referred",
               "percentage points", change_words=("more", "less"),
               value_words=("higher", "lower"), scale=100),
    KeyOutcome("cost_per_completed_match_gbp", "cost per completed relationship",
               "{n} per completed relationship", "{n} {word} per completed relationship",
               "", change_words=("more", "less")),
    KeyOutcome("benefit_cost_ratio", "the benefit-cost ratio",
               "a benefit-cost ratio of {n}", "a benefit-cost ratio {n} {word}", "",
               change_words=("higher", "lower")),
)


# Money in the findings, by the registry's metric names (sim.metrics): money the
# commissioner paid, spending over the horizon and a year, what was left unspent, and the
# weeks with budget cuts in force.
MONEY_PAID = "funding_received_gbp"
MONEY_SPENT = "total_spend_gbp"
MONEY_A_YEAR = "annual_spend_gbp"
MONEY_UNSPENT = "funding_unspent_gbp"
MONEY_UNSPENT_SHARE = "funding_unspent_share"
MONEY_CUTS = "weeks_with_cuts"
# A clear change in funding that moves spending by less than this share of it did not
# bind: the programme could not (or did not need to) spend the difference, so little else
# can follow from it. A wording rule for the sentence, not a model parameter.
NOT_BINDING_SHARE = 0.25


@dataclass(frozen=True)
class Outcome:
    """One metric's figure within a finding.

    Attributes:
        metric, label: the metric's name and declared label.
        statistic: ``"paired_difference"`` (scenario minus reference, replication by
            replication) or ``"value"`` (the scenario's own mean).
        difference, lower, upper: the mean and its 95% interval, in the metric's unit
            (a share as a fraction, money in GBP); ``lower``/``upper`` are NaN with fewer
            than two replications.
        unit: the metric's declared unit.
        replications: replications behind the figure.
        verdict: for a difference, see :func:`verdict_of`; None for a value.
        text: the phrase, e.g. "9 fewer relationships ending early per 100 started (95% CI
            7 to 12)".
        topic: what it is about, as after "no clear difference in" ("burnout").
    """

    metric: str
    label: str
    statistic: Literal["paired_difference", "value"]
    difference: float
    lower: float
    upper: float
    unit: str
    replications: int
    verdict: Verdict | None
    text: str
    topic: str


@dataclass(frozen=True)
class Clause:
    """Part of a sentence: the outcomes sharing one verdict.

    ``text`` for ``"no_clear_difference"`` is the topics ("abandonment or burnout");
    :attr:`plain` and :attr:`marked` give the clause as it reads in a sentence.
    """

    verdict: Verdict | None
    label: str
    text: str
    outcomes: tuple[Outcome, ...]
    short: str = ""

    @property
    def plain(self) -> str:
        """As in :attr:`Finding.text`: "no clear difference in abandonment"."""
        return f"no clear difference in {self.text}" if self.verdict == "no_clear_difference" \
            else self.text

    @property
    def marked(self) -> str:
        """With its verdict in words first: "better: 9 fewer ...", "no clear difference:
        abandonment"."""
        return f"{self.label}: {self.text}" if self.label else self.text


@dataclass(frozen=True)
class Finding:
    """One key-findings sentence, about one scenario.

    Attributes:
        text: the plain-English sentence.
        verdict: the whole sentence's verdict (see :data:`FindingVerdict`); None when it
            describes a scenario on its own (no comparison).
        label: the verdict in words (:data:`LABELS`), for colour keys.
        scenario: the scenario it is about (its name as the summary holds it).
        reference: the scenario it is compared with, or None.
        title: how the sentence names them, e.g. "long_term_investment vs baseline".
        metric, difference, lower, upper, unit, replications, statistic: the lead
            outcome's (the first that differs clearly, else the first), as in
            :class:`Outcome`.
        clauses: the sentence's parts in order, each with its verdict (the last, labelled
            "money", is what the option cost when the summary has the money metrics).
        outcomes: every outcome in the sentence.
        money_binds: False when the option's funding changed clearly but its spending
            did not follow (see :data:`NOT_BINDING_SHARE`); None when not known.
    """

    text: str
    verdict: FindingVerdict | None
    label: str
    scenario: str
    reference: str | None
    title: str
    metric: str
    difference: float
    lower: float
    upper: float
    unit: str
    replications: int
    statistic: Literal["paired_difference", "value"]
    clauses: tuple[Clause, ...]
    outcomes: tuple[Outcome, ...]
    money_binds: bool | None = None

    @property
    def marked_text(self) -> str:
        """The sentence with a word marker before each clause ("better: ...; no clear
        difference: burnout"), as the terminal prints it."""
        return f"{self.title}: " + "; ".join(c.marked for c in self.clauses) + "."

    @property
    def short(self) -> str:
        """The finding in a line or two, without intervals: the verdicts by topic and the
        money ("five_year vs baseline: better: relationships ending early and burnout;
        spent £110,000 more over 5 years, 11% of its funding unspent.")."""
        parts = []
        for clause in self.clauses:
            if clause.short:
                parts.append(clause.short)
            elif clause.label and clause.verdict is not None:
                topics = _join([o.topic for o in clause.outcomes], "and")
                parts.append(f"{clause.label}: {topics}")
            elif clause.outcomes:
                parts.append(clause.outcomes[0].text)
        return f"{self.title}: " + "; ".join(parts) + "."


# --- what the findings are ---------------------------------------------------------------
# The one wording of what every findings text is, said wherever findings are shown. A
# reader of a verdict cannot see how it was made, so the text says it: the numbers come
# from a model under stated assumptions, and an interval from replications alone is
# narrower than what is really known.
CAVEAT_MODEL = ("These are simulated comparisons from a model, under the assumptions stated "
                "in its parameter documentation (docs/parameters.md), not measured outcomes.")
CAVEAT_ONE_SET = ("The intervals show only the chance variation between simulated "
                  "replications and leave out uncertainty in the model's parameters, so "
                  "more replications narrow them without making the answer more certain.")
CAVEAT_WORLDS = ("The results are reported across {n} plausible {worlds} ({sets} consistent "
                 "with the published calibration targets), so the stated shares and "
                 "intervals include uncertainty in the model's parameters as far as that "
                 "ensemble captures it.")


def caveat(worlds: int | None = None) -> str:
    """What the findings are, in two sentences for a commissioner.

    Args:
        worlds: the plausible worlds (parameter sets) the run was reported across; None
            or 0 for a run on one set of parameter values.

    Raises:
        ValueError: ``worlds`` is negative.

    Example:
        >>> print(caveat())  # doctest: +NORMALIZE_WHITESPACE
        These are simulated comparisons from a model, under the assumptions stated in its
        parameter documentation (docs/parameters.md), not measured outcomes. The intervals
        show only the chance variation between simulated replications and leave out
        uncertainty in the model's parameters, so more replications narrow them without
        making the answer more certain.
        >>> print(caveat(40))  # doctest: +NORMALIZE_WHITESPACE
        These are simulated comparisons from a model, under the assumptions stated in its
        parameter documentation (docs/parameters.md), not measured outcomes. The results
        are reported across 40 plausible worlds (parameter sets consistent with the
        published calibration targets), so the stated shares and intervals include
        uncertainty in the model's parameters as far as that ensemble captures it.
    """
    if worlds is not None and worlds < 0:
        raise ValueError(f"worlds must be 0 or more, got {worlds}")
    if not worlds:
        return f"{CAVEAT_MODEL} {CAVEAT_ONE_SET}"
    one = worlds == 1
    return f"{CAVEAT_MODEL} " + CAVEAT_WORLDS.format(
        n=f"{worlds:,}", worlds="world" if one else "worlds",
        sets="a parameter set" if one else "parameter sets")


def manifest_worlds(manifest: Mapping[str, Any]) -> int | None:
    """The plausible worlds a results folder's run was reported across: its manifest's
    ``worlds``, when that is a whole number of at least 1; None when the manifest has no
    ``worlds`` (a run on one set of parameter values) or something else there, so a
    caveat never claims more than the folder shows.

    Example:
        >>> manifest_worlds({"worlds": 40}), manifest_worlds({}), manifest_worlds({"worlds": 0})
        (40, None, None)
    """
    worlds = manifest.get("worlds")
    if isinstance(worlds, bool) or not isinstance(worlds, int) or worlds < 1:
        return None
    return worlds


def not_calibrated_notes(manifest: Mapping[str, Any],
                         titles: Mapping[str, str] | None = None) -> list[str]:
    """Why options' results are not calibrated, one line per option, from the manifest's
    ``not_calibrated`` (option name -> reason; absent when every option's setting is
    calibrated), named by ``titles`` (default the names). Shown beside the findings, as
    the run says it when it starts; anything but text there is left out.

    Example:
        >>> not_calibrated_notes({"not_calibrated": {"yj": "the setting is not calibrated"}})
        ['yj: the setting is not calibrated.']
        >>> not_calibrated_notes({})
        []
    """
    flagged = manifest.get("not_calibrated")
    if not isinstance(flagged, Mapping):
        return []
    names = dict(titles or {})
    return [f"{names.get(str(name), str(name))}: {reason.rstrip('.')}."
            for name, reason in flagged.items() if isinstance(reason, str) and reason]


# --- numbers ------------------------------------------------------------------------------
def _finite(*values: float) -> bool:
    return all(isinstance(v, int | float) and math.isfinite(v) for v in values)


def decimals_for(lower: float, upper: float, default: int, fewest: int = 0,
                 most: int = 3) -> int:
    """Decimals (negative: tens, hundreds...) that an interval's width supports.

    About two significant figures of half the width, between ``fewest`` and ``most``;
    ``default`` when there is no interval (NaN, or zero width).

    Example:
        >>> decimals_for(6.2, 11.3, 1), decimals_for(-0.9, 0.3, 1)
        (0, 1)
        >>> decimals_for(604, 1064, 0, fewest=-3, most=0)  # money: to the nearest £100
        -2
    """
    if not _finite(lower, upper) or upper <= lower:
        return default
    return int(min(most, max(fewest, -math.floor(math.log10((upper - lower) / 2)))))


def _round(value: float, decimals: int) -> float:
    rounded = round(value, decimals)
    return 0.0 if rounded == 0 else rounded  # no "−0"


def format_number(value: float, decimals: int = 1, signed: bool = False) -> str:
    """``1,234.5``, ``−0.3`` (true minus), ``+0.3`` when ``signed``; "n/a" for NaN.

    Example:
        >>> format_number(-0.04, 1), format_number(0.31, 1, signed=True), format_number(1234.5, 0)
        ('0.0', '+0.3', '1,234')
    """
    if not _finite(value):
        return "n/a"
    v = _round(value, decimals)
    sign = MINUS if v < 0 else ("+" if signed and v > 0 else "")
    return f"{sign}{abs(v):,.{max(decimals, 0)}f}"


def format_money(value: float, decimals: int = 0, signed: bool = False) -> str:
    """``£1,234``, ``−£297`` (true minus, before the pound sign), ``+£834`` when
    ``signed``; ``decimals`` below 0 rounds to tens, hundreds...; "n/a" for NaN.

    Example:
        >>> format_money(-297.4), format_money(834, signed=True), format_money(539953, -3)
        ('−£297', '+£834', '£540,000')
    """
    if not _finite(value):
        return "n/a"
    v = _round(value, decimals)
    sign = MINUS if v < 0 else ("+" if signed and v > 0 else "")
    return f"{sign}£{abs(v):,.{max(decimals, 0)}f}"


def verdict_of(metric: str, lower: float, upper: float) -> Verdict | None:
    """Better, worse or no clear difference, from a paired difference's 95% interval.

    The direction is the metric's declaration (``METRICS[metric].better``). An interval
    that touches or spans zero, or is missing, is ``"no_clear_difference"``; a clear
    difference on a metric declared ``"neither"`` is None.

    Example:
        >>> verdict_of("premature_closure_rate", -0.11, -0.06)
        'better'
        >>> verdict_of("premature_closure_rate", -0.02, 0.01)
        'no_clear_difference'
    """
    if not _finite(lower, upper) or lower <= 0 <= upper:
        return "no_clear_difference"
    better = METRICS[metric].better
    if better == "neither":
        return None
    return "better" if (lower > 0) == (better == "higher") else "worse"


# --- phrases ------------------------------------------------------------------------------
def _is_money(unit: str) -> bool:
    return unit.startswith("GBP")


def _fmt(value: float, decimals: int, money: bool, signed: bool = False) -> str:
    return (format_money if money else format_number)(value, decimals, signed)


def _end(value: float, decimals: int, money: bool) -> str:
    """An end of an interval that spans zero, signed; one that rounds to 0 but is not 0
    keeps its sign ("−3 to +0"), so the interval is not read as stopping at zero."""
    if _finite(value) and value != 0 and _round(value, decimals) == 0:
        return ("+" if value > 0 else MINUS) + _fmt(0.0, decimals, money)
    return _fmt(value, decimals, money, True)


def _defaults(unit: str) -> tuple[int, int, int]:
    """(decimals without an interval, fewest, most) for an outcome's displayed numbers."""
    if _is_money(unit):
        return 0, -3, 0
    if unit == "ratio":
        return 2, 1, 2
    return 1, 0, 2


def _numbers(key: KeyOutcome, unit: str, mean: float, low: float, high: float
             ) -> tuple[float, float, float, int, bool]:
    """Scaled numbers, the decimals to show them with, and whether they are money."""
    money = _is_money(unit)
    m, lo, hi = (key.scale * x for x in (mean, low, high))
    default, fewest, most = _defaults(unit)
    d = decimals_for(lo, hi, default, fewest, most)
    # never "0 fewer" for a real change, nor "(95% CI 0 to 3)" for an interval clear of 0
    shown = [m, lo, hi] if _finite(lo, hi) and (lo > 0 or hi < 0) else [m]
    while d <= most and any(x != 0 and _round(x, d) == 0 for x in shown):
        d += 1
    return m, lo, hi, d, money


def _interval(m: float, lo: float, hi: float, d: int, money: bool,
              words: tuple[str, str], replications: int) -> str:
    """The bracket after a number: magnitudes in the estimate's direction, or in words."""
    if not _finite(lo, hi):
        return "(one replication: no interval)" if replications <= 1 else "(no interval)"
    if hi - lo <= 1e-12 * max(1.0, abs(m)):
        return "(the same in every replication)"
    if lo >= 0 or hi <= 0:  # one side of zero: magnitudes, smallest first
        a, b = sorted((abs(lo), abs(hi)))
        if _fmt(a, d, money) == _fmt(b, d, money):
            return "(95% CI " + _fmt(a, d + 1, money) + " to " + _fmt(b, d + 1, money) + ")"
        return f"(95% CI {_fmt(a, d, money)} to {_fmt(b, d, money)})"
    pos, neg = words
    if pos and neg:
        return f"(95% CI from {_fmt(-lo, d, money)} {neg} to {_fmt(hi, d, money)} {pos})"
    return f"(95% CI {_end(lo, d, money)} to {_end(hi, d, money)})"


def _value_outcome(key: KeyOutcome, row: pd.Series) -> Outcome | None:
    mean, low, high, n = (float(row["mean"]), float(row["ci_low"]), float(row["ci_high"]),
                          int(row["replications"]))
    if not _finite(mean):
        return None
    unit = METRICS[key.metric].unit
    m, lo, hi, d, money = _numbers(key, unit, mean, low, high)
    word = key.value_words[1] if m < 0 else key.value_words[0]
    text = (key.value.format(n=_fmt(abs(m), d, money), word=word) + " "
            + _interval(m, lo, hi, d, money, key.value_words, n))
    return Outcome(key.metric, METRICS[key.metric].label, "value", mean, low, high, unit, n,
                   None, text, key.topic)


def _difference_outcome(key: KeyOutcome, row: pd.Series) -> Outcome | None:
    mean, low, high, n = (float(row["mean"]), float(row["ci_low"]), float(row["ci_high"]),
                          int(row["replications"]))
    if not _finite(mean):
        return None
    unit = METRICS[key.metric].unit
    verdict = verdict_of(key.metric, low, high)
    m, lo, hi, d, money = _numbers(key, unit, mean, low, high)
    if verdict != "no_clear_difference":
        word = key.change_words[1] if m < 0 else key.change_words[0]
        text = (key.change.format(n=_fmt(abs(m), d, money), word=word) + " "
                + _interval(m, lo, hi, d, money, key.change_words, n))
    elif _finite(lo, hi) and hi - lo <= 1e-12 and m == 0:
        text = f"no difference in {key.topic} in any replication"
    elif not _finite(lo, hi):
        text = (f"no clear difference in {key.topic} "
                + _interval(m, lo, hi, d, money, ("", ""), n))
    else:
        unit_text = f" {key.unit_text}" if key.unit_text else ""
        text = (f"no clear difference in {key.topic} (95% CI {_end(lo, d, money)} to "
                f"{_end(hi, d, money)}{unit_text})")
    return Outcome(key.metric, METRICS[key.metric].label, "paired_difference", mean, low,
                   high, unit, n, verdict, text, key.topic)


def _join(items: Sequence[str], last: str) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {last} " + items[-1]


# --- money --------------------------------------------------------------------------------
def _money_amount(value: float) -> str:
    """A mean amount to the pound: "£337,175"."""
    return format_money(value, 0)


def _money_change(row: pd.Series, decimals_floor: int = -3) -> tuple[str, str]:
    """A paired difference in money: ("£110,000 more", "(95% CI £50,000 to £170,000)"),
    rounded to what its interval supports."""
    m, lo, hi = float(row["mean"]), float(row["ci_low"]), float(row["ci_high"])
    d = decimals_for(lo, hi, 0, decimals_floor, 0)
    while d < 0 and m != 0 and _round(m, d) == 0:
        d += 1
    word = "less" if m < 0 else "more"
    if not _finite(lo, hi):
        return f"{format_money(abs(m), d)} {word}", "(no interval)"
    if hi - lo <= 1e-9 * max(1.0, abs(m)):
        return (f"{format_money(abs(m), d)} {word}" if m else "the same",
                "(the same in every replication)")
    if lo > 0 or hi < 0:
        a, b = sorted((abs(lo), abs(hi)))
        return (f"{format_money(abs(m), d)} {word}",
                f"(95% CI {format_money(a, d)} to {format_money(b, d)})")
    return (f"{format_money(abs(m), d)} {word}",
            f"(95% CI {format_money(-lo, d)} less to {format_money(hi, d)} more)")


def _years(values: Mapping[tuple[str, str], pd.Series], scenario: str) -> str:
    """The horizon in words, from total and annual spending (total = annual x years)."""
    total, annual = values.get((scenario, MONEY_SPENT)), values.get((scenario, MONEY_A_YEAR))
    if total is None or annual is None or not _finite(float(total["mean"]),
                                                     float(annual["mean"])) \
            or float(annual["mean"]) <= 0:
        return "the horizon"
    years = float(total["mean"]) / float(annual["mean"])
    if abs(years - round(years)) < 0.05:
        n = round(years)
        return "1 year" if n == 1 else f"{n} years"
    return f"{years:.1f} years"


def money_clause(scenario: str, reference: str | None,
                 values: Mapping[tuple[str, str], pd.Series],
                 diffs: Mapping[tuple[str, str], pd.Series],
                 title_of_reference: str = "") -> tuple[Clause, bool | None] | None:
    """What ``scenario`` cost, as a clause labelled "money", and whether its money bound.

    The scenario's spending over the horizon and a year, the money it was paid and what
    was left unspent (means over the replications), the weeks with budget cuts when
    there were any; against ``reference``, the paired difference in spending with its
    interval, and when its funding differs clearly but its spending moved by less than
    :data:`NOT_BINDING_SHARE` of that, that the money did not bind. None when the
    summary lacks the money metrics.
    """
    def mean(metric: str, of: str = scenario) -> float | None:
        row = values.get((of, metric))
        value = None if row is None else float(row["mean"])
        return value if value is not None and _finite(value) else None

    spent, a_year, paid = mean(MONEY_SPENT), mean(MONEY_A_YEAR), mean(MONEY_PAID)
    if spent is None or paid is None:
        return None
    years = _years(values, scenario)
    text = f"spent {_money_amount(spent)} over {years}"
    if a_year is not None:
        text += f" ({_money_amount(a_year)} a year)"
    short = text
    binds: bool | None = None
    spend_diff = diffs.get((scenario, MONEY_SPENT)) if reference else None
    if spend_diff is not None:
        change, interval = _money_change(spend_diff)
        text += f", {change} than {title_of_reference or reference} {interval}"
        short = f"spent {change} over {years}"
    unspent, share = mean(MONEY_UNSPENT), mean(MONEY_UNSPENT_SHARE)
    text += f"; it was paid {_money_amount(paid)}"
    if unspent is not None:
        part = f" ({format_number(100 * share, 0)}%)" if share is not None else ""
        text += f" and left {_money_amount(unspent)}{part} of it unspent"
        if share is not None:
            short += f", {format_number(100 * share, 0)}% of its funding unspent"
    cuts = mean(MONEY_CUTS)
    cut = cuts is not None and cuts > 0
    if cut:
        text += (f"; budget cuts were in force {format_number(cuts, 0 if cuts >= 10 else 1)}"
                 " weeks on average")
    fund_diff = diffs.get((scenario, MONEY_PAID)) if reference else None
    if fund_diff is not None and spend_diff is not None:
        f_m, f_lo, f_hi = (float(fund_diff[k]) for k in ("mean", "ci_low", "ci_high"))
        s_m = float(spend_diff["mean"])
        if _finite(f_m, f_lo, f_hi, s_m) and (f_lo > 0 or f_hi < 0):
            binds = abs(s_m) >= NOT_BINDING_SHARE * abs(f_m)
            if not binds:
                fell = "fell" if f_m < 0 else "rose"
                moved = "fell" if s_m < 0 else "rose"
                change, _ = _money_change(fund_diff)
                spend_change, _ = _money_change(spend_diff)
                f_amount = change.rsplit(" ", 1)[0]
                s_amount = spend_change.rsplit(" ", 1)[0] if s_m else "£0"
                why = f"funding {fell} by {f_amount} but spending {moved} by only {s_amount}"
                if cut:
                    why += " (its budget cuts saved little)"
                held = reference if f_m < 0 else scenario
                held_share = mean(MONEY_UNSPENT_SHARE, held)
                held_unspent = mean(MONEY_UNSPENT, held)
                name = (title_of_reference or reference) if held == reference else "it"
                because = ""
                if held_unspent is not None and held_share is not None:
                    verb = "left" if held == reference else "leaves"
                    because = (f", as {name} {verb} {_money_amount(held_unspent)} "
                               f"({format_number(100 * held_share, 0)}%) of its funding "
                               "unspent")
                bound = "hardly bound" if cut else "did not bind"
                text += f"; the money {bound}: {why}{because}"
                short = f"{why}: the money {bound}"
    return Clause(None, "money", text, (), short=f"money: {short}"), binds


# --- findings -----------------------------------------------------------------------------
def _comparison(scenario: str, reference: str, title: str, outcomes: list[Outcome],
                money: tuple[Clause, bool | None] | None = None) -> Finding | None:
    if not outcomes:
        return None
    clauses = []
    for verdict in ("better", "worse", None):
        group = tuple(o for o in outcomes if o.verdict == verdict)
        if group:
            label = LABELS[verdict] if verdict else ""
            clauses.append(Clause(verdict, label, _join([o.text for o in group], "and"), group))
    unclear = tuple(o for o in outcomes if o.verdict == "no_clear_difference")
    if unclear:
        few = all(not _finite(o.lower, o.upper) for o in unclear)
        topics = _join([o.topic for o in unclear], "or")
        if few:
            topics += " (too few replications for an interval)"
        clauses.append(Clause("no_clear_difference", LABELS["no_clear_difference"], topics,
                              unclear))
    clear = {o.verdict for o in outcomes if o.verdict in ("better", "worse")}
    clear_any = bool(clear)
    verdict: FindingVerdict = ("mixed" if len(clear) == 2 else clear.pop() if clear
                               else "no_clear_difference")
    # the lead: the first outcome that differs clearly (better before worse), else the first
    lead = clauses[0].outcomes[0] if clear_any else outcomes[0]
    if money is not None:
        clauses.append(money[0])
    text = f"{title}: " + "; ".join(c.plain for c in clauses) + "."
    return Finding(text, verdict, LABELS[verdict], scenario, reference, title, lead.metric,
                   lead.difference, lead.lower, lead.upper, lead.unit, lead.replications,
                   "paired_difference", tuple(clauses), tuple(outcomes),
                   money[1] if money else None)


def _description(scenario: str, title: str, outcomes: list[Outcome],
                 count: bool, money: tuple[Clause, bool | None] | None = None
                 ) -> Finding | None:
    if not outcomes:
        return None
    n = max(o.replications for o in outcomes)
    reps = f" ({n} replication{'s' if n != 1 else ''})" if count else ""
    body = "; ".join(o.text for o in outcomes)
    lead_text = outcomes[0].text.rsplit(" (", 1)[0]  # in a line: without its interval
    clauses = [Clause(None, "", body, tuple(outcomes), short=lead_text)]
    if money is not None:
        clauses.append(money[0])
        body += f"; {money[0].text}"
    text = f"{title}{reps}: {body}."
    lead = outcomes[0]
    return Finding(text, None, LABELS[None], scenario, None, title, lead.metric,
                   lead.difference, lead.lower, lead.upper, lead.unit, lead.replications,
                   "value", tuple(clauses), tuple(outcomes))


def _rows(summary: pd.DataFrame, statistic: str) -> dict[tuple[str, str], pd.Series]:
    frame = summary[summary["statistic"] == statistic]
    return {(str(r["scenario"]), str(r["metric"])): r for _, r in frame.iterrows()}


def summary_reference(summary: pd.DataFrame) -> str | None:
    """The scenario the summary's paired differences are taken against (None if none)."""
    if "reference" not in summary:
        return None
    diffs = summary[summary["statistic"] == "paired_difference"]["reference"].dropna()
    names = [str(r) for r in dict.fromkeys(diffs) if str(r)]
    return names[0] if names else None


def key_findings(summary: pd.DataFrame, reference: str | None = None, limit: int = 5, *,
                 titles: Mapping[str, str] | None = None) -> list[Finding]:
    """Two to ``limit`` plain-English sentences on the primary outcomes.

    One sentence per scenario compared with the reference (in the summary's scenario
    order, up to ``limit``); with room to spare, one or two sentences first describing
    the reference's own figures. With a single scenario, its figures in two sentences
    (relationships and mentors; reoffending and money). An outcome the summary lacks, or
    whose mean is NaN (e.g. reoffending on a horizon under a year), is left out.

    Args:
        summary: the frame :func:`sim.summary.summarise` returns (columns ``scenario,
            metric, mean, ci_low, ci_high, replications, statistic, reference``), or
            ``summary.csv`` read back.
        reference: the scenario the others are compared with; default the summary's own
            reference (its paired differences are against that one only).
        limit: most sentences (at least 1).
        titles: display names by scenario name (default: the names themselves).

    Returns:
        The findings, in the order to print them.

    Raises:
        ValueError: ``reference`` is not the scenario the summary's differences are
            against, or ``limit`` is below 1.

    Example:
        >>> from sim.summary import summarise  # doctest: +SKIP
        >>> for f in key_findings(summarise(metrics, ["baseline", "long_term_investment"])):
        ...     print(f.label, "|", f.text)  # doctest: +SKIP
        no comparison | baseline (20 replications): 60 of every 100 relationships ...
        better | long_term_investment vs baseline: 9 fewer relationships ending early ...
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    values, diffs = _rows(summary, "value"), _rows(summary, "paired_difference")
    scenarios = list(dict.fromkeys(s for s, _ in values))
    own = summary_reference(summary)
    if reference is not None and own is not None and reference != own:
        raise ValueError(f"the summary's paired differences are against {own!r}, not "
                         f"{reference!r}; summarise again with {reference!r} first")
    reference = reference or own or (scenarios[0] if scenarios else None)
    if reference is None:
        return []
    names = dict(titles or {})

    def title(s: str) -> str:
        return names.get(s, s)

    comparisons = []
    for scenario in scenarios:
        if scenario == reference:
            continue
        outcomes = [o for key in KEY_OUTCOMES if (scenario, key.metric) in diffs
                    and (o := _difference_outcome(key, diffs[(scenario, key.metric)]))]
        money = money_clause(scenario, reference, values, diffs, title(reference))
        found = _comparison(scenario, reference, f"{title(scenario)} vs {title(reference)}",
                            outcomes, money)
        if found:
            comparisons.append(found)
    comparisons = comparisons[:limit]

    groups = {m: i for i, (_, group) in enumerate(HEADLINE_GROUPS) for m in group}
    own_outcomes = [o for key in KEY_OUTCOMES if (reference, key.metric) in values
                    and (o := _value_outcome(key, values[(reference, key.metric)]))]
    first = [o for o in own_outcomes if groups.get(o.metric, 99) <= 1]  # relationships, mentors
    rest = [o for o in own_outcomes if groups.get(o.metric, 99) > 1]
    # the reference's own money goes with its first sentence, the one kept when the
    # comparisons leave room for only one
    money = money_clause(reference, None, values, diffs)
    described = [f for f in (_description(reference, title(reference), first, True, money),
                             _description(reference, title(reference), rest, not first,
                                          None if first else money))
                 if f]
    room = limit - len(comparisons)
    return described[:max(room, 0)] + comparisons
