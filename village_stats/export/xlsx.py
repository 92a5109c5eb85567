"""``indicators.xlsx``: the indicator sheet and the report's tables as a workbook for the bureau.

Sheets (Chinese names; English with ``lang="en"``): 汇总 (every indicator: label, value, unit, 万元,
计算依据 numerator and denominator, indicator id), then one per report table the period has: 项目,
项目产出, 种植结构调整, 帮扶工作记录, and with a household register 建档立卡指标, 登记册核对, 整改清单
(audit findings by household id) and 脱贫核查 (the exit lists by household id). Households appear by
``household_id`` only; names and identity numbers never reach this module (the loader drops them).

Every sheet: header in row 1, frozen, with an autofilter; columns as wide as their text; A4, fit to
one page wide, the header row repeated, the village and period in the page header and 第 N 页 / 共 M 页
in the footer; the print area is the table. Values stay numbers, formatted by unit:

=========================================  ==============  =====================
unit                                       number format   e.g.
=========================================  ==============  =====================
ratio                                      ``0.0%``        47.8%
households, persons, visits, meetings ...  ``#,##0``       196
yuan, yuan per person (per year)           ``#,##0.00``    3,097,200.00
mu, ha                                     ``#,##0.00``    390.00
persons per household                      ``0.00``        2.33
index                                      ``0.0000``      0.1234
=========================================  ==============  =====================

万元 rule: an amount in yuan is always written in 元 (the value the sheet computes, so sums and checks
in Excel stay exact); when it is at least 10,000 元 the 万元 column beside it shows value / 10,000
with ``#,##0.00`` (3,097,200 元 → 309.72 万元), the unit Chinese reports use for such amounts. Smaller
amounts and per-person amounts leave the 万元 column empty.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from ..indicators import CATALOGUE
from ..labels import display_names, t
from ..load import PeriodData
from ..schema import ACTIVITIES, POPULATION_MEASURES, PROJECT_CATEGORIES, PROJECT_STATUSES
from ..units import UNITS
from ..workbook import CellWriter, Styles, column_width, new_workbook, write_cell

#: Number format of each unit of the catalogue (declared in :data:`village_stats.units.UNITS`).
NUMBER_FORMATS: dict[str, str] = {u.id: u.xlsx_format for u in UNITS.values()}
#: Amounts at or above this many yuan also get the 万元 column. [yuan]
WAN_FROM_YUAN = 10_000.0
WAN_FORMAT = "#,##0.00"

_WORDS: dict[str, tuple[str, str]] = {
    "summary": ("汇总", "Summary"),
    "projects": ("项目", "Projects"),
    "project_outputs": ("项目产出", "Project outputs"),
    "crops": ("种植结构调整", "Crops"),
    "work_log": ("帮扶工作记录", "Work log"),
    "register": ("建档立卡指标", "Register measures"),
    "reconciliation": ("登记册核对", "Reconciliation"),
    "audit": ("整改清单", "Audit findings"),
    "exit": ("脱贫核查", "Exit lists"),
    "unit": ("单位", "Unit"),
    "village_id": ("村", "Village"),
    "period": ("期间", "Period"),
    "numerator": ("计算依据：分子", "Basis: numerator"),
    "denominator": ("计算依据：分母", "Basis: denominator"),
    "indicator_id": ("指标编号", "Indicator id"),
    "project_id": ("项目编号", "Project id"),
    "date_from": ("开始日期", "From"),
    "date_to": ("结束日期", "To"),
    "rule_id": ("规则编号", "Rule id"),
    "list": ("名单", "List"),
    "exit_eligible": ("符合脱贫条件的贫困户", "Poor households meeting the exit test"),
    "exited_failing": ("脱贫户未达标（收入或两不愁三保障）", "Exited households failing the exit test"),
}


def _w(key: str, lang: str) -> str:
    return _WORDS[key][0 if lang == "zh" else 1]


def _unit_label(unit: str, lang: str) -> str:
    return UNITS[unit].name(lang) if unit in UNITS else ""


def wan_yuan(value: float) -> float:
    """The 万元 figure shown beside an amount in yuan: value / 10,000 when value ≥ 10,000, else NaN.

    Parameters
    ----------
    value : float
        An amount. [yuan]

    Returns
    -------
    float
        value / 10,000 [10,000 yuan], or NaN below :data:`WAN_FROM_YUAN` and for unknown amounts.

    Examples
    --------
    >>> wan_yuan(3097200), wan_yuan(9999.0), wan_yuan(float("nan"))
    (309.72, nan, nan)
    """
    return value / 10_000.0 if value >= WAN_FROM_YUAN else float("nan")


def _part_format(v: float) -> str:
    return "#,##0" if not math.isfinite(v) or float(v).is_integer() else "#,##0.00##"


# --------------------------------------------------------------------------- one sheet

class _Column:
    """A column of an output sheet: header, values, and each value's number format."""

    def __init__(self, header: str, values: list, fmt: str | Callable[[int], str | None] | None = None):
        self.header, self.values, self.fmt = header, values, fmt

    def format_of(self, i: int) -> str | None:
        return self.fmt(i) if callable(self.fmt) else self.fmt


