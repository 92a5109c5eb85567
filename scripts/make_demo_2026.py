"""Write the 2026 periods of data/demo/ (2025H1–2026H2): the fictional 示例村 under 常态化帮扶.

    python scripts/make_demo_2026.py   # rewrites data/demo/2025H1 … 2026H2 (fixed seed; make demo runs it)

Starts from the demo's 2022H2 register (data/demo/2022H2/households.csv, names and ID numbers included,
all fictional: region code 990000 does not exist) and adds, per half-year, the 2026 household columns,
members.csv (one row per person, names and ID numbers made up) and help_measures.csv. The deliberate
features (they are what the report's section and the hand-worked test look at):

* objects (防止返贫致贫对象) that were never 建档立卡 (category non_poor): 0000002 and three more;
* one late identification: risk found 2026-08-01, monitored 2026-09-20 (50 days; the rule is 15);
* one 公示 of three days (2026-07-06 … 07-08; the rule is at least 5);
* one 风险消除 that breaks the rule: monitored 2026-05-10, marked 2026-10-15 (under six months) with income
  below the year's standard;
* one household in three layers: 低保, 刚性支出困难 and an unresolved object;
* one household whose members (4) differs from its rows in members.csv (3): an audit finding;
* one child of 13 who dropped out of school (辍学).

The year's standard of the fictional county (990000) is in data/policy/monitoring_thresholds.csv, marked
FICTIONAL, as is its rural per-capita disposable income (rural_income.csv).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from village_stats.idnumbers import check_digit  # noqa: E402
from village_stats.measures.register import reconcile  # noqa: E402
from village_stats.schema import (  # noqa: E402
    CAUSES,
    DISCOVERY_CHANNELS,
    HEALTH,
    HELP_MEASURE_TYPES,
    LABOUR,
    MONITORING_TYPES,
    RELATIONS,
    RISK_TYPES,
    SCHOOLING,
    SEXES,
    WORK_PLACES,
)

DEMO = ROOT / "data" / "demo"
PERIODS = ("2025H1", "2025H2", "2026H1", "2026H2")
SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎")
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰红梅建国建华志强春梅海燕")
BOOLS = ("absent", "food_clothing_secure", "education_secure", "medical_secure", "housing_secure", "water_secure",
         "has_labour", "dibao", "tekun", "dibao_edge", "rigid_spending_hardship")
THRESHOLDS = {int(r.year): float(r.monitoring_threshold_yuan) for r in pd.read_csv(
    ROOT / "data" / "policy" / "monitoring_thresholds.csv", dtype={"scope": str}).itertuples() if r.scope == "990000"}
DATES = ("monitoring_since", "risk_eliminated_on", "risk_found_on", "publicised_from", "publicised_to")


def zh(vocab) -> dict[str, str]:
    return {t.id: t.zh for t in vocab.terms}


def read_start() -> pd.DataFrame:
    """The demo's 2022H2 register as written (Chinese labels turned back into ids where needed)."""
    reg = pd.read_csv(DEMO / "2022H2" / "households.csv", dtype={"household_id": str, "id_number": str})
    back = {v: k for k, v in zh(MONITORING_TYPES).items()}
    reg["monitoring_type"] = reg["monitoring_type"].map(back)
    reg["main_cause"] = reg["main_cause"].map({v: k for k, v in zh(CAUSES).items()})
    for col in ("absent", "food_clothing_secure", "education_secure", "medical_secure", "housing_secure",
                "water_secure", "has_labour"):
        reg[col] = reg[col].map({"是": True, "否": False})
    for col in ("monitoring_since", "risk_eliminated_on"):
        reg[col] = pd.to_datetime(reg[col])
    return reg


def person_id(rng: np.random.Generator, birth: pd.Timestamp, male: bool, used: set[str]) -> str:
    """A fictional 18-digit number (region 990000) with the birth date, sex digit and check digit right."""
    while True:
        seq = int(rng.integers(0, 500)) * 2 + (1 if male else 0)
        body = f"990000{birth:%Y%m%d}{seq:03d}"
        number = body + check_digit(body)
        if number not in used:
            used.add(number)
            return number


def _household_facts(reg: pd.DataFrame) -> pd.DataFrame:
    """The household fields the members must agree with (ids or the register's Chinese labels alike)."""
    cause = reg["main_cause"].replace({v: k for k, v in zh(CAUSES).items()})
    return pd.DataFrame({"household_id": reg["household_id"],
                         "medical_secure": reg["medical_secure"].isin([True, "是"]),
                         "cause": cause,
                         "tekun": reg["category"].eq("tekun")})


