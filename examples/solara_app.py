"""Watch a programme week by week in Mesa's SolaraViz (pip install -e ".[viz]").

    solara run examples/solara_app.py

(or show ``page`` in a Jupyter cell). The sliders are keyword levers; Reset rebuilds the
model with them, on the seed typed in the box (empty: a fresh seed, as Mesa does). The
charts are columns of the weekly table (``mentorsim tables``). Solara's page loads its
front end from the internet; offline, ``solara.render(page)`` still builds it.
"""

from __future__ import annotations

from mesa.visualization import SolaraViz, make_plot_component

from sim.model import MentoringModel

model_params = {  # keys are MentoringModel's keyword arguments
    "supervision__sessions_per_month": {"type": "SliderFloat", "value": 1.0, "min": 0.0,
                                        "max": 4.0, "step": 0.5,
                                        "label": "Supervision sessions a month"},
    "funding__grant_term_years": {"type": "SliderFloat", "value": 2.0, "min": 1.0,
                                  "max": 5.0, "step": 1.0, "label": "Grant term (years)"},
    "rng": {"type": "InputText", "value": "1", "label": "Seed"},
    "run__weeks": 260,
    "report_metrics": False,  # the weekly charts need no end-of-run metrics
}

page = SolaraViz(
    MentoringModel(rng=1, run__weeks=260, report_metrics=False),
    components=[make_plot_component(["active_mentors", "burnt_out_mentors", "active_matches"]),
                make_plot_component("waiting_mentees")],
    model_params=model_params,
    name="mentorsim: a mentoring programme week by week",
)
