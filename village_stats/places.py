"""Where outputs may go, checked before anything is written.

Every output location is decided here, from the parameters and from names taken from the data (village
ids, townships, period codes), and refused with one :class:`~village_stats.errors.DataError` (exit 2) when
it could touch an input or leave the output folder:

- an output folder never equals, lies inside or holds a data root (:func:`check_output_dir`): a run
  replaces and cleans ``<output>/<village>/<period>``, which inside a data root is a period's input folder;
- every path component built from data or a parameter is one plain name (:func:`path_component`): no
  ``/``, ``\\``, ``..``, leading ``.``, control character, nor more than 255 bytes, so it can never climb
  out of the output folder or be an absolute path;
- the folder of a report kind (``county``) is never a village's: those names are reserved village ids
  (:data:`RESERVED_IDS`, refused by :func:`village_stats.load.check_village_id`);
- the final folder is checked once more, resolved, to lie inside the output folder (:func:`inside`).

A ground-floor module: it reads no data and writes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .errors import DataError

#: Longest name of one path component [bytes] (NAME_MAX of Linux and macOS file systems).
MAX_NAME_BYTES = 255
#: Longest village id [characters]: it names folders and files, so it stays far below NAME_MAX.
MAX_ID = 64
#: Report kinds whose output folder sits beside the villages' (``<output>/county/<period>``): never a
#: village id.
RESERVED_IDS: frozenset[str] = frozenset({"county"})


def path_component(text: object, what: str) -> str:
    """``text`` as one folder or file name, else a :class:`DataError` saying why (never the text itself
    when it is long).

    Parameters
    ----------
    text : object
        A name from the data or a parameter (village id, township, period code).
    what : str
        What it is, for the message (``"township 'x'"``).

    Examples
    --------
    >>> path_component("西河镇", "township")
    '西河镇'
    >>> path_component("../x", "township")
    Traceback (most recent call last):
    ...
    village_stats.errors.DataError: township cannot name a folder (climbs out with '..' or '/'): ...
    """
    name = str(text)
    kind = None
    if name in ("", ".", ".."):
        kind = "empty or a dot"
    elif "/" in name or "\\" in name or ".." in name:
        kind = "climbs out with '..' or '/'"
    elif name.startswith("."):
        kind = "a hidden name"
    elif any(not ch.isprintable() for ch in name):
        kind = "a control character"
    elif len(name.encode("utf-8")) > MAX_NAME_BYTES:
        kind = f"{len(name.encode('utf-8'))} bytes"
    if kind is not None:
        raise DataError.said("msg_bad_name", what=what, kind=kind, limit=MAX_NAME_BYTES)
    return name


def _real(path: str | Path) -> Path:
    """The absolute path with every symlink of its existing part resolved (works for missing paths)."""
    return Path(os.path.realpath(os.path.abspath(path)))


def _overlap(a: Path, b: Path) -> bool:
    return a == b or a.is_relative_to(b) or b.is_relative_to(a)


def check_output_dir(output_dir: str | Path, data_roots: Iterable[str | Path]) -> Path:
    """The output folder, checked: a folder (or not yet there), never equal to, inside or holding a data root.

    Raises
    ------
    DataError
        One line naming the output folder: a file is there, or it overlaps a data root (a run there would
        replace and clean the inputs' period folders).

    Examples
    --------
    >>> check_output_dir("/tmp/out", ["/srv/data"])
    PosixPath('/tmp/out')
    >>> check_output_dir("/srv/data/out", ["/srv/data"])
    Traceback (most recent call last):
    ...
    village_stats.errors.DataError: /srv/data/out: the output folder overlaps the data folder /srv/data: ...
    """
    out = Path(output_dir)
    if out.exists() and not out.is_dir():
        raise DataError.said("msg_output_not_folder", path=out)
    real = _real(out)
    for root in data_roots:
        if _overlap(real, _real(root)):
            raise DataError.said("msg_output_in_data", path=out, root=root)
    return out


def check_output_file(output: str | Path, data_roots: Iterable[str | Path]) -> Path:
    """A file to write (``--output FILE``): its folder exists, it is not a folder, not inside a data root."""
    path = Path(output)
    if path.is_dir():
        raise DataError.said("msg_output_is_folder", path=path)
    if not _real(path).parent.is_dir():
        raise DataError.said("msg_output_parent_missing", path=path)
    real = _real(path)
    for root in data_roots:
        if real.is_relative_to(_real(root)):
            raise DataError.said("msg_output_file_in_data", path=path, root=root)
    return path


def inside(output_dir: str | Path, parts: Iterable[str]) -> Path:
    """``output_dir`` joined with ``parts``, each a plain name (:func:`path_component`), checked to resolve
    inside ``output_dir`` (a symlinked folder on the way cannot lead elsewhere).

    >>> inside("/tmp/out", ["county", "西河镇", "2018H2"]).as_posix()
    '/tmp/out/county/西河镇/2018H2'
    """
    base = Path(output_dir)
    final = base.joinpath(*(path_component(p, _quoted(p)) for p in parts))
    real_base = _real(base)
    # the parent must resolve inside (the final folder itself is a link into the runs folder, by design)
    if not _real(final.parent).is_relative_to(real_base):
        raise DataError.said("msg_output_escapes", path=final, root=base)
    return final


def _quoted(name: object) -> str:
    """A name as the message about it quotes it: at most 40 characters, escaped to one line."""
    from .errors import shorten

    return f"'{shorten(name, 40)}'"
