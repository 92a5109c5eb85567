"""Issue 18, classes 5 and 6: the normal data of 2026 and figures that cannot go stale.

Class 5 — valid data that crashed or was misread: a register with no poor household, one household, only a
header, a village with no population; an unfilled new period (``new-period`` as the README shows) that broke
later reports, trends and ``latest``; a village declaring another county; policy values of 0; formulas
without a saved value, identity numbers stored as numbers, .xls/.xlsm periods, hidden sheets, a trailing
full-width space in a township, household ids that lost their leading zeros. Each test here failed on main at
d38ab13 (the note in the branch's report says how).

Class 6 — stale and unverifiable figures: the roll-up follows a change of a policy table at once (no cache),
and the manifest lists every file a report read, the previous periods' included.
"""

from __future__ import annotations

import csv
import math
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from village_stats.cli import main
from village_stats.errors import DataError
from village_stats.evaluate import evaluate
from village_stats.indicators import values
from village_stats.load import Source, list_periods
from village_stats.request import Request

from .conftest import DATA, with_policy


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def village(root: Path, vid: str, periods=(), base: str = "demo", **yaml) -> Path:
    """A village ``vid`` in ``root``: ``base``'s village.yaml (id and the ``yaml`` keys replaced) and periods."""
    folder = root / vid
    folder.mkdir(parents=True)
    text = (DATA / base / "village.yaml").read_text(encoding="utf-8").replace(f"id: {base}", f"id: {vid}")
    for key, value in yaml.items():
        text = re.sub(rf"(?m)^{key}: .*$", f'{key}: "{value}"', text)
    (folder / "village.yaml").write_text(text, encoding="utf-8")
    for p in periods:
        shutil.copytree(DATA / base / p, folder / p)
    return folder


def rewrite(path: Path, change) -> None:
    """Rewrite a CSV file: ``change(rows)`` gets and returns the rows, header first."""
    rows = list(csv.reader(path.open(encoding="utf-8-sig", newline="")))
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(change(rows))


def population(path: Path, **measures) -> None:
    rewrite(path, lambda rows: [["measure", "value"], *[[k, str(v)] for k, v in measures.items()]])


def text_of(obj) -> str:
    return " ".join(str(x) for x in obj)


# =========================================================================== class 5: valid data reports

@pytest.fixture(scope="module")
def small_registers(tmp_path_factory) -> Path:
    """Villages of 2018H2 (demo's register, 150 households) cut down to what 2026 brings:

    - ``nopoor``: every poor household exited in 2018 (status exited/non_poor only);
    - ``one``: the register's first household alone (non-poor, 4 members);
    - ``header``: the register's header only, and a population of 0;
    - ``zeropop``: no register, every head count 0.
    """
    root = with_policy(tmp_path_factory.mktemp("small"))

    def exit_all(rows):
        s, y = rows[0].index("status"), rows[0].index("exit_year")
        for r in rows[1:]:
            if r[s] in ("poor", "returned"):
                r[s], r[y] = "exited", "2018"
        return rows

    d = village(root, "nopoor", ["2018H2"])
    rewrite(d / "2018H2" / "households.csv", exit_all)
    population(d / "2018H2" / "population.csv", households_total=150, population_total=455, poor_households=0,
               poor_population=0)
    d = village(root, "one", ["2018H2"])
    rewrite(d / "2018H2" / "households.csv", lambda rows: rows[:2])
    population(d / "2018H2" / "population.csv", households_total=1, population_total=4, poor_households=0,
               poor_population=0)
    d = village(root, "header", ["2018H2"])
    rewrite(d / "2018H2" / "households.csv", lambda rows: rows[:1])
    zero = dict(households_total=0, population_total=0, poor_households=0, poor_population=0)
    population(d / "2018H2" / "population.csv", **zero)
    d = village(root, "zeropop", ["2018H2"])
    (d / "2018H2" / "households.csv").unlink()
    population(d / "2018H2" / "population.csv", **zero)
    return root


