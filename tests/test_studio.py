"""mentorsim studio: forms from the declarations, checks as `validate` makes them, scenario
files that `validate` accepts, the working folder's walls, background runs, the command,
and (marked ``browser``) the page itself in headless Chromium.

Simulations here are tiny (2 replications, 26 weeks, one worker).
"""

from __future__ import annotations

import doctest
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import studio
from sim import toml_text
from sim.cli import main as cli_main
from sim.errors import ScenarioError
from sim.params import SECTIONS
from sim.scenario import load_scenario, parse_override
from studio import folder as folder_mod
from studio import forms, options, programme
from studio.downloads import download, headline_frame, option_file, spreadsheet_bytes, zip_bytes
from studio.folder import FolderError, WorkingFolder, check_name
from studio.forms import FieldError, all_fields, lever_fields, local_fields, parse_value
from studio.jobs import AlreadyRunningError, Jobs
from studio.messages import field_message, plain
from studio.options import Option, check_local, check_option, check_options, set_overrides
from studio.programme import check_chain, resolve_start, save_upload
from studio.scenario_file import option_text, write_run_files

try:  # pytest's default "prepend" import mode puts tests/ itself on sys.path
    from studio_page import ARTIFACTS, browser, field, needs_chromium, open_group, panel, served
except ModuleNotFoundError:  # pragma: no cover - when tests/ is imported as a package
    from tests.studio_page import (
        ARTIFACTS,
        browser,
        field,
        needs_chromium,
        open_group,
        panel,
        served,
    )

__all__ = ["browser", "served"]  # fixtures, used by name

ROOT = Path(__file__).resolve().parents[1]
TINY = {"replications": 2, "weeks": 26}


def _levers() -> set[str]:
    out = set()
    for section, model in SECTIONS.items():
        for name, info in model.model_fields.items():
            if (info.json_schema_extra or {}).get("kind") == "lever":
                out.add(f"{section}.{name}")
    return out


@pytest.fixture
def work(tmp_path: Path) -> WorkingFolder:
    return WorkingFolder(tmp_path / "work")


@pytest.fixture
def baseline(work: WorkingFolder) -> programme.Start:
    return resolve_start(work, "bundled:baseline")


def _b64(text: str) -> str:
    import base64

    return "data:application/octet-stream;base64," + base64.b64encode(text.encode()).decode()


# --- forms --------------------------------------------------------------------------------
def test_doctests_of_the_studio_modules() -> None:
    for module in (toml_text, forms, folder_mod, options, programme):
        flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
        result = doctest.testmod(module, optionflags=flags)
        assert result.failed == 0, module.__name__


def test_lever_forms_are_generated_from_the_declarations() -> None:
    groups = lever_fields()
    assert list(groups) == ["funding", "training", "supervision", "support", "matching",
                            "mentors"]
    shown = {f.key for fields in groups.values() for f in fields}
    # every lever has a field except the cut order, a list edited in a scenario file; and
    # so do the uncertainties a planner sets as they expect them
    assert shown == (_levers() - {"funding.cut_order"}) | set(forms.PLANNER_SET)
    for fields in groups.values():
        for f in fields:
            info = SECTIONS[f.key.split(".")[0]].model_fields[f.key.split(".")[1]]
            # the declaration, in plain words (its choices as its buttons say them)
            assert f.meaning == forms.choices_in_words(plain(info.description), f.choices)
            assert f.unit == info.json_schema_extra["unit"]
            assert f.source and f.source in f.help
            if f.plausible:
                assert "Plausible range" in f.help
    by_key = {f.key: f for fields in groups.values() for f in fields}
    # each section goes to its own group; staff posts sit beside what they deliver
    assert by_key["funding.grant_term_years"].group == "funding"
    assert by_key["staff.supervisors_fte"].group == "supervision"
    assert by_key["staff.coordinators_fte"].group == "support"
    assert by_key["supervision.style"].kind == "choice"
    assert by_key["supervision.style"].choices == ("therapeutic", "managerial")
    assert by_key["matching.cultural_matching"].kind == "yes/no"
    assert by_key["programme.planned_match_weeks"].kind == "integer"
    assert by_key["funding.annual_budget_gbp"].label == "Annual budget"


def test_make_it_ours_has_the_numbers_of_a_local_programme() -> None:
    keys = [f.key for f in local_fields()]
    assert keys == ["programme.referrals_per_year", "programme.target_mentors",
                    "staff.coordinators_fte", "staff.supervisors_fte",
                    "funding.annual_budget_gbp", "funding.grant_term_years",
                    "programme.setting"]
    assert all(f.unit for f in local_fields())


