"""MentoringModel: the Mesa model that ties agencies, mentors, mentees and matches together."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from mesa import DataCollector, Model
from mesa.experimental.scenarios import Scenario

from sim import relationship
from sim.agents import mentee as mentees
from sim.agents import mentor as mentors
from sim.agents.agency import Agency, drop_waiting, match_waiting
from sim.agents.mentee import (
    DIVERTED,
    FOLLOW_UP_WEEKS,
    LOST,
    Mentee,
    mentee_columns,
    step_mentees,
)
from sim.agents.mentor import (
    EXIT_REASON_CODES,
    Mentor,
    mentor_columns,
    step_mentors,
)
from sim.collector import WeeklyCollector
from sim.mesa_scenario import DEFAULT_SCENARIO, ProgrammeScenario, scenario_arguments
from sim.params import ScenarioParams
from sim.relationship import DETAIL_CODES, REASON_CODES, Match, match_columns
from sim.rng import Streams, fresh_seed, seed_from
from sim.state import UNSET, Columns
from sim.tables import WEEKLY

# The weekly table's reporters: model attributes of the same names, declared with type,
# unit and meaning in sim/tables.py (``week`` is the model's clock, reported first).
WEEKLY_COLUMNS = tuple(name for name in WEEKLY.names if name != "week")
# Early endings after which the programme may offer the mentee a new mentor: the mentor or
# the pairing failed, not the mentee's own circumstances.
REMATCHED_AFTER = ("mentor_abandonment", "mentor_moved_on", "relational_skills",
                   "mismatched_expectations")


class MentoringModel(Model):
    """A mentoring programme run by one or more agencies, one step per week.

    Two ways to build one, validated the same way as a scenario file:

    * the Mesa way, a scenario name (or TOML path) and keyword levers named
      ``section__key`` (``supervision__sessions_per_month=2``, ``run__weeks=104``):
      ``MentoringModel(scenario="baseline", rng=1, supervision__sessions_per_month=2)``,
      so ``mesa.batch_run(MentoringModel, {"supervision__sessions_per_month": [0, 1, 2]},
      rng=[1, 2], max_steps=260)`` works; a mistake raises :class:`sim.errors.ScenarioError`
      naming the key, the value and what is allowed;
    * from validated parameters: ``MentoringModel(params, seed)`` (what the runner does).

    Args:
        params: validated scenario parameters (then ``scenario`` and levers are not used).
        seed: the replication's seed (``rng`` is the same, by Mesa's name); every random
            decision draws from named streams derived from it (see ``sim.rng``), so
            replication k is comparable across scenarios. ``None`` (both), as in Mesa: a
            fresh seed from the operating system, recorded in :attr:`seed` (and in
            ``batch_run``'s rows), so ``batch_run(..., rng=[None] * 5)`` gives five
            different runs. (The CLI and sweeps always give seeds: ``run.seed``.)
        scenario: a bundled scenario name or a path to a scenario file, or a Mesa scenario
            object (:class:`sim.mesa_scenario.ProgrammeScenario`, as SolaraViz's Reset
            passes back) holding the scenario name, levers and seed.
        rng: the seed, as Mesa passes it: an integer (or one typed as text, as SolaraViz's
            InputText gives), a ``numpy.random.Generator`` (a seed is drawn from it), or
            ``None``.
        report_metrics: at the horizon, compute every run metric of ``mentorsim metrics``
            into :attr:`run_metrics` and report each as a model reporter of the same name
            (NaN until the horizon), which is what ``batch_run`` returns for the last step.
        agent_snapshot_weeks: every this many weeks (0: never), record every mentor's and
            mentee's state through Mesa's DataCollector (``agenttype_reporters``) in
            :attr:`agent_datacollector` (``get_agenttype_vars_dataframe(Mentee)``).
        **levers: parameter values named ``section__key``.

    ``model.steps`` counts measured weeks: an established programme's burn-in runs before
    Mesa's clock starts. ``running`` becomes False at the horizon, so ``run_model()`` stops.
    A run stopped short of it (``batch_run``'s ``max_steps``, ``run_for``) reports, when its
    DataCollector is read, the metrics of the weeks run so far, with a warning
    (:class:`sim.collector.WeeklyCollector`).

    Example:
        >>> model = MentoringModel(scenario="baseline", rng=1, run__weeks=52)
        >>> model.run_model()
        >>> model.steps, len(model.weekly_frame()), model.running
        (52, 52, False)
    """

    def __init__(self, params: ScenarioParams | None = None, seed: int | None = None, *,
                 scenario: str | os.PathLike[str] | Scenario = DEFAULT_SCENARIO,
                 rng: Any = None, report_metrics: bool = True, agent_snapshot_weeks: int = 0,
                 **levers: Any) -> None:
        name, rng, levers = scenario_arguments(scenario, rng, levers)
        if params is None:
            from sim.scenario import load_scenario  # validation lives with the files

            loaded = load_scenario(name, values=lever_values(levers))
            params, name = loaded.params, loaded.name
        elif levers:
            raise TypeError("give either validated params or keyword levers, not both")
        seed = _seed(seed, rng)
        self.seed = seed
        super().__init__(rng=seed, scenario=ProgrammeScenario(rng=seed, scenario_name=name,
                                                              **levers))
        self.p = params
        self.scenario_name = name
        self.report_metrics = report_metrics
        self.run_metrics: dict[str, float] = {}
        self.agent_snapshot_weeks = int(agent_snapshot_weeks)
        self._finished = False
        self.streams = Streams(seed)
        start_new = params.programme.start == "new"
        burn_in = 0 if start_new else params.programme.burn_in_weeks
        # Weeks of the burn-in are numbered up to 0, so week 1 is the first measured week
        # in every scenario and every start.
        self.week = -burn_in
        self.shock_active = False
        # State lives in columns (one row per entity, see sim.state); the agents and
        # matches below are views of their rows, kept in index order.
        self.mentors = mentor_columns()
        self.mentees = mentee_columns()
        self.matches = match_columns()
        self.mentor_agents: list[Mentor] = []
        self.mentee_agents: list[Mentee] = []
        # The parameter values every recruit's and referral's trait draws use, once.
        self.recruit_traits = mentors.TraitParams.of(params)
        self.referral_traits = mentees.TraitParams.of(params)
        self.match_views: list[Match] = []
        self.novice_strain_by_tenure = mentors.novice_strain_table(
            params.effects, burn_in + params.run.weeks)
        self.linkage_cut_by_count = mentees.linkage_cuts(params.effects)
        self.agency_list = [Agency(self, i, start_new)
                            for i in range(params.programme.agencies)]
        # Events are rows; mentors, mentees and relationships are read from their columns
        # when a table is built (a row keeps its state from the week it left: see
        # ``tables``).
        self.event_rows: list[dict[str, Any]] = []
        self._reset_counters()
        if not start_new:  # an established programme has a trained pool...
            for agency in self.agency_list:
                self.recruit_mentors(agency, agency.target_mentors, trained_at_week=self.week)
            # ...and has run long enough to be in a steady state. The burn-in runs the
            # week directly, not through Mesa's clock, so model.steps counts measured weeks.
            for _ in range(burn_in):
                type(self).step(self)
        self._start_measuring()

    def _start_measuring(self) -> None:
        """Discard what the burn-in recorded and start the funding clock at week 1 (the
        entities that left in the burn-in, in weeks up to 0, are not in the tables)."""
        self.event_rows.clear()
        self.mentors.burnout_episodes[:] = 0
        for agency in self.agency_list:
            agency.start_clock()
        self._reset_counters()
        metrics: tuple[str, ...] = ()
        if self.report_metrics:
            from sim.metrics import METRICS

            metrics = tuple(METRICS)
            clash = set(metrics) & {"week", *WEEKLY_COLUMNS}
            assert not clash, f"metrics named like weekly columns: {sorted(clash)}"
        self.datacollector = WeeklyCollector(("week", *WEEKLY_COLUMNS), metrics, self)
        self.agent_datacollector: DataCollector | None = None
        if self.agent_snapshot_weeks > 0:
            self.agent_datacollector = DataCollector(agenttype_reporters={
                Mentor: _column_reporters(Mentor), Mentee: _column_reporters(Mentee)})

    # --- the weekly schedule --------------------------------------------------------------
    # An extreme accepted value (a mentor with almost no hours) can overflow the array
    # arithmetic to inf or NaN, as scalar arithmetic would, silently; numpy would warn.
    @np.errstate(over="ignore", invalid="ignore")
    def step(self) -> None:
        """One week, in this order:

        1. funding: grants end, renew or start; an unrenewed grant closes the programme
           (open relationships close as ``programme_closed``) or, with a skeleton reserves
           policy, leaves it running on reserves; at each budget review the agency cuts
           or restores one step of its offer (``sim.budget``);
        2. staff: turnover and hiring (unless frozen); the support contacts and
           supervision actually delivered this week, up to staff capacity (reorganisation
           shock and insecurity thin them);
        3. referrals arrive (the same people in every scenario) and join waiting lists
           when the programme takes referrals, or are lost; waiting mentees may give up;
        4. recruitment: agencies recruit towards their target; recruits train first;
        5. matching: waiting mentees are paired with free mentors;
        6. relationships: each meets or not, grows in quality, bridges to services, and
           may end (at its commitment point as planned, or extended or carried on
           informally; or through one of the failure mechanisms); some early endings put
           the mentee back on the waiting list for a new mentor;
        7. mentors: exhaustion (workload, extra-role tasks, distress, organisational
           stress, the strain of the first months), burnout, skill growth, exits (their
           relationships close);
        8. mentees: family context changes; informal contact adds to the dose;
           reoffending (actual and without mentoring), end of follow-up;
        9. accounts: spending (charged as delivered) and income; a balance fallen below
           the reserve floor with no cut in force is cut at once; then the week's row is
           recorded (from week 1: an established programme's burn-in is not recorded).
        """
        self.week += 1
        self.streams.start_week(self.week)
        self._reset_counters()
        self._update_shock()
        agencies = self.agency_list
        for agency in agencies:
            agency.update_funding()
        self.count_on_books()
        for agency in agencies:
            agency.update_staff()
        self.refer_mentees([agency.referrals() for agency in agencies])
        drop_waiting(self)
        for agency in agencies:
            agency.recruit()
        match_waiting(self)
        mentors.plan_week(self, self.mentors.live())
        ended, endings = relationship.advance(self)
        for row, ending in zip(ended.tolist(), endings, strict=True):
            self.close_match(self.match_views[row], *ending)
        step_mentors(self)
        step_mentees(self)
        self.count_on_books()
        for agency in agencies:
            agency.account()
        if self.week >= 1:
            self._record_week()
            if self.week == self.p.run.weeks:
                self._reach_horizon()

    # --- events that change who is where ----------------------------------------------
    def refer_mentees(self, counts: list[int]) -> None:
        """This week's referrals, ``counts[i]`` to agency ``i``, in agency order (their
        traits drawn together, :func:`sim.agents.mentee.referral_traits`). Each joins the
        waiting list if the programme is taking referrals; otherwise it is lost (closed,
        in set-up or on a skeleton service), and a reorganisation diverts a share of
        referrals before they are made. Either way the person is followed up, so every
        arrival has the same index in every scenario."""
        count = sum(counts)
        if count <= 0:
            return
        c = self.mentees
        first = c.size
        traits = mentees.referral_traits(self.streams.entity_key("mentee"), first, count,
                                         self.referral_traits)
        agency_of = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
        rows = c.add_many(count, agency=agency_of, referral_week=self.week,
                          match=UNSET, waiting=True, reoffence_week=UNSET,
                          counterfactual_reoffence_week=UNSET,
                          **dict(zip(mentees.TRAIT_COLUMNS, traits, strict=True)))
        diverted = (self.streams.uniforms("referral_diverted", np.asarray(rows))
                    < self.p.shock.referral_drop if self.shock_active
                    else np.zeros(count, dtype=bool))
        outcome = c.referral_outcome
        row = first
        for agency, arrived in zip(self.agency_list, counts, strict=True):
            open_ = agency.open_for_referrals
            for _ in range(arrived):
                mentee = Mentee(self, agency, row)
                self.mentee_agents.append(mentee)
                if diverted[row - first]:
                    outcome[row] = DIVERTED
                    c.waiting[row] = False
                elif not open_:
                    outcome[row] = LOST
                    c.waiting[row] = False
                    self.lost_referrals += 1
                else:
                    agency.waiting[mentee] = None
                    self.referrals += 1
                row += 1

    def mentee_gives_up(self, mentee: Mentee) -> None:
        """A waiting mentee leaves the list unmatched (follow-up continues)."""
        del mentee.agency.waiting[mentee]
        mentee.waiting = False
        mentee.gave_up = not mentee.ever_matched

    def discharge_mentee(self, mentee: Mentee) -> None:
        """Follow-up is over: the mentee leaves the model (their row is their record)."""
        self.mentees.left_week[mentee.index] = self.week
        self.mentees.remove(mentee.index)
        mentee.remove()

    def recruit_mentors(self, agency: Agency, count: int, trained_at_week: int
                        ) -> list[Mentor]:
        """``count`` new mentors join an agency's books (matchable from
        ``trained_at_week``), their traits drawn together
        (:func:`sim.agents.mentor.recruit_traits`)."""
        if count <= 0:
            return []
        c = self.mentors
        traits = mentors.recruit_traits(self.streams.entity_key("mentor"), c.size, count,
                                        self.recruit_traits)
        rows = c.add_many(count, agency=agency.index, joined_week=self.week,
                          trained_at_week=trained_at_week, time_factor=1.0,
                          **dict(zip(mentors.TRAIT_COLUMNS, traits, strict=True)))
        joined = [Mentor(self, agency, row) for row in rows]
        for mentor in joined:
            agency.mentors[mentor] = None
        self.mentor_agents.extend(joined)
        self.mentors_joined += count
        return joined

    def mentor_leaves(self, mentor: Mentor, reason: str) -> None:
        """A mentor exits; each of their relationships closes with a matching reason."""
        closure = ("mentor_moved_on", "paid_work") if reason == "paid_work" else (
            ("programme_closed", "funding_ended") if reason == "programme_closed"
            else ("mentor_abandonment", reason))
        for match in list(mentor.matches):
            self.close_match(match, *closure)
        c = self.mentors
        c.left_week[mentor.index] = self.week
        c.exit_reason[mentor.index] = EXIT_REASON_CODES[reason]
        del mentor.agency.mentors[mentor]
        self.mentors.remove(mentor.index)
        self.mentors_left += 1
        mentor.remove()

    def start_match(self, mentor: Mentor, mentee: Mentee) -> Match:
        """Pair a waiting mentee with a mentor."""
        agency = mentee.agency
        match = Match(self, self.matches.size, mentor, mentee, agency, self.week)
        self.match_views.append(match)
        del agency.waiting[mentee]
        # Written in the columns directly (what the agents' attributes would write).
        person = mentee.index
        mentees = self.mentees
        mentees.waiting[person] = False
        mentees.ever_matched[person] = True
        mentees.match[person] = match.index
        mentor.matches[match] = None
        self.mentors.open_matches[mentor.index] += 1
        self.mentors.mentees_mentored[mentor.index] += 1
        agency.matches[match] = None
        self.matches_started += 1
        return match

    def close_match(self, match: Match, reason: str, detail: str) -> None:
        """End a relationship with exactly one closure reason."""
        # The match's, mentor's and mentee's state is read and written in their columns
        # directly (the same values their attributes give and take).
        matches, mentees = self.matches, self.mentees
        row = match.index
        if not matches.alive[row]:
            return
        matches.end_week[row] = self.week
        matches.reason[row] = REASON_CODES[reason]
        matches.detail[row] = DETAIL_CODES[detail]
        matches.remove(row)
        del self.agency_list[matches.agency.item(row)].matches[match]
        mentor_row = matches.mentor.item(row)
        del self.mentor_agents[mentor_row].matches[match]
        self.mentors.open_matches[mentor_row] -= 1
        person = matches.mentee.item(row)
        mentee = self.mentee_agents[person]
        mentees.match[person] = UNSET
        weeks = matches.weeks.item(row)
        e = self.p.effects
        if reason != "completed" and weeks <= e.early_end_weeks:
            mentees.early_end[person] = True
        if (weeks >= e.network_min_weeks and matches.quality.item(row) >= e.network_min_quality
                and self.streams.uniform("network", person) < e.network_probability):
            mentees.network[person] = True
        self.matches_ended += 1
        if (self.week >= mentees.referral_week.item(person) + FOLLOW_UP_WEEKS
                and mentees.alive[person]):
            self.discharge_mentee(mentee)
        elif (reason in REMATCHED_AFTER and weeks < matches.planned_weeks.item(row)
              and mentee.agency.open_for_referrals
              and self.streams.uniform("rematch", person)
              < self.p.relationships.rematch_probability):
            # A new mentor after the mentor or the pairing failed (Herrera et al. 2007: a
            # tenth of mentees rematched). The dose already received carries on.
            mentee.agency.waiting[mentee] = None
            mentees.waiting[person] = True

    def log_event(self, agency: Agency | None, event: str, amount_gbp: float | None = None,
                  detail: str = "") -> None:
        """Record a funding, budget or organisational event (agency -1 means every agency).

        Args:
            agency: the agency, or None for the whole programme.
            event: e.g. ``grant_started``, ``cut``, ``restored``, ``programme_closed``.
            amount_gbp: money the event is about, in GBP a year (a grant's yearly payment,
                a cut's estimated yearly saving), when there is one.
            detail: which step was cut or restored and why, or why a programme closed.
        """
        self.event_rows.append({"week": self.week,
                                "agency_id": -1 if agency is None else agency.index,
                                "event": event, "amount_gbp": amount_gbp, "detail": detail})

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
        self.lost_referrals = 0
        self.burnout_onsets = 0
        self.spend_this_week = 0.0
        self.income_this_week = 0.0

    def _record_week(self) -> None:
        self.active_matches = len(self.matches.live())
        self.waiting_mentees = sum(len(a.waiting) for a in self.agency_list)
        live = self.mentors.live()
        self.active_mentors = len(live)
        self.burnt_out_mentors = int(np.count_nonzero(self.mentors.burnt_out[live]))
        agencies = self.agency_list
        self.agencies_funded = sum(1 for a in agencies if a.funded)
        self.staff_fte = sum(a.coordinators + a.supervisors for a in agencies)
        self.funding_balance_gbp = sum(a.balance_gbp for a in agencies)
        self.spend_gbp = self.spend_this_week
        self.income_gbp = self.income_this_week
        self.agencies_below_floor = sum(
            1 for a in agencies if a.funded and a.balance_gbp < a.floor_gbp())
        self.cuts_in_force = sum(a.budget.depth for a in agencies)
        self.agencies_money_bound = sum(1 for a in agencies if a.money_bound)
        self.support_contacts_offered = sum(a.contacts_offered for a in agencies)
        self.support_contacts_delivered = sum(a.contacts_delivered for a in agencies)
        self.supervision_sessions_offered = sum(a.sessions_offered for a in agencies)
        self.supervision_sessions_delivered = sum(a.sessions_delivered for a in agencies)
        self.extra_role_hours = sum(len(a.mentors) * a.extra_role_hours for a in agencies)
        self.datacollector.collect(self)
        if self.agent_datacollector is not None and self.week % self.agent_snapshot_weeks == 0:
            self.agent_datacollector.collect(self)

    # --- the column state, as Mesa and a reader see it -----------------------------------
    @property
    def mentor_count(self) -> int:
        """Mentors ever recruited (the next mentor's index)."""
        return self.mentors.size

    @property
    def mentee_count(self) -> int:
        """People ever referred (the next mentee's index)."""
        return self.mentees.size

    @property
    def match_count(self) -> int:
        """Relationships ever started (the next match id)."""
        return self.matches.size

    @property
    def mentor_pool(self) -> list[Mentor]:
        """Mentors on the books, in the order they joined."""
        return [self.mentor_agents[row] for row in self.mentors.live().tolist()]

    @property
    def mentee_pool(self) -> list[Mentee]:
        """People referred and still in follow-up, in the order they were referred."""
        return [self.mentee_agents[row] for row in self.mentees.live().tolist()]

    @property
    def open_matches(self) -> list[Match]:
        """Open relationships, in the order they started."""
        return [self.match_views[row] for row in self.matches.live().tolist()]

    def agency_values(self, name: str) -> np.ndarray:
        """One agency attribute for every agency, as an array indexed by agency."""
        return np.array([getattr(agency, name) for agency in self.agency_list])

    def count_on_books(self) -> None:
        """Per-agency head counts the staff and accounts phases use: trained mentors on
        the books (``trained_mentors``), of them paid (``paid_mentors``), and open
        relationships whose mentee has family interference (``family_matches``)."""
        n = len(self.agency_list)
        live = self.mentors.live()
        trained = live[self.week >= self.mentors.trained_at_week[live]]
        agency = self.mentors.agency[trained]
        self.trained_mentors = np.bincount(agency, minlength=n)
        self.paid_mentors = np.bincount(agency[self.mentors.paid[trained]], minlength=n)
        matches = self.matches.live()
        with_family = matches[self.mentees.family[self.matches.mentee[matches]] > 0]
        self.family_matches = np.bincount(self.matches.agency[with_family], minlength=n)

    def weekly_frame(self):  # noqa: ANN201 - pandas type kept out of the signature
        """The weekly table of this run (one row per week; the weekly columns only)."""
        frame = self.datacollector.get_model_vars_dataframe()
        return frame[["week", *WEEKLY_COLUMNS]].reset_index(drop=True)

    def run_metric(self, name: str) -> float:
        """A run metric's value once the horizon is reached (NaN before)."""
        return self.run_metrics.get(name, float("nan"))

    def _reach_horizon(self) -> None:
        """The last measured week, once recorded: Mesa's run loop stops here, and with
        ``report_metrics`` the run's metrics are computed from its tables as they stand
        (what is still open counted as at :meth:`finish`, which is not called) and put in
        the last row the DataCollector recorded (its reporters read NaN until now)."""
        self.running = False
        if self.report_metrics:
            from sim.metrics import run_metrics

            values = run_metrics(self.tables(still_open=True), self.p)
            self.run_metrics = {k: float(v) for k, v in values.items()}
            for name, value in self.run_metrics.items():
                self.datacollector.model_vars[name][-1] = value

    def finish(self) -> None:
        """From now on the tables include what is still open (relationships as
        ``ongoing``, mentors as ``active``, mentees in follow-up), as it stands; a second
        call does nothing."""
        self._finished = True

    def tables(self, still_open: bool | None = None) -> dict[str, Any]:
        """The run's tidy tables (``weekly``, ``matches``, ``mentors``, ``mentees``,
        ``events``), with the columns, order and dtypes of :mod:`sim.tables`.

        A mentor, mentee or relationship that left in a measured week (week 1 on) is
        read from its row, which keeps its state from that week; one still in the model
        is included as it stands now once the run is finished (or with ``still_open``).
        """
        from sim.tables import SCHEMA

        include_open = self._finished if still_open is None else still_open

        def rows(store: Columns, left: np.ndarray) -> np.ndarray:
            size = store.size
            alive = store.alive[:size]
            kept = ~alive & (left[:size] >= 1)
            if include_open:
                kept |= alive
            return np.flatnonzero(kept)

        return {
            "weekly": SCHEMA["weekly"].typed(self.weekly_frame()),
            "matches": SCHEMA["matches"].frame_of_columns(relationship.records(
                self, rows(self.matches, self.matches.end_week), self.week)),
            "mentors": SCHEMA["mentors"].frame_of_columns(mentors.records(
                self, rows(self.mentors, self.mentors.left_week))),
            "mentees": SCHEMA["mentees"].frame_of_columns(mentees.records(
                self, rows(self.mentees, self.mentees.left_week))),
            "events": SCHEMA["events"].frame(self.event_rows),
        }


def lever_values(levers: dict[str, Any]) -> dict[str, Any]:
    """Keyword levers (``supervision__sessions_per_month=2``) as dotted parameter keys.

    Raises:
        ScenarioError: a keyword that is not of the form ``section__key``.

    Example:
        >>> lever_values({"run__weeks": 104})
        {'run.weeks': 104}
    """
    from sim.errors import ScenarioError

    out = {}
    for key, value in levers.items():
        section, sep, name = key.partition("__")
        if not sep or not section or not name or "__" in name:
            raise ScenarioError(
                f"MentoringModel: keyword {key}={value!r} is not a parameter: name levers "
                "section__key, e.g. supervision__sessions_per_month=2 or run__weeks=104 "
                "(mentorsim params lists them)")
        out[f"{section}.{name}"] = value
    return out


def _seed(seed: int | None, rng: Any) -> int:
    """The run's integer seed from ``seed`` or Mesa's ``rng`` (not both): an integer (or
    one typed as text), a seed drawn from a ``numpy.random.Generator``, or, for ``None``,
    a fresh one (:func:`sim.rng.fresh_seed`), as Mesa does."""
    if seed is not None and rng is not None:
        raise TypeError("give the seed as seed or as rng, not both")
    value = seed if seed is not None else rng
    if value is None:
        return fresh_seed()
    if isinstance(value, np.random.Generator):
        return seed_from(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"the seed must be an integer (got {type(value).__name__}): every "
                        "random decision is keyed by it, so common random numbers hold")
    return int(value)


def _column_reporters(agent_class: type) -> dict[str, str]:
    """Every column-backed attribute of an agent class, as DataCollector reporters."""
    from sim.state import column

    return {name: name for name, value in vars(agent_class).items()
            if isinstance(value, column)}
