"""Declarative description of every input table: columns, Chinese headers, kinds, units, vocabularies.

This module is the one source of truth for the data contract. The loader (:mod:`village_stats.load`)
applies it, the error messages quote it, and the codebook in ``data/README.md`` is generated from it
(:mod:`village_stats.codebook`, ``village-stats codebook``), so the three cannot drift apart.

Every table, vocabulary and policy table is declared here, so that the whole contract reads in one place;
the module is long (over 600 lines) because it is that one declaration of the contract (since the 2026
tables: members, help measures, the 常态化帮扶 household fields and their policy tables); the Markdown
codebook, a view of it, lives in its own module.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .labels import pick


@dataclass(frozen=True)
class Term:
    """One allowed value of a vocabulary: canonical id plus its labels."""

    id: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    """A closed set of allowed values, matched on the canonical id, the Chinese label or an alias."""

    name: str
    terms: tuple[Term, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.terms)

    def lookup(self) -> dict[str, str]:
        """Map every accepted spelling (normalised) to its canonical id."""
        out: dict[str, str] = {}
        for t in self.terms:
            for spelling in (t.id, t.zh, *t.aliases):
                out[normalize_text(spelling).lower()] = t.id
        return out

    def label(self, term_id: str, lang: str = "zh") -> str:
        for t in self.terms:
            if t.id == term_id:
                return pick((t.zh, t.en), lang)
        return term_id


#: Column kinds and what each accepts (quoted in error messages and the codebook).
KINDS = {
    "text": "free text",
    "code": "an identifier of lower-case letters, digits and '_' (e.g. cattle_farm)",
    "key": "a non-empty identifier",
    "count": "a whole number >= 0 (thousands separators allowed)",
    "amount": "an amount >= 0 (thousands separators and a 万 suffix allowed, e.g. 110万)",
    "area": "an area >= 0",
    "number": "a number",
    "date": "an ISO date YYYY-MM-DD",
    "year": "a four-digit year",
    "vocab": "one of the listed values",
    "vocab_list": "one or more of the listed values separated by '|' (also '、', ';' or '；')",
    "bool": "是/否, 1/0, true/false or y/n",
}

#: The same expectations in Chinese (messages in the user's language).
KINDS_ZH = {
    "text": "文字",
    "code": "编号：小写英文字母、数字和下划线（如 cattle_farm）",
    "key": "非空编号",
    "count": "不小于 0 的整数（可带千分位）",
    "amount": "不小于 0 的金额（可带千分位或“万”，如 110万）",
    "area": "不小于 0 的面积",
    "number": "数字",
    "date": "日期 YYYY-MM-DD",
    "year": "四位年份",
    "vocab": "所列取值之一",
    "vocab_list": "所列取值中的一项或多项，用 |、、、; 或 ； 分隔",
    "bool": "是/否、1/0、true/false 或 y/n",
}

#: Largest plausible magnitude of a value of each numeric kind (a column's ``maximum`` overrides it):
#: a village has at most some thousands of households, and nothing it records comes near these
#: bounds; values beyond them are typing or unit errors. For ``number`` the bound is on |value|.
KIND_MAXIMUM = {
    "count": 1_000_000,          # [households], [persons], visits
    "amount": 10_000_000_000,    # [yuan]: 100亿元
    "area": 10_000_000,          # [mu]
    "number": 100_000_000,       # e.g. income per person [yuan], |value|
}

#: Accepted range of a poverty line [yuan per person per year] (village.yaml, poverty_lines.csv).
POVERTY_LINE_RANGE_YUAN = (100.0, 100_000.0)


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Attributes
    ----------
    name : str
        Canonical (English, snake_case) name; carries the unit as a suffix where it has one.
    zh : str
        The Chinese header accepted in place of ``name``.
    kind : str
        One of :data:`KINDS`.
    description : str
        Meaning of the column, in English.
    unit : str, optional
        Unit in brackets style (``yuan``, ``mu``, ``persons``).
    vocab : Vocabulary, optional
        Allowed values when ``kind == "vocab"``.
    required : bool
        Whether the column must be present in the file.
    nullable : bool
        Whether a cell may be empty (meaning "unknown", never zero).
    aliases : tuple of str
        Other accepted headers.
    sensitive : bool
        Personal data that must never reach an output.
    """

    name: str
    zh: str
    kind: str
    description: str
    unit: str | None = None
    vocab: Vocabulary | None = None
    required: bool = True
    nullable: bool = True
    aliases: tuple[str, ...] = ()
    sensitive: bool = False
    maximum: float | None = None

    @property
    def upper(self) -> float | None:
        """Largest plausible value (or magnitude, for ``number``): ``maximum`` or the kind's bound."""
        return self.maximum if self.maximum is not None else KIND_MAXIMUM.get(self.kind)

    @property
    def expectation(self) -> str:
        if self.kind == "vocab" and self.vocab is not None:
            return "one of " + ", ".join(f"{t.id}/{t.zh}" for t in self.vocab.terms)
        if self.kind == "vocab_list" and self.vocab is not None:
            return "one or more of " + ", ".join(f"{t.id}/{t.zh}" for t in self.vocab.terms) + \
                " separated by '|' (also '、', ';' or '；')"
        return KINDS[self.kind]

    @property
    def expectation_zh(self) -> str:
        """:attr:`expectation` in Chinese."""
        if self.kind in ("vocab", "vocab_list") and self.vocab is not None:
            listed = "、".join(t.zh for t in self.vocab.terms)
            return ("以下之一：" if self.kind == "vocab" else "以下一项或多项（用 | 或 、 分隔）：") + listed
        return KINDS_ZH[self.kind]