def make_members(reg: pd.DataFrame, rng: np.random.Generator, used: set[str] | None = None,
                 school_year: int = 2026) -> pd.DataFrame:
    """One row per person of each household (the head's name and number as in the register).

    The members agree with their household (the checks of village_stats/checks/ find nothing): insured
    where the household is marked 基本医疗有保障, an ill member where the main cause is 因病, a disabled one
    where it is 因残, a student where it is 因学 (in ``school_year`` and the year before), no member able to work in a 特困 household, and no
    一二级残疾 (which would need a 综合保障 or 健康 measure). ``used`` (shared across the villages of a county)
    keeps every ID number distinct."""
    rows = []
    used = set() if used is None else used
    used |= set(reg["id_number"].dropna())
    facts = _household_facts(reg).set_index("household_id")
    for hh in reg.itertuples():
        n = int(hh.members)
        head_birth = pd.Timestamp(hh.id_number[6:14])
        head_male = int(hh.id_number[16]) % 2 == 1
        surname = hh.head_name[0]
        people = [("head", head_birth, head_male, hh.head_name, hh.id_number)]
        for k in range(1, n):
            if k == 1:
                rel, birth, male = "spouse", head_birth + pd.Timedelta(days=int(rng.integers(-900, 900))), not head_male
            elif k <= 3:
                rel = "child"
                birth = head_birth + pd.Timedelta(days=int(rng.integers(20, 34) * 365 + rng.integers(0, 365)))
                male = bool(rng.random() < 0.5)
            elif k == 4:
                rel, birth, male = "parent", head_birth - pd.Timedelta(days=int(rng.integers(22, 30) * 365)), False
            else:
                rel = "grandchild"
                birth = head_birth + pd.Timedelta(days=int(rng.integers(45, 52) * 365))
                male = bool(rng.random() < 0.5)
            birth = min(birth, pd.Timestamp("2025-12-01"))
            if k == n - 1 and facts.loc[hh.household_id, "cause"] == "schooling":
                # 因学: the last member is a pupil, born 15 to 9 years before the end of school_year
                rel = "child"
                birth = pd.Timestamp(year=school_year - 15, month=1, day=1) + \
                    pd.Timedelta(days=int(birth.day_of_year) * 6)
            name = (surname if rel in ("child", "grandchild") else str(rng.choice(SURNAMES))) + \
                "".join(rng.choice(GIVEN, 2 if rng.random() < 0.6 else 1))
            people.append((rel, birth, male, name, person_id(rng, birth, male, used)))
        for no, (rel, birth, male, name, number) in enumerate(people, 1):
            rows.append({"household_id": hh.household_id, "member_no": no, "relation": rel, "name": name,
                         "id_number": number, "sex": "male" if male else "female", "birth_date": birth})
    m = pd.DataFrame(rows)
    ill = rng.random(len(m))
    m["health"] = np.select([ill < 0.05, ill < 0.12, ill < 0.2], ["disabled", "serious_illness", "chronic"],
                            "healthy")
    head = m["relation"].eq("head")
    cause = m["household_id"].map(facts["cause"])
    for wanted, health in (("illness", ("chronic", "serious_illness")), ("disability", ("disabled",))):
        lacking = cause.eq(wanted) & ~m["health"].isin(health).groupby(m["household_id"]).transform("any")
        m.loc[lacking & head, "health"] = health[0]
    m["disability_grade"] = np.where(m["health"].eq("disabled"), rng.integers(1, 5, len(m)), np.nan)
    m["disability_grade"] = m["disability_grade"].replace({1: 3, 2: 4})
    m["medical_insured"] = (rng.random(len(m)) < 0.97) | m["household_id"].map(facts["medical_secure"]).to_numpy()
    m["tekun_household"] = m["household_id"].map(facts["tekun"]).to_numpy()
    m["pension_insured_draw"] = rng.random(len(m))
    m["labour_draw"] = rng.random(len(m))
    m["work_draw"] = rng.random(len(m))
    return m


