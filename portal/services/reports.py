"""The promises report (issue 23): for a firm or one recruiter and a period, how well each promise
was kept, the exceptions, the pipeline and the candidates' own verdict (the survey).

Every figure is computed here, once, and everything else reads it: the report page (through
the worker's snapshot, portal/services/report_snapshots.py), the CSV exports, the weekly admin
email and the public figures (`headline`). A few grouped statements per report whatever the
data size (never one query per row); rows are folded in Python where a figure needs them
(the silences, the time in each stage).

Definitions (decided; the README's "The promises report" repeats them):
- Scope: the firm, or one recruiter = the candidacies of the searches they own
  (`Search.owner_id`); a candidate message outside any search counts for the candidate's owner;
  survey answers count for the recruiter the response names.
- Period: [start, end) in UTC, from the firm's own calendar days (see `standard_periods`).
- Cadence (promise 1), measured at the period's end (or now, if sooner): a candidate is active
  when one of their candidacies was then at an open stage they know about (latest move not
  undone), in a search not closed then, and their account was not deleted then. Their silence
  is the time since the last candidate-facing transactional message written to them (not
  cancelled), or since their earliest active candidacy was added. Kept: silence <= cadence days.
- Close the loop (promise 2): every move to "closed" in the period that was not undone (a
  candidacy reopened by undo does not count), except the closes made by deleting the
  candidate's account (nobody left to tell). Kept: a close-the-loop message exists for it.
- Consent (promise 3): every move in the period to "presented" or beyond from a stage before
  it (not undone). Kept: the candidate had approved (answered_at at or before the move).
- Feedback (promise 7): interviews held in the period (start in the period, not "did not take
  place"). Kept: feedback, or the honest "still waiting" word, or a close with a reason, by the
  end of the firm's feedback window. Interviews whose window is still open and unanswered are
  pending: counted nowhere yet.
- Replies (promise 8): candidate messages written in the period that carry a reply deadline.
  Kept: answered by the deadline, or marked as needing no reply. Unanswered before the
  deadline: pending.
- Survey: answers given in the period; NPS = % promoters (9-10) - % detractors (0-6).
- Funnel: candidacies that reached each stage in the period (moves not undone).
- Time in stage: for each move in the period (not undone), the time since the previous move
  of the same candidacy that was not undone, counted for the stage it left. An undone move
  is as if it never happened; a reopened candidacy's close is undone, so the stage before it
  runs on.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import select

from portal.extensions import db
from portal.i18n import gettext as _
from portal.i18n import lazy as _l
from portal.models import Firm, Search, User
from portal.models.base import utcnow
from portal.services.report_periods import (
    STANDARD_PERIODS,
    Headline,
    Period,
    PromiseFigure,
    _iso,
    custom_period,
    period,
    share,
    standard_periods,
)
from portal.services.report_pipeline import applications_by_source, funnel, nps, survey, time_in_stage
from portal.services.report_promises import SILENCE_BUCKETS, cadence, close_loop, consent, feedback, replies

PROMISES = ("cadence", "close_loop", "consent", "feedback", "reply")
# Each promise as the report names it (lazy: read in the reader's language; a snapshot stores
# the words of whoever computed it, and the page names each promise by its key again).
PROMISE_LABELS = {
    "cadence": _l("Active candidates heard from within the cadence"),
    "close_loop": _l("Closed candidacies told why (close the loop)"),
    "consent": _l("Presentations with the candidate's consent first"),
    "feedback": _l("Interviews followed by feedback within the window"),
    "reply": _l("Candidate messages answered within the reply window"),
}

# ---------------------------------------------------------------- the headline


def headline(
    firm: Firm, start: datetime, end: datetime, recruiter_id: int | None = None, now: datetime | None = None
) -> Headline:
    """The headline figures of the report for this scope and period (the same functions the
    report uses, so a sentence never disagrees with the page)."""
    now = now or utcnow()
    cad, _ = cadence(firm, min(end, now), recruiter_id)
    sv = survey(firm, start, end, recruiter_id)
    return Headline(
        cadence_share=cad.share,
        close_loop_share=close_loop(firm, start, end, recruiter_id).share,
        consent_share=consent(firm, start, end, recruiter_id).share,
        feedback_share=feedback(firm, start, end, recruiter_id, now).share,
        reply_share=replies(firm, start, end, recruiter_id, now).share,
        survey_average=sv["average"],
        nps=sv["nps"],
        survey_count=sv["count"],
        cadence_days=firm.cadence_days or 7,
        cadence_count=cad.total,
    )


def build(firm: Firm, per: Period, recruiter_id: int | None = None, now: datetime | None = None) -> dict[str, Any]:
    """The whole report for a scope and period, as JSON-ready data (what a snapshot stores).
    About a dozen statements whatever the firm's size."""
    now = now or utcnow()
    at = min(per.end, now)
    cad, histogram = cadence(firm, at, recruiter_id)
    figures = [
        cad,
        close_loop(firm, per.start, per.end, recruiter_id),
        consent(firm, per.start, per.end, recruiter_id),
        feedback(firm, per.start, per.end, recruiter_id, now),
        replies(firm, per.start, per.end, recruiter_id, now),
    ]
    sv = survey(firm, per.start, per.end, recruiter_id)
    search_ids = set(sv["by_search"])
    owner_ids = set(sv["by_recruiter"])
    for f in figures:
        search_ids |= set(f.by_search)
        owner_ids |= set(f.by_recruiter)
    searches = (
        {
            sid: (title, owner)
            for sid, title, owner in db.session.execute(
                select(Search.id, Search.title, Search.owner_id).where(
                    Search.firm_id == firm.id, Search.id.in_(search_ids)
                )
            ).all()
        }
        if search_ids
        else {}
    )
    names = (
        dict(
            db.session.execute(select(User.id, User.name).where(User.firm_id == firm.id, User.id.in_(owner_ids))).all()
        )
        if owner_ids - {0}
        else {}
    )

    def rows(by: str) -> list[dict]:
        keys = search_ids if by == "search" else owner_ids
        out = []
        for key in keys:
            row: dict[str, Any] = {"id": key}
            if by == "search":
                title, owner = searches.get(key, (_("(deleted search)"), None))
                row["name"], row["owner"] = title, names.get(owner or 0)
            else:
                row["name"] = names.get(key, _("No owner") if key == 0 else _("(former recruiter)"))
            for f in figures:
                kept, total = (f.by_search if by == "search" else f.by_recruiter).get(key, [0, 0])
                row[f.key] = {"kept": kept, "total": total}
            sv_row = sv["by_search" if by == "search" else "by_recruiter"].get(key)
            row["survey"] = sv_row or {"count": 0, "average": None, "nps": None}
            out.append(row)
        return sorted(out, key=lambda r: (str(r["name"]).lower(), r["id"]))

    return {
        "period": {"key": per.key, "label": per.label, "start": _iso(per.start), "end": _iso(per.end)},
        "scope": "firm" if recruiter_id is None else f"recruiter:{recruiter_id}",
        "measured_at": _iso(at),
        "cadence_days": firm.cadence_days or 7,
        "feedback_window_days": firm.feedback_window_days or 2,
        "reply_window_days": firm.reply_window_days or 1,
        "promises": {
            f.key: {
                "label": str(PROMISE_LABELS[f.key]),
                "kept": f.kept,
                "total": f.total,
                "pending": f.pending,
                "exception_count": f.exception_count,
                "exceptions": f.exceptions,
            }
            for f in figures
        },
        "silence_histogram": histogram,
        "by_recruiter": rows("recruiter") if recruiter_id is None else [],
        "by_search": rows("search"),
        "funnel": funnel(firm, per.start, per.end, recruiter_id),
        "time_in_stage": time_in_stage(firm, per.start, per.end, recruiter_id),
        "applications": applications_by_source(firm, per.start, per.end, recruiter_id),
        "survey": {k: v for k, v in sv.items() if k not in ("by_search", "by_recruiter")},
    }