@dataclass(frozen=True)
class Table:
    """One input table (a CSV file in a period folder, or a sheet of the period workbook)."""

    name: str
    zh: str
    description: str
    columns: tuple[Column, ...]
    required: bool = False
    unique: tuple[str, ...] = ()
    grain: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)
    en: str = ""  # English title, as the report names the table

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


# --------------------------------------------------------------------------- helpers

_PAREN = str.maketrans({"（": "(", "）": ")", "　": " "})


def normalize_text(text: str) -> str:
    """Normalise a header or vocabulary spelling: NFKC (full-width → half-width), no outer spaces.

    >>> normalize_text(" 计划新增面积（亩） ")
    '计划新增面积(亩)'
    """
    return unicodedata.normalize("NFKC", str(text).translate(_PAREN)).strip()


def header_key(text: str) -> str:
    """Key used to match headers: normalised, case-folded, inner spaces removed.

    >>> header_key("投资 (元)") == header_key("投资（元）")
    True
    """
    return re.sub(r"\s+", "", normalize_text(text)).casefold()


# --------------------------------------------------------------------------- vocabularies

POPULATION_MEASURES = Vocabulary("population_measure", (
    Term("households_total", "农业户数", "Agricultural households", ("总户数", "全村农业户数")),
    Term("population_total", "农业人口", "Agricultural population", ("总人口", "全村农业人口")),
    Term("poor_households", "贫困户数", "Poor households", ("贫困户",)),
    Term("poor_population", "贫困人口", "Poor population", ("贫困人口数",)),
    Term("wubao_households", "五保户数", "Wubao (five-guarantee) households", ("五保户", "特困供养户数")),
    Term("dibao_households", "低保户数", "Dibao (minimum-living) households", ("低保户",)),
    Term("absent_poor_households", "长期不在村贫困户数", "Poor households long absent",
         ("长期不在村户数",)),
))
REQUIRED_MEASURES = ("households_total", "population_total", "poor_households", "poor_population")

ACTIVITIES = Vocabulary("activity", (
    Term("household_contact", "入户对接", "Household contacts"),
    Term("household_visit", "入户走访", "Household visits"),
    Term("holiday_condolence", "节日慰问", "Holiday condolence visits", ("春节慰问",)),
    Term("committee_meeting", "村两委会议", "Village committee meetings"),
    Term("veterans_forum", "老党员老干部座谈会", "Forums with veteran Party members and cadres"),
    Term("party_branch_meeting", "党员支部大会", "Party branch meetings"),
    Term("party_building_meeting", "基层党组织建设会议", "Party-building meetings"),
    Term("villager_representative_meeting", "村民代表大会", "Villager representative meetings"),
    Term("training", "培训", "Trainings"),
))
#: Activities that count as meetings (``meetings_total``).
MEETING_ACTIVITIES = ("committee_meeting", "veterans_forum", "party_branch_meeting",
                      "party_building_meeting", "villager_representative_meeting")

PROJECT_CATEGORIES = Vocabulary("project_category", (
    Term("industry", "产业发展", "Industry"),
    Term("infrastructure", "基础设施", "Infrastructure"),
    Term("living_environment", "人居环境", "Living environment"),
    Term("public_service", "公共服务", "Public services"),
))

PROJECT_STATUSES = Vocabulary("project_status", (
    Term("planned", "计划", "Planned", ("规划", "拟建")),
    Term("in_progress", "在建", "In progress", ("实施中", "施工中")),
    Term("completed", "完工", "Completed", ("已完工", "竣工")),
))
#: Statuses whose investment counts as committed.
COMMITTED_STATUSES = ("in_progress", "completed")

REGIONS = Vocabulary("region", (
    Term("eastern", "东部", "Eastern"),
    Term("central", "中部", "Central"),
    Term("western", "西部", "Western"),
))
#: Village exit thresholds by region are policy data: ``data/policy/exit_thresholds.csv``.

# --------------------------------------------------------------------------- tables

NOTE = Column("note", "备注", "text", "Where the figure comes from, or any remark.", required=False)

POPULATION = Table(
    "population", "人口与贫困基本情况",
    "Head counts of the village for the period, one row per measure.",
    (
        Column("measure", "指标", "vocab", "Which head count the row gives.", vocab=POPULATION_MEASURES,
               nullable=False),
        Column("value", "数值", "count", "The head count [households or persons, by measure].",
               unit="households or persons"),
        NOTE,
    ),
    required=True, unique=("measure",), grain="one row per measure", en="population",
    notes=("households_total, population_total, poor_households and poor_population are required.",),
)

WORK_LOG = Table(
    "work_log", "帮扶工作记录",
    "What the work team did in the period: contacts, visits, meetings, trainings.",
    (
        Column("activity", "工作类型", "vocab", "Kind of activity.", vocab=ACTIVITIES, nullable=False),
        Column("count", "数量", "count", "How many (households, visits or meetings, see unit).",
               unit="see unit"),
        Column("unit", "单位", "text", "Unit of count, e.g. 户, 户次, 次.", required=False),
        Column("date_from", "开始日期", "date", "First day covered by the row.", required=False),
        Column("date_to", "结束日期", "date", "Last day covered by the row.", required=False),
        NOTE,
    ),
    grain="one row per activity and date range", en="work log",
)

