"""Files and folders that colleagues can read: atomic writes, ordinary modes, no debris.

Every file mentorsim writes outside a folder that is itself renamed into place goes
through :func:`replacing` (or :func:`write_atomically`): it is written under a hidden
temporary name in the same folder and renamed over the target only when complete, so a
reader sees the old file or the new one, never half of one, and a failure leaves nothing
behind. Files get mode 0666 and folders 0777 less the umask (0644 and 0755 under the usual
umask 022), as files created with ``open`` would; ``tempfile`` alone makes them private.

A results folder is built in a hidden sibling, ``.NAME.partial-HOST-PID-XXXX``
(:func:`make_partial_dir`), renamed to ``NAME`` when complete. The name records who builds
it, so a folder left by a process that was killed (``kill -9``, a node lost) can be told
from one still being written: :func:`clean_stale_partials` removes those whose process is
gone on this machine.

This module imports nothing heavy: ``mentorsim validate`` may use it.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

PARTIAL = ".partial-"
# Folders this process has built and published, so that a Ctrl-C coming after one is
# complete (while the report prints) says it was written rather than "nothing was written".
PUBLISHED: list[Path] = []
_PARTIAL_RE = re.compile(r"^\.(?P<name>.+)\.partial-(?:(?P<host>.+)-(?P<pid>\d+)-)?[^-]+$")


def umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # elsewhere: read it by setting it, and put it back at once
    os.umask(mask)
    return mask


def file_mode() -> int:
    """Mode of a new file: 0666 less the umask (0644 under umask 022)."""
    return 0o666 & ~umask()


def dir_mode() -> int:
    """Mode of a new folder: 0777 less the umask (0755 under umask 022)."""
    return 0o777 & ~umask()


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def replacing(path: Path, *, durable: bool = False) -> Iterator[Path]:
    """Write ``path`` atomically: yield a temporary path in the same folder to write; on a
    clean exit it gets the ordinary file mode and is renamed to ``path``; on any error (or
    Ctrl-C) it is removed and ``path`` is left as it was.

    Args:
        path: the file to (re)write; its folder must exist.
        durable: also fsync the file and the folder, so the new file survives a power cut
            once this returns (sweep parts and ledgers rely on it).

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "out.txt"
        >>> with replacing(target) as tmp:
        ...     _ = tmp.write_text("hello")
        >>> target.read_text(), oct(target.stat().st_mode & 0o777) == oct(file_mode())
        ('hello', True)
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, file_mode())  # mkstemp makes files private; results are not
        if durable:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(path.parent)


def write_atomically(path: Path, write: Callable[[Path], object], *,
                     durable: bool = False) -> None:
    """``write(tmp)`` fills a temporary file that replaces ``path`` only if it succeeds
    (see :func:`replacing`)."""
    with replacing(path, durable=durable) as tmp:
        write(tmp)


def write_text_atomically(path: Path, text: str, *, durable: bool = False) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"),
                     durable=durable)


def check_parent(out: Path, option: str = "--out") -> None:
    """Refuse, before any work, a folder to create whose parent cannot hold it: a parent
    that is a file, or a folder this user cannot write to.

    Raises:
        UserError: naming the option, the folder and what is wrong.
    """
    from sim.errors import UserError

    out = Path(out)
    ancestor = out.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if ancestor.exists() and not ancestor.is_dir():
        raise UserError(f"{option} {out}: {ancestor} is a file, not a folder; choose a folder "
                        "elsewhere")
    if ancestor.is_dir() and not os.access(ancestor, os.W_OK | os.X_OK):
        raise UserError(f"{option} {out}: cannot create it: no permission to write in "
                        f"{ancestor}; choose a folder you can write to")


# errors of the disk rather than of the program: reported in one line, never a traceback
DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EIO})


def disk_error_text(exc: OSError) -> str:
    """One line for a full, read-only or failing disk: what happened, and where."""
    where = f" writing {exc.filename}" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"


def check_free_space(out: Path, needed_bytes: int, option: str = "--out") -> None:
    """Refuse, before any work, a folder whose disk has less than ``needed_bytes`` free.

    Raises:
        UserError: naming the option, the folder, the space needed and the space free.
    """
    from sim.errors import UserError

    if needed_bytes <= 0:
        return
    ancestor = Path(out).parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    try:
        free = shutil.disk_usage(ancestor).free
    except OSError:
        return  # cannot tell: the write itself will say
    if free < needed_bytes:
        raise UserError(f"{option} {out}: needs about {_megabytes(needed_bytes)}, only "
                        f"{_megabytes(free)} free on the disk holding {ancestor}; free some "
                        "space or choose a folder on another disk")


