"""Run the catalogue: one village-period (:func:`run`) or every village of a data root for a period
(:func:`run_villages`, with the rules across villages), into :class:`Findings`.

A rule runs when its tables and fields are present, the period values it needs are set, and its setting
for the village and year enables it; a rule needing the member list or the help measures simply does not
run for a period without them. Nothing here reads a file: a village-period's settings are those the
loader applied (:func:`village_stats.checks.settings.settings_of`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from ..labels import pick
from ..load import PeriodData
from . import wording
from .catalogue import RULES, SEVERITY_IDS, Across, CheckRule, Frames
from .settings import Setting, default, settings_of

#: The columns of a findings frame, one row per finding.
FINDING_COLUMNS = ("rule", "severity", "village_id", "period", "household_id", "member_no", "values")
#: Columns of a check's result that are keys, not offending values.
_KEYS = ("village_id", "household_id", "member_no")


def frames_of(data: PeriodData) -> Frames:
    """What the checks of one village-period see."""
    line = data.poverty_line.poverty_line_yuan if data.poverty_line is not None else math.nan
    threshold = data.rules.monitoring_threshold.value if data.rules.monitoring_threshold is not None else math.nan
    get = {t: data.table(t) if data.has(t) else None for t in ("households", "members", "help_measures")}
    return Frames(get["households"], get["members"], get["help_measures"], period=data.period,
                  poverty_line=line, monitoring_threshold=threshold)


def applies(r: CheckRule, f: Frames) -> bool:
    """Whether ``r`` can run on ``f``: its tables and fields present, its period values set."""
    for table in r.tables:
        frame = getattr(f, table)
        if frame is None or any(c not in frame for c in r.columns(table)):
            return False
    values = {"poverty_line": f.poverty_line, "monitoring_threshold": f.monitoring_threshold}
    return all(not math.isnan(values[n]) for n in r.needs)


def _text(col: pd.Series) -> np.ndarray:
    """Values as text, vectorised: dates ``YYYY-MM-DD``, whole numbers without decimals, others to 2 places
    (trailing zeros dropped), text as it is; '' for unknown."""
    values = col.to_numpy()
    if pd.api.types.is_datetime64_any_dtype(col):
        text = np.datetime_as_string(values.astype("datetime64[D]"), unit="D").astype(object)
        known = ~np.isnat(values)
    elif pd.api.types.is_float_dtype(col) or pd.api.types.is_integer_dtype(col):
        x = values.astype(float)
        known = ~np.isnan(x)
        whole = known & (np.abs(x) < 1e15) & (x == np.round(x))
        text = np.full(len(x), "", dtype=object)
        text[whole] = x[whole].astype(np.int64).astype(str).astype(object)
        rest = known & ~whole
        if rest.any():
            text[rest] = [f"{v:.2f}".rstrip("0").rstrip(".") if abs(v) < 1e15 else f"{v:.0f}" for v in x[rest]]
    else:
        known = pd.notna(col).to_numpy()
        text = col.astype(str).to_numpy(dtype=object)
    return np.where(known, text, "")


def _values_text(result: pd.DataFrame) -> np.ndarray:
    """``name=value; name=value`` of the offending values of each row (no keys)."""
    out = None
    for name in (c for c in result.columns if c not in _KEYS):
        part = (name + "=") + _text(result[name])
        out = part if out is None else out + "; " + part
    return np.full(len(result), "", dtype=object) if out is None else out


def _finish(r: CheckRule, s: Setting, result: pd.DataFrame, village_id: str | None, period: str) -> pd.DataFrame:
    """A check's offending rows as findings."""
    n = len(result)
    member = result["member_no"] if "member_no" in result else pd.Series(pd.NA, index=result.index)
    village = result["village_id"].to_numpy(dtype=object) if "village_id" in result else np.full(n, village_id,
                                                                                                  dtype=object)
    return pd.DataFrame({
        "rule": np.full(n, r.id, dtype=object), "severity": np.full(n, s.severity, dtype=object),
        "village_id": village, "period": np.full(n, period, dtype=object),
        "household_id": result["household_id"].to_numpy(dtype=object),
        "member_no": pd.array(member.to_numpy(), dtype="Int64"),
        "values": _values_text(result),
    })


def _combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_frame()
    return pd.concat(parts, ignore_index=True)


def empty_frame() -> pd.DataFrame:
    """A findings frame without rows."""
    return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "member_no" else object) for c in FINDING_COLUMNS})


