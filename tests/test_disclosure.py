"""Disclosure control holds against an attacker who reads every published level and knows the catalogue.

The attacker here is written independently of :mod:`village_stats.panel.disclosure` and
:mod:`village_stats.panel.secondary`: it reads the published roll-up (the CSV rows of the three levels, a
hidden cell printed as ``suppressed``), writes down every linear identity it can from the catalogue's
declarations and the levels (a group = the sum of its villages or townships, a total = the sum of its
breakdown, ``Sum(plus=, minus=)`` identities, a ratio's parts = the indicators it names, and for every shown
rate r: numerator = r × denominator), then solves for every hidden cell (exact: the cell is fixed by the
equations iff no direction of their null space moves it) and bounds the others by linear programming with
counts ≥ 0. It is told which identities hold on the true data (an oracle: a stronger attacker than a real
one), but uses only published numbers as the right-hand sides.

On the code before this change (each level suppressed on its own) the same attacker pins down primary cells
of the example county at every threshold (the numbers are in the note of issue 18).
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from village_stats.cli import main
from village_stats.indicators import CATALOGUE
from village_stats.load import Source
from village_stats.panel.county import load_county
from village_stats.panel.disclosure import protect
from village_stats.panel.rollup import rollup_levels
from village_stats.units import UNITS, Pooled, Ratio, Sum

ROOT = Path(__file__).resolve().parent.parent / "examples" / "demo_county"
PERIOD = "2018H2"
LEVELS = ("village", "township", "county")


# --------------------------------------------------------------------------- the attacker

LAST: dict = {}                                            # the last attack's system, to explain a failure


def _head(unit):
    return unit in UNITS and UNITS[unit].head_count


def _count_columns(ind):
    """Which columns of an indicator's row are head counts, from its declaration."""
    c = CATALOGUE[ind].combine
    cols = []
    if isinstance(c, Sum) and _head(CATALOGUE[ind].unit):
        cols.append("value")
    if isinstance(c, Ratio):
        if _head(CATALOGUE[c.numerator].unit if c.numerator else c.parts_unit):
            cols.append("numerator")
        if _head(CATALOGUE[c.denominator].unit if c.denominator else c.parts_unit):
            cols.append("denominator")
    if isinstance(c, Pooled) and _head(c.parts_unit):
        cols += ["numerator", "denominator"]
    return cols


def _signed(ind):
    c = CATALOGUE[ind].combine
    return isinstance(c, Sum) and bool(c.minus) and not c.clipped


