"""A request: what one run or command is asked to do, resolved once, at the edge.

The CLI builds a :class:`Request` from its options, a notebook from its parameters cell
(:meth:`Request.from_parameters`); below that, a period is a :class:`~village_stats.periods.Period` and a
data root a :class:`~pathlib.Path`, and nothing resolves ``latest`` or a default folder again. The
notebook's parameters are the request written back as plain strings (:meth:`Request.parameters`), so a
report run by papermill and the same notebook opened in JupyterLab resolve to the same request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from . import config
from .errors import DataError
from .load import Source, as_period, check_village_id
from .periods import Period

#: The report kinds and the parameters each takes besides ``data_dir`` and ``lang``.
KINDS: dict[str, tuple[str, ...]] = {
    "period": ("village", "period", "report_date", "exit_target"),
    "trends": ("village", "from_period", "to_period", "exit_target"),
    "county": ("period", "township", "suppress_below"),
}
LANGS = ("zh", "en")
#: How the CLI spells a parameter (for one-line errors).
FLAGS = {"from_period": "--from", "to_period": "--to", "data_dir": "--data-dir"}


@dataclass(frozen=True)
class Request:
    """One report (or command) to run, every parameter resolved.

    Attributes
    ----------
    kind : str
        ``period``, ``trends`` or ``county`` (:data:`KINDS`).
    data_dir : Path
        The data folder (villages and ``policy/``), as given or defaulted once.
    lang : str
        ``zh`` or ``en``.
    village : str or None
        Village id (period and trends reports).
    period : Period or None
        The period (period and county reports); ``latest``/``previous`` resolved.
    from_period, to_period : Period or None
        The span of a trends report (None: the first/last with data).
    township : str or None
        One township of a county report (its ``township_zh``), None for the whole county.
    report_date, exit_target : str
        Optional period-report settings ('' when not set): the printed report date, the target period
        for exit (validated as a period code).
    suppress_below : int or None
        County report for publishing: what the protected roll-up at this threshold hides
        (:func:`village_stats.panel.rollup.rollup_levels`) is printed as suppressed. [households or persons]
    """

    kind: str
    data_dir: Path
    lang: str = "zh"
    village: str | None = None
    period: Period | None = None
    from_period: Period | None = None
    to_period: Period | None = None
    township: str | None = None
    report_date: str = ""
    exit_target: str = ""
    suppress_below: int | None = None

    @classmethod
    def build(cls, kind: str, *, data_dir: str | Path | None = None, lang: str = "zh",
              today: dt.date | None = None, **given) -> Request:
        """Resolve a request from what a user gave (CLI options or notebook parameters).

        Empty strings and None mean "not given". ``period`` may be ``latest`` or ``previous`` (for a
        county, ``latest`` is the newest period of any village). Raises :class:`DataError` in one line
        for an unknown kind, language or parameter, a missing one, or a bad period code.
        """
        if kind not in KINDS:
            raise DataError(f"unknown report {kind!r}: expected one of {', '.join(KINDS)}")
        if lang not in LANGS:
            raise DataError(f"unknown language {lang!r}: expected zh or en")
        given = {k: v for k, v in given.items() if v is not None and str(v) != ""}
        unexpected = sorted(set(given) - set(KINDS[kind]))
        if unexpected:
            raise DataError(f"the {kind} report does not take {', '.join(_flag(u) for u in unexpected)}")
        required = {"period": ("village", "period"), "trends": ("village",), "county": ("period",)}[kind]
        missing = [n for n in required if n not in given]
        if missing:
            raise DataError(f"the {kind} report needs {', '.join(_flag(m) for m in missing)}")
        root = config.resolve_data_dir(data_dir)
        source = Source(root)  # only lists periods: no file is opened here
        village = check_village_id(str(given["village"])) if "village" in given else None
        period = None
        if "period" in given:
            if kind == "county":
                period = source.resolve_any(given["period"])
            else:
                period = source.resolve(given["period"], village, today)
        spans = {k: source.resolve(given[k], village, today) for k in ("from_period", "to_period") if k in given}
        exit_target = str(given.get("exit_target", ""))
        if exit_target:
            as_period(exit_target)  # a bad code is one clear error here, not a failed cell later
        below = _threshold(given["suppress_below"]) if "suppress_below" in given else None
        return cls(kind=kind, data_dir=root, lang=lang, village=village, period=period,
                   from_period=spans.get("from_period"), to_period=spans.get("to_period"),
                   township=str(given["township"]) if "township" in given else None,
                   report_date=str(given.get("report_date", "")), exit_target=exit_target, suppress_below=below)

    @classmethod
    def from_parameters(cls, kind: str, **parameters) -> Request:
        """The request of a notebook's parameters cell (strings; '' for not given)."""
        return cls.build(kind, **parameters)

    def parameters(self, cwd: Path | None = None) -> dict[str, str]:
        """The notebook parameters of this request (strings, '' for not given).

        ``data_dir`` is written relative to ``cwd`` when the data root is inside it (a report's appendix
        then shows no path of the machine), else absolute.
        """
        root = Path(self.data_dir).resolve()
        here = (cwd or Path.cwd()).resolve()
        data_dir = root.relative_to(here).as_posix() or "." if root.is_relative_to(here) else str(root)
        out = {"period": {"village": self.village, "period": self.period, "data_dir": data_dir, "lang": self.lang,
                          "report_date": self.report_date, "exit_target": self.exit_target},
               "trends": {"village": self.village, "from_period": self.from_period, "to_period": self.to_period,
                          "data_dir": data_dir, "lang": self.lang, "exit_target": self.exit_target},
               "county": {"data_dir": data_dir, "period": self.period, "township": self.township,
                          "lang": self.lang, "suppress_below": self.suppress_below}}[self.kind]
        optional = ("report_date", "exit_target", "suppress_below")  # settings left out when not set (the notebook's defaults)
        return {k: "" if v is None else (v.code if isinstance(v, Period) else str(v)) for k, v in out.items()
                if not (k in optional and not v)}


def _threshold(value) -> int:
    """A suppression threshold as given (an int, or its text in a notebook's parameters): a whole number ≥ 1."""
    text = str(value).strip()
    if not text.isdigit() or int(text) < 1:
        raise DataError(f"{_flag('suppress_below')} {value!r}: expected a whole number of at least 1")
    return int(text)


def _flag(name: str) -> str:
    return FLAGS.get(name, "--" + name.replace("_", "-"))
