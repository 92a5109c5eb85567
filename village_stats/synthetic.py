"""Synthetic household registers: fictional villages for the demo data and for benchmarks.

Everything here is made up from a seeded random generator: names are random pairs of common
characters and identity numbers use the non-existent region code 990000, so no real person can be
matched. ``synthetic_register`` is vectorised (a million households in about a second).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .idnumbers import CHECK, WEIGHTS
from .schema import CAUSES, GUARANTEES

_SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎")
_GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰凤梅林建国志红文斌海燕云飞鹏辉")
#: Shares of the main causes among poor households (illness and lack of labour dominate registers).
_CAUSE_P = np.array([0.30, 0.10, 0.06, 0.03, 0.04, 0.03, 0.10, 0.16, 0.10, 0.02, 0.04, 0.02])


def synthetic_id_numbers(rng: np.random.Generator, n: int, invalid_share: float = 0.0,
                         offset: int = 0) -> np.ndarray:
    """Fictional, distinct 18-digit identity numbers (region 990000) with correct check digits.

    Distinct by construction (a shuffled index spread over 21,900 birth dates × 1,000 sequence numbers,
    so up to 21.9 million numbers). A share ``invalid_share`` gets a wrong check digit (for audit tests).
    ``offset`` shifts the index: calls whose ranges ``offset … offset + n - 1`` do not overlap never share a
    number (the example county gives village ``i`` the offset ``i × 21,900``: the village index is the
    sequence part of its numbers).
    """
    days = 365 * 60
    if offset + n > days * 1000:
        raise ValueError("at most 21,900,000 distinct numbers")
    index = offset + rng.permutation(n)
    birth = pd.to_datetime("1940-01-01") + pd.to_timedelta(index % days, unit="D")
    body = np.char.add(np.char.add("990000", birth.strftime("%Y%m%d").to_numpy().astype("U8")),
                       np.char.zfill((index // days).astype("U3"), 3))
    digits = body.astype("U17").view("U1").reshape(n, 17).astype(np.int64)
    check = (digits @ WEIGHTS) % 11
    bad = rng.random(n) < invalid_share
    check = np.where(bad, (check + 1 + rng.integers(0, 10, n)) % 11, check)
    return np.char.add(body.astype("U17"), CHECK[check])


def synthetic_register(n_households: int, n_villages: int = 1, *, seed: int = 0, poverty_line_yuan: float = 3000.0,
                       poor_share: float = 0.45, village_prefix: str = "v", id_offset: int = 0) -> pd.DataFrame:
    """A fictional register in the canonical columns of ``households`` (plus ``village_id``).

    Parameters
    ----------
    n_households : int
        Households in all. [households]
    n_villages : int
        Villages they are spread over (``village_id`` = ``v0000``…).
    seed : int
        Seed of the random generator: the same seed gives the same frame.
    line : float
        Poverty line the incomes are drawn around. [yuan]
    poor_share : float
        Share of households registered as poor. [ratio]
    id_offset : int
        Passed to :func:`synthetic_id_numbers` as ``offset``: registers drawn with offsets at least
        ``n_households`` apart share no identity number.

    Returns
    -------
    DataFrame
        One row per household, booleans as bool, vocabularies as canonical ids.
    """
    rng = np.random.default_rng(seed)
    n = n_households
    village = rng.integers(0, n_villages, n)
    village = np.sort(village)
    registered = rng.random(n) < poor_share
    members = rng.choice([1, 2, 3, 4, 5, 6], size=n, p=[0.14, 0.30, 0.24, 0.18, 0.09, 0.05])
    cat_draw = rng.random(n)
    category = np.where(~registered, "non_poor",
                        np.where(cat_draw < 0.80, "general", np.where(cat_draw < 0.92, "dibao", "tekun")))
    status_draw = rng.random(n)
    status = np.where(~registered, "non_poor",
                      np.where(status_draw < 0.62, "poor", np.where(status_draw < 0.97, "exited", "returned")))
    poor_now = (status == "poor") | (status == "returned")
    # incomes per head: poor around 0.8 z, exited around 1.4 z, others around 2.6 z; a few <= 0
    median = np.where(poor_now, 0.8 * poverty_line_yuan, np.where(status == "exited", 1.45 * poverty_line_yuan, 2.6 * poverty_line_yuan))
    income = np.round(median * rng.lognormal(0.0, 0.35, n), 0)
    income[rng.random(n) < 0.004] = 0.0
    secure_p = np.where(poor_now, 0.85, np.where(status == "exited", 0.985, 0.995))
    guarantees = {g: rng.random(n) < secure_p for g in GUARANTEES}
    causes = np.array(CAUSES.ids, dtype=object)[rng.choice(len(CAUSES.ids), size=n, p=_CAUSE_P)]
    exit_year = np.where(status == "exited", rng.integers(2015, 2018, n), 0).astype(float)
    exit_year[exit_year == 0] = np.nan
    heads = np.char.add(np.array(_SURNAMES)[rng.integers(0, len(_SURNAMES), n)],
                        np.array(_GIVEN)[rng.integers(0, len(_GIVEN), n)])
    frame = pd.DataFrame({
        "village_id": pd.Categorical.from_codes(village, [f"{village_prefix}{i:04d}" for i in range(n_villages)]),
        "household_id": pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(7).to_numpy(),
        "head_name": heads,
        "id_number": synthetic_id_numbers(rng, n, invalid_share=0.002, offset=id_offset),
        "members": members,
        "category": category,
        "status": status,
        "exit_year": exit_year,
        "main_cause": np.where(registered, causes, None),
        "income_per_capita_yuan": income,
        "absent": (rng.random(n) < 0.15) & registered,
        **guarantees,
    })
    return frame


#: Periods of the demo village and the deliberate mismatch of its population.csv.
DEMO_PERIODS = ("2017H1", "2017H2", "2018H1", "2018H2")
DEMO_MISMATCH = ("2018H1", "poor_population", 2)


def demo_registers(lines: dict[int, float], *, seed: int = 2017, n_households: int = 150) -> dict[str, pd.DataFrame]:
    """The demo village's register in each of :data:`DEMO_PERIODS`.

    Households exit each half-year (income lifted above the line, guarantees secured, exit year set), one
    exited household returns to poverty in 2018H1, and a few entries are made to trip each audit rule:
    a wrong identity check digit, an exited household with no exit year, an exited household whose
    income is below the line, and an income of 0.

    Parameters
    ----------
    lines : dict
        Year → poverty line. [yuan]
    """
    rng = np.random.default_rng(seed)
    first = int(DEMO_PERIODS[0][:4])
    reg = synthetic_register(n_households, 1, seed=seed, poverty_line_yuan=lines[first], poor_share=0.5).drop(columns="village_id")
    reg["status"] = reg["status"].replace("returned", "poor")  # the one return happens in 2018H1
    reg["exit_year"] = np.where(reg["status"].eq("exited"), rng.integers(2015, 2017, len(reg)), np.nan)
    # audit cases, fixed households
    reg.loc[2, "id_number"] = reg.loc[2, "id_number"][:17] + ("0" if reg.loc[2, "id_number"][17] != "0" else "1")
    exited = reg.index[reg["status"].eq("exited")]
    reg.loc[exited[0], "exit_year"] = np.nan
    reg.loc[exited[1], "income_per_capita_yuan"] = round(0.9 * lines[first])
    poor_rows = reg.index[reg["status"].eq("poor")]
    reg.loc[poor_rows[0], "income_per_capita_yuan"] = 0.0
    out: dict[str, pd.DataFrame] = {}
    returner = None
    for i, code in enumerate(DEMO_PERIODS):
        year = int(code[:4])
        if i > 0:
            reg = reg.copy()
            reg["income_per_capita_yuan"] = np.round(reg["income_per_capita_yuan"] * rng.uniform(1.0, 1.08, len(reg)))
            poor = reg.index[reg["status"].eq("poor") & (reg.index != poor_rows[0])]
            leaving = rng.choice(poor, size=max(1, len(poor) // 5), replace=False)
            reg.loc[leaving, "status"] = "exited"
            reg.loc[leaving, "exit_year"] = year
            reg.loc[leaving, "income_per_capita_yuan"] = np.round(lines[year] * rng.uniform(1.1, 1.6, len(leaving)))
            for g in GUARANTEES:
                reg.loc[leaving, g] = True
            if code == "2018H1":
                returner = leaving[0]
            if returner is not None:
                reg.loc[returner, "status"] = "returned"
                reg.loc[returner, "income_per_capita_yuan"] = round(0.7 * lines[year])
        out[code] = reg.reset_index(drop=True)
    return out


#: Periods of the demo village after 2020, with the monitoring fields (防返贫动态监测).
DEMO_MONITORING_PERIODS = ("2021H1", "2021H2", "2022H1", "2022H2")
#: The period of the demo's evaluation sample.
DEMO_EVALUATION_PERIOD = "2022H2"


def _mid(code: str, month: int) -> pd.Timestamp:
    year, half = int(code[:4]), int(code[-1])
    return pd.Timestamp(year=year, month=month + (6 if half == 2 else 0), day=15)


def demo_monitoring_registers(start: pd.DataFrame, lines: dict[int, float], thresholds: dict[int, float], *,
                              seed: int = 2021) -> dict[str, pd.DataFrame]:
    """The demo village's register in each of :data:`DEMO_MONITORING_PERIODS`, with monitoring fields.

    Starts from the last register before 2021 (``start``): every poor household has exited in 2020 and
    incomes have grown about threefold. In 2021H1 most households below the monitoring threshold are
    monitored (exited ones as 脱贫不稳定户, others as 边缘易致贫户) and one household with a large medical
    bill as 突发严重困难户; two households below the threshold are left unmonitored (possible 漏监测).
    Each half-year incomes grow, monitored households' incomes rise with assistance, and half of the
    households that have passed the 风险消除 test get ``risk_eliminated_on``; new shocks arrive (a
    sharp income drop, a lost guarantee, an illness), and one household returns to poverty in 2022H1.

    Parameters
    ----------
    start : DataFrame
        The register of the last period before 2021 (canonical columns).
    lines, thresholds : dict
        Year → poverty line and year → monitoring threshold. [yuan per person per year]
    seed : int
        Seed of the random generator.
    """
    rng = np.random.default_rng(seed)
    reg = start.copy()
    n = len(reg)
    poor = reg["status"].isin(["poor", "returned"])
    reg.loc[poor, "status"] = "exited"
    reg.loc[poor, "exit_year"] = 2020
    for g in GUARANTEES:
        reg.loc[poor, g] = True
    reg["income_per_capita_yuan"] = np.round(reg["income_per_capita_yuan"].clip(lower=2000) *
                                             rng.uniform(2.3, 3.0, n))
    reg["monitoring_type"] = None
    reg["monitoring_since"] = pd.NaT
    reg["risk_eliminated_on"] = pd.NaT
    reg["risk_types"] = None
    reg["has_labour"] = rng.random(n) < 0.88
    reg["rigid_spending_yuan"] = np.nan
    out: dict[str, pd.DataFrame] = {}
    first = DEMO_MONITORING_PERIODS[0]
    threshold = thresholds[int(first[:4])]
    below = reg.index[reg["income_per_capita_yuan"] < threshold]
    watched = below[2:]                                # the first two are left out: possible 漏监测
    reg.loc[watched, "monitoring_type"] = np.where(reg.loc[watched, "status"].eq("exited"), "unstable_exited",
                                                   "marginal")
    reg.loc[watched, "risk_types"] = rng.choice(["illness", "income_drop", "disability|illness", "schooling",
                                                 "unemployment"], len(watched))
    reg.loc[watched, "monitoring_since"] = _mid(first, 3)
    shock = reg.index[(reg["income_per_capita_yuan"] > 2 * threshold) & reg["monitoring_type"].isna()][0]
    reg.loc[shock, ["monitoring_type", "risk_types", "monitoring_since"]] = ["sudden_hardship",
                                                                             "illness|rigid_spending", _mid(first, 4)]
    reg.loc[shock, "rigid_spending_yuan"] = round(1.5 * reg.loc[shock, "income_per_capita_yuan"] *
                                                  reg.loc[shock, "members"])
    best = reg.loc[watched, "income_per_capita_yuan"].idxmax()
    reg.loc[best, "has_labour"] = False                # one stays flagged after support (暂不标注)
    for i, code in enumerate(DEMO_MONITORING_PERIODS):
        year = int(code[:4])
        threshold = thresholds[year]
        if i > 0:
            previous = out[DEMO_MONITORING_PERIODS[i - 1]]
            reg = reg.copy()
            reg["income_per_capita_yuan"] = np.round(reg["income_per_capita_yuan"] * rng.uniform(1.0, 1.08, n))
            on = reg["monitoring_type"].notna() & reg["risk_eliminated_on"].isna()
            reg.loc[on, "income_per_capita_yuan"] = np.round(reg.loc[on, "income_per_capita_yuan"] *
                                                             rng.uniform(1.1, 1.3, int(on.sum())))
            # the sudden-hardship household's bill is paid off after a year
            if code == "2022H1":
                reg.loc[shock, "rigid_spending_yuan"] = round(0.2 * reg.loc[shock, "income_per_capita_yuan"])
            # half of those above the threshold in both periods, with guarantees and labour, are marked
            passed = on & (reg["income_per_capita_yuan"] > threshold) & \
                (previous["income_per_capita_yuan"] > threshold) & reg["has_labour"] & \
                reg[list(GUARANTEES)].all(axis=1) & ~(reg["rigid_spending_yuan"] >
                                                     reg["income_per_capita_yuan"] * reg["members"])
            marked = reg.index[passed][::2]
            reg.loc[marked, "risk_eliminated_on"] = _mid(code, 5)
            # new shocks: a sharp income drop (monitored), one left unmonitored, a lost guarantee
            calm = reg.index[reg["monitoring_type"].isna() & reg["status"].ne("returned")]
            hit = rng.choice(calm, size=3, replace=False)
            reg.loc[hit[:2], "income_per_capita_yuan"] = np.round(reg.loc[hit[:2], "income_per_capita_yuan"] * 0.55)
            reg.loc[hit[0], ["monitoring_type", "risk_types", "monitoring_since"]] = [
                "marginal" if reg.loc[hit[0], "status"] == "non_poor" else "unstable_exited", "income_drop",
                _mid(code, 2)]
            reg.loc[hit[2], "housing_secure"] = False
            if code == "2022H1":
                back = reg.index[reg["monitoring_type"].eq("unstable_exited") & reg["risk_eliminated_on"].isna() &
                                 reg["has_labour"]][0]
                reg.loc[back, "status"] = "returned"
                reg.loc[back, "income_per_capita_yuan"] = round(0.8 * lines[year])
        out[code] = reg.reset_index(drop=True)
    return out


def demo_evaluation_sample(register: pd.DataFrame, poverty_line_yuan: float, *, seed: int = 2022) -> pd.DataFrame:
    """An exit-evaluation sample of the demo register, findings derived from the register.

    30 exited households (wrongly exited when y ≤ line or a guarantee is not secure), 30 non-registered
    households (missed when y < line) and 40 surveyed households (each approving with probability 0.95).
    """
    rng = np.random.default_rng(seed)
    secure = register[list(GUARANTEES)].all(axis=1)
    y = register["income_per_capita_yuan"]
    rows = []
    exited = register.index[register["status"].eq("exited")]
    for i in sorted(rng.choice(exited, size=min(30, len(exited)), replace=False)):
        wrong = y[i] <= poverty_line_yuan or not secure[i]
        rows.append((register.loc[i, "household_id"], "exited", "wrongly_exited" if wrong else "correct", None))
    others = register.index[register["category"].eq("non_poor")]
    for i in sorted(rng.choice(others, size=min(30, len(others)), replace=False)):
        rows.append((register.loc[i, "household_id"], "non_registered", "missed" if y[i] < poverty_line_yuan else "correct",
                     None))
    for i in sorted(rng.choice(register.index, size=min(40, len(register)), replace=False)):
        rows.append((register.loc[i, "household_id"], "surveyed", None, bool(rng.random() < 0.95)))
    return pd.DataFrame(rows, columns=["household_id", "sample", "finding", "satisfied"])


# --------------------------------------------------------------------------- the example county

#: The example county's half-years.
COUNTY_PERIODS = ("2017H1", "2017H2", "2018H1", "2018H2")
#: The fictional county and its three townships: (township id, 中文, English).
COUNTY_ZH, COUNTY_EN = "虚构县", "Xugou County (fictional)"
COUNTY_TOWNSHIPS = (("dongling", "东岭乡", "Dongling"), ("xihe", "西河镇", "Xihe"), ("nanshan", "南山乡", "Nanshan"))
_COUNTY_VILLAGE_NAMES = ("石桥", "柳沟", "杏庄", "槐树", "河湾", "上坪", "下坪", "枣林", "松岭", "泉头", "后沟",
                         "前峪", "西坡", "东庄", "桃园", "北洼", "南岔", "岔口", "车道", "羊圈", "马坊", "庙沟",
                         "梨树", "白土")
_COUNTY_VILLAGE_PINYIN = ("shiqiao", "liugou", "xingzhuang", "huaishu", "hewan", "shangping", "xiaping", "zaolin",
                          "songling", "quantou", "hougou", "qianyu", "xipo", "dongzhuang", "taoyuan", "beiwa",
                          "nancha", "chakou", "chedao", "yangjuan", "mafang", "miaogou", "lishu", "baitu")
#: The deliberate features of the example county (village id → what is special about it).
COUNTY_WESTERN_VILLAGE = "chakou"                       # exit threshold 3% (the western rule)
COUNTY_MISSING = {"hougou": "2018H2", "mafang": "2018H1"}  # village → the period it lacks
COUNTY_MISMATCH = ("taoyuan", "poor_population", 5)     # population.csv reports 5 more poor persons


def county_village_specs(seed: int = 2018) -> pd.DataFrame:
    """The 24 villages of the example county: id, names, township, size and starting poor share.

    Sizes vary from 40 to 420 households; starting registered-poor shares from 2% to 55%, so that by
    2018H2 some villages are below their exit threshold and others far above it.

    Returns
    -------
    DataFrame
        One row per village: ``village_id, name_zh, name_en, township_id, township_zh, township_en,
        n_households`` [households], ``poor_share`` [ratio], ``exit_rate`` [ratio per half-year].
    """
    rng = np.random.default_rng(seed)
    n = len(_COUNTY_VILLAGE_NAMES)
    sizes = np.round(np.exp(rng.uniform(np.log(40), np.log(420), n))).astype(int)
    poor_share = np.round(rng.choice([0.02, 0.03, 0.05, 0.10, 0.20, 0.35, 0.55], size=n,
                                     p=[0.14, 0.10, 0.14, 0.16, 0.18, 0.16, 0.12]), 2)
    exit_rate = np.round(rng.uniform(0.10, 0.40, n), 2)
    township = np.arange(n) // (n // len(COUNTY_TOWNSHIPS))
    frame = pd.DataFrame({
        "village_id": list(_COUNTY_VILLAGE_PINYIN),
        "name_zh": [f"{x}村" for x in _COUNTY_VILLAGE_NAMES],
        "name_en": [x.capitalize() for x in _COUNTY_VILLAGE_PINYIN],
        "township_id": [COUNTY_TOWNSHIPS[t][0] for t in township],
        "township_zh": [COUNTY_TOWNSHIPS[t][1] for t in township],
        "township_en": [COUNTY_TOWNSHIPS[t][2] for t in township],
        "n_households": sizes,
        "poor_share": poor_share,
        "exit_rate": exit_rate,
    })
    # the western-rule village sits between the two thresholds at the end (2% < incidence < 3%)
    w = frame.index[frame["village_id"].eq(COUNTY_WESTERN_VILLAGE)][0]
    frame.loc[w, ["n_households", "poor_share", "exit_rate"]] = [300, 0.05, 0.15]
    return frame


def _county_projects(rng: np.random.Generator, village_id: str) -> pd.DataFrame:
    """A village's projects over the example periods: each starts planned, then is built and completed."""
    k = int(rng.integers(1, 6))
    cats = ("industry", "infrastructure", "living_environment", "public_service")
    names = {"industry": ("养殖合作社", "Livestock cooperative"), "infrastructure": ("村内道路硬化", "Village road paving"),
             "living_environment": ("人居环境整治", "Village environment"), "public_service": ("卫生室改造",
                                                                                         "Clinic renovation")}
    rows = []
    for j in range(k):
        cat = cats[int(rng.integers(0, len(cats)))]
        invest = float(rng.integers(5, 200)) * 10_000
        start = int(rng.integers(0, len(COUNTY_PERIODS)))
        rows.append((f"{cat}_{j + 1}", names[cat][0], names[cat][1], cat, invest, start,
                     int(rng.integers(1, 3)), rng.random() < 0.1))
    return pd.DataFrame(rows, columns=["project_id", "name_zh", "name_en", "category", "investment_yuan",
                                       "start", "build_periods", "unknown_investment"])


