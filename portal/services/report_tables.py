"""The promises report as tables (header + rows): what the page shows below each chart and what
each CSV download holds, from the same data (a snapshot's or a live report's), so the two never
differ. Pure functions: no query. Charts (bar geometry for the page's SVG) are `bars`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.models import Stage
from portal.models.application import ApplicationSource
from portal.services.reports import PROMISE_LABELS, PROMISES


@dataclass(frozen=True)
class Table:
    name: str  # the CSV's name and the page anchor
    title: str
    header: list[str]
    rows: list[list[Any]]


def pct(kept: int, total: int) -> str:
    return f"{round(100 * kept / total)} %" if total else "no cases"


def num(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _promise_cells(row: dict) -> list[Any]:
    out: list[Any] = []
    for key in PROMISES:
        kept, total = row[key]["kept"], row[key]["total"]
        out.append(f"{pct(kept, total)} ({kept}/{total})" if total else "no cases")
    return out


def tables(report: dict[str, Any]) -> dict[str, Table]:
    p = report["promises"]
    sv = report["survey"]
    out = [
        Table(
            "promises",
            "Promises kept",
            ["Promise", "Kept", "Cases", "Share kept", "Pending", "Exceptions"],
            [
                [
                    PROMISE_LABELS[k],
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
            "Exceptions",
            ["Promise", "Candidate", "Candidate ID", "Search", "Candidacy ID", "When (UTC)", "Days silent"],
            [
                [
                    PROMISE_LABELS[k],
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
            "Silence lengths of active candidates",
            ["Silence", "Candidates"],
            [[label, n] for label, n in report["silence_histogram"].items()],
        ),
        Table(
            "by_recruiter",
            "By recruiter",
            ["Recruiter", *[PROMISE_LABELS[k] for k in PROMISES], "Survey answers", "Survey average", "NPS"],
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
            "By search",
            ["Search", "Owner", *[PROMISE_LABELS[k] for k in PROMISES], "Survey answers", "Survey average", "NPS"],
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
            "Pipeline: candidacies reaching each stage",
            ["Stage", "Candidacies"],
            [[Stage(k).label, n] for k, n in report["funnel"].items()],
        ),
        Table(
            "time_in_stage",
            "Time spent in each stage (days)",
            ["Stage", "Moves out", "Median days", "Mean days"],
            [
                [Stage(k).label, v["count"], num(v["median_days"]), num(v["mean_days"])]
                for k, v in report["time_in_stage"].items()
            ],
        ),
        Table(
            "applications",
            "Applications by source",
            ["Source", "Applications"],
            [[ApplicationSource(k).label, n] for k, n in report["applications"].items()],
        ),
        Table(
            "survey_trend",
            "Survey by month",
            ["Month", "Answers", "Average (0-10)", "NPS"],
            [[t["month"], t["count"], num(t["average"]), num(t["nps"], 0)] for t in sv["trend"]],
        ),
        Table(
            "survey_comments",
            "Candidates' comments",
            ["When (UTC)", "Score", "Comment"],
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
                    PROMISE_LABELS[k],
                    (100 * p[k]["kept"] / p[k]["total"]) if p[k]["total"] else 0,
                    pct(p[k]["kept"], p[k]["total"]),
                )
                for k in PROMISES
            ],
            top=100,
        ),
        "silences": bars([(label, n, str(n)) for label, n in report["silence_histogram"].items()]),
        "funnel": bars([(row[0], row[1], str(row[1])) for row in by_name["funnel"].rows]),
        "survey_trend": bars(
            [(t["month"], t["average"] or 0, num(t["average"])) for t in report["survey"]["trend"]], top=10
        ),
    }
