"""The dashboard without a browser: the PDF command's message without Chromium, the
scenario picker of the time-series charts and the cost cards."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboards import costs, palette, pdf
from sim.cli import main

try:  # pytest's default "prepend" import mode puts tests/ itself on sys.path
    from dashboard_fixtures import comparison_tables, write_comparison_folder
except ModuleNotFoundError:  # pragma: no cover - when tests/ is imported as a package
    from tests.dashboard_fixtures import comparison_tables, write_comparison_folder


def test_pdf_without_chromium_says_how_to_get_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MENTORSIM_CHROMIUM", str(tmp_path / "no-such-browser"))
    folder = write_comparison_folder(tmp_path / "r", comparison_tables())
    assert main(["dashboard", str(folder), "--pdf"]) == 1
    err = capsys.readouterr().err
    assert "Chromium was not found" in err and "apt-get install chromium" in err
    assert (folder / "dashboard.html").exists()  # the page itself is still written
    assert not (folder / pdf.PDF_FILE).exists()


def _figure(scenarios: list[str]) -> go.Figure:
    fig = go.Figure()
    for name in scenarios:
        fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], legendgroup=name, showlegend=False))
        fig.add_trace(go.Scatter(x=[0, 1], y=[1, 2], legendgroup=name, name=name))
        fig.add_trace(go.Scatter(x=[0], y=[0], legendgroup="event-grant_ended",
                                 uid=f"scenario:{name}:grant_ended"))
    fig.add_trace(go.Scatter(x=[None], y=[None], legendgroup="event-grant_ended"))
    return fig


def test_picker_leaves_few_scenarios_alone():
    fig = _figure(["a", "b", "c"])
    caption = palette.scenario_picker(fig, ["a", "b", "c"])
    assert "legend" in caption
    assert not fig.layout.updatemenus
    assert all(t.visible is None for t in fig.data)


def test_picker_shows_every_scenario_and_offers_pairs():
    names = ["a", "b", "c", "d", "e", "f"]
    fig = _figure(names)
    caption = palette.scenario_picker(fig, names)
    assert "All 6 scenarios are shown" in caption and "menu" in caption
    assert all(t.visible in (None, True) for t in fig.data)  # nothing hidden at first
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == ["All 6 scenarios"] + [f"a and {n}" for n in names[1:]]
    owners = [palette.trace_scenario(t, names) for t in fig.data]
    pair = buttons[4].args[0]["visible"]  # "a and e"
    assert {o for o, v in zip(owners, pair, strict=True) if v is True} == {"a", "e", None}


def test_cost_cards_show_money_and_shortfall():
    tables = comparison_tables(scenarios=("baseline", "long_term_investment"))
    summary = tables.summary.copy()
    is_balance = (summary["metric"] == "final_balance_gbp") & (
        summary["statistic"] == "value")
    summary.loc[is_balance & (summary["scenario"] == "baseline"), "mean"] = -1234.4
    summary.loc[is_balance & (summary["scenario"] == "long_term_investment"), "mean"] = 500.0
    html = costs.cost_cards_html(summary, ["baseline", "long_term_investment"])
    assert html.count('class="card"') == 2
    assert '<dd class="shortfall">\u2212' not in html  # an amount, not a negative one
    assert '<dd class="shortfall">£1,234</dd>' in html
    assert "<dt>Shortfall</dt><dd>None</dd>" in html
    assert "\u2212£1,234" in html  # the balance itself, with a true minus sign
    assert costs.shortfall_gbp({}) is None