CROPS = Table(
    "crops", "种植结构调整",
    "Crop-restructuring targets: new area per crop group planned for the period, and achieved.",
    (
        Column("crop_group", "作物类别", "code", "Crop group id, e.g. minor_grains.", nullable=False),
        Column("name_zh", "名称", "text", "Chinese name of the crop group.", nullable=False),
        Column("name_en", "英文名称", "text", "English name (optional).", required=False),
        Column("target_new_area_mu", "计划新增面积(亩)", "area", "Planned new area [mu].", unit="mu"),
        Column("achieved_new_area_mu", "已完成面积(亩)", "area", "New area achieved so far [mu].",
               unit="mu", required=False),
        NOTE,
    ),
    unique=("crop_group",), grain="one row per crop group", en="crop restructuring",
)

PROJECTS = Table(
    "projects", "帮扶项目",
    "Projects the team runs or supports, with category, status and investment.",
    (
        Column("project_id", "项目编号", "code", "Project id, e.g. cattle_farm.", nullable=False),
        Column("name_zh", "项目名称", "text", "Chinese name of the project.", nullable=False),
        Column("name_en", "英文名称", "text", "English name (optional).", required=False),
        Column("category", "类别", "vocab", "Category.", vocab=PROJECT_CATEGORIES, nullable=False),
        Column("status", "状态", "vocab", "Status at the end of the period.", vocab=PROJECT_STATUSES,
               nullable=False),
        Column("investment_yuan", "投资(元)", "amount", "Total investment (estimate) [yuan]; empty = unknown.",
               unit="yuan"),
        NOTE,
    ),
    unique=("project_id",), grain="one row per project", en="project",
)

PROJECT_OUTPUTS = Table(
    "project_outputs", "项目产出",
    "Physical outputs of each project (built, planted, capacity).",
    (
        Column("project_id", "项目编号", "code", "The project (must be in projects).", nullable=False),
        Column("output", "产出", "text", "What was built or provided.", nullable=False),
        Column("quantity", "数量", "number", "How much [unit].", unit="see unit"),
        Column("unit", "单位", "text", "Unit of quantity, e.g. 米, 平方米, 亩, 株."),
        NOTE,
        Column("output_en", "英文产出", "text", "English wording of output (optional; the English report "
               "shows output where it is empty).", required=False),
    ),
    grain="one row per project and output", en="project output",
)

HOUSEHOLD_CATEGORIES = Vocabulary("household_category", (
    Term("general", "一般贫困户", "General poor household", ("一般户",)),
    Term("dibao", "低保贫困户", "Dibao poor household", ("低保户",)),
    Term("tekun", "特困供养贫困户", "Tekun (extreme-poverty support) poor household",
         ("五保贫困户", "特困供养户", "五保户")),
    Term("non_poor", "非贫困户", "Not a poor household", ("一般农户",)),
))

HOUSEHOLD_STATUSES = Vocabulary("household_status", (
    Term("poor", "未脱贫", "Not yet exited", ("贫困",)),
    Term("exited", "已脱贫", "Exited", ("脱贫",)),
    Term("returned", "返贫", "Returned to poverty"),
    Term("non_poor", "非贫困", "Not poor"),
))
#: Statuses counted as poor (registered poor who have not exited, plus returned).
POOR_STATUSES = ("poor", "returned")

CAUSES = Vocabulary("poverty_cause", (
    Term("illness", "因病", "Illness"),
    Term("disability", "因残", "Disability"),
    Term("schooling", "因学", "Schooling costs"),
    Term("disaster", "因灾", "Disaster"),
    Term("lack_of_land", "缺土地", "Lack of land"),
    Term("lack_of_water", "缺水", "Lack of water"),
    Term("lack_of_skills", "缺技术", "Lack of skills"),
    Term("lack_of_labour", "缺劳动力", "Lack of labour"),
    Term("lack_of_funds", "缺资金", "Lack of funds"),
    Term("poor_transport", "交通条件落后", "Poor transport"),
    Term("lack_of_motivation", "自身发展动力不足", "Lack of motivation"),
    Term("other", "其他", "Other"),
))

MONITORING_TYPES = Vocabulary("monitoring_type", (
    Term("unstable_exited", "脱贫不稳定户", "Exited but unstable household"),
    Term("marginal", "边缘易致贫户", "Marginal household at risk of poverty"),
    Term("sudden_hardship", "突发严重困难户", "Household in sudden severe hardship"),
))

RISK_TYPES = Vocabulary("risk_type", (
    Term("illness", "因病", "Illness"),
    Term("disability", "因残", "Disability"),
    Term("schooling", "因学", "Schooling costs"),
    Term("disaster", "因灾", "Disaster"),
    Term("accident", "因意外事故", "Accident", ("意外事故",)),
    Term("unemployment", "因务工就业不稳", "Unemployment", ("失业", "就业不稳")),
    Term("income_drop", "收入大幅缩减", "Sharp drop of income", ("收入骤减",)),
    Term("rigid_spending", "刚性支出较大", "Large rigid spending", ("刚性支出",)),
    Term("other", "其他", "Other"),
))

EVALUATION_SAMPLES = Vocabulary("evaluation_sample", (
    Term("exited", "已脱贫户抽样", "Sample of exited households", ("已脱贫",)),
    Term("non_registered", "未建档立卡户抽样", "Sample of non-registered households", ("未建档立卡",)),
    Term("surveyed", "群众认可度调查", "Satisfaction survey", ("认可度调查",)),
))

EVALUATION_FINDINGS = Vocabulary("evaluation_finding", (
    Term("correct", "无问题", "Correct", ("正确",)),
    Term("wrongly_exited", "错退", "Wrongly exited"),
    Term("missed", "漏评", "Missed (eligible, not registered)"),
))