def members_in(m: pd.DataFrame, code: str, rng: np.random.Generator) -> pd.DataFrame:
    """The members as of a period: ages at its end decide schooling, labour, work and pension."""
    end = pd.Timestamp(year=int(code[:4]), month=6 if code.endswith("1") else 12, day=30 if code.endswith("1") else 31)
    age = (end - m["birth_date"]).dt.days / 365.25
    out = m[["household_id", "member_no", "relation", "name", "id_number", "sex", "birth_date", "health",
             "disability_grade", "medical_insured"]].copy()
    out["in_school"] = np.select([age < 3, age < 6, age < 12, age < 15, age < 18, age < 22],
                                 [None, "preschool", "primary", "junior", "senior", "college"], "not_in_school")
    out.loc[(age >= 18) & (age < 22) & (m["work_draw"] < 0.6), "in_school"] = "not_in_school"
    working_age = (age >= 16) & (age < 65) & ~m["health"].isin(["disabled", "serious_illness"]) & \
        ~m["tekun_household"]
    out["labour"] = np.where(working_age, np.where(m["labour_draw"] < 0.2, "skilled", "ordinary"),
                             np.where(age >= 65, "weak", np.where(age < 16, "none", "lost")))
    works = working_age & out["in_school"].eq("not_in_school") & (m["work_draw"] < 0.55)
    year_draw = rng.random(len(m))
    out["work_place"] = np.where(works, np.select([year_draw < 0.35, year_draw < 0.6], ["in_county", "in_province"],
                                                  "out_of_province"), "not_working")
    out["work_months"] = np.where(works, rng.integers(3, 13, len(m)), 0)
    out.loc[age < 16, ["work_place", "work_months"]] = [None, np.nan]
    out["pension_insured"] = np.where(age >= 16, m["pension_insured_draw"] < 0.85, None)
    return out