@pytest.mark.parametrize("vid", ["nopoor", "one", "header", "zeropop"])
def test_small_registers_evaluate_draw_and_summarise(small_registers, vid):
    """Evaluated, charted and summarised without an exception, a NaN axis or a 'nan' in the text (on d38ab13
    the header-only register raised KeyError 'contribution_income' and a village of 0 persons drew its
    incidence with NaN limits: "Axis limits cannot be NaN or Inf")."""
    import warnings

    from village_stats.display import plotting
    from village_stats.display.summary import key_figures, summary_text

    data = Source(small_registers).period(vid, "2018H2")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no 'invalid value in divide', no empty legend, no identical limits
        results = evaluate(data)
        sheet = results.sheet
        figures = [plotting.incidence_chart(sheet), plotting.household_chart(sheet)]
        if data.has("households"):
            hh = data.table("households")
            figures += [plotting.income_chart(hh, data.poverty_line.poverty_line_yuan), plotting.mpi_chart(sheet),
                        plotting.causes_chart(hh)]
        for fig in figures:
            if fig is not None:
                fig.canvas.draw()  # limits are checked when drawn
                for ax in fig.axes:
                    assert all(math.isfinite(x) for x in (*ax.get_xlim(), *ax.get_ylim()))
        text = summary_text(sheet, data.period) + text_of(i["value"] + i["note"] for i in key_figures(sheet))
    assert not re.search(r"(?<![A-Za-z])(nan|inf)(?![A-Za-z])", text, re.I), text
    v = values(sheet)
    if vid in ("header", "zeropop"):  # nothing to measure: unknown, never 0 % nor a claim about exit
        assert math.isnan(v["poverty_incidence"]) and "已达到" not in text and "—" in text
        assert figures[0] is None and figures[1] is None
    if vid == "header":
        assert math.isnan(v["mpi_h"]) and math.isnan(v["mpi_contribution_income"])
    if vid == "nopoor":
        assert v["poor_households"] == 0 and v["poverty_incidence"] == 0
    if vid == "one":
        assert v["households_total"] == 1 and v["population_total"] == 4


def test_a_county_of_small_villages_never_calls_a_village_of_nobody_exit_ready(small_registers):
    """On d38ab13 the county report said "4个村已低于退出标准" and 可退出 是 for the villages of 0 persons."""
    from village_stats.display.county import summary_text, villages_table
    from village_stats.panel.county import county_report
    from village_stats.panel.rollup import village_overview

    report = county_report(Source(small_registers), "2018H2")
    overview = village_overview(report.village_sheet, report.county)
    ready = overview["exit_ready"].to_dict()
    assert ready["nopoor"] == 1 and ready["one"] == 1
    assert math.isnan(ready["header"]) and math.isnan(ready["zeropop"])
    assert sorted(villages_table(overview, "zh")["可退出"]) == ["—", "—", "是", "是"]
    assert "2个村已低于退出标准" in summary_text(report.county_sheet, overview, report.county, "zh")


@pytest.mark.notebook
def test_a_village_without_households_gets_its_report(small_registers, tmp_path):
    """The period report of a village of 0 persons with a header-only register (the two causes of crashes
    inside the kernel on d38ab13): exit 0, a dash where there is nothing, no 'nan' printed."""
    out = tmp_path / "out"
    r = run("run", "--village", "header", "--period", "2018H2", "--data-dir", small_registers, "--output-dir", out,
            "--formats", "html")
    assert r.exit_code == 0, r.output
    page = (out / "header" / "2018H2" / "report.html").read_text(encoding="utf-8")
    words = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|img)[^>]*>.*?(</style>|>)", " ", page, flags=re.S))
    assert not re.search(r"(?<![A-Za-z])nan(?![A-Za-z])", words)
    assert "无法与退出标准" in words and "已达到贫困村退出" not in words


# ----------------------------------------------------------------------------- an unfilled new period

@pytest.fixture()
def templates(tmp_path) -> Path:
    """demo with 2018H2 and 2021H1, plus two blank templates made as the README shows: 2019H1 (CSV folder,
    between them) and 2021H2 (workbook, the newest)."""
    root = with_policy(tmp_path / "data")
    village(root, "demo", ["2018H1", "2018H2", "2021H1"])
    for period, form in (("2019H1", "csv"), ("2021H2", "xlsx")):
        r = run("new-period", "--village", "demo", "--period", period, "--as", form, "--data-dir", root)
        assert r.exit_code == 0, r.output
    return root