def attack(published: pd.DataFrame, truth: pd.DataFrame, villages: pd.DataFrame, below: int):
    """Every primary cell (a head count 0 < x < below, not a signed difference) the attacker pins down.

    Returns a list of (level, group, indicator, column, true value, what the attacker got, how): ``shown``
    (printed), ``solved`` (fixed by the equations) or ``narrow`` (an interval under ``below`` wide).
    """
    from scipy.linalg import null_space
    from scipy.optimize import linprog

    key = ["group_level", "group_id", "indicator"]
    cols = ["value", "numerator", "denominator"]
    true = {(*k, c): float(x) for k, row in zip(truth[key].itertuples(index=False), truth[cols].to_numpy(float))
            for c, x in zip(cols, row)}
    pub = {(*k, c): float(x) for k, row in zip(published[key].itertuples(index=False),
                                               published[cols].to_numpy(float)) for c, x in zip(cols, row)}
    hidden = {tuple(k) for k, h in zip(published[key].itertuples(index=False), published["suppressed"]) if h}
    known, unknown = {}, {}
    for lvl, g, i in truth[key].itertuples(index=False):
        for col in _count_columns(i):
            if not np.isfinite(true[lvl, g, i, col]):
                continue
            if (lvl, g, i) in hidden:
                unknown[lvl, g, i, col] = len(unknown)
            else:
                known[lvl, g, i, col] = pub[lvl, g, i, col]

    def tv(k):
        return true[k]

    equations = []                                        # list of {cell: coef}

    def eq(terms):
        if all(k in known or k in unknown for k in terms):
            if abs(sum(w * tv(k) for k, w in terms.items())) < 1e-6 * (1 + sum(abs(w * tv(k)) for k, w in terms.items())):
                equations.append(terms)

    ind = list(pd.unique(truth["indicator"]))
    tw = dict(zip(villages["village_id"], villages["township_zh"]))
    co = dict(zip(villages["village_id"], villages["county_zh"]))
    tco = dict(zip(villages["township_zh"], villages["county_zh"]))
    groups = {lvl: list(truth.loc[truth["group_level"] == lvl, "group_id"].unique()) for lvl in LEVELS}
    for i in ind:
        for col in _count_columns(i):
            for lo, hi, up in (("village", "township", tw), ("township", "county", tco), ("village", "county", co)):
                for p in groups[hi]:
                    def known_at(g, c, lo=lo, i=i):
                        return np.isfinite(true.get((lo, g, i, c), math.nan))

                    kids = [g for g in groups[lo] if up.get(g) == p and known_at(g, col)
                            and (col == "value" or (known_at(g, "numerator") and known_at(g, "denominator")))]
                    terms = {(hi, p, i, col): 1.0}
                    for g in kids:
                        terms[lo, g, i, col] = -1.0
                    eq(terms)
    for lvl in LEVELS:
        for g in groups[lvl]:
            fam = {}
            for i in ind:
                c = CATALOGUE[i].combine
                if isinstance(c, Sum) and c.part_of:
                    fam.setdefault((c.part_of, c.by), []).append(i)
                if isinstance(c, Sum) and (c.plus or c.minus):
                    terms = {(lvl, g, i, "value"): 1.0}
                    for t in c.plus:
                        terms[lvl, g, t, "value"] = terms.get((lvl, g, t, "value"), 0) - 1.0
                    for t in c.minus:
                        terms[lvl, g, t, "value"] = terms.get((lvl, g, t, "value"), 0) + 1.0
                    eq(terms)
                parts = {}
                if isinstance(c, Ratio):
                    parts = {"numerator": c.numerator, "denominator": c.denominator}
                elif isinstance(c, Pooled):
                    parts = {"denominator": c.denominator}
                for col, part in parts.items():
                    if part:
                        eq({(lvl, g, i, col): 1.0, (lvl, g, part, "value"): -1.0})
                # a shown rate r with its parts: numerator − r × denominator = 0
                if (isinstance(c, Ratio) or (isinstance(c, Pooled) and c.parts_unit)) \
                        and (lvl, g, i) not in hidden and np.isfinite(pub.get((lvl, g, i, "value"), math.nan)):
                    eq({(lvl, g, i, "numerator"): 1.0, (lvl, g, i, "denominator"): -pub[lvl, g, i, "value"]})
            for (total, _), members in fam.items():
                terms = {(lvl, g, total, "value"): 1.0}
                terms.update({(lvl, g, m, "value"): -1.0 for m in members})
                eq(terms)
    # the system over the unknowns
    names = list(unknown)
    a = np.zeros((len(equations), len(names)))
    b = np.zeros(len(equations))
    for r, terms in enumerate(equations):
        for k, w in terms.items():
            if k in unknown:
                a[r, unknown[k]] += w
            else:
                b[r] -= w * known[k]
    used = np.abs(a).sum(axis=1) > 0
    a, b = a[used], b[used]
    LAST.update(a=a, b=b, names=names, equations=[e for e, u in zip(equations, used, strict=True) if u])
    primary = [k for k in list(known) + names if 0 < tv(k) < below and not _signed(k[2])]
    out = [(*k, tv(k), known[k], "shown") for k in primary if k in known]
    todo = [unknown[k] for k in primary if k in unknown]
    if not todo:
        return out
    # connected pieces of the unknowns, each solved on its own
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    links = csr_matrix((np.abs(a).T @ np.abs(a)) > 0)
    _, label = connected_components(links, directed=False)
    for comp in np.unique(label[todo]):
        cols = np.flatnonzero(label == comp)
        rows = np.flatnonzero(np.abs(a[:, cols]).sum(axis=1) > 0)
        ac, bc = a[np.ix_(rows, cols)], b[rows]
        ns = null_space(ac) if len(rows) else np.eye(len(cols))
        x = np.linalg.lstsq(ac, bc, rcond=None)[0] if len(rows) else np.zeros(len(cols))
        lower = [(None, None) if _signed(names[c][2]) else (0, None) for c in cols]
        for j, c in enumerate(cols):
            if c not in todo:
                continue
            k = names[c]
            if np.linalg.norm(ns[j]) < 1e-7:
                out.append((*k, tv(k), float(x[j]), "solved"))
                continue
            # a feasible move along the null space proves the interval wide without a linear programme
            d = ns @ ns[j]
            d = d / d[j]
            slack = np.array([np.inf if lower[q][0] is None else tv(names[c2]) for q, c2 in enumerate(cols)])
            with np.errstate(divide="ignore", invalid="ignore"):
                up = np.min(np.where(d < -1e-9, slack / -d, np.inf))
                down = np.min(np.where(d > 1e-9, slack / d, np.inf))
            if np.floor(up + 1e-6) + np.floor(down + 1e-6) >= below:
                continue
            obj = np.zeros(len(cols))
            obj[j] = 1.0
            lo = linprog(obj, A_eq=ac, b_eq=bc, bounds=lower, method="highs")
            hi = linprog(-obj, A_eq=ac, b_eq=bc, bounds=lower, method="highs")
            lo_v = lo.fun if lo.status == 0 else -math.inf
            hi_v = -hi.fun if hi.status == 0 else math.inf
            if np.floor(hi_v + 1e-6) - np.ceil(lo_v - 1e-6) < below:
                out.append((*k, tv(k), (lo_v, hi_v), "narrow"))
    return out


