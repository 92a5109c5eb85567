"""Report kinds: each names its notebook and checks (reads, validates) its request before any kernel starts.

The check reads exactly what the notebook will read, through one :class:`~village_stats.load.Source`, so
bad data stops a run early and the manifest lists the digests of those very bytes. Notebooks never import
this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import DataError
from ..labels import t
from ..load import Source
from ..periods import is_period_code
from ..places import RESERVED_IDS
from ..request import Request

#: The county report's folder beside the villages' (a reserved village id, so never a village's folder).
COUNTY_FOLDER = "county"
assert COUNTY_FOLDER in RESERVED_IDS


@dataclass
class Prepared:
    """A request checked before any kernel starts."""

    parameters: dict                  # the notebook's parameters (strings)
    folder: tuple[str, ...]           # output sub-folder, e.g. ("suoluoyu", "2017H1")
    title: str                        # document title and running header
    inputs: dict[str, str]            # every input read: path relative to the data root → sha256
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ReportKind:
    """A kind of report: its notebook and the function that checks a request of it."""

    name: str
    notebook: str
    prepare: Callable[[Request], Prepared]


def prepare_period(request: Request) -> Prepared:
    """The period report of one village-period: the period, its previous period where a measure needs it
    and the earlier periods of the same kind (the report's history) are read and validated here."""
    source = Source(request.data_dir)
    data = source.period(request.village, request.period)
    source.earlier(data)
    lang = request.lang
    return Prepared(
        parameters=request.parameters(), folder=(request.village, request.period.code),
        title=f"{data.village.name(lang)} · {request.period.label(lang)}", inputs=source.digests(),
        meta={"author": data.village.supported_by_zh, "village_id": request.village, "period": request.period.code})


def prepare_county(request: Request) -> Prepared:
    """The county report: every village of the data root (or of one township) for one period.

    Every village-period and the previous period the change section compares with are read and validated
    here, before any kernel starts (nothing is evaluated: the notebook evaluates and ties out, once).
    Output folder ``county/<period>`` (or ``county/<township>/<period>``). With ``--suppress-below`` for one
    township, the whole county is read too (its protected roll-up decides what the township's tables hide).
    """
    from ..panel.county import check_counties, previous_period_of, read_county

    if request.township and is_period_code(request.township):  # its folder would sit among the periods'
        raise DataError(f"township '{request.township}' is named like a period: expected a township name "
                        "(its report folder county/<township>/<period> would mix with county/<period>)")
    source = Source(request.data_dir)
    villages, _ = read_county(source, request.period, request.township)
    check_counties(source, villages, one_county=True)
    before = previous_period_of(source, villages, request.period)
    if before is not None:
        read_county(source, before, request.township)
    if request.township and request.suppress_below:  # the whole county's mask is carried over to the township
        for code in (request.period, before):
            if code is not None:
                read_county(source, code)
    from ..labels import place as place_name
    from ..labels import t

    first = villages.iloc[0]  # in English the English names, else pinyin (never Chinese in report.en.pdf)
    place = place_name(first["county_zh"], first["county_en"] or "", request.lang)
    if request.township:
        place += t("clause_sep_place", request.lang) + place_name(request.township, "", request.lang)
    code = request.period.code
    return Prepared(
        parameters=request.parameters(),
        folder=(COUNTY_FOLDER, request.township, code) if request.township else (COUNTY_FOLDER, code),
        title=f"{place} · {request.period.label(request.lang)}", inputs=source.digests(),
        meta={"author": place, "period": code})


def prepare_trends(request: Request) -> Prepared:
    """The trends report of a village over its periods (all, or from/to); every period is validated here."""
    from ..panel.trend import load_panel

    source = Source(request.data_dir)
    panel = load_panel(source, request.village, request.from_period, request.to_period)
    first, last, lang = panel[0].period, panel[-1].period, request.lang
    return Prepared(
        # the span the panel covers, written out (a span left open means the first / the last with data)
        parameters={**request.parameters(), "from_period": first.code, "to_period": last.code},
        folder=(request.village, "trends"),
        title=f"{panel[-1].village.name(lang)} · {t('span', lang, first=first.label(lang), last=last.label(lang))}",
        inputs=source.digests(),
        meta={"author": panel[-1].village.supported_by_zh, "village_id": request.village,
              "period": f"{first.code}-{last.code}"})


#: The reports ``village-stats run --report`` knows.
REPORTS: dict[str, ReportKind] = {k.name: k for k in (
    ReportKind("period", "period_report.ipynb", prepare_period),
    ReportKind("county", "county_report.ipynb", prepare_county),
    ReportKind("trends", "village_trends.ipynb", prepare_trends),
)}
