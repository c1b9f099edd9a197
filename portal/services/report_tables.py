"""The promises report as tables (header + rows): what the page shows below each chart and what
each CSV download holds, from the same data (a snapshot's or a live report's), so the two never
differ. Pure functions: no query. Charts (bar geometry for the page's SVG) are `bars`.

Titles, headers and labels are in the reader's language (read when a page or a download is
made); the stored data keeps its keys (promise, stage, source, silence bucket, "YYYY-MM").
A firm's report has a row per search (3,000 at 100,000 candidates): the words and number
patterns are looked up once per page or download (`Formats`), never per cell, and the page
shows one page of searches (`search_page`, `page_tables`); the CSV holds them all. A snapshot
keeps those rows apart from its document (portal.services.report_snapshots): the caller reads
the page's rows, or every row as the download is written, and gives them here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern
from flask_babel import get_locale

from portal.i18n import gettext as _
from portal.models import Stage
from portal.models.application import ApplicationSource
from portal.services.report_promises import SILENCE_LABELS
from portal.services.reports import PROMISE_LABELS, PROMISES

SEARCHES_PER_PAGE = 50  # rows of the "By search" table on one page (the CSV holds every search)
# "0", "0.0": what babel.numbers.format_decimal(value, format=...) parses on every call.
_DECIMALS: dict[int, NumberPattern] = {d: parse_pattern("0." + "0" * d if d else "0") for d in (0, 1)}


@dataclass(frozen=True)
class Table:
    name: str  # the CSV's name and the page anchor
    title: str
    header: list[str]
    rows: Iterable[list[Any]]  # a list; a download of "By search" reads them as it writes


class Formats:
    """The reader's locale and the report's repeated words, looked up once for a page or a
    download: gettext and Babel's pattern parsing per cell cost ~0.2 s for 3,000 searches."""

    def __init__(self) -> None:
        self.locale: Locale = get_locale() or Locale.parse("en")
        # Translators: a share of cases, "60 %".
        self.share = _("%(num)d %%")
        self.no_cases = _("no cases")
        self.promises = {k: str(PROMISE_LABELS[k]) for k in PROMISES}

    def pct(self, kept: int, total: int) -> str:
        return self.share % {"num": round(100 * kept / total)} if total else self.no_cases

    def num(self, value: float | None, digits: int = 1) -> str:
        """A figure with `digits` decimals in the reader's locale ("8.6", "8,6")."""
        if value is None:
            return ""
        pattern = _DECIMALS.get(digits) or parse_pattern("0." + "0" * digits if digits else "0")
        return pattern.apply(value, self.locale)


def pct(kept: int, total: int) -> str:
    return Formats().pct(kept, total)


def num(value: float | None, digits: int = 1) -> str:
    """A figure with `digits` decimals in the reader's locale ("8.6", "8,6")."""
    return "" if value is None else Formats().num(value, digits)


def promise(key: str) -> str:
    return str(PROMISE_LABELS[key])


def silence(label: str) -> str:
    """A silence bucket's words (the stored histogram's key is its English label)."""
    return str(SILENCE_LABELS.get(label, label))


def _promise_cells(row: dict, f: Formats) -> list[Any]:
    out: list[Any] = []
    for key in PROMISES:
        kept, total = row[key]["kept"], row[key]["total"]
        out.append(f"{f.pct(kept, total)} ({kept}/{total})" if total else f.no_cases)
    return out


def _promises(report: dict[str, Any], f: Formats) -> Table:
    p = report["promises"]
    return Table(
        "promises",
        _("Promises kept"),
        [_("Promise"), _("Kept"), _("Cases"), _("Share kept"), _("Pending"), _("Exceptions")],
        [
            [
                f.promises[k],
                p[k]["kept"],
                p[k]["total"],
                f.pct(p[k]["kept"], p[k]["total"]),
                p[k]["pending"],
                p[k]["exception_count"],
            ]
            for k in PROMISES
        ],
    )