def test_unfilled_period_is_reported_never_loaded(templates):
    """On d38ab13 `latest` picked the blank 2021H2, the report of 2021H1 failed on the blank 2019H1 in its
    history, and the trend stopped at it; now each says 'unfilled' and leaves it out."""
    from village_stats.load import MISSING, OK, UNFILLED
    from village_stats.panel.trend import load_panel

    source = Source(templates)
    assert [p.code for p in list_periods(templates, "demo")] == ["2018H1", "2018H2", "2019H1", "2021H1", "2021H2"]
    assert [source.status("demo", p) for p in ("2018H2", "2019H1", "2021H1", "2021H2", "2022H1")] == \
        [OK, UNFILLED, OK, UNFILLED, MISSING]
    assert [p.code for p in source.periods("demo")] == ["2018H1", "2018H2", "2021H1"]
    assert source.resolve("latest", "demo").code == "2021H1"
    assert source.resolve_any("latest").code == "2021H1"
    data = source.period("demo", "2021H1")
    assert [d.period.code for d in source.earlier(data)] == ["2018H1", "2018H2"]
    assert [d.period.code for d in load_panel(source, "demo")] == ["2018H1", "2018H2", "2021H1"]
    with pytest.raises(DataError, match="unfilled template") as info:
        source.period("demo", "2021H2")
    assert "空白模板" in info.value.localized("zh")
    # the command line: latest is the newest period with data; validate lists the templates as unfilled
    r = run("indicators", "--village", "demo", "--period", "latest", "--data-dir", templates, "--format", "csv")
    assert r.exit_code == 0 and ",2021H1," in r.output
    r = run("validate", "--data-dir", templates)
    assert r.exit_code == 0, r.output
    assert "UNFILLED  demo 2019H1" in r.output and "UNFILLED  demo 2021H2" in r.output
    assert "ok   demo 2021H1" in r.output
    r = run("periods", "--village", "demo", "--data-dir", templates)
    assert [line.endswith("UNFILLED") for line in r.output.splitlines()] == [False, False, True, False, True]
    # new-period carries over from the newest period with data, never from a template
    r = run("new-period", "--village", "demo", "--period", "2022H1", "--data-dir", templates)
    assert r.exit_code == 0 and "carried over from 2021H1" in r.output


def test_a_period_with_one_value_entered_is_checked_as_data(templates):
    """Not unfilled once anything is entered: then it is bad input naming its first empty cell."""
    from village_stats.load import OK

    path = templates / "demo" / "2019H1" / "population.csv"
    rows = list(csv.reader(path.open(encoding="utf-8-sig", newline="")))
    rows[1][1] = "150"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    source = Source(templates)
    assert source.status("demo", "2019H1") == OK
    with pytest.raises(DataError, match=r"households\.csv, row 2, .*a value is required"):
        source.period("demo", "2019H1")


# ----------------------------------------------------------------------------- counties and policy values

def test_a_village_declaring_another_county_is_one_line_before_any_kernel(tmp_path):
    """On d38ab13 the county report passed its check and crashed in the kernel on the tie-out, and `rollup`
    exited 1 with 'roll-up does not tie out'; now the village.yaml is named before anything runs."""
    from village_stats.run.kinds import prepare_county

    root = with_policy(tmp_path / "data")
    for vid in ("a", "b", "c"):
        village(root, vid, ["2018H2"], **({"county_zh": "别的县"} if vid == "b" else {}))
    r = run("rollup", "--period", "2018H2", "--by", "county", "--data-dir", root)
    assert r.exit_code == 2 and r.stderr.count("\n") == 1
    assert "b/village.yaml" in r.stderr and "county_zh '别的县'" in r.stderr and "2 villages in '示例县'" in r.stderr
    with pytest.raises(DataError, match="village.yaml"):
        prepare_county(Request.build("county", data_dir=root, period="2018H2"))


def test_a_trailing_full_width_space_is_not_a_new_township(tmp_path):
    from village_stats.panel.county import load_county
    from village_stats.panel.rollup import rollup

    root = with_policy(tmp_path / "data")
    village(root, "a", ["2018H2"])
    village(root, "b", ["2018H2"], township_zh="示例乡\u3000")
    sheet = rollup(load_county(Source(root), "2018H2"), "township")
    assert set(sheet["group_id"]) == {"示例乡"}
    assert sheet.loc[sheet["indicator"] == "households_total", "value"].tolist() == [300.0]


