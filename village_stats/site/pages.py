"""The site's pages as text: the index of the county and one page per village, laid out by the Jinja2 templates
of ``village_stats/site/templates`` with autoescaping on (a village named ``<script>`` prints as text).

Every word is the reports' own (:func:`village_stats.labels.t`, the catalogue's indicator labels, the county
report's summary paragraph and key figures) and every number is formatted as the reports format it
(:func:`village_stats.document.cell_text` and :func:`~village_stats.document.number_text`, i.e.
:func:`village_stats.units.format_value` with the tables' rules). The charts are the package's
(:func:`village_stats.display.change.trend_chart`, :func:`~village_stats.display.change.count_trend_chart`)
drawn as inline SVG. Links are relative (``../<village>/<period>/report.html``) and only to files that exist.
The one script (sorting and the township filter of the index) is allowed by its hash in the page's
Content-Security-Policy; nothing else may run or be fetched.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from ..document import cell_text, number_text
from ..indicators import CATALOGUE, label
from ..labels import LANGUAGE_TAGS, t
from ..periods import parse_period
from .collect import SiteFacts, VillageFacts, check_stop, is_known
from .findings import audit_counts, checks_module, severities, severity_counts, severity_label

_TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Indicators of a village page's table, in this order (those no period has are left out).
VILLAGE_INDICATORS = ("population_total", "households_total", "poor_households", "poor_population",
                      "poverty_incidence", "exit_threshold", "poverty_reduction_needed", "monitored_households",
                      "risk_eliminated_households", "register_households", "investment_committed_yuan",
                      "contact_rate")
#: Optional columns of the index: indicator → header key; shown when a village has the indicator.
OPTIONAL_COLUMNS = (("monitored_households", "site_col_monitored"),
                    ("risk_eliminated_households", "site_col_risk_eliminated"))
#: The folder of the village pages inside the site.
VILLAGE_FOLDER = "villages"
DASH = "—"


@lru_cache(maxsize=1)
def _environment():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(_TEMPLATES)), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              trim_blocks=True, lstrip_blocks=True)


@lru_cache(maxsize=1)
def script() -> str:
    """The index's script (sorting, the township filter), as written into the page."""
    return (_TEMPLATES / "site.js").read_text(encoding="utf-8").strip()


def csp(with_script: bool) -> str:
    """The pages' Content-Security-Policy: nothing fetched, no script but the index's own (by its hash)."""
    digest = base64.b64encode(hashlib.sha256(script().encode("utf-8")).digest()).decode("ascii")
    allowed = f"'sha256-{digest}'" if with_script else "'none'"
    return (f"default-src 'none'; script-src {allowed}; style-src 'unsafe-inline'; img-src data:; "
            "base-uri 'none'; form-action 'none'")


def href(path: str, depth: int) -> str:
    """A relative link from a page ``depth`` folders below the site to ``path`` under the output folder
    (the site is one folder below it).

    >>> href("baitu/2018H2/report.pdf", 0), href("baitu/2018H2/report.pdf", 1)
    ('../baitu/2018H2/report.pdf', '../../baitu/2018H2/report.pdf')
    """
    return "../" * (depth + 1) + quote(path)


def village_page(village_id: str) -> str:
    """The path of a village's page inside the site (ids are ``[a-z0-9_-]+``, safe as file names)."""
    return f"{VILLAGE_FOLDER}/{village_id}.html"


# --------------------------------------------------------------------------- cells

def _value_cell(rows, indicator: str, lang: str, *, unit: str | None = None) -> dict:
    """One number of the roll-up as the tables print it under a header naming the unit, with its raw value
    to sort by (empty: unknown or suppressed, sorted last)."""
    if indicator not in rows.index:
        return {"text": DASH, "sort": ""}
    row = rows.loc[indicator]
    if bool(row["suppressed"]):
        return {"text": t("site_suppressed", lang), "sort": ""}
    value = row["value"]
    if not is_known(value):
        return {"text": DASH, "sort": ""}
    column = {"type": "number", "unit": unit or row["unit"]}
    return {"text": cell_text(float(value), column, 0, lang), "sort": repr(float(value))}


