"""Every output table is typed and reads the same in pandas, polars and DuckDB.

A tiny comparison (2 scenarios x 2 replications x 26 weeks) and two tiny sweeps (an
explicit one, 2 points x 2 replications, and a Morris one for the sensitivity files) are
written once; then every Parquet and CSV file of each folder is read by the three
libraries, category columns are checked for their full category lists, and one SQL query
runs on each file in DuckDB (a new file without a query here fails the test).
"""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim import vocabulary
from sim.cli import main
from sim.metrics import METRICS
from sim.sweep.columns import column_name, parameter_name
from sim.tables import SCHEMA, SchemaError, folder_columns

from pandas_dtypes import read_dtype

duckdb = pytest.importorskip("duckdb")
pl = pytest.importorskip("polars")

SCENARIOS = ["baseline", "stop_start_grants"]
REPS, WEEKS = 2, 26
SQL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

EXPLICIT = """
    extends = "baseline"
    horizon_weeks = 26
    seed = 5
    outcomes = ["abandonment_rate", "mentor_burnout_prevalence"]
    replications = 2

    [design]
    kind = "explicit"
    points = [{ "funding.grant_term_years" = 1, "supervision.style" = "managerial" },
              { "funding.grant_term_years" = 3, "supervision.style" = "therapeutic" }]

    [output]
    agent_tables = ["matches", "mentors", "mentees", "events", "weekly"]
"""
MORRIS = """
    extends = "baseline"
    horizon_weeks = 52
    seed = 5
    outcomes = ["abandonment_rate"]
    replications = 1

    [design]
    kind = "morris"
    samples = 2

    [levers]
    "funding.grant_term_years" = { range = [1, 5] }
    "supervision.style" = {}
"""


