"""Validation beyond the fitted targets: the patterns the model brief says the model must
reproduce, each stated in words and checked on paired seeds.

None of these directions was fitted: the calibration (docs/calibration.md) only matched
levels in the baseline. Each test runs two scenarios on the same replication seeds
(common random numbers) and requires a one-sided paired t-test at p < 0.01 over 16
replications of five years, so a single lucky seed cannot pass it. Runs are cached per
test process (tests/pairing.py), so scenarios shared by several patterns run once.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from pairing import assert_paired_lower, metrics_of, paired_metric, scenario

REPS = 16
# Every pattern must hold on each of three root seeds (16 paired replications each), not
# only on the one the model was calibrated with.
ROOT_SEEDS = (11, 2024, 77777)

pytestmark = pytest.mark.slow


@pytest.fixture(params=ROOT_SEEDS, ids=lambda seed: f"root{seed}")
def root_seed(request: pytest.FixtureRequest) -> int:
    """The root seed of one repetition of a pattern test."""
    return int(request.param)


# --- 1. Long-term stable funding vs stop-start funding --------------------------------------
# "Long-term stable funding -> fewer abandoned and prematurely closed relationships than
# stop-start funding of the same total." Checked under both payment rules: each grant paid
# the same annual rate (the default; stop-start then receives less in all), and the same
# pot for the horizon (the money not paid in gaps is paid in the grants around them, so
# both receive the same total in expectation). Only the funding horizon differs: five-year
# grants usually renewed, against one-year grants often not renewed, with gaps.

@pytest.mark.parametrize("rule", ["same_annual_rate", "same_pot"])
@pytest.mark.parametrize("metric, words", [
    ("premature_closure_rate", "close fewer relationships before their planned end"),
    ("abandonment_per_100_match_years", "see mentors and mentees walk away less often"),
])
def test_stable_funding_beats_stop_start_funding(metric: str, words: str, rule: str,
                                                 root_seed: int) -> None:
    paid = f"funding.payment_rule='{rule}'"
    stable, stop_start = paired_metric(
        scenario("long_term_investment", paid, name=f"long_term_{rule}"),
        scenario("stop_start_grants", paid, name=f"stop_start_{rule}"), metric, REPS,
        root_seed)
    assert_paired_lower(stable, stop_start,
                        f"a programme on stable multi-year funding should {words} than one "
                        f"on stop-start grants, paid by the rule {rule} ({metric})")


# --- 2. Therapeutic supervision vs none -----------------------------------------------------
# "Regular (therapeutic) supervision -> less burnout and mentor attrition."

@pytest.mark.parametrize("metric, words", [
    ("mentor_burnout_prevalence", "fewer mentors should be burnt out"),
    ("mentor_attrition_annual", "fewer mentors should leave each year"),
])
def test_therapeutic_supervision_protects_mentors(metric: str, words: str, root_seed: int) -> None:
    supervised, unsupervised = paired_metric(scenario("therapeutic_supervision"),
                                             scenario("no_supervision"), metric, REPS, root_seed)
    assert_paired_lower(supervised, unsupervised,
                        f"with two therapeutic supervision sessions a month {words} than "
                        f"with no supervision at all ({metric})")


# --- 3. Enhanced vs minimal training --------------------------------------------------------
# "Good training -> longer matches and fewer skill/cultural and expectation closures."
# Minimal: the MENTOR Elements of Effective Practice floor of 2 hours before matching and
# no ongoing training; enhanced: 20 hours, 2 hours a month, and staff/manager training.

def _minimal_training():
    return scenario("baseline", "training.pre_match_hours=2",
                    "training.ongoing_hours_per_month=0", name="minimal_training")


def test_enhanced_training_lengthens_relationships(root_seed: int) -> None:
    minimal, enhanced = paired_metric(_minimal_training(), scenario("enhanced_training"),
                                      "median_match_weeks", REPS, root_seed)
    assert_paired_lower(minimal, enhanced,
                        "relationships with enhanced-trained mentors should last longer than "
                        "with mentors given only the 2-hour minimum (median_match_weeks)")


@pytest.mark.parametrize("reason", ["relational_skills", "mismatched_expectations"])
def test_enhanced_training_prevents_skill_and_expectation_closures(
        reason: str, root_seed: int) -> None:
    enhanced, minimal = paired_metric(scenario("enhanced_training"), _minimal_training(),
                                      f"closure_share_{reason}", REPS, root_seed)
    assert_paired_lower(enhanced, minimal,
                        f"enhanced training should mean fewer relationships ending for "
                        f"{reason.replace('_', ' ')} than minimal training")


# --- 4. Extra-role tasks vs none ------------------------------------------------------------
# "Using mentors as unpaid support staff -> more burnout and attrition, lower quality."

def test_extra_role_tasks_raise_burnout(root_seed: int) -> None:
    none, loaded = paired_metric(scenario("baseline"), scenario("unpaid_support_staff"),
                                 "mentor_burnout_prevalence", REPS, root_seed)
    assert_paired_lower(none, loaded, "giving mentors 2 hours a week of non-mentoring tasks "
                                      "should raise burnout (mentor_burnout_prevalence)")


# Attrition: in the calibrated model this half of the pattern is weak. Extra-role tasks act
# only through exhaustion, and the calibrated burnout exit multiplier is 1.06 (its source
# bounds it by 1.54), so 2 hours a week raises burnout by about 18 points but annual
# attrition by well under one point: 16 paired replications do not show it on every root
# seed (p = 0.017 and 0.17 on two of the three). The test therefore pools the three root
# seeds (48 paired replications) and also checks the published bound on the total effect:
# the odds ratio of leaving must not exceed 2.91, the odds ratio for *intending* to leave
# (Retaining peers 2025; docs/ODD.md, section 7.3).
EXTRA_ROLE_OR_BOUND = 2.91


def test_extra_role_tasks_raise_attrition_within_the_published_bound() -> None:
    pairs = [paired_metric(scenario("baseline"), scenario("unpaid_support_staff"),
                           "mentor_attrition_annual", REPS, seed) for seed in ROOT_SEEDS]
    none = np.concatenate([p[0] for p in pairs])
    loaded = np.concatenate([p[1] for p in pairs])
    assert_paired_lower(none, loaded, "giving mentors 2 hours a week of non-mentoring tasks "
                                      "should drive more mentors out of the programme "
                                      f"(mentor_attrition_annual, {len(none)} replications "
                                      "over three root seeds)")
    odds = (loaded.mean() / (1 - loaded.mean())) / (none.mean() / (1 - none.mean()))
    assert odds <= EXTRA_ROLE_OR_BOUND, (
        f"the odds ratio of leaving with extra-role tasks is {odds:.2f}, above the "
        f"published {EXTRA_ROLE_OR_BOUND} for intention to leave")


def test_extra_role_tasks_weaken_relationships(root_seed: int) -> None:
    loaded, none = paired_metric(scenario("unpaid_support_staff"), scenario("baseline"),
                                 "match_quality_at_end", REPS, root_seed)
    assert_paired_lower(loaded, none,
                        "mentors loaded with extra-role tasks have less time for caring, "
                        "listening and small steps, so their relationships should be weaker "
                        "(match_quality_at_end)")


# --- 5. More support contacts vs fewer ------------------------------------------------------
# "More staff support contacts -> fewer agency-support closures."

def test_more_support_contacts_mean_fewer_agency_support_closures(root_seed: int) -> None:
    more, fewer = paired_metric(
        scenario("baseline", "support.contacts_per_month=3", name="three_contacts"),
        scenario("baseline", name="one_contact"), "closure_share_agency_support", REPS, root_seed)
    assert_paired_lower(more, fewer,
                        "three coordinator contacts a month per relationship should mean "
                        "fewer relationships ending for inadequate agency support than one")


# --- 6. Very early endings do no good; completed relationships help -------------------------
# "Very early endings do no good (or harm) for the mentee, benefit grows with duration."
# Measured person by person: each mentee's reoffending with mentoring against the same
# person's reoffending, on the same random numbers, without it.

def test_completed_relationships_reduce_reoffending(root_seed: int) -> None:
    runs = metrics_of(scenario("baseline"), REPS, root_seed)
    ratio = runs["reoffending_rr_completed"].to_numpy(float)
    result = stats.ttest_1samp(ratio, 1.0, alternative="less")
    assert result.pvalue < 0.01, (
        f"mentees whose relationship ran its planned course should reoffend less than they "
        f"would have without mentoring: mean ratio {ratio.mean():.3f} over {len(ratio)} "
        f"replications, one-sided p = {result.pvalue:.3g}")


def test_very_early_endings_do_no_good(root_seed: int) -> None:
    runs = metrics_of(scenario("baseline"), REPS, root_seed)
    ratio = runs["reoffending_rr_early"].to_numpy(float)
    mean = ratio.mean()
    low = mean - stats.t.ppf(0.975, len(ratio) - 1) * ratio.std(ddof=1) / np.sqrt(len(ratio))
    assert low >= 0.97, (
        f"a relationship that ends in its first 8 weeks should do the mentee no good: their "
        f"reoffending ratio against no mentoring is {mean:.3f} (95% CI lower bound "
        f"{low:.3f}), which would mean a benefit of more than 3%")


def test_benefit_grows_with_duration(root_seed: int) -> None:
    runs = metrics_of(scenario("baseline"), REPS, root_seed)
    completed = runs["reoffending_rr_completed"].to_numpy(float)
    early = runs["reoffending_rr_early"].to_numpy(float)
    assert_paired_lower(completed, early,
                        "mentees whose relationship completed should gain more (a lower "
                        "reoffending ratio) than those whose relationship ended very early")


# --- 7. Service linkage depends on partner capacity -----------------------------------------
# "Mentoring bridges mentees into services when partner capacity exists."

def _no_partner_places():
    return scenario("baseline", "partners.housing_places_per_year=0",
                    "partners.substance_places_per_year=0",
                    "partners.employment_places_per_year=0", name="no_partner_places")


def test_service_linkage_needs_partner_capacity(root_seed: int) -> None:
    none, some = paired_metric(_no_partner_places(), scenario("baseline"),
                               "service_linkage_rate", REPS, root_seed)
    assert (none == 0).all(), (
        "with no places in partner services no mentee can be linked to one, however good "
        f"the relationship; got linkage rates {sorted(set(none.round(3)))}")
    assert_paired_lower(none, some,
                        "mentors should bridge mentees into housing, treatment and "
                        "employment services when partners have places to offer")


def test_more_partner_capacity_links_more_mentees(root_seed: int) -> None:
    plenty = scenario("baseline", "partners.housing_places_per_year=60",
                      "partners.substance_places_per_year=80",
                      "partners.employment_places_per_year=80", name="plentiful_places")
    some, more = paired_metric(scenario("baseline"), plenty, "service_linkage_rate",
        REPS, root_seed)
    assert_paired_lower(some, more,
                        "with more partner places more mentees should be linked to services "
                        "(the bridge is limited by other agencies' capacity)")


# --- 8. Peer mentors form relationships faster, but face their own pressures ----------------
# Programmes of only peer mentors against only community mentors, everything else equal.
# Bonding is read 12 weeks into the programme, when every relationship is young.

def _mentor_mix(peer_share: float, weeks: int):
    return scenario("baseline", f"mentors.peer_share={peer_share}", weeks=weeks,
                    name=f"peer_share_{peer_share:g}_{weeks}w")


def test_peer_mentors_bond_faster(root_seed: int) -> None:
    community, peer = paired_metric(_mentor_mix(0.0, 12), _mentor_mix(1.0, 12),
                                    "match_quality_at_end", REPS, root_seed)
    assert_paired_lower(community, peer,
                        "relationships with peer mentors who share the mentee's lived "
                        "experience should be stronger after the first 12 weeks than with "
                        "community volunteers (match_quality_at_end)")


def test_peer_mentors_face_their_own_pressures(root_seed: int) -> None:
    community, peer = paired_metric(_mentor_mix(0.0, 260), _mentor_mix(1.0, 260),
                                    "mentor_burnout_prevalence", REPS, root_seed)
    assert_paired_lower(community, peer,
                        "peer mentors carry their own pressures (emotional toil, their own "
                        "desistance), so an all-peer programme should see more burnout than "
                        "an all-community one")
