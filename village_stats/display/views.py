"""Labelled tables and display helpers for notebooks (JupyterLab and the papermill report).

One builder per report table (``crops_table``, ``projects_table`` …): it returns a DataFrame with headers
in the report language and raw values (numbers as numbers, NaN for unknown), marked by :func:`typed` with
each column's unit id and the table's workbook sheet. :func:`show_table` publishes it as a typed table
block of the document model (:mod:`village_stats.document`): the report prints it and ``indicators.xlsx``
writes it, so the two cannot disagree. ``show_*`` functions display blocks (and headings, text, figures)
with an HTML rendering for JupyterLab. Nothing here computes a measure, except :func:`period_tables` (the
workbook's tables when no notebook runs), which calls the register's audit and exit tests as the
notebook does.
"""

from __future__ import annotations

import datetime as dt
import html
import io as _io
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import package_versions
from ..document import BLOCK_MIME, number_text, table_view
from ..indicators import CATALOGUE, label
from ..labels import display_names, in_language, pick, place, t, unit_name, unit_text
from ..load import PeriodData
from ..manifest import file_digests
from ..measures import crops as crop_measures
from ..schema import ACTIVITIES, PROJECT_CATEGORIES, PROJECT_STATUSES, TABLES

#: MIME type of the hidden output that records the indicator sheet in an executed notebook.
SHEET_MIME = "application/vnd.village-stats.sheet+json"
#: Print resolution of charts. [dots per inch]
DPI = 200

BASIC_INDICATORS = ("households_total", "population_total", "poor_households", "poor_household_share",
                    "poor_population", "poverty_incidence", "avg_household_size", "avg_poor_household_size",
                    "wubao_households", "dibao_households", "absent_poor_households", "exit_threshold",
                    "max_poor_population_at_exit", "poverty_reduction_needed")
WORK_INDICATORS = ("contacted_poor_households", "contact_rate", "resident_contact_rate", "household_visits",
                   "meetings_total")
INVESTMENT_INDICATORS = ("projects_total", "investment_committed_yuan", "investment_planned_yuan",
                         "investment_committed_per_poor_person_yuan", "investment_industry_yuan",
                         "investment_infrastructure_yuan", "investment_living_environment_yuan",
                         "investment_public_service_yuan", "projects_without_investment")
#: Amounts at or above this many yuan also get the 万元 column (glossary: money). [yuan]
WAN_FROM_YUAN = 10_000.0


# --------------------------------------------------------------------------- typed tables

def typed(frame: pd.DataFrame, *, lang: str = "zh", units: dict | None = None, total_rows: int = 0,
          totals_only: str | None = None, group: bool = False, sheet: str | None = None, only: str | None = None,
          column_only: dict | None = None, signed=(), unknown: dict | None = None) -> pd.DataFrame:
    """Mark a labelled table with what its block needs (kept in ``frame.attrs["table"]``); returns ``frame``.

    Parameters
    ----------
    frame : DataFrame
        Headers in the report language, raw values.
    lang : {"zh", "en"}
        The report language (of the headers; JupyterLab's rendering names units in it).
    units : dict, optional
        Column → a unit id (:data:`village_stats.labels.UNIT_NAMES`) for the whole column, a list of unit
        ids (one per row) for a column that mixes units, or ``text``/``hash``/``date``. A numeric column not
        named here is a plain ``number``; any other column is text.
    total_rows : int
        The last ``total_rows`` rows are totals.
    totals_only : {"report"}, optional
        The totals are printed only (the workbook's sheet keeps the rows that add up).
    group : bool
        The first column groups consecutive equal rows (shown once).
    sheet : str, optional
        Id of the workbook sheet the table becomes (``projects`` …; named by ``sheet_<id>`` of the labels).
    only : {"workbook"}, optional
        A table of the workbook alone (not printed).
    column_only : dict, optional
        Column → ``report`` or ``workbook``: a column that one of them leaves out.
    signed : iterable of str
        Columns whose positive numbers get a ``+``.
    unknown : dict, optional
        Column → what the report prints for an unknown value (default a dash).
    """
    frame.attrs["table"] = {"lang": lang, "units": dict(units or {}), "total_rows": int(total_rows),
                            "totals_only": totals_only, "group": bool(group),
                            "sheet": sheet, "only": only, "column_only": dict(column_only or {}),
                            "signed": list(signed), "unknown": dict(unknown or {})}
    return frame