def main() -> None:
    rng = np.random.default_rng(2026)
    start = read_start()
    n = len(start)
    reg = start.copy()
    # 2023–2024: incomes grow, the 2021–2022 objects that are still open stay open
    reg["income_per_capita_yuan"] = np.round(reg["income_per_capita_yuan"] * rng.uniform(1.08, 1.18, n))
    shares = rng.dirichlet([11, 4, 0.6, 4.4], n)
    reg["risk_found_on"] = reg["monitoring_since"] - pd.to_timedelta(rng.integers(5, 14, n), unit="D")
    reg["discovery_channel"] = rng.choice(list(DISCOVERY_CHANNELS.ids), n)
    reg.loc[reg["monitoring_type"].isna(), "discovery_channel"] = None
    reg["publicised_to"] = reg["monitoring_since"] - pd.Timedelta(days=2)
    reg["publicised_from"] = reg["publicised_to"] - pd.to_timedelta(rng.integers(4, 7, n), unit="D")
    reg["dibao"] = reg["category"].eq("dibao") & reg["status"].ne("exited") | (rng.random(n) < 0.04)
    reg["tekun"] = reg["category"].eq("tekun")
    reg["dibao_edge"] = False
    reg["rigid_spending_hardship"] = reg["rigid_spending_yuan"].notna() & reg["monitoring_type"].notna() & \
        reg["risk_eliminated_on"].isna()
    members = make_members(reg, rng)
    # one household lists one member fewer than it says (an audit finding, not a load error)
    short = reg.index[reg["members"].eq(4)][0]
    members = members.loc[~((members["household_id"] == reg.loc[short, "household_id"]) &
                            (members["member_no"] == 4))]
    calm = list(reg.index[reg["monitoring_type"].isna() & reg["category"].eq("non_poor")])
    exited = list(reg.index[reg["status"].eq("exited") & reg["monitoring_type"].isna()])
    picks = {"non_registered": calm[:4], "late": exited[0], "early_elimination": exited[1], "three_layers": calm[4],
             "short_publicity": exited[2], "dropout_family": next(i for i in calm[5:] if reg.loc[i, "members"] >= 3)}
    # 0000002 (non_poor, index 1) is the first non-建档立卡 object
    previous = None
    for code in PERIODS:
        year, half = int(code[:4]), int(code[-1])
        p_start = pd.Timestamp(year=year, month=1 if half == 1 else 7, day=1)
        if previous is not None:
            reg["income_per_capita_yuan"] = np.round(reg["income_per_capita_yuan"] * rng.uniform(1.0, 1.06, n))
        if code == "2025H1":
            for k, i in enumerate(picks["non_registered"][:2]):
                since = p_start + pd.Timedelta(days=40 + 30 * k)
                reg.loc[i, ["monitoring_type", "monitoring_since", "risk_found_on", "discovery_channel",
                            "risk_types"]] = ["marginal", since, since - pd.Timedelta(days=9), "self_report",
                                              "illness"]
                reg.loc[i, "income_per_capita_yuan"] = 6800 + 300 * k
        if code == "2026H1":
            for k, i in enumerate(picks["non_registered"][2:]):
                since = p_start + pd.Timedelta(days=50 + 20 * k)
                reg.loc[i, ["monitoring_type", "monitoring_since", "risk_found_on", "discovery_channel",
                            "risk_types"]] = ["sudden_hardship" if k else "marginal", since,
                                              since - pd.Timedelta(days=6 + k), "data_alert", "income_drop"]
                reg.loc[i, "income_per_capita_yuan"] = 7200 + 200 * k
            i = picks["early_elimination"]
            reg.loc[i, ["monitoring_type", "monitoring_since", "risk_found_on", "discovery_channel", "risk_types",
                        "income_per_capita_yuan"]] = ["unstable_exited", pd.Timestamp("2026-05-10"),
                                                      pd.Timestamp("2026-05-01"), "routine_check", "unemployment",
                                                      7000]
            i = picks["three_layers"]
            reg.loc[i, ["monitoring_type", "monitoring_since", "risk_found_on", "discovery_channel", "risk_types",
                        "dibao", "rigid_spending_hardship", "income_per_capita_yuan", "rigid_spending_yuan"]] = [
                "sudden_hardship", pd.Timestamp("2026-03-16"), pd.Timestamp("2026-03-05"), "data_alert",
                "illness|rigid_spending", True, True, 5200, 30000]
        if code == "2026H2":
            i = picks["late"]
            reg.loc[i, ["monitoring_type", "monitoring_since", "risk_found_on", "discovery_channel", "risk_types",
                        "income_per_capita_yuan"]] = ["unstable_exited", pd.Timestamp("2026-09-20"),
                                                      pd.Timestamp("2026-08-01"), "self_report", "disaster", 7400]
            i = picks["short_publicity"]
            reg.loc[i, ["monitoring_type", "monitoring_since", "risk_found_on", "discovery_channel", "risk_types",
                        "income_per_capita_yuan"]] = ["unstable_exited", pd.Timestamp("2026-07-12"),
                                                      pd.Timestamp("2026-07-01"), "routine_check", "schooling", 7600]
            # the rule-breaking 风险消除: under six months after 2026-05-10 and income below the standard
            reg.loc[picks["early_elimination"], "risk_eliminated_on"] = pd.Timestamp("2026-10-15")
            reg.loc[picks["dropout_family"], "dibao_edge"] = True
        # 公示 before identification: five to seven days, except the short one
        new = reg["monitoring_since"].between(p_start, p_start + pd.Timedelta(days=183)) & \
            reg["monitoring_type"].notna()
        reg.loc[new, "publicised_to"] = reg.loc[new, "monitoring_since"] - pd.Timedelta(days=2)
        reg.loc[new, "publicised_from"] = reg.loc[new, "publicised_to"] - pd.Timedelta(days=5)
        if code == "2026H2":
            reg.loc[picks["short_publicity"], ["publicised_from", "publicised_to"]] = [pd.Timestamp("2026-07-06"),
                                                                                      pd.Timestamp("2026-07-08")]
        # 风险消除 by the rule for open objects that are clearly above the standard, in 2025H2 and 2026H1
        if code in ("2025H2", "2026H1"):
            on = reg["monitoring_type"].notna() & reg["risk_eliminated_on"].isna() & \
                (reg["monitoring_since"] < p_start - pd.Timedelta(days=200)) & \
                (reg["income_per_capita_yuan"] > 9500) & reg["has_labour"].fillna(False).astype(bool)
            reg.loc[reg.index[on][::2], "risk_eliminated_on"] = p_start + pd.Timedelta(days=100)
        # 低保 only where income is not far above the 低保 line (HH-018: at most twice the monitoring standard)
        reg.loc[reg["income_per_capita_yuan"] > 2 * THRESHOLDS[year], "dibao"] = False
        parts = np.round(shares * reg["income_per_capita_yuan"].to_numpy()[:, None])
        for j, col in enumerate(("wage_income_yuan", "business_income_yuan", "property_income_yuan")):
            reg[col] = parts[:, j]
        reg["transfer_income_yuan"] = reg["income_per_capita_yuan"] - parts[:, :3].sum(axis=1)
        write_period(code, reg, members_in(members, code, rng), picks, rng)
        previous = reg.copy()
    print(f"wrote {', '.join(PERIODS)} under {DEMO}")


