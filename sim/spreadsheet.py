"""``summary.xlsx``: a results folder's summary as a spreadsheet, for people who work in Excel.

Everything comes from the folder's own files (``summary.csv``, ``manifest.json`` and the
Parquet tables), so the numbers are ``summary.csv``'s to the last digit and any results
folder can be given one afterwards: ``python -m sim.spreadsheet DIR`` (re)writes
``DIR/summary.xlsx``. ``mentorsim run`` and ``mentorsim demo`` write it beside
``summary.csv``.

Sheets, in order:

- **Headline**: the headline metrics (:data:`sim.metrics.HEADLINE_GROUPS`) in wide form, one
  row per metric under its group's name and a block of columns per scenario: the mean
  and its 95% interval, and for every scenario but the reference its paired difference
  from the reference with that interval and a verdict (better, worse or no clear
  difference, from :func:`sim.findings.verdict_of`). Cells hold numbers; number formats
  show them (a share 0.5875 shows as 58.8%, money as £1,234 or −£297). Under the title,
  what the numbers are (:func:`sim.findings.caveat`, with the plausible worlds the
  manifest records), as every output of findings says it, and why an option's results
  are not calibrated when its setting is not (:func:`sim.findings.not_calibrated_notes`).
- **All metrics**: the same for every metric in ``summary.csv``.
- **Across worlds** (only for a run across plausible worlds): ``across_worlds.csv``
  (:func:`sim.across_worlds.read`), first in words (:func:`sim.across_worlds.sentences`),
  then as a table with plain-English column names.
- **Parameters**: every resolved parameter, a column per scenario.
- one sheet per per-run table (``weekly``, ``matches``, ``mentors``, ``mentees``,
  ``events``, ``yearly``) holding at most :data:`MAX_SHEET_CELLS` cells; a bigger table
  gets a sheet with a note saying it is in its Parquet file instead. Writing a cell costs
  about 17 microseconds, so the demo's ``mentees`` table (1.5 million cells) alone would
  add half a minute to a run; tables that size are for pandas, not for a spreadsheet.
- **About**: when and with what the results were made: versions, git commit, command,
  root seed, replications, weeks, the scenarios with their questions, and the seeds.

openpyxl is imported only when a workbook is built: ``mentorsim --help`` and ``validate``
never load it (tests/test_startup.py).
"""

from __future__ import annotations

import contextlib
import json
import math
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow.parquet as pq

from sim.errors import UserError
from sim.findings import LABELS, caveat, manifest_worlds, not_calibrated_notes, verdict_of
from sim.metrics import HEADLINE_GROUPS, METRICS
from sim.results import write_atomically
from sim.summary import DETECTABLE, DETECTABLE_DEFINITION
from sim.tables import RUN_KEYS, SCHEMA

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FILE = "summary.xlsx"
# A per-run table with more cells than this (rows x columns) is left to its Parquet file:
# about 3,500 rows of weekly, 5,000 of matches or mentees, 6,500 of mentors. A cell costs
# about 17 microseconds to write, so a table at the cap adds under two seconds to a run.
MAX_SHEET_CELLS = 100_000
EXCEL_MAX_ROWS = 1_048_576  # a worksheet's limit, title and header rows included
EXCEL_MAX_TEXT = 32_767  # characters in one cell
HEADER_ROW = 5  # the column names of Headline and All metrics (rows 1-4: title, what the
# numbers are, and notes)
TABLE_HEADER_ROW = 2  # the column names of a table's sheet (row 1: what a row is)
TABLES = (*SCHEMA, "yearly")  # the per-run tables, as sheets, in this order
ACROSS_SHEET = "Across worlds"  # across_worlds.csv's sheet, after All metrics
YEARLY_KEYS = {"year": "Year of the horizon, from 1", "start_week": "First week of the year",
               "end_week": "Last week of the year (the last year ends at the horizon)"}

MINUS = "\u2212"  # a true minus sign: −£297, not -£297
DETECTABLE_LABEL = "Smallest reoffending difference these replications can detect"
_SHARES = ("share", "share/year")
_UNIT_TEXT = {"share": "%", "share/year": "% a year", "GBP": "£", "GBP/year": "£ a year"}
_BETTER_FILL = "DCEAF7"  # light blue and light orange: told apart with any colour vision
_WORSE_FILL = "FBE2CC"