@pytest.mark.parametrize(("key", "raw", "value"), [
    ("funding.grant_term_years", " 5 ", 5), ("funding.grant_term_years", "2.5", 2.5),
    ("funding.grant_term_years", "", None), ("funding.grant_term_years", None, None),
    ("funding.annual_budget_gbp", "1.5e5", 150000.0), ("supervision.style", "therapeutic",
                                                        "therapeutic"),
    ("supervision.style", "", None), ("matching.cultural_matching", "yes", True),
    ("matching.cultural_matching", "no", False),
])
def test_values_are_parsed_as_numbers_yes_no_or_choices(key: str, raw: object,
                                                        value: object) -> None:
    assert parse_value(all_fields()[key], raw) == value


@pytest.mark.parametrize(("key", "raw", "says"), [
    ("funding.annual_budget_gbp", "120,000", "without thousands separators: type 120000"),
    ("funding.annual_budget_gbp", "£120k", "type 120000"),
    ("mentors.peer_share", "90%", "type 0.9"),
    ("funding.annual_budget_gbp", "__import__('os').system('touch x')", "not a number"),
    ("funding.annual_budget_gbp", "1e999", "too large to be a number"),
    ("funding.annual_budget_gbp", "1\nfunding.setup_weeks = 0", "not a number"),
    ("supervision.style", "__class__", "pick therapeutic, managerial"),
    ("matching.cultural_matching", "TRUE", "pick yes, no"),
])
def test_anything_else_is_refused_with_the_fix(key: str, raw: str, says: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse_value(all_fields()[key], raw)
    assert says in str(caught.value)


@settings(max_examples=60, deadline=None)
@given(number=st.one_of(st.integers(-10**9, 10**9),
                        st.floats(allow_nan=False, allow_infinity=False, width=64)),
       choice=st.sampled_from(["therapeutic", "managerial"]), flag=st.booleans())
def test_overrides_read_back_as_the_values_given(number: float, choice: str,
                                                 flag: bool) -> None:
    values = {"funding.annual_budget_gbp": number, "supervision.style": choice,
              "matching.cultural_matching": flag}
    parsed = dict(parse_override(t) for t in set_overrides(values))
    assert parsed == values
    assert [type(v) for v in parsed.values()] == [type(v) for v in values.values()]


# --- checks, as validate makes them -------------------------------------------------------
def _validate_stderr(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli_main(["validate", *argv])
    return code, capsys.readouterr().err


def test_field_messages_are_the_messages_validate_gives(baseline: programme.Start,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    values, errors = options.parse_fields(all_fields(), {"training.pre_match_hours": "-3",
                                                         "supervision.style": "therapeutic"})
    check = check_option(baseline, {}, Option("Ours", changes=values), 1, None, errors)
    assert not check.ok
    message = check.field_errors["training.pre_match_hours"]
    code, err = _validate_stderr(capsys, "baseline", "--set", "training.pre_match_hours=-3")
    assert code == 2
    # validate's message, said in the page's words beside the field instead of after --set
    said = err.strip().removeprefix("invalid: --set training.pre_match_hours=-3: ")
    assert message == field_message(said, "training.pre_match_hours")
    assert message == "\u22123: must be 0 or more"
    assert "supervision.style" not in check.field_errors


def test_checks_across_fields_are_about_the_option(baseline: programme.Start,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    check = check_option(baseline, {}, Option("Small", changes={
        "funding.annual_budget_gbp": 50_000}), 1)
    assert check.errors and not check.field_errors
    code, err = _validate_stderr(capsys, "baseline", "--set",
                                 "funding.annual_budget_gbp=50000")
    assert code == 2
    said = err.strip().removeprefix("invalid: ").split(": ", 1)[1]  # after the file's name
    assert check.errors[0] == plain(said)
    assert check.errors[0].startswith("staff cost £")
    assert "annual budget of £50,000" in check.errors[0] and "funding." not in check.errors[0]


def test_capacity_and_cost_are_shown_as_you_type(baseline: programme.Start,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    check = check_option(baseline, {}, Option("More supervision", changes={
        "supervision.sessions_per_month": 2}), 1, TINY)
    assert check.ok
    assert any(w.startswith("supervision: 2 session(s) a month for 26 mentors needs 52")
               for w in check.warnings)
    from sim.capacity import grant_annual_payment, planned_annual_spend

    params = check.scenario.params
    assert f"£{planned_annual_spend(params):,.0f} a year" in check.cost
    assert f"£{grant_annual_payment(params):,.0f} a year a grant pays" in check.cost
    cli_main(["validate", "baseline", "--set", "supervision.sessions_per_month=2"])
    assert check.warnings[0] in capsys.readouterr().err


def test_make_it_ours_numbers_apply_to_every_option(baseline: programme.Start) -> None:
    local, errors, general = check_local(baseline, {f.key: f for f in local_fields()},
                                         {"programme.target_mentors": "40",
                                          "funding.annual_budget_gbp": "150000"})
    assert not errors and not general
    check = check_option(baseline, local, Option("Ours"), 0)
    assert check.scenario.params.programme.target_mentors == 40
    _, errors, _ = check_local(baseline, {f.key: f for f in local_fields()},
                               {"programme.target_mentors": "2.5"})
    assert "valid integer" in errors["programme.target_mentors"]


def test_natural_option_names_are_kept_and_their_files_are_safe(baseline: programme.Start
                                                                 ) -> None:
    from studio.scenario_file import file_names

    assert options.option_name("../../etc/passwd", 0) == "etc_passwd"
    assert options.option_name("<script>x</script>", 0) == "script_x_script"
    named = [Option("Ours"), Option("  ours "), Option("Therapeutic supervision"),
             Option("Budget cut 25%"), Option("Budget cut 25")]
    checks = check_options(baseline, {}, named)
    assert [c.name for c in checks] == ["Ours", "ours", "Therapeutic supervision",
                                        "Budget cut 25%", "Budget cut 25"]
    assert "also called \u201cOurs\u201d" in checks[1].name_error and not checks[1].ok
    # a bundled scenario's name is a natural name too: accepted, its file named apart
    assert checks[2].ok and checks[3].ok and checks[4].ok
    assert file_names(named) == ["ours.toml", "ours_2.toml", "therapeutic_supervision_option.toml",
                                 "budget_cut_25.toml", "budget_cut_25_2.toml"]


# --- scenario files -------------------------------------------------------------------------
@settings(max_examples=80, deadline=None)
@given(text=st.text(max_size=40), number=st.floats(allow_nan=False, allow_infinity=False),
       whole=st.integers(-2**63, 2**63 - 1), flag=st.booleans(),
       words=st.lists(st.text(max_size=5), max_size=3))
def test_toml_text_reads_back_with_tomllib(text: str, number: float, whole: int, flag: bool,
                                           words: list[str]) -> None:
    doc = {"question": text, "extends": "baseline",
           "funding": {"annual_budget_gbp": number, "grant_term_years": whole, "x": flag},
           "other": {"list": words, "odd key": text}}
    assert tomllib.loads(toml_text.document_text(doc, [text])) == doc


def _written_validates(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code = cli_main(["validate", str(path)])
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


def test_a_downloaded_option_validates_and_means_the_same(tmp_path: Path,
                                                          baseline: programme.Start,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    local = {"programme.target_mentors": 30}
    option = Option("Five years, therapeutic", "What if 5 years and \"therapeutic\"?",
                    {"funding.grant_term_years": 5, "supervision.style": "therapeutic",
                     "matching.cultural_matching": True})
    check = check_option(baseline, local, option, 1)
    text = option_text(baseline, local, option, 1)
    assert 'extends = "baseline"' in text
    data = tomllib.loads(text)
    assert data["funding"] == {"grant_term_years": 5}
    assert data["programme"] == {"target_mentors": 30}
    path = tmp_path / "downloads" / "five_years_therapeutic.toml"
    path.parent.mkdir()
    path.write_text(text)
    assert "five_years_therapeutic" in _written_validates(path, capsys)
    loaded = load_scenario(str(path))
    assert loaded.params == check.scenario.params
    assert loaded.question == option.question


def test_an_option_from_an_uploaded_file_carries_its_values(work: WorkingFolder, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]
                                                            ) -> None:
    start, question = save_upload(work, "ours.toml", _b64(
        'question = "Our region"\nextends = "baseline"\n\n[programme]\ntarget_mentors = 40\n'))
    assert question == "Our region"
    assert {"label": "uploads/ours.toml (in the working folder)",
            "value": "file:uploads/ours.toml"} in programme.starting_points(work)
    option = Option("Longer", changes={"funding.grant_term_years": 5})
    text = option_text(start, {}, option, 1)
    path = tmp_path / "longer.toml"
    path.write_text(text)  # beside nothing: it must stand on its own
    _written_validates(path, capsys)
    params = load_scenario(str(path)).params
    assert params.programme.target_mentors == 40
    assert params.funding.grant_term_years == 5
    # a file that extends another local file is written out in full
    (work.root / "parent.toml").write_text('[programme]\ntarget_mentors = 33\n')
    (work.root / "child.toml").write_text('extends = "parent.toml"\n')
    child = resolve_start(work, "file:child.toml")
    check = check_option(child, {}, option, 1)
    resolved = check.scenario.params.model_dump(mode="json")
    path.write_text(option_text(child, {}, option, 1, True, resolved))
    _written_validates(path, capsys)
    assert load_scenario(str(path)).params == check.scenario.params


def test_run_files_extend_the_checked_file_by_path(tmp_path: Path, baseline: programme.Start
                                                   ) -> None:
    files = write_run_files(tmp_path / "opts", baseline, {}, [Option("A"), Option("B", changes={
        "funding.grant_term_years": 5})])
    assert [f.name for f in files] == ["a.toml", "b.toml"]
    assert tomllib.loads(files[1].read_text())["extends"] == str(baseline.path)
    assert load_scenario(str(files[1])).params.funding.grant_term_years == 5


# --- the working folder's walls -------------------------------------------------------------
@pytest.mark.parametrize("name", ["../x", "a/b", "..", ".hidden", "a\\b", "", "x" * 101,
                                  "a..b", "/etc/passwd", "C:\\x"])
def test_names_with_separators_or_dots_are_refused(name: str) -> None:
    with pytest.raises(FolderError):
        check_name(name)


def test_paths_outside_the_working_folder_are_refused(work: WorkingFolder,
                                                      tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "summary.csv").write_text("x")
    (work.root / "link").symlink_to(outside)  # a link out of the folder leads nowhere
    with pytest.raises(FolderError):
        work.child("link")
    with pytest.raises(FolderError):
        work.results("link")
    with pytest.raises(FolderError):
        work.inside(work.root / ".." / "outside")
    for ref in ("file:../outside/x.toml", "file:uploads/../../x.toml", "file:other/x.toml",
                "bundled:../baseline", "exec:ls"):
        with pytest.raises(FolderError):
            resolve_start(work, ref)
    assert "link" not in work.results_folders()


def test_a_scenario_file_cannot_extend_its_way_out(work: WorkingFolder) -> None:
    (work.root / "sly.toml").write_text(f'extends = "{ROOT / "pyproject.toml"}"\n')
    with pytest.raises(FolderError, match="outside the working folder"):
        resolve_start(work, "file:sly.toml")
    (work.root / "fine.toml").write_text('extends = "baseline"\n')
    check_chain(work, work.root / "fine.toml")


@pytest.mark.parametrize(("name", "content", "says"), [
    ("../ours.toml", 'extends = "baseline"\n', "not a plain file name"),
    ("ours.txt", 'extends = "baseline"\n', "ends in .toml"),
    ("ours.toml", "[funding]\nannual_budget_gbp = 120,000\n", "thousands separators"),
    ("ours.toml", "[funding]\nannual_budget = 1\n", "unknown key 'funding.annual_budget'"),
    ("ours.toml", "x" * 300_000, "too large"),
])
def test_a_bad_upload_is_refused_and_not_kept(work: WorkingFolder, name: str, content: str,
                                              says: str) -> None:
    with pytest.raises((FolderError, ScenarioError)) as caught:
        save_upload(work, name, _b64(content))
    assert says in str(caught.value)
    assert ".upload" not in str(caught.value)
    assert list(work.uploads.iterdir()) == []


def test_routes_serve_only_named_files_of_results_folders(work: WorkingFolder) -> None:
    from studio.app import create_app

    app = create_app(work.root)
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    for url in ("/studio/download/..%2F..%2Fetc/results.zip", "/studio/download/%2e%2e/"
                "results.zip", "/studio/download/nothing/results.zip",
                "/studio/results/..%2Fx/dashboard.html",
                "/studio/download/nothing/options/..%2Fx.toml"):
        response = client.get(url)
        assert "Content-Disposition" not in response.headers, url
        # refused by the route, or never reaching it (the page itself answers)
        assert response.status_code == 404 or response.data.startswith(b"<!DOCTYPE html>")
    for run, kind in (("..", "results.zip"), ("nothing", "results.zip"), (".studio", "x")):
        with pytest.raises(FolderError):
            download(work, run, kind)
    with pytest.raises(FolderError):
        option_file(work, "nothing", "../x.toml")
    response = client.get("/", headers={"Host": "attacker.example"})
    assert response.status_code == 403  # a DNS trick cannot reach the studio
    assert "default-src 'self'" in client.get("/").headers["Content-Security-Policy"]


def test_no_other_page_may_frame_the_studio(work: WorkingFolder) -> None:
    from studio.app import create_app

    client = create_app(work.root).server.test_client()
    for url in ("/", "/_dash-layout", "/studio/download/nothing/results.zip"):
        response = client.get(url)
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], url


def test_a_request_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    from studio.app import MAX_REQUEST_BYTES, bind, create_app, make_server

    app = create_app(tmp_path / "work", workers=1)
    sock = bind(0)
    server = make_server(app, sock)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = sock.getsockname()[1]
        # 100 MB announced, none of it sent: the answer comes without waiting for it
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(b"POST /_dash-update-component HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Content-Type: application/json\r\nContent-Length: 104857600\r\n"
                         b"\r\n")
            started = time.monotonic()
            answer = conn.recv(4096)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
        assert time.monotonic() - started < 5
        # a body over the limit that is sent is refused too, and the studio answers after
        import urllib.error
        import urllib.request

        big = b"{" + b" " * (MAX_REQUEST_BYTES + 10) + b"}"
        request = urllib.request.Request(f"http://127.0.0.1:{port}/_dash-update-component",
                                         data=big, method="POST",
                                         headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 413
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
            assert page.status == 200
    finally:
        server.shutdown()
        sock.close()


@pytest.mark.parametrize(("content", "says"), [
    ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    ("a = {" * 3000 + "}" * 3000 + "\n", "nested too deeply"),
    ("\xff\xfe not text", "not UTF-8"),
])
def test_a_malformed_or_deeply_nested_upload_gets_the_cli_message(
        work: WorkingFolder, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str,
        says: str) -> None:
    raw = content.encode("latin-1") if content.startswith("\xff") else content.encode()
    path = tmp_path / "ours.toml"
    path.write_bytes(raw)
    assert cli_main(["validate", str(path)]) == 2
    cli = capsys.readouterr().err
    import base64

    with pytest.raises(ScenarioError) as caught:
        save_upload(work, "ours.toml", "data:;base64," + base64.b64encode(raw).decode())
    assert says in str(caught.value) and says in cli
    assert str(caught.value).split(": ", 1)[1] in cli  # the same words, of the same file
    assert list(work.uploads.iterdir()) == []
    # through the page's own request, it is a message, not a server error
    from studio.app import create_app

    client = create_app(work.root).server.test_client()
    body = {"output": "..start.options...start.value...upload-msg.children..",
            "outputs": [{"id": "start", "property": "options"},
                        {"id": "start", "property": "value"},
                        {"id": "upload-msg", "property": "children"}],
            "inputs": [{"id": "upload", "property": "contents",
                        "value": "data:;base64," + base64.b64encode(raw).decode()}],
            "state": [{"id": "upload", "property": "filename", "value": "ours.toml"}],
            "changedPropIds": ["upload.contents"]}
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    assert says in response.get_data(as_text=True)


def _upload(work: WorkingFolder, which: str, text: str, gate: threading.Barrier,
            outcomes: dict[str, str]) -> None:
    gate.wait()
    try:
        save_upload(work, "ours.toml", _b64(text))
    except ScenarioError:
        outcomes[which] = "refused"
    else:
        outcomes[which] = "loaded"


def test_two_uploads_of_one_name_never_share_a_staging_file(work: WorkingFolder) -> None:
    good = 'extends = "baseline"\nquestion = "good"\n'
    bad = "[funding]\nannual_budget_gbp = 120,000\n"
    for _ in range(15):
        outcomes: dict[str, str] = {}
        gate = threading.Barrier(2)
        threads = [threading.Thread(target=_upload, args=(work, w, x, gate, outcomes))
                   for w, x in (("good", good), ("bad", bad))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outcomes == {"good": "loaded", "bad": "refused"}
        assert (work.uploads / "ours.toml").read_text() == good  # the checked one is kept
        assert [p.name for p in work.uploads.iterdir()] == ["ours.toml"]  # no staging left


# --- runs -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def studio_run(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """A tiny comparison written by the studio's worker and the same one by `mentorsim run`."""
    from studio import worker

    tmp = tmp_path_factory.mktemp("studio-run")
    work = WorkingFolder(tmp / "work")
    start = resolve_start(work, "bundled:baseline")
    files = write_run_files(tmp / "opts", start, {}, [
        Option("Current"), Option("Five years", changes={"funding.grant_term_years": 5})])
    spec = {"options": [str(f) for f in files], **TINY, "seed": None, "workers": 1,
            "results": str(work.root / "by-studio"), "command": ["mentorsim", "run"]}
    progress = io.StringIO()
    studio_out = worker.run(spec, progress)
    cli_out = tmp / "by-run"
    assert cli_main(["run", *map(str, files), "--reps", "2", "--weeks", "26", "--workers", "1",
                     "--out", str(cli_out)]) == 0
    return SimpleNamespace(work=work, studio=studio_out, cli=cli_out, progress=progress)


def test_the_worker_writes_what_run_writes(studio_run: SimpleNamespace) -> None:
    names = sorted(p.name for p in studio_run.studio.iterdir())
    assert names == sorted(p.name for p in studio_run.cli.iterdir())
    assert {"summary.csv", "summary.xlsx", "dashboard.html", "manifest.json"} <= set(names)
    assert (studio_run.studio / "summary.csv").read_text() == \
        (studio_run.cli / "summary.csv").read_text()
    for name in names:
        if name.endswith(".parquet"):
            pd.testing.assert_frame_equal(pd.read_parquet(studio_run.studio / name),
                                          pd.read_parquet(studio_run.cli / name))
    records = [json.loads(line) for line in studio_run.progress.getvalue().splitlines()]
    done = [r["done"] for r in records if r["event"] == "progress"]
    assert done[:4] == [1, 2, 3, 4]  # one step per run, for the progress bar


def test_downloads_headline_csv_and_spreadsheet(studio_run: SimpleNamespace) -> None:
    from sim.spreadsheet import read_summary

    frame = headline_frame(read_summary(studio_run.studio))
    assert {"group", "metric", "label", "unit", "Current: mean",  # the names as typed
            "Five years vs Current: difference", "Five years vs Current: verdict"} \
        <= set(frame.columns)
    assert frame["metric"].iloc[0] == "premature_closure_rate"
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(spreadsheet_bytes(studio_run.studio)))
    assert "Headline" in book.sheetnames
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(zip_bytes(studio_run.studio))).namelist()
    assert "by-studio/summary.csv" in names


def _prepare(start: programme.Start, options_: list[Option]):
    """What the page hands Jobs.start: writes the run's option files."""
    return lambda job_dir: write_run_files(job_dir / "options", start, {}, options_)


def _left_behind(work: WorkingFolder, run: str) -> list[str]:
    """Anything a run left in the working folder: its job folder, half-written results."""
    return sorted(str(p.relative_to(work.root)) for p in work.root.rglob("*")
                  if run in p.name and ".upload" not in p.name)


def _wait_until(condition, seconds: float = 120) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_run_in_the_background_can_be_cancelled_leaving_nothing(
        work: WorkingFolder, baseline: programme.Start) -> None:
    jobs = Jobs(work, workers=1)
    jobs.start("slow", _prepare(baseline, [Option("A")]), replications=20, weeks=520)
    with pytest.raises(AlreadyRunningError, match="already running"):
        jobs.start("other", _prepare(baseline, [Option("A")]), replications=1, weeks=26)
    assert not work.job_dir("other").exists()  # refused: nothing written
    assert _wait_until(lambda: "runs done" in jobs.status("slow").message)
    assert jobs.status("slow").state == "running"
    assert jobs.cancel("slow")
    status = jobs.status("slow")
    assert status.state == "cancelled" and "nothing was kept" in status.message
    assert _left_behind(work, "slow") == []  # no job folder, no half results folder
    assert jobs.running() is None


def test_eight_simultaneous_run_requests_start_exactly_one(work: WorkingFolder,
                                                           baseline: programme.Start) -> None:
    jobs = Jobs(work, workers=1)
    barrier = threading.Barrier(8)
    started, refused = [], []

    def ask(i: int) -> None:
        barrier.wait()
        try:
            jobs.start(f"run{i}", _prepare(baseline, [Option("A")]), replications=20,
                       weeks=520)
        except AlreadyRunningError:
            refused.append(i)
        else:
            started.append(i)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(started) == 1 and len(refused) == 7
    assert [p.name for p in (work.root / ".studio").iterdir() if p.is_dir()] == \
        [f"run{started[0]}"]
    # a second studio on the same folder sees the run (its worker holds the lock)
    other = Jobs(work, workers=1)
    assert other.running() == f"run{started[0]}"
    with pytest.raises(AlreadyRunningError):
        other.start("late", _prepare(baseline, [Option("A")]), replications=1, weeks=26)
    assert other.cancel(f"run{started[0]}")  # and can stop it
    assert _wait_until(lambda: jobs.running() is None, 30)
    assert _left_behind(work, f"run{started[0]}") == []


STUDIO_THAT_RUNS = """
import sys, time
from pathlib import Path
from studio.folder import WorkingFolder
from studio.jobs import AlreadyRunningError, Jobs
from studio.options import Option
from studio.programme import resolve_start
from studio.scenario_file import write_run_files
work = WorkingFolder(Path(sys.argv[1]))
start = resolve_start(work, "bundled:baseline")
jobs = Jobs(work, workers=1)
jobs.start("orphan", lambda d: write_run_files(d / "options", start, {}, [Option("A")]),
           replications=20, weeks=520)
print("started", flush=True)
time.sleep(600)
"""


def test_a_run_stops_when_its_studio_is_killed_and_leaves_nothing(tmp_path: Path) -> None:
    work = WorkingFolder(tmp_path / "work")
    studio_proc = subprocess.Popen([sys.executable, "-c", STUDIO_THAT_RUNS, str(work.root)],
                                   stdout=subprocess.PIPE, text=True)
    try:
        assert studio_proc.stdout.readline().strip() == "started"
        spec_file = work.job_dir("orphan") / "job.json"
        assert _wait_until(lambda: '"pid"' in spec_file.read_text(), 30)
        worker = json.loads(spec_file.read_text())["pid"]
        assert _wait_until(lambda: "runs done" in Jobs(work).status("orphan").message
                           or "Starting" not in Jobs(work).status("orphan").message, 60)
        studio_proc.kill()  # kill -9: no chance to stop its runs itself
        studio_proc.wait()

        def gone() -> bool:
            try:
                os.kill(worker, 0)
            except ProcessLookupError:
                return True
            return False

        assert _wait_until(gone, 30), "the run outlived its studio"
        assert _left_behind(work, "orphan") == []
        restarted = Jobs(work, workers=1)  # a studio started again finds nothing running
        assert restarted.running() is None
    finally:
        studio_proc.kill()


def test_a_restarted_studio_cleans_what_a_dead_run_left(work: WorkingFolder) -> None:
    job = work.job_dir("dead")
    job.mkdir(parents=True)
    (job / "job.json").write_text(json.dumps({"pid": 2 ** 22 + 12345, "planned": 4}))
    old = time.time() - 60
    os.utime(job, (old, old))
    partial = work.root / ".dead.partial-host-99999999-x"
    partial.mkdir()
    (work.root / "kept.toml").write_text('extends = "baseline"\n')
    Jobs(work)
    assert not job.exists() and not partial.exists()
    assert (work.root / "kept.toml").exists()


# --- the command ----------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _studio_process(tmp_path: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "sim", "studio", "--port", str(port),
                             "--no-browser", "--folder", str(tmp_path / "work")],
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def test_ctrl_c_stops_the_studio_with_one_line(tmp_path: Path) -> None:
    proc = _studio_process(tmp_path, _free_port())
    line = proc.stderr.readline()
    assert "http://127.0.0.1:" in line and "Ctrl-C stops it" in line
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode in (0, 130)
    assert err.strip() == "mentorsim studio: stopped"


def test_a_port_in_use_is_said_clearly(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        proc = _studio_process(tmp_path, taken.getsockname()[1])
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "is in use by another program" in err and "--port" in err
    assert "Traceback" not in err


def test_the_core_never_imports_the_studio() -> None:
    code = ("import contextlib, io, sys; from sim.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n        main(['--help'])\n    except SystemExit:\n        pass\n"
            "print(' '.join(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120).stdout.split()
    assert not [m for m in out if m.split(".")[0] in ("studio", "dash", "flask")]
    for path in (ROOT / "sim").rglob("*.py"):
        text = path.read_text()
        if path.name != "cli.py":
            assert "studio" not in text.replace("studio-", ""), path
    assert Path(studio.__file__).parent.name == "studio"


# --- the page, in Chromium ------------------------------------------------------------------
@pytest.mark.browser
@needs_chromium
def test_a_planner_compares_two_options_in_the_browser(browser: object, served: SimpleNamespace,
                                                       tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: errors.append(f"dialog: {d.message}"))
    page.goto(served.url)
    page.wait_for_selector("#start-about li", timeout=60_000)
    assert "What happens in a typical" in page.locator("#start-about").inner_text()

    first, second = panel(page, 0), panel(page, 1)
    first.locator('input[id*="opt-name"]').fill("Today")
    evil = "Five years <script>window.__studio_pwned = 1</script>"
    second.locator('input[id*="opt-name"]').fill(evil)
    open_group(second, "funding")
    field(second, "funding.grant_term_years").fill("5")
    open_group(second, "supervision")
    field(second, "supervision.sessions_per_month").fill("2")
    second.locator('[data-key="supervision.style"] label', has_text="therapeutic").click()
    # live capacity warning, in words, as the field is typed
    warning = second.locator(".warnings")
    warning.wait_for(timeout=30_000)
    assert "needs 52 sessions a month" in warning.inner_text()
    assert "Estimated cost with every caseload full" in second.locator(".cost").inner_text()
    # a value outside the declared range gets validate's message beside the field
    field(second, "staff.supervisors_fte").fill("-1")
    message = second.locator('[data-key="staff.supervisors_fte"] .field-msg')
    page.wait_for_function("el => el.innerText.includes('must be 0 or more')",
                           arg=message.element_handle(), timeout=30_000)
    field(second, "staff.supervisors_fte").fill("")
    # the name is shown as text, never run
    title = second.locator("h3")
    page.wait_for_function("([el, t]) => el.innerText === t", arg=[title.element_handle(), evil],
                           timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    second.screenshot(path=str(ARTIFACTS / "studio-option.png"))

    # download the option as a scenario file and validate it
    page.wait_for_function("() => !document.querySelector('.option .field-msg:not(:empty)')",
                           timeout=30_000)
    with page.expect_download() as download:
        second.locator("button", has_text="Download this option").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "five_years_script_window_studio_pwned_1.toml"
    assert cli_main(["validate", str(saved)]) == 0
    capsys.readouterr()
    params = load_scenario(str(saved)).params
    assert params.funding.grant_term_years == 5 and params.supervision.style == "therapeutic"

    # run a small comparison
    page.locator("#reps").fill("2")
    page.locator("#weeks").fill("26")
    page.locator("#run").click()
    page.wait_for_selector(".findings-list li", timeout=240_000)
    status = page.locator("#run-status").inner_text()
    assert status.startswith("Done"), status
    findings = page.locator(".findings-list").inner_text()
    assert "Today" in findings and evil in findings  # named as typed, shown as text
    assert page.evaluate("() => window.__studio_pwned") is None
    assert page.locator("script", has_text="__studio_pwned").count() == 0
    frame = page.frame_locator("#dashboard-frame")
    frame.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    assert frame.locator(".js-plotly-plot").count() >= 4
    page.locator("#step-results").screenshot(path=str(ARTIFACTS / "studio-results.png"))
    page.screenshot(path=str(ARTIFACTS / "studio-page.png"), full_page=True)

    # downloads: the option's file as it ran, and the spreadsheet
    run = served.folder.results_folders()[0]
    with page.expect_download() as download:
        page.locator("#result-downloads a", has_text="option today.toml").click()
    ran = tmp_path / "today.toml"
    download.value.save_as(ran)
    assert cli_main(["validate", str(ran)]) == 0
    capsys.readouterr()
    with page.expect_download() as download:
        page.locator("#result-downloads a", has_text="spreadsheet").click()
    book = tmp_path / "summary.xlsx"
    download.value.save_as(book)
    headline = pd.read_excel(book, sheet_name="Headline", header=None)
    assert headline.shape[0] > 5
    with page.expect_download() as download:
        page.locator("#result-downloads a", has_text="headline table").click()
    csv = pd.read_csv(download.value.path(), encoding="utf-8-sig")
    assert "Today: mean" in csv.columns
    assert (served.folder.root / run / "summary.xlsx").is_file()

    assert errors == []
    local = [u for u in requests if not u.startswith(("http://127.0.0.1:", "blob:", "data:"))]
    assert local == [], "the studio must not request anything beyond 127.0.0.1"
    page.close()


@pytest.mark.browser
@needs_chromium
def test_the_page_works_offline_at_phone_width(browser: object, served: SimpleNamespace
                                              ) -> None:
    page = browser.new_page(viewport={"width": 400, "height": 800})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.route(lambda url: not url.startswith("http://127.0.0.1:"),
               lambda route: (errors.append(f"request: {route.request.url}"), route.abort()))
    page.goto(served.url)
    page.wait_for_selector("#start-about li", timeout=60_000)
    page.locator("#add-option").click()
    panel(page, 2).locator("h3").wait_for(state="visible", timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "studio-400px.png"))
    assert errors == []
    page.close()


def test_the_time_left_moves_to_the_rate_between_batches() -> None:
    from studio.jobs import running_message
    from studio.progress import Progress

    spec = {"estimate_s": 24.0, "write_estimate_s": 4.0, "workers": 2, "weeks": 260}
    now = 1000.0
    # nothing finished yet: the estimate less the time gone, and the writing
    assert running_message(Progress(0, "running", now - 4.0), 40, spec, now) == \
        "0 of 40 runs done; about 24s left"
    # a slow start (the pool loading) does not count as running: 20 done after 13 s at 5
    # runs a second since the first batch, the 20 left take about 4 s (and 4 s to write)
    quick = running_message(Progress(20, "running", now - 13.0, rate=5.0), 40, spec, now)
    slow = running_message(Progress(20, "running", now - 13.0, rate=None), 40, spec, now)
    assert quick == "20 of 40 runs done; about 9s left"
    assert slow == "20 of 40 runs done; about 17s left"  # the whole 13 s taken as running
    writing = running_message(Progress(40, "writing", now - 1.0), 40, spec, now)
    assert writing.endswith("about 3s left") and writing.startswith("All 40 runs done")


def test_the_rate_is_measured_after_the_first_round_of_batches() -> None:
    from studio.progress import _rate

    # two workers: their first batches end together (and carry the pool's start)
    batches = [(11.5, 5), (11.6, 10)]
    assert _rate(batches, 2) is None
    assert _rate([*batches, (15.6, 15)], 2) == pytest.approx(5 / 4.0)
    assert _rate([(3.0, 4)], 1) is None and _rate([(3.0, 4), (5.0, 8)], 1) == 2.0
