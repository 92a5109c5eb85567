"""Labelled tables and display helpers for notebooks (JupyterLab and the papermill report).

Tables come back as DataFrames with headers in the report language and values formatted for people;
``show_*`` functions display them (and headings, text, figures) as HTML outputs that JupyterLab and the
HTML/PDF export render the same way. Nothing here computes a measure.
"""

from __future__ import annotations

import html
import io as _io
import math
import re
from collections.abc import Mapping

import pandas as pd

from ..config import package_versions
from ..document import ALERT_LEVELS, BLOCK_MIME
from ..indicators import label
from ..labels import display_names, place, t, unit_text
from ..load import PeriodData
from ..measures import crops as crop_measures
from ..schema import ACTIVITIES, PROJECT_CATEGORIES, PROJECT_STATUSES, TABLES
from ..units import UNITS, format_value

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


# --------------------------------------------------------------------------- tables

def display_value(value: float, unit: str, lang: str = "zh") -> str:
    """An indicator value as a report shows it: :func:`~village_stats.units.format_value`, with money per
    person rounded to whole 元 and English count units singular for 1 (the unit's ``en_one``).

    >>> display_value(15802.0408, "yuan_per_person"), display_value(1.0, "projects", "en")
    ('15,802 元/人', '1 project')
    >>> display_value(2.0, "projects", "en"), display_value(3097200.0, "yuan")
    ('2 projects', '3,097,200 元')
    """
    if unit.startswith("yuan_per_person") and not (value is None or math.isnan(value)):
        value = float(math.floor(abs(value) + 0.5)) * (1 if value >= 0 else -1)
    text = format_value(value, unit, lang)
    u = UNITS.get(unit)
    if lang != "zh" and u is not None and u.en_one and value == 1:
        text = text.removesuffix(u.en) + u.en_one
    return text


def indicator_table(sheet: pd.DataFrame, indicators, lang: str = "zh") -> pd.DataFrame:
    """Chosen indicators as a labelled table: label, formatted value, and numerator/denominator."""
    rows = sheet.set_index("indicator")
    out = []
    for ind in indicators:
        if ind not in rows.index:
            continue
        r = rows.loc[ind]
        basis = ""
        if not (math.isnan(r["numerator"]) or math.isnan(r["denominator"])):
            basis = f"{r['numerator']:,.10g} / {r['denominator']:,.10g}"
        out.append((label(ind, lang), display_value(r["value"], r["unit"], lang), basis))
    return pd.DataFrame(out, columns=[t("indicator", lang), t("value", lang), t("basis", lang)])


def work_table(data: PeriodData, lang: str = "zh") -> pd.DataFrame:
    """The work log as a labelled table (activity, count, unit, dates)."""
    log = data.table("work_log")
    rows = []
    for _, r in log.iterrows():
        dates = ""
        if "date_from" in log and pd.notna(r.get("date_from")):
            dates = f"{r['date_from']:%Y-%m-%d} – {r['date_to']:%Y-%m-%d}" if pd.notna(r.get("date_to")) \
                else f"{r['date_from']:%Y-%m-%d}"
        count = "—" if pd.isna(r["count"]) else f"{r['count']:,.0f}"
        rows.append((ACTIVITIES.label(r["activity"], lang), count, unit_text(r.get("unit"), lang), dates))
    return pd.DataFrame(rows, columns=[t("activity", lang), t("count", lang), t("unit", lang), t("dates", lang)])


def crops_table(data: PeriodData, lang: str = "zh") -> pd.DataFrame:
    """Crop groups with planned and achieved new area and the achieved share, plus a total row."""
    c = data.table("crops")
    achieved = c["achieved_new_area_mu"] if "achieved_new_area_mu" in c else pd.Series(math.nan, index=c.index)
    rows = []
    for name, target, done in zip(display_names(c, lang), c["target_new_area_mu"], achieved):
        rows.append((name, format_value(target, "mu", lang), format_value(done, "mu", lang),
                     format_value(crop_measures.achievement_share(done, target), "ratio", lang)))
    tt, ta = crop_measures.target_new_area_mu(c), crop_measures.achieved_new_area_mu(c)
    rows.append((t("total", lang), format_value(tt, "mu", lang), format_value(ta, "mu", lang),
                 format_value(crop_measures.achievement_share(ta, tt), "ratio", lang)))
    return pd.DataFrame(rows, columns=[t("crop_group", lang), t("target_mu", lang), t("achieved_mu", lang),
                                       t("share", lang)])


