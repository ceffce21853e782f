"""Print a written dashboard to ``dashboard.pdf`` with headless Chromium (A4).

Board packs are printed: the page's print stylesheet lays it out on A4 with the whole
headline table and no chart split across pages, and Chromium's own print-to-PDF applies
it, so the PDF is what a reader gets from the browser's Print dialog. Chromium is found
as ``$MENTORSIM_CHROMIUM``, then ``chromium``, ``chromium-browser``, ``google-chrome`` on
the ``PATH``; without it :class:`PdfError` says how to get it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from sim.files import write_atomically

PDF_FILE = "dashboard.pdf"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
# Chromium's time to lay out the page and draw every chart before it prints (virtual
# time runs as fast as the page allows); a print that takes longer is reported.
RENDER_BUDGET_MS = 20_000
TIMEOUT_S = 120
HOW_TO_GET = ("install Chromium (on Debian or Ubuntu: apt-get install chromium) or set "
              "MENTORSIM_CHROMIUM to a Chromium or Chrome executable; or open "
              "dashboard.html in a browser and print it to PDF")


class PdfError(RuntimeError):
    """The PDF could not be written; the message says why and what to do."""


def find_chromium() -> str | None:
    """The Chromium executable to print with, or None when there is none."""
    named = os.environ.get("MENTORSIM_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def write_pdf(html_path: Path) -> Path:
    """Print ``html_path`` to ``dashboard.pdf`` beside it, atomically; returns its path."""
    html_path = Path(html_path).resolve()
    browser = find_chromium()
    if browser is None:
        raise PdfError(f"no PDF written: Chromium was not found; {HOW_TO_GET}")
    target = html_path.with_name(PDF_FILE)

    def print_to(temp_name: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="mentorsim-chromium-") as profile:
            command = [
                browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-pdf-header-footer", f"--user-data-dir={profile}",
                f"--virtual-time-budget={RENDER_BUDGET_MS}", f"--print-to-pdf={temp_name}",
                html_path.as_uri(),
            ]
            try:
                done = subprocess.run(command, capture_output=True, text=True,
                                      timeout=TIMEOUT_S, check=False)
            except subprocess.TimeoutExpired:
                raise PdfError(f"no PDF written: {Path(browser).name} took more than "
                               f"{TIMEOUT_S} s") from None
            if done.returncode != 0 or os.path.getsize(temp_name) == 0:
                detail = (done.stderr or "").strip().splitlines()[-1:] or ["no output"]
                raise PdfError(f"no PDF written: {Path(browser).name} exited with "
                               f"{done.returncode} ({detail[0]})")

    write_atomically(target, print_to)  # a reader never sees half a PDF; 0644 under umask 022
    return target
