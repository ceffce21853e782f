"""Argument types shared by the ``mentorsim`` subcommands (argparse ``type=`` callables)."""

from __future__ import annotations

import argparse
import math
import os
import sys


def positive_int(text: str) -> int:
    """A whole number of at least 1 (replications, weeks, workers)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def seconds(text: str) -> float:
    """A finite number of seconds above 0 (not nan, not inf)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0, got {text}")
    return value


def usable_cores() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def workers(requested: int | None) -> int:
    """Local worker processes for ``--workers``: all cores by default; more processes than
    cores only slow the runs down (results are the same whatever the number), so a larger
    number is cut to the cores (at least 2, so a pool can still be asked for) with a note.

    Example:
        >>> workers(1)
        1
    """
    cores = usable_cores()
    if requested is None:
        return cores
    most = max(cores, 2)
    if requested > most:
        print(f"note: --workers {requested}: this machine has {cores} core"
              f"{'s' if cores != 1 else ''} for mentorsim; using {most} processes",
              file=sys.stderr)
        return most
    return requested


def seed(text: str) -> int:
    """A whole number of 0 or more (a root seed)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value