# 2026: 常态化帮扶 (防止返贫致贫对象, members, help measures, low-income layers); see docs/policy.md
DISCOVERY_CHANNELS = Vocabulary("discovery_channel", (
    Term("self_report", "农户自主申报", "Self-report by the household", ("自主申报", "农户申报")),
    Term("routine_check", "基层日常排查", "Routine check by local staff", ("日常排查", "基层排查")),
    Term("data_alert", "部门大数据预警", "Alert from departments' data", ("大数据预警", "部门预警", "部门筛查预警")),
))

RELATIONS = Vocabulary("relation", (
    Term("head", "户主", "Household head", ("本人", "户主本人")),
    Term("spouse", "配偶", "Spouse", ("之妻", "之夫", "妻子", "丈夫")),
    Term("child", "子女", "Child", ("之子", "之女", "儿子", "女儿", "子", "女")),
    Term("grandchild", "孙子女", "Grandchild", ("之孙子", "之孙女", "之外孙子", "之外孙女", "孙子", "孙女",
                                               "外孙子女")),
    Term("parent", "父母", "Parent", ("之父", "之母", "父亲", "母亲")),
    Term("grandparent", "祖父母", "Grandparent", ("之祖父", "之祖母", "之外祖父", "之外祖母", "外祖父母")),
    Term("sibling", "兄弟姐妹", "Sibling", ("之兄弟姐妹", "之兄", "之弟", "之姐", "之妹")),
    Term("daughter_in_law", "儿媳", "Daughter-in-law", ("之儿媳", "儿媳妇")),
    Term("son_in_law", "女婿", "Son-in-law", ("之女婿",)),
    Term("other", "其他", "Other relation", ("其他亲属", "其他关系")),
))

SEXES = Vocabulary("sex", (
    Term("male", "男", "Male", ("男性",)),
    Term("female", "女", "Female", ("女性",)),
))

SCHOOLING = Vocabulary("in_school", (
    Term("preschool", "学前", "Preschool", ("学前教育", "幼儿园")),
    Term("primary", "小学", "Primary school"),
    Term("junior", "初中", "Junior secondary school"),
    Term("senior", "高中/中职", "Senior secondary or vocational school", ("高中", "中职", "高中或中职")),
    Term("college", "大专及以上", "College or university", ("大专", "本科", "本科及以上", "高职")),
    Term("not_in_school", "未在校", "Not in school", ("非在校生", "不在校")),
    Term("dropped_out", "辍学", "Dropped out", ("失学辍学", "失学")),
))
#: Schooling values of a school-age child that is not at school (``school_age_not_in_school``).
OUT_OF_SCHOOL = ("not_in_school", "dropped_out")

HEALTH = Vocabulary("health", (
    Term("healthy", "健康", "Healthy"),
    Term("chronic", "长期慢性病", "Long-term chronic illness", ("慢性病",)),
    Term("serious_illness", "大病", "Serious illness", ("患有大病",)),
    Term("disabled", "残疾", "Disabled"),
))

LABOUR = Vocabulary("labour", (
    Term("ordinary", "普通劳动力", "Ordinary labour"),
    Term("skilled", "技能劳动力", "Skilled labour"),
    Term("weak", "弱劳动力", "Weak labour", ("弱劳动力或半劳动力", "半劳动力")),
    Term("lost", "丧失劳动力", "Lost labour capacity"),
    Term("none", "无劳动力", "No labour capacity"),
))

WORK_PLACES = Vocabulary("work_place", (
    Term("in_county", "县内", "Within the county", ("县内务工",)),
    Term("in_province", "省内县外", "Within the province, outside the county", ("省内县外务工",)),
    Term("out_of_province", "省外", "Outside the province", ("省外务工",)),
    Term("not_working", "未务工", "Not working away", ("无",)),
))

HELP_MEASURE_TYPES = Vocabulary("help_measure", (
    Term("industry", "产业帮扶", "Industry support", ("产业",)),
    Term("employment", "就业帮扶", "Employment support", ("就业",)),
    Term("education", "教育帮扶", "Education support", ("教育",)),
    Term("health", "健康帮扶", "Health support", ("健康", "医疗帮扶")),
    Term("social_security", "综合保障", "Social security (safety net)", ("兜底保障", "综合保障性措施")),
    Term("housing", "住房保障", "Housing support", ("住房安全保障",)),
    Term("finance", "金融帮扶", "Financial support", ("金融", "小额信贷")),
    Term("public_welfare_job", "公益岗位", "Public-welfare job", ("公益性岗位",)),
    Term("other", "其他", "Other support", ("其他帮扶",)),
))

#: The low-income layers (民政 低收入人口 plus the monitored objects), in report order.
LAYERS = ("dibao", "tekun", "dibao_edge", "rigid_spending_hardship")

#: The five guarantees (两不愁三保障 plus water), in report order.
GUARANTEES = ("food_clothing_secure", "education_secure", "medical_secure", "housing_secure", "water_secure")