def _change_cell(facts: SiteFacts, village_id: str, lang: str) -> dict:
    """The change of incidence since the previous period, in percentage points, signed (as the county
    report's change table prints it); suppressed when either period's incidence is."""
    before = facts.period.previous().code
    flags = [facts.values(c, village_id) for c in (facts.period.code, before)]
    if any("poverty_incidence" in r.index and bool(r.loc["poverty_incidence", "suppressed"]) for r in flags):
        return {"text": t("site_suppressed", lang), "sort": ""}
    changes = facts.changes
    if changes is None or village_id not in changes.index:
        return {"text": DASH, "sort": ""}
    change = changes.loc[village_id, "poverty_incidence_change"]
    if not is_known(change):
        return {"text": DASH, "sort": ""}
    points = float(change) * 100
    return {"text": cell_text(points, {"type": "number", "unit": "percentage_points", "signed": True}, 0, lang),
            "sort": repr(points)}


def _exit_cell(facts: SiteFacts, village_id: str, lang: str) -> dict:
    """Exit-ready (the county report's column: nobody left to lift before the exit threshold)."""
    rows = facts.values(facts.period.code, village_id)
    if "poverty_reduction_needed" in rows.index and bool(rows.loc["poverty_reduction_needed", "suppressed"]):
        return {"text": t("site_suppressed", lang), "sort": ""}
    if village_id not in facts.overview.index:
        return {"text": DASH, "sort": ""}
    ready = bool(facts.overview.loc[village_id, "exit_ready"])
    return {"text": t("yes" if ready else "no", lang), "sort": "1" if ready else "0"}


def _links(files: dict[str, str], depth: int, lang: str) -> list[dict]:
    return [{"text": t(f"site_link_{fmt}", lang), "href": href(path, depth)} for fmt, path in files.items()]


def _period_label(code: str, lang: str) -> str:
    return parse_period(code).label(lang)


def _last_report(v: VillageFacts, facts: SiteFacts, lang: str) -> dict:
    if v.last_report is None:
        return {"text": DASH, "sort": ""}
    date, code = v.last_report
    text = date if code == facts.period.code else t("site_report_of", lang, date=date,
                                                      period=_period_label(code, lang))
    return {"text": text, "sort": date}


# --------------------------------------------------------------------------- the index

def index_context(facts: SiteFacts) -> dict:
    """Everything the index prints, as text (the template only lays it out)."""
    lang, code = facts.lang, facts.period.code
    sheet_now = facts.village_sheets[code]
    optional = [(ind, key) for ind, key in OPTIONAL_COLUMNS if (sheet_now["indicator"] == ind).any()]
    module = None if facts.suppress_below else checks_module()
    counts = {}
    if module is not None:
        counts = {v.id: severity_counts(v.results[code], module) or {} for v in facts.villages if code in v.results}
    shown_severities = severities(module, {s for c in counts.values() for s in c} | set(
        getattr(module, "SEVERITY_LABELS", {}) or {})) if module is not None else []
    columns = [{"name": t("village", lang), "num": False}, {"name": t("township", lang), "num": False},
               {"name": t("col_incidence", lang), "num": True}, {"name": t("change_points", lang), "num": True},
               {"name": t("exit_ready", lang), "num": False}, {"name": t("col_poor", lang), "num": True}]
    columns += [{"name": t(key, lang), "num": True} for _, key in optional]
    columns += [{"name": t("site_col_findings", lang, severity=severity_label(module, s, lang)), "num": True}
                for s in shown_severities]
    columns += [{"name": t("site_col_last_report", lang), "num": False}]
    rows = []
    for v in facts.villages:
        values = facts.values(code, v.id)
        has = code in v.results
        cells = [{"text": v.name, "sort": v.name, "href": village_page(v.id), "note": _row_note(v, code, lang)},
                 {"text": v.township, "sort": v.township},
                 _value_cell(values, "poverty_incidence", lang), _change_cell(facts, v.id, lang),
                 _exit_cell(facts, v.id, lang), _value_cell(values, "poor_population", lang)]
        cells += [_value_cell(values, ind, lang) for ind, _ in optional]
        for s in shown_severities:
            n = counts.get(v.id, {}).get(s) if has else None
            cells.append({"text": DASH, "sort": ""} if n is None and not has else
                         {"text": f"{n or 0:,}", "sort": str(n or 0)})
        cells.append(_last_report(v, facts, lang))
        rows.append({"id": v.id, "township": v.township, "cells": cells, "has_data": has,
                     "links": _links(v.files.get(code, {}), 0, lang)})
    missing = [{"name": v.name, "id": v.id, "reason": next((p.reason for p in v.problems if p.period == code),
                                                          t("site_status_no_data", lang))}
               for v in facts.villages if code not in v.on_disk]
    failed = [{"name": v.name, "id": v.id, "period": _period_label(p.period, lang), "status": _status(p.status, lang),
               "reason": p.reason}
              for v in facts.villages for p in v.problems if p.period in v.on_disk or p.period != code]
    failed += [{"name": p.village, "id": p.village, "period": _period_label(p.period, lang),
                "status": t("site_status_bad_input", lang), "reason": p.reason} for p in facts.without_yaml]
    gaps = [t("site_gap_line", lang, village=t("with_note", lang, text=v.name, note=v.id),
              periods=t("list_sep", lang).join(_period_label(c, lang) for c in v.missing))
            for v in facts.villages if v.missing]
    return {
        "lang_tag": LANGUAGE_TAGS.get(lang, lang), "csp": csp(True), "script": script(),
        "title": t("site_title", lang, county=_county_name(facts), period=facts.period.label(lang)),
        "notes": _notes(facts), "key_figures": key_figures(facts),
        "key_heading": "site_heading_key" if facts.county_sheet["group_id"].nunique() <= 1
        else "site_heading_key_counties",
        "summary": _summary(facts), "county_links": _links(facts.county_files, 0, lang),
        "trends": [{"name": v.name, "links": _links(v.trends, 0, lang)} for v in facts.villages if v.trends],
        "columns": columns, "rows": rows, "townships": sorted({v.township for v in facts.villages}),
        "missing": missing, "failed": failed, "gaps": gaps,
        "batch_note": "" if facts.batch is not None else t("site_no_batch", lang, name=facts.batch_name),
        "t": lambda key, **kw: t(key, lang, **kw),
    }


