"""MentoringModel: the Mesa model that ties agencies, mentors, mentees and matches together."""

from __future__ import annotations

from typing import Any

from mesa import DataCollector, Model

from sim.agents.agency import CLOSED, Agency
from sim.agents.mentee import EARLY_END_WEEKS, FOLLOW_UP_WEEKS, Mentee
from sim.agents.mentor import Mentor
from sim.params import ScenarioParams
from sim.relationship import Match
from sim.rng import Streams

WEEKLY_COLUMNS = (
    "active_matches", "waiting_mentees", "active_mentors", "burnt_out_mentors",
    "matches_started", "matches_ended", "referrals", "mentors_joined", "mentors_left",
    "agencies_funded", "staff_fte", "funding_balance_gbp", "spend_gbp",
)


class MentoringModel(Model):
    """A mentoring programme run by one or more agencies, one step per week.

    Args:
        params: validated scenario parameters.
        seed: the replication's seed; every random decision draws from named streams
            derived from it (see ``sim.rng``), so replication k is comparable across
            scenarios.

    Example:
        >>> from sim.params import ScenarioParams
        >>> model = MentoringModel(ScenarioParams(), seed=1)
        >>> model.run_for(52)
        >>> len(model.weekly_frame()) == 52
        True
    """

    def __init__(self, params: ScenarioParams, seed: int) -> None:
        super().__init__(rng=seed)
        self.p = params
        self.streams = Streams(seed)
        self.week = 0
        self.shock_active = False
        self.agency_list = [Agency(self, i) for i in range(params.programme.agencies)]
        self.mentor_count = 0
        self.mentee_count = 0
        self.match_count = 0
        self.mentor_pool: dict[Mentor, None] = {}
        self.mentee_pool: dict[Mentee, None] = {}
        self.open_matches: dict[Match, None] = {}
        self.match_rows: list[dict[str, Any]] = []
        self.mentor_rows: list[dict[str, Any]] = []
        self.mentee_rows: list[dict[str, Any]] = []
        self.event_rows: list[dict[str, Any]] = []
        self._reset_counters()
        for agency in self.agency_list:  # a programme starts with a trained pool
            for _ in range(params.programme.target_mentors):
                self.recruit_mentor(agency, trained_at_week=0)
            self.log_event(agency, "grant_started")
        self._reset_counters()
        self.datacollector = DataCollector(
            model_reporters={name: name for name in ("week", *WEEKLY_COLUMNS)})

    # --- the weekly schedule --------------------------------------------------------------
    def step(self) -> None:
        """One week, in this order:

        1. funding: grants end, renew or start; an unrenewed grant closes the programme
           (open relationships close as ``programme_closed``);
        2. staff: turnover and hiring; the support contacts and supervision actually
           delivered this week (reorganisation shock and insecurity thin them);
        3. referrals join waiting lists; waiting mentees may give up;
        4. recruitment: agencies recruit towards their target; recruits train first;
        5. matching: waiting mentees are paired with free mentors;
        6. relationships: each meets or not, grows in quality, bridges to services, and
           may end (completion or one of the failure mechanisms);
        7. mentors: exhaustion, burnout, skill growth, exits (their relationships close);
        8. mentees: reoffending (actual and without mentoring), end of follow-up;
        9. accounts: spending and income; then the week's row is recorded.
        """
        self.week += 1
        self.streams.start_week(self.week)
        self._reset_counters()
        self._update_shock()
        agencies = self.agency_list
        for agency in agencies:
            agency.update_funding()
        for agency in agencies:
            agency.update_staff()
        for agency in agencies:
            agency.refer()
            agency.drop_waiting()
        for agency in agencies:
            agency.recruit()
        for agency in agencies:
            agency.match()
        for mentor in self.mentor_pool:
            mentor.plan_week()
        for match in list(self.open_matches):
            ending = match.advance(self)
            if ending is not None:
                self.close_match(match, *ending)
        for mentor in list(self.mentor_pool):
            if mentor in self.mentor_pool:
                mentor.step()
        for mentee in list(self.mentee_pool):
            if mentee in self.mentee_pool:
                mentee.step()
        for agency in agencies:
            agency.account()
        self._record_week()

    # --- events that change who is where ----------------------------------------------
    def refer_mentee(self, agency: Agency) -> Mentee:
        """A new referral joins the agency's waiting list."""
        mentee = Mentee(self, agency, self.mentee_count)
        self.mentee_count += 1
        agency.waiting[mentee] = None
        self.mentee_pool[mentee] = None
        self.referrals += 1
        return mentee

    def mentee_gives_up(self, mentee: Mentee) -> None:
        """A waiting mentee leaves the list unmatched (follow-up continues)."""
        del mentee.agency.waiting[mentee]
        mentee.waiting = False
        mentee.gave_up = not mentee.ever_matched

    def discharge_mentee(self, mentee: Mentee) -> None:
        """Follow-up is over: record the mentee and remove them from the model."""
        self.mentee_rows.append(mentee.record(self.p.run.weeks))
        del self.mentee_pool[mentee]
        mentee.remove()

    def recruit_mentor(self, agency: Agency, trained_at_week: int) -> Mentor:
        """A new mentor joins an agency's books (matchable from ``trained_at_week``)."""
        mentor = Mentor(self, agency, self.mentor_count, trained_at_week)
        self.mentor_count += 1
        agency.mentors[mentor] = None
        self.mentor_pool[mentor] = None
        self.mentors_joined += 1
        return mentor

    def mentor_leaves(self, mentor: Mentor, reason: str) -> None:
        """A mentor exits; each of their relationships closes with a matching reason."""
        closure = ("mentor_moved_on", "paid_work") if reason == "paid_work" else (
            ("programme_closed", "funding_ended") if reason == "programme_closed"
            else ("mentor_abandonment", reason))
        for match in list(mentor.matches):
            self.close_match(match, *closure)
        row = mentor.record()
        row.update(left_week=self.week, exit_reason=reason)
        self.mentor_rows.append(row)
        del mentor.agency.mentors[mentor]
        del self.mentor_pool[mentor]
        self.mentors_left += 1
        mentor.remove()

    def start_match(self, mentor: Mentor, mentee: Mentee) -> Match:
        """Pair a waiting mentee with a mentor."""
        agency = mentee.agency
        match = Match(self.match_count, mentor, mentee, agency, self.week)
        self.match_count += 1
        del agency.waiting[mentee]
        mentee.waiting = False
        mentee.ever_matched = True
        mentee.match = match
        mentor.matches[match] = None
        mentor.mentees_mentored += 1
        agency.matches[match] = None
        self.open_matches[match] = None
        self.matches_started += 1
        return match

    def close_match(self, match: Match, reason: str, detail: str) -> None:
        """End a relationship with exactly one closure reason."""
        if match not in self.open_matches:
            return
        self.match_rows.append(match.record(self.week, reason, detail, self.week))
        del self.open_matches[match]
        del match.agency.matches[match]
        del match.mentor.matches[match]
        mentee = match.mentee
        mentee.match = None
        e = self.p.effects
        if reason != "completed" and match.weeks <= EARLY_END_WEEKS:
            mentee.early_end = True
        if (match.weeks >= 12 and match.quality >= 0.5
                and self.streams.uniform("network", mentee.index) < e.network_probability):
            mentee.network = True
        self.matches_ended += 1
        if self.week >= mentee.referral_week + FOLLOW_UP_WEEKS and mentee in self.mentee_pool:
            self.discharge_mentee(mentee)

    def log_event(self, agency: Agency | None, event: str) -> None:
        """Record a funding or organisational event (agency -1 means every agency)."""
        self.event_rows.append({"week": self.week,
                                "agency_id": -1 if agency is None else agency.index,
                                "event": event})

    # --- bookkeeping ------------------------------------------------------------------
    def _update_shock(self) -> None:
        s = self.p.shock
        if not s.enabled:
            return
        if self.week == s.start_week:
            self.shock_active = True
            self.log_event(None, "reorganisation_started")
        elif self.week == s.start_week + s.duration_weeks:
            self.shock_active = False
            self.log_event(None, "reorganisation_ended")

    def _reset_counters(self) -> None:
        self.matches_started = self.matches_ended = self.referrals = 0
        self.mentors_joined = self.mentors_left = 0
        self.spend_this_week = 0.0

    def _record_week(self) -> None:
        self.active_matches = len(self.open_matches)
        self.waiting_mentees = sum(len(a.waiting) for a in self.agency_list)
        self.active_mentors = len(self.mentor_pool)
        self.burnt_out_mentors = sum(1 for m in self.mentor_pool if m.burnt_out)
        self.agencies_funded = sum(1 for a in self.agency_list if a.status != CLOSED)
        self.staff_fte = sum(a.coordinators + a.supervisors for a in self.agency_list)
        self.funding_balance_gbp = sum(a.balance_gbp for a in self.agency_list)
        self.spend_gbp = self.spend_this_week
        self.datacollector.collect(self)

    def weekly_frame(self):  # noqa: ANN201 - pandas type kept out of the signature
        """The weekly table of this run (one row per week)."""
        frame = self.datacollector.get_model_vars_dataframe()
        return frame.reset_index(drop=True)

    def finish(self) -> None:
        """Record what is still open at the horizon (relationships as ``ongoing``)."""
        for match in self.open_matches:
            self.match_rows.append(match.record(None, "ongoing", "censored", self.week))
        for mentor in self.mentor_pool:
            row = mentor.record()
            row.update(left_week=None, exit_reason="active")
            self.mentor_rows.append(row)
        for mentee in self.mentee_pool:
            self.mentee_rows.append(mentee.record(self.p.run.weeks))