def run_frames(f: Frames, settings: Mapping[str, Setting] | None = None, *, village_id: str = "",
               rules: Iterable[str] | None = None) -> pd.DataFrame:
    """The findings of every applicable rule (not across villages) on ``f``, catalogue order."""
    chosen = list(RULES) if rules is None else list(rules)
    parts = []
    for rid in chosen:
        r = RULES[rid]
        s = (settings or {}).get(rid) or default(r, f.period.year)
        if r.across or not s.enabled or not applies(r, f):
            continue
        result = r.fn(f, s.params)
        if len(result):                  # most rules find nothing: no frame of findings built for them
            parts.append(_finish(r, s, result, village_id, f.period.code))
    return _combine(parts)


def run(data: PeriodData, settings: Mapping[str, Setting] | None = None, *,
        rules: Iterable[str] | None = None) -> Findings:
    """Every rule of one village-period (the rules across villages need :func:`run_villages`).

    Parameters
    ----------
    data : PeriodData
    settings : mapping, optional
        Rule id → :class:`~village_stats.checks.settings.Setting`, to try other settings; by default those
        of ``policy/check_rules.csv`` the loader applied to the village and year
        (:func:`~village_stats.checks.settings.settings_of`).
    rules : iterable of str, optional
        Only these rule ids.

    Returns
    -------
    Findings
    """
    if settings is None:
        settings = settings_of(data)
    frame = run_frames(frames_of(data), settings, village_id=data.village.id, rules=rules)
    households = len(data.table("households")) if data.has("households") else 0
    return Findings(frame, {data.village.id: households})


def _heads(datas: Iterable[PeriodData]) -> pd.DataFrame:
    parts = [pd.DataFrame({"village_id": d.village.id, "household_id": d.table("households")["household_id"],
                           "id_key": d.table("households")["id_key"]})
             for d in datas if d.has("households") and "id_key" in d.table("households")]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["village_id", "household_id",
                                                                                    "id_key"])
    return frame.loc[frame["id_key"].notna()].reset_index(drop=True)


def _members(datas: Iterable[PeriodData]) -> pd.DataFrame:
    cols = ["village_id", "household_id", "member_no", "id_key"]
    parts = [d.table("members").assign(village_id=d.village.id)[cols]
             for d in datas if d.has("members") and "id_key" in d.table("members")]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    return frame.loc[frame["id_key"].notna()].reset_index(drop=True)


def run_villages(datas: list[PeriodData], previous: list[PeriodData] | None = None,
                 settings: Mapping[str, Mapping[str, Setting]] | None = None, *,
                 rules: Iterable[str] | None = None) -> Findings:
    """Every rule on the villages of one data root for one period, the rules across villages included.

    Parameters
    ----------
    datas : list of PeriodData
        The villages' data for the period.
    previous : list of PeriodData, optional
        The villages' data for the previous period of the same kind (a household moving village).
    settings : mapping, optional
        Village id → its settings, to try others; by default each village-period's own
        (:func:`~village_stats.checks.settings.settings_of`).
    rules : iterable of str, optional
        Only these rule ids.
    """
    settings = {d.village.id: (settings or {}).get(d.village.id) or settings_of(d) for d in datas}
    chosen = list(RULES) if rules is None else list(rules)
    parts = [run(d, settings[d.village.id], rules=chosen).frame for d in datas]
    across = [rid for rid in chosen if RULES[rid].across]
    if across and datas:
        a = Across(_heads(datas), _members(datas), _heads(previous or []))
        period = datas[0].period
        for rid in across:
            r = RULES[rid]
            needed = {"households": a.heads, "members": a.members}
            if any(needed[t].empty for t in r.tables):
                continue
            result = r.fn(a, default(r).params)
            if result.empty:
                continue
            # each village's own setting says whether the rule is on and how serious its findings are
            for vid, rows in result.groupby("village_id", sort=True):
                s = (settings.get(vid) or {}).get(rid) or default(r, period.year)
                if s.enabled:
                    parts.append(_finish(r, s, rows, vid, period.code))
    households = {d.village.id: (len(d.table("households")) if d.has("households") else 0) for d in datas}
    frame = _combine(parts)
    order = {rid: i for i, rid in enumerate(RULES)}
    frame = frame.iloc[np.lexsort((frame["village_id"].to_numpy(dtype=str),
                                   frame["rule"].map(order).to_numpy()))].reset_index(drop=True)
    return Findings(frame, households)


