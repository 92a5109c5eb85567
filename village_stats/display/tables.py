"""One builder per report table: a labelled DataFrame with raw values, marked with its units and its sheet.

Each builder (``crops_table``, ``projects_table`` …) returns a DataFrame with headers in the report
language and raw values (numbers as numbers, NaN for unknown), marked by :func:`typed` with each column's
unit id and the table's workbook sheet. :func:`table_block` turns it into a typed table block of the
document model (:mod:`village_stats.document`); :func:`village_stats.display.views.show_table` publishes
it, the report prints it and ``indicators.xlsx`` writes it, so the two cannot disagree. Notebooks reach
the builders through :mod:`village_stats.display.views` (one namespace per notebook cell).

Nothing here computes a measure: the register's detail tables come from the period's
:class:`~village_stats.evaluate.Results` (:func:`period_tables` for the workbook when no notebook runs).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..config import package_versions
from ..indicators import CATALOGUE, label
from ..labels import display_names, in_language, pick, t, unit_name, unit_text
from ..load import PeriodData
from ..measures import crops as crop_measures
from ..schema import ACTIVITIES, PROJECT_CATEGORIES, PROJECT_STATUSES

#: Amounts at or above this many yuan also get the 万元 column (glossary: money). [yuan]
WAN_FROM_YUAN = 10_000.0


# --------------------------------------------------------------------------- typed tables

def typed(frame: pd.DataFrame, *, lang: str = "zh", units: dict | None = None, total_rows: int = 0,
          totals_only: str | None = None, group: bool = False, sheet: str | None = None, only: str | None = None,
          column_only: dict | None = None, signed=(), unknown: dict | None = None, nowrap=(),
          prefix: dict | None = None, join: dict | None = None, brief: dict | None = None) -> pd.DataFrame:
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
    nowrap : iterable of str
        Columns whose cells are never broken over lines (a short name in a narrow column): the layout
        keeps them whole; the text itself is unchanged, so a reader can search and copy it.
    signed : iterable of str
        Columns whose positive numbers get a ``+``.
    unknown : dict, optional
        Column → what the report prints for an unknown value (default a dash).
    prefix : dict, optional
        Column → a list of texts, one per row, printed before a known number (``< `` of a threshold,
        ``−`` of an outflow; empty for none). The workbook writes them into the cells' number formats.
    join : dict, optional
        Column → a text with ``{}``: the column is printed inside the cell of the column before it, its
        text in place of ``{}`` (`` / {}`` gives ``3 / 30``); an unknown value adds nothing. The workbook
        keeps it as a column of its own, under its own header.
    brief : dict, optional
        Column → a list of texts, one per row: what the PDF prints instead of the cell (a policy note's
        short 未核实 mark with its table and row); the HTML and the workbook keep the full text.

    Returns
    -------
    DataFrame
        ``frame`` itself, marked.
    """
    frame.attrs["table"] = {"lang": lang, "units": dict(units or {}), "total_rows": int(total_rows),
                            "totals_only": totals_only, "group": bool(group),
                            "sheet": sheet, "only": only, "column_only": dict(column_only or {}),
                            "signed": list(signed), "unknown": dict(unknown or {}), "nowrap": list(nowrap),
                            "prefix": dict(prefix or {}), "join": dict(join or {}), "brief": dict(brief or {})}
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
        if name in spec.get("nowrap", ()):
            col["nowrap"] = True
        if name in spec.get("unknown", {}):
            col["unknown"] = spec["unknown"][name]
        if name in column_only:
            col["only"] = column_only[name]
        if name in spec.get("prefix", {}):
            texts = [str(p or "") for p in spec["prefix"][name]]
            if len(texts) != len(df):
                raise ValueError(f"column {name!r}: {len(texts)} prefixes for {len(df)} rows")
            col["prefix"] = texts
        if name in spec.get("brief", {}):
            texts = [str(b or "") for b in spec["brief"][name]]
            if len(texts) != len(df):
                raise ValueError(f"column {name!r}: {len(texts)} brief texts for {len(df)} rows")
            col["brief"] = texts
        if name in spec.get("join", {}):
            if j == 0 or "{}" not in spec["join"][name]:
                raise ValueError(f"column {name!r}: join needs a column before it and a text with {{}}")
            col["join"] = spec["join"][name]
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
        hidden = bool(r.get("suppressed", False))  # a protected roll-up's hidden row: the suppressed mark
        out.append((label(ind, lang), t("suppressed", lang) if hidden else float(r["value"]), basis))
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
    cols[unit_name("wan_yuan", lang)] = [wan_yuan_amount(v) if u == "yuan" else math.nan for v, u in zip(values, units)]
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


def wan_yuan_amount(value: float) -> float:
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
    >>> wan_yuan_amount(3097200), wan_yuan_amount(9999.0), wan_yuan_amount(float("nan"))
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
        unit_name("wan_yuan", lang): [wan_yuan_amount(v) for v in invest],
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


