"""The printed board pack: a real four-option comparison printed to A4 by ``mentorsim
dashboard --pdf`` (Debian's Chromium), read back page by page with pypdf.

What a board member holding the paper needs: the key findings first and how to read
them, no page without content, every option on every chart, options told apart without
colour, no word broken across lines, and nothing that asks to be clicked.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import re
import unicodedata
from pathlib import Path

import pytest

from dashboards import report
from dashboards.palette import trace_owner
from sim.cli import main

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
OPTIONS = {  # the planner's task: names as typed, changes on a programme like theirs
    "Annual grants": "grant_term_years = 1\nannual_budget_gbp = 100000\n",
    "Five-year grant": "grant_term_years = 5\nannual_budget_gbp = 100000\n",
    "Therapeutic supervision": 'grant_term_years = 1\nannual_budget_gbp = 100000\n'
                               '[supervision]\nstyle = "therapeutic"\n',
    "Budget cut 25%": "grant_term_years = 1\nannual_budget_gbp = 75000\n",
}
LOCAL = ("[programme]\nreferrals_per_year = 90\ntarget_mentors = 20\n"
         "[staff]\ncoordinators_fte = 1.1\nsupervisors_fte = 0.4\n")
CHART_HEADINGS = ("How does each programme develop over time?", "Why do relationships end?",
                  "How long do relationships last?", "What ends relationships, and when?",
                  "When do relationships end?", "Who joins and who leaves the mentor workforce?",
                  "How many mentors are burnt out?", "What does each result cost?")


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    if not CHROMIUM.exists():
        pytest.skip("headless Chromium not installed at /usr/bin/chromium "
                    "(apt-get install chromium)")
    pypdf = pytest.importorskip("pypdf")
    folder = tmp_path_factory.mktemp("pack")
    files = []
    for i, (name, funding) in enumerate(OPTIONS.items()):
        path = folder / f"option{i}.toml"
        path.write_text(f'name = "{name}"\nextends = "baseline"\n{LOCAL}[funding]\n{funding}',
                        encoding="utf-8")
        files.append(path)
    out = folder / "out"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["run", *map(str, files), "--reps", "3", "--weeks", "156", "--workers",
                     "1", "--out", str(out)]) == 0
        assert main(["dashboard", str(out), "--pdf"]) == 0
    reader = pypdf.PdfReader(str(out / "dashboard.pdf"))
    pages = [page.extract_text() or "" for page in reader.pages]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "board-pack.pdf").write_bytes((out / "dashboard.pdf").read_bytes())
    return {"folder": out, "pages": pages, "built": report.build_dashboard(out)}


def _flat(text: str) -> str:
    """One line, ligatures undone ("ﬁ" is "fi")."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def test_the_pack_leads_with_the_key_findings_and_how_to_read_them(pack) -> None:
    pages = pack["pages"]
    first = _flat(pages[0])
    assert first.index("Key findings") < 200  # under the title, before anything else
    assert "money:" in first and "spent £" in first  # what each option cost
    assert "How to read this" in _flat(pages[0] + pages[1])
    assert "Glossary" in _flat(pages[-1] + pages[-2])


def test_the_pack_says_what_the_findings_are_right_under_them(pack) -> None:
    from sim.findings import caveat

    opening = _flat(pack["pages"][0] + " " + pack["pages"][1])
    assert caveat() in opening  # on paper, not only on screen
    assert opening.index("Key findings") < opening.index(caveat()) \
        < opening.index("How to read this")


def test_no_page_is_empty_or_only_a_footer(pack) -> None:
    pages = pack["pages"]
    footer = re.compile(r"mentorsim \d[^\n]*|command:[^\n]*|Seeds per scenario[^\n]*")
    for number, text in enumerate(pages, 1):
        body = footer.sub("", text)
        assert len(_flat(body)) >= 150, f"page {number} of {len(pages)} is nearly empty: {text!r}"
    assert 8 <= len(pages) <= 20, len(pages)


def test_every_option_is_on_every_printed_chart(pack) -> None:
    pages = pack["pages"]
    for heading in CHART_HEADINGS:
        on = [p for p in pages if heading in _flat(p)]
        assert on, f"{heading!r} is not printed"
        # the chart is on its heading's page (heading, caption and chart are kept together)
        legend = _flat(on[0])
        missing = [name for name in OPTIONS if name not in legend]
        assert not missing, f"{heading}: {missing} not in the printed chart"


def test_nothing_to_click_and_no_word_broken_on_paper(pack) -> None:
    text = "\n".join(pack["pages"])
    assert not re.search(r"click|double-click|the menu at the top", text, re.IGNORECASE)
    # a verdict badge is never split inside a word ("DIFFEREN" / "CE")
    for word in ("BETTER", "WORSE", "DIFFERENCE", "CLEAR"):
        for cut in range(2, len(word) - 1):
            assert not re.search(rf"\b{word[:cut]}-?\n{word[cut:]}\b", text), word
    for name in OPTIONS:  # nor an option's name
        for part in name.split():
            for cut in range(2, len(part) - 1):
                assert f"{part[:cut]}\n{part[cut:]}" not in text, part


def _colour(trace: object) -> object:
    line = getattr(trace, "line", None)
    return (getattr(line, "color", None) if line is not None else None) or trace.marker.color


def _luminance(colour: str) -> float:
    red, green, blue = (int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return 0.299 * red + 0.587 * green + 0.114 * blue


def test_options_are_told_apart_in_greyscale(pack) -> None:
    """Every pair of options differs, on every chart, in line pattern or marker shape
    (lines) or hatching (bars): printed in black and white, where three of the colours
    are within 11 grey levels of each other, the patterns still tell them apart."""
    built = pack["built"]
    names = list(OPTIONS)
    colours = {str(_colour(t)) for s in built.sections if s.figure for t in s.figure.data
               if trace_owner(t, names) and str(_colour(t)).startswith("#")}
    greys = sorted(_luminance(c) for c in colours)
    closest = min(b - a for a, b in itertools.pairwise(greys))
    assert closest < 15  # the colours alone would not do
    checked = 0
    for section in built.sections:
        if section.figure is None:
            continue
        looks: dict[str, set[tuple[str, ...]]] = {}
        for trace in section.figure.data:
            owner = trace_owner(trace, names)
            if owner is None or getattr(trace, "fill", None):
                continue
            if trace.type == "bar":
                looks.setdefault(owner, set()).add(("bar", str(trace.marker.pattern.shape)))
            elif "lines" in str(trace.mode):
                looks.setdefault(owner, set()).add(
                    ("line", str(trace.line.dash), str(trace.marker.symbol)))
        for a, b in itertools.combinations(looks, 2):
            assert looks[a].isdisjoint(looks[b]), (section.heading, a, b)
            checked += 1
    assert checked >= 6 * 7  # six pairs on each of the charts with one series an option
