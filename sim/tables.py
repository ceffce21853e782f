"""The output tables' schema: every column of every table declared once.

A column's name, type, unit and meaning live here and nowhere else: the model's weekly
reporters (:data:`sim.model.WEEKLY_COLUMNS`), the DataFrames :func:`sim.runner.simulate`
builds from the agents' ``record()`` rows, the column tables of ``docs/outputs.md`` and the
tests of the written Parquet files all read this module. So adding a column is one
:class:`Column` here plus its value in the record (or, for ``weekly``, a model attribute of
the same name); a record that lacks a declared column fails when its table is built.

This module imports nothing from the model, so any part of the code may use it.

Example:
    >>> SCHEMA["matches"].names[:3]
    ('match_id', 'agency_id', 'mentor_id')
    >>> SCHEMA["mentees"]["reoffended_12m"].dtype
    'boolean'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

# pandas dtype -> (how the docs name it, the Arrow type it is written as in Parquet). The
# nullable pandas types ("Int64", "boolean") are written as plain Arrow types plus pandas
# metadata, which restores them on reading.
DTYPES: dict[str, tuple[str, str]] = {
    "int64": ("int64", "int64"),
    "Int64": ("Int64 (nullable)", "int64"),
    "float64": ("float64", "double"),
    "bool": ("bool", "bool"),
    "boolean": ("boolean (nullable)", "bool"),
    "str": ("string", "large_string"),
}


class SchemaError(ValueError):
    """Rows handed to a table do not match its declared columns."""


@dataclass(frozen=True)
class Column:
    """One column of an output table.

    Attributes:
        name: the column name in the DataFrame and the Parquet file.
        dtype: its pandas dtype, a key of :data:`DTYPES`.
        unit: what its values count or measure (``week``, ``GBP``, ``0-1``, ...).
        meaning: a plain-English definition, as printed in ``docs/outputs.md``.
    """

    name: str
    dtype: str
    unit: str
    meaning: str

    def __post_init__(self) -> None:
        if self.dtype not in DTYPES:
            raise ValueError(f"column {self.name}: dtype {self.dtype!r} is not one of "
                             f"{', '.join(DTYPES)}")

    @property
    def type_text(self) -> str:
        """The type as the docs name it (``Int64 (nullable)``, ``string``, ...)."""
        return DTYPES[self.dtype][0]

    @property
    def parquet_type(self) -> str:
        """The Arrow type the column has in the written Parquet file."""
        return DTYPES[self.dtype][1]


@dataclass(frozen=True)
class Table:
    """One output table: what a row is, its columns in order, and its sort key.

    Attributes:
        name: the table name (``<name>.parquet`` in a results folder).
        row: what one row is, in words (per run; the folder adds scenario and replication).
        columns: the columns in the order they are written.
        key: the column rows are sorted by when the table is built (None keeps the
            order rows were recorded in, which is already time order).
    """

    name: str
    row: str
    columns: tuple[Column, ...]
    key: str | None = None

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"table {self.name}: a column is declared twice")
        if self.key is not None and self.key not in names:
            raise ValueError(f"table {self.name}: sort key {self.key} is not a column")

    @property
    def names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(c.name for c in self.columns)

    @property
    def dtypes(self) -> dict[str, str]:
        """``{column: pandas dtype}``, in order."""
        return {c.name: c.dtype for c in self.columns}

    def __getitem__(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"table {self.name} has no column {name}")

    def missing(self, rows: Iterable[Mapping[str, object]]) -> set[str]:
        """Declared columns that some row does not give a value for."""
        declared = set(self.names)
        return {name for row in rows for name in declared - row.keys()}

    def undeclared(self, rows: Iterable[Mapping[str, object]]) -> set[str]:
        """Keys some row gives that this table does not declare (they are not written)."""
        declared = set(self.names)
        return {key for row in rows for key in row.keys() - declared}

    def frame(self, rows: Sequence[Mapping[str, object]]) -> pd.DataFrame:
        """The table built from recorded rows: declared columns, in order, sorted by the
        key and cast to the declared dtypes (so an empty table is typed too).

        Raises:
            SchemaError: a row lacks a declared column (it would be written as nulls).
        """
        missing = self.missing(rows)
        if missing:
            raise SchemaError(f"{self.name} rows lack the declared column(s) "
                              f"{', '.join(sorted(missing))}: every record must give a value "
                              "for every column of sim/tables.py")
        frame = pd.DataFrame(list(rows), columns=list(self.names))
        if self.key is not None:
            frame = frame.sort_values(self.key, kind="stable").reset_index(drop=True)
        return frame.astype(self.dtypes)

    def typed(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` cast to the declared dtypes, after checking it has exactly the
        declared columns in order (for tables that are built as frames, like ``weekly``).

        Raises:
            SchemaError: the columns differ from the declaration.
        """
        if tuple(frame.columns) != self.names:
            raise SchemaError(f"{self.name} has columns {list(frame.columns)}; sim/tables.py "
                              f"declares {list(self.names)}")
        return frame.astype(self.dtypes)


