"""The categories the output tables use: closure reasons, failure factors, risk bands, ...

Kept apart from the agents so that what reads the tables (metrics, summaries, sweep status,
calibration reports) needs neither Mesa nor the model. Each tuple is the full, ordered
category list of a column of :mod:`sim.tables` (written to Parquet as a categorical with
every category, so a category no row has still shows in a count); a value outside its list
is an error when a table is built (:class:`sim.tables.SchemaError`).
"""

from __future__ import annotations

# Every reason a relationship's row can give (``ongoing``: still open at the horizon).
CLOSURE_REASONS = (
    "completed", "mentor_abandonment", "mentee_abandonment", "low_motivation",
    "mismatched_expectations", "relational_skills", "family_interference", "agency_support",
    "mentee_reoffended", "mentor_moved_on", "programme_closed", "ongoing",
)
# What refines a closure reason (``matches.closure_detail``): for ``completed``, where it
# ended (``planned``, ``extended``, ``informal``); for the failure factors, the mechanism
# (``sim.relationship.ENDINGS``); for a mentor's exit, the exit reason; for a closed
# programme, why it closed; ``censored`` for a relationship still open at the horizon.
CLOSURE_DETAILS = (
    "planned", "extended", "informal",
    "drift", "crisis", "burnout", "overload", "programme_chaos", "life_change", "relapse",
    "perceived", "expectations", "cultural_gap", "low_skill", "family", "chaos", "contacts",
    "recalled", "paid_work", "funding_ended", "budget", "censored",
)
FAILURE_FACTORS = {  # closure reason -> which of Spencer's six factors it is
    "mentor_abandonment": "abandonment",
    "mentee_abandonment": "abandonment",
    "low_motivation": "motivation",
    "mismatched_expectations": "expectations",
    "relational_skills": "relational_skills",
    "family_interference": "family",
    "agency_support": "agency_support",
}
# Pre-treatment risk bands: thirds of the risk distribution at referral (see
# ``sim.agents.mentee.RISK_BAND_Z``).
RISK_BANDS = ("low", "medium", "high")
# Mentors: lived experience (peer) or a community volunteer (``sim.agents.mentor.KINDS``).
MENTOR_KINDS = ("community", "peer")
# Why a mentor left (``active``: still on the books at the horizon), and its category
# (``sim.agents.mentor.EXIT_CATEGORIES``).
EXIT_REASONS = ("active", "burnout", "life_change", "relapse", "paid_work", "programme_closed")
EXIT_CATEGORIES = ("active", "negative", "progression", "closure")
# What became of a referral (``sim.agents.mentee.REFERRAL_OUTCOMES``).
REFERRAL_OUTCOMES = ("referred", "lost", "diverted")
# Funding, budget and organisational events (``events.event``).
EVENTS = (
    "grant_started", "grant_renewed", "grant_ended", "offer_planned", "grown", "shrunk",
    "cut", "restored", "bridging_started", "skeleton_started", "programme_closed",
    "reorganisation_started", "reorganisation_ended",
)
# summary.csv: a scenario's own value, or its paired difference against the reference.
STATISTICS = ("value", "paired_difference")
# Sweep sensitivity indices (sensitivity.csv / .parquet): the method and the index.
SENSITIVITY_METHODS = ("morris", "sobol")
SENSITIVITY_INDICES = ("mu_star", "sigma", "S1", "ST")
