"""The interview follow-up, every FOLLOWUP_SECONDS (worker/schedule.py): for each firm, ask for
the debrief of interviews that just ended, and tell candidates whose feedback window passed
that the firm is still waiting for the client (promise 7). Both are idempotent (dedupe keys,
Interview.waiting_notice_at), so a run repeated or run late writes nothing twice."""

from __future__ import annotations

from sqlalchemy import select

from portal import transaction
from portal.extensions import db
from portal.models import Firm, utcnow
from portal.services import debriefs, interview_feedback
from portal.tenancy import all_firms, bind_firm
from worker.app import job

FOLLOWUP_SECONDS = 600


@job
def interview_followups() -> dict[str, int]:
    """Debrief requests and "still waiting" notices for every firm, each firm in its own short
    transaction (a batch that commits in steps: one firm's failure keeps the others' work)."""
    now = utcnow()
    with all_firms():
        firm_ids = list(db.session.scalars(select(Firm.id).where(Firm.disabled.is_(False)).order_by(Firm.id)))
    out = {"debriefs": 0, "waiting": 0}
    for firm_id in firm_ids:
        out_firm = followup_firm_now(firm_id, now)
        out["debriefs"] += out_firm["debriefs"]
        out["waiting"] += out_firm["waiting"]
        transaction.checkpoint()
    return out


def followup_firm_now(firm_id: int, now) -> dict[str, int]:
    bind_firm(firm_id)
    firm = db.session.get(Firm, firm_id)
    if firm is None:
        return {"debriefs": 0, "waiting": 0}
    return {
        "debriefs": debriefs.plan_requests(firm, now),
        "waiting": interview_feedback.plan_waiting_notices(firm, now),
    }