# Columns a results folder puts in front of every table: which run a row comes from.
RUN_KEYS: tuple[Column, ...] = (
    Column("scenario", "str", "name", "Scenario the run belongs to"),
    Column("replication", "int64", "index",
           "Replication k (0-based); replication k has the same seed in every scenario"),
)


WEEKLY = Table("weekly", "week of the run", (
    Column("week", "int64", "week", "Week of the run, 1..horizon (an established programme's "
       "burn-in weeks are not recorded)"),
    Column("active_matches", "int64", "relationships", "Relationships open at the end of the week"),
    Column("waiting_mentees", "int64", "mentees", "Mentees on the waiting lists at the end of the "
       "week"),
    Column("active_mentors", "int64", "mentors", "Mentors on the books (in training or trained) at "
       "the end of the week"),
    Column("burnt_out_mentors", "int64", "mentors", "Of those, mentors burnt out (high emotional "
       "exhaustion)"),
    Column("matches_started", "int64", "relationships", "Relationships started this week"),
    Column("matches_ended", "int64", "relationships", "Relationships ended this week, for any "
       "reason"),
    Column("referrals", "int64", "mentees", "Referrals that joined a waiting list this week"),
    Column("lost_referrals", "int64", "mentees", "Referrals that arrived this week while the "
       "programme could not take them (closed, setting up or on a skeleton service)"),
    Column("burnout_onsets", "int64", "mentors", "Mentors who became burnt out this week (new "
       "episodes)"),
    Column("mentors_joined", "int64", "mentors", "Mentors recruited this week (they train before "
       "they can be matched)"),
    Column("mentors_left", "int64", "mentors", "Mentors who left this week, for any reason"),
    Column("agencies_funded", "int64", "agencies", "Agencies with a grant paying (running or "
       "setting up)"),
    Column("staff_fte", "float64", "FTE", "Coordinator and supervisor FTE in post"),
    Column("funding_balance_gbp", "float64", "GBP", "All agencies' reserves: income minus "
       "spending so far"),
    Column("spend_gbp", "float64", "GBP", "Spending this week"),
    Column("income_gbp", "float64", "GBP", "Grant income received this week"),
    Column("agencies_below_floor", "int64", "agencies", "Funded agencies whose reserves are below "
       "the reserves policy's floor (funding.reserve_floor_weeks of budget)"),
    Column("cuts_in_force", "int64", "cuts", "Budget cuts in force, summed over agencies"),
    Column("support_contacts_offered", "float64", "contacts", "Coordinator support contacts due "
       "to the open relationships this week"),
    Column("support_contacts_delivered", "float64", "contacts", "Of those, contacts delivered (up "
       "to coordinator capacity)"),
    Column("supervision_sessions_offered", "float64", "sessions", "Supervision sessions due to "
       "trained mentors this week"),
    Column("supervision_sessions_delivered", "float64", "sessions", "Of those, sessions delivered "
       "(up to supervisor capacity)"),
    Column("extra_role_hours", "float64", "hours", "Hours of tasks beyond mentoring asked of all "
       "mentors this week"),
))

MATCHES = Table("matches", "relationship", (
    Column("match_id", "int64", "id", "Relationship, unique within a run"),
    Column("agency_id", "int64", "id", "Agency that made the match"),
    Column("mentor_id", "int64", "id", "The mentor (`mentors.mentor_id`)"),
    Column("mentee_id", "int64", "id", "The mentee (`mentees.mentee_id`)"),
    Column("mentor_kind", "str", "category", "`peer` (lived experience) or `community` volunteer"),
    Column("start_week", "int64", "week", "Week the relationship started"),
    Column("end_week", "Int64", "week", "Week it ended; null while ongoing at the horizon"),
    Column("duration_weeks", "int64", "weeks", "`end_week - start_week`, or horizon - "
       "`start_week` while ongoing (censored)"),
    Column("closure_reason", "str", "category", "Why it ended (vocabulary below); `ongoing` if "
       "still open at the horizon"),
    Column("closure_detail", "str", "category", "What refines the reason (vocabulary below)"),
    Column("quality_at_end", "float64", "0-1", "Relationship quality when it ended, or at the "
       "horizon if still open"),
    Column("planned_weeks", "int64", "weeks", "This match's planned length: its commitment "
       "point (the programme's commitment length scaled by the mentee's planned-length factor)"),
    Column("reached_commitment", "bool", "flag", "Lasted at least `planned_weeks` (by the "
       "horizon, if still open); an ending before it is an early ending"),
    Column("extensions", "int64", "extensions", "Formal extensions agreed at commitment points"),
    Column("informal_weeks", "int64", "weeks", "Weeks of informal contact agreed when it ended "
       "(closure detail `informal`); 0 if none"),
), key="match_id")