def _row_note(v: VillageFacts, code: str, lang: str) -> str:
    """Why a village's row has no figures: no data for the period, or data that could not be read."""
    if code in v.results:
        return ""
    if code not in v.on_disk:
        return t("site_status_no_data", lang)
    return next((_status(p.status, lang) for p in v.problems if p.period == code), t("site_status_bad_input", lang))


def _status(status: str, lang: str) -> str:
    """A batch status in words (``bad_input``, ``failed``; another as the record writes it)."""
    return t(f"site_status_{status}", lang) if status in ("bad_input", "failed") else status


def _county_name(facts: SiteFacts) -> str:
    """The county of the data root's villages; the counties, in the order of the villages, when several."""
    names = list(dict.fromkeys(v.county for v in facts.villages if v.county))
    return t("list_sep", facts.lang).join(names)


def _notes(facts: SiteFacts) -> list[str]:
    lang = facts.lang
    notes = [t("site_generated", lang, data_dir=facts.data_dir.name or str(facts.data_dir))]
    if len(facts.county.villages) and bool(facts.county.villages["fictional"].fillna(False).all()):
        notes.append(t("site_fictional", lang))
    if facts.suppress_below:
        notes.append(t("site_suppressed_note", lang, n=facts.suppress_below))
    return notes


def key_figures(facts: SiteFacts) -> list[tuple[str, str]]:
    """The county's key figures: villages with data (of all), villages lacking the period, then the county
    report's key indicators from the county-level roll-up (a suppressed one says so); when the data root's
    villages belong to several counties, each indicator once per county, the county named."""
    from ..display.county import KEY_INDICATORS

    lang = facts.lang
    county = facts.county
    out = [(t("villages_with_data", lang), f"{len(county.sheets)} / {len(county.villages)}"),
           (t("villages_missing", lang), str(len(county.missing)))]
    sheet = facts.county_sheet
    counties = list(dict.fromkeys(sheet["group_id"]))
    for ind in KEY_INDICATORS:
        for name in counties:
            rows = sheet[(sheet["group_id"] == name) & (sheet["indicator"] == ind)]
            if rows.empty:
                continue
            row = rows.iloc[0]
            text = t("site_suppressed", lang) if bool(row["suppressed"]) else number_text(
                float(row["value"]) if is_known(row["value"]) else None, row["unit"], lang)
            what = label(ind, lang) if len(counties) == 1 else t("site_key_in_county", lang, label=label(ind, lang),
                                                                    county=name)
            out.append((what, text))
    return out


def _summary(facts: SiteFacts) -> str:
    """The county report's summary paragraph; for villages of several counties, a line saying the key figures
    are given per county (a summary mixes one county's figures with every village's count)."""
    from ..display.county import summary_text

    counties = facts.county_sheet["group_id"].nunique()
    if counties > 1:
        return t("site_several_counties", facts.lang, n=counties)
    return summary_text(facts.county_sheet, facts.overview, facts.county, facts.lang)


# --------------------------------------------------------------------------- a village's page

