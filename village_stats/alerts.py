"""Alerts for section 五、问题与提示, read from the indicator sheet only.

Every figure an alert states is an indicator of the sheet (catalogue in :mod:`village_stats.indicators`),
so an alert can never disagree with ``indicators.csv``. Each alert is a row: ``alert`` id, ``level``,
``value`` (the indicator that triggered it) and the message in Chinese and English.

Levels and their rules (thresholds are arguments of :func:`alerts`):

``serious`` (严重) — the village is far from exit or a record is wrong:
    poverty incidence ≥ ``far_above`` × the exit threshold; register and reported counts disagree;
    exited households fail the exit test.
``attention`` (注意) — work to do this period:
    incidence at or above the threshold but below ``far_above`` × it; long-absent poor households at or
    above ``absent_share_attention`` of the poor; resident poor households not contacted; projects with
    unknown investment; crop groups without recorded progress; register audit findings.
``note`` (提示) — to know:
    incidence below the threshold; absent share below ``absent_share_attention``; households that meet
    the exit test; a poverty line not verified against an official source.

With the period's exit evaluation (``evaluation``, :attr:`village_stats.evaluate.Results.evaluation`) every
criterion with a stated standard that fails (错退率, 漏评率 < 2%, 群众认可度 ≥ 90%, 综合贫困发生率 < 2%) is
``serious``, and so is the verdict "有指标未达到退出标准" naming them. From the monitoring indicators: possible
漏监测 households (``attention``), a monitored share above its ceiling (``attention``). A share of households
above 100% (对接率 173.2%: more contacts recorded than poor households) cannot be a share of households: it
is ``serious`` and names the two counts, so the figure is checked before the report is used.
:func:`alerts_of` gives the alerts of a :class:`~village_stats.evaluate.Results`.

Rows come sorted by level (serious, attention, note), in rule order within a level.
"""

from __future__ import annotations

import math

import pandas as pd

from .indicators import values

COLUMNS = ("alert", "level", "value", "message_zh", "message_en")
#: Levels, most serious first.
LEVELS = ("serious", "attention", "note")


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _n(v: dict, key: str) -> float:
    return float(v.get(key, math.nan))


def _plural(n: float, one: str, many: str | None = None) -> str:
    from .labels import plural

    return plural(n, one, many)


def alerts(sheet: pd.DataFrame, data=None, *, far_above: float = 2.0,
           absent_share_attention: float = 0.2, evaluation: pd.DataFrame | None = None) -> pd.DataFrame:
    """Alerts of the period, from its indicator sheet.

    Parameters
    ----------
    sheet : DataFrame
        The period's indicator sheet (the only input).
    data : PeriodData, optional
        Ignored; accepted so that older notebooks calling ``alerts(sheet, data)`` still run.
    far_above : float
        Incidence at or above ``far_above`` × the exit threshold is serious. [ratio]
    absent_share_attention : float
        Share of poor households long absent at or above which it needs attention. [ratio]
    evaluation : DataFrame, optional
        The exit evaluation by criterion (value, comparison, threshold, met), when the period has one.

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`, sorted by level (:data:`LEVELS`).

    Examples
    --------
    >>> sheet = pd.DataFrame({"indicator": ["poverty_incidence", "exit_threshold", "poverty_reduction_needed"],
    ...                       "value": [0.478, 0.02, 188.0]})
    >>> a = alerts(sheet)
    >>> a.loc[0, "level"], a.loc[0, "message_zh"]
    ('serious', '贫困发生率47.8%，是退出标准（低于2.0%）的23.9倍；达到退出标准尚需脱贫188人。')
    """
    v = values(sheet)
    rows: list[tuple] = []
    h, z = _n(v, "poverty_incidence"), _n(v, "exit_threshold")
    if not math.isnan(h) and not math.isnan(z):
        need = _n(v, "poverty_reduction_needed")
        if h >= z:
            times = h / z
            rows.append(("incidence_above_threshold", "serious" if times >= far_above else "attention", times,
                         f"贫困发生率{_pct(h)}，是退出标准（低于{_pct(z)}）的{times:.1f}倍；"
                         f"达到退出标准尚需脱贫{need:.0f}人。",
                         f"Poverty incidence is {_pct(h)}, {times:.1f} times the exit threshold ({_pct(z)}); "
                         f"{_plural(need, 'person', 'people')} still need to exit poverty."))
        else:
            rows.append(("incidence_below_threshold", "note", h,
                         f"贫困发生率{_pct(h)}，已低于退出标准{_pct(z)}。",
                         f"Poverty incidence {_pct(h)} is below the exit threshold {_pct(z)}."))
    share, absent = _n(v, "absent_poor_household_share"), _n(v, "absent_poor_households")
    if not math.isnan(share) and share > 0:
        rows.append(("absent_poor_households", "attention" if share >= absent_share_attention else "note", share,
                     f"{absent:.0f}户贫困户长期不在村，占贫困户的{_pct(share)}，入户帮扶难以覆盖。",
                     f"{_plural(absent, 'poor household')} ({_pct(share)}) "
                     f"{'is' if absent == 1 else 'are'} long absent from the village and hard to reach."))
    missing = _n(v, "uncontacted_resident_poor_households")
    if not math.isnan(missing) and missing > 0:
        rows.append(("resident_poor_not_contacted", "attention", missing,
                     f"在村贫困户中有{missing:.0f}户本期未对接。",
                     f"{_plural(missing, 'resident poor household')} {'was' if missing == 1 else 'were'} "
                     f"not contacted this period."))
    unknown = _n(v, "projects_without_investment")
    if not math.isnan(unknown) and unknown > 0:
        rows.append(("projects_without_investment", "attention", unknown,
                     f"{unknown:.0f}个项目投资额未知，见项目清单。",
                     f"{_plural(unknown, 'project')} with unknown investment (see the project list)."))
    stalled, area = _n(v, "crop_groups_without_progress"), _n(v, "crop_target_without_progress_mu")
    if not math.isnan(stalled) and stalled > 0:
        rows.append(("crop_targets_without_progress", "attention", area,
                     f"{stalled:.0f}类作物共{area:g}亩计划新增面积尚无完成记录。",
                     f"No achieved area recorded yet for {_plural(stalled, 'crop group')} ({area:g} mu planned)."))
    rows.extend(_register_alerts(v))
    rows.extend(_impossible_share_alerts(v))
    rows.extend(_evaluation_alerts(evaluation))
    rows.extend(_monitoring_alerts(v))
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    out["_order"] = out["level"].map({lv: i for i, lv in enumerate(LEVELS)})
    return out.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)