def projects_table(data: PeriodData, lang: str = "zh") -> pd.DataFrame:
    """Projects with category, status and investment in 元 and 万元, then totals: committed, planned, all known.

    Money rule (docs/glossary.md): amounts in whole 元 with separators, plus a 万元 column (two decimals).
    """
    from ..measures.arith import known_sum

    p = data.table("projects")
    rows = [(name, PROJECT_CATEGORIES.label(cat, lang), PROJECT_STATUSES.label(st, lang),
             t("unknown", lang) if pd.isna(inv) else f"{inv:,.0f}", "—" if pd.isna(inv) else f"{inv / 10000:,.2f}")
            for name, cat, st, inv in zip(display_names(p, lang), p["category"], p["status"], p["investment_yuan"])]
    from ..measures.investment import committed_yuan, planned_yuan

    def money(x: float) -> tuple[str, str]:
        return ("—", "—") if math.isnan(x) else (f"{x:,.0f}", f"{x / 10000:,.2f}")

    # three total rows (show with total_rows=3): committed and planned apart, as in the indicators and chart
    rows.append((t("committed", lang), "", "", *money(committed_yuan(p))))
    rows.append((t("planned", lang), "", "", *money(planned_yuan(p))))
    rows.append((t("total", lang), "", "", *money(known_sum(p["investment_yuan"]))))
    return pd.DataFrame(rows, columns=[t("project", lang), t("category", lang), t("status", lang),
                                       t("investment", lang), t("investment_wan", lang)])


def outputs_table(data: PeriodData, lang: str = "zh") -> pd.DataFrame:
    """Physical outputs per project, rows of one project together (show with ``group=True``)."""
    o = data.table("project_outputs")
    projects = data.table("projects")
    names = dict(zip(projects["project_id"], display_names(projects, lang)))
    order = {pid: i for i, pid in enumerate(projects["project_id"])}
    wording = list(o["output"])
    if lang != "zh" and "output_en" in o:
        wording = [en if isinstance(en, str) and en else zh for zh, en in zip(o["output"], o["output_en"])]
    rows = sorted(((names.get(pid, pid), out, f"{q:,.10g}" if pd.notna(q) else "—", unit_text(unit, lang),
                    order.get(pid, len(order)))
                   for pid, out, q, unit in zip(o["project_id"], wording, o["quantity"], o["unit"])),
                  key=lambda r: r[4])
    return pd.DataFrame([r[:4] for r in rows],
                        columns=[t("project", lang), t("output", lang), t("quantity", lang), t("unit", lang)])


