"""Crop restructuring (种植结构调整): planned and achieved new area per crop group."""

from __future__ import annotations

import pandas as pd

from .arith import known_sum, ratio

#: Square metres in one mu (亩): 10,000 / 15 m² (mainland China).
M2_PER_MU = 10000.0 / 15.0
#: Mu in one hectare.
MU_PER_HA = 15.0


def mu_to_ha(area_mu):
    """Convert mu to hectares, ha = mu / 15.

    Parameters
    ----------
    area_mu : numeric
        Area. [mu]

    Returns
    -------
    numeric
        Area. [ha]

    Examples
    --------
    >>> mu_to_ha(390)
    26.0
    """
    return area_mu / MU_PER_HA


def target_new_area_mu(crops: pd.DataFrame) -> float:
    """Total planned new area, Σ target_new_area_mu; NaN if none known. [mu]

    Examples
    --------
    >>> target_new_area_mu(pd.DataFrame({"target_new_area_mu": [120, 70, 200]}))
    390.0
    """
    return known_sum(crops["target_new_area_mu"])


def achieved_new_area_mu(crops: pd.DataFrame) -> float:
    """Total new area achieved, Σ achieved_new_area_mu; NaN when nothing is recorded. [mu]

    Examples
    --------
    >>> achieved_new_area_mu(pd.DataFrame({"achieved_new_area_mu": [float("nan")] * 3}))
    nan
    """
    if "achieved_new_area_mu" not in crops:
        return float("nan")
    return known_sum(crops["achieved_new_area_mu"])


def achievement_share(achieved_mu, target_mu):
    """Achieved / target new area. [ratio]; NaN when either is unknown or the target is 0.

    >>> achievement_share(60, 120)
    0.5
    """
    return ratio(achieved_mu, target_mu)


def groups_without_progress(crops: pd.DataFrame) -> pd.DataFrame:
    """Crop groups with a target but no achieved area recorded (unknown or 0)."""
    achieved = crops["achieved_new_area_mu"] if "achieved_new_area_mu" in crops else pd.Series(
        float("nan"), index=crops.index)
    mask = crops["target_new_area_mu"].fillna(0).gt(0) & achieved.fillna(0).eq(0)
    return crops.loc[mask]


def target_without_progress_mu(crops: pd.DataFrame) -> float:
    """Planned new area of the groups without recorded progress (:func:`groups_without_progress`). [mu]

    >>> target_without_progress_mu(pd.DataFrame({"target_new_area_mu": [120, 70], "achieved_new_area_mu": [60, None]}))
    70.0
    """
    return known_sum(groups_without_progress(crops)["target_new_area_mu"]) if len(crops) else 0.0
