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


def synthetic_id_numbers(rng: np.random.Generator, n: int, invalid_share: float = 0.0) -> np.ndarray:
    """Fictional, distinct 18-digit identity numbers (region 990000) with correct check digits.

    Distinct by construction (a shuffled index spread over 21,900 birth dates × 1,000 sequence numbers,
    so up to 21.9 million numbers). A share ``invalid_share`` gets a wrong check digit (for audit tests).
    """
    days = 365 * 60
    if n > days * 1000:
        raise ValueError("at most 21,900,000 distinct numbers")
    index = rng.permutation(n)
    birth = pd.to_datetime("1940-01-01") + pd.to_timedelta(index % days, unit="D")
    body = np.char.add(np.char.add("990000", birth.strftime("%Y%m%d").to_numpy().astype("U8")),
                       np.char.zfill((index // days).astype("U3"), 3))
    digits = body.astype("U17").view("U1").reshape(n, 17).astype(np.int64)
    check = (digits @ WEIGHTS) % 11
    bad = rng.random(n) < invalid_share
    check = np.where(bad, (check + 1 + rng.integers(0, 10, n)) % 11, check)
    return np.char.add(body.astype("U17"), CHECK[check])


def synthetic_register(n_households: int, n_villages: int = 1, *, seed: int = 0, line: float = 3000.0,
                       poor_share: float = 0.45, village_prefix: str = "v") -> pd.DataFrame:
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
    median = np.where(poor_now, 0.8 * line, np.where(status == "exited", 1.45 * line, 2.6 * line))
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
        "id_number": synthetic_id_numbers(rng, n, invalid_share=0.002),
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
    reg = synthetic_register(n_households, 1, seed=seed, line=lines[first], poor_share=0.5).drop(columns="village_id")
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


def synthetic_next_period(register: pd.DataFrame, *, seed: int = 1, line: float = 3000.0) -> pd.DataFrame:
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
    income[exiting] = np.round(line * rng.uniform(1.1, 1.6, int(exiting.sum())))
    returning = moves[3][0]
    income[returning] = np.round(line * rng.uniform(0.5, 0.95, int(returning.sum())))
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
        new = synthetic_register(n_new, 1, seed=seed + 1, line=line, poor_share=0.0)
        new["household_id"] = pd.Series(np.arange(start, start + n_new)).astype(str).str.zfill(7).to_numpy()
        identified = rng.random(n_new) < CHURN["enter_poor"]
        new.loc[identified, ["category", "status"]] = ["general", "poor"]
        if "village_id" in reg:
            new["village_id"] = reg["village_id"].to_numpy()[rng.integers(0, n, n_new)] if n else "v0000"
        else:
            new = new.drop(columns="village_id")
        reg = pd.concat([reg, new[reg.columns]], ignore_index=True)
    return reg
