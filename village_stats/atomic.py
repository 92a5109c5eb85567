"""Every file the package writes is written whole or not at all: one helper, used by every writer.

A file is written under a temporary name beside its target (same folder, so the same file system),
flushed to disk, then given its name in one step: :func:`os.replace` (``rename(2)``, atomic on POSIX),
or with ``replace=False`` :func:`os.link`, which fails rather than replace a file already there. At any
instant the target is the old file (or absent) or the new one, whole. When the writer raises, the
temporary file is removed and the old file stays as it was; a process killed while writing leaves at
most a hidden ``.<name>.<pid>.<random>.tmp`` beside the target, never a partial target.

- :func:`write_atomic` for bytes or text already in memory;
- :func:`atomic_file` for a writer that wants an open file (``nbformat.write``, ``pickle.dump``);
- :func:`atomic_path` for a writer that wants a file name (XlsxWriter);
- :func:`atomic_folder` for a new folder of files, which appears whole and never replaces anything.

New files get the permissions of the user's umask, like any file the user writes. A ground-floor module:
it imports nothing of the package.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO


def temporary_name(path: Path) -> Path:
    """The hidden temporary name a file is written under before it becomes ``path``.

    >>> temporary_name(Path("out/indicators.csv")).name.startswith(".indicators.csv.")
    True
    """
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, *, replace: bool = True, fsync: bool = True) -> Iterator[Path]:
    """``with atomic_path(target) as tmp:`` write the file ``tmp``; on success it becomes ``target``.

    Parameters
    ----------
    path : str or PathLike
        The file to write.
    replace : bool
        True: replace an existing file (``os.replace``). False: fail with :class:`FileExistsError` when
        ``path`` exists, leaving it alone (``os.link``).
    fsync : bool
        Flush the file (and the folder's entry) to disk, so that a crash of the machine cannot leave an
        empty file under the new name.

    Raises
    ------
    FileNotFoundError
        When the writer did not write ``tmp`` (nothing is published).

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("whole")
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('whole', ['a.txt'])
    """
    path = Path(path)
    tmp = temporary_name(path)
    try:
        yield tmp
        if not tmp.is_file():
            raise FileNotFoundError(f"the writer wrote nothing to {tmp}")
        if fsync:
            fsync_file(tmp)
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # FileExistsError when path exists: nothing is replaced
        if fsync:
            fsync_folder(path.parent)
    finally:
        tmp.unlink(missing_ok=True)  # the writer failed, or (replace=False) the second name of the file


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike, mode: str = "wb", *, encoding: str | None = None,
                newline: str | None = None, replace: bool = True, fsync: bool = True) -> Iterator[IO]:
    """``with atomic_file(target, "w", encoding="utf-8") as fh:`` write to ``fh``; whole or not at all.

    ``mode`` is ``"wb"`` or ``"w"`` (text; give the encoding). See :func:`atomic_path` for the rest.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode {mode!r}: expected 'w' or 'wb'")
    with atomic_path(path, replace=replace, fsync=fsync) as tmp:
        with open(tmp, mode.replace("w", "x"), encoding=encoding, newline=newline) as fh:
            yield fh


def write_atomic(path: str | os.PathLike, data: bytes | str, *, encoding: str = "utf-8", replace: bool = True,
                 fsync: bool = True) -> Path:
    """Write ``data`` (text is encoded with ``encoding``, newlines as given) to ``path``, whole or not at all.

    Returns the path. See :func:`atomic_path` for ``replace`` and ``fsync``.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "b.txt"
    >>> write_atomic(target, "新\\n") == target, target.read_bytes()
    (True, b'\\xe6\\x96\\xb0\\n')
    """
    payload = data.encode(encoding) if isinstance(data, str) else bytes(data)
    with atomic_file(path, "wb", replace=replace, fsync=fsync) as fh:
        fh.write(payload)
    return Path(path)


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike) -> Iterator[Path]:
    """``with atomic_folder(target) as tmp:`` fill the new folder ``tmp``; on success it becomes ``target``.

    ``target`` must not exist: the folder is renamed into place only if nothing is there (checked just
    before; a non-empty folder that appears in between makes the rename fail). On an exception the
    temporary folder and everything in it are removed.

    Raises
    ------
    FileExistsError
        When ``target`` exists (before or after the writing); nothing is replaced.
    """
    path = Path(path)
    if path.exists() or path.is_symlink():
        raise FileExistsError(f"{path} exists")
    tmp = temporary_name(path)
    tmp.mkdir()
    try:
        yield tmp
        if path.exists() or path.is_symlink():
            raise FileExistsError(f"{path} appeared while it was being written")
        os.rename(tmp, path)  # fails on a non-empty folder at path
        fsync_folder(path.parent)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def fsync_file(path: Path) -> None:
    """Flush a file's bytes to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (the new name); some file systems cannot, which is no error here."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