@pytest.mark.parametrize(("table", "line", "replace", "row"), [
    ("poverty_lines", "national,2018,2995", "national,2018,0", 9),
    ("exit_thresholds", "central,0.02", "central,0", 3),
    ("monitoring_thresholds", "national,2022,6300", "national,2022,0", 3),
    ("evaluation_thresholds", "satisfaction_rate,>=,0.9", "satisfaction_rate,>=,0", 4),
    ("monitoring_rules", "national,monitored_share_expected,0.05", "national,monitored_share_expected,5", 2),
])
def test_an_odd_policy_value_is_one_line_naming_its_file_and_row(tmp_path, table, line, replace, row):
    """On d38ab13 a poverty line of 0 was 'unexpected failure (ValueError)' and the others passed (an exit
    threshold of 0 even made every village 'not ready'); each now names the policy file, row and column."""
    root = with_policy(tmp_path / "data")
    village(root, "demo", ["2021H2", "2022H1", "2022H2"] if table != "poverty_lines" else ["2018H2"])
    path = root / "policy" / f"{table}.csv"
    text = path.read_text(encoding="utf-8")
    assert line in text
    path.write_text(text.replace(line, replace), encoding="utf-8")
    period = "2018H2" if table == "poverty_lines" else "2022H2"
    with pytest.raises(DataError) as info:
        evaluate(Source(root).period("demo", period))
    assert info.value.path == str(path) and info.value.row == row
    r = run("indicators", "--village", "demo", "--period", period, "--data-dir", root)
    assert r.exit_code == 2 and f"{table}.csv, row {row}" in r.stderr and r.stderr.count("\n") == 1


# ----------------------------------------------------------------------------- no silent misread

def workbook_of(folder: Path, target: Path, change=None, numbers=()) -> Path:
    """A period workbook holding the CSV files of ``folder`` (one sheet each); columns in ``numbers`` of the
    register stored as numbers; ``change(book)`` edits it before saving."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for f in sorted(folder.glob("*.csv")):
        ws = book.create_sheet(f.stem)
        for i, row in enumerate(csv.reader(f.open(encoding="utf-8-sig", newline=""))):
            if i and f.stem == "households":
                header = ws[1]
                row = [int(v) if header[j].value in numbers and v.isdigit() else v for j, v in enumerate(row)]
            ws.append(row)
    if change is not None:
        change(book)
    book.save(target)
    return target


def test_formula_without_a_saved_value_is_an_error_naming_the_cell(tmp_path):
    """openpyxl saves a formula without its result; on d38ab13 the cell read as empty ('a value is
    required')."""
    root = with_policy(tmp_path / "data")
    d = village(root, "demo")

    def formula(book):
        book["population"]["B2"] = "=100+50"

    workbook_of(DATA / "demo" / "2018H2", d / "2018H2.xlsx", formula)
    with pytest.raises(DataError, match="formula without a saved value") as info:
        Source(root).period("demo", "2018H2")
    assert (info.value.sheet, info.value.cell) == ("population", "B2")
    assert "公式没有保存计算结果" in info.value.localized("zh")


def test_identity_numbers_stored_as_numbers_are_one_error(tmp_path):
    """On d38ab13: 134 check-digit findings and no error; now one error at the first such cell, value not
    quoted."""
    root = with_policy(tmp_path / "data")
    d = village(root, "demo")
    workbook_of(DATA / "demo" / "2018H2", d / "2018H2.xlsx", numbers=("id_number",))
    with pytest.raises(DataError, match="identity numbers stored as numbers") as info:
        Source(root).period("demo", "2018H2")
    assert (info.value.sheet, info.value.cell) == ("households", "C2")
    assert not re.search(r"\d{15}", str(info.value))
    # the same numbers saved from Excel to CSV come out in scientific notation
    village(root, "csv", ["2018H2"])
    register = root / "csv" / "2018H2" / "households.csv"
    rewrite(register, lambda rows: [rows[0]] + [r[:2] + ["9.90000E+17"] + r[3:] for r in rows[1:]])
    with pytest.raises(DataError, match="identity numbers stored as numbers") as info:
        Source(root).period("csv", "2018H2")
    assert info.value.row == 2 and info.value.column == "id_number"


@pytest.mark.parametrize("suffix", [".xlsm", ".xls"])
def test_a_period_saved_in_another_format_is_an_error_not_skipped(tmp_path, suffix):
    """On d38ab13 2018H2.xlsm was skipped and `latest` said 2018H1."""
    root = with_policy(tmp_path / "data")
    d = village(root, "demo", ["2018H1"])
    workbook_of(DATA / "demo" / "2018H2", d / f"2018H2{suffix}")
    with pytest.raises(DataError, match=f"saved as {suffix}"):
        Source(root).resolve("latest", "demo")
    r = run("run", "--village", "demo", "--period", "latest", "--data-dir", root, "--output-dir", tmp_path / "o")
    assert r.exit_code == 2 and f"2018H2{suffix}" in r.stderr and not (tmp_path / "o").exists()


def test_a_hidden_sheet_is_an_error_not_data(tmp_path):
    root = with_policy(tmp_path / "data")
    d = village(root, "demo")

    def hide(book):
        ws = book.create_sheet("projects")
        ws.append(["project_id", "name_zh", "category", "status", "investment_yuan"])
        ws.append(["road", "道路", "infrastructure", "completed", 1000])
        ws.sheet_state = "hidden"

    workbook_of(DATA / "demo" / "2018H2", d / "2018H2.xlsx", hide)
    with pytest.raises(DataError, match="this sheet is hidden") as info:
        Source(root).period("demo", "2018H2")
    assert info.value.sheet == "projects"


def test_household_ids_that_lost_their_leading_zeros_are_an_error(tmp_path):
    """On d38ab13 all 150 households of 2022H2 were 'removed' and 'new' at once, without a word."""
    root = with_policy(tmp_path / "data")
    d = village(root, "demo", ["2022H1", "2022H2"])
    for name in ("households.csv", "evaluation_sample.csv"):
        rewrite(d / "2022H2" / name, lambda rows: [rows[0]] + [[str(int(r[0])), *r[1:]] for r in rows[1:]])
    with pytest.raises(DataError, match="150 household ids equal those of period 2022H1 only without their "
                                        "leading zeros") as info:
        Source(root).period("demo", "2022H2")
    assert info.value.path == str(d / "2022H2" / "households.csv")
    r = run("diff", "--village", "demo", "--from", "2022H1", "--to", "2022H2", "--data-dir", root)
    assert r.exit_code == 2 and "2022H2/households.csv" in r.stderr
    # ids renumbered for real (no pair equal once zeros are dropped) are households that came and went
    from village_stats.load import check_household_ids

    source = Source(DATA)
    check_household_ids(source.period("demo", "2017H1"), source.period("demo", "2017H2"))


# =========================================================================== class 6: nothing stale

def test_rollup_follows_a_policy_change_at_once(tmp_path):
    """Raising the monitoring threshold to 30,000: the roll-up says 30,000 and 117 candidates (on ca4da87 its
    sheet cache still said 6,300 and 4; the cache is gone since 1ddf2a8 and must not come back)."""
    from village_stats.panel.county import load_county
    from village_stats.panel.rollup import rollup

    root = with_policy(tmp_path / "data")
    village(root, "demo", ["2022H1", "2022H2"])

    def county_values():
        sheet = rollup(load_county(Source(root), "2022H2"), "county").set_index("indicator")["value"]
        return sheet["monitoring_threshold_yuan"], sheet["monitoring_candidates"]

    assert county_values() == (6300.0, 4.0)
    path = root / "policy" / "monitoring_thresholds.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("national,2022,6300", "national,2022,30000"),
                    encoding="utf-8")
    assert county_values() == (30000.0, 117.0)