def _register_alerts(v: dict) -> list[tuple]:
    from .schema import POPULATION_MEASURES

    rows = []
    for measure in POPULATION_MEASURES.ids:
        diff = _n(v, f"reconciliation_{measure}_difference")
        if math.isnan(diff) or diff == 0:
            continue
        reported = _n(v, measure)
        zh, en = POPULATION_MEASURES.label(measure, "zh"), POPULATION_MEASURES.label(measure, "en")
        rows.append((f"reconciliation_{measure}", "serious", diff,
                     f"登记册与上报数据不一致：{zh}上报{reported:g}，登记册{reported + diff:g}（差{diff:+g}）。",
                     f"Register and reported counts disagree: {en.lower()} reported {reported:g}, "
                     f"register {reported + diff:g} ({diff:+g})."))
    failing = _n(v, "exited_failing_criteria_households")
    if failing > 0:
        rows.append(("exited_failing_criteria", "serious", failing,
                     f"{failing:.0f}户已脱贫户收入未超过贫困标准或两不愁三保障未全部解决。",
                     f"{_plural(failing, 'exited household')}: income not above the line or a guarantee not secure."))
    findings = _n(v, "audit_findings")
    if findings > 0:
        rows.append(("audit_findings", "attention", findings, f"登记册核查发现{findings:.0f}条问题，见第六部分。",
                     f"The register audit found {_plural(findings, 'issue')} (section 6)."))
    eligible = _n(v, "exit_eligible_households")
    if eligible > 0:
        rows.append(("exit_eligible", "note", eligible,
                     f"{eligible:.0f}户贫困户已符合脱贫条件，可启动退出程序。",
                     f"{_plural(eligible, 'poor household')} {'meets' if eligible == 1 else 'meet'} the exit test "
                     f"and can start the exit procedure."))
    if _n(v, "poverty_line_verified") == 0:
        line = _n(v, "poverty_line_yuan")
        rows.append(("poverty_line_unverified", "note", line,
                     f"所用贫困标准{line:,.0f}元尚未核实，请以官方数字为准。",
                     f"The poverty line used ({line:,.0f} yuan) is not verified against an official source."))
    return rows


#: Shares of households (ratio indicators over households) and the counts they divide: above 100% they
#: cannot be shares — a count was entered twice, or visits were entered as households.
#: The first share of a count above 100% is the one alerted (the resident rate is the larger of the two).
HOUSEHOLD_SHARES = (("resident_contact_rate", "contacted_poor_households", "resident_poor_households"),
                    ("contact_rate", "contacted_poor_households", "poor_households"),
                    ("poor_household_share", "poor_households", "households_total"),
                    ("absent_poor_household_share", "absent_poor_households", "poor_households"))


