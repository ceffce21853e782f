"""Numbers the documents state about the model's results, computed by script, never typed.

The ODD's table of lever effects and the README's funding answer are simulation results.
Each is computed by a script (``python -m sim.lever_effects``, ``python -m
sim.funding_answer``), which runs the comparisons on paired seeds, writes a record (JSON,
under ``docs/records/``) and renders its table between markers in the document. Tests
check that each document shows its record's table and that the record was made by the
model as it is now: the record keeps a fingerprint of the model (:func:`fingerprint`), the
metrics of one short fixed run, which any change to the model's numbers changes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

ROOT = Path(__file__).resolve().parent.parent
RECORDS = ROOT / "docs" / "records"
# The fixed run a fingerprint is taken from: short, so a test can afford it.
FINGERPRINT_RUN = {"scenario": "baseline", "seed": 1, "weeks": 104}


def fingerprint() -> str:
    """A short hash of the metrics of one fixed run of the model as it is now."""
    from sim.runner import Job, run_job
    from sim.scenario import load_scenario

    run = FINGERPRINT_RUN
    params = load_scenario(run["scenario"], [], {"weeks": run["weeks"]}).params
    values = run_job(Job(run["scenario"], 0, int(run["seed"]), params), yearly=False).metrics
    text = json.dumps({k: None if np.isnan(v) else round(v, 9) for k, v in values.items()},
                      sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Paired:
    """A paired comparison of one metric: the reference's mean, the option's, and the mean
    paired difference with its 95% t-interval half-width (Monte Carlo only)."""

    reference: float
    option: float
    difference: float
    half_width: float
    n: int

    @property
    def relative(self) -> float:
        """The difference as a share of the reference's mean."""
        return self.difference / self.reference if self.reference else float("nan")

    @property
    def relative_half_width(self) -> float:
        """The interval's half-width as a share of the reference's mean (the reference's
        own uncertainty left out)."""
        return self.half_width / abs(self.reference) if self.reference else float("nan")

    def as_json(self) -> dict[str, float]:
        """The comparison as plain numbers."""
        return {"reference": self.reference, "option": self.option,
                "difference": self.difference, "half_width": self.half_width, "n": self.n}


def spread(values: np.ndarray) -> float:
    """Half-width of the 95% t-interval of the mean of ``values``."""
    n = len(values)
    return float(stats.t.ppf(0.975, n - 1) * np.std(values, ddof=1)  # literal-ok: 95%
                 / np.sqrt(n)) if n > 1 else float("nan")


def paired(metrics: pd.DataFrame, reference: str, option: str, metric: str) -> Paired:
    """Paired comparison of ``metric`` between two scenarios' rows of a run's metrics
    (replication k of one against replication k of the other)."""
    ref = metrics[metrics["scenario"] == reference].set_index("replication")[metric]
    opt = metrics[metrics["scenario"] == option].set_index("replication")[metric]
    both = pd.concat([ref, opt], axis=1, keys=["ref", "opt"]).dropna()
    diff = (both["opt"] - both["ref"]).to_numpy(float)
    return Paired(float(both["ref"].mean()), float(both["opt"].mean()),
                  float(diff.mean()), spread(diff), len(diff))


def run_script(name: str, document: str, description: str, compute: Callable[..., Any],
               markdown: Callable[[dict[str, Any]], str], reps: int,
               argv: list[str] | None = None) -> int:
    """The command line of a result table's script: compute the record with ``--reps``,
    ``--seed`` and ``--workers``, write it, and put its table in ``document``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--reps", type=int, default=reps)
    parser.add_argument("--seed", type=int, default=20210626)  # the bundled run.seed
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    record = compute(args.reps, args.seed, args.workers)
    path = write_record(name, record)
    replace_block(ROOT / document, name, markdown(record))
    print(markdown(record))
    print(f"wrote {path} and {document}")
    return 0


def write_record(name: str, record: dict[str, Any]) -> Path:
    """Write ``docs/records/NAME.json`` atomically (sorted keys: reruns diff cleanly)."""
    from sim.files import write_text_atomically

    path = RECORDS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(path, json.dumps(record, indent=1, sort_keys=True) + "\n")
    return path


def read_record(name: str) -> dict[str, Any]:
    """The record ``docs/records/NAME.json``."""
    return json.loads((RECORDS / f"{name}.json").read_text(encoding="utf-8"))


def _found(text: str, name: str) -> re.Match[str]:
    found = re.search(rf"<!-- {name}:start[^\n]*-->\n(.*?)<!-- {name}:end -->", text, re.S)
    if found is None:
        raise ValueError(f"no {name} markers")
    return found


def block(text: str, name: str) -> str:
    """The content between ``<!-- NAME:start ... -->`` and ``<!-- NAME:end -->``."""
    return _found(text, name).group(1)


def replace_block(path: Path, name: str, content: str) -> None:
    """Put ``content`` between the ``NAME`` markers of the document at ``path``."""
    from sim.files import write_text_atomically

    text = path.read_text(encoding="utf-8")
    found = _found(text, name)
    write_text_atomically(path, text[:found.start(1)] + content + text[found.end(1):])