def number_format(unit: str, signed: bool = False) -> str:
    """The Excel number format showing a value in ``unit`` (a true minus sign; a leading
    + when ``signed``, for differences). Shares show as percentages, money in pounds.

    Example:
        >>> number_format("share"), number_format("GBP")
        ('0.0%;"−"0.0%', '"£"#,##0;"−£"#,##0')
        >>> number_format("GBP", signed=True)
        '+"£"#,##0;"−£"#,##0;"£"0'
    """
    if unit in _SHARES:
        body, zero = "0.0%", "0.0%"
    elif unit.startswith("GBP"):
        body, zero = '"£"#,##0', '"£"0'
    elif unit in ("0-1", "ratio"):
        body, zero = "0.00", "0.00"
    else:
        body, zero = "#,##0.0", "0.0"
    negative = f'"{MINUS}£"#,##0' if unit.startswith("GBP") else f'"{MINUS}"{body}'
    return f"+{body};{negative};{zero}" if signed else f"{body};{negative}"


def _unit_text(unit: str) -> str:
    text = _UNIT_TEXT.get(unit, unit)
    return f"{text} (differences in points)" if unit in _SHARES else text


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


# --- cells ---------------------------------------------------------------------------------
class _Cells:
    """Cells of one write-only sheet, styled with the workbook's shared styles."""

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.comments import Comment
        from openpyxl.styles import Alignment, Font, PatternFill

        self.ws = ws
        self._cell = WriteOnlyCell
        self._comment = Comment
        self._illegal = ILLEGAL_CHARACTERS_RE
        self.bold = Font(bold=True)
        self.title_font = Font(bold=True, size=14)
        self.note_font = Font(italic=True)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.fills = {"better": PatternFill("solid", fgColor=_BETTER_FILL),
                      "worse": PatternFill("solid", fgColor=_WORSE_FILL)}

    def text(self, value: str, **style: Any) -> Any:
        """A text cell: never a formula (a name starting with "=" stays text), without the
        characters a spreadsheet cannot hold, at most a cell's length."""
        value = self._illegal.sub("", value)[:EXCEL_MAX_TEXT]
        cell = self._cell(self.ws, value)
        cell.data_type = "s"
        for key, val in style.items():
            setattr(cell, key, val)
        return cell

    def number(self, value: Any, number_format: str | None = None) -> Any:
        """A number cell with a format; None (an empty cell) for NaN or a missing value."""
        if not _finite(value):
            return None
        value = float(value) if isinstance(value, float) else value  # numpy -> Python
        if number_format is None:
            return value
        cell = self._cell(self.ws, value)
        cell.number_format = number_format
        return cell

    def value(self, value: Any) -> Any:
        """Any plain value: text that could be taken for a formula or holds characters a
        spreadsheet cannot as :meth:`text`; NaN and missing values as empty cells."""
        if isinstance(value, str):
            if (value.startswith("=") or len(value) > EXCEL_MAX_TEXT
                    or self._illegal.search(value)):
                return self.text(value)
            return value
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            return None
        return value

    def header(self, names: Sequence[str], notes: Sequence[str] | None = None) -> list[Any]:
        """Bold, wrapped column names, with a note on each (shown on hover) if given."""
        cells = []
        for i, name in enumerate(names):
            cell = self.text(name, font=self.bold, alignment=self.wrap)
            if notes and notes[i]:
                cell.comment = self._comment(notes[i], "mentorsim", width=320, height=110)
            cells.append(cell)
        return cells

    def fill(self, cell: Any, verdict: str | None) -> Any:
        if verdict in self.fills:
            cell.fill = self.fills[verdict]
        return cell


def _widths(ws: WriteOnlyWorksheet, widths: Sequence[float]) -> None:
    from openpyxl.utils import get_column_letter

    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _print_wide(ws: WriteOnlyWorksheet) -> None:
    """Print landscape, all columns on the page's width."""
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


