"""Project investment: committed versus planned, by category, per poor person."""

from __future__ import annotations

import pandas as pd

from ..schema import COMMITTED_STATUSES, PROJECT_CATEGORIES
from .arith import known_sum, ratio


def committed_mask(projects: pd.DataFrame) -> pd.Series:
    """Projects whose investment counts as committed (status in progress or completed)."""
    return projects["status"].isin(COMMITTED_STATUSES)


def committed_yuan(projects: pd.DataFrame) -> float:
    """Committed investment, Σ investment_yuan over in-progress and completed projects. [yuan]

    Projects with unknown investment are left out of the sum (see :func:`projects_without_investment`).

    Examples
    --------
    >>> p = pd.DataFrame({"status": ["completed", "in_progress", "planned"],
    ...                   "investment_yuan": [1100000, 27200, 100000]})
    >>> committed_yuan(p), planned_yuan(p)
    (1127200.0, 100000.0)
    """
    return known_sum(projects.loc[committed_mask(projects), "investment_yuan"])


def planned_yuan(projects: pd.DataFrame) -> float:
    """Planned (not yet started) investment, Σ investment_yuan over planned projects. [yuan]"""
    return known_sum(projects.loc[projects["status"].eq("planned"), "investment_yuan"])


def committed_by_category(projects: pd.DataFrame) -> pd.Series:
    """Committed investment per category, every category of the vocabulary (0 when none). [yuan]

    Examples
    --------
    >>> p = pd.DataFrame({"category": ["industry", "industry"], "status": ["in_progress"] * 2,
    ...                   "investment_yuan": [600000, 70000]})
    >>> committed_by_category(p).to_dict()
    {'industry': 670000.0, 'infrastructure': 0.0, 'living_environment': 0.0, 'public_service': 0.0}
    """
    committed = projects.loc[committed_mask(projects)]
    sums = committed.groupby("category")["investment_yuan"].sum(min_count=0)
    return sums.reindex(list(PROJECT_CATEGORIES.ids), fill_value=0.0).astype(float)


def investment_by_category_status(projects: pd.DataFrame) -> pd.DataFrame:
    """Investment per category (rows) and status (columns), known amounts only. [yuan]"""
    table = projects.pivot_table(index="category", columns="status", values="investment_yuan",
                                 aggfunc="sum", fill_value=0.0, observed=False)
    return table.reindex(index=list(PROJECT_CATEGORIES.ids), fill_value=0.0).astype(float)


def per_person(amount_yuan, persons):
    """Amount per person, amount / persons. [yuan per person]

    >>> round(per_person(3097200, 196), 2)
    15802.04
    """
    return ratio(amount_yuan, persons)


def projects_without_investment(projects: pd.DataFrame) -> int:
    """How many projects have no investment figure (empty cell). [projects]"""
    return int(projects["investment_yuan"].isna().sum())


def project_count(projects: pd.DataFrame) -> int:
    """Number of projects listed (rows of projects.csv). [projects]"""
    return int(len(projects))