class Findings:
    """The findings of one village-period or of the villages of a data root.

    Attributes
    ----------
    frame : DataFrame
        One row per finding, columns :data:`FINDING_COLUMNS` (no name, no ID number: households by id,
        members by number).
    households : dict
        Village id → register households checked (for findings per 100 households).
    """

    def __init__(self, frame: pd.DataFrame, households: Mapping[str, int]) -> None:
        self.frame = frame
        self.households = dict(households)

    def __len__(self) -> int:
        return len(self.frame)

    def only(self, severity: Iterable[str] | None = None, rules: Iterable[str] | None = None,
             villages: Iterable[str] | None = None) -> Findings:
        """The findings of some severities, rules or villages."""
        keep = np.ones(len(self.frame), dtype=bool)
        if severity is not None:
            keep &= self.frame["severity"].isin(list(severity)).to_numpy()
        if rules is not None:
            keep &= self.frame["rule"].isin(list(rules)).to_numpy()
        hh = self.households
        if villages is not None:
            villages = list(villages)
            keep &= self.frame["village_id"].isin(villages).to_numpy()
            hh = {v: n for v, n in hh.items() if v in villages}
        return Findings(self.frame.loc[keep].reset_index(drop=True), hh)

    def count(self, severity: str | None = None) -> int:
        """Findings, of one severity when given."""
        return int(len(self.frame) if severity is None else self.frame["severity"].eq(severity).sum())

    def summary(self) -> pd.DataFrame:
        """Findings by rule: ``rule, severity, findings, households_hit`` in catalogue order (rules with a
        finding only)."""
        f = self.frame
        if f.empty:
            return pd.DataFrame({"rule": [], "severity": [], "findings": [], "households_hit": []})
        hh = f.assign(key=f["village_id"].astype(str) + "\x1f" + f["household_id"].astype(str))
        out = hh.groupby(["rule", "severity"], sort=False).agg(findings=("rule", "size"),
                                                                households_hit=("key", "nunique")).reset_index()
        order = {rid: i for i, rid in enumerate(RULES)}
        sev = {s: i for i, s in enumerate(SEVERITY_IDS)}
        return out.iloc[np.lexsort((out["severity"].map(sev), out["rule"].map(order)))].reset_index(drop=True)

    def by_village(self) -> pd.DataFrame:
        """Per village: ``households``, ``findings``, ``per_100`` (findings per 100 households), ``errors``
        and ``rank`` (1 = most findings per 100 households), every village checked."""
        f = self.frame
        villages = sorted(self.households)
        counts = f.groupby("village_id").size().reindex(villages, fill_value=0)
        errors = f.loc[f["severity"].eq("error")].groupby("village_id").size().reindex(villages, fill_value=0)
        hh = pd.Series(self.households).reindex(villages).astype(float)
        out = pd.DataFrame({"households": hh, "findings": counts.astype(float), "errors": errors.astype(float)})
        out["per_100"] = (100 * out["findings"] / out["households"]).where(out["households"] > 0)
        out["rank"] = out["per_100"].rank(ascending=False, method="min")
        out.index.name = "village_id"
        return out

    def table(self, lang: str = "zh") -> pd.DataFrame:
        """The 疑点清单 in ``lang``: the columns of :data:`FINDING_COLUMNS` plus what is wrong and what to
        check, the severities in words, headers in ``lang``."""
        return listing(self.frame, lang)


def rule_words(rule_id: str, lang: str, params: Mapping[str, float] | None = None) -> tuple[str, str]:
    """(what is wrong, what to check) of a rule in ``lang``, its numbers filled in."""
    what_zh, what_en, check_zh, check_en = wording.RULE_TEXT[rule_id]
    values = {**RULES[rule_id].params, **(params or {})}
    return pick((what_zh, what_en), lang).format(**values), pick((check_zh, check_en), lang)


def listing(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Findings with their words, headers in ``lang`` (no personal data: the frame holds none)."""
    words = {rid: rule_words(rid, lang) for rid in frame["rule"].unique()}
    out = pd.DataFrame({
        "rule": frame["rule"],
        "severity": frame["severity"].map(lambda s: pick(wording.SEVERITIES[s], lang)),
        "village_id": frame["village_id"], "period": frame["period"],
        "household_id": frame["household_id"], "member_no": frame["member_no"],
        "what": frame["rule"].map(lambda r: words[r][0]),
        "values": frame["values"],
        "check": frame["rule"].map(lambda r: words[r][1]),
    })
    out.columns = [pick(wording.TEXT[c], lang) for c in out.columns]
    return out
