"""The files a planner takes away from a comparison, and the routes that serve them.

Served by the studio's own (Flask) server, only from results folders of the working
folder and only under fixed names (:data:`DOWNLOADS`), so no request can name a file:

- ``/studio/results/RUN/dashboard.html``: the comparison dashboard, shown in the page;
- ``/studio/download/RUN/KIND``: the results folder as a zip, ``dashboard.html``, the
  headline table as CSV (:func:`headline_frame`) and the spreadsheet
  (:func:`spreadsheet_bytes`: ``summary.xlsx``, written by the run);
- ``/studio/download/RUN/options/NAME.toml``: an option as the scenario file it ran as
  (the portable form, see :mod:`studio.scenario_file`);
- ``/studio/decision/RUN/KIND``: a decision's spreadsheet (``decision.xlsx``) and its spec
  (``decision.toml``, for ``mentorsim decide``), :data:`DECISION_DOWNLOADS`;
- ``/studio/decision/RUN/options/NAME.toml``: each recommended option of a decision as a
  scenario file (the decision's ``options/``).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sim.findings import LABELS, verdict_of
from sim.metrics import HEADLINE_GROUPS, METRICS
from sim.spreadsheet import read_summary
from studio.folder import SAFE_NAME, FolderError, WorkingFolder, check_name

DOWNLOADS: dict[str, str] = {
    "results.zip": "the whole results folder (zip)",
    "dashboard.html": "the dashboard (opens offline in a browser)",
    "headline.csv": "the headline table (CSV)",
    "summary.xlsx": "the spreadsheet (Excel)",
}
DECISION_DOWNLOADS: dict[str, str] = {
    "decision.xlsx": "the whole decision as a spreadsheet (Excel)",
    "decision.toml": "the decision as a spec file, to run again or larger with "
                     "mentorsim decide",
}
OPTION_FILES = "download"  # in a run's job folder: the options' portable scenario files
# The dashboard's own page allows nothing from elsewhere (its meta policy); as a response
# of the studio it may be framed by the studio's page only.
FRAMED_BY_THE_STUDIO = "frame-ancestors 'self'"


def zip_bytes(folder: Path) -> bytes:
    """The results folder as a zip, its files under ``<folder name>/`` (no links
    followed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                archive.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    return buffer.getvalue()


def headline_frame(summary: pd.DataFrame) -> pd.DataFrame:
    """The headline table in wide form: a row per headline metric (with its group, label
    and unit), for each scenario its mean and 95% interval, and for each but the
    reference its paired difference from the reference with its interval and verdict."""
    values = summary[summary["statistic"] == "value"]
    diffs = summary[summary["statistic"] == "paired_difference"]
    scenarios = list(dict.fromkeys(values["scenario"].astype(str)))
    reference = scenarios[0] if scenarios else ""
    rows = []
    for group, metrics in HEADLINE_GROUPS:
        for metric in metrics:
            declared = METRICS.get(metric)
            row: dict[str, object] = {
                "group": group, "metric": metric,
                "label": declared.label if declared else metric,
                "unit": declared.unit if declared else ""}
            found = False
            for scenario in scenarios:
                value = values[(values["scenario"] == scenario) & (values["metric"] == metric)]
                if not value.empty:
                    found = True
                    v = value.iloc[0]
                    row[f"{scenario}: mean"] = v["mean"]
                    row[f"{scenario}: 95% CI low"] = v["ci_low"]
                    row[f"{scenario}: 95% CI high"] = v["ci_high"]
                diff = diffs[(diffs["scenario"] == scenario) & (diffs["metric"] == metric)]
                if scenario != reference and not diff.empty:
                    d = diff.iloc[0]
                    verdict = verdict_of(metric, float(d["ci_low"]), float(d["ci_high"])) \
                        if declared else None
                    row[f"{scenario} vs {reference}: difference"] = d["mean"]
                    row[f"{scenario} vs {reference}: 95% CI low"] = d["ci_low"]
                    row[f"{scenario} vs {reference}: 95% CI high"] = d["ci_high"]
                    row[f"{scenario} vs {reference}: verdict"] = LABELS.get(verdict, "")
            if found:
                rows.append(row)
    return pd.DataFrame(rows)


def headline_csv(folder: Path) -> bytes:
    """The headline table as CSV (UTF-8 with a byte-order mark, which Excel needs to read
    "£" and "−" right)."""
    return headline_frame(read_summary(folder)).to_csv(index=False).encode("utf-8-sig")


def spreadsheet_bytes(folder: Path) -> bytes:
    """The results' spreadsheet: ``summary.xlsx`` as the run wrote it, else written now
    into the folder by :func:`sim.spreadsheet.write_spreadsheet` (a folder from before
    runs wrote one)."""
    path = folder / "summary.xlsx"
    if not path.is_file():
        from sim.spreadsheet import write_spreadsheet

        path = write_spreadsheet(folder)
    return path.read_bytes()


def download(folder: WorkingFolder, run: str, kind: str) -> tuple[bytes, str, str]:
    """(content, file name, MIME type) of one download of results folder ``run``."""
    results = folder.results(run)
    makers: dict[str, tuple[Callable[[Path], bytes], str, str]] = {
        "results.zip": (zip_bytes, f"{run}.zip", "application/zip"),
        "dashboard.html": (lambda f: (f / "dashboard.html").read_bytes(),
                           f"{run}-dashboard.html", "text/html"),
        "headline.csv": (headline_csv, f"{run}-headline.csv", "text/csv"),
        "summary.xlsx": (spreadsheet_bytes, f"{run}-summary.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    }
    if kind not in makers:
        raise FolderError(f"{kind}: not a download ({', '.join(makers)})")
    make, name, mime = makers[kind]
    try:
        return make(results), name, mime
    except FileNotFoundError:
        raise FolderError(f"{run}: this results folder has no {kind}") from None


def option_files(folder: WorkingFolder, run: str) -> list[str]:
    """The options' scenario files a run kept for download, in the order they ran."""
    try:
        names = (folder.job_dir(run) / OPTION_FILES / "order.txt").read_text(encoding="utf-8")
    except OSError:
        return []
    return [n for n in names.split() if n.endswith(".toml")]


def option_file(folder: WorkingFolder, run: str, name: str) -> bytes:
    """One option's scenario file of run ``run``."""
    check_name(name, "file name")
    if name not in option_files(folder, run):
        raise FolderError(f"{name}: not an option of {run}")
    return folder.inside(folder.job_dir(run) / OPTION_FILES / name).read_bytes()


def decision_download(folder: WorkingFolder, run: str, kind: str) -> tuple[bytes, str, str]:
    """(content, file name, MIME type) of one download of decision ``run``: its
    spreadsheet, or the spec it was made from (kept in its job folder)."""
    from studio.decide_form import SPEC_FILE

    where = folder.decision(run)
    paths = {"decision.xlsx": (where / "decision.xlsx", f"{run}-decision.xlsx",
                               "application/vnd.openxmlformats-officedocument."
                               "spreadsheetml.sheet"),
             SPEC_FILE: (folder.job_dir(run) / SPEC_FILE, f"{run}.toml", "application/toml")}
    if kind not in paths:
        raise FolderError(f"{kind}: not a download ({', '.join(paths)})")
    path, name, mime = paths[kind]
    try:
        return folder.inside(path).read_bytes(), name, mime
    except FileNotFoundError:
        raise FolderError(f"{run}: this decision has no {kind}") from None


def decision_options(folder: WorkingFolder, run: str) -> list[str]:
    """The scenario files of a decision's recommended options (``options/*.toml``)."""
    where = folder.decision(run) / "options"
    return sorted(p.name for p in where.glob("*.toml") if SAFE_NAME.fullmatch(p.name)) \
        if where.is_dir() else []


def decision_option(folder: WorkingFolder, run: str, name: str) -> bytes:
    """One recommended option of decision ``run`` as a scenario file."""
    check_name(name, "file name")
    if name not in decision_options(folder, run):
        raise FolderError(f"{name}: not an option of {run}")
    return folder.inside(folder.decision(run) / "options" / name).read_bytes()


def register_routes(server: object, folder: WorkingFolder) -> None:
    """Add the dashboard and download routes to the studio's Flask ``server``."""
    import flask

    def refuse(exc: FolderError) -> flask.Response:
        return flask.Response(str(exc), status=404, mimetype="text/plain")

    def attachment(content: bytes, name: str, mime: str) -> flask.Response:
        response = flask.Response(content, mimetype=mime)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def route(rule: str, endpoint: str, respond: Callable[..., flask.Response]) -> None:
        """Serve ``respond(**parts of the URL)`` at ``rule``; what the working folder
        refuses (:class:`studio.folder.FolderError`) is a 404 saying why."""
        def view(**parts: str) -> flask.Response:
            try:
                return respond(**parts)
            except FolderError as exc:
                return refuse(exc)

        server.add_url_rule(rule, endpoint, view)  # type: ignore[attr-defined]

    def dashboard(run: str) -> flask.Response:
        content, _, mime = download(folder, run, "dashboard.html")
        response = flask.Response(content, mimetype=mime)
        # shown inside the studio's own page, and in no other page's frame
        response.headers["Content-Security-Policy"] = FRAMED_BY_THE_STUDIO
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response

    toml = "application/toml"
    route("/studio/results/<run>/dashboard.html", "dashboard", dashboard)
    route("/studio/download/<run>/<kind>", "results_file",
          lambda run, kind: attachment(*download(folder, run, kind)))
    route("/studio/download/<run>/options/<name>", "option",
          lambda run, name: attachment(option_file(folder, run, name), name, toml))
    route("/studio/decision/<run>/<kind>", "decision_file",
          lambda run, kind: attachment(*decision_download(folder, run, kind)))
    route("/studio/decision/<run>/options/<name>", "decision_option_file",
          lambda run, name: attachment(decision_option(folder, run, name), name, toml))