HOUSEHOLDS = Table(
    "households", "建档立卡户",
    "The household register (建档立卡): one row per listed household. It may list every household of "
    "the village or only the registered ones.",
    (
        Column("household_id", "户编号", "key", "Household number in the register.", nullable=False),
        Column("head_name", "户主姓名", "text", "Name of the household head.", required=False, sensitive=True),
        Column("id_number", "证件号码", "text", "Identity number of the household head (checked, never shown).",
               required=False, sensitive=True, aliases=("身份证号", "身份证号码", "户主证件号码")),
        Column("members", "家庭人口", "count", "Persons in the household [persons]; at least 1, at most 30.",
               unit="persons", nullable=False, maximum=30, aliases=("家庭人口数",)),
        Column("category", "贫困户属性", "vocab", "Household category.", vocab=HOUSEHOLD_CATEGORIES,
               nullable=False),
        Column("status", "脱贫状态", "vocab", "Poverty status.", vocab=HOUSEHOLD_STATUSES, nullable=False),
        Column("exit_year", "脱贫年度", "year", "Year of exit (exited households).", required=False),
        Column("main_cause", "主要致贫原因", "vocab", "Main cause of poverty, by label.", vocab=CAUSES,
               required=False),
        Column("income_per_capita_yuan", "人均纯收入(元)", "number",
               "Net income per person per year [yuan per person]; may be <= 0.", unit="yuan",
               nullable=False, aliases=("人均纯收入",)),
        Column("absent", "长期不在村", "bool", "Whether the household is long absent from the village.",
               required=False),
        Column("food_clothing_secure", "吃穿不愁", "bool", "Food and clothing secure (不愁吃、不愁穿).",
               nullable=False),
        Column("education_secure", "义务教育保障", "bool", "Compulsory education guaranteed.", nullable=False),
        Column("medical_secure", "基本医疗保障", "bool", "Basic medical care guaranteed.", nullable=False),
        Column("housing_secure", "住房安全保障", "bool", "Safe housing guaranteed.", nullable=False),
        Column("water_secure", "饮水安全保障", "bool", "Safe drinking water guaranteed.", nullable=False),
        # monitoring of households at risk (防返贫动态监测, from 2021); all optional
        Column("monitoring_type", "监测对象类型", "vocab", "Monitoring type (empty = not a monitoring object).",
               vocab=MONITORING_TYPES, required=False),
        Column("monitoring_since", "纳入监测日期", "date", "Day the household was taken into monitoring.",
               required=False),
        Column("risk_eliminated_on", "风险消除日期", "date", "Day its risk was marked eliminated (风险消除); "
               "the record stays in the register.", required=False),
        Column("risk_types", "风险类型", "vocab_list", "Risks identified, one or more.", vocab=RISK_TYPES,
               required=False),
        Column("has_labour", "有劳动能力", "bool", "Whether the household has a member able to work.",
               required=False),
        Column("rigid_spending_yuan", "刚性支出(元)", "amount", "Rigid spending of the household in the year "
               "(medical, schooling, disaster repair) [yuan per household per year].", unit="yuan",
               required=False),
        # 常态化帮扶 (from 2026; all optional): how the risk was found and publicised, income parts, layers
        Column("risk_found_on", "风险发现日期", "date", "Day the risk was first noticed (first clue).",
               required=False, aliases=("发现风险日期", "风险线索发现日期")),
        Column("discovery_channel", "风险发现渠道", "vocab", "How the risk was found.", vocab=DISCOVERY_CHANNELS,
               required=False, aliases=("发现渠道",)),
        Column("publicised_from", "公示开始日期", "date", "First day of the village 公示 of the identification.",
               required=False),
        Column("publicised_to", "公示结束日期", "date", "Last day of the village 公示 (both days count).",
               required=False),
        Column("wage_income_yuan", "人均工资性收入(元)", "number", "Wage income per person per year [yuan].",
               unit="yuan", required=False, aliases=("工资性收入",)),
        Column("business_income_yuan", "人均生产经营性收入(元)", "number", "Net business income (生产经营性收入 "
               "less 生产经营性支出) per person per year [yuan]; may be < 0.", unit="yuan", required=False,
               aliases=("生产经营性收入", "人均经营净收入(元)")),
        Column("property_income_yuan", "人均财产性收入(元)", "number", "Property income per person per year [yuan].",
               unit="yuan", required=False, aliases=("财产性收入",)),
        Column("transfer_income_yuan", "人均转移性收入(元)", "number", "Transfer income (policy payments, "
               "pensions, remittances) per person per year [yuan].", unit="yuan", required=False,
               aliases=("转移性收入",)),
        Column("dibao", "低保对象", "bool", "The household receives 低保 (minimum living guarantee).",
               required=False, aliases=("是否低保",)),
        Column("tekun", "特困人员", "bool", "The household has 特困 (extreme-poverty) support.", required=False,
               aliases=("是否特困",)),
        Column("dibao_edge", "低保边缘家庭", "bool", "A 低保边缘家庭 (income below 1.5 × the local 低保 standard).",
               required=False, aliases=("是否低保边缘",)),
        Column("rigid_spending_hardship", "刚性支出困难家庭", "bool", "A 刚性支出困难家庭 (large medical or "
               "schooling spending).", required=False, aliases=("是否刚性支出困难",)),
    ),
    unique=("household_id",), grain="one row per household", en="household register",
    notes=("head_name and id_number are read only to check them; they are dropped when the file is loaded and "
           "never reach any output.",
           "The monitoring columns (monitoring_type … rigid_spending_yuan) are for registers from 2021 on; "
           "risk_types separates several values with '|'.",
           "Any household may carry a monitoring_type, whatever its status: from 2026 a non-poor household at "
           "risk is a 防止返贫致贫对象 too. The columns risk_found_on … rigid_spending_hardship are the 2026 "
           "fields (常态化帮扶); the income parts are per person per year and add up to about "
           "income_per_capita_yuan.",),
)

