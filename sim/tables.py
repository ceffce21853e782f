"""The output tables' schema: every column of every table declared once.

A column's name, type, unit and meaning live here and nowhere else: the model's weekly
reporters (:data:`sim.model.WEEKLY_COLUMNS`), the DataFrames :func:`sim.runner.simulate`
builds from the entities' columns (``records``), the column tables of ``docs/outputs.md`` and the
tests of the written Parquet files all read this module. So adding a column is one
:class:`Column` here plus its value in the record (or, for ``weekly``, a model attribute of
the same name); a record that lacks a declared column fails when its table is built.

This module imports nothing from the model, so any part of the code may use it.

Example:
    >>> SCHEMA["matches"].names[:3]
    ('match_id', 'agency_id', 'mentor_id')
    >>> SCHEMA["mentees"]["reoffended_12m"].dtype
    'boolean'
    >>> SCHEMA["matches"]["closure_reason"].categories[:2]
    ('completed', 'mentor_abandonment')

Columns drawn from a fixed vocabulary (:mod:`sim.vocabulary`) are ``category`` columns: a
pandas categorical whose categories are the whole vocabulary, in its order, and in Parquet
a dictionary-encoded string column whose dictionary is that list (so a category no row has
survives the round trip, and a count over it shows a zero). ``scenario`` is a category
whose list is the run's own scenarios, in the order they were given (the first is the
reference), set when a results folder is written (:func:`arrow_schema`).

Every column of a written Parquet file carries its unit and meaning as Arrow field
metadata (``unit``, ``description``, and for categories ``categories``, a JSON list):
``pyarrow.parquet.read_schema(path).field("dose").metadata[b"unit"]``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim import vocabulary

if TYPE_CHECKING:
    import pyarrow as pa

# pandas dtype -> (how the docs name it, the Arrow type it is written as in Parquet). The
# nullable pandas types ("Int64", "boolean") are written as plain Arrow types plus pandas
# metadata, which restores them on reading; a category is a dictionary-encoded string.
CATEGORY_ARROW = "dictionary<values=string, indices=int32, ordered=0>"
DTYPES: dict[str, tuple[str, str]] = {
    "int64": ("int64", "int64"),
    "Int64": ("Int64 (nullable)", "int64"),
    "float64": ("float64", "double"),
    "bool": ("bool", "bool"),
    "boolean": ("boolean (nullable)", "bool"),
    "str": ("string", "large_string"),
    "category": ("category", CATEGORY_ARROW),
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
        categories: a ``category`` column's full vocabulary, in order; ``None`` for a
            category whose list belongs to the folder (``scenario``: the run's scenarios).
    """

    name: str
    dtype: str
    unit: str
    meaning: str
    categories: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.dtype not in DTYPES:
            raise ValueError(f"column {self.name}: dtype {self.dtype!r} is not one of "
                             f"{', '.join(DTYPES)}")
        if self.categories is not None and self.dtype != "category":
            raise ValueError(f"column {self.name}: only a category column has categories")

    def pandas_dtype(self, categories: Sequence[str] | None = None) -> Any:
        """The pandas dtype of the column in memory: for a category, a
        :class:`pandas.CategoricalDtype` of the full list (``categories`` for a folder's
        own list, e.g. the scenarios; without one the categories are the values seen)."""
        if self.dtype != "category":
            return self.dtype
        listed = self.categories if self.categories is not None else categories
        return "category" if listed is None else pd.CategoricalDtype(list(listed))

    def field(self, categories: Sequence[str] | None = None) -> pa.Field:
        """The column as an Arrow field, with ``unit`` and ``description`` (and a
        category's ``categories``, as JSON) as field metadata."""
        import pyarrow as pa

        metadata = {"unit": self.unit, "description": self.meaning}
        listed = self.categories if self.categories is not None else categories
        if self.dtype == "category":
            kind: pa.DataType = pa.dictionary(pa.int32(), pa.string())
            if listed is not None:
                metadata["categories"] = json.dumps(list(listed))
        else:
            kind = pa.type_for_alias(self.parquet_type)
        return pa.field(self.name, kind, metadata=metadata)

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
        """``{column: pandas dtype}``, in order (a category as ``"category"``)."""
        return {c.name: c.dtype for c in self.columns}

    @property
    def pandas_dtypes(self) -> dict[str, Any]:
        """``{column: dtype to cast to}``: :attr:`dtypes` with each category's full list."""
        return {c.name: c.pandas_dtype() for c in self.columns}

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
        self._refuse_missing(self.missing(rows))
        return self._sorted_and_typed(pd.DataFrame(list(rows), columns=list(self.names)))

    def frame_of_columns(self, columns: Mapping[str, Any]) -> pd.DataFrame:
        """The table built from whole columns (name -> equally long values, one per row,
        ``None`` for a null): declared columns, in order, sorted by the key and cast to the
        declared dtypes, as :meth:`frame` builds it from rows.

        Raises:
            SchemaError: a declared column is missing, or an undeclared one is given (it
                would never be written).
        """
        self._refuse_missing(self.missing([columns]))
        undeclared = self.undeclared([columns])
        if undeclared:
            raise SchemaError(f"{self.name} records give the undeclared column(s) "
                              f"{', '.join(sorted(undeclared))}: declare each in "
                              "sim/tables.py (name, dtype, unit, meaning) or stop recording it")
        return self._sorted_and_typed(pd.DataFrame({name: columns[name] for name in self.names},
                                                   columns=list(self.names)))

    def _refuse_missing(self, missing: set[str]) -> None:
        if missing:
            raise SchemaError(f"{self.name} rows lack the declared column(s) "
                              f"{', '.join(sorted(missing))}: every record must give a value "
                              "for every column of sim/tables.py")

    def _sorted_and_typed(self, frame: pd.DataFrame) -> pd.DataFrame:
        if self.key is not None:
            frame = frame.sort_values(self.key, kind="stable").reset_index(drop=True)
        return cast(frame, self.columns, self.name)

    def typed(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` cast to the declared dtypes, after checking it has exactly the
        declared columns in order (for tables that are built as frames, like ``weekly``).

        Raises:
            SchemaError: the columns differ from the declaration.
        """
        if tuple(frame.columns) != self.names:
            raise SchemaError(f"{self.name} has columns {list(frame.columns)}; sim/tables.py "
                              f"declares {list(self.names)}")
        return cast(frame, self.columns, self.name)


def cast(frame: pd.DataFrame, columns: Sequence[Column], table: str,
         categories: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """``frame`` with ``columns`` cast to their declared dtypes (a category to its full
    list; ``categories`` gives a folder's own lists, e.g. ``{"scenario": [...]}``).

    Raises:
        SchemaError: a category column holds a value outside its list.
    """
    dtypes = {c.name: c.pandas_dtype((categories or {}).get(c.name)) for c in columns}
    coded = {}
    for column in columns:
        dtype = dtypes[column.name]
        if isinstance(dtype, pd.CategoricalDtype):
            values = frame[column.name]
            codes = dtype.categories.get_indexer(values)
            outside = (codes < 0) & values.notna().to_numpy()
            if outside.any():
                shown = sorted({str(v) for v in values[outside]})
                raise SchemaError(
                    f"{table}.{column.name}: {', '.join(map(repr, shown))} not in its "
                    f"vocabulary ({', '.join(dtype.categories)}); add it to "
                    "sim/vocabulary.py")
            coded[column.name] = pd.Categorical.from_codes(codes, dtype=dtype)
    typed = frame.astype({n: d for n, d in dtypes.items() if n not in coded})
    for name, values in coded.items():
        typed[name] = values
    return typed


def arrow_schema(columns: Sequence[Column], categories: Mapping[str, Sequence[str]] | None = None,
                 ) -> pa.Schema:
    """The Arrow schema a table's Parquet file is written with: each column's type and
    field metadata (:meth:`Column.field`), and the pandas metadata that brings back the
    declared pandas dtypes (nullable integers and booleans, categories) on reading."""
    import pyarrow as pa

    empty = cast(pd.DataFrame({c.name: pd.Series([], dtype="object") for c in columns}),
                 columns, "schema", categories)
    pandas_meta = pa.Schema.from_pandas(empty, preserve_index=False).metadata
    fields = [c.field((categories or {}).get(c.name)) for c in columns]
    return pa.schema(fields, metadata=pandas_meta)


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` (or a part of one) cast to ``schema``: columns selected in order, each
    category encoded against its full list (from the field's ``categories`` metadata).

    Raises:
        SchemaError: a column is missing, or a category value is outside its list.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    missing = [n for n in schema.names if n not in table.column_names]
    if missing:
        raise SchemaError(f"table lacks the declared column(s) {', '.join(missing)}")
    arrays = []
    for field in schema:
        column = table.column(field.name)
        meta = field.metadata or {}
        if pa.types.is_dictionary(field.type) and b"categories" in meta:
            listed = pa.array(json.loads(meta[b"categories"]), pa.string())
            if pa.types.is_dictionary(column.type):
                column = column.cast(column.type.value_type)
            values = column.cast(pa.string())
            indices = pc.index_in(values, value_set=listed).cast(pa.int32())
            if indices.null_count != values.null_count:
                outside = pc.unique(pc.filter(values, pc.and_(pc.is_null(indices),
                                                              pc.is_valid(values))))
                raise SchemaError(f"{field.name}: {outside.to_pylist()} not in its "
                                  f"categories {listed.to_pylist()}")
            column = pa.chunked_array(
                [pa.DictionaryArray.from_arrays(chunk, listed) for chunk in indices.chunks],
                type=field.type)
        else:
            column = column.cast(field.type)
        arrays.append(column)
    return pa.Table.from_arrays(arrays, schema=schema)


# Columns a results folder puts in front of every table: which run a row comes from.
RUN_KEYS: tuple[Column, ...] = (
    Column("scenario", "category", "name", "Scenario the run belongs to (categories: the "
       "run's scenarios, in the order given; the first is the reference)"),
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
       "the reserves policy's floor (funding.reserve_floor_months of running costs)"),
    Column("cuts_in_force", "int64", "cuts", "Budget cuts in force, summed over agencies"),
    Column("agencies_money_bound", "int64", "agencies", "Funded agencies whose offer money "
       "holds back: a grant planned below its design, a cut in force, or too little money "
       "at the last review for what it offers or for the growth its waiting list called for"),
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
    Column("mentor_kind", "category", "category", "`peer` (lived experience) or `community` "
       "volunteer", vocabulary.MENTOR_KINDS),
    Column("start_week", "int64", "week", "Week the relationship started"),
    Column("end_week", "Int64", "week", "Week it ended; null while ongoing at the horizon"),
    Column("duration_weeks", "int64", "weeks", "`end_week - start_week`, or horizon - "
       "`start_week` while ongoing (censored)"),
    Column("closure_reason", "category", "category", "Why it ended (vocabulary below); "
       "`ongoing` if still open at the horizon", vocabulary.CLOSURE_REASONS),
    Column("closure_detail", "category", "category", "What refines the reason (vocabulary "
       "below)", vocabulary.CLOSURE_DETAILS),
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
    Column("mentor_kind", "category", "category", "`peer` (lived experience) or `community` "
       "volunteer", vocabulary.MENTOR_KINDS),
    Column("paid", "bool", "flag", "A paid peer mentor (else an unpaid volunteer)"),
    Column("joined_week", "int64", "week", "Week the mentor joined the books (0 or earlier for "
       "the pool a programme starts with)"),
    Column("trained_week", "int64", "week", "Week pre-match training ended (matchable from then)"),
    Column("left_week", "Int64", "week", "Week the mentor left; null if still active at the "
       "horizon"),
    Column("exit_reason", "category", "category", "`active` (still on the books), `burnout`, "
       "`life_change`, `relapse`, `paid_work` or `programme_closed`", vocabulary.EXIT_REASONS),
    Column("exit_category", "category", "category", "`negative` (burnout, life change, "
       "relapse), `progression` (paid work), `closure` (the programme closed) or `active`",
       vocabulary.EXIT_CATEGORIES),
    Column("burnout_episodes", "int64", "episodes", "Times the mentor became burnt out in the "
       "measured weeks"),
    Column("mentees_mentored", "int64", "relationships", "Relationships the mentor started"),
), key="mentor_id")