# --- Headline and All metrics --------------------------------------------------------------
class _Summary:
    """``summary.csv`` by (scenario, metric, statistic), with its scenarios and reference."""

    def __init__(self, summary: pd.DataFrame) -> None:
        self.rows = {(str(r.scenario), str(r.metric), str(r.statistic)):
                     (r.mean, r.ci_low, r.ci_high)
                     for r in summary.itertuples(index=False)}
        values = summary[summary["statistic"] == "value"]
        self.scenarios = [str(s) for s in dict.fromkeys(values["scenario"])]
        self.metrics = [str(m) for m in dict.fromkeys(values["metric"])]
        paired = summary[summary["statistic"] == "paired_difference"]["reference"].dropna()
        references = [str(r) for r in dict.fromkeys(paired) if str(r)]
        self.reference = references[0] if references else (self.scenarios or [""])[0]
        self.compared = [s for s in self.scenarios if s != self.reference]
        counts = values["replications"].dropna()
        self.replications = int(counts.max()) if len(counts) else 0

    def get(self, scenario: str, metric: str, statistic: str) -> tuple[float, float, float]:
        nan = math.nan
        return self.rows.get((scenario, metric, statistic), (nan, nan, nan))


def _metric_columns(s: _Summary) -> tuple[list[str], list[str]]:
    """Column names and hover notes of a metric sheet."""
    names = ["Metric", "Unit", "Better"]
    notes = ["", "Shares show as percentages; a difference between two shares is in "
             "percentage points", "Which direction is better, as the metric declares"]
    for scenario in s.scenarios:
        names += [f"{scenario}\nvalue", f"{scenario}\n95% CI lower", f"{scenario}\n95% CI upper"]
        notes += [f"Mean of {scenario}'s replications", "", ""]
        if scenario != s.reference:
            names += [f"{scenario}\ndifference vs {s.reference}\n(shares in points)",
                      f"{scenario}\ndifference\n95% CI lower",
                      f"{scenario}\ndifference\n95% CI upper",
                      f"{scenario}\nvs {s.reference}"]
            notes += [f"{scenario} minus {s.reference}, replication by replication on the "
                      "same seeds, averaged; for shares, percentage points", "", "",
                      "better or worse: the whole 95% interval of the difference is on that "
                      "side of zero; otherwise no clear difference"]
    names += ["Name in summary.csv", "Definition"]
    notes += ["The metric's name in summary.csv, mentorsim metrics and yearly.parquet", ""]
    return names, notes


def _verdict(metric: str, low: float, high: float) -> tuple[str, str | None]:
    """The verdict in words, and the fill it is shown with."""
    if metric not in METRICS:
        return "", None
    verdict = verdict_of(metric, low, high)
    if verdict is None:  # a clear difference on a metric that is neither better nor worse
        return ("higher" if low > 0 else "lower"), None
    return LABELS[verdict], verdict


def _describe(metric: str) -> tuple[str, str, str, str]:
    """(label, unit, definition, better) of a metric of summary.csv."""
    if metric in METRICS:
        m = METRICS[metric]
        return m.label, m.unit, m.definition, m.better
    if metric == DETECTABLE:
        return DETECTABLE_LABEL, "share", DETECTABLE_DEFINITION, ""
    return metric, "", "", ""  # a metric this version does not declare


def _metric_row(c: _Cells, s: _Summary, metric: str) -> list[Any]:
    label, unit, definition, better = _describe(metric)
    plain, signed = number_format(unit), number_format(unit, signed=True)
    if metric == DETECTABLE:
        signed = plain  # a size, not a signed difference
    row: list[Any] = [c.text(label), c.text(_unit_text(unit)), c.text(better)]
    for scenario in s.scenarios:
        row += [c.number(v, plain) for v in s.get(scenario, metric, "value")]
        if scenario != s.reference:
            mean, low, high = s.get(scenario, metric, "paired_difference")
            row += [c.number(v, signed) for v in (mean, low, high)]
            words, verdict = _verdict(metric, low, high) if metric != DETECTABLE else ("", None)
            row.append(c.fill(c.text(words), verdict) if words else None)
    row += [c.text(metric), c.text(definition)]
    return row


