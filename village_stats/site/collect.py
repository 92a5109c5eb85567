"""What the site shows, gathered once: every village of a data root, each village-period evaluated once, the
village-level roll-up of every period (suppressed when asked), the county's roll-up, the batch record of
``run-all`` and the report files that exist.

Nothing here formats or lays out (that is :mod:`village_stats.site.pages`), and no figure is computed here:
the values are those of :func:`village_stats.panel.rollup.rollup` (a village's row of the village-level
roll-up is its own indicator sheet; with ``suppress_below`` the roll-up hides small head counts through
:func:`village_stats.panel.disclosure.suppress`), the exit status is
:func:`~village_stats.panel.rollup.village_overview`'s, the change since the previous period
:func:`~village_stats.panel.rollup.change_since`'s. A village whose data cannot be read does not stop the
others: it is listed with its one-line reason.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ..errors import DataError, ReportError
from ..evaluate import Results, evaluate
from ..export import FORMATS
from ..labels import DEFAULT_LANG, place
from ..load import Source, village_folders
from ..panel.county import county_of, villages_frame
from ..panel.rollup import County, change_since, rollup, village_overview
from ..periods import Period, is_period_code, parse_period

#: The report files a village-period links to, by format id (:data:`village_stats.export.FORMATS`).
LINKED_FORMATS = ("html", "pdf", "xlsx")
#: The folder the county report writes (``output/county/<period>``; see ``village_stats.run.kinds``).
COUNTY_FOLDER = "county"
#: The folder a village's trends report is written to (``output/<village>/trends``).
TRENDS_FOLDER = "trends"


#: The statuses of the batch record that need no word on the site: the report is published and current
#: (every other status is listed with the record's one-line reason: failed and bad input among the
#: problems, missing and unfilled among the villages lacking the period).
FINE_STATUSES = ("ok", "skipped")


@dataclass(frozen=True)
class Problem:
    """A village (or village-period) the site cannot show in full: its status and one-line reason.

    ``status``: ``bad_input`` (bad data, or no ``village.yaml``), ``failed`` (its report run failed), as the
    batch record of ``run-all`` says or as reading the data found.
    """

    village: str
    period: str
    status: str
    reason: str


@dataclass
class VillageFacts:
    """One village of the data root: who it is, its periods, the report files that exist, its problems."""

    id: str
    name: str
    township: str
    county: str
    periods: list[str] = field(default_factory=list)     # codes with results, up to the site's period
    on_disk: list[str] = field(default_factory=list)     # codes with data (read or not), up to the site's
    missing: list[str] = field(default_factory=list)     # the county's periods it lacks
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, dict[str, str]] = field(default_factory=dict)   # period → format → path under output/
    trends: dict[str, str] = field(default_factory=dict)             # format → path under output/
    last_report: tuple[str, str] | None = None                       # (date, period code)
    results: dict[str, Results] = field(default_factory=dict)        # period → its results


@dataclass
class SiteFacts:
    """Everything the pages show (see the module docstring)."""

    period: Period
    lang: str
    data_dir: Path
    suppress_below: int | None
    villages: list[VillageFacts]                 # every village with a village.yaml, in id order
    without_yaml: list[Problem]                  # folders that are no village (no or bad village.yaml)
    periods: list[str]                           # the county's periods up to the site's, oldest first
    village_sheets: dict[str, pd.DataFrame]      # period → village-level roll-up (every period with data)
    county_sheet: pd.DataFrame                   # county-level roll-up of the site's period
    county: County                               # the site's period
    overview: pd.DataFrame                       # village_overview of the site's period
    changes: pd.DataFrame | None                 # change_since the previous period (None: no previous)
    batch: dict | None                           # the batch record of run-all, when there is one
    batch_name: str
    county_files: dict[str, str] = field(default_factory=dict)   # format → path under output/
    charts: dict[str, list[dict]] = field(default_factory=dict)  # village → its charts, drawn ahead
    #                                                              (site.pages.draw_charts), else drawn with its page

    def village(self, village_id: str) -> VillageFacts:
        return next(v for v in self.villages if v.id == village_id)

    def values(self, period: str, village_id: str) -> pd.DataFrame:
        """The village's rows of the village-level roll-up of ``period``, indexed by indicator (empty
        when the village has no data for it)."""
        sheet = self.village_sheets.get(period)
        if sheet is None:
            return pd.DataFrame(columns=["value", "unit", "suppressed"])
        return sheet[sheet["group_id"] == village_id].set_index("indicator")


def manifest_name(lang: str) -> str:
    """The manifest of a report run in ``lang`` (``manifest.json``; ``manifest.en.json``), as
    :mod:`village_stats.run.stages` writes it."""
    return "manifest.json" if lang == DEFAULT_LANG else f"manifest.{lang}.json"


def _report_files(folder: Path, rel: str, lang: str) -> dict[str, str]:
    """The linked report files of ``folder`` that exist: format → path under the output folder."""
    out = {}
    for fmt in LINKED_FORMATS:
        name = FORMATS[fmt].filename(lang)
        if (folder / name).is_file():
            out[fmt] = f"{rel}/{name}"
    return out


def _report_date(folder: Path, lang: str) -> str | None:
    """When the report of ``folder`` was run (``started_at`` of its manifest, a date), or None."""
    try:
        started = json.loads((folder / manifest_name(lang)).read_text(encoding="utf-8")).get("started_at")
    except (OSError, ValueError):
        return None
    return started[:10] if isinstance(started, str) and len(started) >= 10 else None


def read_batch(path: Path) -> dict | None:
    """The batch record of ``run-all`` (``output/batch-<period>.json``; format in
    :func:`village_stats.run.batch_summary`), or None when there is none or it cannot be read."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and isinstance(doc.get("results"), list) else None


