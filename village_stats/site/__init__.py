"""The county's reports as one browsable site: ``output/site/`` (``site.en/`` in English), static files that open
from the folder (``file://``) or any static web server, with no server, no script but a few lines on the
index, and nothing fetched from anywhere.

- ``index.html``: the county's key figures and summary for the period, a table of every village (township,
  incidence and its change, exit-ready, poor persons, monitored households and 风险消除 where the period has
  them, findings by severity where the 疑点 checks exist, last report date, links to its HTML and PDF
  report and workbook), the county report, the villages lacking the period, the villages whose run failed
  or whose data is bad (the batch record's one-line reason), and every village's missing periods;
- ``villages/<id>.html``: one page per village: its periods with key figures, two charts (incidence
  against the exit threshold, poor persons), links to each period's reports and the trends report, and
  its register audit findings;
- ``manifest.json``: what was built from what (period, language, villages, pages).

:func:`build_site` gathers the facts (:mod:`.collect`: each village-period evaluated once, the roll-ups),
lays out the pages (:mod:`.pages`, templates in ``templates/``) and publishes the folder atomically like a
report folder (:class:`village_stats.outputs.Publication`: ``output/site`` is a link to a complete run folder
under ``output/.village-stats-runs/.site``, replaced in one step).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..atomic import write_atomic
from ..labels import DEFAULT_LANG
from ..outputs import RUNS, Publication
from ..periods import Period
from .collect import SiteFacts, collect
from .pages import VILLAGE_FOLDER, index_context, render, village_context, village_page

__all__ = ["SiteResult", "build_site", "site_folder"]


@dataclass(frozen=True)
class SiteResult:
    """A built site: its folder (``output/site``), its index page, the period and the villages listed."""

    folder: Path
    index: Path
    period: str
    villages: tuple[str, ...]


def site_folder(output_dir: str | Path, lang: str = DEFAULT_LANG) -> Path:
    """``<output_dir>/site`` for Chinese, ``<output_dir>/site.en`` for English (as report files are named).

    >>> site_folder("output").as_posix(), site_folder("output", "en").as_posix()
    ('output/site', 'output/site.en')
    """
    name = "site" if lang == DEFAULT_LANG else f"site.{lang}"
    return Path(output_dir) / name


def build_site(period: str | Period, *, data_dir: str | Path, output_dir: str | Path = "output",
               lang: str = DEFAULT_LANG, suppress_below: int | None = None) -> SiteResult:
    """Build the site of ``period`` from the data root and the reports under ``output_dir``.

    Parameters
    ----------
    period : str or Period
        A period code, or ``latest`` (the newest period of any village).
    data_dir : str or Path
        The data root (resolved by the caller: :func:`village_stats.config.resolve_data_dir`).
    output_dir : str or Path
        Where the reports are and where ``site/`` is written.
    lang : {"zh", "en"}
        The site's language (``site/`` or ``site.en/``; it links the reports of that language).
    suppress_below : int, optional
        Publish-safe figures: head counts below this, and the figures that would reveal them, are not shown
        (:func:`village_stats.panel.disclosure.suppress` through the roll-up); findings are left out.

    Returns
    -------
    SiteResult

    Raises
    ------
    DataError
        No village has data for the period; another build of the same site is writing it
        (:class:`village_stats.outputs.OutputBusy`).
    """
    output_dir = Path(output_dir)
    facts = collect(Path(data_dir), period, output_dir, lang=lang, suppress_below=suppress_below)
    final = site_folder(output_dir, lang)
    publication = Publication(final, runs=output_dir / RUNS / f".{final.name}")
    folder = publication.begin()
    try:
        write_pages(facts, folder)
        publication.commit()
    except BaseException:
        publication.abort()
        raise
    return SiteResult(final, final / "index.html", facts.period.code, tuple(v.id for v in facts.villages))


def write_pages(facts: SiteFacts, folder: Path) -> list[str]:
    """Write every page of the site into ``folder`` (a fresh run folder), the manifest last; returns the
    pages written (paths inside the site)."""
    (folder / VILLAGE_FOLDER).mkdir()
    pages = ["index.html"]
    write_atomic(folder / "index.html", render("index.html.j2", index_context(facts)), fsync=False)
    for v in facts.villages:
        page = village_page(v.id)
        write_atomic(folder / page, render("village.html.j2", village_context(facts, v)), fsync=False)
        pages.append(page)
    manifest = {"kind": "site", "period": facts.period.code, "lang": facts.lang,
                "suppress_below": facts.suppress_below, "data_dir": facts.data_dir.name,
                "villages": [v.id for v in facts.villages],
                "villages_with_data": [v.id for v in facts.villages if facts.period.code in v.results],
                "batch": facts.batch_name if facts.batch is not None else None, "pages": pages}
    write_atomic(folder / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", fsync=False)
    return pages
