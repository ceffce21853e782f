"""The studio's server: a Dash app on 127.0.0.1, and ``mentorsim studio`` itself.

Dash serves its own scripts and styles (nothing is fetched from the internet, so the
studio works offline). The server binds the loopback address only, refuses requests
whose ``Host`` is not the loopback (a page elsewhere cannot reach it through a DNS trick),
sends a Content-Security-Policy that allows no other origin and lets no page frame it
(``frame-ancestors 'none'``, ``X-Frame-Options: DENY``; the comparison dashboard may be
framed by the studio's own page only), and refuses a request body larger than
:data:`MAX_REQUEST_BYTES` before reading it.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import signal
import socket
import sys
import threading
import webbrowser
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
DEFAULT_PORT = 8050
DEFAULT_FOLDER = Path("studio-results")
LOOPBACK_NAMES = {"127.0.0.1", "localhost"}
# Dash needs inline and evaluated scripts of its own; nothing may come from elsewhere, and
# no other page may frame the studio (clickjacking).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# The largest request the page sends: an upload of a scenario or comparison file (at most
# 256 KB, about 350 KB as base64) with the page's other values. Anything larger is refused
# from its Content-Length, before a byte of it is read.
MAX_REQUEST_BYTES = 1024 * 1024
# The page's own markup: its language (for screen readers) and Dash's placeholders.
INDEX_STRING = """<!DOCTYPE html>
<html lang="en">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


class PortInUseError(OSError):
    """The port is taken by another program."""


def create_app(folder: Path, workers: int | None = None) -> Any:
    """The studio's Dash app working in ``folder`` (created if missing).

    Args:
        folder: the working folder (results, uploads and job files go there only).
        workers: processes a run may use (default all cores).

    Returns:
        The ``dash.Dash`` app; ``app.server`` is its Flask server and ``app.studio`` the
        shared :class:`studio.callbacks.Studio` (for tests and for stopping runs).
    """
    import dash
    import flask

    from studio.callbacks import register
    from studio.downloads import register_routes
    from studio.folder import WorkingFolder
    from studio.layout import page
    from studio.page_state import make_studio

    working = WorkingFolder(folder)
    studio = make_studio(working, workers)
    app = dash.Dash(__name__, title="mentorsim studio", update_title=None,
                    assets_folder=str(Path(__file__).parent / "assets"),
                    serve_locally=True, suppress_callback_exceptions=False)
    app.index_string = INDEX_STRING
    app.server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.layout = lambda: page(working)  # the results list is read on every page load
    register(app, studio)
    register_routes(app.server, working)

    @app.server.before_request
    def loopback_only() -> flask.Response | None:
        if flask.request.host.rsplit(":", 1)[0].strip("[]") not in LOOPBACK_NAMES:
            return flask.Response("mentorsim studio answers only on 127.0.0.1", status=403,
                                  mimetype="text/plain")
        length = flask.request.content_length
        if length is not None and length > MAX_REQUEST_BYTES:  # refused unread
            return flask.Response(f"request too large: at most {MAX_REQUEST_BYTES:,} bytes "
                                  "(a scenario file is a few kilobytes)", status=413,
                                  mimetype="text/plain", headers={"Connection": "close"})
        return None

    @app.server.after_request
    def headers(response: flask.Response) -> flask.Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    app.studio = studio
    return app


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:``port`` (0: any free port).

    Raises:
        PortInUseError: another program has the port.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if sys.platform != "win32":  # restarting at once must not wait for TIME_WAIT
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            raise PortInUseError(exc.errno, f"port {port} is in use by another program") from None
        raise
    sock.listen(128)
    return sock


def make_server(app: Any, sock: socket.socket) -> Any:
    """A threaded WSGI server for ``app`` on the bound socket (requests are answered in
    threads, so the page stays responsive while a run is read or a file is zipped)."""
    from werkzeug.serving import make_server as werkzeug_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    host, port = sock.getsockname()[:2]
    return werkzeug_server(host, port, app.server, threaded=True, fd=sock.fileno())


def _stop(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the studio as Ctrl-C does


def serve(port: int = DEFAULT_PORT, folder: Path = DEFAULT_FOLDER,
          open_browser: bool = True) -> int:
    """``mentorsim studio``: serve until Ctrl-C; returns the exit code.

    Returns:
        0 when stopped with Ctrl-C (or SIGTERM), 2 when the port is in use.
    """
    if not 0 < port < 65536:
        print(f"error: --port {port}: a port is a number from 1 to 65535", file=sys.stderr)
        return 2
    try:
        sock = bind(port)
    except PortInUseError:
        print(f"error: port {port} on {HOST} is in use by another program (another studio?); "
              f"choose another with --port, e.g. mentorsim studio --port {port + 10}",
              file=sys.stderr)
        return 2
    app = create_app(folder)
    server = make_server(app, sock)
    url = f"http://{HOST}:{sock.getsockname()[1]}/"
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        # The line is printed inside the guard: a Ctrl-C that arrives just after it
        # (before serving starts) still stops the studio with its own one line.
        with contextlib.suppress(KeyboardInterrupt):  # werkzeug may swallow it itself
            print(f"mentorsim studio: {url} (working folder {app.studio.folder.root}); "
                  "Ctrl-C stops it", file=sys.stderr, flush=True)
            if open_browser:
                threading.Timer(0.5, lambda: webbrowser.open(url)).start()
            server.serve_forever()
        print("mentorsim studio: stopped", file=sys.stderr)
    finally:
        signal.signal(signal.SIGTERM, previous)
        app.studio.jobs.stop_all()
        with contextlib.suppress(OSError):
            server.server_close()
        sock.close()
    return 0
