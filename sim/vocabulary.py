"""The categories the output tables use: closure reasons, failure factors, risk bands.

Kept apart from the agents so that what reads the tables (metrics, summaries, sweep status,
calibration reports) needs neither Mesa nor the model.
"""

from __future__ import annotations

# Every reason a relationship's row can give (``ongoing``: still open at the horizon).
CLOSURE_REASONS = (
    "completed", "mentor_abandonment", "mentee_abandonment", "low_motivation",
    "mismatched_expectations", "relational_skills", "family_interference", "agency_support",
    "mentee_reoffended", "mentor_moved_on", "programme_closed", "ongoing",
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