def inputs_table(inputs: Mapping[str, str], lang: str = "zh") -> pd.DataFrame:
    """Every input file the report read with its SHA-256 (paths relative to the data folder), as
    :meth:`village_stats.load.Source.digests` recorded them: no file is opened again."""
    rows = sorted(inputs.items())
    return typed(pd.DataFrame(rows, columns=[t("file", lang), t("sha256", lang)]), lang=lang, units={t("sha256", lang): "hash"})


def data_root_text(data_dir, lang: str = "zh") -> str:
    """The data root as a report names it: never an absolute path (it would show the user's folders). Its
    path relative to the project when inside it (``data``, ``examples/demo_county``), else its folder name.

    >>> data_root_text(""), data_root_text("/somewhere/else/county_data")
    ('data', 'county_data')
    """
    from pathlib import Path

    from ..config import PROJECT_ROOT

    if not data_dir:
        return "data"
    path = Path(str(data_dir))
    try:
        return (PROJECT_ROOT / path).resolve().relative_to(PROJECT_ROOT.resolve()).as_posix()
    except ValueError:
        return path.name or str(data_dir)


#: The parameters a report names in its appendix, and their labels' keys (others keep their id).
PARAMETER_LABELS = {"village": "param_village", "period": "param_period", "from_period": "param_from",
                    "to_period": "param_to", "township": "param_township", "data_dir": "param_data_dir",
                    "lang": "param_lang", "report_date": "param_report_date", "exit_target": "param_exit_target"}


def parameters_table(parameters: dict, lang: str = "zh") -> pd.DataFrame:
    """The run's parameters for people: a label and a value per row (no Python syntax; an empty value is a
    dash, the language by name, the data root by :func:`data_root_text`)."""
    rows = []
    for key, value in parameters.items():
        if key == "data_dir":
            shown = data_root_text(value, lang)
        elif key == "lang":
            shown = t(f"lang_name_{value}", lang) if value in ("zh", "en") else str(value)
        else:
            shown = "—" if value in ("", None) else str(value)
        rows.append((t(PARAMETER_LABELS[key], lang) if key in PARAMETER_LABELS else key, shown))
    return typed(pd.DataFrame(rows, columns=[t("parameter", lang), t("value", lang)]), lang=lang)


def versions_table(lang: str = "zh") -> pd.DataFrame:
    """Python's and the main packages' versions."""
    return pd.DataFrame(list(package_versions().items()), columns=[t("package", lang), t("version", lang)])


def period_tables(results, lang: str = "zh") -> list[dict]:
    """The workbook's table blocks of a village-period when no notebook runs (``village-stats indicators
    --format xlsx``): the blocks the period report publishes, from the same builders and the same
    :class:`~village_stats.evaluate.Results` (nothing is computed here)."""
    data, sheet = results.data, results.sheet
    frames = [build(data, lang) for key, build in (("work_log", work_table), ("crops", crops_table),
                                                   ("projects", projects_table), ("project_outputs", outputs_table))
              if data.has(key)]
    if data.has("households"):
        frames += [register_sheet_table(sheet, lang),
                   exit_lists_table(data, results.exit_eligible, results.exited_failing, lang),
                   reconciliation_table(results.reconciliation, lang),
                   audit_table(results.audit, lang)]
    return [table_block(f) for f in frames]


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


def household_ids(mask: pd.Series, data: PeriodData) -> list[str]:
    """The ids of the register's households where ``mask`` holds (never a name)."""
    return list(data.table("households").loc[mask.to_numpy(dtype=bool), "household_id"])


def exit_lists_table(data: PeriodData, eligible: pd.Series, failing: pd.Series, lang: str = "zh") -> pd.DataFrame:
    """The exit lists by household id: poor households meeting the exit test, exited households failing it
    (the workbook's sheet 脱贫核查; the report says them in sentences, :func:`show_exit_lists`)."""
    ids, lists = [], []
    for key, mask in (("exit_eligible_name", eligible), ("exited_failing_name", failing)):
        chosen = household_ids(mask, data)
        ids += chosen
        lists += [t(key, lang)] * len(chosen)
    frame = pd.DataFrame({t("household_id", lang): ids, t("exit_list", lang): lists})
    return typed(frame, lang=lang, units={t("household_id", lang): "text", t("exit_list", lang): "text"}, sheet="exit",
                 only="workbook")


def reconciliation_table(reconciliation: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Reported against register-derived counts, with the difference (register − reported); where the two
    cannot be compared the difference cell says so (or is unknown when nothing was reported)."""
    from ..schema import POPULATION_MEASURES

    units = [CATALOGUE[m].unit for m in reconciliation.index]  # the reported measure's own unit
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