def _impossible_share_alerts(v: dict) -> list[tuple]:
    """A share of households above 100%: serious, naming the share and its two counts."""
    from .indicators import label
    from .labels import t

    rows, named = [], set()
    for share, part, whole in HOUSEHOLD_SHARES:
        x = _n(v, share)
        if math.isnan(x) or x <= 1.0 + 1e-9 or part in named:  # one alert per count: the largest share first
            continue
        named.add(part)
        n = _n(v, part)
        d = _n(v, whole) if whole in v else _n(v, "poor_households") - _n(v, "absent_poor_households")
        rows.append((f"share_above_100_{share}", "serious", x,
                     *(t("alert_share_above_100", lang, name=label(share, lang), rate=_pct(x), part=f"{n:,.0f}",
                         whole=f"{d:,.0f}", part_name=label(part, lang), whole_name=(
                             label(whole, lang) if whole in v else t("resident_poor_households", lang)))
                       for lang in ("zh", "en"))))
    return rows


#: Wording keys of a standard's comparison (a threshold reads 低于2.0% / below 2.0%, never ``< 2.0%``).
COMPARISON_KEYS = {"<": "cmp_lt", "<=": "cmp_le", ">": "cmp_gt", ">=": "cmp_ge"}


def standard_text(comparison: str, threshold: float, lang: str = "zh") -> str:
    """A stated standard in words: the comparison and the threshold in percent.

    >>> standard_text(">=", 0.9), standard_text("<", 0.02, "en")
    ('不低于90.0%', 'below 2.0%')
    """
    from .labels import t

    key = COMPARISON_KEYS.get(comparison)
    return t(key, lang, x=_pct(threshold)) if key else f"{comparison} {_pct(threshold)}"


def _evaluation_alerts(evaluation: pd.DataFrame | None) -> list[tuple]:
    """The exit verdict and each failing criterion of the exit evaluation (serious)."""
    from .labels import MONITORING_LABELS, pick, t

    if evaluation is None or len(evaluation) == 0:
        return []
    failing = [c for c, r in evaluation.iterrows() if r["met"] is False or r["met"] == False]  # noqa: E712
    if not failing:
        return []
    names = {lang: t("list_sep", lang).join(pick(MONITORING_LABELS[c], lang) for c in failing)
             for lang in ("zh", "en")}
    rows = [("exit_verdict_not_ready", "serious", float(len(failing)),
             t("alert_exit_not_ready", "zh", names=names["zh"]), t("alert_exit_not_ready", "en", names=names["en"]))]
    for c in failing:
        r = evaluation.loc[c]
        rows.append((f"evaluation_{c}", "serious", float(r["value"]),
                     *(t("alert_criterion_fails", lang, name=pick(MONITORING_LABELS[c], lang),
                         value=_pct(float(r["value"])),
                         standard=standard_text(str(r["comparison"]), float(r["threshold"]), lang))
                       for lang in ("zh", "en"))))
    return rows


def _monitoring_alerts(v: dict) -> list[tuple]:
    """Possible 漏监测 households; a monitored share above its ceiling (attention)."""
    from .labels import MONITORING_LABELS, pick, t

    rows = []
    found = _n(v, "monitoring_candidates")
    if found > 0:
        parts = {lang: t("list_sep", lang).join(
            t("alert_rule_count", lang, rule=pick(MONITORING_LABELS[r], lang),
              n=f"{_n(v, f'monitoring_candidates_{r}'):.0f}")
            for r in ("income_below_threshold", "income_drop", "rigid_spending_above_income", "guarantee_lost")
            if _n(v, f"monitoring_candidates_{r}") > 0) for lang in ("zh", "en")}
        rows.append(("monitoring_candidates", "attention", found,
                     t("alert_monitoring_candidates", "zh", n=f"{found:.0f}", parts=parts["zh"]),
                     t("alert_monitoring_candidates", "en", n=f"{found:.0f}", parts=parts["en"],
                       households=_plural(found, "household"))))
    share, ceiling = _n(v, "monitored_share"), _n(v, "monitored_share_ceiling")
    if not math.isnan(share) and not math.isnan(ceiling) and share > ceiling:
        rows.append(("monitored_share_above_ceiling", "attention", share,
                     *(t("alert_monitored_above_ceiling", lang, share=_pct(share), ceiling=_pct(ceiling))
                       for lang in ("zh", "en"))))
    return rows


def alerts_of(results, **options) -> pd.DataFrame:
    """The alerts of a village-period's :class:`~village_stats.evaluate.Results`: its sheet's, and its exit
    evaluation's (:func:`alerts` with ``evaluation``)."""
    return alerts(results.sheet, evaluation=results.evaluation, **options)
