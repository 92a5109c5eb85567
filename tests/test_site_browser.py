"""The county's site in a real browser: headless Chromium (driven by playwright) opens ``index.html`` from disk,
sorts and filters the villages' table, follows a link to a village's page and to a PDF report, finds no
console error and no request outside the folder, and saves screenshots under ``output/site-browser/``.

Run with ``make test-browser`` (``pytest -m browser``); ``make test`` skips it. It installs nothing: it needs
Chromium (``apt-get install chromium``; another binary with ``VILLAGE_STATS_CHROMIUM=/path``) and the pip
package ``playwright`` (``pip install playwright``; its own browser download is not used), and is skipped,
saying which is missing, without them. The pages name the Chinese font the reports use; the test lets
Chromium find it in the ``mplfonts`` package through a fontconfig file of its own (nothing is installed).
"""

from __future__ import annotations

import os
import shutil

import pytest

from .conftest import ROOT
from .site_helpers import HOSTILE_EN, PERIOD, read_page
from .test_site import county  # noqa: F401  (the county of real reports, with its site)

pytestmark = [pytest.mark.browser, pytest.mark.notebook]

SCREENSHOTS = ROOT / "output" / "site-browser"


def chromium() -> str | None:
    """The Chromium binary: $VILLAGE_STATS_CHROMIUM, /usr/bin/chromium, or chromium on the PATH."""
    for candidate in (os.environ.get("VILLAGE_STATS_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="module", autouse=True)
def selected(request):
    """Skip before anything is built unless the browser tests were asked for (``-m browser``) and playwright
    and Chromium are there."""
    if "browser" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("a browser test: run it with make test-browser (pytest -m browser)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install playwright",
                        exc_type=ImportError)
    if chromium() is None:
        pytest.skip("Chromium not found (/usr/bin/chromium or VILLAGE_STATS_CHROMIUM): apt-get install chromium")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright import sync_api

    from village_stats.display.fonts import cjk_font_path

    conf = tmp_path_factory.mktemp("fonts") / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
                    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
                    f"  <dir>{cjk_font_path().parent}</dir>\n  <cachedir>{conf.parent / 'cache'}</cachedir>\n"
                    "</fontconfig>\n", encoding="utf-8")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), env={**os.environ, "FONTCONFIG_FILE": str(conf)})
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A page that records console errors, uncaught exceptions and every request."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.problems, pg.requests, pg.dialogs = [], [], []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.on("console", lambda m: pg.problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning")
          else None)
    pg.on("pageerror", lambda e: pg.problems.append(f"page error: {e}"))
    pg.on("request", lambda r: pg.requests.append(r.url))
    yield pg
    context.close()


def visible_villages(pg) -> list[str]:
    return pg.eval_on_selector_all("#village-table tbody tr:not([hidden])", "rows => rows.map(r => r.dataset.village)")


def test_sort_filter_follow_links_without_errors(county, page):  # noqa: F811
    _, out, _ = county
    index = out / "site" / "index.html"
    parsed = read_page(index)
    column = parsed.headers.index("贫困发生率")
    keys = {r["attrs"]["data-village"]: r["sort"][column] for r in parsed.rows}
    known = sorted((v for v in keys if keys[v]), key=lambda v: float(keys[v]))
    unknown = [r["attrs"]["data-village"] for r in parsed.rows if not keys[r["attrs"]["data-village"]]]

    page.goto(index.as_uri())
    assert page.is_visible("#controls")                                   # the script ran
    header = page.locator("#village-table thead th", has_text="贫困发生率")
    header.locator("button").click()
    assert visible_villages(page) == known + unknown                       # ascending, unknown last
    assert header.get_attribute("aria-sort") == "ascending"
    header.locator("button").click()
    assert visible_villages(page) == known[::-1] + unknown                 # descending, unknown still last
    township = "西河镇"
    page.select_option("#township", township)
    expected = [v for v in known[::-1] + unknown
                if parsed.row(v)["乡镇"] == township]
    assert visible_villages(page) == expected and len(expected) >= 2
    assert page.inner_text("#shown") == f"显示 {len(expected)} 个村"
    page.screenshot(path=str(SCREENSHOTS / "index-sorted-filtered.png"), full_page=True)
    page.select_option("#township", "")
    assert len(visible_villages(page)) == len(parsed.rows)
    page.screenshot(path=str(SCREENSHOTS / "index.png"), full_page=True)

    page.locator("#village-table a[href='villages/beiwa.html']").click()
    page.wait_for_load_state()
    assert page.url.endswith("/site/villages/beiwa.html")
    assert page.inner_text("h1") == "北洼村各期数据"
    assert page.locator("svg.vs-chart").count() == 2
    assert all(box and box["width"] > 200 for box in (c.bounding_box() for c in page.locator("svg.vs-chart").all()))
    page.screenshot(path=str(SCREENSHOTS / "village-beiwa.png"), full_page=True)

    site_requests = list(page.requests)
    with page.expect_navigation() as navigation:
        page.locator(f"a[href='../../beiwa/{PERIOD}/report.pdf']").click()
    response = navigation.value
    assert page.url.endswith(f"/beiwa/{PERIOD}/report.pdf")
    assert response is not None and response.headers.get("content-type") == "application/pdf"
    page.wait_for_timeout(1500)                                            # the viewer draws the first page
    page.screenshot(path=str(SCREENSHOTS / "report-pdf.png"))

    assert page.problems == [] and page.dialogs == []
    # nothing fetched from anywhere: the site's pages asked only for files of the folder (and the icon's
    # data: URL); the PDF viewer then loads the browser's own chrome:// pages, never the network
    assert [u for u in site_requests if not u.startswith(("file://", "data:"))] == []
    assert any(u.endswith("/site/index.html") for u in site_requests)
    assert [u for u in page.requests if u.split(":")[0] in ("http", "https", "ws", "wss", "ftp")] == []


def test_the_english_site_in_the_browser(county, page):  # noqa: F811
    from village_stats.site import build_site

    root, out, _ = county
    build_site(PERIOD, data_dir=root, output_dir=out, lang="en")
    page.goto((out / "site.en" / "index.html").as_uri())
    page.locator("#village-table thead th", has_text="Village").locator("button").click()
    names = page.eval_on_selector_all("#village-table tbody th[scope=row] a", "links => links.map(a => a.textContent)")
    assert len(names) == 5 and HOSTILE_EN in names                         # the hostile name is text on the page
    assert names == sorted(names, key=str.casefold)
    assert page.dialogs == []                                              # and no alert() ever ran
    page.screenshot(path=str(SCREENSHOTS / "index-en.png"), full_page=True)
    assert page.problems == []
