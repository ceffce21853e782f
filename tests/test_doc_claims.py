"""Documents that cannot drift: every parameter the docs name exists, every default they
state is the declared one, every equation block names the parameters its code uses, and
the README's and ODD's result tables are their records' (see ``sim/claims.py``)."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

from sim import claims
from sim.params import SECTIONS

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "docs" / "ODD.md", ROOT / "docs" / "calibration.md",
        ROOT / "docs" / "outputs.md", ROOT / "scenarios" / "README.md",
        ROOT / "docs" / "studio.md", ROOT / "docs" / "sweeps.md", ROOT / "docs" / "decide.md"]
# section.name, not part of a module path (sim.matching.pair, sim/matching.py) and not
# followed by a placeholder such as <need> or <setting>.
PARAMETER = re.compile(r"(?<![\w./])(" + "|".join(SECTIONS) + r")\.([a-z][a-z0-9_]*)(?![<\w])")
# Not parameters: files, and output tables' columns (``mentees.mentee_id``).
NOT_PARAMETERS = {"py", "parquet", "csv", "md", "toml", "json", "html", "xlsx"}
STATED = re.compile(r"`(" + "|".join(SECTIONS) + r")\.([a-z0-9_]+)` = (-?[\d,]*\.?\d+)")
# An equation block and the prose that defines its symbols, tagged with the code it
# describes: <!-- mechanism: module.function ... --> ... <!-- /mechanism -->.
MECHANISM = re.compile(r"<!-- mechanism: ([^>]*?) -->\n(.*?)<!-- /mechanism -->", re.S)
FIELDS = {name: section for section, model in SECTIONS.items() for name in model.model_fields}


def _declared(section: str, name: str) -> bool:
    return name in SECTIONS[section].model_fields


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_every_parameter_the_docs_name_exists(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    # A name cut by a line break (``mentees.``/``max_...``) or a family of names written
    # with a trailing underscore is not a reference to one parameter.
    from sim.composition import declared_compositions
    from sim.tables import SCHEMA

    groups = {group.name for group in declared_compositions()}  # shares sampled together

    def other(section: str, name: str) -> bool:
        return (name in NOT_PARAMETERS or f"{section}.{name}" in groups
                or (section in SCHEMA and name in SCHEMA[section].names))

    missing = sorted({f"{s}.{n}" for s, n in PARAMETER.findall(text)
                      if not n.endswith("_") and not _declared(s, n) and not other(s, n)
                      and not any(f.startswith(n) for f in SECTIONS[s].model_fields)})
    assert not missing, f"{path.name} names parameters that do not exist: {missing}"


@pytest.mark.parametrize("path", [ROOT / "README.md", ROOT / "docs" / "ODD.md"],
                         ids=lambda p: p.name)
def test_every_default_the_docs_state_is_the_declared_one(path: Path) -> None:
    """The README and the ODD state a default as ``section.name` = value`; the scenario
    index states scenarios' own values, so it is not checked here."""
    text = path.read_text(encoding="utf-8")
    wrong = []
    for section, name, value in STATED.findall(text):
        default = SECTIONS[section].model_fields[name].default
        if float(value.replace(",", "")) != float(default):
            wrong.append(f"`{section}.{name}` = {value} (declared {default})")
    assert not wrong, f"{path.name}: {wrong}"


def _function(dotted: str) -> object:
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            target = getattr(target, attribute)
        return target
    raise ValueError(dotted)


BLOCKS = MECHANISM.findall((ROOT / "docs" / "ODD.md").read_text(encoding="utf-8"))


def test_the_odd_tags_its_equation_blocks_with_their_code() -> None:
    assert len(BLOCKS) >= 14


@pytest.mark.parametrize(("functions", "block"), BLOCKS, ids=[b[0] for b in BLOCKS])
def test_each_equation_block_names_the_parameters_its_code_uses(functions: str,
                                                                block: str) -> None:
    """Both ways: a parameter the block names is read by its code, and a mechanism
    strength (effects, relationships, growth) its code reads is named in the block."""
    source = "\n".join(inspect.getsource(_function(f)) for f in functions.split())
    named = {(s, n) for s, n in PARAMETER.findall(block) if not n.endswith("_")}
    unused = sorted(f"{s}.{n}" for s, n in named if not re.search(rf"\b{n}\b", source))
    assert not unused, f"the ODD's block for {functions} names {unused}; its code does not"
    read = {m for m in re.findall(r"\.([a-z][a-z0-9_]+)\b", source)
            if FIELDS.get(m) in ("effects", "relationships", "growth")}
    missing = sorted(f"{FIELDS[m]}.{m}" for m in read if not re.search(rf"\b{m}\b", block))
    assert not missing, f"{functions} reads {missing}, which its ODD block leaves out"


@pytest.mark.parametrize(("document", "name", "render"), [
    ("README.md", "funding_answer", "sim.funding_answer"),
    ("README.md", "funding_worlds", "sim.funding_worlds"),
    ("README.md", "value_for_money", "sim.value_for_money"),
    ("docs/ODD.md", "lever_effects", "sim.lever_effects"),
])
def test_result_tables_are_their_records(document: str, name: str, render: str) -> None:
    module = importlib.import_module(render)
    record = claims.read_record(name)
    text = (ROOT / document).read_text(encoding="utf-8")
    assert claims.block(text, name) == module.markdown(record), (
        f"{document}'s {name} table is not its record's: run python -m {render}")


def test_the_decision_words_are_its_record() -> None:
    from sim.decide import record as decision

    kept = claims.read_record(decision.NAME)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    doc = (ROOT / "docs" / "decide.md").read_text(encoding="utf-8")
    fix = "run python -m sim.decide.record"
    assert claims.block(readme, decision.NAME) == decision.readme(kept), fix
    assert claims.block(doc, decision.EXAMPLE) == decision.example(kept), fix


@pytest.mark.parametrize("name", ["funding_answer", "funding_worlds", "lever_effects",
                                  "value_for_money", "decision"])
def test_each_record_is_the_models_as_it_is(name: str) -> None:
    assert claims.read_record(name)["fingerprint"] == claims.fingerprint(), (
        f"the model's numbers changed since docs/records/{name}.json was written: run "
        f"python -m sim.{name}")
