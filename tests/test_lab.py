"""What an analyst sees in JupyterLab: labelled tables, charts as pictures, one-line data errors."""

from __future__ import annotations

import pytest

from village_stats import DataError, indicator_sheet, load_period

from .conftest import DATA


def test_period_data_shows_as_a_labelled_table(suoluoyu, monkeypatch):
    monkeypatch.delenv("VILLAGE_STATS_LANG", raising=False)
    html = suoluoyu._repr_html_()
    assert "梭罗峪村" in html and "2017年上半年" in html and "人口与贫困基本情况" in html
    assert ">7<" in html  # population.csv has 7 rows
    assert "Suoluoyu" not in html
    assert repr(suoluoyu).startswith("PeriodData(suoluoyu 2017H1: population (7 rows)")
    monkeypatch.setenv("VILLAGE_STATS_LANG", "en")
    assert "Suoluoyu" in suoluoyu._repr_html_()


def test_sheet_shows_labels_and_formatted_values(sheet, monkeypatch):
    monkeypatch.delenv("VILLAGE_STATS_LANG", raising=False)
    html = sheet._repr_html_()
    assert "贫困发生率" in html and "47.8%" in html and "3,097,200 元" in html
    assert "e+02" not in html  # 176 households, not 1.760000e+02
    assert "text-align: right" in html  # numbers right-aligned, text left
    labelled = sheet.labelled("en")
    assert list(labelled.columns) == ["Indicator", "Value", "Id"]
    assert labelled.set_index("Id").loc["households_total", "Value"] == "176 households"
    # still a DataFrame for every pandas use
    assert float(sheet.set_index("indicator").loc["poor_population", "value"]) == 196


def test_data_error_is_one_line_in_a_notebook_and_lists_the_periods():
    with pytest.raises(DataError) as info:
        load_period("suoluoyu", "2018H1", DATA)
    lines = info.value._render_traceback_()
    assert len(lines) == 1 and "no data for period 2018H1" in lines[0]
    assert "periods with data: 2017H1" in lines[0]


@pytest.mark.notebook
def test_a_chart_shows_as_a_picture_in_a_fresh_kernel():
    """No %matplotlib inline needed: a Figure returned by a chart function displays as PNG."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "from village_stats import load_period, indicator_sheet\n"
        "from village_stats.display import plotting\n"
        f"sheet = indicator_sheet(load_period('suoluoyu', '2017H1', {str(DATA)!r}))\n"
        "plotting.incidence_chart(sheet, 'zh')")]
    NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    kinds = [set(o.get("data", {})) for o in nb.cells[0].outputs]
    assert any("image/png" in k for k in kinds), kinds


def test_sheet_survives_a_round_trip_through_pandas(suoluoyu):
    import pandas as pd

    sheet = indicator_sheet(suoluoyu)
    both = pd.concat([sheet, sheet], ignore_index=True)
    assert len(both) == 2 * len(sheet) and "47.8%" in both._repr_html_()
    assert "<table" in sheet[["indicator"]]._repr_html_()  # a partial frame falls back to pandas' own view


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def jupyter_server(tmp_path_factory):
    """A real Jupyter server with the project's etc/ config, serving a copy of notebooks/."""
    import os
    import shutil
    import subprocess
    import sys
    import time
    import urllib.request

    from .conftest import ROOT

    tmp_path = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    port, token = _free_port(), "village-stats-test"
    env = {**os.environ, "JUPYTER_CONFIG_PATH": str(ROOT / "etc"), "PYTHONPATH": str(ROOT),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_DATA_DIR": str(tmp_path / "jdata")}
    proc = subprocess.Popen([sys.executable, "-m", "jupyter_server", f"--ServerApp.root_dir={tmp_path}",
                             f"--ServerApp.port={port}", "--ServerApp.open_browser=False",
                             f"--IdentityProvider.token={token}", "--ServerApp.port_retries=0"]
                            + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(900):  # up to 90 s on a loaded machine
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(proc.stderr.read().decode(errors="replace")[-2000:]) from None
                time.sleep(0.1)
        yield base, token, tmp_path
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _api(base, token, path, method="GET", body=None):
    import json
    import urllib.request

    req = urllib.request.Request(f"{base}/api/contents/{path}?token={token}", method=method,
                                 data=None if body is None else json.dumps(body).encode("utf-8"),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read().decode("utf-8"))


@pytest.mark.notebook
@pytest.mark.parametrize("name", ["period_report.ipynb", "village_trends.ipynb", "county_report.ipynb"])
def test_opening_running_and_saving_a_template_in_lab_changes_nothing(jupyter_server, name):
    """Issue 23: Lab's save of a run template (outputs, execution counts, the kernel's language_info and
    display name, cell execution metadata, the parameters cell retyped without its comments) writes the
    file back byte for byte; an edit of a parameter's value is kept, with its comment."""
    base, token, root = jupyter_server
    path = f"notebooks/{name}"
    before = (root / path).read_bytes()
    model = _api(base, token, path)
    nb = model["content"]
    # what a Lab session does to it
    nb["metadata"]["kernelspec"]["display_name"] = "Python 3 (ipykernel) session"
    nb["metadata"]["language_info"] = {"codemirror_mode": {"name": "ipython", "version": 3}, "name": "python",
                                       "version": "3.11.7", "file_extension": ".py"}
    params = None
    for i, cell in enumerate(nb["cells"]):
        cell["metadata"]["execution"] = {"iopub.status.busy": "2026-12-07T10:00:00Z"}
        if cell["cell_type"] == "code":
            cell["execution_count"] = i + 1
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "ran\n"}]
        if "parameters" in cell["metadata"].get("tags", []):
            params = cell
            cell["source"] = "".join(line.split("#")[0].rstrip() + ("\n" if line.endswith("\n") else "")
                                     for line in cell["source"].splitlines(keepends=True))
    assert params is not None
    _api(base, token, path, "PUT", {"type": "notebook", "format": "json", "content": nb})
    assert (root / path).read_bytes() == before
    # a real edit survives, with the template's comment restored
    first = params["source"].splitlines()[0]
    edited = first.rsplit("=", 1)[0] + '= "edited"'
    params["source"] = "\n".join([edited] + params["source"].splitlines()[1:])
    _api(base, token, path, "PUT", {"type": "notebook", "format": "json", "content": nb})
    import json

    saved = json.loads((root / path).read_text(encoding="utf-8"))
    cell = next(c for c in saved["cells"] if "parameters" in c["metadata"].get("tags", []))
    line = "".join(cell["source"]).splitlines()[0]
    assert '"edited"' in line and "  # " in line
    assert all(c.get("outputs", []) == [] for c in saved["cells"])


def test_key_figures_and_tables_carry_their_layout_for_lab(sheet, monkeypatch):
    """Lab loads no report.css: the key figures are a row (flex) and table cells align by kind (text left,
    numbers right) with inline styles, as in the HTML report."""
    from village_stats.display import views

    shown: list[str] = []
    monkeypatch.setattr(views, "_html", shown.append)
    views.show_key_figures(sheet, "zh")
    views.show_table(views.indicator_table(sheet, ["households_total", "poverty_incidence"], "zh"), "表")
    box, table = shown
    assert "display:flex" in box and "white-space:nowrap" in box
    assert '<td style="text-align:left">农业户数</td>' in table
    assert 'style="text-align:right' in table and "176 户" in table