EVALUATION_SAMPLE = Table(
    "evaluation_sample", "第三方评估抽样",
    "Findings of an exit evaluation (第三方评估) on sampled households: one row per household and sample.",
    (
        Column("household_id", "户编号", "key", "Household number (as in the register).", nullable=False),
        Column("sample", "样本类型", "vocab", "Which sample the household was drawn in.", vocab=EVALUATION_SAMPLES,
               nullable=False),
        Column("finding", "核查结论", "vocab", "What the evaluators found (exited and non_registered samples).",
               vocab=EVALUATION_FINDINGS),
        Column("satisfied", "是否认可", "bool", "Whether the household approves of the work (surveyed sample)."),
        NOTE,
    ),
    unique=(), grain="one row per household and sample", en="evaluation sample",
    notes=("错退率 = wrongly_exited / rows of sample exited; 漏评率 = missed / rows of sample non_registered; "
           "认可度 = satisfied / rows of sample surveyed.",),
)

MEMBERS = Table(
    "members", "家庭成员",
    "The members of the register's households (2026 exports of the monitoring system): one row per person.",
    (
        Column("household_id", "户编号", "key", "The household (must be in households).", nullable=False),
        Column("member_no", "成员序号", "count", "Number of the member within the household.", nullable=False,
               maximum=99, aliases=("序号", "人员序号")),
        Column("relation", "与户主关系", "vocab", "Relation to the household head.", vocab=RELATIONS,
               nullable=False),
        Column("name", "姓名", "text", "Name of the member.", required=False, sensitive=True,
               aliases=("成员姓名",)),
        Column("id_number", "证件号码", "text", "Identity number of the member (checked, never shown).",
               required=False, sensitive=True, aliases=("身份证号", "身份证号码")),
        Column("sex", "性别", "vocab", "Sex.", vocab=SEXES, required=False),
        Column("birth_date", "出生日期", "date", "Date of birth.", required=False),
        Column("in_school", "在校生状况", "vocab", "Schooling.", vocab=SCHOOLING, required=False,
               aliases=("在校生情况", "在校情况")),
        Column("health", "健康状况", "vocab", "Health.", vocab=HEALTH, required=False),
        Column("disability_grade", "残疾等级", "count", "Disability grade 1–4 (1 most severe); empty if none.",
               required=False, maximum=4),
        Column("labour", "劳动技能", "vocab", "Labour capacity.", vocab=LABOUR, required=False,
               aliases=("劳动能力",)),
        Column("work_place", "务工区域", "vocab", "Where the member worked away in the year.", vocab=WORK_PLACES,
               required=False, aliases=("务工地点",)),
        Column("work_months", "务工时间(月)", "number", "Months worked away in the year [months], 0–12.",
               unit="months", required=False, maximum=12, aliases=("务工时间", "务工月数")),
        Column("medical_insured", "参加城乡居民基本医疗保险", "bool", "Insured by the basic medical insurance.",
               required=False, aliases=("参加医保", "是否参加医保")),
        Column("pension_insured", "参加城乡居民基本养老保险", "bool", "Insured by the basic pension insurance.",
               required=False, aliases=("参加养老保险", "是否参加养老保险")),
        NOTE,
    ),
    grain="one row per person", en="household members",
    notes=("Each (household_id, member_no) once; every household_id must be in households. name and id_number "
           "are read only to check them; they are dropped when the file is loaded and never reach any output.",
           "A household whose members differs from its rows here, or without exactly one 户主, is an audit "
           "finding (not a load error).",),
)

HELP_MEASURES = Table(
    "help_measures", "帮扶措施",
    "Help measures given to households (常态化帮扶): one row per measure.",
    (
        Column("household_id", "户编号", "key", "The household (must be in households).", nullable=False),
        Column("measure", "帮扶措施类型", "vocab", "Kind of measure.", vocab=HELP_MEASURE_TYPES, nullable=False,
               aliases=("措施类型",)),
        Column("started_on", "开始日期", "date", "First day of the measure.", nullable=False,
               aliases=("落实日期",)),
        Column("ended_on", "结束日期", "date", "Last day of the measure; empty while it runs.", required=False),
        Column("amount_yuan", "帮扶金额(元)", "amount", "Money given or lent [yuan]; empty = none or unknown.",
               unit="yuan", required=False, aliases=("金额(元)", "金额")),
        NOTE,
    ),
    grain="one row per measure", en="help measures",
    notes=("A measure runs in the period when it started by the period's end and did not end before its "
           "start.",),
)

TABLES: dict[str, Table] = {t.name: t for t in (POPULATION, WORK_LOG, CROPS, PROJECTS, PROJECT_OUTPUTS,
                                                HOUSEHOLDS, EVALUATION_SAMPLE, MEMBERS, HELP_MEASURES)}

_SCOPE = Column("scope", "适用范围", "key", "national, or a province (2-digit) or county (6-digit) "
                "administrative division code (GB/T 2260); the most specific applicable row wins.",
                nullable=False)
_BASIS = Column("basis", "口径", "text", "What the figure is, in words.")
_SOURCE = Column("source", "来源", "text", "Where the figure comes from (the published text); empty when no "
                 "official text was found (say why in note_zh / note_en).")
_VERIFIED = Column("verified", "已核实", "bool", "Whether the figure was checked against an official text.",
                   nullable=False)
_NOTE_ZH = Column("note_zh", "备注", "text", "A remark on the row in Chinese (why it is not verified, what to "
                  "change); the reports print it in Chinese.", required=False)
_NOTE_EN = Column("note_en", "备注（英文）", "text", "The same remark in English (English reports).", required=False)