# --------------------------------------------------------------------------- the example county

@pytest.fixture(scope="module")
def county():
    return load_county(Source(ROOT), PERIOD)


@pytest.fixture(scope="module")
def truth(county):
    return rollup_levels(county)


@pytest.mark.parametrize("below", [5, 10, 20])
def test_no_primary_cell_can_be_recovered_from_the_three_levels(county, truth, below):
    published = protect(truth, below, county.villages)
    found = attack(published, truth, county.villages, below)
    assert found == []
    # and it is not vacuous: there are primary cells, hidden
    assert published["suppressed"].sum() > 0
    small = truth["unit"].isin(["households", "persons"]) & truth["value"].between(1, below - 1)
    assert published.loc[small, "suppressed"].all()


def test_attack_finds_what_a_naive_publication_gives_away(county, truth):
    """The attacker is not toothless: with only the primary rows hidden (no complementary suppression) it
    solves cells exactly, and a row printing a small count is reported as shown."""
    below = 5
    published = truth.copy()
    from village_stats.panel.disclosure import follow, primary

    hide = follow(truth, below)(primary(truth, below))
    published["suppressed"] = hide
    published.loc[hide, ["value", "numerator", "denominator"]] = np.nan
    found = attack(published, truth, county.villages, below)
    how = pd.Series([f[-1] for f in found]).value_counts()
    assert how.get("solved", 0) > 0
    for *_, x, got, kind in found:
        if kind == "solved":
            assert got == pytest.approx(x, abs=1e-6)     # the attacker's numbers are the true ones


def test_cli_prints_the_same_mask_as_protect(county, truth):
    below = 10
    published = protect(truth, below, county.villages)
    for by in ("village",):
        res = CliRunner().invoke(main, ["rollup", "--period", PERIOD, "--by", by, "--data-dir", str(ROOT),
                                        "--format", "csv", "--suppress-below", str(below)])
        assert res.exit_code == 0, res.output
        frame = pd.read_csv(io.StringIO(res.output), dtype=str, keep_default_na=False)
        mine = published[published["group_level"] == by]
        assert (frame["suppressed"] == "True").tolist() == mine["suppressed"].tolist()
        assert (frame.loc[frame["suppressed"] == "True", "value"] == "suppressed").all()


# --------------------------------------------------------------------------- small cases worked by hand

def _sheet(rows):
    """Roll-up rows (level, group, indicator, value[, numerator, denominator])."""
    out = []
    for r in rows:
        lvl, g, i, x, *nd = r
        n, d = (nd + [math.nan, math.nan])[:2]
        out.append({"group_level": lvl, "group_id": g, "indicator": i, "value": float(x),
                    "unit": CATALOGUE[i].unit, "numerator": float(n), "denominator": float(d), "suppressed": False})
    return pd.DataFrame(out)


VILLAGES = pd.DataFrame({"village_id": ["a", "b", "c"], "township_zh": ["T", "T", "U"], "county_zh": "C"})


def test_township_of_two_villages_one_small_needs_a_complement():
    # a: 3 poor households (primary at N = 5), b: 40; T = 43 shown, so b must go: 43 − 40 = 3
    s = _sheet([("village", "a", "poor_households", 3), ("village", "b", "poor_households", 40),
                ("township", "T", "poor_households", 43)])
    out = protect(s, 5, VILLAGES)
    assert out["suppressed"].tolist() == [True, True, False]
    assert out["value"].isna().tolist() == [True, True, False]


def test_complement_must_be_wide_enough():
    # a = 3, b = 1 (both primary at N = 10): hiding both leaves a + b = 4, so a ∈ [0, 4]: too narrow;
    # the township total (shown: 4) must go too, and then the county's other township has to give way
    s = _sheet([("village", "a", "poor_households", 3), ("village", "b", "poor_households", 1),
                ("village", "c", "poor_households", 50), ("township", "T", "poor_households", 4),
                ("township", "U", "poor_households", 50), ("county", "C", "poor_households", 54)])
    out = protect(s, 10, VILLAGES).set_index("group_id")["suppressed"]
    assert out["a"] and out["b"] and out["T"]
    assert out["U"] or out["C"]                                       # else 54 − 50 = 4 = T
    if out["U"]:
        assert out["c"] or out["C"]                                   # else U = c = 50


def test_a_ratio_of_a_small_population_is_hidden():
    # 2 of 4 persons poor: the rate (50%) is a ratio of a small population; 2 and 4 are primary
    s = _sheet([("village", "a", "poor_population", 2), ("village", "a", "population_total", 4),
                ("village", "a", "poverty_incidence", 0.5, 2, 4)])
    out = protect(s, 5, VILLAGES).set_index("indicator")["suppressed"]
    assert out.all()