def _exceptions(report: dict[str, Any], f: Formats) -> Table:
    p = report["promises"]
    return Table(
        "exceptions",
        _("Exceptions"),
        [
            _("Promise"),
            _("Candidate"),
            _("Candidate ID"),
            _("Search"),
            _("Candidacy ID"),
            _("When (UTC)"),
            _("Days silent"),
        ],
        [
            [
                f.promises[k],
                e["name"],
                e["candidate_id"],
                e.get("search") or "",
                e.get("candidacy_id") or "",
                (e.get("when") or e.get("last_heard") or "")[:16].replace("T", " "),
                e.get("days", ""),
            ]
            for k in PROMISES
            for e in p[k]["exceptions"]
        ],
    )


def _silences(report: dict[str, Any], f: Formats) -> Table:
    return Table(
        "silences",
        _("Silence lengths of active candidates"),
        [_("Silence"), _("Candidates")],
        [[silence(label), n] for label, n in report["silence_histogram"].items()],
    )


def _survey_columns() -> list[str]:
    return [_("Survey answers"), _("Survey average"), _("NPS")]


def _by_recruiter(report: dict[str, Any], f: Formats) -> Table:
    return Table(
        "by_recruiter",
        _("By recruiter"),
        [_("Recruiter"), *f.promises.values(), *_survey_columns()],
        [
            [
                r["name"],
                *_promise_cells(r, f),
                r["survey"]["count"],
                f.num(r["survey"]["average"]),
                f.num(r["survey"]["nps"], 0),
            ]
            for r in report["by_recruiter"]
        ],
    )


def _search_cells(r: dict, f: Formats) -> list[Any]:
    return [
        r["name"],
        r.get("owner") or "",
        *_promise_cells(r, f),
        r["survey"]["count"],
        f.num(r["survey"]["average"]),
        f.num(r["survey"]["nps"], 0),
    ]


def _by_search(report: dict[str, Any], f: Formats) -> Table:
    return Table(
        "by_search",
        _("By search"),
        [_("Search"), _("Owner"), *f.promises.values(), *_survey_columns()],
        [_search_cells(r, f) for r in report["by_search"]],
    )


def _funnel(report: dict[str, Any], f: Formats) -> Table:
    return Table(
        "funnel",
        _("Pipeline: candidacies reaching each stage"),
        [_("Stage"), _("Candidacies")],
        [[Stage(k).label, n] for k, n in report["funnel"].items()],
    )


def _time_in_stage(report: dict[str, Any], f: Formats) -> Table:
    return Table(
        "time_in_stage",
        _("Time spent in each stage (days)"),
        [_("Stage"), _("Moves out"), _("Median days"), _("Mean days")],
        [
            [Stage(k).label, v["count"], f.num(v["median_days"]), f.num(v["mean_days"])]
            for k, v in report["time_in_stage"].items()
        ],
    )


def _applications(report: dict[str, Any], f: Formats) -> Table:
    return Table(
        "applications",
        _("Applications by source"),
        [_("Source"), _("Applications")],
        [[ApplicationSource(k).label, n] for k, n in report["applications"].items()],
    )


def _survey_trend(report: dict[str, Any], f: Formats) -> Table:
    return Table(
        "survey_trend",
        _("Survey by month"),
        [_("Month"), _("Answers"), _("Average (0-10)"), _("NPS")],
        [[t["month"], t["count"], f.num(t["average"]), f.num(t["nps"], 0)] for t in report["survey"]["trend"]],
    )


def _survey_comments(report: dict[str, Any], f: Formats) -> Table:
    return Table(
        "survey_comments",
        _("Candidates' comments"),
        [_("When (UTC)"), _("Score"), _("Comment")],
        [[(c["when"] or "")[:16].replace("T", " "), c["score"], c["comment"]] for c in report["survey"]["comments"]],
    )


# Every table, in the page's order; each CSV download builds only its own.
BUILDERS: dict[str, Callable[[dict[str, Any], Formats], Table]] = {
    "promises": _promises,
    "exceptions": _exceptions,
    "silences": _silences,
    "by_recruiter": _by_recruiter,
    "by_search": _by_search,
    "funnel": _funnel,
    "time_in_stage": _time_in_stage,
    "applications": _applications,
    "survey_trend": _survey_trend,
    "survey_comments": _survey_comments,
}