MENTEES = Table("mentees", "mentee referred", (
    Column("mentee_id", "int64", "id", "Mentee, unique within a run"),
    Column("agency_id", "int64", "id", "Agency the mentee was referred to"),
    Column("referral_week", "int64", "week", "Week of referral"),
    Column("referral_outcome", "category", "category", "`referred` (joined a waiting list), "
       "`lost` (arrived while the programme could not take referrals) or `diverted` (not "
       "referred during a reorganisation); every arrival is followed up",
       vocabulary.REFERRAL_OUTCOMES),
    Column("matched", "bool", "flag", "Ever matched with a mentor"),
    Column("gave_up_waiting", "bool", "flag", "Left the waiting list without ever being matched"),
    Column("weeks_mentored", "int64", "weeks", "Weeks with contact with a mentor"),
    Column("informal_weeks", "int64", "weeks", "Weeks of informal contact after a formal "
       "ending (within the mentee's time in the model)"),
    Column("dose", "float64", "quality-weighted weeks", "Mentoring received: each mentored "
       "week weighted by the relationship's quality, plus informal weeks at "
       "`effects.informal_benefit_share`; summed over every relationship"),
    Column("risk_band", "category", "category", "Pre-treatment risk band at referral: `low`, "
       "`medium` or `high` (thirds of the risk distribution)", vocabulary.RISK_BANDS),
    Column("needs", "int64", "needs", "Needs at referral (housing, substance use, employment)"),
    Column("services_linked", "int64", "needs", "Of those, needs linked to a partner service"),
    Column("reoffended_12m", "boolean", "flag", "Proven reoffence within 52 weeks of referral; "
       "null when fewer than 52 weeks of follow-up remain at the horizon"),
    Column("reoffended_12m_without_mentoring", "boolean", "flag", "The same person on the same "
       "random numbers with mentoring's effects switched off"),
    Column("reoffences_12m", "Int64", "reoffences", "Proven reoffences within 52 weeks of "
       "referral (a frequency); null when fewer than 52 weeks of follow-up remain"),
    Column("reoffences_12m_without_mentoring", "Int64", "reoffences", "The same count for the "
       "same person on the same random numbers with mentoring's effects switched off"),
    Column("support_network", "bool", "flag", "A relationship left the mentee with a lasting "
       "informal support network"),
), key="mentee_id")