def headline_from(report: dict[str, Any]) -> Headline:
    """The headline of a computed report (a snapshot's data): no query."""
    p = report["promises"]
    return Headline(
        cadence_share=share(p["cadence"]["kept"], p["cadence"]["total"]),
        close_loop_share=share(p["close_loop"]["kept"], p["close_loop"]["total"]),
        consent_share=share(p["consent"]["kept"], p["consent"]["total"]),
        feedback_share=share(p["feedback"]["kept"], p["feedback"]["total"]),
        reply_share=share(p["reply"]["kept"], p["reply"]["total"]),
        survey_average=report["survey"]["average"],
        nps=report["survey"]["nps"],
        survey_count=report["survey"]["count"],
        cadence_days=report["cadence_days"],
        cadence_count=p["cadence"]["total"],
    )


def as_dict(h: Headline) -> dict[str, Any]:
    return asdict(h)


__all__ = [
    "SILENCE_BUCKETS",
    "STANDARD_PERIODS",
    "applications_by_source",
    "funnel",
    "time_in_stage",
    "build",
    "Headline",
    "Period",
    "PromiseFigure",
    "cadence",
    "close_loop",
    "consent",
    "custom_period",
    "feedback",
    "headline",
    "headline_from",
    "nps",
    "period",
    "replies",
    "share",
    "standard_periods",
    "survey",
]
