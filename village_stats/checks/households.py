"""Rules on the household register alone (``HH-###``).

HH-001 … HH-007 are the register audit rules of before (:data:`village_stats.measures.register.AUDIT_RULES`),
kept with the same meaning; the report's audit section reads their findings from here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..measures import register
from ..schema import GUARANTEES
from .catalogue import Frames, hits, names_where, rule

H = "households."
INCOME = H + "income_per_capita_yuan"
PUBLIC_CODE = "国家扶贫开发信息系统数据核查规则（公开的登记册代码）"
ELIMINATION = "风险消除：收入持续稳定超过当年监测标准半年以上，两不愁三保障及饮水安全巩固（多地县级政府文件）"
PROCEDURE_2026 = "从发现风险线索到认定不超过15天，村内公示不少于5天（秦安县政府网站，2026）"
PROCEDURE_2021 = "认定程序：入户核实、信息比对、民主评议、村内公示（不少于5天）、乡审核、县审批（县级政府网站）"
PARTS = ("wage_income_yuan", "business_income_yuan", "property_income_yuan", "transfer_income_yuan")
MONITORING_DATES = ("monitoring_since", "risk_eliminated_on", "risk_found_on", "publicised_from", "publicised_to")


def _hh(f: Frames) -> pd.DataFrame:
    return f.households


def _eliminated(f: Frames) -> pd.Series:
    """Households marked 风险消除 on or before the period's last day."""
    on = f.households["risk_eliminated_on"]
    return on.notna() & (on <= f.end)


