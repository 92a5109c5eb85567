"""Register measures on small registers worked by hand, audit rules on fixtures, many villages at once."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from village_stats.idnumbers import check_digit, id_number_status
from village_stats.measures import register as r
from village_stats.synthetic import synthetic_register

GUARANTEES = ["food_clothing_secure", "education_secure", "medical_secure", "housing_secure", "water_secure"]


def make(rows):
    """rows: (id, members, income, status, category, insecure guarantees)"""
    out = []
    for hid, members, y, status, category, insecure in rows:
        rec = {"household_id": hid, "members": float(members), "income_per_capita_yuan": float(y),
               "status": status, "category": category, "exit_year": 2016.0 if status == "exited" else math.nan,
               "main_cause": "illness" if category != "non_poor" else None, "absent": False,
               "id_number_status": "valid"}
        rec.update({g: g not in insecure for g in GUARANTEES})
        out.append(rec)
    return pd.DataFrame(out)


Z = 3000.0
HAND = make([
    ("h1", 2, 1000, "poor", "general", ()),
    ("h2", 1, 4000, "poor", "dibao", ()),
    ("h3", 3, 2000, "exited", "general", ("housing_secure",)),
    ("h4", 4, 6000, "non_poor", "non_poor", ()),
])


def test_fgt_by_hand():
    y, w = HAND["income_per_capita_yuan"], HAND["members"]
    assert r.fgt0(y, w, Z) == pytest.approx(0.5)                 # (2 + 3) / 10
    assert r.fgt1(y, w, Z) == pytest.approx((2 * 2 / 3 + 3 * 1 / 3) / 10)
    assert r.fgt2(y, w, Z) == pytest.approx(11 / 90)              # (2·4/9 + 3·1/9) / 10


def test_nobody_below_the_line():
    assert r.fgt0([5000, 6000], [1, 2], Z) == 0 == r.fgt1([5000, 6000], None, Z) == r.fgt2([5000], None, Z)
    assert r.watts([5000, 6000], None, Z) == 0


def test_line_itself_is_not_poor():
    assert r.fgt0([3000.0], None, 3000.0) == 0  # poor means y < z strictly


def test_watts_by_hand_and_nonpositive_incomes():
    y, w = HAND["income_per_capita_yuan"], HAND["members"]
    assert r.watts(y, w, Z) == pytest.approx((2 * math.log(3) + 3 * math.log(1.5)) / 10)
    # y <= 0 stays in N (denominator 4 persons) but is left out of the sum
    assert r.watts([1500, 0, -10, 5000], None, Z) == pytest.approx(math.log(2) / 4)
    assert r.nonpositive_income_households([1500, 0, -10, 5000]) == 2
    assert r.fgt0([1500, 0, -10, 5000], None, Z) == 0.75  # FGT keeps them


def test_gini_by_hand():
    assert r.gini(HAND["income_per_capita_yuan"], HAND["members"]) == pytest.approx(228000 / 720000)
    assert r.gini([7, 7, 7, 7], [1, 3, 2, 5]) == 0                # all equal → 0
    for n in (2, 5, 10):                                          # one person holds everything → (N−1)/N
        assert r.gini([0] * (n - 1) + [100]) == pytest.approx((n - 1) / n)
    assert r.gini([0, 100], [3, 1]) == pytest.approx(3 / 4)      # same with weights: N = 4
    assert math.isnan(r.gini([0, 0]))


def test_gini_matches_pairwise_definition():
    rng = np.random.default_rng(3)
    y, w = rng.lognormal(8, 0.6, 200), rng.integers(1, 7, 200).astype(float)
    pairwise = (np.outer(w, w) * np.abs(y[:, None] - y[None, :])).sum() / (2 * w.sum() ** 2 * (w @ y / w.sum()))
    assert r.gini(y, w) == pytest.approx(pairwise, rel=1e-12)


def test_alkire_foster_by_hand_with_the_two_sixths_boundary():
    af = r.alkire_foster(HAND, Z)
    # h3: income + housing = 2/6, which must count as >= 1/3; h1: 1/6 is not poor
    assert af["mpi_h"] == pytest.approx(0.3)
    assert af["mpi_a"] == pytest.approx(1 / 3)
    assert af["mpi_m0"] == pytest.approx(0.1)
    assert af["contribution_income"] == pytest.approx(0.5)
    assert af["contribution_housing_secure"] == pytest.approx(0.5)
    assert af["contribution_water_secure"] == 0
    assert sum(af[f"contribution_{j}"] for j in r.MPI_INDICATORS) == pytest.approx(1.0)
    # M0 = H·A = Σ w_j h_j
    assert af["mpi_m0"] == pytest.approx(sum(af[f"censored_{j}"] / 6 for j in r.MPI_INDICATORS))
    # with k = 1/2 nobody is poor
    assert r.alkire_foster(HAND, Z, k=0.5)["mpi_h"] == 0
    # income weight 1/2: h1 (income only) becomes poor
    w = {j: 0.1 for j in r.MPI_INDICATORS}
    w["income"] = 0.5
    assert r.alkire_foster(HAND, Z, weights=w)["mpi_h"] == pytest.approx(0.5)
    with pytest.raises(ValueError):
        r.alkire_foster(HAND, Z, weights={j: 0.2 for j in r.MPI_INDICATORS})


def test_exit_tests():
    assert list(HAND.loc[r.exit_eligible(HAND, Z), "household_id"]) == ["h2"]
    assert list(HAND.loc[r.exited_failing_criteria(HAND, Z), "household_id"]) == ["h3"]
    at_line = make([("x", 1, 3000, "poor", "general", ())])
    assert not r.exit_eligible(at_line, Z).any()  # exit needs y > z


def test_breakdowns():
    by_status = r.breakdown(HAND, "status")
    assert by_status.loc["poor"].tolist() == [2, 3]
    assert by_status.loc["returned"].tolist() == [0, 0]
    assert r.breakdown(HAND, "category").loc["non_poor", "persons"] == 4
    assert r.breakdown(HAND, "main_cause").loc["illness", "households"] == 3


def test_reconciliation():
    reported = pd.Series({"households_total": 4, "population_total": 10, "poor_households": 2,
                          "poor_population": 5, "dibao_households": 1})
    rec = r.reconcile(HAND, reported)
    assert rec.loc["poor_households", "difference"] == 0
    assert rec.loc["poor_population", "difference"] == -2      # register 3, reported 5
    assert rec.loc["dibao_households", "derived"] == 1
    assert not rec.loc["wubao_households", "comparable"]        # not reported
    only_poor = HAND.loc[HAND["category"] != "non_poor"]
    assert math.isnan(r.reconcile(only_poor, reported).loc["households_total", "derived"])


def audit(frame, line):
    """The register audit of the rule catalogue (HH-001 … HH-007) on one register frame."""
    from village_stats.checks import Findings, Frames, audit_frame
    from village_stats.checks.engine import run_frames
    from village_stats.periods import parse_period

    found = run_frames(Frames(frame, period=parse_period("2017H1"), poverty_line=line))
    return audit_frame(Findings(found, {}))


AUDIT_CASES = [
    ("income_nonpositive", make([("a", 1, 0, "poor", "general", ())])),
    ("income_implausible", make([("a", 1, 150000, "non_poor", "non_poor", ())])),
    ("category_status_mismatch", make([("a", 1, 1000, "poor", "non_poor", ())])),
    ("category_status_mismatch", make([("a", 1, 9000, "non_poor", "general", ())])),
    ("exited_failing_criteria", make([("a", 1, 9000, "exited", "general", ("water_secure",))])),
    ("exited_failing_criteria", make([("a", 1, 2999, "exited", "general", ())])),
]


@pytest.mark.parametrize("rule,frame", AUDIT_CASES)
def test_audit_rule_fires(rule, frame):
    findings = audit(frame, Z)
    assert (findings["rule"] == rule).any()
    assert set(findings.columns) == {"household_id", "rule"}


def test_audit_exit_year_and_id_rules():
    f = make([("a", 1, 9000, "exited", "general", ()), ("b", 1, 9000, "non_poor", "non_poor", ()),
              ("c", 1, 9000, "non_poor", "non_poor", ())])
    f.loc[0, "exit_year"] = math.nan
    f.loc[1, "id_number_status"] = "bad_check_digit"
    f.loc[2, "id_number_status"] = "fifteen_digits"
    findings = audit(f, Z)
    assert set(map(tuple, findings.to_numpy())) == {("a", "exited_without_year"), ("b", "id_check_digit"),
                                                    ("c", "id_fifteen_digits")}
    clean = make([("a", 2, 9000, "exited", "general", ()), ("b", 1, 500, "poor", "tekun", ())])
    assert audit(clean, Z).empty


def test_gb11643_check_digit():
    assert check_digit("11010519491231002") == "X"   # the standard's example
    body = "44052419800101001"
    good = body + check_digit(body)
    bad = body + ("0" if good[-1] != "0" else "1")
    s = id_number_status(pd.Series([good, bad, good.lower(), " " + good + " "]))
    assert s.tolist() == ["valid", "bad_check_digit", "valid", "valid"]


def test_many_villages_agree_with_single_village_measures():
    reg = synthetic_register(6000, 40, seed=7, poverty_line_yuan=Z)
    by = r.measures_by_village(reg, Z)
    assert len(by) == 40
    for vid, sub in reg.groupby("village_id", observed=True):
        y, w = sub["income_per_capita_yuan"], sub["members"]
        af = r.alkire_foster(sub, Z)
        expected = {"fgt0": r.fgt0(y, w, Z), "fgt1": r.fgt1(y, w, Z), "fgt2": r.fgt2(y, w, Z),
                    "watts": r.watts(y, w, Z), "gini": r.gini(y, w), "mpi_h": af["mpi_h"], "mpi_a": af["mpi_a"],
                    "mpi_m0": af["mpi_m0"], "exit_eligible_households": r.exit_eligible(sub, Z).sum(),
                    "register_households": len(sub), "register_population": w.sum()}
        for k, v in expected.items():
            assert by.loc[vid, k] == pytest.approx(v, abs=1e-12, rel=1e-12), (vid, k)


def test_synthetic_register_is_reproducible_and_valid():
    a, b = synthetic_register(500, 3, seed=11), synthetic_register(500, 3, seed=11)
    pd.testing.assert_frame_equal(a, b)
    status = id_number_status(pd.Series(a["id_number"]))
    assert (status == "valid").mean() > 0.98
    assert (a["members"] >= 1).all()
    assert set(a["status"]) <= {"poor", "exited", "returned", "non_poor"}
