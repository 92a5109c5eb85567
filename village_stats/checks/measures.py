"""Rules on the help measures (``HM-###``): dates, amounts, the register, and monitored households
without a measure; and rules over every village of a data root (``XV-###``) on the keyed digests of ID
numbers (``id_key``, made at load and kept only in memory)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalogue import Across, Frames, hits, rule
from .members import IN_SCHOOL

HM = "help_measures."
H = "households."


@rule("HM-001", "error", (HM + "started_on", HM + "ended_on"), "register", "日期先后：帮扶措施先开始后结束")
def dates_reversed(f: Frames, p) -> pd.DataFrame:
    m = f.help_measures
    return hits(m, m["ended_on"] < m["started_on"], "measure")


@rule("HM-002", "error", (H + "household_id", HM + "household_id"), "register", "帮扶措施所属户在登记册中")
def unknown_household(f: Frames, p) -> pd.DataFrame:
    return hits(f.help_measures, f.measure_row < 0, "measure")


@rule("HM-003", "error", (HM + "amount_yuan",), "register", "帮扶资金金额为正（不知道时留空）")
def amount_nonpositive(f: Frames, p) -> pd.DataFrame:
    m = f.help_measures
    return hits(m, m["amount_yuan"] <= 0, "measure", "amount_yuan")


@rule("HM-004", "doubt", (H + "monitoring_type", H + "risk_eliminated_on", HM + "started_on"), "policy",
      "中农组发〔2021〕7号及2026年农业农村部实施意见：对监测对象及时落实针对性帮扶措施")
def monitored_without_measure(f: Frames, p) -> pd.DataFrame:
    h = f.households
    open_ = f.known("households", "monitoring_type") & ~(h["risk_eliminated_on"] <= f.end).to_numpy()
    running = f.per_household(f.running, measures=True)
    return hits(h, open_ & (running == 0), "monitoring_type")


@rule("HM-005", "error", (HM + "started_on",), "register", "登记日期不能晚于本期末（数据截止日）")
def started_after_period(f: Frames, p) -> pd.DataFrame:
    m = f.help_measures
    return hits(m, m["started_on"] > f.end, "measure")


@rule("HM-006", "doubt", (HM + "measure", "members.in_school"), "register",
      "教育帮扶对象为在校生（教育资助）")
def education_without_student(f: Frames, p) -> pd.DataFrame:
    education = f.per_household(f.running & f.among("help_measures", "measure", ("education",)), measures=True)
    students = f.per_household(f.among("members", "in_school", IN_SCHOOL))
    return hits(f.households, (education > 0) & (students == 0))


# --------------------------------------------------------------------------- across villages

def _shared(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose ``id_key`` occurs in more than one household (village and household id) of the frame:
    distinct (key, household) pairs counted per key on integer codes."""
    key, _ = pd.factorize(frame["id_key"])
    village, _ = pd.factorize(frame["village_id"])
    household, _ = pd.factorize(frame["household_id"])
    where = household.astype(np.int64) * (int(village.max(initial=0)) + 1) + village
    width = int(where.max(initial=0)) + 1
    pairs = np.sort(key.astype(np.int64) * width + where)
    distinct = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))] if len(pairs) else pairs
    households = np.bincount(distinct // width, minlength=int(key.max(initial=-1)) + 1)
    return households[key] > 1


def _other_villages(frame: pd.DataFrame, mask: np.ndarray) -> np.ndarray:
    """For each flagged row, the other villages holding its key (comma-joined; '' when only its own)."""
    hit = frame.loc[mask, ["id_key", "village_id"]]
    villages: dict[str, list[str]] = {}
    for key, village in hit.drop_duplicates().sort_values("village_id").itertuples(index=False):
        villages.setdefault(key, []).append(village)
    out = np.full(len(frame), "", dtype=object)
    out[np.flatnonzero(mask)] = [",".join(v for v in villages[key] if v != own)
                                 for key, own in zip(hit["id_key"], hit["village_id"])]
    return out


@rule("XV-001", "error", (H + "id_key",), "register", "一人一档：同一身份证号码只能登记在一户（全县范围，号码以密钥摘要比对）",
      across=True)
def head_in_two_households(a: Across, p) -> pd.DataFrame:
    heads = a.heads
    mask = _shared(heads)
    out = heads.loc[mask, ["village_id", "household_id"]].reset_index(drop=True)
    out["other_villages"] = _other_villages(heads, mask)[mask]
    return out


@rule("XV-002", "error", ("members.id_key",), "register", "一人一档：同一成员身份证号码只能登记在一户（号码以密钥摘要比对）",
      across=True)
def member_in_two_households(a: Across, p) -> pd.DataFrame:
    members = a.members
    mask = _shared(members)
    out = members.loc[mask, ["village_id", "household_id", "member_no"]].reset_index(drop=True)
    out["other_villages"] = _other_villages(members, mask)[mask]
    return out


@rule("XV-003", "hint", (H + "id_key",), "register", "户籍迁移：户主上期登记在另一个村的，应办理转移", across=True)
def moved_village(a: Across, p) -> pd.DataFrame:
    now, before = a.heads, a.previous_heads
    if before.empty:
        return pd.DataFrame({"village_id": [], "household_id": [], "previous_village": []})
    single = before.drop_duplicates("id_key", keep=False)
    joined = now.merge(single[["id_key", "village_id"]].rename(columns={"village_id": "previous_village"}),
                       on="id_key", how="inner")
    moved = joined.loc[joined["previous_village"] != joined["village_id"]]
    return moved[["village_id", "household_id", "previous_village"]].reset_index(drop=True)
