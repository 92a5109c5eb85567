"""One way to write a file (village_stats.atomic): whole or not at all, the old file kept on failure."""

import os
import random
import re
import signal
import subprocess
import sys
import time

import pytest

from village_stats.atomic import atomic_file, atomic_folder, atomic_path, write_atomic

from .conftest import ROOT


def test_write_replaces_the_old_file_and_leaves_nothing_beside_it(tmp_path):
    target = tmp_path / "indicators.csv"
    target.write_bytes(b"old")
    assert write_atomic(target, "新,1\n") == target
    assert target.read_bytes() == "新,1\n".encode()
    write_atomic(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["indicators.csv"]


@pytest.mark.parametrize("how", ["file", "path"])
def test_a_writer_that_raises_keeps_the_old_file_and_leaves_no_partial_file(tmp_path, how):
    target = tmp_path / "report.html"
    target.write_bytes(b"the old report")
    with pytest.raises(OSError, match="disk full"):
        if how == "file":
            with atomic_file(target, "w", encoding="utf-8") as fh:
                fh.write("half a rep")
                raise OSError("disk full")
        else:
            with atomic_path(target) as tmp:  # a writer that wants a file name (XlsxWriter)
                tmp.write_bytes(b"half a workbook")
                raise OSError("disk full")
    assert target.read_bytes() == b"the old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_an_interrupt_also_leaves_no_partial_file(tmp_path):
    target = tmp_path / "a.json"
    with pytest.raises(KeyboardInterrupt), atomic_file(target) as fh:
        fh.write(b"{")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_a_writer_that_writes_nothing_publishes_nothing(tmp_path):
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(FileNotFoundError), atomic_path(target):
        pass
    assert target.read_bytes() == b"old" and len(list(tmp_path.iterdir())) == 1


def test_no_replace_never_touches_an_existing_file(tmp_path):
    target = tmp_path / "village.yaml"
    write_atomic(target, "id: a\n", replace=False)
    assert target.read_text() == "id: a\n"
    with pytest.raises(FileExistsError):
        write_atomic(target, "id: b\n", replace=False)
    assert target.read_text() == "id: a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["village.yaml"]


def test_new_files_get_the_permissions_of_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "a.csv", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.csv").stat().st_mode & 0o777 == 0o640


def test_a_folder_appears_whole_or_not_at_all(tmp_path):
    target = tmp_path / "2017H2"
    with pytest.raises(ValueError), atomic_folder(target) as tmp:
        (tmp / "population.csv").write_text("x")
        raise ValueError("bad")
    assert list(tmp_path.iterdir()) == []
    with atomic_folder(target) as tmp:
        (tmp / "population.csv").write_text("x")
    assert [p.name for p in target.iterdir()] == ["population.csv"]
    with pytest.raises(FileExistsError), atomic_folder(target):
        pass
    assert [p.name for p in tmp_path.iterdir()] == ["2017H2"]


WRITER = r"""
import sys, time
from village_stats.atomic import atomic_file
path, run = sys.argv[1], sys.argv[2]
with atomic_file(path) as fh:
    for _ in range(20):
        fh.write(run.encode() * 5000)
        fh.flush()
        time.sleep(0.005)
"""


def test_sigkill_while_writing_leaves_the_old_file_or_the_new_one_whole(tmp_path):
    target = tmp_path / "out.bin"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", WRITER, str(target), "0"], check=True, env=env)
    rng = random.Random(20171231)
    previous = "0"
    for k in range(1, 7):
        run = str(k)
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target), run], env=env)
        time.sleep(rng.uniform(0.0, 1.5))  # before, during and after the writing
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        found = target.read_bytes()
        assert found in (previous.encode() * 100_000, run.encode() * 100_000), f"kill {k}: a partial file"
        previous = found[:1].decode()
    # a killed writer may leave its hidden temporary file, never anything under the target's name
    assert all(re.fullmatch(r"\.out\.bin\.\d+\.[0-9a-f]{8}\.tmp", p.name) for p in tmp_path.iterdir()
               if p != target)


#: Writes that do not go through village_stats.atomic, allowed for now. Issue 17: these files are being
#: rewritten by the core engineer, who moves them onto the helper and deletes the entries.
NOT_YET: set[str] = set()
#: Writes that are not outputs: the helper itself, the publication of a run folder (a symlink swap),
#: Typst's scratch folders (the font link, the compile root), a kernel's socket folder, and a run's moves
#: and links of files already written (the failed notebook moved aside, the carried-over outputs linked
#: into the unpublished folder).
NOT_OUTPUTS = {"village_stats/atomic.py", "village_stats/outputs.py", "village_stats/export/pdf.py:_font_dir",
               "village_stats/export/pdf.py:render_pdf", "village_stats/run/kernels.py:_kernel_manager_class",
               "village_stats/run/stages.py:_keep_failed", "village_stats/run/stages.py:_carry_over",
               "village_stats/cli/common.py:format_help_text",  # click's HelpFormatter.write_text: no file
               "village_stats/run/cluster.py:_private_temp"}  # a batch's private temp folder, not an output
HAND_MADE = re.compile(r"os\.(replace|rename|link)\(|\.write_(text|bytes)\(|open\([^)]*['\"][wxa]b?['\"]"
                       r"|tempfile\.(mkstemp|mkdtemp|NamedTemporaryFile)")


def test_every_file_the_package_writes_goes_through_the_helper():
    import ast

    found = []
    for path in sorted((ROOT / "village_stats").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in NOT_YET or rel in NOT_OUTPUTS:
            continue
        text = path.read_text(encoding="utf-8")
        skip = set()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef) and f"{rel}:{node.name}" in NOT_OUTPUTS:
                skip |= set(range(node.lineno, node.end_lineno + 1))
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                skip |= set(range(node.lineno, node.end_lineno + 1))  # docstrings and their examples
        found += [f"{rel}:{i}" for i, line in enumerate(text.splitlines(), 1)
                  if i not in skip and HAND_MADE.search(line) and not line.lstrip().startswith("#")]
    assert found == []
    assert all((ROOT / p).is_file() for p in NOT_YET), "a file of NOT_YET is gone: delete its entry"
