"""New input files for people: the period workbook an analyst fills in, its CSV twin, and village.yaml.

``new_period`` writes ``data/<village>/<period>.xlsx`` (or a folder of CSV files) from the data contract
in :mod:`village_stats.schema`: one sheet per table with the Chinese headers, the canonical name, unit
and meaning of each column in its header comment and input message, drop-down lists of every
vocabulary (Chinese labels), number, date and yes/no validation, a frozen header, widths that fit
Chinese text, and a 填表说明 sheet generated from the codebook. What can be carried over from the
source period is filled in; figures to collect anew are left empty, with last period's value beside
them in a reference column (header ending in ``(参考)``) that the loader skips.

Every cell is written by the safe-cell rules of :mod:`village_stats.cells` (text is always text, never a
formula), which the exports share.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import schema
from .atomic import atomic_folder, atomic_path, write_atomic
from .cells import CellWriter, Styles, column_width, new_workbook, write_cell
from .errors import DataError
from .labels import COLUMNS_ZH, KIND_HINTS_ZH, TABLES_ZH, UNITS_ZH, VILLAGE_FIELDS_ZH, pick, pinyin_id, say
from .load import PeriodData
from .parse import Village
from .periods import Period
from .readers import INSTRUCTIONS_SHEET, REFERENCE_MARK
from .schema import Column, Table

# --------------------------------------------------------------------------- the contract, in Chinese
# (the words: labels.KIND_HINTS_ZH, labels.UNITS_ZH)

#: The last row a validation covers (0-based: the whole column below the header).
_LAST_ROW = 1_048_575
_YES, _NO = "是", "否"


def reference_header(col: Column) -> str:
    """Header of the reference column shown beside ``col``: last period's value, skipped on loading.

    >>> reference_header(schema.POPULATION.column("value"))
    '上期数值(参考)'
    """
    return f"上期{col.zh}{REFERENCE_MARK}"


def meaning_zh(col: Column) -> str:
    """What a column holds, in Chinese (:data:`village_stats.labels.COLUMNS_ZH`; the codebook's English when
    it has none)."""
    for table in schema.TABLES.values():
        if any(c is col for c in table.columns):
            found = COLUMNS_ZH.get((table.name, col.name))
            if found:
                return found
    return COLUMNS_ZH.get(("*", col.name), col.description)


def column_comment(col: Column) -> str:
    """The header comment of a column: canonical name, unit and meaning (the codebook's words)."""
    lines = [f"字段名 {col.name}"]
    if col.unit:
        lines.append(f"单位：{UNITS_ZH.get(col.unit, col.unit)} [{col.unit}]")
    lines.append(meaning_zh(col))
    if col.sensitive:
        lines.append("个人信息：只用于核对，读入后即删除，不会出现在任何报告中。")
    return "\n".join(lines)


def input_message(col: Column) -> tuple[str, str]:
    """Title (≤ 32 characters) and message (≤ 255) Excel shows when a cell of ``col`` is selected."""
    numeric = col.kind in ("count", "amount", "area", "number")
    need = "必填。" if not col.nullable else ("空白表示未知（不是 0）。" if numeric else "可以留空。")
    hint = KIND_HINTS_ZH[col.kind]
    if col.unit:
        hint += f"，单位：{UNITS_ZH.get(col.unit, col.unit)}"
    private = "个人信息：只用于核对，读入后即删除。" if col.sensitive else ""
    return col.zh[:32], f"{hint}。{need}{private}{meaning_zh(col)}"[:255]


def validation(col: Column) -> dict:
    """XlsxWriter data-validation options for a column, by its kind (input message included)."""
    title, message = input_message(col)
    base = {"input_title": title, "input_message": message, "ignore_blank": True,
            "error_title": col.zh[:32]}
    if col.kind in ("vocab", "bool"):
        labels = [t.zh for t in col.vocab.terms] if col.kind == "vocab" else [_YES, _NO]
        if len(",".join(labels)) > 255:  # Excel's limit for a list written into the validation
            raise ValueError(f"the drop-down list of {col.name} is longer than Excel allows")
        return {**base, "validate": "list", "source": labels,
                "error_message": f"请从下拉列表中选择：{'、'.join(labels)}"[:255]}
    if col.kind in ("count", "year"):
        low, high = (0, 2_147_483_647) if col.kind == "count" else (1900, 2100)
        return {**base, "validate": "integer", "criteria": "between", "minimum": low, "maximum": high,
                "error_message": f"请填{KIND_HINTS_ZH[col.kind]}"}
    if col.kind in ("amount", "area"):
        return {**base, "validate": "decimal", "criteria": ">=", "value": 0,
                "error_message": f"请填{KIND_HINTS_ZH[col.kind]}（数字）"}
    if col.kind == "number":
        return {**base, "validate": "decimal", "criteria": "between", "minimum": -1e15, "maximum": 1e15,
                "error_message": "请填数字"}
    if col.kind == "date":
        return {**base, "validate": "date", "criteria": "between", "minimum": dt.date(1900, 1, 1),
                "maximum": dt.date(2100, 12, 31), "error_message": "请填日期，如 2017-07-01"}
    return {**base, "validate": "any"}


def instructions(title: str, tables: Iterable[Table], *, csv: bool = False) -> list[tuple[str, list[tuple]]]:
    """The 填表说明, generated from the codebook: (section heading, rows) pairs; when a section is a
    table, its first row is the header. ``csv`` words it for a folder of CSV files."""
    tables = list(tables)
    sheet = "CSV 文件" if csv else "工作表"
    rules = [
        (f"每个{sheet}是一张表，{sheet}名就是表名；第一行是表头，请不要修改表头，也不要在表头上方插入行。",),
        ("空白单元格表示“未知”，不是 0；知道是 0 时请填 0。",),
        (f"表头以“{REFERENCE_MARK}”结尾的列是上期数值，只供参考，读入时忽略。",),
        (f"没有数据的表请删除整个{sheet}（只有表头的表按“0 行”读入）。",),
        ("填好后运行 village-stats validate 检查；有问题时会指出文件、行和列。",),
    ]
    if not csv:
        rules[2:2] = [
            ("表头带批注：批注里有字段名、单位和含义；选中单元格时也会显示填写要求。",),
            ("带下拉列表的列只能选列表中的值（中文）；数字、日期和“是/否”列会检查填写的内容。",),
            ("橙色表头是必须填写的列，浅蓝色表头的列可以留空，灰色列只供参考。",),
        ]
    sections: list[tuple[str, list[tuple]]] = [(title, []), ("填写规则", rules)]
    overview = [("工作表", "编号（也可作工作表名）", "是否必需", "每行是", "不可重复", "说明")]
    for t in tables:
        grain, description = TABLES_ZH.get(t.name, (t.grain, " ".join((t.description, *t.notes))))
        overview.append((t.zh, t.name, "必需" if t.required else "可选", grain, "、".join(t.unique), description))
    sections.append(("各表", overview))
    cols = [("工作表", "表头", "字段名", "必须有此列", "可以留空", "单位", "填写要求", "含义")]
    for t in tables:
        for c in t.columns:
            cols.append((t.zh, c.zh, c.name, "是" if c.required else "否", "是" if c.nullable else "否",
                         UNITS_ZH.get(c.unit, c.unit or ""), KIND_HINTS_ZH[c.kind],
                         meaning_zh(c) + (" 个人信息，读入后即删除。" if c.sensitive else "")))
    sections.append(("各列", cols))
    vocab_rows = [("列表", "中文", "编号", "English", "也接受")]
    seen: set[str] = set()
    for t in tables:
        for c in t.columns:
            if c.vocab is not None and c.vocab.name not in seen:
                seen.add(c.vocab.name)
                for term in c.vocab.terms:
                    vocab_rows.append((c.vocab.name, term.zh, term.id, term.en, "、".join(term.aliases)))
    sections.append(("下拉列表的值", vocab_rows))
    return sections


# --------------------------------------------------------------------------- what is carried over

@dataclass(frozen=True)
class SheetTemplate:
    """One table of a new period: rows to write (canonical columns, parsed values) and reference columns.

    ``rows`` holds the table's columns in schema order with values as :class:`PeriodData` holds them
    (vocabulary ids, floats with NaN for unknown, Timestamps, booleans). ``reference`` maps a column
    name to last period's values, shown in a column beside it.
    """

    table: Table
    rows: pd.DataFrame
    reference: dict[str, pd.Series] = field(default_factory=dict)


def _frame(table: Table, columns: dict[str, Iterable]) -> pd.DataFrame:
    n = max((len(list(v)) for v in columns.values()), default=0)
    out = {}
    for c in table.columns:
        values = list(columns[c.name]) if c.name in columns else [None] * n
        out[c.name] = pd.Series(values, dtype=float if c.kind in ("count", "amount", "area", "number") else object)
    return pd.DataFrame(out, columns=list(table.names))


def carry_over(source: PeriodData | None, personal: pd.DataFrame | None = None,
               member_personal: pd.DataFrame | None = None) -> list[SheetTemplate]:
    """The sheets of a new period, filled with what carries over from ``source``.

    Parameters
    ----------
    source : PeriodData or None
        The source period (already validated), or None for a blank template with every table but
        the register.
    personal : DataFrame, optional
        ``household_id`` with the personal columns of the source register (``head_name``,
        ``id_number``), which the loader drops (:func:`personal_columns`); they are carried into the
        register sheet only, as in the source.
    member_personal : DataFrame, optional
        The same for the members table (``household_id``, ``member_no``, ``name``, ``id_number``).

    Returns
    -------
    list of SheetTemplate
        The tables the source has (population always): population (every measure, values empty, last
        values as reference), work log (the source's activities, counts empty, last counts as
        reference), crops (groups with targets and achieved area), projects (category, status,
        investment), project outputs (empty), households (all but income, which is left empty with
        last income as reference); with a register (or blank), members and help measures (2026 tables).
    """
    def has(name: str) -> bool:
        return source is not None and source.has(name)

    def wanted(name: str) -> bool:  # the source's tables; a blank template has all but the register
        return has(name) or (source is None and name != "households")

    out: list[SheetTemplate] = []

    last = source.measures() if has("population") else pd.Series(dtype=float)
    measures = list(schema.POPULATION_MEASURES.ids)
    out.append(SheetTemplate(schema.POPULATION, _frame(schema.POPULATION, {"measure": measures,
                                                                          "value": [np.nan] * len(measures)}),
                             {"value": pd.Series([float(last.get(m, np.nan)) for m in measures])}))

    if has("work_log"):
        log = source.table("work_log")
        activities = list(dict.fromkeys(log["activity"]))
        units = [next((u for u in log.loc[log["activity"] == a, "unit"] if isinstance(u, str) and u), None)
                 if "unit" in log else None for a in activities]
        counts = [log.loc[log["activity"] == a, "count"] for a in activities]
        last_counts = [float(c.sum()) if c.notna().any() else np.nan for c in counts]
    else:
        activities, units, last_counts = list(schema.ACTIVITIES.ids), None, [np.nan] * len(schema.ACTIVITIES.ids)
    cols = {"activity": activities, "count": [np.nan] * len(activities)}
    if units is not None:
        cols["unit"] = units
    if wanted("work_log"):
        out.append(SheetTemplate(schema.WORK_LOG, _frame(schema.WORK_LOG, cols), {"count": pd.Series(last_counts)}))

    for table, carried in ((schema.CROPS, ("crop_group", "name_zh", "name_en", "target_new_area_mu",
                                           "achieved_new_area_mu")),
                           (schema.PROJECTS, ("project_id", "name_zh", "name_en", "category", "status",
                                              "investment_yuan"))):
        src = source.table(table.name) if has(table.name) else None
        cols = {} if src is None else {c: list(src[c]) for c in carried if c in src}
        if wanted(table.name):
            out.append(SheetTemplate(table, _frame(table, cols)))
    if wanted("project_outputs"):
        out.append(SheetTemplate(schema.PROJECT_OUTPUTS, _frame(schema.PROJECT_OUTPUTS, {})))

    if has("households"):
        hh = source.table("households")
        keep = [c.name for c in schema.HOUSEHOLDS.columns if c.name in hh and c.name != "income_per_capita_yuan"]
        cols = {c: list(hh[c]) for c in keep}
        if personal is not None:
            by_id = personal.set_index("household_id")
            cols.update({c: list(hh["household_id"].map(by_id[c])) for c in by_id.columns})
            cols["household_id"] = cols.pop("household_id_as_written", cols["household_id"])
        cols["income_per_capita_yuan"] = [np.nan] * len(hh)
        out.append(SheetTemplate(schema.HOUSEHOLDS, _frame(schema.HOUSEHOLDS, cols),
                                 {"income_per_capita_yuan": pd.Series(list(hh["income_per_capita_yuan"]),
                                                                      dtype=float)}))
    out += _carry_2026(source, member_personal)
    return out


def _carry_2026(source: PeriodData | None, personal: pd.DataFrame | None) -> list[SheetTemplate]:
    """The members and help_measures sheets of a new period (2026 tables): with a source that has the 2026
    data (:func:`~village_stats.schema.has_2026_fields`) or for a blank template, the members carried over (work in the year left empty, its last value as
    reference; ``personal``: household_id, member_no and the member's name and id_number, as in the source)
    and the measures still running (no ended_on)."""
    if source is not None and not (source.has("households") and schema.has_2026_fields(source.tables)):
        return []
    out = []
    if source is not None and source.has("members"):
        m = source.table("members")
        keep = [c.name for c in schema.MEMBERS.columns if c.name in m and c.name not in ("work_place", "work_months")]
        cols = {c: list(m[c]) for c in keep}
        if personal is not None:
            by_key = personal.set_index(["household_id", "member_no"])
            index = pd.MultiIndex.from_arrays([m["household_id"], m["member_no"].astype(float)])
            cols.update({c: list(by_key[c].reindex(index)) for c in by_key.columns})
        out.append(SheetTemplate(schema.MEMBERS, _frame(schema.MEMBERS, cols),
                                 {"work_months": pd.Series(list(m["work_months"]), dtype=float)}))
    else:
        out.append(SheetTemplate(schema.MEMBERS, _frame(schema.MEMBERS, {})))
    if source is not None and source.has("help_measures"):
        h = source.table("help_measures")
        running = h.loc[h["ended_on"].isna()]
        out.append(SheetTemplate(schema.HELP_MEASURES, _frame(schema.HELP_MEASURES, {
            c: list(running[c]) for c in ("household_id", "measure", "started_on", "amount_yuan", "note")
            if c in running})))
    else:
        out.append(SheetTemplate(schema.HELP_MEASURES, _frame(schema.HELP_MEASURES, {})))
    return out


def _people_value(col: Column, v):
    """A parsed value as a person types it: vocabulary ids as Chinese labels, booleans as 是/否."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
        return None
    if col.kind == "vocab":
        return col.vocab.label(v, "zh")
    if col.kind == "vocab_list":
        return "、".join(col.vocab.label(x, "zh") for x in str(v).split("|"))
    if col.kind == "bool":
        return _YES if bool(v) else _NO
    return v


def _layout(sheet: SheetTemplate) -> list[tuple[Column, bool, list]]:
    """Columns in sheet order as (column, is_reference, values as people see them)."""
    out = []
    for c in sheet.table.columns:
        out.append((c, False, [_people_value(c, v) for v in sheet.rows[c.name]]))
        if c.name in sheet.reference:
            out.append((c, True, [_people_value(c, v) for v in sheet.reference[c.name]]))
    return out


# --------------------------------------------------------------------------- writers

_HEADER = {"bold": True, "text_wrap": True, "valign": "vcenter", "border": 1}
_FILL_REQUIRED, _FILL_OPTIONAL, _FILL_REFERENCE = "#F8CBAD", "#DDEBF7", "#E7E6E6"


def write_period_workbook(sheets: list[SheetTemplate], path: str | Path, title: str) -> Path:
    """Write the new-period workbook (填表说明 first, then one sheet per table) to ``path``.

    Rows are written in order and streamed to disk (XlsxWriter's ``constant_memory``), so a register
    of 100,000 households needs little memory.
    """
    path = Path(path)
    book = new_workbook(path, constant_memory=True)
    styles = Styles(book)
    book.set_properties({"title": title, "subject": "village_stats new-period workbook"})
    _write_instructions(book.add_worksheet(INSTRUCTIONS_SHEET), styles, title, [s.table for s in sheets])
    for sheet in sheets:
        ws = book.add_worksheet(sheet.table.zh)  # the Chinese title; reading accepts it and the id alike
        layout = _layout(sheet)
        ws.freeze_panes(1, 0)
        ws.set_row(0, 30)
        writers = []
        for j, (col, ref, values) in enumerate(layout):
            fill = _FILL_REFERENCE if ref else (_FILL_OPTIONAL if col.nullable else _FILL_REQUIRED)
            header = reference_header(col) if ref else col.zh
            write_cell(ws, 0, j, header, styles, **_HEADER, bg_color=fill)
            if ref:
                ws.write_comment(0, j, f"上期的 {col.name}，只供参考：读入时忽略这一列。", {"x_scale": 2})
                cell = {"font_color": "#595959", "bg_color": _FILL_REFERENCE}
            else:
                ws.write_comment(0, j, column_comment(col), {"x_scale": 2.5, "y_scale": 1.5})
                ws.data_validation(1, j, _LAST_ROW, j, validation(col))
                cell = {"num_format": "@"} if col.kind in ("text", "code", "key") else (
                    {"num_format": "yyyy-mm-dd"} if col.kind == "date" else {})
            ws.set_column(j, j, column_width(header, values, minimum=10, maximum=40), styles(**cell))
            writers.append(CellWriter(styles, **cell))
        columns = [values for _, _, values in layout]
        for i, row in enumerate(zip(*columns), start=1):
            for j, v in enumerate(row):
                if v is not None:  # an empty cell takes its column's format (set above): no styled blank
                    writers[j](ws, i, j, v)
    if sheets:
        book.worksheets()[1].activate()  # open on the first table; 填表说明 stays the first tab
    book.close()
    return path


def _write_instructions(ws, styles: Styles, title: str, tables: list[Table]) -> None:
    row = 0
    widths = [14, 18, 22, 10, 10, 10, 28, 60]
    for j, w in enumerate(widths):
        ws.set_column(j, j, w, styles(text_wrap=True, valign="top"))
    for heading, rows in instructions(title, tables):
        write_cell(ws, row, 0, heading, styles, bold=True, font_size=14 if row == 0 else 12)
        row += 1
        tabular = bool(rows) and len(rows[0]) > 1
        for k, r in enumerate(rows):
            if not tabular:  # a sentence across the sheet
                ws.set_row(row, 30)
                ws.merge_range(row, 0, row, len(widths) - 1, r[0], styles(text_wrap=True, valign="top"))
                row += 1
                continue
            props = {**_HEADER, "bg_color": _FILL_OPTIONAL} if k == 0 else {"text_wrap": True, "valign": "top",
                                                                           "border": 1}
            for j, v in enumerate(r):
                write_cell(ws, row, j, v, styles, **props)
            row += 1
        row += 1
    ws.hide_gridlines(2)


def write_period_csv(sheets: list[SheetTemplate], folder: str | Path, title: str) -> Path:
    """Write the new period into ``folder`` (made when missing) as CSV files (Chinese headers, UTF-8 with
    BOM) and 填表说明.txt."""
    from .export.csv import write_csv

    folder = Path(folder)
    folder.mkdir(exist_ok=True)
    for sheet in sheets:
        layout = _layout(sheet)
        frame = pd.DataFrame({j: values for j, (_, _, values) in enumerate(layout)})
        frame.columns = [reference_header(c) if ref else c.zh for c, ref, _ in layout]
        write_csv(frame, folder / sheet.table.filename)
    lines = []
    for heading, rows in instructions(title, [s.table for s in sheets], csv=True):
        lines += [heading, ""] + ["\t".join(str(v) for v in r) for r in rows] + [""]
    write_atomic(folder / f"{INSTRUCTIONS_SHEET}.txt", "\ufeff" + "\r\n".join(lines))
    return folder


# --------------------------------------------------------------------------- new-period

def resolve_source(data_dir: Path, village_id: str, period: Period, source: str) -> Period | None:
    """The period to carry over from: ``previous`` (the latest with data that ends before ``period``
    starts; an unfilled template is passed over), ``none``, or a period code that must have data."""
    from .load import OK, Source, as_period, period_source

    if source == "none":
        return None
    if source == "previous":
        data = Source(data_dir)
        earlier = [p for p in data.stored(village_id) if p.end < period.start and data.status(village_id, p) == OK]
        return max(earlier, key=lambda p: (p.end, p.start)) if earlier else None
    chosen = as_period(source)
    period_source(data_dir, village_id, chosen)  # raises when it has no data
    return chosen


def personal_columns(data_dir: Path, village_id: str, period: Period, table: Table = schema.HOUSEHOLDS,
                     keys: tuple[str, ...] = ("household_id",), raw: pd.DataFrame | None = None
                     ) -> pd.DataFrame | None:
    """``keys`` with the personal columns of a period's table (the register, or the members with
    ``keys=("household_id", "member_no")``), which the loader drops, and ``household_id_as_written``
    (the loader replaces ids that are identity numbers by keyed digests).

    Parses only these columns of ``raw``, the table as read (:meth:`village_stats.load.Source.raw_tables`),
    or, without it, reads the file again (the period was validated by
    :func:`village_stats.load.load_period` before). None when the table has no personal column.
    """
    from .load import period_source
    from .parse import parse_column
    from .personal import household_key, pseudonymise_table
    from .readers import read_csv_raw, read_workbook_raw

    if raw is None:
        where = period_source(data_dir, village_id, period)
        if where.is_dir():
            raw = read_csv_raw(where / table.filename)
        else:
            raw = read_workbook_raw(where)[table.name]
    wanted = [c for c in table.columns if c.sensitive or c.name in keys]
    spellings = {schema.header_key(x): c for c in wanted for x in (c.name, c.zh, *c.aliases)}
    found = {}
    for header in raw.columns:
        c = spellings.get(schema.header_key(str(header)))
        if c is not None:
            found[c.name] = parse_column(raw[header].reset_index(drop=True), c)[0]
    frame = pd.DataFrame(found).dropna(subset=list(keys))  # rows a spreadsheet left empty
    # the loader replaced ids that are identity numbers by keyed digests: carry the ids as written
    frame["household_id_as_written"] = frame["household_id"]
    frame, digested = pseudonymise_table(frame, table, household_key(village_id))
    if len(found) < len(keys) + 1 and not digested:
        return None
    return frame


def period_title(village: Village, period: Period) -> str:
    """The title of a new-period workbook, e.g. ``梭罗峪村 2017年下半年 数据填报表``."""
    return f"{village.name_zh} {period.label('zh')} 数据填报表"


@dataclass(frozen=True)
class NewPeriod:
    """What :func:`new_period` wrote."""

    path: Path
    source: Period | None
    tables: tuple[str, ...]


def new_period(data_dir: str | Path, village_id: str, period: Period | str, source: str = "previous",
               as_: str = "xlsx") -> NewPeriod:
    """Write the input of a new period for people to fill in, never overwriting anything.

    Parameters
    ----------
    data_dir : str or Path
        The data folder.
    village_id : str
        The village (its ``village.yaml`` must exist).
    period : Period or str
        The new period.
    source : str
        ``previous`` (default), ``none`` or a period code to carry over from.
    as_ : {"xlsx", "csv"}
        One workbook ``<period>.xlsx`` or a folder ``<period>/`` of CSV files.

    Raises
    ------
    DataError
        When the period already has data (a folder or a workbook), the village or the source does not
        exist, or the source period is not valid.
    """
    from .config import resolve_data_dir
    from .load import Source, as_period, check_village_id, read_village

    data_dir = Path(data_dir)
    check_village_id(village_id)
    period = as_period(period)
    village = read_village(data_dir, village_id)
    folder = data_dir / village_id
    target = folder / (period.code if as_ == "csv" else f"{period.code}.xlsx")
    for existing in (folder / period.code, folder / f"{period.code}.xlsx"):
        if existing.exists():
            raise DataError(say("msg_period_exists", "en", period=period.code), path=existing,
                            message_zh=say("msg_period_exists", "zh", period=period.code))
    chosen = resolve_source(data_dir, village_id, period, source)
    data = personal = member_personal = None
    if chosen is not None:
        source = Source(resolve_data_dir(data_dir))
        raw = source.raw_tables(village_id, chosen)  # read once: the personal columns come from these
        data = source.period(village_id, chosen)
        if data.has("households"):
            personal = personal_columns(data_dir, village_id, chosen, raw=raw.get("households"))
        if data.has("members"):
            member_personal = personal_columns(data_dir, village_id, chosen, schema.MEMBERS,
                                               ("household_id", "member_no"), raw=raw.get("members"))
    sheets = carry_over(data, personal, member_personal)
    title = period_title(village, period)
    try:  # written beside the target, moved into place whole, never over anything
        if as_ == "csv":
            with atomic_folder(target) as tmp:
                write_period_csv(sheets, tmp, title)
        else:
            with atomic_path(target, replace=False) as tmp:
                write_period_workbook(sheets, tmp, title)
    except FileExistsError:
        raise DataError("appeared while the new period was being written; nothing is overwritten",
                        path=target) from None
    return NewPeriod(target, chosen, tuple(s.table.name for s in sheets))


# --------------------------------------------------------------------------- village.yaml

def village_yaml(values: dict[str, object], lang: str = "zh") -> str:
    """``village.yaml`` text from the codebook's keys: each key with its meaning as a comment (in Chinese
    by default, :data:`village_stats.labels.VILLAGE_FIELDS_ZH`; English with ``lang="en"``).

    Keys not given stay empty (required ones) or commented out (optional ones), so the file says
    what is still to fill in; :func:`village_stats.load.read_village` refuses it until then.

    >>> print(village_yaml({"id": "x", "name_zh": "某村"}).splitlines()[4])
    name_zh: 某村
    """
    import yaml

    lines = ["# " + say("yaml_head", lang)]
    for key, meaning, required in schema.VILLAGE_FIELDS:
        meaning = pick((VILLAGE_FIELDS_ZH.get(key, meaning), meaning), lang)
        lines.append(f"# {meaning}{'' if required else say('yaml_optional', lang)}")
        v = values.get(key)
        if v is None or v == "":
            lines.append(f"{key}:" if required else f"# {key}:")
        else:
            dumped = yaml.safe_dump({key: v}, allow_unicode=True, default_flow_style=False, width=1000).strip()
            lines.append(dumped)
    return "\n".join(lines) + "\n"


def missing_village_fields(values: dict[str, object]) -> list[str]:
    """Required keys of village.yaml that ``values`` leaves empty."""
    return [key for key, _, required in schema.VILLAGE_FIELDS if required and values.get(key) in (None, "")]


def new_village(data_dir: str | Path, values: dict[str, object], lang: str = "zh") -> Path:
    """Write ``data/<id>/village.yaml`` from ``values`` (never over an existing one); without an ``id`` it is
    made from ``name_zh`` (:func:`pinyin_id`), so nobody has to invent an English id.

    Raises
    ------
    DataError
        On a bad id or region, or when the village folder already has a village.yaml.
    """
    from .load import check_village_id

    values = dict(values)
    if not values.get("id") and values.get("name_zh"):
        values["id"] = pinyin_id(str(values["name_zh"]))
    vid = check_village_id(str(values.get("id") or ""))
    if values.get("region"):
        lookup = schema.REGIONS.lookup()
        region = schema.normalize_text(str(values["region"])).lower()
        if region not in lookup:
            raise DataError(f"region '{values['region']}': expected one of "
                            + ", ".join(f"{t.id}/{t.zh}" for t in schema.REGIONS.terms))
        values["region"] = lookup[region]
    folder = Path(data_dir) / vid
    path = folder / "village.yaml"
    if path.exists():
        raise DataError("village.yaml already exists: nothing is overwritten", path=path)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        return write_atomic(path, village_yaml(values, lang), replace=False)
    except FileExistsError:
        raise DataError("village.yaml already exists: nothing is overwritten", path=path) from None
