"""Fast unit tests for the dashboard figure functions, loader and page writer.

All inputs are small synthetic tables from ``dashboard_fixtures`` (which follow
docs/outputs.md); nothing here runs the simulation or a browser.
"""

from __future__ import annotations

import json
import math
import re
import warnings

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.offline import get_plotlyjs

from dashboards import (
    closures,
    competing_risks,
    headline,
    loading,
    report,
    sensitivity,
    surfaces,
    survival,
    timeseries,
    tradeoffs,
    value,
    workforce,
    yearly,
)
from dashboards.palette import CLOSURE_CATEGORIES, EXIT_REASON_LABELS, OKABE_ITO, scenario_colours
from sim.metrics import METRICS
from sim.summary import mean_ci
from sim.vocabulary import CLOSURE_REASONS, FAILURE_FACTORS

try:  # pytest's default "prepend" import mode puts tests/ itself on sys.path
    from dashboard_fixtures import (
        comparison_tables,
        real_results_folder,
        real_sweep_folder,
        sweep_tables,
        write_comparison_folder,
        write_sweep_folder,
    )
except ModuleNotFoundError:  # pragma: no cover - when tests/ is imported as a package
    from tests.dashboard_fixtures import (
        comparison_tables,
        real_results_folder,
        real_sweep_folder,
        sweep_tables,
        write_comparison_folder,
        write_sweep_folder,
    )

SCENARIOS = ["baseline", "long_term_investment"]


@pytest.fixture(scope="module")
def tables():
    return comparison_tables(scenarios=tuple(SCENARIOS), replications=4, weeks=130)


@pytest.fixture(scope="module")
def sweep():
    return sweep_tables(points=40)


def _axis_titles(fig: go.Figure) -> list[str]:
    layout = fig.to_plotly_json()["layout"]
    return [
        (value.get("title") or {}).get("text", "")
        for key, value in layout.items()
        if re.fullmatch(r"[xy]axis\d*", key)
    ]


# ----------------------------------------------------------------------------- palette


def test_scenario_colours_are_okabe_ito_in_order():
    colours = scenario_colours(["a", "b", "c"])
    assert list(colours.values()) == list(OKABE_ITO[:3])


# --------------------------------------------------------------------------- over time


def test_weekly_quantiles_are_quantiles_across_replications():
    weekly = pd.DataFrame(
        {"scenario": "s", "replication": np.repeat(np.arange(10), 2),
         "week": np.tile([1, 2], 10), "active_matches": np.repeat(np.arange(10.0), 2)}
    )
    q = timeseries.weekly_quantiles(weekly, ["active_matches"])
    assert len(q) == 2
    row = q[q["week"] == 1].iloc[0]
    values = np.arange(10.0)
    assert row["low"] == pytest.approx(np.quantile(values, 0.1))
    assert row["median"] == pytest.approx(4.5)
    assert row["high"] == pytest.approx(np.quantile(values, 0.9))
    assert row["replications"] == 10


def test_over_time_figure_draws_median_and_quantile_band(tables):
    columns = [c for p in timeseries.OVER_TIME_PANELS for c in p.columns]
    q = timeseries.weekly_quantiles(tables.weekly, columns)
    fig = timeseries.over_time_figure(
        q, timeseries.summarise_events(tables.events), SCENARIOS, 130, 4
    )
    medians = [t for t in fig.data if t.mode == "lines" and t.meta == "Active relationships"]
    assert [t.name for t in medians] == SCENARIOS
    expected = q[(q["scenario"] == "baseline") & (q["variable"] == "active_matches")]
    np.testing.assert_allclose(medians[0].y, expected["median"].to_numpy())
    bands = [t for t in fig.data if t.fill == "toself" and t.name == "baseline 10–90% band"]
    band = bands[0]  # first panel, first scenario
    np.testing.assert_allclose(
        band.y,
        np.concatenate([expected["high"].to_numpy(), expected["low"].to_numpy()[::-1]]),
    )
    assert medians[0].line.color == OKABE_ITO[0]
    assert "Median" in medians[0].hovertemplate


def test_over_time_axes_use_years_or_weeks_never_steps(tables):
    q = timeseries.weekly_quantiles(tables.weekly, ["active_matches"])
    empty = timeseries.summarise_events(tables.events.iloc[0:0])
    long_fig = timeseries.over_time_figure(q, empty, SCENARIOS, 130)
    short_fig = timeseries.over_time_figure(q, empty, SCENARIOS, 52)
    long_titles, short_titles = _axis_titles(long_fig), _axis_titles(short_fig)
    assert "Years" in long_titles and "Weeks" in short_titles  # short: four panels on a phone
    assert {"Number", "£"} <= set(long_titles)
    panels = {a.text for a in long_fig.layout.annotations}
    assert {"Relationships", "Waiting list", "Active mentors", "Reserves"} == panels
    assert not any("step" in t.lower() for t in long_titles + short_titles)
    medians = [t for t in long_fig.data if "lines" in str(t.mode)]
    assert medians[0].x[0] == pytest.approx(1 / 52)


def test_funding_events_are_counted_per_replication_and_marked(tables):
    events = timeseries.summarise_events(tables.events)
    started = events[(events["scenario"] == "baseline") & (events["event"] == "grant_started")]
    assert started["replications"].tolist() == [4]
    q = timeseries.weekly_quantiles(tables.weekly, ["funding_balance_gbp"])
    fig = timeseries.over_time_figure(q, events, SCENARIOS, 130, 4)
    markers = [t for t in fig.data if t.mode == "markers" and t.x is not None and
               len(t.x) and t.x[0] is not None]
    assert {t.marker.symbol for t in markers} >= {"triangle-up", "circle"}
    assert all("of 4 replications" in t.hovertemplate for t in markers)
    legend_only = [t for t in fig.data if t.mode == "markers" and t.showlegend is not False
                   and list(t.x) == [None]]
    assert {t.name for t in legend_only} >= {"Grant started", "Grant renewed"}


# ---------------------------------------------------------------------------- closures