def _write_sheet(book, styles: Styles, name: str, columns: list[_Column], page_header: str, lang: str) -> None:
    ws = book.add_worksheet(name[:31])
    head = {"bold": True, "text_wrap": True, "valign": "vcenter", "bg_color": "#DDEBF7", "border": 1}
    n = max((len(c.values) for c in columns), default=0)
    writers: dict[str | None, CellWriter] = {}
    for j, col in enumerate(columns):
        write_cell(ws, 0, j, col.header, styles, **head)
        for i, v in enumerate(col.values):
            fmt = col.format_of(i)
            if fmt not in writers:
                writers[fmt] = CellWriter(styles, **({"num_format": fmt} if fmt else {}))
            writers[fmt](ws, i + 1, j, v)
        ws.set_column(j, j, column_width(col.header, col.values))
    last_row, last_col = max(n, 1), len(columns) - 1
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, last_row, last_col)
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)  # one page wide, as many long as needed
    ws.repeat_rows(0)
    ws.print_area(0, 0, last_row, last_col)
    ws.set_header(f"&C{_escape_header(page_header)}")
    ws.set_footer("&C第 &P 页 / 共 &N 页" if lang == "zh" else "&CPage &P of &N")
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)


def _escape_header(text: str) -> str:
    """Page-header text: ``&`` starts a control code in Excel headers, so it is doubled."""
    return text.replace("&", "&&")


# --------------------------------------------------------------------------- the sheets

def _indicator_columns(sheet: pd.DataFrame, lang: str) -> list[_Column]:
    units = list(sheet["unit"])
    values = [float(v) for v in sheet["value"]]
    label = "label_zh" if lang == "zh" else "label_en"
    num, den = [float(v) for v in sheet["numerator"]], [float(v) for v in sheet["denominator"]]
    wan = [wan_yuan(v) if u == "yuan" else float("nan") for v, u in zip(values, units)]
    keys = [_Column(_w(k, lang), list(sheet[k])) for k in ("village_id", "period")
            if k in sheet and sheet[k].nunique() > 1]  # a stacked sheet of several villages or periods
    return keys + [
        _Column(t("indicator", lang), list(sheet[label])),
        _Column(t("value", lang), values, lambda i: NUMBER_FORMATS.get(units[i], "General")),
        _Column(_w("unit", lang), [_unit_label(u, lang) for u in units]),
        _Column(t("wan_yuan", lang), wan, WAN_FORMAT),
        _Column(_w("numerator", lang), num, lambda i: _part_format(num[i])),
        _Column(_w("denominator", lang), den, lambda i: _part_format(den[i])),
        _Column(_w("indicator_id", lang), list(sheet["indicator"])),
    ]


def _projects_columns(data: PeriodData, lang: str) -> list[_Column]:
    p = data.table("projects")
    inv = [float(v) for v in p["investment_yuan"]]
    return [
        _Column(_w("project_id", lang), list(p["project_id"])),
        _Column(t("project", lang), display_names(p, lang)),
        _Column(t("category", lang), [PROJECT_CATEGORIES.label(c, lang) for c in p["category"]]),
        _Column(t("status", lang), [PROJECT_STATUSES.label(s, lang) for s in p["status"]]),
        _Column(t("investment", lang), inv, NUMBER_FORMATS["yuan"]),
        _Column(t("wan_yuan", lang), [wan_yuan(v) for v in inv], WAN_FORMAT),
        _Column(t("note", lang), list(p["note"]) if "note" in p else [None] * len(p)),
    ]