def _spec(folder: Path, text: str, name: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("typed") / "run"
    assert main(["run", *SCENARIOS, "--reps", str(REPS), "--weeks", str(WEEKS),
                 "--workers", "1", "--out", str(out), "--no-dashboard"]) == 0
    return out


def _swept(tmp_path_factory: pytest.TempPathFactory, text: str, name: str) -> Path:
    folder = tmp_path_factory.mktemp(f"typed-{name}")
    out = folder / name
    assert main(["sweep", str(_spec(folder, text, name)), "--out", str(out),
                 "--workers", "1", "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _swept(tmp_path_factory, EXPLICIT, "explicit")


@pytest.fixture(scope="module")
def morris_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = _swept(tmp_path_factory, MORRIS, "morris")
    assert main(["analyse", str(out), "--resamples", "20"]) == 0
    return out


def _outputs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".parquet", ".csv")
                  and not p.name.startswith("."))


def _read_everywhere(path: Path) -> pd.DataFrame:
    """Read ``path`` with pandas, polars and DuckDB; check they agree; return pandas'."""
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
        polars = pl.read_parquet(path)
        duck = duckdb.sql(f"SELECT * FROM read_parquet('{path}')")
    else:
        frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
        polars = pl.read_csv(path)
        duck = duckdb.sql(f"SELECT * FROM read_csv('{path}', header = true)")
    assert list(polars.columns) == list(frame.columns) == duck.columns, path.name
    assert polars.height == len(frame) == duck.shape[0], path.name
    bad = [c for c in frame.columns if not SQL_NAME.match(c)]
    assert not bad, f"{path.name}: column names that SQL must quote: {bad}"
    return frame


def _check_typed(path: Path, categories: dict[str, list[str]]) -> None:
    """Every column has a unit and a meaning; ``categories`` are exactly as listed in
    pandas, polars and the field metadata."""
    schema = pq.read_schema(path)
    for field in schema:
        meta = field.metadata or {}
        assert meta.get(b"unit") is not None and meta.get(b"description"), (
            f"{path.name}.{field.name} has no unit or description")
    frame = pd.read_parquet(path)
    polars = pl.read_parquet(path)
    for column, listed in categories.items():
        assert isinstance(frame[column].dtype, pd.CategoricalDtype), f"{path.name}.{column}"
        assert list(frame[column].cat.categories) == list(listed), f"{path.name}.{column}"
        assert polars.schema[column] == pl.Categorical, f"{path.name}.{column} in polars"
        assert json.loads(schema.field(column).metadata[b"categories"]) == list(listed)


# --- a run's results folder ------------------------------------------------------------
RUN_QUERIES: dict[str, tuple[str, Callable[[list[tuple], pd.DataFrame], None]]] = {
    "weekly.parquet": (
        "SELECT scenario, max(week), count(*) FROM t GROUP BY scenario ORDER BY scenario",
        lambda rows, _: rows == [(s, WEEKS, REPS * WEEKS) for s in SCENARIOS]),
    "matches.parquet": (
        "SELECT closure_reason, count(*) AS n FROM t GROUP BY closure_reason",
        lambda rows, f: sum(n for _, n in rows) == len(f)
        and {r for r, _ in rows} <= set(vocabulary.CLOSURE_REASONS)),
    "mentors.parquet": (
        "SELECT scenario, exit_category, count(*) FROM t GROUP BY ALL ORDER BY ALL",
        lambda rows, f: sum(r[2] for r in rows) == len(f)),
    "mentees.parquet": (
        "SELECT risk_band, avg(CAST(matched AS INTEGER)) FROM t GROUP BY risk_band",
        lambda rows, _: {r for r, _ in rows} <= set(vocabulary.RISK_BANDS)),
    "events.parquet": (
        "SELECT event, count(*) FROM t WHERE agency_id >= -1 GROUP BY event",
        lambda rows, _: {e for e, _ in rows} <= set(vocabulary.EVENTS)),
    "yearly.parquet": (
        "SELECT scenario, year, count(*) FROM t GROUP BY ALL ORDER BY ALL",
        lambda rows, _: rows == [(s, 1, REPS) for s in SCENARIOS]),
    "replications.parquet": (
        "SELECT scenario, count(DISTINCT seed), avg(abandonment_rate) FROM t "
        "GROUP BY scenario ORDER BY scenario",
        lambda rows, _: [r[:2] for r in rows] == [(s, REPS) for s in SCENARIOS]),
    "summary.csv": (
        "SELECT statistic, count(DISTINCT metric) FROM t GROUP BY statistic ORDER BY 1",
        lambda rows, _: [r[0] for r in rows] == ["paired_difference", "value"]),
}


def _query(path: Path, sql: str) -> list[tuple]:
    source = (f"read_parquet('{path}')" if path.suffix == ".parquet"
              else f"read_csv('{path}', header = true)")
    return duckdb.sql(sql.replace("FROM t", f"FROM {source} AS t")).fetchall()


def test_every_file_of_a_run_folder_reads_in_pandas_polars_and_duckdb(run_dir: Path) -> None:
    files = _outputs(run_dir)
    assert {p.name for p in files} == set(RUN_QUERIES), "a file without a query here"
    for path in files:
        frame = _read_everywhere(path)
        sql, check = RUN_QUERIES[path.name]
        rows = _query(path, sql)
        assert check(rows, frame), f"{path.name}: {sql} gave {rows}"


def test_run_tables_have_full_category_lists(run_dir: Path) -> None:
    for name in (*SCHEMA, "yearly", "replications"):
        declared = folder_columns(name)
        categories = {c.name: list(c.categories or SCENARIOS) for c in declared
                      if c.dtype == "category"}
        assert "scenario" in categories
        _check_typed(run_dir / f"{name}.parquet", categories)
        frame = pd.read_parquet(run_dir / f"{name}.parquet")
        assert {c: str(t) for c, t in frame.dtypes.items()} == {c.name: read_dtype(c.dtype)
                                                               for c in declared}
    matches = pd.read_parquet(run_dir / "matches.parquet")
    counts = matches["closure_reason"].value_counts()
    assert list(counts.sort_index().index) == list(vocabulary.CLOSURE_REASONS)
    assert (counts == 0).any(), "a reason no relationship had is still a category"
    # the vocabulary columns named in the issue, each with its whole list
    assert list(matches["mentor_kind"].cat.categories) == list(vocabulary.MENTOR_KINDS)
    mentors = pd.read_parquet(run_dir / "mentors.parquet")
    assert list(mentors["exit_reason"].cat.categories) == list(vocabulary.EXIT_REASONS)
    events = pd.read_parquet(run_dir / "events.parquet")
    assert list(events["event"].cat.categories) == list(vocabulary.EVENTS)


def test_replications_hold_every_metric_and_the_seeds(run_dir: Path) -> None:
    table = pd.read_parquet(run_dir / "replications.parquet")
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert list(table.columns) == ["scenario", "replication", "seed", *METRICS]
    assert len(table) == len(SCENARIOS) * REPS
    assert table["seed"].tolist() == manifest["scenarios"][0]["seeds"] * len(SCENARIOS)
    assert (table[list(METRICS)].dtypes == "float64").all()
    summary = pd.read_csv(run_dir / "summary.csv")
    value = summary[(summary["statistic"] == "value")
                    & (summary["metric"] == "median_match_weeks")].set_index("scenario")
    means = table.groupby("scenario", observed=True)["median_match_weeks"].mean()
    for scenario in SCENARIOS:
        assert means[scenario] == pytest.approx(value.loc[scenario, "mean"])


def test_tables_command_lists_replications(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tables"]) == 0
    printed = capsys.readouterr().out
    assert "replications.parquet" in printed and "yearly.parquet" in printed


def test_a_value_outside_its_vocabulary_is_an_error() -> None:
    with pytest.raises(SchemaError, match="'burnt' not in its vocabulary"):
        SCHEMA["events"].frame([{"week": 1, "agency_id": 0, "event": "burnt",
                                 "amount_gbp": 1.0, "detail": ""}])


def test_the_agents_vocabularies_are_the_declared_ones() -> None:
    from sim.agents import mentee, mentor
    from sim.relationship import ENDINGS

    assert tuple(mentor.KINDS) == vocabulary.MENTOR_KINDS
    assert set(mentor.EXIT_CATEGORIES) == set(vocabulary.EXIT_REASONS)
    assert set(mentor.EXIT_CATEGORIES.values()) == set(vocabulary.EXIT_CATEGORIES)
    assert {e for e in mentor.EXITS if e} <= set(vocabulary.EXIT_REASONS)
    assert tuple(mentee.REFERRAL_OUTCOMES) == vocabulary.REFERRAL_OUTCOMES
    assert {r for r, _ in ENDINGS} <= set(vocabulary.CLOSURE_REASONS)
    assert {d for _, d in ENDINGS} <= set(vocabulary.CLOSURE_DETAILS)


def test_the_dashboards_read_plain_strings(run_dir: Path) -> None:
    from dashboards.loading import load_comparison

    results = load_comparison(run_dir)
    for frame, column in ((results.matches, "closure_reason"), (results.mentors,
                                                                 "exit_reason"),
                          (results.events, "event"), (results.weekly, "scenario")):
        assert not isinstance(frame[column].dtype, pd.CategoricalDtype), column
    assert results.scenarios == SCENARIOS


# --- a sweep folder ----------------------------------------------------------------------
SWEEP_QUERIES: dict[str, tuple[str, Callable[[list[tuple]], bool]]] = {
    "points.parquet": (
        "SELECT point_id, funding__grant_term_years, supervision__style FROM t ORDER BY 1",
        lambda rows: rows == [(0, 1.0, "managerial"), (1, 3.0, "therapeutic")]),
    "runs": (
        "SELECT funding__grant_term_years, count(*), avg(abandonment_rate) FROM t "
        "GROUP BY funding__grant_term_years ORDER BY 1",
        lambda rows: [r[:2] for r in rows] == [(1.0, 2), (3.0, 2)]),
    "point_summary.parquet": (
        "SELECT metric, count(*) FROM t WHERE metric = 'abandonment_rate' GROUP BY metric",
        lambda rows: rows == [("abandonment_rate", 2)]),
    "point_summary.csv": (
        "SELECT funding__grant_term_years, supervision__style, metric, mean FROM t "
        "WHERE metric = 'mentor_burnout_prevalence' ORDER BY 1",
        lambda rows: [r[:3] for r in rows] == [(1, "managerial", "mentor_burnout_prevalence"),
                                              (3, "therapeutic",
                                               "mentor_burnout_prevalence")]),
    "convergence.csv": (
        "SELECT metric, sum(replications) FROM t GROUP BY metric ORDER BY 1",
        lambda rows: rows == [("abandonment_rate", 4), ("mentor_burnout_prevalence", 4)]),
    "failures.csv": ("SELECT count(*) FROM t", lambda rows: rows == [(0,)]),
    "tables/matches": (
        "SELECT point_id, closure_reason, count(*) FROM t GROUP BY ALL ORDER BY ALL",
        lambda rows: {r[0] for r in rows} == {0, 1}),
    "tables/mentors": (
        "SELECT point_id, mentor_kind, count(*) FROM t GROUP BY ALL ORDER BY ALL",
        lambda rows: {r[0] for r in rows} == {0, 1}),
    "tables/mentees": (
        "SELECT point_id, referral_outcome, count(*) FROM t GROUP BY ALL",
        lambda rows: {r[0] for r in rows} == {0, 1}),
    "tables/events": (
        "SELECT event, count(*) FROM t GROUP BY event",
        lambda rows: {r[0] for r in rows} <= set(vocabulary.EVENTS)),
    "tables/weekly": (
        "SELECT point_id, replication, max(week) FROM t GROUP BY ALL ORDER BY ALL",
        lambda rows: rows == [(p, r, 26) for p in (0, 1) for r in (0, 1)]),
    "design_unit.parquet": (
        "SELECT min(least(funding__grant_term_years, supervision__style)), "
        "max(greatest(funding__grant_term_years, supervision__style)) FROM t",
        lambda rows: 0 <= rows[0][0] <= rows[0][1] <= 1),
    "sensitivity.parquet": (
        "SELECT metric, parameter, value FROM t WHERE index = 'mu_star' ORDER BY parameter",
        lambda rows: [r[:2] for r in rows] == [("abandonment_rate", "funding.grant_term_years"),
                                              ("abandonment_rate", "supervision.style")]),
    "sensitivity.csv": (
        "SELECT method, count(*) FROM t GROUP BY method",
        lambda rows: rows == [("morris", 4)]),
    "sensitivity_convergence.csv": (
        "SELECT method, min(samples), max(samples) FROM t GROUP BY method",
        lambda rows: rows == [("morris", 2, 2)]),
    "noise.csv": (
        "SELECT metric, replications FROM t ORDER BY 1",
        lambda rows: [r[0] for r in rows] == ["abandonment_rate"]),
}


def _key(folder: Path, path: Path) -> str:
    relative = path.relative_to(folder)
    return str(relative.parent) if relative.parent.name != "" else relative.name


def _sweep_query(folder: Path, key: str, sql: str) -> list[tuple]:
    path = folder / key
    source = (f"read_parquet('{path}/*.parquet')" if path.is_dir()
              else f"read_parquet('{path}')" if path.suffix == ".parquet"
              else f"read_csv('{path}', header = true)")
    return duckdb.sql(sql.replace("FROM t", f"FROM {source} AS t")).fetchall()


def test_every_file_of_a_sweep_folder_reads_in_pandas_polars_and_duckdb(
        sweep_dir: Path, morris_dir: Path) -> None:
    seen = set()
    for folder in (sweep_dir, morris_dir):
        files = _outputs(folder)
        for path in files:
            _read_everywhere(path)
        for key in sorted({_key(folder, p) for p in files}):
            if folder == morris_dir and key in seen:
                continue  # the explicit sweep's query fits its own points
            assert key in SWEEP_QUERIES, f"{folder.name}/{key}: a file without a query here"
            sql, check = SWEEP_QUERIES[key]
            rows = _sweep_query(folder, key, sql)
            assert check(rows), f"{folder.name}/{key}: {sql} gave {rows}"
            seen.add(key)
    assert seen == set(SWEEP_QUERIES)


def test_sweep_columns_are_sql_safe_typed_and_mapped_in_the_manifest(sweep_dir: Path,
                                                                     morris_dir: Path) -> None:
    manifest = json.loads((sweep_dir / "sweep_manifest.json").read_text())
    assert manifest["columns"] == {"funding__grant_term_years": "funding.grant_term_years",
                                   "supervision__style": "supervision.style"}
    style = ["therapeutic", "managerial"]  # the parameter's choices, in declared order
    _check_typed(sweep_dir / "points.parquet", {"supervision__style": style})
    for part in (sweep_dir / "runs").glob("part-*.parquet"):
        _check_typed(part, {"supervision__style": style})
        unit = pq.read_schema(part).field("abandonment_rate").metadata[b"unit"].decode()
        assert unit == METRICS["abandonment_rate"].unit
    _check_typed(sweep_dir / "point_summary.parquet", {"metric": list(METRICS)})
    for name in SCHEMA:
        declared = {c.name: list(c.categories) for c in SCHEMA[name].columns
                    if c.dtype == "category"}
        for part in (sweep_dir / "tables" / name).glob("part-*.parquet"):
            _check_typed(part, declared)
    _check_typed(morris_dir / "sensitivity.parquet", {
        "method": list(vocabulary.SENSITIVITY_METHODS), "metric": list(METRICS),
        "index": list(vocabulary.SENSITIVITY_INDICES)})
    assert column_name("funding.grant_term_years") == "funding__grant_term_years"
    assert parameter_name("funding__grant_term_years") == "funding.grant_term_years"
    assert parameter_name("abandonment_rate") == "abandonment_rate"


def test_the_dashboard_labels_a_sweep_by_dotted_parameters(sweep_dir: Path,
                                                          morris_dir: Path) -> None:
    from dashboards.loading import load_sweep

    results = load_sweep(sweep_dir)
    assert list(results.points.columns) == ["point_id", "funding.grant_term_years",
                                            "supervision.style"]
    assert results.parameters == ["funding.grant_term_years", "supervision.style"]
    morris = load_sweep(morris_dir)
    assert morris.sensitivity is not None and set(morris.sensitivity["metric"]) == {
        "abandonment_rate"}


def _make_old(folder: Path) -> None:
    """Turn a sweep folder into one written before SQL-safe names: dotted factor columns,
    ``outcome`` in convergence.csv, no ``columns`` in the manifest and no part digests in
    the ledger."""
    ledger = folder / "ledger.jsonl"
    ledger.write_text("".join(line for line in ledger.read_text().splitlines(keepends=True)
                              if '"type": "part"' not in line))
    manifest = json.loads((folder / "sweep_manifest.json").read_text())
    dotted = manifest.pop("columns")
    (folder / "sweep_manifest.json").write_text(json.dumps(manifest))
    for path in [folder / "points.parquet", *(folder / "runs").glob("part-*.parquet")]:
        pd.read_parquet(path).rename(columns=dotted).to_parquet(path, index=False)
    convergence = pd.read_csv(folder / "convergence.csv")
    convergence.rename(columns={"metric": "outcome"}).to_csv(folder / "convergence.csv",
                                                            index=False)


def test_an_older_sweep_folder_reads_and_resumes(sweep_dir: Path, tmp_path: Path) -> None:
    from sim.sweep.storage import read_runs

    old = tmp_path / "old"
    shutil.copytree(sweep_dir, old)
    _make_old(old)
    expected = read_runs(sweep_dir)
    pd.testing.assert_frame_equal(read_runs(old), expected, check_categorical=False,
                                  check_dtype=False)
    # forget one finished run: --resume runs it again, into a part with the new names
    ledger = old / "ledger.jsonl"
    lines = ledger.read_text().splitlines()
    dropped = next(i for i, line in enumerate(lines) if '"run": "1:1"' in line)
    ledger.write_text("\n".join(lines[:dropped] + lines[dropped + 1:]) + "\n")
    spec = sweep_dir.parent / "explicit.toml"  # the same spec (and so the same hash)
    assert main(["sweep", str(spec), "--out", str(old), "--resume", "--workers", "1",
                 "--quiet"]) == 0
    resumed = read_runs(old)
    assert list(resumed.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(resumed, expected, check_categorical=False,
                                  check_dtype=False)
    manifest = json.loads((old / "sweep_manifest.json").read_text())
    assert manifest["columns"]["funding__grant_term_years"] == "funding.grant_term_years"
    assert "metric" in pd.read_csv(old / "convergence.csv").columns  # rewritten