def alerts_table(alerts: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Alerts as a two-column table (level, message)."""
    msg = "message_zh" if lang == "zh" else "message_en"
    return pd.DataFrame({t("level", lang): [ALERT_LEVELS[x][0 if lang == "zh" else 1] for x in alerts["level"]],
                         t("alert", lang): list(alerts[msg])})


def inputs_table(inputs: Mapping[str, str], lang: str = "zh") -> pd.DataFrame:
    """Every input file the report read with its SHA-256 (paths relative to the data folder), as
    :meth:`village_stats.load.Source.digests` recorded them: no file is opened again."""
    return pd.DataFrame(sorted(inputs.items()), columns=[t("file", lang), t("sha256", lang)])


def parameters_table(parameters: dict, lang: str = "zh") -> pd.DataFrame:
    """The run's parameters."""
    return pd.DataFrame(list(parameters.items()), columns=[t("parameter", lang), t("value", lang)])


def versions_table(lang: str = "zh") -> pd.DataFrame:
    """Python's and the main packages' versions."""
    return pd.DataFrame(list(package_versions().items()), columns=[t("package", lang), t("version", lang)])


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


def table_html(df: pd.DataFrame) -> str:
    """A labelled table as HTML (escaped, no index)."""
    return df.to_html(index=False, escape=True, border=0, classes="vs-table", na_rep="—")


def title_facts(data: PeriodData, lang: str = "zh", report_date: str = "") -> list[list[str]]:
    """The title block's facts: village, township, county, supporting unit, period, data cut-off and the
    report date when one is given (never the clock: reruns stay byte-identical)."""
    from .summary import cutoff_text

    v = data.village
    facts = [[t("fact_village", lang), v.name(lang)],
             [t("fact_township", lang), place(v.township_zh, v.township_en, lang)],
             [t("fact_county", lang), ", ".join([place(v.county_zh, v.county_en, lang),
                                                 place(v.city_zh, v.city_en, lang),
                                                 place(v.province_zh, v.province_en, lang)])
              if lang != "zh" else f"{v.province_zh}{v.city_zh}{v.county_zh}"],
             [t("fact_supporter", lang), v.supported_by_zh if lang == "zh" else (v.supported_by_en or v.supported_by_zh)],
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
_UNKNOWN = {"", "—", "未知", "unknown"}


def column_types(df: pd.DataFrame) -> list[str]:
    """``number`` for columns whose every known cell is a number (with an optional unit or %), else ``text``.

    >>> column_types(pd.DataFrame({"a": ["1,200", "47.8%", "—"], "b": ["x", "3", "4"], "c": ["2.33 人/户", "未知", ""],
    ...                            "d": ["53 / 86", "1", "2"]}))
    ['number', 'text', 'number', 'text']
    """
    out = []
    for col in df.columns:
        cells = [str(x) for x in df[col] if pd.notna(x) and str(x) not in _UNKNOWN]
        out.append("number" if cells and all(_NUMBER.match(c) for c in cells) else "text")
    return out


def header_unit(header) -> str:
    """The unit a column header states in brackets at its end, else empty.

    >>> header_unit("计划新增（亩）"), header_unit("Investment (10,000 yuan)"), header_unit("项目")
    ('亩', '10,000 yuan', '')
    """
    m = re.search(r"[（(]([^（）()]+)[）)]$", str(header))
    return m.group(1) if m else ""


def show_table(df: pd.DataFrame, caption: str | None = None, *, units=None, types=None, total_rows: int = 0,
               group: bool = False) -> None:
    """A labelled table: cells as formatted text, numbers right-aligned.

    Parameters
    ----------
    df : DataFrame
        Headers in the report language, values formatted for people.
    caption : str, optional
        Caption; captioned tables are numbered (表 1 …).
    units, types : list, optional
        Per column: unit text (default: :func:`header_unit`), and ``text``/``number``/``hash`` (default:
        :func:`column_types`).
    total_rows : int
        The last ``total_rows`` rows are totals (set apart in print).
    group : bool
        The first column groups consecutive equal rows (a project and its outputs), shown once.
    """
    if df.empty:
        show_text("—")
        return
    types = list(types) if types is not None else column_types(df)
    units = list(units) if units is not None else [header_unit(c) for c in df.columns]
    block = {"type": "table", "caption": caption or "",
             "columns": [{"name": str(c), "type": ty, "unit": u or ""} for c, ty, u in zip(df.columns, types, units)],
             "rows": [["—" if (v is None or (isinstance(v, float) and math.isnan(v))) else str(v) for v in row]
                      for row in df.itertuples(index=False, name=None)],
             "total_rows": int(total_rows), "group": bool(group)}
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    _publish(block, table_html(df).replace('<table border="0" class="dataframe vs-table">',
                                           f'<table border="0" class="dataframe vs-table">{cap}', 1),
             plain=caption or "<table>")


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
    show_text(t("no_data", lang, table=table.zh if lang == "zh" else table.en))


def show_alerts(alerts: pd.DataFrame, lang: str = "zh") -> None:
    """Alerts as callout boxes by level (serious, attention, note), in the order given (most serious first)."""
    if alerts.empty:
        show_text(t("no_alerts", lang))
        return
    msg = "message_zh" if lang == "zh" else "message_en"
    items = [{"level": lv, "label": ALERT_LEVELS[lv][0 if lang == "zh" else 1], "text": m}
             for lv, m in zip(alerts["level"], alerts[msg])]
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
        show_text(t("crops_not_recorded", lang, names=("、" if lang == "zh" else ", ").join(names)), style="note")


def show_appendix(inputs: Mapping[str, str], parameters: dict, lang: str = "zh") -> None:
    """The compact appendix: parameters and versions on one line each, the inputs with their SHA-256
    (the PDF prints 12 characters, the HTML the full value; manifest.json has them all)."""
    sep = "；" if lang == "zh" else "; "
    params = sep.join(f"{k} = {v!r}" if isinstance(v, str) else f"{k} = {v}" for k, v in parameters.items())
    show_text(t("appendix_parameters", lang, params=params), style="note")
    show_table(inputs_table(inputs, lang), t("tab_inputs", lang), types=["text", "hash"])
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
    return t("line_used", lang, line=format_value(pl.poverty_line_yuan, "yuan_per_person_year", lang), year=pl.year,
             origin=pl.origin, verified=t("verified" if pl.verified else "unverified", lang),
             basis=pl.basis if lang == "zh" else "")


def household_ids_text(key: str, mask: pd.Series, data: PeriodData, lang: str = "zh") -> str:
    """A sentence listing households by id only (never by name)."""
    ids = list(data.table("households").loc[mask.to_numpy(dtype=bool), "household_id"])
    return t(key, lang, ids="、".join(ids) if lang == "zh" and ids else (", ".join(ids) if ids else t("none", lang)))


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
    """Reported against register-derived counts, with the difference (register − reported)."""
    from ..schema import POPULATION_MEASURES

    rows = []
    for measure, r in reconciliation.iterrows():
        unit = "households" if "households" in measure else "persons"
        diff = format_value(r["difference"], unit, lang) if r["comparable"] else (
            t("not_comparable", lang) if not math.isnan(r["reported"]) else "—")
        if r["comparable"] and r["difference"] > 0:
            diff = "+" + diff
        rows.append((POPULATION_MEASURES.label(measure, lang), format_value(r["reported"], unit, lang),
                     format_value(r["derived"], unit, lang), diff))
    return pd.DataFrame(rows, columns=[t("measure", lang), t("reported", lang), t("derived", lang),
                                       t("difference", lang)])


def audit_table(findings: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Audit findings by household id and rule (no personal data)."""
    from ..measures.register import AUDIT_RULES

    return pd.DataFrame({t("household_id", lang): list(findings["household_id"]),
                         t("rule", lang): [AUDIT_RULES[r][0 if lang == "zh" else 1] for r in findings["rule"]]})