def demo_county(lines: dict[int, float], *, seed: int = 2018) -> dict[tuple[str, str], dict[str, pd.DataFrame]]:
    """Every table of every village-period of the fictional example county.

    Registers come from :func:`synthetic_register` (one seed per village); each half-year a share
    ``exit_rate`` of the poor households exits (income lifted above the line, guarantees secured).
    ``population`` is derived from the register, except the deliberate mismatch
    :data:`COUNTY_MISMATCH`; the periods in :data:`COUNTY_MISSING` are left out.

    Parameters
    ----------
    lines : dict
        Year → poverty line. [yuan]
    seed : int
        The one seed; the same seed gives the same county.

    Returns
    -------
    dict
        ``(village_id, period code)`` → ``{table name: frame}`` with the tables ``households``
        (canonical values, names and identity numbers fictional), ``population``, ``projects``,
        ``work_log`` and ``crops``.
    """
    from .measures.register import reconcile

    specs = county_village_specs(seed)
    out: dict[tuple[str, str], dict[str, pd.DataFrame]] = {}
    for i, spec in specs.iterrows():
        rng = np.random.default_rng([seed, i])
        first = int(COUNTY_PERIODS[0][:4])
        reg = synthetic_register(int(spec.n_households), 1, seed=seed * 100 + i, poverty_line_yuan=lines[first],
                                 id_offset=i * 365 * 60,
                                 poor_share=float(spec.poor_share)).drop(columns="village_id")
        reg["household_id"] = [f"{spec.village_id[:2].upper()}{k:05d}" for k in range(1, len(reg) + 1)]
        # 因学 needs a member at school: a household of one is put down to 缺劳动力 instead
        reg.loc[reg["main_cause"].eq("schooling") & reg["members"].eq(1), "main_cause"] = "lack_of_labour"
        reg["status"] = reg["status"].replace("returned", "poor")
        reg["exit_year"] = np.where(reg["status"].eq("exited"), rng.integers(2015, 2017, len(reg)), np.nan)
        projects = _county_projects(rng, spec.village_id)
        crop_groups = rng.choice(["minor_grains", "medicinal_herbs", "fruit", "vegetables"],
                                 size=int(rng.integers(1, 4)), replace=False)
        crop_target = {c: float(rng.integers(2, 30)) * 10 for c in crop_groups}
        for t, code in enumerate(COUNTY_PERIODS):
            year = int(code[:4])
            if t > 0:
                reg = reg.copy()
                reg["income_per_capita_yuan"] = np.round(reg["income_per_capita_yuan"]
                                                         * rng.uniform(1.0, 1.08, len(reg)))
                poor = reg.index[reg["status"].eq("poor")]
                leaving = rng.choice(poor, size=int(round(len(poor) * float(spec.exit_rate))), replace=False)
                reg.loc[leaving, "status"] = "exited"
                reg.loc[leaving, "exit_year"] = year
                reg.loc[leaving, "income_per_capita_yuan"] = np.round(lines[year] * rng.uniform(1.1, 1.6,
                                                                                                len(leaving)))
                for g in GUARANTEES:
                    reg.loc[leaving, g] = True
            if COUNTY_MISSING.get(spec.village_id) == code:
                continue
            derived = reconcile(reg, pd.Series(dtype=float))["derived"]
            pop_rows = []
            for measure, value in derived.items():
                note = "derived from households.csv"
                if (spec.village_id, measure) == COUNTY_MISMATCH[:2]:
                    value += COUNTY_MISMATCH[2]
                    note = f"DELIBERATE MISMATCH: reported {COUNTY_MISMATCH[2]} higher than the register"
                pop_rows.append((measure, int(value), note))
            population = pd.DataFrame(pop_rows, columns=["measure", "value", "note"])
            poor_households = int(derived["poor_households"])
            status = np.select([projects["start"] > t, projects["start"] + projects["build_periods"] > t],
                               ["planned", "in_progress"], "completed")
            proj = projects.assign(status=status, note="")
            proj["investment_yuan"] = proj["investment_yuan"].where(~proj["unknown_investment"])
            proj = proj[["project_id", "name_zh", "name_en", "category", "status", "investment_yuan", "note"]]
            start = pd.Timestamp(year, 1 if code.endswith("H1") else 7, 1)
            end = pd.Timestamp(year, 6, 30) if code.endswith("H1") else pd.Timestamp(year, 12, 31)
            contacted = int(round(poor_households * rng.uniform(0.5, 1.0)))
            work_log = pd.DataFrame({
                "activity": ["household_contact", "household_visit", "committee_meeting", "training"],
                "count": [contacted, int(rng.integers(10, 120)), int(rng.integers(2, 12)), int(rng.integers(0, 4))],
                "unit": ["户", "户次", "次", "次"],
                "date_from": [start.date().isoformat()] * 4,
                "date_to": [end.date().isoformat()] * 4,
                "note": [""] * 4,
            })
            share = min(1.0, (t + 1) / len(COUNTY_PERIODS) * rng.uniform(0.6, 1.1))
            crops_ = pd.DataFrame({
                "crop_group": list(crop_target),
                "name_zh": [{"minor_grains": "杂粮", "medicinal_herbs": "中药材", "fruit": "干鲜果",
                             "vegetables": "蔬菜"}[c] for c in crop_target],
                "target_new_area_mu": list(crop_target.values()),
                "achieved_new_area_mu": [round(v * share) for v in crop_target.values()],
                "note": [""] * len(crop_target),
            })
            out[(spec.village_id, code)] = {"households": reg.reset_index(drop=True).copy(),
                                            "population": population, "projects": proj.reset_index(drop=True),
                                            "work_log": work_log, "crops": crops_}
    return out


