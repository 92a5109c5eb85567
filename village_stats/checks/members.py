"""Rules on the member list (``MB-###``): the list against the register, ages, schooling, insurance,
disability, work, the identity number, and the main cause of poverty against the members."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalogue import Frames, hits, rule

M = "members."
H = "households."
PUBLIC_CODE = "国家扶贫开发信息系统数据核查规则（公开的登记册代码）"
WORKING = ("in_county", "in_province", "out_of_province")
IN_SCHOOL = ("primary", "junior", "senior", "college")
ABLE = ("ordinary", "skilled")
ILL = ("chronic", "serious_illness")


def _m(f: Frames) -> pd.DataFrame:
    return f.members


def _households_without(f: Frames, member_mask, household_mask, *values: str) -> pd.DataFrame:
    """Households matching ``household_mask`` that have no member matching ``member_mask``."""
    h = f.households
    none = f.per_household(member_mask) == 0
    return hits(h, np.asarray(household_mask, dtype=bool) & none, *values)


@rule("MB-001", "error", (H + "members", M + "household_id"), "register",
      PUBLIC_CODE + "：家庭人口数（aac017）等于成员名单人数")
def count_mismatch(f: Frames, p) -> pd.DataFrame:
    h = f.households
    listed = f.per_household(np.ones(len(f.members), dtype=bool))
    stated = h["members"].to_numpy(dtype=float)
    return hits(h, (listed > 0) & (stated != listed) & ~np.isnan(stated), "members", listed=listed)


@rule("MB-002", "error", (H + "household_id", M + "household_id"), "register", "成员名单：登记册每户至少一名成员")
def household_without_members(f: Frames, p) -> pd.DataFrame:
    h = f.households
    return hits(h, f.per_household(np.ones(len(f.members), dtype=bool)) == 0)


@rule("MB-003", "error", (H + "household_id", M + "household_id"), "register", "成员名单：成员所属户在登记册中")
def member_without_household(f: Frames, p) -> pd.DataFrame:
    return hits(_m(f), f.member_row < 0, member=True)


@rule("MB-004", "error", (H + "household_id", M + "relation"), "register", PUBLIC_CODE + "：与户主关系，每户一名户主")
def no_head(f: Frames, p) -> pd.DataFrame:
    """Households with member rows but no 户主 (one without any row is MB-002, not counted twice)."""
    listed = f.per_household(np.ones(len(f.members), dtype=bool)) > 0
    return _households_without(f, f.among("members", "relation", ("head",)), listed)


@rule("MB-005", "error", (H + "household_id", M + "relation"), "register", PUBLIC_CODE + "：与户主关系，每户一名户主")
def two_heads(f: Frames, p) -> pd.DataFrame:
    heads = f.per_household(f.among("members", "relation", ("head",)))
    return hits(f.households, heads > 1, heads=heads)


@rule("MB-006", "error", (M + "household_id", M + "member_no"), "register", "成员名单：户内成员序号唯一")
def duplicate_member_no(f: Frames, p) -> pd.DataFrame:
    m = _m(f)
    return hits(m, m.duplicated(["household_id", "member_no"], keep="first"), member=True)


@rule("MB-007", "error", (M + "birth_date",), "choice", "出生日期不晚于期末、年龄不超过上限（本程序的选择）",
      params={"max_age": 120})
def age_impossible(f: Frames, p) -> pd.DataFrame:
    m, age = _m(f), f.age
    return hits(m, (m["birth_date"] > f.end) | (age > p["max_age"]), member=True, age=age)


@rule("MB-008", "error", (M + "birth_date", M + "in_school", H + "education_secure"), "policy",
      "《中华人民共和国义务教育法》：适龄儿童接受义务教育；义务教育有保障（两不愁三保障）", params={"min_age": 6, "max_age": 15})
def out_of_school(f: Frames, p) -> pd.DataFrame:
    m, age = _m(f), f.age
    school_age = (age >= p["min_age"]) & (age <= p["max_age"])
    out = f.among("members", "in_school", ("dropped_out", "not_in_school"))
    secure = f.of_household(f.among("households", "education_secure", (True,)))
    return hits(m, school_age & out & secure, "in_school", member=True, age=age)


@rule("MB-009", "error", (M + "medical_insured", H + "medical_secure"), "policy",
      "基本医疗有保障：建档立卡人口参加城乡居民基本医疗保险（两不愁三保障）")
def uninsured_secure(f: Frames, p) -> pd.DataFrame:
    m = _m(f)
    return hits(m, f.among("members", "medical_insured", (False,)) &
                f.of_household(f.among("households", "medical_secure", (True,))), member=True)


@rule("MB-010", "doubt", (M + "disability_grade", "help_measures.measure"), "register",
      "困难残疾人生活补贴和重度残疾人护理补贴（一二级为重度）应有综合保障或健康帮扶记录")
def severe_disability_unsupported(f: Frames, p) -> pd.DataFrame:
    m = _m(f)
    support = f.per_household(f.running & f.among("help_measures", "measure", ("social_security", "health")),
                              measures=True)
    severe = m["disability_grade"].isin((1, 2)).to_numpy()
    unsupported = f.of_household(support == 0)
    return hits(m, severe & unsupported, "disability_grade", member=True)


@rule("MB-011", "error", (M + "birth_date", M + "work_place"), "policy",
      "《中华人民共和国劳动法》第十五条：禁止招用未满十六周岁的未成年人", optional=(M + "work_months",),
      params={"min_age": 16})
def child_working(f: Frames, p) -> pd.DataFrame:
    m, age = _m(f), f.age
    working = f.among("members", "work_place", WORKING) | (f.col("members", "work_months") > 0).to_numpy()
    return hits(m, (age < p["min_age"]) & working, "work_place", member=True, age=age)


@rule("MB-012", "doubt", (M + "birth_date", "help_measures.measure"), "policy",
      "公益性岗位不得安排未满十六周岁的未成年人（《劳动法》第十五条）；户中应有成年人上岗", params={"min_age": 16})
def welfare_job_without_adult(f: Frames, p) -> pd.DataFrame:
    jobs = f.per_household(f.running & f.among("help_measures", "measure", ("public_welfare_job",)), measures=True)
    adults = f.per_household(f.age >= p["min_age"])
    return hits(f.households, (jobs > 0) & (adults == 0))


@rule("MB-013", "error", (M + "work_months",), "register", PUBLIC_CODE + "：务工时间 0–12 个月")
def work_months_range(f: Frames, p) -> pd.DataFrame:
    m = _m(f)
    return hits(m, (m["work_months"] < 0) | (m["work_months"] > 12), "work_months", member=True)


@rule("MB-014", "doubt", (M + "work_months", M + "work_place"), "register", PUBLIC_CODE + "：有务工时间须填务工地")
def months_without_place(f: Frames, p) -> pd.DataFrame:
    m = _m(f)
    return hits(m, (m["work_months"] > 0).to_numpy() & ~f.among("members", "work_place", WORKING), "work_months", "work_place", member=True)


@rule("MB-015", "error", (M + "birth_date", M + "id_birth_date"), "register",
      "GB 11643-1999：身份号码第7–14位为出生日期（号码删除前比对）")
def birth_vs_id(f: Frames, p) -> pd.DataFrame:
    m = _m(f)
    return hits(m, m["birth_date"].notna() & m["id_birth_date"].notna() & (m["birth_date"] != m["id_birth_date"]),
                member=True)


@rule("MB-016", "error", (M + "sex", M + "id_sex"), "register", "GB 11643-1999：身份号码第17位奇数为男、偶数为女")
def sex_vs_id(f: Frames, p) -> pd.DataFrame:
    m = _m(f)
    return hits(m, m["sex"].notna() & m["id_sex"].notna() & (m["sex"] != m["id_sex"]), "sex", member=True)


@rule("MB-017", "error", (M + "id_number_status",), "register", "GB 11643-1999 公民身份号码（ISO 7064 MOD 11-2 校验码）")
def member_id_check_digit(f: Frames, p) -> pd.DataFrame:
    m = _m(f)
    return hits(m, f.among("members", "id_number_status", ("bad_check_digit",)), member=True)


@rule("MB-018", "hint", (M + "id_number_status",), "register", PUBLIC_CODE + "：15位号码须升级为18位")
def member_id_fifteen(f: Frames, p) -> pd.DataFrame:
    m = _m(f)
    return hits(m, f.among("members", "id_number_status", ("fifteen_digits",)), member=True)


@rule("MB-019", "doubt", (M + "birth_date", M + "labour"), "register",
      PUBLIC_CODE + "：劳动能力按16–65岁核查", params={"min_age": 16})
def child_labour_ability(f: Frames, p) -> pd.DataFrame:
    m, age = _m(f), f.age
    return hits(m, (age < p["min_age"]).to_numpy() & f.among("members", "labour", ABLE), "labour", member=True, age=age)


@rule("MB-020", "doubt", (M + "birth_date", M + "relation"), "choice", "户主应为成年人（本程序的选择）",
      params={"min_age": 16})
def young_head(f: Frames, p) -> pd.DataFrame:
    m, age = _m(f), f.age
    return hits(m, f.among("members", "relation", ("head",)) & (age < p["min_age"]).to_numpy(), member=True, age=age)


@rule("MB-021", "doubt", (M + "birth_date", M + "labour"), "register",
      PUBLIC_CODE + "：五保/特困户不应有16–65岁有劳动能力的成员", optional=(H + "tekun", H + "category"),
      params={"min_age": 16, "max_age": 65})
def tekun_with_able_member(f: Frames, p) -> pd.DataFrame:
    age = f.age
    able = ((age >= p["min_age"]) & (age <= p["max_age"])).to_numpy() & f.among("members", "labour", ABLE)
    h = f.households
    tekun = f.among("households", "tekun" if "tekun" in h else "category", (True,) if "tekun" in h else ("tekun",))
    return hits(h, tekun & (f.per_household(able) > 0))


def _cause(f: Frames, cause: str) -> np.ndarray:
    return f.among("households", "main_cause", (cause,))


@rule("MB-022", "doubt", (H + "main_cause", M + "health"), "register", PUBLIC_CODE + "：因病须有患病成员")
def illness_without_ill(f: Frames, p) -> pd.DataFrame:
    return _households_without(f, f.among("members", "health", ILL), _cause(f, "illness"), "main_cause")


@rule("MB-023", "doubt", (H + "main_cause", M + "in_school"), "register", PUBLIC_CODE + "：因学须有在校生")
def schooling_without_student(f: Frames, p) -> pd.DataFrame:
    return _households_without(f, f.among("members", "in_school", IN_SCHOOL), _cause(f, "schooling"), "main_cause")


@rule("MB-024", "doubt", (H + "main_cause", M + "health"), "register", PUBLIC_CODE + "：因残须有残疾成员",
      optional=(M + "disability_grade",))
def disability_without_disabled(f: Frames, p) -> pd.DataFrame:
    disabled = f.among("members", "health", ("disabled",)) | f.col("members", "disability_grade").notna().to_numpy()
    return _households_without(f, disabled, _cause(f, "disability"), "main_cause")