EVENTS = Table("events", "funding, budget or organisational event", (
    Column("week", "int64", "week", "Week of the event"),
    Column("agency_id", "int64", "id", "Agency concerned; -1 means every agency"),
    Column("event", "category", "category", "`grant_started`, `grant_renewed`, "
       "`grant_ended`, `offer_planned` (a grant's plan: its size and yearly cost), `grown`, "
       "`shrunk`, `cut`, `restored`, `bridging_started` (the full service on reserves "
       "between grants), `skeleton_started`, `programme_closed`, `reorganisation_started` "
       "or `reorganisation_ended`", vocabulary.EVENTS),
    Column("amount_gbp", "float64", "GBP/year", "Money the event is about: a grant's yearly "
       "payment, a cut's estimated yearly saving or a restoration's yearly cost; NaN when none"),
    Column("detail", "str", "text", "For cuts, the step and why (`leisure: projected balance "
       "below the reserve floor`); for restorations, the step; for closures, `funding_ended` "
       "or `budget`"),
))

SCHEMA: dict[str, Table] = {t.name: t for t in (WEEKLY, MATCHES, MENTORS, MENTEES, EVENTS)}

# The folder's tables of metrics: a run's metrics (``replications``) and the same metrics
# year by year (``yearly``), each key column here and then one float64 column per metric
# of ``sim.metrics.METRICS`` (:func:`metric_columns`).
SEED = Column("seed", "int64", "seed", "The replication's seed (the same for replication k "
              "in every scenario: `manifest.json` `scenarios[].seeds[k]`)")