def help_measures(reg: pd.DataFrame, code: str, rng: np.random.Generator, without: str = "",
                  students: frozenset = frozenset()) -> pd.DataFrame:
    """Measures for exited households and objects: most have 产业帮扶; objects get one more (教育帮扶 only
    where a member is at school: ``students`` holds those households, the others get 健康帮扶); the household
    ``without`` gets none (an object without help: coverage below 100%)."""
    year, half = int(code[:4]), int(code[-1])
    rows = []
    local = np.random.default_rng(2026)          # the same measures every period, so they carry over
    for hh in reg.itertuples():
        target = hh.status == "exited" or isinstance(hh.monitoring_type, str)
        if not target or hh.household_id == without:
            continue
        if local.random() < 0.86:
            started = pd.Timestamp("2024-03-01") + pd.Timedelta(days=int(local.integers(0, 400)))
            rows.append((hh.household_id, "industry", started, pd.NaT, float(local.integers(10, 60) * 100)))
        else:
            local.random()
        if isinstance(hh.monitoring_type, str) and pd.notna(hh.monitoring_since):
            started = hh.monitoring_since + pd.Timedelta(days=int(local.integers(5, 30)))
            kind = local.choice(["employment", "health", "education", "public_welfare_job", "social_security"])
            if kind == "education" and hh.household_id not in students:
                kind = "health"
            rows.append((hh.household_id, kind, started, pd.NaT, float(local.integers(5, 30) * 100)))
    m = pd.DataFrame(rows, columns=["household_id", "measure", "started_on", "ended_on", "amount_yuan"])
    p_end = pd.Timestamp(year=year, month=6 if half == 1 else 12, day=30 if half == 1 else 31)
    m = m.loc[m["started_on"] <= p_end].reset_index(drop=True)
    # an employment measure that ended with the year 2025 (a measure that no longer runs in 2026)
    done = m.index[m["measure"].eq("employment") & (m["started_on"] < pd.Timestamp("2025-12-01"))]
    if len(done) and year >= 2026:
        m.loc[done[0], "ended_on"] = pd.Timestamp("2025-12-31")
    return m


def write_members(members: pd.DataFrame, path) -> None:
    """Write a members table as a team fills it in: vocabularies and yes/no in Chinese, dates as YYYY-MM-DD,
    whole numbers without a decimal point (the frame is not changed)."""
    m = members.copy()
    for col, vocab in (("relation", RELATIONS), ("sex", SEXES), ("in_school", SCHOOLING), ("health", HEALTH),
                       ("labour", LABOUR), ("work_place", WORK_PLACES)):
        m[col] = m[col].map(zh(vocab))
    m["birth_date"] = pd.to_datetime(m["birth_date"]).dt.strftime("%Y-%m-%d")
    for col in ("medical_insured", "pension_insured"):
        m[col] = m[col].map({True: "是", False: "否"})
    for col in ("disability_grade", "work_months"):
        m[col] = m[col].astype(float).astype("Int64")
    m.to_csv(path, index=False, lineterminator="\n")


