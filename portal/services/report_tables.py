"""The promises report as tables (header + rows): what the page shows below each chart and what
each CSV download holds, from the same data (a snapshot's or a live report's), so the two never
differ. Pure functions: no query. Charts (bar geometry for the page's SVG) are `bars`.

Titles, headers and labels are in the reader's language (read when a page or a download is
made); the stored data keeps its keys (promise, stage, source, silence bucket, "YYYY-MM")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel.numbers import format_decimal
from flask_babel import get_locale

from portal.i18n import gettext as _
from portal.models import Stage
from portal.models.application import ApplicationSource
from portal.services.report_promises import SILENCE_LABELS
from portal.services.reports import PROMISE_LABELS, PROMISES


@dataclass(frozen=True)
class Table:
    name: str  # the CSV's name and the page anchor
    title: str
    header: list[str]
    rows: list[list[Any]]


def pct(kept: int, total: int) -> str:
    # Translators: a share of cases, "60 %".
    return _("%(num)d %%", num=round(100 * kept / total)) if total else _("no cases")


def num(value: float | None, digits: int = 1) -> str:
    """A figure with `digits` decimals in the reader's locale ("8.6", "8,6")."""
    if value is None:
        return ""
    return format_decimal(value, format="0." + "0" * digits if digits else "0", locale=get_locale() or "en")


def promise(key: str) -> str:
    return str(PROMISE_LABELS[key])


def silence(label: str) -> str:
    """A silence bucket's words (the stored histogram's key is its English label)."""
    return str(SILENCE_LABELS.get(label, label))


def _promise_cells(row: dict) -> list[Any]:
    out: list[Any] = []
    for key in PROMISES:
        kept, total = row[key]["kept"], row[key]["total"]
        out.append(f"{pct(kept, total)} ({kept}/{total})" if total else _("no cases"))
    return out


def tables(report: dict[str, Any]) -> dict[str, Table]:
    p = report["promises"]
    sv = report["survey"]
    survey_columns = [_("Survey answers"), _("Survey average"), _("NPS")]
    out = [
        Table(
            "promises",
            _("Promises kept"),
            [_("Promise"), _("Kept"), _("Cases"), _("Share kept"), _("Pending"), _("Exceptions")],
            [
                [
                    promise(k),
                    p[k]["kept"],
                    p[k]["total"],
                    pct(p[k]["kept"], p[k]["total"]),
                    p[k]["pending"],
                    p[k]["exception_count"],
                ]
                for k in PROMISES
            ],
        ),
        Table(
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
                    promise(k),
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
        ),
        Table(
            "silences",
            _("Silence lengths of active candidates"),
            [_("Silence"), _("Candidates")],
            [[silence(label), n] for label, n in report["silence_histogram"].items()],
        ),
        Table(
            "by_recruiter",
            _("By recruiter"),
            [_("Recruiter"), *[promise(k) for k in PROMISES], *survey_columns],
            [
                [
                    r["name"],
                    *_promise_cells(r),
                    r["survey"]["count"],
                    num(r["survey"]["average"]),
                    num(r["survey"]["nps"], 0),
                ]
                for r in report["by_recruiter"]
            ],
        ),
        Table(
            "by_search",
            _("By search"),
            [_("Search"), _("Owner"), *[promise(k) for k in PROMISES], *survey_columns],
            [
                [
                    r["name"],
                    r.get("owner") or "",
                    *_promise_cells(r),
                    r["survey"]["count"],
                    num(r["survey"]["average"]),
                    num(r["survey"]["nps"], 0),
                ]
                for r in report["by_search"]
            ],
        ),
        Table(
            "funnel",
            _("Pipeline: candidacies reaching each stage"),
            [_("Stage"), _("Candidacies")],
            [[Stage(k).label, n] for k, n in report["funnel"].items()],
        ),
        Table(
            "time_in_stage",
            _("Time spent in each stage (days)"),
            [_("Stage"), _("Moves out"), _("Median days"), _("Mean days")],
            [
                [Stage(k).label, v["count"], num(v["median_days"]), num(v["mean_days"])]
                for k, v in report["time_in_stage"].items()
            ],
        ),
        Table(
            "applications",
            _("Applications by source"),
            [_("Source"), _("Applications")],
            [[ApplicationSource(k).label, n] for k, n in report["applications"].items()],
        ),
        Table(
            "survey_trend",
            _("Survey by month"),
            [_("Month"), _("Answers"), _("Average (0-10)"), _("NPS")],
            [[t["month"], t["count"], num(t["average"]), num(t["nps"], 0)] for t in sv["trend"]],
        ),
        Table(
            "survey_comments",
            _("Candidates' comments"),
            [_("When (UTC)"), _("Score"), _("Comment")],
            [[(c["when"] or "")[:16].replace("T", " "), c["score"], c["comment"]] for c in sv["comments"]],
        ),
    ]
    return {t.name: t for t in out}


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


def charts(report: dict[str, Any], by_name: dict[str, Table]) -> dict[str, tuple[list[Bar], int]]:
    """The page's four charts: promises kept (%), silences, the funnel, the survey by month."""
    p = report["promises"]
    return {
        "promises": bars(
            [
                (
                    promise(k),
                    (100 * p[k]["kept"] / p[k]["total"]) if p[k]["total"] else 0,
                    pct(p[k]["kept"], p[k]["total"]),
                )
                for k in PROMISES
            ],
            top=100,
        ),
        "silences": bars([(silence(label), n, str(n)) for label, n in report["silence_histogram"].items()]),
        "funnel": bars([(row[0], row[1], str(row[1])) for row in by_name["funnel"].rows]),
        "survey_trend": bars(
            [(t["month"], t["average"] or 0, num(t["average"])) for t in report["survey"]["trend"]], top=10
        ),
    }