def _megabytes(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def make_partial_dir(out: Path) -> Path:
    """A new hidden sibling of ``out`` to build it in, named after this host and process,
    with the ordinary folder mode."""
    prefix = f".{out.name}{PARTIAL}{socket.gethostname()}-{os.getpid()}-"
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=prefix))
    os.chmod(tmp, dir_mode())  # mkdtemp makes folders private; results are not
    return tmp


@contextlib.contextmanager
def building(out: Path) -> Iterator[Path]:
    """Build the folder ``out`` atomically: yield a new hidden sibling
    (:func:`make_partial_dir`) to fill, renamed to ``out`` on a clean exit and removed on
    any error (or Ctrl-C, or SIGTERM turned into one), so ``out`` appears complete or not
    at all.

    The sibling is made first, so a second process asked to build the same ``out`` on this
    machine finds it and stops before doing any work (:func:`check_sole_builder`); if
    ``out`` still appears meanwhile (made by hand, or on another machine), the finished
    folder is kept beside it under a visible name and the error says where.

    Raises:
        UserError: another process builds ``out``, or ``out`` appeared meanwhile.
    """
    mine = f".{out.name}{PARTIAL}{socket.gethostname()}-{os.getpid()}-"
    try:
        tmp = make_partial_dir(out)
        check_sole_builder(out, tmp)
        yield tmp
        publish(tmp, out)
        PUBLISHED.append(out)
    except BaseException:
        # by name, so a folder made just before an interrupt is found as well
        for entry in out.parent.glob(f"{glob.escape(mine)}*"):
            shutil.rmtree(entry, ignore_errors=True)
        raise


def check_sole_builder(out: Path, tmp: Path) -> None:
    """Refuse to build ``out`` when another live process on this machine builds it too.

    Both processes make their hidden sibling first and then look for the other's, so at
    least one sees the other; the one that started later (then the one whose sibling's
    name sorts later) gives way, so exactly one goes on.
    """
    from sim.errors import UserError

    host = socket.gethostname()
    me = (_started(os.getpid()), tmp.name)
    for entry in out.parent.iterdir():
        match = _PARTIAL_RE.match(entry.name)
        if (entry == tmp or not match or match["name"] != out.name or match["host"] != host
                or match["pid"] is None or int(match["pid"]) == os.getpid()
                or not _alive(int(match["pid"]))):
            continue
        if (_started(int(match["pid"])), entry.name) < me:
            raise UserError(f"--out {out}: another mentorsim process (pid {match['pid']}) is "
                            "writing this folder now; wait for it, or choose another folder")


def _started(pid: int) -> int:
    """When a process started, in clock ticks since boot (Linux); 0 where unknown."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return 0


def publish(tmp: Path, out: Path) -> None:
    """Rename the finished ``tmp`` to ``out``; if ``out`` appeared meanwhile, keep ``tmp``
    under a visible name beside it and say so (the work is not lost)."""
    from sim.errors import UserError

    try:
        os.replace(tmp, out)
    except OSError as exc:
        if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY, errno.EISDIR, errno.ENOTDIR):
            raise
        kept = out.with_name(f"{out.name}-{socket.gethostname()}-{os.getpid()}")
        os.replace(tmp, kept)
        raise UserError(f"--out {out}: appeared while this run was working (another process "
                        f"made it); these results are kept in {kept}") from None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process: alive as far as we can tell
    return True


def clean_stale_partials(parent: Path) -> tuple[list[Path], list[Path]]:
    """Remove the half-built results folders in ``parent`` whose builder is gone.

    Returns:
        ``(removed, unknown)``: folders removed (their process on this host is dead), and
        folders whose builder cannot be checked (another host, or no owner in the name:
        left by an older version), which are left alone for the caller to report.
    """
    removed: list[Path] = []
    unknown: list[Path] = []
    try:
        entries = list(Path(parent).iterdir())
    except OSError:
        return removed, unknown
    host = socket.gethostname()
    for entry in entries:
        match = _PARTIAL_RE.match(entry.name)
        if not match or not entry.is_dir() or entry.is_symlink():
            continue
        if match["pid"] is None or match["host"] != host:
            unknown.append(entry)
        elif int(match["pid"]) != os.getpid() and not _alive(int(match["pid"])):
            shutil.rmtree(entry, ignore_errors=True)
            if not entry.exists():
                removed.append(entry)
    return removed, unknown
