"""Honest plausible ranges: an assumed effect's range includes no effect.

A sweep over plausible ranges can only confirm an assumed direction if the ranges leave
out "no effect". Every mechanism strength declares the value at which it does nothing
(``no_effect``); its plausible range must include that value unless a cited source
excludes it, which the declaration says (``excludes_no_effect``). Parameters in the effect
sections that are not strengths (shapes, thresholds, base rates, spreads) are listed here,
each with the reason it has no "no effect" value.
"""

from __future__ import annotations

import pytest

from sim.params import SECTIONS

# Mechanism parameters that are not an effect's strength, with why.
NOT_STRENGTHS = {
    "effects.engagement_base": "a base rate (calibrated)",
    "effects.engagement_neutral_motivation": "where motivation's effect changes sign",
    "effects.engagement_floor": "a bound on a probability",
    "effects.engagement_ceiling": "a bound on a probability",
    "effects.drift_missed_weeks": "a definition of drift",
    "effects.motivation_threshold": "a threshold",
    "effects.burnout_threshold": "a threshold (the definition of burnout)",
    "effects.recovered_below": "a threshold",
    "effects.recovery_base": "a base rate",
    "effects.novice_strain_peak_weeks": "when the strain peaks",
    "effects.dose_saturation_weeks": "the shape of the dose response",
    "effects.early_end_weeks": "a definition of a very early ending",
    "effects.recall_share": "a base rate",
    "effects.linkage_rate": "a base rate",
    "effects.network_min_weeks": "a threshold",
    "effects.network_min_quality": "a threshold",
    "effects.quality_growth": "a base rate of the bond",
    "effects.crisis_closure_share": "a share of crises (calibrated)",
    "effects.low_motivation_hazard": "a base hazard (calibrated)",
    "effects.expectation_hazard": "a base hazard (calibrated)",
    "effects.skill_hazard": "a base hazard (calibrated)",
    "effects.family_hazard": "a base hazard (calibrated)",
    "effects.support_hazard": "a base hazard (calibrated)",
    "effects.mentor_abandon_hazard": "a base hazard (calibrated)",
    "effects.exhaustion_load": "the base rate of exhaustion (calibrated)",
    "relationships.start_quality": "a starting value",
    "relationships.setback_probability": "a base rate",
    "relationships.low_skill_exponent": "the shape of a hazard",
    "relationships.cultural_gap_detail_ratio": "labels a closure only",
    "relationships.expectation_kind_weight": "splits the gap between its two parts",
    "relationships.expectation_length_full_ratio": "the scale of the gap",
    "relationships.expectation_training_hours": "the scale of training's effect",
    "relationships.crisis_weekly": "a base rate",
    "relationships.continuation_max": "a base rate",
    "relationships.extension_share": "a base rate",
    "relationships.rematch_probability": "a programme practice",
    "relationships.extension_length_spread": "a spread",
    "relationships.informal_weeks_mean": "a mean length",
    "growth.competence_share": "a ratio of two growth rates",
    "growth.know_how_weeks": "a time constant",
    "growth.partner_stock_weeks": "a starting stock",
}
EFFECT_SECTIONS = ("effects", "relationships", "growth")


def _declarations() -> dict[str, dict]:
    return {f"{section}.{name}": {**(info.json_schema_extra or {}), "default": info.default}
            for section, model in SECTIONS.items()
            for name, info in model.model_fields.items()}


DECLARED = _declarations()
EFFECTS = {key: d for key, d in DECLARED.items() if "no_effect" in d}


def test_every_mechanism_parameter_is_a_declared_strength_or_listed_with_a_reason() -> None:
    unclassified = [key for key in DECLARED if key.split(".")[0] in EFFECT_SECTIONS
                    and key not in EFFECTS and key not in NOT_STRENGTHS]
    assert not unclassified, (
        f"declare no_effect (the value at which the mechanism does nothing) for {unclassified}"
        ", or list it here with why it is not a strength")
    stale = [key for key in NOT_STRENGTHS if key not in DECLARED or key in EFFECTS]
    assert not stale, f"listed as not a strength but declared one, or unknown: {stale}"


@pytest.mark.parametrize("key", sorted(EFFECTS))
def test_an_assumed_effect_range_includes_no_effect(key: str) -> None:
    d = EFFECTS[key]
    plausible = d.get("plausible")
    why = d.get("excludes_no_effect", "")
    assert plausible is not None, f"{key}: an effect needs a plausible range for sweeps"
    low, high = plausible
    if low <= d["no_effect"] <= high:
        return
    assert why, (f"{key}: plausible range {plausible} leaves out no effect ({d['no_effect']})"
                 " with no cited source that excludes it")
    assert not d["source"].startswith("assumption"), (
        f"{key}: an assumption cannot exclude no effect ({why})")


def test_the_ranges_the_issue_named_now_include_no_effect() -> None:
    for key in ("staff.insecurity_attrition_multiplier", "growth.chaos_insecurity",
                "growth.chaos_inexperience"):
        low, high = EFFECTS[key]["plausible"]
        assert low <= EFFECTS[key]["no_effect"] <= high, key


def test_defaults_sit_inside_their_plausible_ranges() -> None:
    outside = [f"{key} = {d['default']} not in {d['plausible']}" for key, d in DECLARED.items()
               if d.get("plausible") and isinstance(d["default"], int | float)
               and not d["plausible"][0] <= d["default"] <= d["plausible"][1]]
    assert not outside, outside
