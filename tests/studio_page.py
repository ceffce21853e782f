"""The studio page in headless Chromium (Debian's, through Playwright): the fixtures and
the few ways of finding a field that the studio's browser tests share."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium not "
                                    "installed at /usr/bin/chromium (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[SimpleNamespace]:
    """The studio on a free port, in a thread of this process."""
    from studio.app import bind, create_app, make_server

    app = create_app(tmp_path / "work", workers=1)
    sock = bind(0)
    server = make_server(app, sock)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{sock.getsockname()[1]}/", app=app,
                          folder=app.studio.folder)
    server.shutdown()
    app.studio.jobs.stop_all()
    sock.close()


def panel(page: object, index: int) -> object:
    """Option ``index``'s panel (0 is the reference)."""
    return page.locator(f'[id*=\'"option":{index},"type":"opt-panel"\']')


def field(scope: object, key: str) -> object:
    """The text box of parameter ``key`` within ``scope`` (a panel, or the page)."""
    return scope.locator(f'[data-key="{key}"] input[type=text]')


def open_group(scope: object, group: str) -> None:
    """Open an option's group of fields (funding, supervision, ...) if it is closed."""
    details = scope.locator(f'details.group[data-group="{group}"]')
    if details.get_attribute("open") is None:
        details.locator("> summary").click()


def open_page(browser: object, url: str, **options: object) -> tuple[object, list[str]]:
    """A new page on the studio, loaded, and the errors its console reports."""
    page = browser.new_page(**options)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.goto(url)
    page.wait_for_selector("#start-about li", timeout=60_000)
    return page, errors


def name_box(scope: object) -> object:
    """An option's name box."""
    return scope.locator('input[id*=\'"type":"opt-name"\']')
