"""axe-core in Chromium: the accessibility rules a page breaks.

The axe script is the one the ``axe-playwright-python`` package ships (a dev dependency);
it is evaluated in the page by Playwright (so a page's Content-Security-Policy, which
forbids scripts from elsewhere, does not stop it) and run on the whole document,
frames included.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def axe_script() -> str | None:
    """axe.min.js as the package ships it, or None when the package is missing."""
    try:
        from axe_playwright_python.base import AXE_FILE_PATH
    except ImportError:
        return None
    return Path(AXE_FILE_PATH).read_text(encoding="utf-8")


def violations(page: Any, impacts: tuple[str, ...] = ("critical", "serious")
               ) -> list[dict[str, Any]]:
    """The axe violations of ``page`` with the given impacts: ``{id, impact, help,
    nodes}`` (nodes: the first few targets), all rules of axe's default set."""
    script = axe_script()
    if script is None:
        raise RuntimeError("axe-playwright-python is not installed (pip install -e '.[dev]')")
    page.evaluate(script)
    result = page.evaluate("async () => await axe.run(document, "
                           "{resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"][:5]], "count": len(v["nodes"])}
            for v in result["violations"] if v["impact"] in impacts]