#: Half-year churn of :func:`synthetic_next_period`: share of each group that makes each move. [ratio]
CHURN = {
    "leave": 0.01,                   # any household: no longer listed (moved away, merged, died out)
    "enter": 0.01,                   # new households listed, as a share of the earlier count
    "enter_poor": 0.15,              # of the new households, identified as poor
    "exit": 0.20,                    # poor or returned → exited
    "return": 0.01,                  # exited → returned
    "become_poor": 0.003,            # non_poor → poor (newly identified)
    "remove": 0.005,                 # poor → non_poor (identified in error)
    "exited_to_poor": 0.0005,        # inconsistent: exited → poor without "returned"
    "poor_to_returned": 0.0005,      # inconsistent: poor → returned without having exited
    "non_poor_to_returned": 0.0002,  # inconsistent: non_poor → returned
    "members": 0.03,                 # household size changes by one person
    "category": 0.01,                # registered households change category
    "guarantee_gained": 0.3,         # an insecure guarantee becomes secure
    "guarantee_lost": 0.002,         # a secure guarantee is lost
}


def synthetic_next_period(register: pd.DataFrame, *, seed: int = 1, poverty_line_yuan: float = 3000.0) -> pd.DataFrame:
    """The register of the next half-year, with realistic churn (:data:`CHURN`), for panel tests and benchmarks.

    Households leave and enter, poor households exit (their income lifted above the line, guarantees
    secured), a few exited ones return, a few are newly identified or removed, and a handful make the
    inconsistent moves the stock-flow lists (exited → poor, poor → returned, non_poor → returned). Sizes,
    categories, incomes (× 1.00–1.08) and guarantees change for some households. Vectorised.

    Parameters
    ----------
    register : DataFrame
        The earlier register (as :func:`synthetic_register` makes it; ``household_id`` are digit strings).
    seed : int
        Seed of the random generator.
    line : float
        Poverty line of the later period. [yuan]

    Returns
    -------
    DataFrame
        The later register in the same columns; the earlier frame is not modified.
    """
    rng = np.random.default_rng(seed)
    reg = register.loc[rng.random(len(register)) >= CHURN["leave"]].reset_index(drop=True)
    n = len(reg)
    status = reg["status"].to_numpy(dtype=object).copy()
    u = rng.random(n)
    poor = (status == "poor") | (status == "returned")
    moves = [
        (poor & (u < CHURN["exit"]), "exited"),
        ((status == "poor") & (u >= CHURN["exit"]) & (u < CHURN["exit"] + CHURN["remove"]), "non_poor"),
        ((status == "poor") & (u >= 0.5) & (u < 0.5 + CHURN["poor_to_returned"]), "returned"),
        ((status == "exited") & (u < CHURN["return"]), "returned"),
        ((status == "exited") & (u >= 0.5) & (u < 0.5 + CHURN["exited_to_poor"]), "poor"),
        ((status == "non_poor") & (u < CHURN["become_poor"]), "poor"),
        ((status == "non_poor") & (u >= 0.5) & (u < 0.5 + CHURN["non_poor_to_returned"]), "returned"),
    ]
    for sel, to in moves:
        status[sel] = to
    exiting = moves[0][0]
    income = np.round(reg["income_per_capita_yuan"].to_numpy(dtype=float) * rng.uniform(1.0, 1.08, n))
    income[exiting] = np.round(poverty_line_yuan * rng.uniform(1.1, 1.6, int(exiting.sum())))
    returning = moves[3][0]
    income[returning] = np.round(poverty_line_yuan * rng.uniform(0.5, 0.95, int(returning.sum())))
    reg["status"] = status
    reg["income_per_capita_yuan"] = income
    reg["exit_year"] = np.where(exiting, 2018.0, reg["exit_year"].to_numpy(dtype=float))
    members = reg["members"].to_numpy().copy()
    change = rng.random(n) < CHURN["members"]
    members[change] = np.maximum(1, members[change] + rng.choice([-1, 1], int(change.sum())))
    reg["members"] = members
    category = reg["category"].to_numpy(dtype=object).copy()
    recat = (category != "non_poor") & (rng.random(n) < CHURN["category"])
    category[recat] = np.where(category[recat] == "general", "dibao", "general")
    category[(status == "non_poor")] = np.where(category[status == "non_poor"] == "non_poor", "non_poor",
                                                category[status == "non_poor"])
    category[(category == "non_poor") & (status != "non_poor")] = "general"
    reg["category"] = category
    for g in GUARANTEES:
        secure = reg[g].to_numpy(dtype=bool).copy()
        draw = rng.random(n)
        secure = np.where(secure, draw >= CHURN["guarantee_lost"], draw < CHURN["guarantee_gained"])
        secure[exiting] = True
        reg[g] = secure
    n_new = int(round(len(register) * CHURN["enter"]))
    if n_new:
        start = int(pd.to_numeric(register["household_id"]).max()) + 1
        new = synthetic_register(n_new, 1, seed=seed + 1, poverty_line_yuan=poverty_line_yuan, poor_share=0.0)
        new["household_id"] = pd.Series(np.arange(start, start + n_new)).astype(str).str.zfill(7).to_numpy()
        identified = rng.random(n_new) < CHURN["enter_poor"]
        new.loc[identified, ["category", "status"]] = ["general", "poor"]
        if "village_id" in reg:
            new["village_id"] = reg["village_id"].to_numpy()[rng.integers(0, n, n_new)] if n else "v0000"
        else:
            new = new.drop(columns="village_id")
        reg = pd.concat([reg, new[reg.columns]], ignore_index=True)
    return reg