POVERTY_LINES = Table(
    "poverty_lines", "贫困标准",
    "Rural poverty line by scope and year (data/policy/poverty_lines.csv). village.yaml's poverty_line_yuan "
    "wins.",
    (_SCOPE, Column("year", "年份", "year", "Calendar year.", nullable=False),
     Column("poverty_line_yuan", "贫困标准(元)", "amount", "Poverty line [yuan per person per year].", unit="yuan",
            nullable=False, aliases=("line_yuan",)),
     _BASIS, _SOURCE, _VERIFIED, _NOTE_ZH, _NOTE_EN),
    unique=(), grain="one row per scope and year",
)

MONITORING_THRESHOLDS = Table(
    "monitoring_thresholds", "防返贫监测标准",
    "Monitoring threshold on income per person by scope and year (data/policy/monitoring_thresholds.csv). "
    "village.yaml's monitoring_threshold_yuan wins.",
    (_SCOPE, Column("year", "年份", "year", "Calendar year.", nullable=False),
     Column("monitoring_threshold_yuan", "监测标准(元)", "amount",
            "Households below it are monitoring candidates [yuan per person per year].", unit="yuan",
            nullable=False),
     _BASIS, _SOURCE, _VERIFIED, _NOTE_ZH, _NOTE_EN),
    unique=(), grain="one row per scope and year",
)

EXIT_THRESHOLDS = Table(
    "exit_thresholds", "贫困退出标准",
    "Exit threshold on poverty incidence by region (data/policy/exit_thresholds.csv); also the threshold of "
    "the composite incidence in an exit evaluation. village.yaml's exit_threshold wins.",
    (Column("region", "地区", "vocab", "Region.", vocab=REGIONS, nullable=False),
     Column("exit_threshold", "退出标准", "number", "Incidence must be below it [ratio].", unit="ratio",
            nullable=False),
     _BASIS, _SOURCE, _VERIFIED, _NOTE_ZH, _NOTE_EN),
    unique=("region",), grain="one row per region",
)

EVALUATION_CRITERIA = Vocabulary("evaluation_criterion", (
    Term("wrong_exit_rate", "错退率", "Wrong-exit rate"),
    Term("missed_rate", "漏评率", "Missed rate"),
    Term("satisfaction_rate", "群众认可度", "Satisfaction rate"),
    Term("composite_incidence", "综合贫困发生率", "Composite poverty incidence"),
))

EVALUATION_THRESHOLDS = Table(
    "evaluation_thresholds", "退出评估标准",
    "Thresholds of the exit evaluation (data/policy/evaluation_thresholds.csv). An empty threshold means the "
    "region's exit_threshold.",
    (Column("criterion", "指标", "vocab", "The evaluation measure.", vocab=EVALUATION_CRITERIA, nullable=False),
     Column("comparison", "比较", "text", "How the measure must compare with the threshold: <, <=, > or >=.",
            nullable=False),
     Column("threshold", "阈值", "number", "Threshold [ratio].", unit="ratio"),
     _BASIS, _SOURCE, _VERIFIED, _NOTE_ZH, _NOTE_EN),
    unique=("criterion",), grain="one row per criterion",
)

MONITORING_RULE_IDS = Vocabulary("monitoring_rule", (
    Term("monitored_share_expected", "监测对象占建档立卡人口比例（一般）", "Expected monitored share"),
    Term("monitored_share_ceiling", "监测对象占建档立卡人口比例（上限）", "Ceiling of the monitored share"),
    Term("income_drop_share", "收入大幅缩减（比上期下降比例）", "Income drop counted as sharp"),
    Term("identification_days_max", "识别认定时限（天）", "Days allowed from first risk clue to identification"),
    Term("publicity_days_min", "村内公示最少天数", "Fewest days of the village 公示"),
    Term("no_size_cap", "不得设置规模限制（1 = 是）", "No cap on the number of objects (1 = yes)"),
))

MONITORING_RULES = Table(
    "monitoring_rules", "防返贫监测参数",
    "Other numbers of the monitoring rules, by scope (data/policy/monitoring_rules.csv).",
    (_SCOPE, Column("rule", "规则", "vocab", "Which number.", vocab=MONITORING_RULE_IDS, nullable=False),
     Column("value", "数值", "number", "The number [see unit].", nullable=False),
     Column("unit", "单位", "text", "Unit of value (ratio, days or flag)."),
     _BASIS, _SOURCE, _VERIFIED, _NOTE_ZH, _NOTE_EN,
     Column("year_from", "起始年份", "year", "First year the rule is in force; empty = since ever.", required=False),
     Column("year_to", "终止年份", "year", "Last year the rule is in force; empty = still in force.",
            required=False)),
    unique=(), grain="one row per scope, rule and years in force",
    notes=("A rule applies to a period whose year lies in year_from … year_to: the 2020 guidance's 5% / 10% "
           "shares only up to 2025; the 2026 rules (15 days, 公示 at least 5 days, no size cap) from 2026.",),
)

RURAL_INCOME = Table(
    "rural_income", "农村居民人均可支配收入",
    "Rural per-capita disposable income by scope and year (data/policy/rural_income.csv): the growth the "
    "income of exited households is compared with.",
    (_SCOPE, Column("year", "年份", "year", "Calendar year.", nullable=False),
     Column("rural_income_yuan", "农村居民人均可支配收入(元)", "amount", "Income [yuan per person per year].",
            unit="yuan", nullable=False),
     _BASIS, _SOURCE, _VERIFIED, _NOTE_ZH, _NOTE_EN),
    unique=(), grain="one row per scope and year",
)

