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
under ``output/.village-stats-runs/.site``, replaced in one step). ``run-all`` gathers what comes from the data
alone and draws the charts while its reports run (:class:`SiteInAdvance`, a thread of its own process, which
waits for the reports otherwise), then adds the report files and the batch record and writes the pages.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from ..atomic import write_atomic
from ..labels import DEFAULT_LANG
from ..load import village_folders
from ..outputs import RUNS, Publication
from ..periods import Period
from ..threads import start_quiet
from .collect import SiteFacts, Stopped, from_data, with_outputs
from .pages import VILLAGE_FOLDER, draw_charts, index_context, render, village_context, village_page

__all__ = ["SiteInAdvance", "SiteResult", "build_site", "is_current", "prepare_site", "published_digest",
           "site_folder"]


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


def prepare_site(period: str | Period, *, data_dir: str | Path, lang: str = DEFAULT_LANG,
                 suppress_below: int | None = None, stop=None) -> SiteFacts:
    """What the site of ``period`` shows from the data root alone, its charts drawn (no output read):
    :func:`village_stats.site.collect.from_data` and :func:`village_stats.site.pages.draw_charts`.
    Parameters and errors as :func:`build_site`; ``stop`` as :func:`~village_stats.site.collect.from_data`."""
    facts = from_data(Path(data_dir), period, lang=lang, suppress_below=suppress_below, stop=stop)
    draw_charts(facts, stop)
    return facts


#: How much lower the thread gathering the site runs than the reports [nice steps] (Linux: a thread's own).
SITE_NICENESS = 10


def _lower_this_threads_priority() -> None:
    """Let the calling thread take only the time the reports leave (Linux schedules threads by their own
    nice value); elsewhere, or when refused, nothing changes."""
    import os

    try:
        me = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, me, min(19, os.getpriority(os.PRIO_PROCESS, me) + SITE_NICENESS))
    except (AttributeError, OSError):
        pass


class SiteInAdvance:
    """:func:`prepare_site` in a thread, started now (``run-all``: while the reports run, in the time their
    processes leave a core idle); :meth:`facts` waits for it.

    Nothing is written. A batch that is stopped calls :meth:`cancel`: the thread ends at its next village
    (a daemon thread still inside the libraries when the interpreter exits can abort the process with
    "terminate called without an active exception", exit −6 instead of 130: measured).
    """

    #: How long :meth:`cancel` waits for the thread [s] (one evaluation or one chart, on a loaded machine).
    CANCEL_WAIT_SECONDS = 3.0

    def __init__(self, period: str | Period, *, data_dir: str | Path, lang: str = DEFAULT_LANG) -> None:
        self.period, self._facts, self._error = period, None, None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._prepare, args=(period, data_dir, lang), daemon=True,
                                        name="village-stats site")
        start_quiet(self._thread)

    def _prepare(self, period, data_dir, lang) -> None:
        try:
            _lower_this_threads_priority()
            self._facts = prepare_site(period, data_dir=data_dir, lang=lang, stop=self._stop)
        except Stopped:
            pass
        except BaseException as exc:  # noqa: BLE001 - raised again by facts(), in the caller's thread
            self._error = exc

    def cancel(self) -> bool:
        """Ask the thread to stop and wait for it (at most :attr:`CANCEL_WAIT_SECONDS`); whether it ended."""
        self._stop.set()
        self._thread.join(self.CANCEL_WAIT_SECONDS)
        return not self._thread.is_alive()

    def facts(self, period: str | Period) -> SiteFacts | None:
        """The prepared facts when they are those of ``period`` (a code or ``latest``, as the site would
        resolve it), else None (the site then gathers them itself); the preparation's error is raised here."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        if self._facts is None:
            return None
        same = period == self.period or str(period) == self._facts.period.code
        return self._facts if same else None


def build_site(period: str | Period, *, data_dir: str | Path, output_dir: str | Path = "output",
               lang: str = DEFAULT_LANG, suppress_below: int | None = None,
               prepared: SiteFacts | None = None) -> SiteResult:
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
    prepared : SiteFacts, optional
        :func:`prepare_site`'s facts of the same period, language and ``suppress_below``, gathered earlier
        from the same data root (``run-all``); else gathered now.

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
    if prepared is None:
        prepared = prepare_site(period, data_dir=data_dir, lang=lang, suppress_below=suppress_below)
    facts = with_outputs(prepared, output_dir)
    final = site_folder(output_dir, lang)
    publication = Publication(final, runs=output_dir / RUNS / f".{final.name}")
    folder = publication.begin()
    try:
        write_pages(facts, folder, published_digest(output_dir))
        publication.commit()
    except BaseException:
        publication.abort()
        raise
    return SiteResult(final, final / "index.html", facts.period.code, tuple(v.id for v in facts.villages))


def write_pages(facts: SiteFacts, folder: Path, published: str | None = None) -> list[str]:
    """Write every page of the site into ``folder`` (a fresh run folder), the manifest last; returns the
    pages written (paths inside the site). ``published``: :func:`published_digest` of the output folder the
    site was built from (recorded in the manifest, see :func:`is_current`)."""
    (folder / VILLAGE_FOLDER).mkdir()
    pages = ["index.html"]
    write_atomic(folder / "index.html", render("index.html.j2", index_context(facts)), fsync=False)
    for v in facts.villages:
        page = village_page(v.id)
        write_atomic(folder / page, render("village.html.j2", village_context(facts, v)), fsync=False)
        pages.append(page)
    manifest = {"kind": "site", "period": facts.period.code, "lang": facts.lang,
                "suppress_below": facts.suppress_below, "data_dir": facts.data_dir.name,
                "folders": village_folders(facts.data_dir), "published": published,
                "villages": [v.id for v in facts.villages],
                "villages_with_data": [v.id for v in facts.villages if facts.period.code in v.results],
                "batch": facts.batch_name if facts.batch is not None else None, "pages": pages}
    write_atomic(folder / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", fsync=False)
    return pages


def published_digest(output_dir: str | Path) -> str:
    """A digest of what is published in ``output_dir``: each published report folder (``<village>/<period>``,
    ``<village>/trends``, ``county/<period>``: links) and the run folder it points to. Every publication makes
    a new run folder, so any report published since changes it."""
    import hashlib
    import os

    out = Path(output_dir)
    digest = hashlib.sha256()
    if out.is_dir():
        for link in sorted(p for p in out.glob("*/*") if p.is_symlink() and not p.parts[-2].startswith(".")):
            digest.update(f"{link.relative_to(out).as_posix()}\0{os.readlink(link)}\n".encode())
    return digest.hexdigest()


def is_current(period: str, *, data_dir: str | Path, output_dir: str | Path, lang: str = DEFAULT_LANG) -> bool:
    """Whether the published site of ``period`` (a code) is what building it again would give, as far as a
    ``run-all --changed-only`` that ran nothing can tell: it was built for that period and language without
    suppression, from the same folders of the data root, and no report has been published since.

    The caller knows the rest: every village's inputs are those its published report was made from
    (``--changed-only`` skipped every one of them, and a report's inputs are all the site reads of it).
    """
    final = site_folder(output_dir, lang)
    try:
        manifest = json.loads((final / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(manifest, dict) and manifest.get("period") == period and manifest.get("lang") == lang
            and manifest.get("suppress_below") is None
            and manifest.get("folders") == village_folders(Path(data_dir))
            and manifest.get("published") == published_digest(output_dir))