def _metric_sheet(wb: Workbook, title: str, s: _Summary, manifest: Mapping[str, Any],
                  groups: Sequence[tuple[str | None, Sequence[str]]]) -> None:
    ws = wb.create_sheet(title)
    c = _Cells(ws)
    names, notes = _metric_columns(s)
    width = max((len(_describe(m)[0]) for _, group in groups for m in group), default=10)
    longest = [max(len(line) for line in n.split("\n")) for n in names[3:-2]]
    _widths(ws, [min(width + 2, 70), 26, 8, *[min(max(n + 2, 12), 26) for n in longest],
                 38, 100])
    ws.freeze_panes = f"B{HEADER_ROW + 1}"
    ws.row_dimensions[HEADER_ROW].height = 15 * max(n.count("\n") + 1 for n in names)
    _print_wide(ws)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"

    weeks = manifest.get("weeks")
    horizon = f" of {weeks} weeks" if weeks else ""
    scenarios = (f"reference scenario {s.reference} compared with {', '.join(s.compared)}"
                 if s.compared else f"scenario {s.reference}")
    runs = f"{s.replications} replication{'' if s.replications == 1 else 's'}{horizon}"
    ws.append([c.text(f"{title}: {scenarios}; {runs} each", font=c.title_font)])
    ws.append([c.text(_what_they_are(manifest), font=c.bold)])
    ws.append([c.text("Means across replications with 95% intervals; cells hold numbers and "
                      "their formats show units: shares as percentages, money in pounds. A "
                      "difference between two shares is in percentage points.",
                      font=c.note_font)])
    ws.append([c.text(f"Differences are paired: each scenario minus {s.reference}, "
                      "replication by replication on the same seeds. Better or worse: the "
                      "whole 95% interval of the difference is on that side of zero; "
                      "otherwise no clear difference.", font=c.note_font)])
    ws.append(c.header(names, notes))
    for group, metrics in groups:
        if group:
            ws.append([c.text(group, font=c.bold)])
        for metric in metrics:
            ws.append(_metric_row(c, s, metric))


def _what_they_are(manifest: Mapping[str, Any]) -> str:
    """What the numbers are (:func:`sim.findings.caveat`), then why an option's results are
    not calibrated when its setting is not: one cell, so the column names stay in row
    :data:`HEADER_ROW` whatever the run."""
    notes = not_calibrated_notes(manifest)
    said = caveat(manifest_worlds(manifest))
    return f"{said} Not calibrated: {' '.join(notes)}" if notes else said


# --- Across worlds --------------------------------------------------------------------------
def _across_sheet(wb: Workbook, table: pd.DataFrame, manifest: Mapping[str, Any]) -> None:
    """``across_worlds.csv`` for a reader: the lines in words first, then the table with
    plain-English column names (its CSV names in the notes), differences in the outcome's
    unit, shares of worlds as percentages."""
    from sim.across_worlds import COLUMN_INFO, HOW_TO_READ, NO_LINES, heading, sentences

    ws = wb.create_sheet(ACROSS_SHEET)
    c = _Cells(ws)
    info = [i for i in COLUMN_INFO if i[0] not in ("scenario", "reference", "metric")]
    names = ["Option", "Compared with", "Outcome", "Unit",
             *[header for _, header, _, _ in info], "Name in across_worlds.csv"]
    notes = ["", "", "", "Shares show as percentages; a difference between two shares is "
             "in percentage points", *[f"{column} ({unit}): {meaning}"
                                      for column, _, unit, meaning in info],
             "The outcome's name in across_worlds.csv, summary.csv and mentorsim metrics"]
    _widths(ws, [24, 18, 34, 22, *[16] * len(info), 36])
    _print_wide(ws)
    references = ", ".join(dict.fromkeys(str(r) for r in table["reference"]))
    against = f": each option against {references}" if references else ""
    ws.append([c.text(f"{heading(table)}{against}", font=c.title_font)])
    ws.append([c.text(_what_they_are(manifest), font=c.bold)])
    ws.append([c.text(HOW_TO_READ, font=c.note_font)])
    ws.append([c.text("In words, per option and key outcome (the table under them holds the "
                      "same figures):", font=c.bold)])
    for line in sentences(table) or [NO_LINES]:
        ws.append([c.text(line)])
    ws.append([])
    ws.append(c.header(names, notes))
    shares = {"better_share", "worse_share", "unclear_share"}
    differences = {"effect", "worlds_low", "worlds_high", "mc_low", "mc_high"}
    for row in table.itertuples(index=False):
        label, unit, _definition, _better = _describe(str(row.metric))
        cells: list[Any] = [c.text(str(row.scenario)), c.text(str(row.reference)),
                            c.text(label), c.text(_unit_text(unit))]
        for column, _header, _unit, _meaning in info:
            value = getattr(row, column)
            if column in differences:
                cells.append(c.number(value, number_format(unit, signed=True)))
            elif column in shares:
                cells.append(c.number(value, number_format("share")))
            elif isinstance(value, str):
                cells.append(c.text(value) if value else None)
            else:
                cells.append(c.number(value))
        cells.append(c.text(str(row.metric)))
        ws.append(cells)