def _name_of(source: Source, v: str, lang: str) -> tuple[str, str, str]:
    """The village's name, township and county in ``lang`` (from its village.yaml; a bad one raises)."""
    info = source.village(v)
    return info.name(lang), place(info.township_zh, info.township_en, lang), place(info.county_zh, info.county_en,
                                                                                     lang)


def collect(data_dir: Path, period: str | Period, output_dir: Path, *, lang: str = DEFAULT_LANG,
            suppress_below: int | None = None, source: Source | None = None) -> SiteFacts:
    """Read and evaluate the data root once and gather what the site shows (module docstring):
    :func:`from_data`, then :func:`with_outputs`.

    Parameters
    ----------
    data_dir : Path
        The data root.
    period : str or Period
        The site's period (a code, or ``latest``: the newest period of any village).
    output_dir : Path
        Where the reports are (``<output_dir>/<village>/<period>/``, ``county/<period>/``, the batch
        record ``batch-<period>.json``).
    lang : {"zh", "en"}
        The language of the names and of the report files linked (``report.en.html`` …).
    suppress_below : int, optional
        Publish-safe figures (:func:`village_stats.panel.rollup.rollup`'s ``suppress_below``).

    Raises
    ------
    DataError
        When no village has data for the period (nothing to show), or a village folder is named ``site``.
    """
    return with_outputs(from_data(data_dir, period, lang=lang, suppress_below=suppress_below, source=source),
                        Path(output_dir))


class Stopped(Exception):
    """The gathering was asked to stop (``stop`` set): ``run-all`` was interrupted."""


def check_stop(stop) -> None:
    """Raise :class:`Stopped` when ``stop`` (a ``threading.Event`` or None) is set."""
    if stop is not None and stop.is_set():
        raise Stopped


