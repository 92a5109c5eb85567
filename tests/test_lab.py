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
