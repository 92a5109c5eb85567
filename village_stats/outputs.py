"""Publishing an output folder atomically: a kill at any instant leaves the old or the new outputs, whole.

Layout of one village-period's outputs (``final`` = ``output/<village>/<period>``)::

    output/<village>/<period>                        a symlink → ../.village-stats-runs/<village>/<period>/<run id>
    output/.village-stats-runs/<village>/<period>/   one folder per run: the published one and the one being
                                                     written; the folder itself is the per-period lock (flock)

Why this design: replacing a non-empty folder by another is two renames, and a kill between them leaves
no folder at all. Replacing a *symlink* is one ``os.replace`` (``rename(2)``), which POSIX makes atomic:
at every instant ``final`` names either the complete old run folder or the complete new one. Runs are
written beside ``final`` (same file system, so the rename is a rename and never a copy); the village folder holds only the
period links, as readers expect. The lock
makes a second run of the same village-period fail at once with one line (exit 2) instead of racing,
and lets each run remove, safely, what killed runs left behind: run folders other than the published
one and stray links.

When ``final`` is a real folder (the ``failed/`` notebook of a first run that failed is kept in
``final/failed/``), it is moved into the runs folder before the new run is published; a kill in that
single step is repaired by the next run (the newest complete run folder is published again).

Single files are written whole by :mod:`village_stats.atomic`; this module publishes a folder of them.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import socket
import tempfile
import time
import uuid
import weakref
from pathlib import Path

from .atomic import fsync_file, fsync_folder
from .errors import DataError

#: A run folder is complete when it holds a manifest (written last by a report run: ``manifest.json``, or
#: ``manifest.en.json`` for an English run).
COMPLETE_MARKER = "manifest*.json"
#: Kernel socket folders (see run.py) younger than this are never removed [seconds].
KERNEL_DIR_GRACE_SECONDS = 60.0


class OutputBusy(DataError):
    """Another run is writing the same village-period (exit code 2 in the CLI)."""


#: Folder under the output root that holds the run folders.
RUNS = ".village-stats-runs"


def runs_folder(final: Path) -> Path:
    """The folder that holds the run folders of ``final`` (``output/<village>/<period>``); also the lock."""
    return final.parent.parent / RUNS / final.parent.name / final.name


class Publication:
    """One run's output folder: :meth:`begin` locks and gives a fresh folder, :meth:`commit` publishes it.

    The lock is released by :meth:`commit`, :meth:`abort` or when the object is collected; a killed
    process releases it with its file descriptors.

    Parameters
    ----------
    final : Path
        The path readers use, ``output/<village>/<period>``.
    wait_seconds : float
        How long to wait for another run of the same village-period before :class:`OutputBusy`.
    runs : Path, optional
        The folder of run folders (also the lock); default :func:`runs_folder` of ``final``. A folder
        published one level below the output root (``output/site``) gives its own,
        ``output/.village-stats-runs/site``; it must be on the same file system as ``final``.
    """

    def __init__(self, final: str | Path, *, wait_seconds: float = 0.0, runs: str | Path | None = None) -> None:
        self.final = Path(final)
        self.runs = Path(runs) if runs is not None else runs_folder(self.final)
        self.wait_seconds = wait_seconds
        self.folder: Path | None = None
        self._fd: int | None = None
        self._finalizer = None

    # -- lock
    def _lock(self) -> None:
        import fcntl

        self.final.parent.mkdir(parents=True, exist_ok=True)
        self.runs.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.runs, os.O_RDONLY)
        deadline = time.monotonic() + self.wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise OutputBusy("another run of this village and period is writing its outputs: expected "
                                     "one run at a time (try again when it has finished)",
                                     path=self.final) from None
                time.sleep(0.2)
        self._fd = fd
        self._finalizer = weakref.finalize(self, os.close, fd)

    def _unlock(self) -> None:
        if self._finalizer is not None:
            self._finalizer()  # closes the descriptor, which releases the lock
            self._finalizer = None
            self._fd = None

    # -- steps
    def begin(self) -> Path:
        """Lock, clean what killed runs left, and return a new empty run folder beside ``final``."""
        self._lock()
        try:
            _check_ours(self.final)
            clean_stale(self.final, self.runs)
            clean_stale_kernel_dirs()
            runs = self.runs
            runs.mkdir(exist_ok=True)
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
            self.folder = runs / f"{stamp}-{uuid.uuid4().hex[:8]}.tmp"
            self.folder.mkdir()
        except BaseException:
            self._unlock()
            raise
        return self.folder

    def commit(self) -> None:
        """Publish the run folder: one atomic replace of the ``final`` symlink, then remove the old run.

        The folder loses its ``.tmp`` suffix first, so the path :meth:`begin` returned no longer exists
        after a commit (a caller's clean-up of that path cannot touch the published run).
        """
        if self.folder is None:
            raise RuntimeError("begin() was not called")
        try:
            _fsync_tree(self.folder)
            done = self.folder.with_name(self.folder.name.removesuffix(".tmp"))
            os.replace(self.folder, done)
            self.folder = done
            previous = _published(self.final)
            if self.final.exists() and not self.final.is_symlink():
                previous = _move_aside(self.final, self.runs)
            _point(self.final, done)
            if previous is not None and previous != done.resolve():
                shutil.rmtree(previous, ignore_errors=True)
        finally:
            self._unlock()

    def abort(self) -> None:
        """Remove the unpublished run folder and release the lock (the published outputs stay)."""
        try:
            if self.folder is not None and self.folder.name.endswith(".tmp") and self.folder.exists():
                shutil.rmtree(self.folder, ignore_errors=True)
        finally:
            self._unlock()


# --------------------------------------------------------------------------- helpers

def _check_ours(final: Path) -> None:
    """A real folder at ``final`` is replaced only when a run made it: it holds just the ``failed/`` folder
    of a failed first run, or a manifest (outputs of an earlier layout). Anything else (an input folder,
    someone's files) is refused before anything moves: one line, exit 2."""
    if final.is_symlink() or not final.is_dir():
        return
    if _complete(final) or all(p.name == "failed" for p in final.iterdir()):
        return
    raise DataError.said("msg_output_not_ours", path=final)


def _published(final: Path) -> Path | None:
    """The run folder ``final`` points at (resolved), or None."""
    if final.is_symlink():
        target = final.resolve()
        return target if target.is_dir() else None
    return None


def _point(final: Path, folder: Path) -> None:
    """Make ``final`` a symlink to ``folder`` with one ``os.replace`` (atomic on POSIX)."""
    link = final.with_name(f".{final.name}.link-{uuid.uuid4().hex[:8]}")
    os.symlink(os.path.relpath(folder, final.parent), link)
    os.replace(link, final)
    fsync_folder(final.parent)


def _move_aside(final: Path, runs: Path | None = None) -> Path:
    """Move a real folder at ``final`` (the failed/ folder of a first run that failed) into the runs folder."""
    runs = runs if runs is not None else runs_folder(final)
    runs.mkdir(exist_ok=True)
    moved = runs / f"aside-{uuid.uuid4().hex[:8]}"
    os.replace(final, moved)
    return moved.resolve()


def _complete(folder: Path) -> bool:
    return any(p.is_file() for p in folder.glob(COMPLETE_MARKER))


def clean_stale(final: Path, runs: Path | None = None) -> None:
    """With the lock held: remove what killed runs left, and repair a missing ``final``.

    Keeps the published run folder; removes every other run folder and stray ``.<period>.link-*``
    symlinks. If ``final`` is missing (a kill while a real folder at ``final`` was being moved aside),
    the newest complete run folder is published again.
    """
    parent, name = final.parent, final.name
    runs = runs if runs is not None else runs_folder(final)
    if not final.exists() and not final.is_symlink() and runs.is_dir():
        complete = sorted((p for p in runs.iterdir() if p.is_dir() and _complete(p)),
                          key=lambda p: p.stat().st_mtime)
        if complete:
            _point(final, complete[-1])
    if final.is_symlink() and not final.exists():
        final.unlink()  # a link to a removed run: nothing to keep
    keep = _published(final)
    if runs.is_dir():
        for p in runs.iterdir():
            if keep is None or p.resolve() != keep:
                _remove(p)
    for p in parent.iterdir():
        if p.name.startswith(f".{name}.link-"):
            _remove(p)


def _remove(p: Path) -> None:
    if p.is_symlink() or p.is_file():
        p.unlink(missing_ok=True)
    elif p.is_dir():
        shutil.rmtree(p, ignore_errors=True)


def clean_stale_kernel_dirs(tmpdir: str | Path | None = None, *, grace_seconds: float = KERNEL_DIR_GRACE_SECONDS) -> int:
    """Remove ``village-stats-kernel-*`` socket folders whose kernel is gone; returns how many.

    A folder is in use while one of its Unix sockets accepts a connection (a live kernel listens on
    them). Folders younger than ``grace_seconds`` are kept (a kernel may be starting). Only folders
    owned by this user are touched.
    """
    root = Path(tmpdir or tempfile.gettempdir())
    removed = 0
    now = time.time()
    try:
        entries = list(root.glob("village-stats-kernel-*"))
    except OSError:
        return 0
    for d in entries:
        try:
            info = d.lstat()
        except OSError:
            continue
        if not d.is_dir() or d.is_symlink() or info.st_uid != os.getuid() or now - info.st_mtime < grace_seconds:
            continue
        if any(_listening(s) for s in d.iterdir()):
            continue
        shutil.rmtree(d, ignore_errors=True)
        removed += 1
    return removed


def _listening(path: Path) -> bool:
    import stat

    try:
        if not stat.S_ISSOCK(path.lstat().st_mode):
            return False
    except OSError:
        return False
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(0.2)
    try:
        s.connect(str(path))
        return True
    except OSError:
        return False
    finally:
        s.close()


def _fsync_tree(folder: Path) -> None:
    """Flush the run's files to disk before they are published (a crash must not publish empty files)."""
    for p in folder.rglob("*"):
        if p.is_file() and not p.is_symlink():
            try:
                fsync_file(p)
            except OSError:
                pass
    fsync_folder(folder)