def _outputs_columns(data: PeriodData, lang: str) -> list[_Column]:
    o, p = data.table("project_outputs"), data.table("projects")
    names = dict(zip(p["project_id"], display_names(p, lang)))
    return [
        _Column(t("project", lang), [names.get(pid, pid) for pid in o["project_id"]]),
        _Column(t("output", lang), list(o["output"])),
        _Column(t("quantity", lang), [float(q) for q in o["quantity"]], "#,##0.##########;-#,##0.##########;0"),
        _Column(t("unit", lang), list(o["unit"])),
    ]


def _crops_columns(data: PeriodData, lang: str) -> list[_Column]:
    from ..measures import crops

    c = data.table("crops")
    target = [float(v) for v in c["target_new_area_mu"]]
    done = [float(v) for v in c["achieved_new_area_mu"]] if "achieved_new_area_mu" in c else [math.nan] * len(c)
    names = display_names(c, lang) + [t("total", lang)]
    target.append(crops.target_new_area_mu(c))
    done.append(crops.achieved_new_area_mu(c))
    return [
        _Column(t("crop_group", lang), names),
        _Column(t("target_mu", lang), target, NUMBER_FORMATS["mu"]),
        _Column(t("achieved_mu", lang), done, NUMBER_FORMATS["mu"]),
        _Column(t("share", lang), [crops.achievement_share(a, b) for a, b in zip(done, target)], "0.0%"),
    ]


def _work_columns(data: PeriodData, lang: str) -> list[_Column]:
    log = data.table("work_log")
    n = len(log)
    return [
        _Column(t("activity", lang), [ACTIVITIES.label(a, lang) for a in log["activity"]]),
        _Column(t("count", lang), [float(v) for v in log["count"]], "#,##0"),
        _Column(t("unit", lang), list(log["unit"]) if "unit" in log else [None] * n),
        _Column(_w("date_from", lang), list(log["date_from"]) if "date_from" in log else [None] * n),
        _Column(_w("date_to", lang), list(log["date_to"]) if "date_to" in log else [None] * n),
    ]


def _reconciliation_columns(data: PeriodData, lang: str) -> list[_Column]:
    from ..measures.register import reconcile

    r = reconcile(data.table("households"), data.measures())
    diff = [float(d) if ok else math.nan for d, ok in zip(r["difference"], r["comparable"])]
    return [
        _Column(t("measure", lang), [POPULATION_MEASURES.label(m, lang) for m in r.index]),
        _Column(t("reported", lang), [float(v) for v in r["reported"]], "#,##0"),
        _Column(t("derived", lang), [float(v) for v in r["derived"]], "#,##0"),
        _Column(t("difference", lang), diff, "+#,##0;-#,##0;0"),
    ]


def _audit_columns(data: PeriodData, lang: str) -> list[_Column]:
    from ..measures.register import AUDIT_RULES, audit

    f = audit(data.table("households"), data.poverty_line.poverty_line_yuan)
    return [
        _Column(t("household_id", lang), list(f["household_id"])),
        _Column(t("rule", lang), [AUDIT_RULES[r][0 if lang == "zh" else 1] for r in f["rule"]]),
        _Column(_w("rule_id", lang), list(f["rule"])),
    ]


def _exit_columns(data: PeriodData, lang: str) -> list[_Column]:
    from ..measures.register import exit_eligible, exited_failing_criteria

    hh, poverty_line_yuan = data.table("households"), data.poverty_line.poverty_line_yuan
    ids, lists = [], []
    for key, mask in (("exit_eligible", exit_eligible(hh, poverty_line_yuan)), ("exited_failing", exited_failing_criteria(hh, poverty_line_yuan))):
        chosen = list(hh.loc[mask.to_numpy(dtype=bool), "household_id"])
        ids += chosen
        lists += [_w(key, lang)] * len(chosen)
    return [_Column(t("household_id", lang), ids), _Column(_w("list", lang), lists)]