CHECK_SEVERITIES = Vocabulary("check_severity", (
    Term("error", "错误", "Error"),
    Term("doubt", "疑点", "Doubt"),
    Term("hint", "提示", "Hint"),
))

CHECK_RULES = Table(
    "check_rules", "疑点核查规则设置",
    "Switch a data-quality rule off, change its severity or set its numbers, by scope and first year "
    "(data/policy/check_rules.csv; rules in docs/checks.md). Optional: without it every rule keeps the "
    "catalogue's setting.",
    (_SCOPE,
     Column("rule", "规则编号", "text", "A rule id of docs/checks.md (HH-001 …).", nullable=False),
     Column("from_year", "起始年度", "year", "First calendar year the row applies to.", nullable=False),
     Column("enabled", "启用", "bool", "Whether the rule runs (empty: keep)."),
     Column("severity", "严重程度", "vocab", "错误, 疑点 or 提示 (empty: keep).", vocab=CHECK_SEVERITIES),
     Column("parameters", "参数", "text", "name=value pairs separated by ';' (empty: keep)."),
     _BASIS, _SOURCE, _VERIFIED, _NOTE_ZH, _NOTE_EN),
    unique=(), grain="one row per scope, rule and from_year",
    notes=("For a village and a year the rows of national, its province and its county apply in that order "
           "(the most specific scope wins), each the row with the latest from_year not after the year; an "
           "empty cell keeps the less specific choice.",),
)

#: The policy tables in ``data/policy/`` (not period tables).
POLICY_TABLES: dict[str, Table] = {t.name: t for t in (POVERTY_LINES, MONITORING_THRESHOLDS, EXIT_THRESHOLDS,
                                                       EVALUATION_THRESHOLDS, MONITORING_RULES, RURAL_INCOME,
                                                       CHECK_RULES)}

VILLAGE_FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("id", "Village id: the folder name, [a-z0-9_-]+.", True),
    ("name_zh", "Chinese name, e.g. 梭罗峪村.", True),
    ("name_en", "English name, e.g. Suoluoyu.", True),
    ("township_zh", "Township (乡/镇).", True),
    ("county_zh", "County (县).", True),
    ("city_zh", "City (市).", True),
    ("province_zh", "Province (省).", True),
    ("region", "eastern, central or western (Shanxi is central).", True),
    ("supported_by_zh", "The unit that sent the work team.", True),
    ("exit_threshold", "Village exit threshold on poverty incidence [ratio]; default by region from "
                       "data/policy/exit_thresholds.csv.", False),
    ("poverty_line_yuan", "A provincial or city poverty line [yuan per person per year] that "
                          "overrides data/policy/poverty_lines.csv; between 100 and 100,000.", False),
    ("province_code", "Province code (GB/T 2260, 2 digits, e.g. 14 for Shanxi): picks provincial rows of "
                      "data/policy/.", False),
    ("county_code", "County code (GB/T 2260, 6 digits): picks county rows of data/policy/; its first two "
                    "digits are the province.", False),
    ("monitoring_threshold_yuan", "A monitoring threshold [yuan per person per year] that overrides "
                                  "data/policy/monitoring_thresholds.csv.", False),
    ("fictional", "true for made-up demonstration villages (a YAML boolean: true or false).", False),
    ("note", "Any remark.", False),
    ("township_en", "English name of the township, e.g. Zhaobi Township (else pinyin of township_zh).", False),
    ("county_en", "English name of the county, e.g. Xiyang County (else pinyin of county_zh).", False),
    ("city_en", "English name of the city, e.g. Jinzhong (else pinyin of city_zh).", False),
    ("province_en", "English name of the province, e.g. Shanxi (else pinyin of province_zh).", False),
    ("supported_by_en", "English name of the supporting unit (else the Chinese name stays).", False),
)


#: The register columns of monitoring (after 2020; optional).
MONITORING_COLUMNS = ("monitoring_type", "monitoring_since", "risk_eliminated_on", "risk_types", "has_labour",
                      "rigid_spending_yuan")


def has_monitoring_fields(households) -> bool:
    """Whether a register carries monitoring fields (any of :data:`MONITORING_COLUMNS` filled in a row).

    >>> import pandas as pd
    >>> has_monitoring_fields(pd.DataFrame({"has_labour": [None, True]})), has_monitoring_fields(pd.DataFrame())
    (True, False)
    """
    return any(c in households and households[c].notna().any() for c in MONITORING_COLUMNS)


#: The household columns of 常态化帮扶 (from 2026; optional).
COLUMNS_2026 = ("risk_found_on", "discovery_channel", "publicised_from", "publicised_to", "wage_income_yuan",
                "business_income_yuan", "property_income_yuan", "transfer_income_yuan", *LAYERS)
#: The income parts of a household [yuan per person per year], in report order.
INCOME_PARTS = ("wage_income_yuan", "business_income_yuan", "property_income_yuan", "transfer_income_yuan")


def has_2026_fields(tables) -> bool:
    """Whether a period's tables carry the 2026 data: a members or help_measures table, or a 2026 household
    column filled in a row (then the 常态化帮扶 indicators and the report's section apply).

    >>> import pandas as pd
    >>> has_2026_fields({"households": pd.DataFrame({"dibao": [None, True]})}), has_2026_fields({})
    (True, False)
    """
    if any(name in tables and len(tables[name]) for name in ("members", "help_measures")):
        return True
    hh = tables.get("households")
    return hh is not None and any(c in hh and hh[c].notna().any() for c in COLUMNS_2026)