YEARLY_KEYS: tuple[Column, ...] = (
    Column("year", "int64", "year", "Year of the horizon, from 1"),
    Column("start_week", "int64", "week", "First week of the year"),
    Column("end_week", "int64", "week", "Last week of the year (the horizon for a shorter "
           "last year)"),
)
METRIC_TABLES: dict[str, tuple[str, tuple[Column, ...]]] = {
    "replications": ("replication (the run's metrics)", (SEED,)),
    "yearly": ("year of the horizon (the metrics over that year only)", YEARLY_KEYS),
}
METRIC_NOTE = ("then one `float64` column per metric of `mentorsim metrics`, in its order, "
               "with the unit it lists")


def metric_columns() -> tuple[Column, ...]:
    """One float64 column per metric of ``sim.metrics.METRICS`` (NaN where undefined)."""
    from sim.metrics import METRICS

    return tuple(Column(m.name, "float64", m.unit, m.definition) for m in METRICS.values())


def folder_columns(name: str) -> tuple[Column, ...]:
    """Every column of a results folder's Parquet file ``name`` (without ``.parquet``), in
    order: the run keys, then a table's own columns (or the keys and metrics of
    ``replications`` and ``yearly``).

    Example:
        >>> [c.name for c in folder_columns("replications")[:3]]
        ['scenario', 'replication', 'seed']
    """
    if name in SCHEMA:
        return (*RUN_KEYS, *SCHEMA[name].columns)
    if name in METRIC_TABLES:
        return (*RUN_KEYS, *METRIC_TABLES[name][1], *metric_columns())
    raise KeyError(f"no table {name} in a results folder")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    """The column tables of ``docs/outputs.md``, one section per table.

    Example:
        >>> markdown().splitlines()[0]
        '### `weekly.parquet`: one row per scenario × replication × week of the run'
    """
    sections = []
    described = [(t.name, t.row, t.columns, t.key) for t in SCHEMA.values()]
    described += [(name, row, keys, None) for name, (row, keys) in METRIC_TABLES.items()]
    for name, row, columns, key in described:
        lines = [f"### `{name}.parquet`: one row per scenario × replication"
                 + ("" if name == "replications" else f" × {row}"), "",
                 "| column | type | unit | meaning |", "|---|---|---|---|"]
        lines += [f"| `{c.name}` | {c.type_text} | {_cell(c.unit)} | {_cell(c.meaning)} |"
                  for c in (*RUN_KEYS, *columns)]
        if name in METRIC_TABLES:
            lines += ["", f"After these columns, {METRIC_NOTE}."]
        if key is not None:
            lines += ["", f"Rows are sorted by `{key}` within a run."]
        sections.append("\n".join(lines) + "\n")
    return "\n".join(sections)


def text() -> str:
    """A compact plain-text listing of every table's columns, for the terminal."""
    listed = [(t.name, t.row, (*RUN_KEYS, *t.columns)) for t in SCHEMA.values()]
    listed += [(name, row, (*RUN_KEYS, *keys)) for name, (row, keys) in METRIC_TABLES.items()]
    columns = [c for _, _, cols in listed for c in cols]
    name_width = max(len(c.name) for c in columns)
    type_width = max(len(c.type_text) for c in columns)
    unit_width = max(len(c.unit) for c in columns)
    out: list[str] = []
    for name, row, cols in listed:
        out.append(f"{name}.parquet (one row per scenario × replication"
                   + ("" if name == "replications" else f" × {row}") + ")")
        out += [f"  {c.name:<{name_width}}  {c.type_text:<{type_width}}  "
                f"{c.unit:<{unit_width}}  {c.meaning}" for c in cols]
        if name in METRIC_TABLES:
            out.append(f"  ... {METRIC_NOTE.replace('`', '')}")
    return "\n".join(out)
