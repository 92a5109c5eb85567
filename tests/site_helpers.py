"""A small county of real report runs for the site's tests (tests/test_site.py, tests/test_site_browser.py), and
an HTML reader for the facts of its pages.

The county: three villages of the example county with reports (``beiwa``, ``nancha`` and ``evil``, a copy
of ``mafang`` — which lacks 2018H1 — named ``<script>…`` and with a hostile English name), ``hougou``
(no 2018H2), ``broken`` (a copy of ``liugou`` whose 2018H2 has a negative count: bad input) and ``noyaml``
(a folder without village.yaml). ``run-all --period 2018H2`` runs the three reports (HTML, PDF, workbook)
and builds the site at its end.
"""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import yaml

from .conftest import ROOT, with_policy

COUNTY = ROOT / "examples" / "demo_county"
PERIOD = "2018H2"
GOOD = ("beiwa", "nancha")
HOSTILE_ZH = '<script>alert("村")</script>&amp;村'
HOSTILE_EN = "<img src=x onerror=alert(1)>"
HOSTILE_TOWNSHIP = "<b>南山乡</b>"


def make_county(root: Path) -> Path:
    """The data root described in the module docstring, under ``root``."""
    with_policy(root)
    for v in (*GOOD, "hougou"):
        shutil.copytree(COUNTY / v, root / v)
    shutil.copytree(COUNTY / "mafang", root / "evil")
    info = yaml.safe_load((root / "evil" / "village.yaml").read_text(encoding="utf-8"))
    info.update(id="evil", name_zh=HOSTILE_ZH, name_en=HOSTILE_EN, township_zh=HOSTILE_TOWNSHIP)
    (root / "evil" / "village.yaml").write_text(yaml.safe_dump(info, allow_unicode=True), encoding="utf-8")
    shutil.copytree(COUNTY / "liugou", root / "broken")
    text = (root / "broken" / "village.yaml").read_text(encoding="utf-8").replace("id: liugou", "id: broken")
    (root / "broken" / "village.yaml").write_text(text, encoding="utf-8")
    pop = root / "broken" / PERIOD / "population.csv"
    pop.write_text(pop.read_text(encoding="utf-8").replace("poor_population,", "poor_population,-", 1),
                   encoding="utf-8")
    (root / "noyaml" / PERIOD).mkdir(parents=True)
    return root


class Page(HTMLParser):
    """What the tests read of a page: every link, every script, every element id, the text of each
    section (by id), and the villages' table (row attributes and cell texts)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.sources: list[str] = []
        self.scripts = 0
        self.ids: list[str] = []
        self.lang = ""
        self.headers: list[str] = []
        self.rows: list[dict] = []
        self.sections: dict[str, str] = {}
        self.tables: list[list[list[str]]] = []     # every table: its rows, each a list of cell texts
        self._any_cell: list[str] | None = None
        self._section: list[str] = []
        self._cell: list[str] | None = None
        self._in_table = False
        self._in_head = False
        self._depth = {"section": 0}
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang", "")
        if "id" in a:
            self.ids.append(a["id"])
        for key in ("src", "srcset", "data", "poster", "action", "formaction", "background"):
            if key in a:
                self.sources.append(a[key])
        if tag == "link" and "href" in a:
            self.sources.append(a["href"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "script":
            self.scripts += 1
            if "src" in a:
                self.sources.append(a["src"])
        if tag == "section":
            self._section.append(a.get("id", ""))
        if tag == "table":
            self.tables.append([])
        if tag == "tr" and self.tables:
            self.tables[-1].append([])
        if tag in ("td", "th") and self.tables:
            self._any_cell = []
        if tag == "table" and a.get("id") == "village-table":
            self._in_table = True
        if self._in_table and tag == "thead":
            self._in_head = True
        if self._in_table and tag == "tr" and not self._in_head:
            self.rows.append({"attrs": a, "cells": [], "sort": [], "links": []})
        if self._in_table and tag in ("td", "th"):
            self._cell = []
            if not self._in_head:
                self.rows[-1]["sort"].append(a.get("data-sort"))
        if self._in_table and tag == "a" and self.rows and not self._in_head:
            self.rows[-1]["links"].append(a.get("href"))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._any_cell is not None:
            self.tables[-1][-1].append("".join(self._any_cell).strip())
            self._any_cell = None
        if tag == "section" and self._section:
            self._section.pop()
        if tag == "table" and self._in_table:
            self._in_table = False
        if tag == "thead":
            self._in_head = False
        if self._in_table and tag in ("td", "th") and self._cell is not None:
            text = "".join(self._cell).strip()
            (self.headers if self._in_head else self.rows[-1]["cells"]).append(text)
            self._cell = None

    def handle_data(self, data):
        if self._any_cell is not None:
            self._any_cell.append(data)
        if self._cell is not None:
            self._cell.append(data)
        for s in self._section:
            self.sections[s] = self.sections.get(s, "") + data

    def row(self, village: str) -> dict:
        """The villages' table's row of a village: header → cell text."""
        r = next(r for r in self.rows if r["attrs"].get("data-village") == village)
        return dict(zip(self.headers, r["cells"]))


def read_page(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))