def _raw(v):
    """A cell as the document stores it: numbers as numbers, dates as ``YYYY-MM-DD``, unknown as None."""
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else float(v)
    if isinstance(v, (pd.Timestamp, dt.date)):
        return v.strftime("%Y-%m-%d")
    return str(v)


def table_block(df: pd.DataFrame, caption: str | None = None, **options) -> dict:
    """The typed table block (:mod:`village_stats.document`) of a labelled frame.

    ``options`` are those of :func:`typed` and override what the frame was marked with; ``types`` (a list,
    one per column: ``number``/``text``/``hash``/``date``) sets column types outright. A text column whose
    every cell reads as a number (a table another module formatted) is aligned as a number.
    """
    spec = {**df.attrs.get("table", {}), **{k: v for k, v in options.items() if v is not None}}
    units, column_only = spec.get("units", {}), spec.get("column_only", {})
    types = list(spec["types"]) if spec.get("types") is not None else [None] * df.shape[1]
    looks_numeric = column_types(df)
    columns = []
    for j, name in enumerate(df.columns):
        col = {"name": str(name)}
        unit = units.get(name)
        if isinstance(unit, (list, tuple)):
            if len(unit) != len(df):
                raise ValueError(f"column {name!r}: {len(unit)} units for {len(df)} rows")
            col.update(type="number", units=list(unit))
        elif unit in ("text", "hash", "date"):
            col["type"] = unit
        elif unit is not None:
            col.update(type="number", unit=unit)
        elif pd.api.types.is_numeric_dtype(df.dtypes.iloc[j]) and not pd.api.types.is_bool_dtype(df.dtypes.iloc[j]):
            col.update(type="number", unit="number")
        else:
            col["type"] = looks_numeric[j]
        if types[j] is not None:
            col["type"] = types[j]
        if name in spec.get("signed", ()):
            col["signed"] = True
        if name in spec.get("unknown", {}):
            col["unknown"] = spec["unknown"][name]
        if name in column_only:
            col["only"] = column_only[name]
        columns.append(col)
    block = {"type": "table", "caption": caption or "", "columns": columns,
             "rows": [[_raw(v) for v in row] for row in df.itertuples(index=False, name=None)],
             "total_rows": int(spec.get("total_rows", 0)), "group": bool(spec.get("group", False))}
    if spec.get("sheet"):
        block["sheet"] = spec["sheet"]
    for key in ("only", "totals_only"):
        if spec.get(key):
            block[key] = spec[key]
    return block


def indicator_table(sheet: pd.DataFrame, indicators, lang: str = "zh") -> pd.DataFrame:
    """Chosen indicators as a labelled table: label, value (each with its own unit), numerator/denominator."""
    rows = sheet.set_index("indicator")
    out, units = [], []
    for ind in indicators:
        if ind not in rows.index:
            continue
        r = rows.loc[ind]
        basis = ""
        if not (math.isnan(r["numerator"]) or math.isnan(r["denominator"])):
            basis = f"{r['numerator']:,.10g} / {r['denominator']:,.10g}"
        out.append((label(ind, lang), float(r["value"]), basis))
        units.append(r["unit"])
    frame = pd.DataFrame(out, columns=[t("indicator", lang), t("value", lang), t("basis", lang)])
    return typed(frame, lang=lang, units={t("value", lang): units})