def tables(report: dict[str, Any], names: tuple[str, ...] | None = None, f: Formats | None = None) -> dict[str, Table]:
    """The report's tables (those named, else all), in the reader's words."""
    f = f or Formats()
    return {name: BUILDERS[name](report, f) for name in (names or BUILDERS)}


def table(report: dict[str, Any], name: str, searches: Iterator[dict] | None = None) -> Table | None:
    """One table (a CSV download), or None for an unknown name. `searches`: the "By search"
    rows when `report` keeps them apart (a snapshot's), made into the table's rows as the
    download reads them (the rows are then an iterator)."""
    if name not in BUILDERS:
        return None
    f = Formats()
    if name == "by_search" and searches is not None:
        empty = _by_search({"by_search": []}, f)
        return Table(empty.name, empty.title, empty.header, (_search_cells(r, f) for r in searches))
    return BUILDERS[name](report, f)


@dataclass(frozen=True)
class SearchPage:
    number: int  # 1-based
    pages: int
    total: int  # searches in the report
    per_page: int

    @property
    def start(self) -> int:
        """The first row shown (0-based, in the table's order)."""
        return (self.number - 1) * self.per_page

    @property
    def stop(self) -> int:
        return self.number * self.per_page


def search_page(page: str, total: int, per_page: int | None = None) -> SearchPage:
    """Which page of "By search" the page shows, of `total` rows. `page` is the ?page=
    argument: unreadable is the first page, past the last is the last."""
    per_page = per_page or SEARCHES_PER_PAGE
    pages = max(1, -(-total // per_page))
    number = min(max(int(page[:9]) if page.isascii() and page.isdigit() else 1, 1), pages)
    return SearchPage(number, pages, total, per_page)


def page_tables(report: dict[str, Any], searches: list[dict], f: Formats) -> dict[str, Table]:
    """What the page shows: every table but the exceptions (the page lists them as links), with
    `searches` (one page of them: a row per search is thousands in a large firm; the CSV holds
    them all) as "By search"."""
    shown = {**report, "by_search": searches}
    return tables(shown, tuple(n for n in BUILDERS if n != "exceptions"), f)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the figure written beside the bar
    y: int
    width: float  # in the chart's units (0..BAR_WIDTH)


BAR_WIDTH = 310  # of a 400-wide viewBox: each label sits above its bar (readable at 375 px)
ROW = 46


def bars(items: list[tuple[str, float, str]], top: float | None = None) -> tuple[list[Bar], int]:
    """Horizontal bars for (label, value, text) against `top` (the largest value when None):
    the bars and the chart's height, for the page's SVG (viewBox 0 0 400 height)."""
    biggest = top if top is not None else max((v for _, v, _ in items), default=0)
    out = [
        Bar(label, value, text, 4 + i * ROW, (BAR_WIDTH * value / biggest) if biggest else 0)
        for i, (label, value, text) in enumerate(items)
    ]
    return out, 8 + ROW * len(items)


def charts(
    report: dict[str, Any], by_name: dict[str, Table], f: Formats | None = None
) -> dict[str, tuple[list[Bar], int]]:
    """The page's four charts: promises kept (%), silences, the funnel, the survey by month."""
    f = f or Formats()
    p = report["promises"]
    return {
        "promises": bars(
            [
                (
                    f.promises[k],
                    (100 * p[k]["kept"] / p[k]["total"]) if p[k]["total"] else 0,
                    f.pct(p[k]["kept"], p[k]["total"]),
                )
                for k in PROMISES
            ],
            top=100,
        ),
        "silences": bars([(silence(label), n, str(n)) for label, n in report["silence_histogram"].items()]),
        "funnel": bars([(row[0], row[1], str(row[1])) for row in by_name["funnel"].rows]),
        "survey_trend": bars(
            [(t["month"], t["average"] or 0, f.num(t["average"])) for t in report["survey"]["trend"]], top=10
        ),
    }