def _matches(rows: list[tuple[str, int, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["scenario", "replication", "closure_reason",
                                       "duration_weeks"])


def test_closure_table_groups_abandonment_and_counts_per_100():
    matches = _matches(
        [("a", 0, "mentor_abandonment", 3), ("a", 0, "mentor_abandonment", 4),
         ("a", 1, "mentee_abandonment", 5), ("a", 1, "completed", 30),
         ("a", 1, "ongoing", 12), ("a", 1, "surprise_reason", 2)]
    )
    table = closures.closure_table(matches, ["a"]).set_index("category")
    assert table.loc["abandonment", "count"] == 3
    assert table.loc["abandonment", "per_100"] == pytest.approx(50.0)
    assert "Mentor abandonment: 2" in table.loc["abandonment", "detail"]
    assert table.loc["completed", "group"] == "Planned ending"
    assert table.loc["low_motivation", "group"] == "Ended early: the six failure factors"
    assert table.loc["ongoing", "group"] == "Still running"
    # Reasons outside the vocabulary are shown, not dropped, so the bars add up.
    assert table.loc["surprise_reason", "group"] == "Other endings"
    assert table["count"].sum() == 6
    failure = table[table["group"] == "Ended early: the six failure factors"]
    assert len(failure) == 6


def test_closures_figure_has_one_bar_trace_per_scenario(tables):
    table = closures.closure_table(tables.matches, SCENARIOS)
    fig = closures.closures_figure(table, SCENARIOS)
    assert sorted(t.name for t in fig.data) == sorted(SCENARIOS)
    bar = fig.data[0]
    groups, reasons = bar.y
    assert "Ended early: the six failure factors" in groups
    assert "Completed as planned" in reasons and "Abandoned" in reasons
    assert "Relationships per 100 started" in _axis_titles(fig)
    assert "per 100 relationships started" in bar.hovertemplate


def test_closures_figure_without_relationships_says_so():
    empty = closures.closure_table(_matches([]), ["a"])
    fig = closures.closures_figure(empty, ["a"])
    assert "No relationships" in fig.layout.annotations[0].text


# ---------------------------------------------------------------------------- survival


def test_kaplan_meier_matches_hand_calculation():
    # times 2, 3, 3(censored), 5, 8(censored):
    # S(2) = 4/5 = 0.8; S(3) = 0.8 * 3/4 = 0.6; S(5) = 0.6 * 1/2 = 0.3; S(8) = 0.3
    km = survival.kaplan_meier([2, 3, 3, 5, 8], [True, True, False, True, False])
    assert km["time"].tolist() == [0, 2, 3, 5, 8]
    assert km["at_risk"].tolist() == [5, 5, 4, 2, 1]
    assert km["ended"].tolist() == [0, 1, 1, 1, 0]
    assert km["censored"].tolist() == [0, 0, 1, 0, 1]
    np.testing.assert_allclose(km["survival"], [1.0, 0.8, 0.6, 0.3, 0.3])
    # The band is lifelines' 95% interval around it (Greenwood, log(-log) scale).
    assert (km["lower"] <= km["survival"]).all() and (km["survival"] <= km["upper"]).all()
    assert (km["lower"].iloc[0], km["upper"].iloc[0]) == (1.0, 1.0)
    assert 0.0 < km["lower"].iloc[-1] < 0.3 < km["upper"].iloc[-1] < 1.0
    assert survival.survival_at(km, 4) == pytest.approx(0.6)
    assert survival.survival_at(km, 1) == pytest.approx(1.0)
    # Lasting at least 3 weeks: the curve just before week 3.
    assert survival.share_reaching(km, 3) == pytest.approx(0.8)
    assert survival.share_reaching(km, 0) == pytest.approx(1.0)


def test_kaplan_meier_all_censored_stays_at_one():
    km = survival.kaplan_meier([4, 6], [False, False])
    assert km["survival"].tolist() == [1.0, 1.0, 1.0]
    assert km["lower"].tolist() == km["upper"].tolist() == [1.0, 1.0, 1.0]


def test_kaplan_meier_band_narrows_with_more_relationships():
    durations, ended = [2, 3, 3, 5, 8, 9], [True, True, False, True, False, True]
    few = survival.kaplan_meier(durations, ended)
    many = survival.kaplan_meier(durations * 10, ended * 10)
    # The same estimate from ten times the relationships, with a narrower band.
    np.testing.assert_allclose(many["survival"], few["survival"])
    changing = slice(1, -1)  # not at time 0 (exactly 1) or after the last (exactly 0)
    narrower = (many["upper"] - many["lower"]) < (few["upper"] - few["lower"])
    assert narrower.iloc[changing].all()
    assert (many["lower"] <= many["survival"]).all()
    assert (many["survival"] <= many["upper"]).all()


def test_kaplan_meier_without_relationships_is_a_start_row():
    km = survival.kaplan_meier([], [])
    assert km.to_dict("records") == [{"time": 0.0, "at_risk": 0, "ended": 0, "censored": 0,
                                      "survival": 1.0, "lower": 1.0, "upper": 1.0}]


def test_survival_table_treats_ongoing_as_censored():
    matches = _matches([("a", 0, "completed", 2), ("a", 0, "ongoing", 2),
                        ("a", 0, "programme_closed", 4)])
    table = survival.survival_table(matches, ["a"])
    at_2 = table[table["time"] == 2].iloc[0]
    assert (at_2["ended"], at_2["censored"]) == (1, 1)
    assert at_2["survival"] == pytest.approx(2 / 3)
    assert table["survival"].iloc[-1] == pytest.approx(0.0)


def test_survival_figure_marks_six_and_twelve_months(tables):
    fig = survival.survival_figure(survival.survival_table(tables.matches, SCENARIOS), SCENARIOS)
    lines = [t for t in fig.data if t.mode == "lines"]
    assert [t.name for t in lines] == SCENARIOS
    assert lines[0].line.shape == "hv"
    assert lines[0].y[0] <= 100.0
    assert sorted(s.x0 for s in fig.layout.shapes) == [26, 52]
    assert {a.text for a in fig.layout.annotations} >= {"6 months", "12 months"}
    assert "Relationship length (weeks)" in _axis_titles(fig)
    assert "Relationships still going (%)" in _axis_titles(fig)


def test_survival_band_is_drawn_in_steps_and_hides_with_its_scenario(tables):
    table = survival.survival_table(tables.matches, SCENARIOS)
    fig = survival.survival_figure(table, SCENARIOS)
    bands = [t for t in fig.data if t.fill == "toself"]
    assert [t.legendgroup for t in bands] == SCENARIOS  # toggled with the scenario's line
    assert all(t.showlegend is False and t.hoverinfo == "skip" for t in bands)
    assert bands[1].fillcolor == "rgba(230,159,0,0.18)"  # Okabe–Ito orange, light
    curve = table[table["scenario"] == SCENARIOS[0]]
    n = len(curve)
    # Upper bound forwards and lower bound back, each value held until the next time.
    assert len(bands[0].x) == 2 * (2 * n - 1)
    assert list(bands[0].y[:3]) == pytest.approx(
        [100 * curve["upper"].iloc[0], 100 * curve["upper"].iloc[0],
         100 * curve["upper"].iloc[1]], abs=0.05)
    assert bands[0].x[:3] == (curve["time"].iloc[0], curve["time"].iloc[1],
                              curve["time"].iloc[1])
    line = next(t for t in fig.data if t.mode == "lines")
    assert "95% interval" in line.hovertemplate


# ----------------------------------------------------------------------- competing risks

ENDING_KEYS = [e.key for e in competing_risks.ENDINGS]
# Ties everywhere: endings of different kinds in one week, censorings in the same weeks as
# endings, and endings in week 0.
TIED_DURATIONS = [0, 0, 2, 3, 3, 3, 3, 5, 5, 8, 8, 8, 9, 9, 12, 12, 12, 20]
TIED_REASONS = ["mentee_abandonment", "ongoing", "completed", "completed", "low_motivation",
                "programme_closed", "ongoing", "mentor_moved_on", "completed", "completed",
                "family_interference", "ongoing", "programme_closed", "ongoing",
                "completed", "mentee_reoffended", "ongoing", "completed"]


def _strict_incidence(durations, codes, endings=competing_risks.N_ENDINGS):
    """Cumulative incidence with every warning an error and numpy's global generator
    watched: lifelines warns, and reseeds that generator, when it jitters tied times."""
    state = np.random.get_state()[1].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        curves = competing_risks.cumulative_incidence(durations, codes, endings)
    assert np.array_equal(np.random.get_state()[1], state), "lifelines jittered tied times"
    return curves


def test_competing_endings_are_the_projects_groups():
    reasons = {e.key: set(e.reasons) for e in competing_risks.ENDINGS}
    assert ENDING_KEYS == ["planned", "failure", "programme_closed", "other"]
    assert reasons["planned"] == {"completed"}
    assert reasons["failure"] == set(FAILURE_FACTORS)  # Spencer's six factors
    assert reasons["programme_closed"] == {"programme_closed"}
    assert reasons["other"] == {"mentee_reoffended", "mentor_moved_on"}
    # Every closure reason is one ending or censored, never two.
    counted = [r for e in competing_risks.ENDINGS for r in e.reasons]
    assert sorted([*counted, "ongoing"]) == sorted(CLOSURE_REASONS)
    codes = competing_risks.ending_codes(["ongoing", "completed", "agency_support",
                                          "programme_closed", "mentor_moved_on", "surprise"])
    assert codes.tolist() == [0, 1, 2, 3, 4, 4]  # an unknown reason is "other", as on closures


def test_aalen_johansen_matches_hand_calculation_with_tied_times():
    # 8 relationships; week 3 has one ending of each kind and a censoring.
    # F1(2) = 1/8; S(2) = 7/8; at 3: 7 at risk, F1 += 7/8 * 1/7, F2 = 7/8 * 1/7, S = 5/8;
    # at 5: 4 at risk, F2 += 5/8 * 1/4; S = 15/32; at 8: 3 at risk, F1 += 15/32 * 1/3.
    curves = _strict_incidence([2, 3, 3, 3, 5, 8, 8, 9], [1, 1, 2, 0, 2, 1, 0, 0], endings=2)
    first, second = (curves[curves["ending"] == k] for k in (1, 2))
    assert first["time"].tolist() == [0, 2, 3, 5, 8, 9]
    np.testing.assert_allclose(first["incidence"], [0, 1 / 8, 1 / 4, 1 / 4, 13 / 32, 13 / 32])
    np.testing.assert_allclose(second["incidence"], [0, 0, 1 / 8, 9 / 32, 9 / 32, 9 / 32])
    assert (curves["lower"] <= curves["incidence"]).all()
    assert (curves["incidence"] <= curves["upper"]).all()
    # No interval before the first ending of a kind: the band is the line (zero).
    assert second[["lower", "upper"]].iloc[:2].to_numpy().tolist() == [[0, 0], [0, 0]]
    assert (first["upper"].iloc[1:] > first["incidence"].iloc[1:]).all()


def test_incidences_add_up_to_one_minus_kaplan_meier_at_every_week():
    codes = competing_risks.ending_codes(TIED_REASONS)
    curves = _strict_incidence(TIED_DURATIONS, codes)
    km = survival.kaplan_meier(TIED_DURATIONS, codes > 0)
    total = curves.groupby("time")["incidence"].sum()
    assert total.index.tolist() == km["time"].tolist()
    # Both from lifelines, on the same ties: equal to rounding error.
    np.testing.assert_allclose(total.to_numpy(), 1.0 - km["survival"].to_numpy(), rtol=0,
                               atol=1e-12)
    assert total.iloc[0] == pytest.approx(1 / 18)  # the ending in week 0 counts at week 0


def test_order_of_kinds_within_a_week_changes_neither_estimate_nor_interval():
    # The fitter is given each week's kinds of ending one after another; any order gives
    # the same curves and bands, so breaking the ties this way decides nothing.
    codes = competing_risks.ending_codes(TIED_REASONS)
    curves = _strict_incidence(TIED_DURATIONS, codes)
    reverse = np.array([0, 4, 3, 2, 1])
    reversed_curves = _strict_incidence(TIED_DURATIONS, reverse[codes])
    reversed_curves["ending"] = reverse[reversed_curves["ending"]]
    order = ["ending", "time"]
    columns = ["incidence", "lower", "upper"]
    np.testing.assert_allclose(
        curves.sort_values(order)[columns].to_numpy(),
        reversed_curves.sort_values(order)[columns].to_numpy(), rtol=0, atol=1e-12)


def test_an_ending_that_never_happens_has_zero_incidence():
    matches = _matches([("a", 0, "completed", 26), ("a", 0, "low_motivation", 4),
                        ("a", 1, "ongoing", 30), ("a", 1, "completed", 26)])
    table = competing_risks.competing_risks_table(matches, ["a"])
    closed = table[table["ending"] == "programme_closed"]
    assert closed["time"].tolist() == [0, 4, 26, 30]
    assert (closed[["incidence", "lower", "upper"]].to_numpy() == 0).all()
    planned = table[table["ending"] == "planned"]
    # By week 26: 3 of the 4 still at risk after the early ending, 2 of them completed.
    assert planned["incidence"].iloc[-1] == pytest.approx(3 / 4 * 2 / 3)
    assert set(table["relationships"]) == {4}
    fig = competing_risks.competing_risks_figure(table, ["a"])
    notes = [a.text for a in fig.layout.annotations if a.text == "None ended this way"]
    assert len(notes) == 2  # programme closed and other endings


def test_competing_risks_figure_panels_bands_and_legend(tables):
    table = competing_risks.competing_risks_table(tables.matches, SCENARIOS)
    assert set(table["ending"]) == set(ENDING_KEYS)
    assert (table["lower"] <= table["incidence"] + 1e-12).all()
    assert (table["incidence"] <= table["upper"] + 1e-12).all()
    fig = competing_risks.competing_risks_figure(table, SCENARIOS)
    lines = [t for t in fig.data if t.mode == "lines"]
    bands = [t for t in fig.data if t.fill == "toself"]
    assert len(lines) == len(bands) == len(ENDING_KEYS) * len(SCENARIOS)
    assert [t.name for t in lines if t.showlegend] == SCENARIOS  # one legend entry each
    assert {t.legendgroup for t in bands} == set(SCENARIOS)
    assert all(t.line.shape == "hv" for t in lines)
    assert lines[0].line.color == OKABE_ITO[0]
    titles = [a.text for a in fig.layout.annotations]
    assert {"Ended as planned", "6 months", "12 months"} <= set(titles)
    assert "Of every 100 started" in _axis_titles(fig)
    assert "of every 100" in lines[0].hovertemplate and "95% interval" in lines[0].hovertemplate
    # The panels share one y axis range, from zero.
    layout = fig.to_plotly_json()["layout"]
    ranges = {tuple(v["range"]) for k, v in layout.items() if re.fullmatch(r"yaxis\d*", k)}
    assert len(ranges) == 1 and next(iter(ranges))[0] == 0
    # The page carries rounded numbers only.
    assert all(round(v, 1) == v for t in lines for v in t.y)


def test_competing_risks_without_relationships_or_endings_says_so():
    empty = competing_risks.competing_risks_table(_matches([]), ["a"])
    assert empty.empty and list(empty.columns) == list(competing_risks.TABLE_COLUMNS)
    fig = competing_risks.competing_risks_figure(empty, ["a"])
    assert "No relationships" in fig.layout.annotations[0].text
    # A short run where nothing has ended yet.
    running = _matches([("a", 0, "ongoing", 3), ("a", 1, "ongoing", 2)])
    table = competing_risks.competing_risks_table(running, ["a", "b"])
    assert (table["incidence"] == 0).all() and set(table["scenario"]) == {"a"}
    fig = competing_risks.competing_risks_figure(table, ["a", "b"])
    assert "No relationship had ended" in fig.layout.annotations[0].text
    # A run shorter than 6 months has no 6- or 12-month marks.
    short = _matches([("a", 0, "completed", 10), ("a", 0, "low_motivation", 4)])
    fig = competing_risks.competing_risks_figure(
        competing_risks.competing_risks_table(short, ["a"]), ["a"])
    assert not fig.layout.shapes
    assert not {"6 months", "12 months"} & {a.text for a in fig.layout.annotations}


# --------------------------------------------------------------------------- workforce


def test_workforce_flows_count_per_replication_including_zeros():
    mentors = pd.DataFrame(
        {"scenario": "a", "replication": [0, 0, 0, 1],
         "mentor_id": [0, 1, 2, 0], "exit_reason": ["burnout", "burnout", "active", "active"]}
    )
    table = workforce.workforce_flows_table(mentors, ["a"]).set_index("category")
    assert table.loc["joined", "mean"] == pytest.approx(2.0)
    assert table.loc["burnout", "mean"] == pytest.approx(1.0)  # 2 and 0
    assert table.loc["burnout", "total"] == 2
    assert table.loc["relapse", "mean"] == 0
    assert table.loc["paid_work", "label"] == "Left: moved on<br>to paid work"


def test_workforce_flows_figure_bars_and_whiskers(tables):
    table = workforce.workforce_flows_table(tables.mentors, SCENARIOS)
    fig = workforce.workforce_flows_figure(table, SCENARIOS)
    assert [t.name for t in fig.data] == SCENARIOS
    assert fig.data[0].error_y.symmetric is False
    assert "Mentors per replication (number)" in _axis_titles(fig)


def test_burnout_prevalence_is_share_within_replication():
    weekly = pd.DataFrame(
        {"scenario": "a", "replication": [0, 1, 2], "week": 1,
         "active_mentors": [10, 4, 0], "burnt_out_mentors": [1, 2, 0]}
    )
    q = workforce.burnout_prevalence_quantiles(weekly)
    row = q.iloc[0]
    assert row["replications"] == 2  # the replication without active mentors is left out
    assert row["median"] == pytest.approx(0.3)
    fig = workforce.burnout_figure(q, ["a"], 52)
    line = [t for t in fig.data if t.mode == "lines"][0]
    assert line.y[0] == pytest.approx(30.0)
    assert "Active mentors burnt out (%)" in _axis_titles(fig)


# ------------------------------------------------------------------------------- value


def test_value_figure_uses_summary_ci(tables):
    table = value.value_table(tables.summary, SCENARIOS)
    # The fixture reports two of the three cost metrics; absent ones are just left out.
    assert set(table["metric"]) == {"cost_per_completed_match_gbp", "cost_per_linked_mentee_gbp"}
    fig = value.value_figure(table, SCENARIOS)
    bar = fig.data[0]
    row = table[(table["scenario"] == "baseline")].iloc[0]
    assert bar.y[0] == pytest.approx(row["mean"])
    assert bar.error_y.array[0] == pytest.approx(row["ci_high"] - row["mean"])
    assert "£" in bar.hovertemplate


def test_value_table_without_linked_metric_keeps_the_other(tables):
    summary = tables.summary[tables.summary["metric"] != "cost_per_linked_mentee_gbp"]
    table = value.value_table(summary, SCENARIOS)
    assert set(table["metric"]) == {"cost_per_completed_match_gbp"}


# ---------------------------------------------------------------------------- headline


def test_difference_sentence_in_plain_words():
    info = headline.describe_metric("premature_closure_rate", [0.4, 0.5])
    assert headline.difference_sentence(info, -0.28, -0.35, -0.20, "Baseline") == (
        "28 fewer relationships ending early per 100 started than Baseline "
        "(95% CI 20 to 35 fewer)"
    )
    crossing = headline.difference_sentence(info, -0.02, -0.05, 0.01, "Baseline")
    assert crossing.endswith("(95% CI 5.0 fewer to 1.0 more: no clear difference)")
    money = headline.describe_metric("cost_per_completed_match_gbp")
    assert headline.difference_sentence(money, 300.0, 250.0, 350.0, "B") == (
        "£300 more than B (95% CI £250 to £350 more)"
    )
    unknown = headline.describe_metric("odd_share", [0.1, 0.2])
    assert headline.difference_sentence(unknown, 0.041, 0.02, 0.06, "B").startswith(
        "4.1 percentage points higher than B"
    )


def test_describe_metric_does_not_rescale_rates_above_one():
    assert headline.describe_metric("premature_closure_rate", [0.3]).kind == "proportion"
    # a metric the registry does not know (another version's) is judged by its values
    assert headline.describe_metric("some_future_rate", [0.3]).kind == "proportion"
    assert headline.describe_metric("some_future_rate", [30.0]).kind == "number"
    assert headline.describe_metric("mean_wait_weeks").kind == "weeks"
    assert headline.format_value(0.462, "proportion") == "46.2%"
    assert headline.format_value(5200.4, "gbp") == "£5,200"


def test_describe_metric_uses_the_model_registry():
    annual = headline.describe_metric("mentor_attrition_annual", [0.5])
    assert (annual.kind, annual.suffix) == ("proportion", " a year")
    assert annual.definition  # the registry's plain-English definition
    assert headline.format_value(0.502, annual.kind, annual.suffix) == "50.2% a year"
    assert headline.difference_sentence(annual, -0.05, -0.08, -0.02, "B") == (
        "5.0 fewer mentors leaving per 100 mentors a year than B (95% CI 2.0 to 8.0 fewer)"
    )
    hazard = headline.describe_metric("abandonment_per_100_match_years", [107.0])
    assert hazard.kind == "number" and hazard.suffix == " per 100 relationships a year"
    assert headline.difference_sentence(hazard, -26.3, -44.7, -7.9, "B").startswith(
        "26.3 fewer abandonments per 100 relationships a year than B"
    )
    ratio = headline.describe_metric("reoffending_rr_completed", [0.8])
    assert headline.format_value(0.8123, ratio.kind, ratio.suffix, ratio.decimals) == "0.81"
    closure = headline.describe_metric("closure_share_family_interference", [0.05])
    assert closure.noun == "relationships ending by family interference per 100 started"


def test_money_measures_say_what_the_money_is():
    funding = headline.describe_metric("funding_received_gbp", [369325.0, 360801.0])
    assert funding.kind == "gbp"
    assert headline.format_value(369325.4, funding.kind, funding.suffix) == "£369,325"
    assert headline.difference_sentence(funding, 12300.0, 4100.0, 20500.0, "baseline") == (
        "£12,300 more funding received than baseline (95% CI £4,100 to £20,500 more)"
    )
    spend = headline.describe_metric("total_spend_gbp")
    assert headline.difference_sentence(spend, -43091.0, -560385.0, 474203.0, "B") == (
        "£43,091 less spending than B (95% CI £560,385 less to £474,203 more: "
        "no clear difference)"
    )
    balance = headline.describe_metric("final_balance_gbp")
    assert headline.difference_sentence(balance, 500.0, 100.0, 900.0, "B").startswith(
        "£500 more in reserves at the end than B"
    )
    # Reserves can be overdrawn: the minus goes before the pound sign.
    assert headline.format_value(-7549.2, balance.kind) == "\u2212£7,549"
    yearly_spend = headline.describe_metric("annual_spend_gbp")
    assert (yearly_spend.kind, yearly_spend.suffix) == ("gbp", " a year")
    assert headline.format_value(90783.0, yearly_spend.kind, yearly_spend.suffix) == (
        "£90,783 a year"
    )
    assert headline.difference_sentence(yearly_spend, -14364.0, -20000.0, -9000.0, "B") == (
        "£14,364 less spending a year than B (95% CI £9,000 to £20,000 less)"
    )


def test_rates_and_counts_say_what_is_counted():
    burnout = headline.describe_metric("burnout_incidence_per_100_mentor_years", [94.3])
    assert burnout.kind == "number"
    assert headline.format_value(94.3, burnout.kind, burnout.suffix) == (
        "94.3 per 100 mentors a year"
    )
    assert headline.difference_sentence(burnout, 4.1, 1.2, 7.0, "baseline") == (
        "4.1 more new burnout episodes per 100 mentors a year than baseline "
        "(95% CI 1.2 to 7.0 more)"
    )
    floor = headline.describe_metric("weeks_below_floor", [12.0])
    assert headline.format_value(12.5, floor.kind, floor.suffix) == \
        "12.5 weeks, added up over agencies"
    assert headline.difference_sentence(floor, -6.0, -9.0, -3.0, "B") == (
        "6.0 fewer weeks below the reserve floor, added up over agencies, than B (95% CI 3.0 "
        "to 9.0 fewer)"
    )
    lost = headline.describe_metric("trained_mentor_years_lost_at_cliffs", [29.2])
    assert headline.format_value(29.2, lost.kind, lost.suffix) == "29.2 years of mentors' time"
    assert headline.difference_sentence(lost, 3.2, 1.0, 5.0, "B").startswith(
        "3.2 more years of trained mentors' time lost at programme closures than B"
    )
    cuts = headline.describe_metric("weeks_with_cuts", [3.0])
    assert headline.format_value(3.0, cuts.kind, cuts.suffix) == "3.0 weeks"
    assert headline.difference_sentence(cuts, 3.0, 1.0, 5.0, "B").startswith(
        "3.0 more weeks with budget cuts than B"  # a count of weeks, not "3 weeks longer"
    )
    quality = headline.describe_metric("match_quality_at_end", [0.66])
    assert headline.format_value(0.6612, quality.kind, quality.suffix, quality.decimals) == (
        "0.66"
    )


def test_yearly_shares_say_per_100_a_year():
    losses = headline.describe_metric("mentor_losses_all_cause_annual", [0.556, 0.937])
    assert (losses.kind, losses.suffix) == ("proportion", " a year")
    assert headline.format_value(0.556, losses.kind, losses.suffix) == "55.6% a year"
    assert headline.difference_sentence(losses, 0.38, 0.1, 0.6, "B") == (
        "38 more mentors lost for any reason per 100 mentors a year than B "
        "(95% CI 10 to 60 more)"
    )
    progression = headline.describe_metric("mentor_progression_annual", [0.065])
    assert headline.difference_sentence(progression, 0.005, -0.1, 0.1, "B").startswith(
        "0.5 more peer mentors moving into paid work per 100 a year than B"
    )
    # A declared share is a share whatever its values: a loss rate above one a year is
    # written as a percentage, never as "1.2 a year"; an undeclared one already per 100
    # is not multiplied again.
    above = headline.describe_metric("mentor_losses_all_cause_annual", [0.665, 1.2])
    assert headline.format_value(1.2, above.kind, above.suffix) == "120.0% a year"
    per_100 = headline.describe_metric("some_future_rate", [46.0])
    assert headline.format_value(46.0, per_100.kind, per_100.suffix) == "46.0"


def test_headline_share_stays_a_percentage_when_its_interval_leaves_0_to_1(tables):
    # With two replications a t interval of a share can run past 0 and 1; the value is
    # still a share and is shown as one.
    summary = tables.summary.copy()
    rows = (summary["metric"] == "premature_closure_rate") & (summary["statistic"] == "value")
    summary.loc[rows, "ci_low"] = -0.8
    summary.loc[rows, "ci_high"] = 2.2
    table = headline.headline_table(summary, SCENARIOS)
    row = table[(table["metric"] == "premature_closure_rate")].iloc[0]
    assert row["kind"] == "proportion"
    assert (row["value_text"], row["ci_text"]) == ("46.0%", "95% CI -80.0% – 220.0%")


def test_headline_table_uses_paired_differences_against_first_scenario(tables):
    table = headline.headline_table(tables.summary, SCENARIOS)
    assert table["metric"].iloc[0] == "premature_closure_rate"
    row = table[(table["metric"] == "premature_closure_rate")
                & (table["scenario"] == "long_term_investment")].iloc[0]
    assert row["difference_text"].startswith(
        "6.0 fewer relationships ending early per 100 started than baseline"
    )
    reference = table[table["scenario"] == "baseline"]
    assert (reference["difference_text"] == "").all()
    html = headline.headline_html(table, SCENARIOS)
    # Two tables (headline, then the rest folded away), each with a header row.
    assert html.count("<tr") == 2 + table["metric"].nunique()
    assert "All other measures (2)" in html and "cost_per_linked_mentee_gbp" in html
    assert "service_linkage_rate" in html
    assert "What the measures mean" in html
    assert "95% CI" in html and "(reference)" in html


# --------------------------------------------------------------------------- sweep page


def test_sensitivity_figure_bars_with_ci_and_outcome_dropdown(sweep):
    fig = sensitivity.sensitivity_figure(sweep.sensitivity, "sobol", sweep.manifest["outcomes"])
    outcomes = sweep.manifest["outcomes"]
    assert len(fig.data) == 2 * len(outcomes)
    assert sum(bool(t.visible) for t in fig.data) == 2
    st = fig.data[0]
    rows = sweep.sensitivity[(sweep.sensitivity["method"] == "sobol")
                             & (sweep.sensitivity["metric"] == outcomes[0])
                             & (sweep.sensitivity["index"] == "ST")].set_index("parameter")
    np.testing.assert_allclose(st.error_x.array, rows.loc[list(st.y), "conf"].to_numpy())
    assert list(st.x) == sorted(st.x, reverse=True)
    buttons = fig.layout.updatemenus[0].buttons
    assert len(buttons) == len(outcomes)
    s1 = fig.data[1]
    assert any("⚠ negative" in t for t in s1.text)
    assert sensitivity.sensitivity_figure(sweep.sensitivity, "morris") is not None
    assert sensitivity.sensitivity_figure(sweep.sensitivity.iloc[0:0], "morris") is None


def test_rank_parameters_by_total_effect(sweep):
    params = list(reversed(sweep.points.columns[1:]))
    ranked = sensitivity.rank_parameters(sweep.sensitivity, params, "premature_closure_rate")
    assert ranked == list(sweep.points.columns[1:])
    assert sensitivity.rank_parameters(None, params) == params


def test_bin_parameter_keeps_few_levels_and_bins_many():
    labels, order = surfaces.bin_parameter(pd.Series([1.0, 2.0, 2.0, 4.0]))
    assert order == ["1", "2", "4"] and labels.tolist() == ["1", "2", "2", "4"]
    many = pd.Series(np.linspace(0, 1, 100))
    labels, order = surfaces.bin_parameter(many, max_levels=4)
    assert len(order) == 4 and labels.value_counts().tolist() == [25, 25, 25, 25]
    labels, order = surfaces.bin_parameter(pd.Series(["peer", "community", "peer"]))
    assert order == ["peer", "community"]


def test_surface_grid_averages_over_other_parameters():
    points = pd.DataFrame({"point_id": [0, 1, 2, 3], "a": [1, 1, 2, 2], "b": [5, 5, 5, 6],
                           "c": [0, 9, 0, 9]})
    summary = pd.DataFrame({"point_id": [0, 1, 2, 3], "metric": "m",
                            "mean": [1.0, 3.0, 10.0, 20.0]})
    mean, count = surfaces.surface_grid(points, summary, "m", "a", "b")
    assert mean.loc["5", "1"] == pytest.approx(2.0)  # points 0 and 1, c averaged out
    assert count.loc["5", "1"] == 2
    assert math.isnan(mean.loc["6", "1"]) and count.loc["6", "1"] == 0


def test_response_surface_figure_dropdowns(sweep):
    params = list(sweep.points.columns[1:])
    outcomes = sweep.manifest["outcomes"]
    fig = surfaces.response_surface_figure(sweep.points, sweep.point_summary, outcomes, params)
    pairs = len(params) * (len(params) - 1) // 2
    assert len(fig.data) == pairs and all(isinstance(t, go.Heatmap) for t in fig.data)
    outcome_menu, pair_menu = fig.layout.updatemenus
    assert len(outcome_menu.buttons) == len(outcomes)
    assert len(pair_menu.buttons) == pairs
    # The outcome menu swaps z of every pair trace at once, so the two menus combine.
    assert len(outcome_menu.buttons[1].args[0]["z"]) == pairs
    assert list(outcome_menu.buttons[1].args[1]) == list(range(pairs))
    assert fig.layout.xaxis.title.text == f"{params[0]} (parameter value)"
    assert surfaces.response_surface_figure(sweep.points, sweep.point_summary, outcomes,
                                            params[:1]) is None


def test_tradeoffs_ring_points_below_both_limits(sweep):
    params = list(sweep.points.columns[1:])
    table = tradeoffs.tradeoff_table(sweep.points, sweep.point_summary, params)
    assert len(table) == len(sweep.points)
    limit = tradeoffs.limit_options(table)[0]
    assert limit.abandonment == pytest.approx(table[tradeoffs.ABANDONMENT].median())
    mask = tradeoffs.meets(table, limit)
    fig = tradeoffs.tradeoff_scatter_figure(table, params)
    assert len(fig.data) == 1 + 3
    assert len(fig.data[1].x) == mask.sum()
    assert fig.data[1].visible is True and fig.data[2].visible is False
    assert "Cost per completed relationship (£)" in _axis_titles(fig)
    assert "Relationships ending early (%)" in _axis_titles(fig)
    parallel = tradeoffs.tradeoff_parallel_figure(table, params)
    dims = parallel.data[0].dimensions
    assert dims[1].constraintrange[1] == pytest.approx(limit.abandonment * 100)
    assert len(dims) == 3 + len(params)


def test_tradeoffs_absent_when_a_metric_is_missing(sweep):
    summary = sweep.point_summary[sweep.point_summary["metric"] != tradeoffs.BURNOUT]
    table = tradeoffs.tradeoff_table(sweep.points, summary, ["funding.horizon_years"])
    assert table.empty
    assert tradeoffs.tradeoff_scatter_figure(table, []) is None


# ------------------------------------------------------------------------- year by year


def test_yearly_summary_is_mean_and_t_interval_across_replications():
    frame = pd.DataFrame(
        {"scenario": "a", "replication": [0, 1, 2, 0, 1, 2], "year": [1, 1, 1, 2, 2, 2],
         "start_week": [1, 1, 1, 53, 53, 53], "end_week": [52, 52, 52, 78, 78, 78],
         "premature_closure_rate": [0.4, 0.5, 0.6, 0.3, np.nan, np.nan]}
    )
    summary = yearly.yearly_summary(frame, ["a"])
    first, second = summary.iloc[0], summary.iloc[1]
    mean, low, high, n = mean_ci(np.array([0.4, 0.5, 0.6]))
    assert (first["mean"], first["ci_low"], first["ci_high"], first["replications"]) == (
        pytest.approx(mean), pytest.approx(low), pytest.approx(high), n
    )
    # One replication with a value: a mean but no interval.
    assert second["mean"] == pytest.approx(0.3) and second["replications"] == 1
    assert math.isnan(second["ci_low"]) and math.isnan(second["ci_high"])
    assert (second["start_week"], second["end_week"]) == (53, 78)
    html = yearly.yearly_html(summary, ["a"])
    assert "1 replication" in html
    fig = yearly.yearly_figure(summary, ["a"])
    # The hover of a year without an interval says so instead of showing NaN.
    assert list(fig.data[0].text) == ["95% CI 25.2% – 74.8%", "no 95% CI (one replication)"]
    assert fig.data[0].hovertemplate.endswith("<br>%{text}<extra></extra>")
    assert "Year 2 covers only weeks 53–78 (26 of 52 weeks)" in yearly.short_year_note(summary)


def test_yearly_offers_only_measures_present_with_values(tables):
    offered = yearly.offered_metrics(tables.yearly)
    # weeks_below_floor is all NaN, support_delivered_share absent, abandonment_rate
    # present but not a year-by-year measure.
    assert offered == [
        "premature_closure_rate", "burnout_incidence_per_100_mentor_years",
        "mentor_burnout_prevalence", "mentor_losses_all_cause_annual",
        "funding_received_gbp", "total_spend_gbp", "supervision_delivered_share",
    ]
    summary = yearly.yearly_summary(tables.yearly, SCENARIOS)
    assert list(dict.fromkeys(summary["metric"])) == offered
    fig = yearly.yearly_figure(summary, SCENARIOS)
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == [f"Measure: {METRICS[m].label}" for m in offered]
    assert [t.meta for t in fig.data] == [m for m in offered for _ in SCENARIOS]


def test_yearly_figure_has_one_trace_group_per_scenario(tables):
    summary = yearly.yearly_summary(tables.yearly, SCENARIOS)
    offered = list(dict.fromkeys(summary["metric"]))
    fig = yearly.yearly_figure(summary, SCENARIOS)
    assert len(fig.data) == len(offered) * len(SCENARIOS)
    visible = [t for t in fig.data if t.visible]
    assert [t.name for t in visible] == SCENARIOS
    assert {t.legendgroup for t in fig.data} == set(SCENARIOS)
    for scenario, colour in zip(SCENARIOS, OKABE_ITO, strict=False):
        assert {t.line.color for t in fig.data if t.legendgroup == scenario} == {colour}
    # Mean across replications in % with asymmetric-capable 95% CI whiskers (rounded to
    # a hundredth of a percentage point, finer than the hover shows).
    expected = summary[(summary["metric"] == "premature_closure_rate")
                       & (summary["scenario"] == "baseline")]
    first = visible[0]
    np.testing.assert_allclose(first.y, 100 * expected["mean"].to_numpy(), atol=0.006)
    np.testing.assert_allclose(
        first.error_y.array, 100 * (expected["ci_high"] - expected["mean"]).to_numpy(),
        atol=0.011,
    )
    np.testing.assert_allclose(
        np.asarray(first.customdata, dtype=float),
        100 * expected[["ci_low", "ci_high"]].to_numpy(), atol=0.006,
    )
    assert first.error_y.symmetric is False
    # Scenarios are nudged apart around the whole-year ticks; 130 weeks = 3 years, the
    # last one short.
    assert first.x[0] < 1 < visible[1].x[0]
    assert list(fig.layout.xaxis.tickvals) == [1, 2, 3]
    assert fig.layout.xaxis.ticktext[2] == "Year 3<br>weeks 105–130"
    assert fig.layout.yaxis.title.text == "Relationships ending early (%)"
    assert "year %{x:.0f}" in first.hovertemplate
    assert "Relationships ending early: %{y:,.1f}%" in first.hovertemplate
    assert "95% CI %{customdata[0]:,.1f}% – %{customdata[1]:,.1f}%" in first.hovertemplate
    # Each button shows exactly its measure's traces and sets the unit on the y axis.
    by_label = {b.label: b for b in fig.layout.updatemenus[0].buttons}
    money = by_label["Measure: Funding received"]
    shown = [t.meta for t, v in zip(fig.data, money.args[0]["visible"], strict=True) if v]
    assert shown == ["funding_received_gbp"] * len(SCENARIOS)
    assert money.args[1]["yaxis.title.text"] == "Funding received (£)"
    assert money.args[1]["yaxis.tickprefix"] == "£"
    funding = next(t for t in fig.data if t.meta == "funding_received_gbp")
    assert "Funding received: £%{y:,.0f}<br>" in funding.hovertemplate
    rate = by_label["Measure: New burnout episodes"]
    assert rate.args[1]["yaxis.title.text"] == "New burnout episodes (per 100 mentors a year)"
    losses = by_label["Measure: Mentors lost, all causes"]
    assert losses.args[1]["yaxis.title.text"] == "Mentors lost, all causes (% a year)"
    assert yearly.yearly_figure(summary.iloc[0:0], SCENARIOS) is None


def test_yearly_table_lists_every_offered_measure_by_year(tables):
    summary = yearly.yearly_summary(tables.yearly, SCENARIOS)
    offered = list(dict.fromkeys(summary["metric"]))
    html = yearly.yearly_html(summary, SCENARIOS)
    assert html.count("<tr") == 1 + len(offered) * len(SCENARIOS)
    assert html.count('scope="rowgroup"') == len(offered)
    assert "Year 3<div class=\"ci\">weeks 105–130</div>" in html
    assert "Funding received (£)" in html and "£78," in html
    assert "Relationships ending early (%)" in html and "%<small>" in html
    assert "weeks_below_floor" not in html and "nan" not in html.lower()


def test_comparison_page_shows_the_year_by_year_section(tmp_path, tables):
    folder = write_comparison_folder(tmp_path / "cmp", tables)
    built = report.build_dashboard(folder)
    headings = [s.heading for s in built.sections]
    # Right after the weekly view over time.
    over_time = headings.index("How does each programme develop over time?")
    assert headings.index(report.YEARLY_HEADING) == over_time + 1
    section = built.sections[over_time + 1]
    assert section.figure is not None and 'class="data yearly"' in section.html
    assert "Year 3 covers only weeks 105–130" in section.html  # 130-week fixture
    assert "the 4 runs" in section.caption
    assert "Long term investment" in {t.name for t in section.figure.data}


def test_comparison_page_shows_what_ends_relationships_after_how_long_they_last(tmp_path,
                                                                             tables):
    built = report.build_dashboard(write_comparison_folder(tmp_path / "cmp", tables))
    headings = [s.heading for s in built.sections]
    lasting = headings.index("How long do relationships last?")
    assert headings[lasting + 1] == report.ENDINGS_HEADING == "What ends relationships, and when?"
    lasting_section, endings = built.sections[lasting], built.sections[lasting + 1]
    assert "95% interval of the share at each week" in lasting_section.caption
    assert "all runs taken together" in lasting_section.caption
    assert "Of every 100 relationships started" in endings.caption
    assert "add up to 100" in endings.caption and "ways of ending" in endings.caption
    names = {t.name for t in endings.figure.data if "lines" in str(t.mode)}
    assert names == {"Baseline", "Long term investment"}
    assert 'class="note picker screen-only"' in endings.html  # not printed


def test_comparison_page_without_yearly_file_says_so(tmp_path):
    folder = write_comparison_folder(
        tmp_path / "old", comparison_tables(scenarios=tuple(SCENARIOS), with_yearly=False)
    )
    assert not (folder / "yearly.parquet").exists()
    built = report.build_dashboard(folder)
    assert built.figure_count == 8
    assert report.YEARLY_HEADING not in [s.heading for s in built.sections]
    assert report.NO_YEARLY_NOTE in built.html
    page = _outside_plotly_js(built.html)
    assert page.count('class="plotly-graph-div"') == built.figure_count
    assert "table class=\"headline yearly\"" not in page


def test_yearly_file_without_offered_measures_keeps_a_note(tmp_path):
    data = comparison_tables(scenarios=tuple(SCENARIOS))
    data.yearly = data.yearly[[*loading.YEARLY_COLUMNS, "abandonment_rate"]]
    built = report.build_dashboard(write_comparison_folder(tmp_path / "few", data))
    assert built.figure_count == 8
    section = next(s for s in built.sections if s.heading == report.YEARLY_HEADING)
    assert section.figure is None and "none of the year-by-year measures" in section.caption


# ------------------------------------------------------------------------------ loading


def test_missing_folder_and_files_give_clear_errors(tmp_path):
    with pytest.raises(report.ResultsError, match="does not exist"):
        report.write_dashboard(tmp_path / "nowhere")
    folder = write_comparison_folder(tmp_path / "x")
    (folder / "weekly.parquet").unlink()
    expected = r"results folder .*x has no weekly\.parquet \(expected from `mentorsim run`\)"
    with pytest.raises(ValueError, match=expected):
        report.write_dashboard(folder)
    assert not (folder / "dashboard.html").exists()


def test_corrupt_files_are_named(tmp_path):
    folder = write_comparison_folder(tmp_path / "x")
    (folder / "matches.parquet").write_bytes(b"not a parquet file")
    with pytest.raises(report.ResultsError, match=r"corrupt matches\.parquet"):
        loading.load_comparison(folder)
    folder = write_comparison_folder(tmp_path / "y")
    (folder / "manifest.json").write_text("{not json")
    with pytest.raises(report.ResultsError, match=r"corrupt manifest\.json"):
        loading.load_comparison(folder)


def test_missing_columns_are_named(tmp_path):
    data = comparison_tables()
    data.mentors = data.mentors.drop(columns=["exit_reason"])
    folder = write_comparison_folder(tmp_path / "x", data)
    with pytest.raises(report.ResultsError, match=r"mentors\.parquet .* exit_reason"):
        loading.load_comparison(folder)


def test_yearly_file_is_optional_but_checked_when_present(tmp_path):
    old = write_comparison_folder(tmp_path / "old", comparison_tables(with_yearly=False))
    assert loading.load_comparison(old).yearly is None
    folder = write_comparison_folder(tmp_path / "x")
    loaded = loading.load_comparison(folder).yearly
    assert loaded is not None
    assert list(loaded.columns[:5]) == list(loading.YEARLY_COLUMNS)
    assert loaded["year"].dtype == "int64" and loaded["premature_closure_rate"].dtype == float
    (folder / "yearly.parquet").write_bytes(b"not a parquet file")
    with pytest.raises(report.ResultsError, match=r"corrupt yearly\.parquet"):
        loading.load_comparison(folder)
    data = comparison_tables()
    data.yearly = data.yearly.drop(columns=["end_week"])
    folder = write_comparison_folder(tmp_path / "y", data)
    with pytest.raises(report.ResultsError, match=r"yearly\.parquet .* end_week"):
        loading.load_comparison(folder)


def test_sweep_folder_detected_and_validated(tmp_path):
    folder = write_sweep_folder(tmp_path / "s")
    assert loading.is_sweep_folder(folder)
    loaded = loading.load_sweep(folder)
    assert loaded.parameters[:3] == loaded.manifest["levers"]
    assert loaded.units["funding.horizon_years"] == "years"
    (folder / "point_summary.parquet").unlink()
    with pytest.raises(report.ResultsError, match=r"no point_summary\.parquet .*finishes"):
        report.write_dashboard(folder)


# ------------------------------------------------------------------------------- report


def _outside_plotly_js(page: str) -> str:
    return page.replace(get_plotlyjs(), "")


def test_comparison_page_is_self_contained(tmp_path):
    folder = write_comparison_folder(
        tmp_path / "cmp", comparison_tables(scenarios=("baseline", "long_term_investment"))
    )
    path = report.write_dashboard(folder)
    assert path == folder / "dashboard.html"
    assert [p.name for p in folder.iterdir() if p.name.startswith(".dashboard-")] == []
    page = path.read_text(encoding="utf-8")
    assert page.count(get_plotlyjs()) == 1
    rest = _outside_plotly_js(page)
    assert "<script src" not in rest and "<link" not in rest
    assert not re.search(r"https?://", rest)
    assert "mathjax" not in rest.lower()
    built = report.build_dashboard(folder)
    assert built.kind == "comparison"
    assert built.figure_count == 9  # eight views and the year-by-year figure
    assert rest.count('class="plotly-graph-div"') == built.figure_count
    assert [s.heading for s in built.sections].count(report.YEARLY_HEADING) == 1
    assert report.NO_YEARLY_NOTE not in page
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["scenarios"][1]["question"] in page
    assert "Results created 27 November 2025" in page
    assert "mentorsim 0.1.0" in page and "root seed 20211" in page
    assert ", ".join(str(s) for s in manifest["scenarios"][0]["seeds"]) in page
    assert "Long term investment" in page
    for section in built.sections:
        assert section.caption.endswith(".") and section.caption.count(". ") == 0


def test_sweep_page_builds_all_views(tmp_path):
    folder = write_sweep_folder(tmp_path / "sweep")
    built = report.build_dashboard(folder)
    assert built.kind == "sweep"
    assert built.figure_count == 5  # Morris, Sobol, surfaces, scatter, parallel coordinates
    assert "Sweep explorer: fund_x_supervision" in built.html
    assert "root seed 7" in built.html
    assert "⚠ Estimates flagged" in built.html
    assert "11, 12, 13, 14, 15" in built.html  # replication seeds in the footer
    surface = next(s for s in built.sections if s.heading.startswith("How does an outcome"))
    assert surface.figure.layout.xaxis.title.text.endswith("(sessions/month)")


def test_sweep_page_without_sensitivity_says_so(tmp_path):
    folder = write_sweep_folder(tmp_path / "sweep", sweep_tables(with_sensitivity=False))
    built = report.build_dashboard(folder)
    assert built.figure_count == 3
    assert "no sensitivity.csv" in built.html


def test_real_results_folder_builds_the_comparison_page(request, tmp_path):
    folder = real_results_folder(request, tmp_path / "real")
    results = loading.load_comparison(folder)
    built = report.build_dashboard(folder)
    assert built.kind == "comparison" and built.figure_count == 9
    # Every closure reason and exit reason the model writes has a plain-English label.
    known = {r for c in CLOSURE_CATEGORIES for r in c.reasons}
    assert set(results.matches["closure_reason"]) <= known
    assert set(results.mentors["exit_reason"]) <= set(EXIT_REASON_LABELS)
    table = headline.headline_table(results.summary, results.scenarios)
    assert table["headline"].any()
    assert not table["value_text"].str.contains("nan").any()
    # The real run writes yearly.parquet with every registry metric for every year.
    assert results.yearly is not None
    assert set(yearly.YEARLY_METRICS) <= set(results.yearly.columns)
    assert sorted(results.yearly["year"].unique()) == [1, 2]
    section = next(s for s in built.sections if s.heading == report.YEARLY_HEADING)
    offered = yearly.offered_metrics(results.yearly)
    assert offered and set(offered) <= set(yearly.YEARLY_METRICS)
    assert len(section.figure.data) == len(offered) * len(results.scenarios)
    assert "nan" not in section.html.lower()
    for name in results.scenarios:
        assert any(s["name"] == name and s["question"] in built.html
                   for s in results.manifest["scenarios"])
    path = report.write_dashboard(folder)
    assert path.stat().st_size < 8_000_000


def test_sweep_page_with_categorical_and_many_parameters(tmp_path):
    data = sweep_tables(points=60)
    rng = np.random.default_rng(1)
    data.points["matching.policy"] = rng.choice(["any", "lived_experience", "cultural"], 60)
    for k in range(4):  # 9 parameters in all: surfaces keep the 6 most influential
        data.points[f"extra.factor_{k}"] = rng.uniform(0, 1, 60)
    data.manifest["levers"] = [*data.manifest["levers"], "matching.policy"]
    built = report.build_dashboard(write_sweep_folder(tmp_path / "sweep", data))
    assert built.figure_count == 5
    surface = next(s for s in built.sections if s.heading.startswith("How does an outcome"))
    assert len(surface.figure.data) == 15  # C(6, 2) pairs
    assert "6 most influential of 9 parameters" in surface.caption
    parallel = next(s for s in built.sections if s.heading.startswith("Which settings"))
    labels = [d.label for d in parallel.figure.data[0].dimensions]
    assert "matching.policy" in labels
    dim = parallel.figure.data[0].dimensions[labels.index("matching.policy")]
    assert set(dim.ticktext) == {"any", "lived_experience", "cultural"}


@pytest.mark.slow
def test_large_sweep_page_stays_small(tmp_path):
    data = sweep_tables(points=3000)
    path = report.write_dashboard(write_sweep_folder(tmp_path / "sweep", data))
    size = path.stat().st_size
    print(f"sweep with 3000 design points: {size / 1e6:.2f} MB")
    assert size - len(get_plotlyjs()) < 2_000_000


@pytest.mark.slow
def test_five_by_fifty_comparison_stays_under_8_mb(tmp_path):
    scenarios = ("baseline", "long_term_investment", "therapeutic_supervision",
                 "stop_start_funding", "extra_role_tasks")
    data = comparison_tables(scenarios=scenarios, replications=50, weeks=260,
                             matches_per_replication=150, mentors_per_replication=40)
    path = report.write_dashboard(write_comparison_folder(tmp_path / "big", data))
    size = path.stat().st_size
    print(f"5 scenarios x 50 replications x 260 weeks: {size / 1e6:.2f} MB")
    assert size < 8_000_000
    assert size - len(get_plotlyjs()) < 1_000_000  # the data part stays small


def test_survival_marks_only_within_the_data():
    matches = _matches([("a", 0, "completed", 30), ("a", 0, "ongoing", 10)])
    fig = survival.survival_figure(survival.survival_table(matches, ["a"]), ["a"])
    assert [s.x0 for s in fig.layout.shapes] == [26]
    dots = [t for t in fig.data if t.mode == "markers"][0]
    assert list(dots.y) == [pytest.approx(100.0)]  # the one that ended lasted 30 weeks


def test_single_scenario_page_has_no_differences(tmp_path):
    folder = write_comparison_folder(tmp_path / "one", comparison_tables(scenarios=("baseline",)))
    built = report.build_dashboard(folder)
    assert built.figure_count == 9
    assert "than Baseline" not in built.html and "paired" not in built.sections[0].caption


@pytest.mark.slow
def test_real_sweep_folder_builds_the_explorer(tmp_path, capsys):
    folder = real_sweep_folder(tmp_path / "sweep")
    capsys.readouterr()  # the sweep's own progress output is not under test
    results = loading.load_sweep(folder)
    assert results.units["funding.grant_term_years"] == "years"
    built = report.build_dashboard(folder)
    headings = [s.heading for s in built.sections if s.figure is not None]
    assert built.kind == "sweep" and built.figure_count == len(headings) == 4
    assert headings[0].endswith("(Morris screening)")
    morris = built.sections[0].figure
    assert "no confidence interval" in str(morris.data[1].customdata)  # σ has no CI