def sheet_table(sheet: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """An indicator sheet laid out for the workbook: label, value, unit, 万元, numerator, denominator, id.

    A sheet of several villages or periods starts with their columns. The 万元 column holds value / 10,000
    for amounts in yuan of at least :data:`WAN_FROM_YUAN`, else nothing.
    """
    units = list(sheet["unit"])
    values = [float(v) for v in sheet["value"]]
    cols: dict[str, list] = {}
    for key, head in (("village_id", t("village", lang)), ("period", t("col_period", lang))):
        if key in sheet and sheet[key].nunique() > 1:  # a stacked sheet of several villages or periods
            cols[head] = list(sheet[key])
    cols[t("indicator", lang)] = list(sheet[pick(("label_zh", "label_en"), lang)])
    cols[t("value", lang)] = values
    cols[t("unit", lang)] = [unit_name(u, lang) for u in units]
    cols[unit_name("wan_yuan", lang)] = [wan_yuan(v) if u == "yuan" else math.nan for v, u in zip(values, units)]
    cols[t("numerator", lang)] = [float(v) for v in sheet["numerator"]]
    cols[t("denominator", lang)] = [float(v) for v in sheet["denominator"]]
    cols[t("indicator_id", lang)] = list(sheet["indicator"])
    return typed(pd.DataFrame(cols), lang=lang, units={t("value", lang): units, unit_name("wan_yuan", lang): "wan_yuan"})


def register_sheet_table(sheet: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The register's indicators (catalogue table ``households``) as the workbook sheet 建档立卡指标 (workbook only)."""
    register = sheet[sheet["indicator"].isin([i for i, ind in CATALOGUE.items() if ind.table == "households"])]
    frame = sheet_table(register.reset_index(drop=True), lang)
    frame.attrs["table"].update(sheet="register", only="workbook")
    return frame


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


def work_table(data: PeriodData, lang: str = "zh") -> pd.DataFrame:
    """The work log: activity, count, unit, dates (the report prints the span, the workbook both dates)."""
    log = data.table("work_log")
    n = len(log)
    start = list(log["date_from"]) if "date_from" in log else [pd.NaT] * n
    end = list(log["date_to"]) if "date_to" in log else [pd.NaT] * n
    spans = [("" if pd.isna(a) else f"{a:%Y-%m-%d}" + ("" if pd.isna(b) else f" – {b:%Y-%m-%d}"))
             for a, b in zip(start, end)]
    frame = pd.DataFrame({t("activity", lang): [ACTIVITIES.label(a, lang) for a in log["activity"]],
                          t("count", lang): [float(v) for v in log["count"]],
                          t("unit", lang): [unit_text(u, lang) for u in (log["unit"] if "unit" in log else [None] * n)],
                          t("dates", lang): spans, t("date_from", lang): start, t("date_to", lang): end})
    return typed(frame, lang=lang, units={t("date_from", lang): "date", t("date_to", lang): "date"}, sheet="work_log",
                 column_only={t("dates", lang): "report", t("date_from", lang): "workbook",
                              t("date_to", lang): "workbook"})


def crops_table(data: PeriodData, lang: str = "zh") -> pd.DataFrame:
    """Crop groups with planned and achieved new area and the achieved share, plus a total row."""
    c = data.table("crops")
    target = [float(v) for v in c["target_new_area_mu"]]
    done = [float(v) for v in c["achieved_new_area_mu"]] if "achieved_new_area_mu" in c else [math.nan] * len(c)
    target.append(crop_measures.target_new_area_mu(c))
    done.append(crop_measures.achieved_new_area_mu(c))
    frame = pd.DataFrame({t("crop_group", lang): display_names(c, lang) + [t("total", lang)],
                          t("target_mu", lang): target, t("achieved_mu", lang): done,
                          t("share", lang): [crop_measures.achievement_share(a, b) for a, b in zip(done, target)]})
    return typed(frame, lang=lang, units={t("target_mu", lang): "mu", t("achieved_mu", lang): "mu", t("share", lang): "ratio"},
                 total_rows=1, sheet="crops")


def projects_table(data: PeriodData, lang: str = "zh") -> pd.DataFrame:
    """Projects with category, status and investment in 元 and 万元, then totals: committed, planned, all known.

    Money rule (docs/glossary.md): amounts in 元 with separators, plus a 万元 column (two decimals) for
    amounts of at least 10,000 元. The project's id and note are in the workbook only; the three totals
    overlap (committed + planned = all known), so they are printed only and the sheet's column adds up.
    """
    from ..measures.arith import known_sum
    from ..measures.investment import committed_yuan, planned_yuan

    p = data.table("projects")
    n = len(p)
    invest = [float(v) for v in p["investment_yuan"]] + [committed_yuan(p), planned_yuan(p),
                                                         known_sum(p["investment_yuan"])]
    frame = pd.DataFrame({
        t("project_id", lang): list(p["project_id"]) + [None] * 3,
        # three total rows: committed and planned apart, as in the indicators and the chart
        t("project", lang): display_names(p, lang) + [t("committed", lang), t("planned", lang), t("total", lang)],
        t("category", lang): [PROJECT_CATEGORIES.label(c, lang) for c in p["category"]] + [""] * 3,
        t("status", lang): [PROJECT_STATUSES.label(s, lang) for s in p["status"]] + [""] * 3,
        t("investment", lang): invest,
        unit_name("wan_yuan", lang): [wan_yuan(v) for v in invest],
        t("note", lang): (list(p["note"]) if "note" in p else [None] * n) + [None] * 3})
    return typed(frame, lang=lang, units={t("investment", lang): "yuan", unit_name("wan_yuan", lang): "wan_yuan"},
                 total_rows=3, totals_only="report", sheet="projects", unknown={t("investment", lang): t("unknown", lang)},
                 column_only={t("project_id", lang): "workbook", t("note", lang): "workbook"})


def outputs_table(data: PeriodData, lang: str = "zh") -> pd.DataFrame:
    """Physical outputs per project, rows of one project together, in the order of the projects."""
    o = data.table("project_outputs")
    projects = data.table("projects")
    names = dict(zip(projects["project_id"], display_names(projects, lang)))
    order = {pid: i for i, pid in enumerate(projects["project_id"])}
    wording = in_language(o["output"], o["output_en"] if "output_en" in o else None, lang)
    rows = sorted(((names.get(pid, pid), out, float(q), unit_text(unit, lang), order.get(pid, len(order)))
                   for pid, out, q, unit in zip(o["project_id"], wording, o["quantity"], o["unit"])),
                  key=lambda r: r[4])
    frame = pd.DataFrame([r[:4] for r in rows],
                         columns=[t("project", lang), t("output", lang), t("quantity", lang), t("unit", lang)])
    return typed(frame, lang=lang, group=True, sheet="project_outputs")


def inputs_table(data: PeriodData, data_dir: str | Path, lang: str = "zh") -> pd.DataFrame:
    """Every input file of the period with its SHA-256 (paths relative to the data folder)."""
    root = Path(data_dir).resolve()
    rows = file_digests([Path(p).resolve() for p in data.sources], root)
    return typed(pd.DataFrame(rows, columns=[t("file", lang), t("sha256", lang)]), lang=lang, units={t("sha256", lang): "hash"})


def parameters_table(parameters: dict, lang: str = "zh") -> pd.DataFrame:
    """The run's parameters."""
    return pd.DataFrame(list(parameters.items()), columns=[t("parameter", lang), t("value", lang)])


def versions_table(lang: str = "zh") -> pd.DataFrame:
    """Python's and the main packages' versions."""
    return pd.DataFrame(list(package_versions().items()), columns=[t("package", lang), t("version", lang)])


def period_tables(data: PeriodData, sheet: pd.DataFrame, lang: str = "zh") -> list[dict]:
    """The workbook's table blocks of a village-period when no notebook runs (``village-stats indicators
    --format xlsx``): the blocks the period report publishes, from the same builders.

    Like the notebook, it calls the register's audit and exit tests; the reconciliation is read back
    from the sheet.
    """
    from ..measures import register

    frames = [build(data, lang) for key, build in (("work_log", work_table), ("crops", crops_table),
                                                   ("projects", projects_table), ("project_outputs", outputs_table))
              if data.has(key)]
    if data.has("households"):
        hh, line = data.table("households"), data.poverty_line.poverty_line_yuan
        frames += [register_sheet_table(sheet, lang),
                   exit_lists_table(data, register.exit_eligible(hh, line), register.exited_failing_criteria(hh, line),
                                    lang),
                   reconciliation_table(reconciliation_from_sheet(sheet), lang),
                   audit_table(register.audit(hh, line), lang)]
    return [table_block(f) for f in frames]


# --------------------------------------------------------------------------- display
#
# Every show_* helper publishes one block of the report with the package's MIME type (the document model
# of village_stats.document is built from those), plus text/html for JupyterLab and, for headings and
# text, text/markdown for other tools. Keyword arguments may be added; names and positions stay.


def _html(markup: str) -> None:
    """Bare HTML with no report block (not part of the document model; kept for older callers)."""
    from IPython.display import HTML, display

    display(HTML(markup))


_PLAIN_HTML = _html


def _publish(block: dict, html_text: str, markdown: str | None = None, plain: str | None = None,
             extra: dict | None = None, metadata: dict | None = None) -> None:
    from IPython.display import publish_display_data

    if _html is not _PLAIN_HTML:  # a caller replaced _html to capture what a section shows: give it the HTML
        _html(html_text)
        return

    data = {BLOCK_MIME: block, "text/html": html_text, "text/plain": plain if plain is not None else block.get("text", "")}
    if markdown is not None:
        data["text/markdown"] = markdown
    if extra:
        data.update(extra)
    publish_display_data(data, metadata=metadata or {})


def table_html(block: dict, lang: str = "zh") -> str:
    """A table block as HTML for JupyterLab (escaped; cells as :func:`village_stats.document.table_view` prints them)."""
    view = table_view(block, lang)

    num = ' class="num"'

    def cells(tag: str, texts, columns) -> str:
        return "".join(f"<{tag}{num if c['type'] == 'number' else ''}>{html.escape(x)}</{tag}>"
                       for x, c in zip(texts, columns))

    cap = f"<caption>{html.escape(block['caption'])}</caption>" if block.get("caption") else ""
    head = cells("th", [c["name"] for c in view["columns"]], view["columns"])
    body = "".join(f"<tr>{cells('td', row, view['columns'])}</tr>" for row in view["rows"])
    return f'<table class="vs-table">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def title_facts(data: PeriodData, lang: str = "zh", report_date: str = "") -> list[list[str]]:
    """The title block's facts: village, township, county, supporting unit, period, data cut-off and the
    report date when one is given (never the clock: reruns stay byte-identical)."""
    from .summary import cutoff_text

    v = data.village
    facts = [[t("fact_village", lang), v.name(lang)],
             [t("fact_township", lang), place(v.township_zh, v.township_en, lang)],
             [t("fact_county", lang), t("fact_county_value", lang, county=place(v.county_zh, v.county_en, lang),
                                        city=place(v.city_zh, v.city_en, lang),
                                        province=place(v.province_zh, v.province_en, lang))],
             [t("fact_supporter", lang), pick((v.supported_by_zh, v.supported_by_en or v.supported_by_zh), lang)],
             [t("fact_period", lang), data.period.label(lang)],
             [t("fact_cutoff", lang), cutoff_text(data.period, lang)]]
    if report_date:
        facts.append([t("fact_report_date", lang), str(report_date)])
    return facts


def show_title(data: PeriodData, lang: str = "zh", report_date: str = "") -> None:
    """Title block of the report: title, place, the facts of :func:`title_facts`, provenance note."""
    v = data.village
    show_title_block(t("title", lang, village=v.name(lang), period=data.period.label(lang)),
                     facts=title_facts(data, lang, report_date),
                     note=t("generated_note", lang, village_id=v.id, period_code=data.period.code),
                     warning=t("fictional", lang) if v.fictional else "")


def show_title_block(title: str, facts=(), note: str = "", warning: str = "") -> None:
    """A report's title block (any report: period, trends, county): title, (label, value) facts, note, warning."""
    block = {"type": "title", "title": title, "facts": [list(f) for f in facts], "note": note, "warning": warning}
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(x)}</td></tr>" for k, x in block["facts"])
    parts = [f"<h1>{html.escape(block['title'])}</h1>", f'<table class="vs-facts">{rows}</table>',
             f'<p class="vs-note">{html.escape(block["note"])}</p>']
    if block["warning"]:
        parts.append(f'<p class="vs-warning">{html.escape(block["warning"])}</p>')
    _publish(block, "\n".join(parts), markdown=f"# {block['title']}", plain=block["title"])


def show_key_figures(sheet: pd.DataFrame, lang: str = "zh", changes: dict[str, str] | None = None) -> None:
    """The key-figure box of page 1 (:func:`village_stats.display.summary.key_figures`); ``changes`` adds the
    change since the previous period to the notes."""
    from .summary import key_figures

    items = key_figures(sheet, lang, changes)
    block = {"type": "keyfigures", "items": [{k: i[k] for k in ("label", "value", "note")} for i in items]}
    cells = "".join(f'<div class="vs-kf"><div class="vs-kf-value">{html.escape(i["value"])}</div>'
                    f'<div class="vs-kf-label">{html.escape(i["label"])}</div>'
                    f'<div class="vs-kf-note">{html.escape(i["note"])}</div></div>' for i in block["items"])
    _publish(block, f'<div class="vs-keyfigures">{cells}</div>',
             markdown="\n".join(f"- **{i['label']}**: {i['value']} ({i['note']})" for i in block["items"]),
             plain="; ".join(f"{i['label']} {i['value']}" for i in block["items"]))


def show_summary(sheet: pd.DataFrame, data: PeriodData, lang: str = "zh") -> None:
    """The summary paragraph of page 1 (:func:`village_stats.display.summary.summary_text`)."""
    from .summary import summary_text

    show_text(summary_text(sheet, data.period, lang), style="summary")


def show_heading(key: str, lang: str = "zh") -> None:
    """A section heading (``sec_basic`` …) in the report language."""
    text = t(key, lang)
    _publish({"type": "heading", "level": 1, "text": text}, f"<h2>{html.escape(text)}</h2>", markdown=f"## {text}")


def fraction_text(x: float) -> str:
    """A share as the fraction people write (``1/3`` for the Alkire–Foster cut-off), else its decimal.

    >>> fraction_text(1 / 3), fraction_text(0.25), fraction_text(0.3)
    ('1/3', '1/4', '3/10')
    """
    from fractions import Fraction

    f = Fraction(x).limit_denominator(12)
    return f"{f.numerator}/{f.denominator}" if abs(float(f) - x) < 1e-9 else f"{x:g}"


def show_subheading(key: str, lang: str = "zh", **fields) -> None:
    """A sub-section heading in the report language."""
    text = t(key, lang, **fields)
    _publish({"type": "heading", "level": 2, "text": text}, f"<h3>{html.escape(text)}</h3>", markdown=f"### {text}")


def show_text(text: str, style: str = "") -> None:
    """A paragraph of text (``style``: ``summary``, ``note`` or empty)."""
    block = {"type": "paragraph", "text": text}
    if style:
        block["style"] = style
    cls = f' class="vs-{style}"' if style else ""
    _publish(block, f"<p{cls}>{html.escape(text)}</p>", markdown=text)


_NUMBER = re.compile(r"^[+\-−]?\d[\d,]*(\.\d+)?\s?(%|[^\d\s–-]{1,10})?$")
#: Cells that stand for an unknown value in a number column.
_UNKNOWN = {"", "—", t("unknown", "zh"), t("unknown", "en")}


def column_types(df: pd.DataFrame) -> list[str]:
    """``number`` for columns whose every known cell is a number (with an optional unit or %), else ``text``:
    the alignment of a table whose cells another module formatted as text.

    >>> column_types(pd.DataFrame({"a": ["1,200", "47.8%", "—"], "b": ["x", "3", "4"], "c": ["2.33 人/户", "未知", ""],
    ...                            "d": ["53 / 86", "1", "2"]}))
    ['number', 'text', 'number', 'text']
    """
    out = []
    for col in df.columns:
        cells = [str(x) for x in df[col] if pd.notna(x) and str(x) not in _UNKNOWN]
        out.append("number" if cells and all(_NUMBER.match(c) for c in cells) else "text")
    return out


def show_table(df: pd.DataFrame, caption: str | None = None, *, units=None, types=None, total_rows: int | None = None,
               group: bool | None = None, sheet: str | None = None, only: str | None = None) -> None:
    """A labelled table as a typed table block: printed in the report, written to the workbook when it has a sheet.

    Parameters
    ----------
    df : DataFrame
        Headers in the report language, raw values (a builder's frame, marked by :func:`typed`); a frame of
        text that another module formatted is shown as it is.
    caption : str, optional
        Caption; captioned tables are numbered (表 1 …).
    units : dict, optional
        Column → unit id (or one unit id per row), as in :func:`typed`; adds to the frame's own.
    types : list, optional
        Per column ``text``/``number``/``hash``/``date``.
    total_rows, group, sheet, only
        As in :func:`typed`; given here, they override the frame's own.
    """
    if df.empty:
        if not only:
            show_text("—")
        return
    spec = df.attrs.get("table", {})
    block = table_block(df, caption, units={**spec.get("units", {}), **(units or {})}, types=types,
                        total_rows=total_rows, group=group, sheet=sheet, only=only)
    if block.get("only") == "workbook":
        _publish(block, "", plain=caption or "<table>")
        return
    _publish(block, table_html(block, spec.get("lang", "zh")), plain=caption or "<table>")


def figure_png(fig) -> bytes:
    """A figure as an RGB PNG at :data:`DPI`, with no metadata (reproducible bytes)."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    fig.set_dpi(DPI)
    fig.patch.set_facecolor("white")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgb = np.asarray(canvas.buffer_rgba())[..., :3]
    buf = _io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb), "RGB").save(buf, format="PNG")
    return buf.getvalue()


def show_figure(fig, caption: str | None = None, alt: str | None = None) -> None:
    """A chart at print resolution, displayed at screen width, with a numbered caption and alt text.

    ``caption`` defaults to the chart's title (``fig.get_label()``), ``alt`` to the chart's own
    description (``fig.vs_alt``: what it shows and its key number).
    """
    import base64

    caption = caption if caption is not None else (fig.get_label() or "")
    alt = alt if alt is not None else (getattr(fig, "vs_alt", "") or caption)
    width_px = int(fig.get_figwidth() * 96)
    png = base64.b64encode(figure_png(fig)).decode("ascii")
    block = {"type": "figure", "caption": caption, "alt": alt, "width_in": round(float(fig.get_figwidth()), 2)}
    _publish(block, f'<figure><img src="data:image/png;base64,{png}" alt="{html.escape(alt)}" '
             f'width="{width_px}"><figcaption>{html.escape(caption)}</figcaption></figure>',
             plain=caption, extra={"image/png": png}, metadata={"image/png": {"width": width_px}})


def show_no_data(table_key: str, lang: str = "zh") -> None:
    """A line saying the period has no data for a table (named as the schema names it)."""
    table = TABLES[table_key]
    show_text(t("no_data", lang, table=pick((table.zh, table.en), lang)))


def show_alerts(alerts: pd.DataFrame, lang: str = "zh") -> None:
    """Alerts as callout boxes by level (serious, attention, note), in the order given (most serious first)."""
    if alerts.empty:
        show_text(t("no_alerts", lang))
        return
    items = [{"level": lv, "label": t(f"alert_{lv}", lang), "text": m}
             for lv, m in zip(alerts["level"], alerts[pick(("message_zh", "message_en"), lang)])]
    boxes = "".join(f'<div class="vs-alert vs-alert-{i["level"]}"><strong>{html.escape(i["label"])}</strong> '
                    f'{html.escape(i["text"])}</div>' for i in items)
    _publish({"type": "alerts", "items": items}, boxes,
             markdown="\n".join(f"- **{i['label']}** {i['text']}" for i in items),
             plain="\n".join(f"{i['label']}: {i['text']}" for i in items))


def show_crops_not_recorded(data: PeriodData, lang: str = "zh") -> None:
    """One sentence naming the crop groups without recorded progress (instead of a mark under each bar)."""
    stalled = crop_measures.groups_without_progress(data.table("crops"))
    if len(stalled):
        names = display_names(stalled, lang)
        show_text(t("crops_not_recorded", lang, names=t("list_sep", lang).join(names)), style="note")


def show_appendix(data: PeriodData, data_dir: str | Path, parameters: dict, lang: str = "zh") -> None:
    """The compact appendix: parameters and versions on one line each, the inputs with their SHA-256
    (the PDF prints 12 characters, the HTML the full value; manifest.json has them all)."""
    params = t("clause_sep", lang).join(f"{k} = {v!r}" if isinstance(v, str) else f"{k} = {v}" for k, v in parameters.items())
    show_text(t("appendix_parameters", lang, params=params), style="note")
    show_table(inputs_table(data, data_dir, lang), t("tab_inputs", lang), types=["text", "hash"])
    show_text(t("appendix_hashes", lang), style="note")
    versions = " · ".join(f"{k} {v}" for k, v in package_versions().items())
    show_text(t("appendix_versions", lang, versions=versions), style="note")


def record(sheet: pd.DataFrame) -> None:
    """Record the indicator sheet in the notebook as a hidden output: the run's exports read it back, so
    ``indicators.csv`` and the report come from this one computation.

    Stored as ``{"columns": [...], "rows": [[...], ...]}`` (lists keep the column order; notebook JSON
    sorts object keys). Unknown values are ``null``.
    """
    from IPython.display import publish_display_data

    rows = [[None if isinstance(v, float) and math.isnan(v) else v for v in row]
            for row in sheet.itertuples(index=False, name=None)]
    publish_display_data({SHEET_MIME: {"columns": list(sheet.columns), "rows": rows},
                          "text/plain": f"<indicator sheet: {len(rows)} rows>"})


def recorded_sheet(notebook) -> pd.DataFrame:
    """The sheet recorded by :func:`record` in an executed notebook (a NotebookNode or dict)."""
    for cell in notebook["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if SHEET_MIME in data:
                recorded = data[SHEET_MIME]
                return pd.DataFrame(recorded["rows"], columns=recorded["columns"]).fillna(value=float("nan"))
    raise LookupError("the notebook holds no recorded indicator sheet")


# --------------------------------------------------------------------------- household register

REGISTER_DEPTH_INDICATORS = ("register_households", "register_population", "register_poor_households",
                             "register_poor_population", "fgt0", "fgt1", "fgt2", "watts",
                             "register_nonpositive_income_households", "gini")
REGISTER_MPI_INDICATORS = ("mpi_h", "mpi_a", "mpi_m0")
REGISTER_EXIT_INDICATORS = ("exit_eligible_households", "exited_failing_criteria_households")


def poverty_line_text(data: PeriodData, lang: str = "zh") -> str:
    """Which poverty line the register measures use, and whether it is verified."""
    pl = data.poverty_line
    return t("line_used", lang, line=number_text(pl.poverty_line_yuan, "yuan_per_person_year", lang), year=pl.year,
             origin=pl.origin, verified=t("verified" if pl.verified else "unverified", lang),
             basis=pick((pl.basis, ""), lang))


def _ids(mask: pd.Series, data: PeriodData) -> list[str]:
    return list(data.table("households").loc[mask.to_numpy(dtype=bool), "household_id"])


def household_ids_text(key: str, mask: pd.Series, data: PeriodData, lang: str = "zh") -> str:
    """A sentence listing households by id only (never by name)."""
    ids = _ids(mask, data)
    return t(key, lang, ids=t("list_sep", lang).join(ids) if ids else t("none", lang))


def exit_lists_table(data: PeriodData, eligible: pd.Series, failing: pd.Series, lang: str = "zh") -> pd.DataFrame:
    """The exit lists by household id: poor households meeting the exit test, exited households failing it
    (the workbook's sheet 脱贫核查; the report says them in sentences, :func:`show_exit_lists`)."""
    ids, lists = [], []
    for key, mask in (("exit_eligible_name", eligible), ("exited_failing_name", failing)):
        chosen = _ids(mask, data)
        ids += chosen
        lists += [t(key, lang)] * len(chosen)
    frame = pd.DataFrame({t("household_id", lang): ids, t("exit_list", lang): lists})
    return typed(frame, lang=lang, units={t("household_id", lang): "text", t("exit_list", lang): "text"}, sheet="exit",
                 only="workbook")


def show_exit_lists(data: PeriodData, eligible: pd.Series, failing: pd.Series, lang: str = "zh") -> None:
    """The two exit lists as sentences of household ids, and as the workbook's table (:func:`exit_lists_table`)."""
    show_text(household_ids_text("exit_eligible_list", eligible, data, lang))
    show_text(household_ids_text("exited_failing_list", failing, data, lang))
    show_table(exit_lists_table(data, eligible, failing, lang))


def reconciliation_from_sheet(sheet: pd.DataFrame) -> pd.DataFrame:
    """The reconciliation as :func:`village_stats.measures.register.reconcile` returns it, read back from the
    sheet (``register_count_<measure>`` and ``reconciliation_<measure>_difference``), so the notebook does not compute it again."""
    from ..indicators import values
    from ..measures.register import RECONCILED

    v = values(sheet)
    rows = []
    for measure, _, _ in RECONCILED:
        rep, der = float(v.get(measure, math.nan)), float(v.get(f"register_count_{measure}", math.nan))
        comparable = not (math.isnan(rep) or math.isnan(der))
        rows.append((measure, rep, der, float(v.get(f"reconciliation_{measure}_difference", math.nan)), comparable))
    return pd.DataFrame(rows, columns=["measure", "reported", "derived", "difference", "comparable"]).set_index("measure")


def reconciliation_table(reconciliation: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Reported against register-derived counts, with the difference (register − reported); where the two
    cannot be compared the difference cell says so (or is unknown when nothing was reported)."""
    from ..schema import POPULATION_MEASURES

    units = ["households" if "households" in m else "persons" for m in reconciliation.index]
    diff = [float(r["difference"]) if r["comparable"] else (t("not_comparable", lang) if not math.isnan(r["reported"])
                                                            else None)
            for _, r in reconciliation.iterrows()]
    frame = pd.DataFrame({t("measure", lang): [POPULATION_MEASURES.label(m, lang) for m in reconciliation.index],
                          t("reported", lang): [float(v) for v in reconciliation["reported"]],
                          t("derived", lang): [float(v) for v in reconciliation["derived"]],
                          t("difference", lang): diff})
    return typed(frame, lang=lang, units={t("reported", lang): units, t("derived", lang): units, t("difference", lang): units},
                 signed=[t("difference", lang)], sheet="reconciliation")


def audit_table(findings: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Audit findings by household id and rule (no personal data); the rule's id in the workbook only."""
    from ..measures.register import AUDIT_RULES

    frame = pd.DataFrame({t("household_id", lang): list(findings["household_id"]),
                          t("rule", lang): [pick(AUDIT_RULES[r], lang) for r in findings["rule"]],
                          t("rule_id", lang): list(findings["rule"])})
    return typed(frame, lang=lang, units={c: "text" for c in frame.columns}, sheet="audit",
                 column_only={t("rule_id", lang): "workbook"})