def write_period(code: str, reg: pd.DataFrame, members: pd.DataFrame, picks: dict, rng) -> None:
    d = DEMO / code
    d.mkdir(exist_ok=True)
    year = int(code[:4])
    m = members.copy()
    if code == "2026H2":  # a child of 13 who dropped out of school
        fam = reg.loc[picks["dropout_family"], "household_id"]
        age = (pd.Timestamp("2026-12-31") - m["birth_date"]).dt.days / 365.25
        kid = m.index[(m["household_id"] == fam) & m["relation"].eq("child")]
        if len(kid):
            born = pd.Timestamp("2013-05-02")
            m.loc[kid[0], ["birth_date", "in_school", "work_place", "work_months", "pension_insured"]] = [
                born, "dropped_out", None, np.nan, None]
            m.loc[kid[0], "id_number"] = (lambda b: b + check_digit(b))(f"990000{born:%Y%m%d}" +
                                                                       m.loc[kid[0], "id_number"][14:17])
        del age
    out = reg.drop(columns=[]).copy()
    out["main_cause"] = out["main_cause"].map(zh(CAUSES))
    out["monitoring_type"] = out["monitoring_type"].map(zh(MONITORING_TYPES))
    out["discovery_channel"] = out["discovery_channel"].map(zh(DISCOVERY_CHANNELS))
    out["risk_types"] = out["risk_types"].map(lambda v: v if not isinstance(v, str) else "、".join(
        zh(RISK_TYPES)[x] for x in v.split("|")))
    for col in BOOLS:
        out[col] = out[col].map({True: "是", False: "否"})
    for col in DATES:
        out[col] = pd.to_datetime(out[col]).dt.strftime("%Y-%m-%d")
    for col in ("exit_year", "rigid_spending_yuan"):
        out[col] = out[col].astype("Int64")
    for col in ("income_per_capita_yuan", "wage_income_yuan", "business_income_yuan", "property_income_yuan",
                "transfer_income_yuan"):
        out[col] = out[col].round().astype("Int64")
    out.to_csv(d / "households.csv", index=False, lineterminator="\n")
    write_members(m, d / "members.csv")
    students = frozenset(m.loc[m["in_school"].isin(("primary", "junior", "senior", "college")), "household_id"])
    hm = help_measures(reg, code, rng, without=reg.loc[picks["non_registered"][3], "household_id"],
                       students=students)
    hm["measure"] = hm["measure"].map(zh(HELP_MEASURE_TYPES))
    for col in ("started_on", "ended_on"):
        hm[col] = pd.to_datetime(hm[col]).dt.strftime("%Y-%m-%d")
    hm["amount_yuan"] = hm["amount_yuan"].astype("Int64")
    hm.to_csv(d / "help_measures.csv", index=False, lineterminator="\n")
    canon = reg.copy()
    derived = reconcile(canon, pd.Series(dtype=float))["derived"]
    pd.DataFrame([(k, int(v), "derived from households.csv") for k, v in derived.items()],
                 columns=["measure", "value", "note"]).to_csv(d / "population.csv", index=False, lineterminator="\n")
    _ = year


if __name__ == "__main__":
    main()


def add_2026_tables(folder: Path, seed: int, used: set[str] | None = None) -> None:
    """Give one period folder of the example county the 2026 data: income parts and layer flags in
    households.csv, members.csv and help_measures.csv (no monitoring fields: the county's periods are
    before 2021). Used by scripts/make_demo_county.py for the county's latest period; ``used`` holds the
    ID numbers already given in the county (members' numbers stay distinct across its villages)."""
    rng = np.random.default_rng(seed)
    path = folder / "households.csv"
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    reg = raw.copy()
    reg["members"] = reg["members"].astype(int)
    reg["monitoring_type"] = None
    reg["monitoring_since"] = pd.NaT
    income = raw["income_per_capita_yuan"].astype(float).to_numpy()
    shares = rng.dirichlet([11, 4, 0.6, 4.4], len(raw))
    parts = np.round(shares * income[:, None])
    for j, col in enumerate(("wage_income_yuan", "business_income_yuan", "property_income_yuan")):
        raw[col] = parts[:, j].astype(int)
    raw["transfer_income_yuan"] = np.round(income - parts[:, :3].sum(axis=1)).astype(int)
    raw["dibao"] = np.where(raw["category"].eq("dibao"), "是", "否")
    raw["tekun"] = np.where(raw["category"].eq("tekun"), "是", "否")
    raw["dibao_edge"] = np.where(raw["category"].eq("non_poor") & (income < 4500), "是", "否")
    raw["rigid_spending_hardship"] = np.where(raw["main_cause"].eq("因病") & (rng.random(len(raw)) < 0.3), "是", "否")
    raw.to_csv(path, index=False, lineterminator="\n")
    code = folder.name
    members = make_members(reg, rng, used, school_year=int(code[:4]))
    m = members_in(members, code, rng)
    write_members(m, folder / "members.csv")
    year = int(code[:4])
    rows = []
    for hh in reg.itertuples():
        if hh.status == "exited" and rng.random() < 0.8:
            started = pd.Timestamp(year=year - 1, month=3, day=1) + pd.Timedelta(days=int(rng.integers(0, 500)))
            rows.append((hh.household_id, "产业帮扶", f"{started:%Y-%m-%d}", "", int(rng.integers(10, 60)) * 100))
    pd.DataFrame(rows, columns=["household_id", "measure", "started_on", "ended_on", "amount_yuan"]).to_csv(
        folder / "help_measures.csv", index=False, lineterminator="\n")
