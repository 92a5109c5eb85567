"""Labelled tables and display helpers for notebooks (JupyterLab and the papermill report).

Tables come back as DataFrames with headers in the report language and values formatted for people;
``show_*`` functions display them (and headings, text, figures) as HTML outputs that JupyterLab and the
HTML/PDF export render the same way. Nothing here computes a measure.
"""

from __future__ import annotations

import html
import io as _io
import math
from pathlib import Path

import pandas as pd

from ..config import package_versions
from ..indicators import format_value, label
from ..labels import display_names, t
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


# --------------------------------------------------------------------------- tables

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
        out.append((label(ind, lang), format_value(r["value"], r["unit"], lang), basis))
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
        rows.append((ACTIVITIES.label(r["activity"], lang), count, r.get("unit") or "", dates))
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
    """Projects with category, status and investment (unknown shown as such)."""
    p = data.table("projects")
    rows = [(name, PROJECT_CATEGORIES.label(cat, lang), PROJECT_STATUSES.label(st, lang),
             t("unknown", lang) if pd.isna(inv) else f"{inv:,.0f}")
            for name, cat, st, inv in zip(display_names(p, lang), p["category"], p["status"], p["investment_yuan"])]
    return pd.DataFrame(rows, columns=[t("project", lang), t("category", lang), t("status", lang),
                                       t("investment", lang)])


def outputs_table(data: PeriodData, lang: str = "zh") -> pd.DataFrame:
    """Physical outputs per project."""
    o = data.table("project_outputs")
    projects = data.table("projects")
    names = dict(zip(projects["project_id"], display_names(projects, lang)))
    rows = [(names.get(pid, pid), out, f"{q:,.10g}" if pd.notna(q) else "—", unit or "")
            for pid, out, q, unit in zip(o["project_id"], o["output"], o["quantity"], o["unit"])]
    return pd.DataFrame(rows, columns=[t("project", lang), t("output", lang), t("quantity", lang), t("unit", lang)])


def alerts_table(alerts: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Alerts as a two-column table (level, message)."""
    levels = {"warning": ("注意", "Warning"), "info": ("说明", "Note")}
    msg = "message_zh" if lang == "zh" else "message_en"
    return pd.DataFrame({t("level", lang): [levels[x][0 if lang == "zh" else 1] for x in alerts["level"]],
                         t("alert", lang): list(alerts[msg])})


def inputs_table(data: PeriodData, data_dir: str | Path, lang: str = "zh") -> pd.DataFrame:
    """Every input file of the period with its SHA-256 (paths relative to the data folder)."""
    root = Path(data_dir).resolve()
    rows = file_digests([Path(p).resolve() for p in data.sources], root)
    return pd.DataFrame(rows, columns=[t("file", lang), t("sha256", lang)])


def parameters_table(parameters: dict, lang: str = "zh") -> pd.DataFrame:
    """The run's parameters."""
    return pd.DataFrame(list(parameters.items()), columns=[t("parameter", lang), t("value", lang)])


def versions_table(lang: str = "zh") -> pd.DataFrame:
    """Python's and the main packages' versions."""
    return pd.DataFrame(list(package_versions().items()), columns=[t("package", lang), t("version", lang)])


# --------------------------------------------------------------------------- display

def _display(obj) -> None:
    from IPython.display import display

    display(obj)


def _html(markup: str) -> None:
    from IPython.display import HTML

    _display(HTML(markup))


def table_html(df: pd.DataFrame) -> str:
    """A labelled table as HTML (escaped, no index)."""
    return df.to_html(index=False, escape=True, border=0, classes="vs-table", na_rep="—")


def show_title(data: PeriodData, lang: str = "zh") -> None:
    """Title, place and provenance line of the report."""
    v = data.village
    title = t("title", lang, village=v.name(lang), period=data.period.label(lang))
    sub = t("subtitle", lang, province=v.province_zh, city=v.city_zh, county=v.county_zh, township=v.township_zh,
            village=v.name_zh if lang == "zh" else v.name_en, supporter=v.supported_by_zh)
    parts = [f"<h1>{html.escape(title)}</h1>", f'<p class="vs-subtitle">{html.escape(sub)}</p>',
             f'<p class="vs-note">{html.escape(t("generated_note", lang, village_id=v.id, period_code=data.period.code))}</p>']
    if v.fictional:
        parts.append(f'<p class="vs-warning">{html.escape(t("fictional", lang))}</p>')
    _html("\n".join(parts))


def show_heading(key: str, lang: str = "zh") -> None:
    """A section heading (``sec_basic`` …) in the report language."""
    _html(f"<h2>{html.escape(t(key, lang))}</h2>")


def show_subheading(key: str, lang: str = "zh", **fields) -> None:
    """A sub-section heading in the report language."""
    _html(f"<h3>{html.escape(t(key, lang, **fields))}</h3>")


def show_text(text: str) -> None:
    """A paragraph of text."""
    _html(f"<p>{html.escape(text)}</p>")


def show_table(df: pd.DataFrame) -> None:
    """A labelled table."""
    if df.empty:
        show_text("—")
        return
    _html(table_html(df))


def figure_png(fig) -> bytes:
    """A figure as an RGB PNG at :data:`DPI`, with no metadata (reproducible bytes).

    RGB rather than matplotlib's RGBA: WeasyPrint embeds an RGB PNG's data as it is, while an alpha
    channel makes it decode and re-encode every chart (0.09 s per report, measured).
    """
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


def show_figure(fig) -> None:
    """A chart, at print resolution, displayed at screen width."""
    from IPython.display import Image

    width_px = int(fig.get_figwidth() * 96)
    png = figure_png(fig)
    _display(Image(data=png, format="png", width=width_px))


def show_no_data(table_key: str, lang: str = "zh") -> None:
    """A line saying the period has no data for a table (named as the schema names it)."""
    table = TABLES[table_key]
    show_text(t("no_data", lang, table=table.zh if lang == "zh" else table.en))


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
    return t("line_used", lang, line=format_value(pl.line_yuan, "yuan_per_person_year", lang), year=pl.year,
             origin=pl.origin, verified=t("verified" if pl.verified else "unverified", lang),
             basis=pl.basis if lang == "zh" else "")


def household_ids_text(key: str, mask: pd.Series, data: PeriodData, lang: str = "zh") -> str:
    """A sentence listing households by id only (never by name)."""
    ids = list(data.table("households").loc[mask.to_numpy(dtype=bool), "household_id"])
    return t(key, lang, ids="、".join(ids) if lang == "zh" and ids else (", ".join(ids) if ids else t("none", lang)))


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