@rule("HH-001", "error", (INCOME,), "register", PUBLIC_CODE + "：人均纯收入 ≤ 0", legacy="income_nonpositive")
def income_nonpositive(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    return hits(h, h["income_per_capita_yuan"] <= 0, "income_per_capita_yuan")


@rule("HH-002", "doubt", (INCOME,), "register", PUBLIC_CODE + "：人均纯收入 > 100,000 元",
      params={"max_income_yuan": register.MAX_PLAUSIBLE_INCOME}, legacy="income_implausible")
def income_implausible(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    return hits(h, h["income_per_capita_yuan"] > p["max_income_yuan"], "income_per_capita_yuan")


@rule("HH-003", "error", (H + "id_number_status",), "register",
      "GB 11643-1999 公民身份号码（ISO 7064 MOD 11-2 校验码）", legacy="id_check_digit")
def id_check_digit(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    return hits(h, f.among("households", "id_number_status", ("bad_check_digit",)))


@rule("HH-004", "hint", (H + "id_number_status",), "register", PUBLIC_CODE + "：15位号码须升级为18位",
      legacy="id_fifteen_digits")
def id_fifteen_digits(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    return hits(h, f.among("households", "id_number_status", ("fifteen_digits",)))


@rule("HH-005", "error", (H + "category", H + "status"), "register",
      "建档立卡：非贫困户的脱贫状态为非贫困，贫困户不为非贫困", legacy="category_status_mismatch")
def category_status_mismatch(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    return hits(h, f.among("households", "category", ("non_poor",)) != f.among("households", "status", ("non_poor",)),
                "category", "status")


@rule("HH-006", "doubt", (H + "status",), "register", "建档立卡：已脱贫户登记脱贫年度（aac023）",
      optional=(H + "exit_year",), legacy="exited_without_year")
def exited_without_year(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    no_year = h["exit_year"].isna() if "exit_year" in h else True
    return hits(h, f.among("households", "status", ("exited",)) & np.asarray(no_year), "status")


@rule("HH-007", "doubt", (H + "status", INCOME) + tuple(H + g for g in GUARANTEES), "policy",
      "中共中央办公厅 国务院办公厅《关于建立贫困退出机制的意见》(2016-04)：收入稳定超过国家扶贫标准且两不愁三保障",
      needs=("poverty_line",), legacy="exited_failing_criteria")
def exited_failing(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    return hits(h, register.exited_failing_criteria(h, f.poverty_line), "income_per_capita_yuan",
                poverty_line_yuan=np.full(len(h), f.poverty_line))


@rule("HH-008", "doubt", (INCOME,) + tuple(H + c for c in PARTS), "register",
      "收入口径：工资性、生产经营性（净）、财产性、转移性收入之和为可支配收入；容差为本程序的选择",
      params={"tolerance_share": 0.05})
def income_parts(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    parts = h[list(PARTS)].to_numpy(dtype=float)
    total = parts.sum(axis=1)                      # NaN when a part is unknown: not checked
    y = h["income_per_capita_yuan"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        off = np.abs(total - y) > np.maximum(1.0, p["tolerance_share"] * np.abs(y))
    return hits(h, off, "income_per_capita_yuan", parts_sum_yuan=total)


@rule("HH-009", "error", (H + "risk_eliminated_on", INCOME), "policy",
      ELIMINATION + "；在收入低于当年省定标准时标注风险消除为错误", needs=("monitoring_threshold",))
def eliminated_below_standard(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    return hits(h, _eliminated(f) & (h["income_per_capita_yuan"] < f.monitoring_threshold), "income_per_capita_yuan",
                monitoring_threshold_yuan=np.full(len(h), f.monitoring_threshold))


@rule("HH-010", "error", (H + "risk_eliminated_on",) + tuple(H + g for g in GUARANTEES), "policy", ELIMINATION)
def eliminated_insecure(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    insecure = np.column_stack([f.among("households", g, (False,)) for g in GUARANTEES])
    return hits(h, _eliminated(f).to_numpy() & insecure.any(axis=1), not_secure=names_where(insecure, GUARANTEES))


@rule("HH-011", "doubt", (H + "monitoring_since", H + "risk_eliminated_on"), "policy",
      ELIMINATION + "（原则上不少于半年）", params={"months": 6})
def eliminated_too_soon(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    since, on = h["monitoring_since"], h["risk_eliminated_on"]
    soon = since + pd.DateOffset(months=int(p["months"]))
    months = ((on - since).dt.days / 30.4375).round(1)
    return hits(h, _eliminated(f) & since.notna() & (on < soon), months_monitored=months)


@rule("HH-012", "doubt", (H + "risk_found_on", H + "monitoring_since"), "policy", PROCEDURE_2026,
      params={"days": 15}, since=2026)
def identification_slow(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    days = (h["monitoring_since"] - h["risk_found_on"]).dt.days
    return hits(h, days > p["days"], days=days)


@rule("HH-013", "doubt", (H + "publicised_from", H + "publicised_to"), "policy", PROCEDURE_2021 + "；天数含首尾两日",
      params={"days": 5}, since=2021)
def publicity_short(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    days = (h["publicised_to"] - h["publicised_from"]).dt.days + 1
    return hits(h, (days >= 1) & (days < p["days"]), days=days)


@rule("HH-014", "error", (H + "publicised_from", H + "publicised_to"), "register", "日期先后：公示先开始后结束")
def publicity_reversed(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    return hits(h, h["publicised_to"] < h["publicised_from"])


@rule("HH-015", "error", (H + "risk_found_on", H + "monitoring_since"), "register", "日期先后：先发现风险后认定")
def found_after_identified(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    return hits(h, h["risk_found_on"] > h["monitoring_since"])


@rule("HH-016", "error", (H + "monitoring_since", H + "risk_eliminated_on"), "register",
      "日期先后：先纳入监测后风险消除")
def eliminated_before_monitored(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    return hits(h, h["risk_eliminated_on"] < h["monitoring_since"])


@rule("HH-017", "error", (H + "monitoring_since",), "register", "登记日期不能晚于本期末（数据截止日）",
      optional=tuple(H + c for c in MONITORING_DATES[1:]))
def date_after_period(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    present = [c for c in MONITORING_DATES if c in h]
    late = np.column_stack([(h[c] > f.end).to_numpy() for c in present])
    return hits(h, late.any(axis=1), late_fields=names_where(late, present))


@rule("HH-018", "doubt", (INCOME, H + "dibao"), "choice",
      "低保标准因地而异、不在数据中；以监测标准的倍数近似“远高于低保标准”（本程序的选择，各地应按本地低保标准设定）",
      needs=("monitoring_threshold",), params={"multiple": 2})
def dibao_income_high(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    limit = p["multiple"] * f.monitoring_threshold
    return hits(h, f.among("households", "dibao", (True,)) & (h["income_per_capita_yuan"] > limit).to_numpy(),
                "income_per_capita_yuan",
                limit_yuan=np.full(len(h), limit))


@rule("HH-019", "error", (H + "monitoring_type", H + "monitoring_since"), "register",
      "防返贫监测系统：监测对象登记纳入监测时间")
def type_without_since(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    return hits(h, f.known("households", "monitoring_type") & h["monitoring_since"].isna().to_numpy(), "monitoring_type")


@rule("HH-020", "error", (H + "monitoring_type", H + "monitoring_since"), "register",
      "防返贫监测系统：监测对象登记监测类型（风险消除后记录保留）")
def since_without_type(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    return hits(h, ~f.known("households", "monitoring_type") & h["monitoring_since"].notna().to_numpy())


@rule("HH-021", "error", (H + "members",), "register", PUBLIC_CODE + "：家庭人口数（aac017）至少为1")
def no_members(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    return hits(h, h["members"] < 1, "members")


@rule("HH-022", "error", (H + "dibao", H + "dibao_edge"), "policy",
      "民政部等《关于加强低收入人口动态监测做好分层分类社会救助工作的意见》(2023)：低保边缘家庭为不符合低保条件的家庭")
def dibao_and_edge(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    return hits(h, f.among("households", "dibao", (True,)) & f.among("households", "dibao_edge", (True,)))


@rule("HH-023", "doubt", (H + "rigid_spending_hardship", H + "rigid_spending_yuan"), "register",
      "刚性支出困难家庭：医疗、教育等刚性支出超过家庭收入一定比例，应有支出金额")
def hardship_without_spending(f: Frames, p) -> pd.DataFrame:
    """Only for a register that records spending at all: the loader adds ``rigid_spending_yuan`` empty to a
    register without the monitoring fields (a period before 2021 with the 2026 layers), where no amount is
    missing, only not collected."""
    h = _hh(f)
    spent = h["rigid_spending_yuan"]
    collected = bool(spent.notna().any())
    return hits(h, f.among("households", "rigid_spending_hardship", (True,)) & ~(spent > 0).to_numpy() & collected)


@rule("HH-024", "error", (H + "status", H + "exit_year"), "register", "脱贫年度不能晚于数据所属年度")
def exit_year_after_period(f: Frames, p) -> pd.DataFrame:
    h = _hh(f)
    return hits(h, h["exit_year"] > f.period.year, "exit_year")