def test_a_shown_rate_never_prints_a_hidden_part():
    # population 400 is shown; poor 3 is primary, so the rate 3/400 goes too (r × 400 = 3)
    s = _sheet([("village", "a", "poor_population", 3), ("village", "a", "population_total", 400),
                ("village", "a", "poverty_incidence", 3 / 400, 3, 400)])
    out = protect(s, 5, VILLAGES).set_index("indicator")["suppressed"]
    assert out["poor_population"] and out["poverty_incidence"] and not out["population_total"]


def test_a_breakdown_with_one_small_part_hides_a_second_part():
    # register 60 households = 3 poor + 20 exited + 0 returned + 37 non-poor; 3 is primary
    parts = {"poor": 3, "exited": 20, "returned": 0, "non_poor": 37}
    s = _sheet([("village", "a", "register_households", 60)]
               + [("village", "a", f"households_by_status_{k}", v) for k, v in parts.items()])
    out = protect(s, 5, VILLAGES).set_index("indicator")["suppressed"]
    assert out["households_by_status_poor"]
    assert out["households_by_status_exited"] or out["households_by_status_non_poor"] or out["register_households"]
    assert not out["households_by_status_returned"]                   # a zero is shown


def test_a_declared_difference_gives_nothing_away():
    # reconciliation difference = register count − reported; reported poor 12 shown, register count 3
    # (primary): the difference −9 would give 12 − 9 = 3, so it is hidden too
    s = _sheet([("village", "a", "poor_households", 12), ("village", "a", "register_count_poor_households", 3),
                ("village", "a", "reconciliation_poor_households_difference", -9)])
    out = protect(s, 5, VILLAGES).set_index("indicator")["suppressed"]
    assert out["register_count_poor_households"]
    assert out["reconciliation_poor_households_difference"] or out["poor_households"]


# --------------------------------------------------------------------------- trend and diff print what the roll-up hides, no more

def test_trend_hides_what_the_rollup_hides(county, truth):
    below = 10
    published = protect(truth, below, county.villages)
    village = "hewan"
    mine = published[(published["group_level"] == "village") & (published["group_id"] == village)]
    res = CliRunner().invoke(main, ["trend", "--village", village, "--from", PERIOD, "--to", PERIOD,
                                    "--data-dir", str(ROOT), "--format", "csv", "--suppress-below", str(below)])
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(io.StringIO(res.output), dtype=str, keep_default_na=False)
    hidden = set(frame.loc[frame["suppressed"] == "True", "indicator"])
    assert hidden == set(mine.loc[mine["suppressed"], "indicator"]) and hidden
    assert (frame.loc[frame["suppressed"] == "True", "value"] == "").all()


def test_diff_of_households_is_never_published_with_a_threshold():
    res = CliRunner().invoke(main, ["diff", "--village", "hewan", "--from", "2018H1", "--to", PERIOD, "--households",
                                    "--data-dir", str(ROOT), "--suppress-below", "10", "--lang", "en"])
    assert res.exit_code == 2
    assert "--households" in res.output and "Traceback" not in res.output


def test_stock_flow_keeps_the_stocks_the_rollup_hides_hidden():
    from village_stats.panel.publish import protect_stock_flow

    # start 30 hidden by the roll-up, end 30 shown, 12 new and 12 exited shown: 30 − 12 + 12 = end would
    # give the start away, so a flow must go (and then a second, else the identity gives it)
    ids = ["poor_households_start", "poor_households_new", "poor_households_returned",
           "poor_households_inconsistent_in", "poor_households_exited", "poor_households_removed",
           "poor_households_inconsistent_out", "poor_households_end"]
    s = pd.DataFrame({"indicator": ids, "value": [30.0, 12, 0, 0, 12, 0, 0, 30]})
    out = protect_stock_flow(s, 10, {"register_poor_households"}, set()).set_index("indicator")["suppressed"]
    assert out["poor_households_start"]
    assert out["poor_households_new"] or out["poor_households_exited"] or out["poor_households_end"]


def test_a_township_alone_hides_what_the_whole_county_hides(county, truth):
    below = 10
    published = protect(truth, below, county.villages)
    mine = published[(published["group_level"] == "township") & (published["group_id"] == "西河镇")]
    res = CliRunner().invoke(main, ["rollup", "--period", PERIOD, "--by", "county", "--township", "西河镇",
                                    "--data-dir", str(ROOT), "--format", "csv", "--suppress-below", str(below)])
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(io.StringIO(res.output), dtype=str, keep_default_na=False)
    assert (frame["suppressed"] == "True").tolist() == mine["suppressed"].tolist()
    assert (frame["suppressed"] == "True").any()