def test_manifest_inputs_are_every_file_read_previous_periods_included():
    """The inputs of a period report's manifest: the period, its previous period (monitoring), the earlier
    periods of its history, village.yaml and the policy tables it applied, and nothing else."""
    from village_stats.run.kinds import prepare_period, prepare_trends

    prepared = prepare_period(Request.build("period", data_dir=DATA, village="demo", period="2022H2"))
    expected = {f"demo/{p}/{t}.csv" for p in ("2017H1", "2017H2", "2018H1", "2018H2", "2021H1", "2021H2",
                                                 "2022H1") for t in ("households", "population")}
    expected |= {f"demo/2022H2/{t}.csv" for t in ("households", "population", "evaluation_sample")}
    # every policy table but the rural income, which only a period with the 2026 fields applies
    expected |= {"demo/village.yaml"} | {f"policy/{p.name}" for p in (DATA / "policy").glob("*.csv")
                                        if p.name != "rural_income.csv"}
    assert set(prepared.inputs) == expected
    source = Source(DATA)
    data = source.period("demo", "2022H2")
    assert data.previous is not None and data.previous.period.code == "2022H1"
    for d in [data, data.previous, *source.earlier(data)]:
        assert {p.relative_to(DATA).as_posix() for p in d.sources} <= set(prepared.inputs)
    trends = prepare_trends(Request.build("trends", data_dir=DATA, village="demo", from_period="2021H1",
                                          to_period="2022H2"))
    assert {k for k in trends.inputs if k.startswith("demo/20")} == {
        f"demo/{p}/{t}" for p in ("2021H1", "2021H2", "2022H1", "2022H2")
        for t in ("households.csv", "population.csv")} | {"demo/2022H2/evaluation_sample.csv"}