# --- Parameters -----------------------------------------------------------------------------
def _flatten(params: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in params.items():
        if isinstance(value, Mapping):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _parameters_sheet(wb: Workbook, manifest: Mapping[str, Any]) -> None:
    scenarios = manifest.get("scenarios") or []
    ws = wb.create_sheet("Parameters")
    c = _Cells(ws)
    flat = [dict(_flatten(s.get("parameters") or {})) for s in scenarios]
    keys = list(dict.fromkeys(k for f in flat for k in f))
    titles = [_parameter_title(k) for k in keys]
    names = ["Parameter", "Key in a scenario file", *[str(s.get("name", "")) for s in scenarios],
             "Differs"]
    _widths(ws, [min(max((len(n) for n in titles), default=10) + 2, 60),
                 max((len(k) for k in keys), default=10) + 2,
                 *[max(len(n) + 2, 14) for n in names[2:-1]], 9])
    ws.freeze_panes = f"C{TABLE_HEADER_ROW + 1}"
    ws.append([c.text("Parameters: every scenario's resolved parameters (manifest.json); "
                      "Differs marks a parameter that is not the same in every scenario",
                      font=c.title_font)])
    ws.append(c.header(names))
    for key, title in zip(keys, titles, strict=True):
        values = [f.get(key) for f in flat]
        shown = [json.dumps(v) if isinstance(v, list | dict) else v for v in values]
        differs = len({json.dumps(v, sort_keys=True) for v in values}) > 1
        ws.append([c.text(title), c.text(key), *[c.value(v) for v in shown],
                   c.text("yes", font=c.bold) if differs else None])


def _parameter_title(key: str) -> str:
    """A parameter's label and unit (:func:`sim.labels.title`), or its key when this
    version does not declare it (a folder written by another version)."""
    from sim.labels import title

    try:
        return title(key)
    except KeyError:
        return key


# --- the per-run tables -----------------------------------------------------------------------
def _table_columns(name: str, columns: Sequence[str]) -> dict[str, tuple[str, str]]:
    """(unit, meaning) of each column of a table, as declared."""
    declared = {col.name: (col.unit, col.meaning) for col in RUN_KEYS}
    if name in SCHEMA:
        declared |= {col.name: (col.unit, col.meaning) for col in SCHEMA[name].columns}
    else:
        declared |= {k: ("", v) for k, v in YEARLY_KEYS.items()}
        declared |= {m.name: (m.unit, m.definition) for m in METRICS.values()}
    return {col: declared.get(col, ("", "")) for col in columns}


METRICS_UNITS = {m.unit for m in METRICS.values()}


def _table_format(name: str, unit: str) -> str | None:
    """Numbers of a table's column shown with a format: money, 0-1 scores and (yearly's
    metrics) every metric unit; other columns (counts, weeks, ids) as they are."""
    if unit.startswith("GBP") or unit == "0-1" or (name == "yearly" and unit in METRICS_UNITS):
        return number_format(unit)
    return None


def _column_values(c: _Cells, series: pd.Series, number_format: str | None) -> list[Any]:
    """A column as cell values: Python numbers, text cells, None where missing."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        values = series.astype("float64" if series.dtype.kind == "f" else object)
        out = [None if v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v
               for v in values.tolist()]
        if number_format is not None:
            return [c.number(v, number_format) for v in out]
        return out
    return [c.value(v) for v in series.astype(object).tolist()]


def _table_sheet(wb: Workbook, folder: Path, name: str) -> str:
    """Write table ``name``'s sheet; returns what it holds, for the About sheet."""
    path = folder / f"{name}.parquet"
    meta = pq.ParquetFile(path).metadata
    rows, ncols = meta.num_rows, meta.num_columns
    ws = wb.create_sheet(name)
    c = _Cells(ws)
    what = SCHEMA[name].row if name in SCHEMA else "year of the horizon"
    title = c.text(f"{name}.parquet: one row per scenario × replication × {what} "
                   f"({rows:,} rows). Hover over a column's name for its unit and meaning.",
                   font=c.title_font)
    if rows * ncols > MAX_SHEET_CELLS or rows + TABLE_HEADER_ROW > EXCEL_MAX_ROWS:
        ws.append([title])
        ws.append([c.text(f"Not in this spreadsheet: {rows:,} rows × {ncols} columns is more "
                          f"than the {MAX_SHEET_CELLS:,} cells a sheet here holds. The table "
                          f"is in {name}.parquet in the same folder (pandas.read_parquet, "
                          "or any tool that reads Parquet).", font=c.note_font)])
        return f"not included ({rows:,} rows): in {name}.parquet"
    frame = pd.read_parquet(path)
    info = _table_columns(name, list(frame.columns))
    notes = [f"{unit}: {meaning}" if unit else meaning for unit, meaning in info.values()]
    sample = frame.head(200)
    # widths and frozen panes go before the first row: a write-only sheet writes them then
    _widths(ws, [min(max([len(col) + 2, 8,
                          *(len(str(v)) + 1 for v in sample[col].tolist())]), 40)
                 for col in frame.columns])
    ws.freeze_panes = f"C{TABLE_HEADER_ROW + 1}"  # scenario and replication stay
    ws.append([title])
    ws.append(c.header(list(frame.columns), notes))
    columns = [_column_values(c, frame[col], _table_format(name, info[col][0]))
               for col in frame.columns]
    for row in zip(*columns, strict=True):
        ws.append(list(row))
    return f"{rows:,} rows"


# --- About ------------------------------------------------------------------------------------
def _seed_value(seed: Any) -> Any:
    """A seed as a number if a spreadsheet keeps all its digits (15), else as text."""
    return seed if isinstance(seed, int) and abs(seed) < 10**15 else (
        None if seed is None else str(seed))


def _about_sheet(wb: Workbook, folder: Path, manifest: Mapping[str, Any],
                 contents: Mapping[str, str]) -> None:
    ws = wb.create_sheet("About")
    c = _Cells(ws)
    _widths(ws, [28, 70, 24, 24, 24, 24, 24, 24])
    ws.append([c.text("About these results", font=c.title_font)])
    if not manifest:
        ws.append([c.text("This folder has no manifest.json: seeds and versions are not "
                          "known.", font=c.note_font)])
    command = manifest.get("command")
    facts = [
        ("Results folder", folder.resolve().name),
        ("Created (UTC)", manifest.get("created_utc")),
        ("mentorsim version", manifest.get("mentorsim_version")),
        ("Git commit", manifest.get("git_commit") or "not recorded"),
        ("Python version", manifest.get("python_version")),
        ("Mesa version", manifest.get("mesa_version")),
        ("NumPy version", manifest.get("numpy_version")),
        ("pandas version", manifest.get("pandas_version")),
        ("Command", " ".join(map(str, command)) if isinstance(command, list) else command),
        ("Root seed", _seed_value(manifest.get("root_seed"))),
        ("Replications", manifest.get("replications")),
        ("Weeks", manifest.get("weeks")),
        ("Wall time (s)", manifest.get("wall_time_s")),
        *([("Plausible worlds", manifest.get("worlds")),
           ("Replications in each world", manifest.get("world_replications"))]
          if manifest_worlds(manifest) else []),
        *[("Not calibrated", note) for note in not_calibrated_notes(manifest)],
        ("Spreadsheet written (UTC)", datetime.now(UTC).isoformat(timespec="seconds")),
    ]
    for key, value in facts:
        ws.append([c.text(key, font=c.bold), c.value(value)])

    scenarios = manifest.get("scenarios") or []
    ws.append([])
    ws.append([c.text("Scenarios (the first is the reference for differences)", font=c.bold)])
    ws.append(c.header(["Name", "Question", "Source"]))
    for s in scenarios:
        ws.append([c.value(s.get(k)) for k in ("name", "question", "source")])

    seeds = [[str(seed) for seed in s.get("seeds") or []] for s in scenarios]
    shared = all(x == seeds[0] for x in seeds)
    ws.append([])
    ws.append([c.text("Seeds: replication k of every scenario runs on the same seed (common "
                      "random numbers); written as text, since a spreadsheet number keeps "
                      "only 15 digits" if shared else "Seeds of each replication",
                      font=c.bold)])
    names = ["Replication", "Seed"] if shared else ["Replication",
                                                    *[str(s.get("name")) for s in scenarios]]
    ws.append(c.header(names))
    for k in range(max((len(x) for x in seeds), default=0)):
        own = seeds[:1] if shared else seeds
        ws.append([k, *[c.text(x[k]) if k < len(x) else None for x in own]])

    ws.append([])
    ws.append([c.text("Sheets", font=c.bold)])
    for sheet, text in contents.items():
        ws.append([c.text(sheet), c.text(text)])


# --- the workbook -----------------------------------------------------------------------------
def read_summary(folder: Path) -> pd.DataFrame:
    """``summary.csv`` as written (a scenario named "NA" stays a name; an empty cell is
    NaN)."""
    path = Path(folder) / "summary.csv"
    if not path.is_file():
        raise UserError(f"{folder}: no summary.csv (expected from `mentorsim run`)")
    return pd.read_csv(path, keep_default_na=False, na_values=[""],
                       dtype={"scenario": str, "metric": str, "statistic": str,
                              "reference": str})


def read_manifest(folder: Path) -> dict[str, Any]:
    """``manifest.json`` of ``folder`` ({} when it has none).

    Raises:
        UserError: it is not valid JSON, or not a JSON object.
    """
    path = Path(folder) / "manifest.json"
    if not path.is_file():
        return {}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(manifest, dict):
        raise UserError(f"{path}: not a manifest (expected a JSON object)")
    return manifest


def build_workbook(folder: Path) -> Workbook:
    """The workbook of ``folder``'s results (see the module's docstring for its sheets)."""
    from openpyxl import Workbook

    folder = Path(folder)
    s = _Summary(read_summary(folder))
    manifest = read_manifest(folder)
    wb = Workbook(write_only=True)
    wb.properties.title = "mentorsim results summary"
    wb.properties.creator = "mentorsim"
    try:
        _fill(wb, folder, s, manifest)
    except BaseException:
        discard(wb)
        raise
    return wb


def _fill(wb: Workbook, folder: Path, s: _Summary, manifest: Mapping[str, Any]) -> None:
    headline = [(name, [m for m in group if m in s.metrics]) for name, group in HEADLINE_GROUPS]
    _metric_sheet(wb, "Headline", s, manifest, headline)
    _metric_sheet(wb, "All metrics", s, manifest, [(None, s.metrics)])
    contents = {"Headline": "headline metrics by scenario, with paired differences",
                "All metrics": "every metric of summary.csv, laid out as Headline"}
    from sim.across_worlds import read

    across = read(folder)
    if across is not None:
        _across_sheet(wb, across, manifest)
        contents[ACROSS_SHEET] = ("each option against the reference across plausible worlds "
                                  "(across_worlds.csv), in words and as a table")
    if manifest.get("scenarios"):
        _parameters_sheet(wb, manifest)
        contents["Parameters"] = "every scenario's resolved parameters"
    for name in TABLES:
        if (folder / f"{name}.parquet").is_file():
            contents[name] = _table_sheet(wb, folder, name)
    contents["About"] = "versions, command, seeds and scenarios (from manifest.json)"
    _about_sheet(wb, folder, manifest, contents)


def discard(wb: Workbook) -> None:
    """Close a write-only workbook that will not be saved: its sheets' rows wait in
    temporary files (outside the results folder) until it is saved, so remove them."""
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)
        if writer is None:
            continue
        with contextlib.suppress(Exception):  # half-written: nothing more to keep
            if not ws.closed:
                ws.close()
        with contextlib.suppress(OSError, ValueError):  # already removed by a save
            writer.cleanup()


def write_spreadsheet(folder: Path) -> Path:
    """Write ``folder/summary.xlsx`` from the folder's files, atomically (a temporary file
    in the folder, renamed into place). Returns its path.

    Raises:
        UserError: the folder has no ``summary.csv``, or a damaged ``manifest.json`` or
            ``across_worlds.csv``.
    """
    folder = Path(folder)
    wb = build_workbook(folder)
    path = folder / FILE
    try:
        write_atomically(path, lambda tmp: wb.save(tmp))
    except BaseException:
        discard(wb)
        raise
    return path


def main(argv: Iterable[str] | None = None) -> int:
    """``python -m sim.spreadsheet DIR [DIR ...]``: (re)write each folder's summary.xlsx."""
    folders = list(sys.argv[1:] if argv is None else argv)
    if not folders or any(f.startswith("-") for f in folders):
        print("usage: python -m sim.spreadsheet RESULTS_DIR [RESULTS_DIR ...]\n"
              "(re)writes RESULTS_DIR/summary.xlsx from the folder's summary.csv, "
              "manifest.json and tables", file=sys.stderr)
        return 2
    for folder in folders:
        try:
            print(f"spreadsheet: {write_spreadsheet(Path(folder))}")
        except UserError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