def village_context(facts: SiteFacts, v: VillageFacts) -> dict:
    """Everything a village's page prints, as text; its charts as inline SVG."""
    lang, depth = facts.lang, 1
    periods = v.periods
    rows = []
    for ind in VILLAGE_INDICATORS:
        cells = [facts.values(c, v.id) for c in periods]
        if not any(ind in r.index for r in cells):
            continue
        unit = CATALOGUE[ind].unit
        texts = []
        for r in cells:
            cell = _value_cell(r, ind, lang)
            texts.append(cell["text"] if cell["sort"] == "" else number_text(float(cell["sort"]), unit, lang))
        rows.append({"label": label(ind, lang), "cells": texts})
    outputs = [{"period": _period_label(c, lang), "links": _links(v.files.get(c, {}), depth, lang)}
               for c in facts.periods if c in v.files or c in v.results]
    hidden = bool(facts.suppress_below)
    module = None if hidden else checks_module()
    findings = []
    if not hidden:
        for c in periods:
            by_severity = severity_counts(v.results[c], module)
            findings.append({"period": _period_label(c, lang), "rules": audit_counts(v.results[c], lang),
                             "severities": [(severity_label(module, s, lang), by_severity[s])
                                            for s in severities(module, by_severity)] if by_severity else []})
    code = facts.period.code
    return {
        "lang_tag": LANGUAGE_TAGS.get(lang, lang), "csp": csp(False),
        "title": t("site_village_title", lang, village=v.name),
        "facts_line": t("site_village_facts", lang, township=v.township, county=v.county),
        "index": "../index.html", "notes": _notes(facts)[1:],
        "not_in_period": "" if code in v.results else t("site_not_in_period", lang, period=facts.period.label(lang)),
        "problems": [t("site_period_problem", lang, period=_period_label(p.period, lang), reason=p.reason)
                     for p in v.problems],
        "missing": t("site_missing_periods", lang, periods=t("list_sep", lang).join(
            _period_label(c, lang) for c in v.missing)) if v.missing else t("site_no_missing_periods", lang),
        "periods": [_period_label(c, lang) for c in periods], "rows": rows,
        "charts": facts.charts[v.id] if v.id in facts.charts else village_charts(facts, v), "outputs": outputs, "trends": _links(v.trends, depth, lang),
        "findings": findings, "findings_hidden": hidden,
        "t": lambda key, **kw: t(key, lang, **kw),
    }


def draw_charts(facts: SiteFacts, stop=None) -> None:
    """Draw every village's charts into ``facts.charts`` (``run-all`` does it while its reports run);
    ``stop``, an event that ends the drawing between two villages (:class:`~.collect.Stopped`)."""
    for v in facts.villages:
        check_stop(stop)
        facts.charts[v.id] = village_charts(facts, v)


def village_charts(facts: SiteFacts, v: VillageFacts) -> list[dict]:
    """The village's incidence against the exit threshold and its poor population over its periods
    (the package's charts, from the roll-up's values: a suppressed value is not drawn)."""
    import pandas as pd

    from ..display.change import count_trend_chart, trend_chart

    frames = [facts.values(c, v.id).reset_index()[["indicator", "value"]].assign(period=c) for c in v.periods]
    if not frames:
        return []
    long = pd.concat(frames, ignore_index=True)
    charts = []
    incidence = long[(long["indicator"] == "poverty_incidence") & long["value"].notna()]
    if not incidence.empty:
        charts.append(_chart(trend_chart(long, facts.lang), f"{v.id}-incidence"))
    poor = long[(long["indicator"] == "poor_population") & long["value"].notna()]
    if not poor.empty:
        charts.append(_chart(count_trend_chart(long, "poor_population", facts.lang), f"{v.id}-poor"))
    return charts


def _chart(fig, prefix: str) -> dict:
    return {"svg": svg(fig, prefix), "title": fig.get_label(), "alt": getattr(fig, "vs_alt", fig.get_label())}


_ID = re.compile(r'(\bid="|xlink:href="#|href="#|url\(#)([^")]+)')


def svg(fig, prefix: str) -> str:
    """A Figure as an ``<svg>`` element to put inline: text drawn as paths (no font needed), no date, and
    every id prefixed with ``prefix`` so that two charts of one page never share one.

    The same figure gives the same bytes (a fixed hash salt, no date).
    """
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "village-stats-site", "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = _ID.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", text)
    return text.replace("<svg ", '<svg class="vs-chart" aria-hidden="true" ', 1).strip()


def render(template: str, context: dict) -> str:
    """One page of the site as text."""
    return _environment().get_template(template).render(**context)