def write_xlsx(data: PeriodData, sheet: pd.DataFrame, path: str | Path, lang: str = "zh") -> Path:
    """Write ``indicators.xlsx`` for a village-period, whole or not at all.

    Parameters
    ----------
    data : PeriodData
        The loaded village-period (for the report tables).
    sheet : DataFrame
        Its indicator sheet (:func:`village_stats.indicators.indicator_sheet`), computed once by the caller.
    path : str or Path
        The workbook to write (replaced atomically if it exists).
    lang : {"zh", "en"}
        Language of sheet names, headers, labels and units.

    Returns
    -------
    Path
        ``path``.
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"unknown language {lang!r}: expected 'zh' or 'en'")
    path = Path(path)
    v = data.village
    page_header = f"{v.name(lang)} · {data.period.label(lang)}"
    tables: list[tuple[str, list[_Column]]] = [(_w("summary", lang), _indicator_columns(sheet, lang))]
    for name, build in (("projects", _projects_columns), ("project_outputs", _outputs_columns),
                        ("crops", _crops_columns), ("work_log", _work_columns)):
        if data.has(name):
            tables.append((_w(name, lang), build(data, lang)))
    if data.has("households"):
        register_ids = [i for i, ind in CATALOGUE.items() if ind.table == "households"]
        register = sheet[sheet["indicator"].isin(register_ids)]
        tables += [(_w("register", lang), _indicator_columns(register, lang)),
                   (_w("reconciliation", lang), _reconciliation_columns(data, lang)),
                   (_w("audit", lang), _audit_columns(data, lang)),
                   (_w("exit", lang), _exit_columns(data, lang))]
    return _write_book(path, tables, page_header, lang)


def _write_book(path: Path, tables: list[tuple[str, list[_Column]]], page_header: str, lang: str) -> Path:
    """Write the sheets to a temporary file beside ``path``, then rename it: whole or not at all."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        book = new_workbook(tmp)
        styles = Styles(book)
        book.set_properties({"title": page_header, "subject": "village_stats"})
        for name, columns in tables:
            _write_sheet(book, styles, name, columns, page_header, lang)
        book.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_tables(path: str | Path, tables: Mapping[str, pd.DataFrame], page_header: str, lang: str = "zh",
                 formats: Mapping[str, str] | None = None) -> Path:
    """Write frames as sheets in the style of ``indicators.xlsx`` (roll-ups: a sheet per level; trends: per indicator).

    Parameters
    ----------
    path : str or Path
        The workbook to write (replaced atomically if it exists).
    tables : mapping of str to DataFrame
        Sheet name (at most 31 characters) → table. A frame with the indicator sheet's columns
        (``indicator, value, unit, numerator, denominator, label_zh, label_en``) is laid out like 汇总;
        any other frame column by column under its own headers.
    page_header : str
        Printed at the top of every page, e.g. ``昔阳县 · 2017年上半年``.
    lang : {"zh", "en"}
        Language of the 汇总-style headers and of the page footer.
    formats : mapping of str to str, optional
        Column → number format, or a unit id of the catalogue (``ratio``, ``yuan`` ...). Numeric
        columns not named here get ``#,##0`` when every value is whole, else ``#,##0.00``.

    Returns
    -------
    Path
        ``path``.
    """
    formats = dict(formats or {})
    sheets: list[tuple[str, list[_Column]]] = []
    for name, frame in tables.items():
        if {"indicator", "value", "unit", "numerator", "denominator", "label_zh", "label_en"} <= set(frame.columns):
            sheets.append((name, _indicator_columns(frame, lang)))
            continue
        columns = []
        for c in frame.columns:
            col = frame[c]
            fmt = NUMBER_FORMATS.get(formats.get(c, ""), formats.get(c))
            if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
                values = [float(v) for v in col]
                whole = all(not math.isfinite(v) or v.is_integer() for v in values)
                columns.append(_Column(str(c), values, fmt or ("#,##0" if whole else "#,##0.00")))
            else:
                columns.append(_Column(str(c), list(col), fmt))
        sheets.append((name, columns))
    return _write_book(Path(path), sheets, page_header, lang)


def write(report, target: Path) -> None:
    """The run's ``indicators.xlsx`` (registry entry ``xlsx``).

    A period report: the recorded sheet and the period's input tables (:func:`write_xlsx`). A report over
    many periods or villages (trends, county): the sheet it recorded, in the same style (:func:`write_tables`).
    """
    if isinstance(report.data, PeriodData):
        write_xlsx(report.data, report.sheet, target, report.lang)
    else:
        write_tables(target, {"汇总" if report.lang == "zh" else "Summary": report.sheet}, report.title, report.lang)
