"""Display helpers for notebooks (JupyterLab and the papermill report): each publishes one block of the report.

``show_*`` functions publish headings, text, figures and tables as blocks of the document model
(:mod:`village_stats.document`) with an HTML rendering for JupyterLab. :func:`show_table` publishes a
table of :mod:`village_stats.display.tables` (one builder per report table, re-exported here so a
notebook cell calls one namespace) as a typed table block: the report prints it and ``indicators.xlsx``
writes it. Nothing here computes a measure.
"""

from __future__ import annotations

import html
import io as _io
import math
from collections.abc import Mapping

import pandas as pd

from ..config import package_versions
from ..document import BLOCK_MIME, number_text, table_view
from ..labels import display_names, pick, place, t
from ..load import PeriodData
from ..measures import crops as crop_measures
from ..schema import TABLES
from .tables import audit_table as audit_table
from .tables import crops_table as crops_table
from .tables import exit_lists_table, household_ids, inputs_table, table_block
from .tables import indicator_table as indicator_table
from .tables import outputs_table as outputs_table
from .tables import parameters_table as parameters_table
from .tables import projects_table as projects_table
from .tables import reconciliation_table as reconciliation_table
from .tables import register_sheet_table as register_sheet_table
from .tables import versions_table as versions_table
from .tables import work_table as work_table

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
    """A table block as HTML for JupyterLab (escaped; cells as :func:`village_stats.document.table_view` prints them).

    Styles are inline (Lab loads no report.css): text left, numbers right with tabular figures, as in the
    HTML report; Lab's own default would right-align every cell."""
    view = table_view(block, lang)

    num = ' class="num" style="text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap"'
    text = ' style="text-align:left"'

    def cells(tag: str, texts, columns) -> str:
        return "".join(f"<{tag}{num if c['type'] == 'number' else text}>{html.escape(x)}</{tag}>"
                       for x, c in zip(texts, columns))

    cap = f'<caption style="text-align:left">{html.escape(block["caption"])}</caption>' if block.get("caption") else ""
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
    # inline styles: Lab shows the box as the HTML report does (a row of figures), without report.css
    cells = "".join(f'<div class="vs-kf" style="flex:1 1 9em;text-align:left">'
                    f'<div class="vs-kf-value" style="font-size:1.6em;color:#143d66;white-space:nowrap">'
                    f'{html.escape(i["value"])}</div>'
                    f'<div class="vs-kf-label" style="font-size:0.9em">{html.escape(i["label"])}</div>'
                    f'<div class="vs-kf-note" style="font-size:0.8em;color:#555555">{html.escape(i["note"])}</div></div>'
                    for i in block["items"])
    _publish(block, f'<div class="vs-keyfigures" style="display:flex;flex-wrap:wrap;gap:0.8em;background:#f3f6fa;'
                    f'padding:0.8em;margin:0.8em 0">{cells}</div>',
             markdown="\n".join(f"- **{i['label']}**: {i['value']} ({i['note']})" for i in block["items"]),
             plain="; ".join(f"{i['label']} {i['value']}" for i in block["items"]))


def show_summary(sheet: pd.DataFrame, data: PeriodData, lang: str = "zh", alerts: pd.DataFrame | None = None) -> None:
    """The summary paragraph of page 1 (:func:`village_stats.display.summary.summary_text`), with the
    serious and attention ``alerts`` when given."""
    from .summary import summary_text

    show_text(summary_text(sheet, data.period, lang, alerts), style="summary")


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

    An empty table prints a dash; when it has a sheet, its block still goes to the workbook (a sheet with
    its header row), not printed.
    """
    spec = df.attrs.get("table", {})
    block = table_block(df, caption, units={**spec.get("units", {}), **(units or {})}, types=types,
                        total_rows=total_rows, group=group, sheet=sheet, only=only)
    if df.empty:
        if block.get("only") != "workbook":
            show_text("—")
        if not block.get("sheet"):
            return
        block["only"] = "workbook"
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
    description (``fig.vs_alt``: what it shows and its key number). ``fig`` None (a chart with nothing
    to draw) shows nothing.
    """
    import base64

    if fig is None:
        return
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


def show_appendix(inputs: Mapping[str, str], parameters: dict, lang: str = "zh") -> None:
    """The compact appendix: the parameters as a small labelled table, the versions on one line, the inputs
    with their SHA-256 (the PDF prints 12 characters, the HTML the full value; manifest.json has them all).
    No Python syntax and no absolute path: the data root is named as :func:`~.tables.data_root_text` says."""
    show_table(parameters_table(parameters, lang), t("tab_parameters", lang))
    versions = " · ".join(f"{k} {v}" for k, v in package_versions().items())
    show_text(t("appendix_versions", lang, versions=versions), style="note")
    show_table(inputs_table(inputs, lang), t("tab_inputs", lang), types=["text", "hash"])
    show_text(t("appendix_hashes", lang), style="note")


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


def policy_origin(rule, lang: str = "zh") -> str:
    """Where a policy value was read, for people: its table file, row and scope (``policy/poverty_lines.csv
    第13行（全国）``), or ``village.yaml``. ``rule``: a :class:`~village_stats.policy.Rule` or a poverty line."""
    if not rule.table or rule.row is None:
        return "village.yaml"
    scope = t("national", lang) if rule.scope == "national" else rule.scope
    return t("policy_origin", lang, file=f"policy/{rule.table}.csv", row=rule.row, scope=scope)


def policy_note(rule, lang: str = "zh") -> str:
    """A policy row's remark in ``lang`` (why it is not verified, what to change); '' when none."""
    return pick((rule.note_zh, rule.note_en or rule.note_zh), lang)


def policy_note_brief(rule, lang: str = "zh") -> str:
    """What the PDF prints for a row's remark: 未核实 (or nothing) with the table and row to look up."""
    if not rule.table or rule.row is None:
        return "" if rule.verified else t("unverified", lang)
    if rule.verified and not policy_note(rule, lang):
        return ""
    return t("note_brief" if rule.verified else "note_brief_unverified", lang, file=f"policy/{rule.table}.csv",
             row=rule.row)


def poverty_line_text(data: PeriodData, lang: str = "zh") -> str:
    """Which poverty line the register measures use: its table and row, its source, whether it is verified."""
    pl = data.poverty_line
    return t("line_used", lang, line=number_text(pl.poverty_line_yuan, "yuan_per_person_year", lang), year=pl.year,
             origin=policy_origin(pl, lang), source=pl.source or t("no_source", lang),
             verified=t("verified" if pl.verified else "unverified", lang), basis=pick((pl.basis, ""), lang))


def household_ids_text(key: str, mask: pd.Series, data: PeriodData, lang: str = "zh") -> str:
    """A sentence listing households by id only (never by name)."""
    ids = household_ids(mask, data)
    return t(key, lang, ids=t("list_sep", lang).join(ids) if ids else t("none", lang))


def show_exit_lists(data: PeriodData, eligible: pd.Series, failing: pd.Series, lang: str = "zh") -> None:
    """The two exit lists as sentences of household ids, and as the workbook's table (:func:`exit_lists_table`)."""
    show_text(household_ids_text("exit_eligible_list", eligible, data, lang))
    show_text(household_ids_text("exited_failing_list", failing, data, lang))
    show_table(exit_lists_table(data, eligible, failing, lang))