MENTORS = Table("mentors", "mentor", (
    Column("mentor_id", "int64", "id", "Mentor, unique within a run"),
    Column("agency_id", "int64", "id", "Agency whose books the mentor is on"),
    Column("mentor_kind", "str", "category", "`peer` (lived experience) or `community` volunteer"),
    Column("paid", "bool", "flag", "A paid peer mentor (else an unpaid volunteer)"),
    Column("joined_week", "int64", "week", "Week the mentor joined the books (0 or earlier for "
       "the pool a programme starts with)"),
    Column("trained_week", "int64", "week", "Week pre-match training ended (matchable from then)"),
    Column("left_week", "Int64", "week", "Week the mentor left; null if still active at the "
       "horizon"),
    Column("exit_reason", "str", "category", "`active` (still on the books), `burnout`, "
       "`life_change`, `relapse`, `paid_work` or `programme_closed`"),
    Column("exit_category", "str", "category", "`negative` (burnout, life change, relapse), "
       "`progression` (paid work), `closure` (the programme closed) or `active`"),
    Column("burnout_episodes", "int64", "episodes", "Times the mentor became burnt out in the "
       "measured weeks"),
    Column("mentees_mentored", "int64", "relationships", "Relationships the mentor started"),
), key="mentor_id")

MENTEES = Table("mentees", "mentee referred", (
    Column("mentee_id", "int64", "id", "Mentee, unique within a run"),
    Column("agency_id", "int64", "id", "Agency the mentee was referred to"),
    Column("referral_week", "int64", "week", "Week of referral"),
    Column("referral_outcome", "str", "category", "`referred` (joined a waiting list), `lost` "
       "(arrived while the programme could not take referrals) or `diverted` (not referred "
       "during a reorganisation); every arrival is followed up"),
    Column("matched", "bool", "flag", "Ever matched with a mentor"),
    Column("gave_up_waiting", "bool", "flag", "Left the waiting list without ever being matched"),
    Column("weeks_mentored", "int64", "weeks", "Weeks with contact with a mentor"),
    Column("informal_weeks", "int64", "weeks", "Weeks of informal contact after a formal "
       "ending (within the mentee's time in the model)"),
    Column("dose", "float64", "quality-weighted weeks", "Mentoring received: each mentored "
       "week weighted by the relationship's quality, plus informal weeks at "
       "`effects.informal_benefit_share`; summed over every relationship"),
    Column("risk_band", "str", "category", "Pre-treatment risk band at referral: `low`, "
       "`medium` or `high` (thirds of the risk distribution)"),
    Column("needs", "int64", "needs", "Needs at referral (housing, substance use, employment)"),
    Column("services_linked", "int64", "needs", "Of those, needs linked to a partner service"),
    Column("reoffended_12m", "boolean", "flag", "Proven reoffence within 52 weeks of referral; "
       "null when fewer than 52 weeks of follow-up remain at the horizon"),
    Column("reoffended_12m_without_mentoring", "boolean", "flag", "The same person on the same "
       "random numbers with mentoring's effects switched off"),
    Column("support_network", "bool", "flag", "A relationship left the mentee with a lasting "
       "informal support network"),
), key="mentee_id")

EVENTS = Table("events", "funding, budget or organisational event", (
    Column("week", "int64", "week", "Week of the event"),
    Column("agency_id", "int64", "id", "Agency concerned; -1 means every agency"),
    Column("event", "str", "category", "`grant_started`, `grant_renewed`, `grant_ended`, "
       "`bridging_started`, `cut`, `restored`, `programme_closed`, "
       "`reorganisation_started` or `reorganisation_ended`"),
    Column("amount_gbp", "float64", "GBP/year", "Money the event is about: a grant's yearly "
       "payment, a cut's estimated yearly saving or a restoration's yearly cost; NaN when none"),
    Column("detail", "str", "text", "For cuts, the step and why (`leisure: projected balance "
       "below the reserve floor`); for restorations, the step; for closures, `funding_ended` "
       "or `budget`"),
))

SCHEMA: dict[str, Table] = {t.name: t for t in (WEEKLY, MATCHES, MENTORS, MENTEES, EVENTS)}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    """The column tables of ``docs/outputs.md``, one section per table.

    Example:
        >>> markdown().splitlines()[0]
        '### `weekly.parquet`: one row per scenario × replication × week of the run'
    """
    sections = []
    for table in SCHEMA.values():
        lines = [f"### `{table.name}.parquet`: one row per scenario × replication × "
                 f"{table.row}", "",
                 "| column | type | unit | meaning |", "|---|---|---|---|"]
        lines += [f"| `{c.name}` | {c.type_text} | {_cell(c.unit)} | {_cell(c.meaning)} |"
                  for c in (*RUN_KEYS, *table.columns)]
        if table.key is not None:
            lines += ["", f"Rows are sorted by `{table.key}` within a run."]
        sections.append("\n".join(lines) + "\n")
    return "\n".join(sections)


def text() -> str:
    """A compact plain-text listing of every table's columns, for the terminal."""
    columns = [c for t in SCHEMA.values() for c in t.columns]
    name_width = max(len(c.name) for c in columns)
    type_width = max(len(c.type_text) for c in columns)
    unit_width = max(len(c.unit) for c in columns)
    out: list[str] = []
    for table in SCHEMA.values():
        out.append(f"{table.name}.parquet (one row per {table.row})")
        out += [f"  {c.name:<{name_width}}  {c.type_text:<{type_width}}  "
                f"{c.unit:<{unit_width}}  {c.meaning}" for c in table.columns]
    return "\n".join(out)