def from_data(data_dir: Path, period: str | Period, *, lang: str = DEFAULT_LANG, suppress_below: int | None = None,
              source: Source | None = None, stop=None) -> SiteFacts:
    """What the site shows that comes from the data root alone: the villages, each village-period evaluated
    once, the roll-ups, the missing periods (no report file or batch record read: ``run-all`` gathers these
    while its reports run, then adds the outputs with :func:`with_outputs`). Parameters and errors as
    :func:`collect`; ``stop``, an event that ends the gathering between two evaluations (:class:`Stopped`)."""
    source = source or Source(Path(data_dir))
    site_period = source.resolve_any(period)
    villages: list[VillageFacts] = []
    without_yaml: list[Problem] = []
    for v in village_folders(source.data_dir):
        if v == "site":
            raise DataError("a village folder is named 'site', the name of the site's own folder: expected "
                            "another village id", path=source.data_dir / v)
        try:
            name, township, county = _name_of(source, v, lang)
        except DataError as exc:
            without_yaml.append(Problem(v, site_period.code, "bad_input", exc.localized(lang)))
            continue
        villages.append(VillageFacts(v, name, township, county))
    for facts in villages:
        try:
            codes = [p for p in source.periods(facts.id) if p.kind == site_period.kind and p.end <= site_period.end]
        except DataError as exc:
            facts.problems.append(Problem(facts.id, site_period.code, "bad_input", exc.localized(lang)))
            continue
        facts.on_disk = [p.code for p in codes]
        for p in codes:
            check_stop(stop)
            try:
                facts.results[p.code] = evaluate(source.period(facts.id, p))
            except (DataError, ReportError) as exc:
                text = exc.localized(lang) if isinstance(exc, DataError) else str(exc)
                facts.problems.append(Problem(facts.id, p.code, "bad_input", text))
        facts.periods = list(facts.results)
    periods = sorted({c for f in villages for c in f.results}, key=lambda c: parse_period(c).start)
    if site_period.code not in periods:
        raise DataError(f"no village has data for period {site_period.code}", path=source.data_dir)
    frame = villages_frame(source, [f.id for f in villages])
    counties = {c: county_of(c, frame, {f.id: f.results[c] for f in villages if c in f.results}) for c in periods}
    sheets = {c: rollup(counties[c], "village", suppress_below=suppress_below) for c in periods}
    county = counties[site_period.code]
    county_sheet = rollup(county, "county", suppress_below=suppress_below)
    overview = village_overview(sheets[site_period.code], county)
    before = site_period.previous().code
    changes = change_since(sheets[site_period.code], sheets[before], ["poverty_incidence"]) if before in sheets \
        else None
    for facts in villages:
        facts.missing = [c for c in periods if c not in facts.on_disk]
    return SiteFacts(site_period, lang, source.data_dir, suppress_below, villages, without_yaml, periods, sheets,
                     county_sheet, county, overview, changes, None, f"batch-{site_period.code}.json")


def with_outputs(facts: SiteFacts, output_dir: Path) -> SiteFacts:
    """``facts`` (from :func:`from_data`, left as they are) with what the output folder holds: the batch
    record of ``run-all`` and its villages that did not end ok, the report files that exist and their dates,
    the county report's files."""
    villages = [replace(v, problems=list(v.problems), files={}, trends={}, last_report=None) for v in facts.villages]
    without_yaml = list(facts.without_yaml)
    batch = read_batch(output_dir / facts.batch_name)
    _add_batch_problems(villages, without_yaml, batch, facts.period.code)
    for v in villages:
        _find_reports(v, output_dir, facts.lang, facts.periods)
    code = facts.period.code
    county_files = _report_files(output_dir / COUNTY_FOLDER / code, f"{COUNTY_FOLDER}/{code}", facts.lang)
    return replace(facts, villages=villages, without_yaml=without_yaml, batch=batch, county_files=county_files)


def _add_batch_problems(villages: list[VillageFacts], without_yaml: list[Problem], batch: dict | None,
                        code: str) -> None:
    """The batch record's villages that were not ``ok``, with its one-line reason, unless reading the data
    already found a problem for that village-period (the same cause, said once)."""
    if batch is None:
        return
    by_id = {f.id: f for f in villages}
    listed = {p.village for p in without_yaml}
    for r in batch["results"]:
        if not isinstance(r, dict) or r.get("status") in (*FINE_STATUSES, None):
            continue
        v, period = str(r.get("village", "")), str(r.get("period") or "")
        period = period if is_period_code(period) else code   # 'latest' a village could not resolve
        problem = Problem(v, period, str(r["status"]), str(r.get("error", "")).splitlines()[0] if r.get("error")
                          else "")
        if v in by_id:
            facts = by_id[v]
            facts.problems = [p for p in facts.problems if p.period != period] + [problem]
        elif v not in listed:
            without_yaml.append(problem)
        else:  # the batch's own line replaces the one reading found (the run's words)
            without_yaml[:] = [problem if p.village == v else p for p in without_yaml]


def _find_reports(facts: VillageFacts, output_dir: Path, lang: str, periods: list[str]) -> None:
    """The village's report files that exist, its trends report, and the date of its newest report."""
    dates = []
    for c in periods:
        folder = output_dir / facts.id / c
        files = _report_files(folder, f"{facts.id}/{c}", lang)
        if files:
            facts.files[c] = files
        date = _report_date(folder, lang)
        if date:
            dates.append((date, c))
    facts.trends = _report_files(output_dir / facts.id / TRENDS_FOLDER, f"{facts.id}/{TRENDS_FOLDER}", lang)
    facts.last_report = max(dates) if dates else None


def is_known(value) -> bool:
    """Whether a roll-up value is a number to show (not None or NaN)."""
    return value is not None and not (isinstance(value, float) and math.isnan(value))
