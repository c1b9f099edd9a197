"""Feedback: recruiter-written Markdown the candidate reads, with a preview before saving.

Posting feedback writes the candidate's message through the outbox, held for the grace window
and grouped with the candidacy's other changes: the worker sends the group as one email, so
nothing the recruiter wrote is swallowed. It never names a confidential client (disclosure)."""

from __future__ import annotations

from sqlalchemy import select

from portal import outbox
from portal.extensions import db
from portal.i18n import gettext as _
from portal.markdown import render_markdown
from portal.models import Candidacy, Feedback, Firm, Interview, Stage, User, utcnow
from portal.outbox import links
from portal.services import DomainError, disclosure, webhook_payloads, webhooks
from portal.services.text import clean_text

MAX_FEEDBACK = 10_000
KIND = "feedback_posted"


def preview(body_md: str, candidacy: Candidacy | None = None) -> str:
    """The sanitised HTML the candidate will see (nothing is saved). With the candidacy,
    feedback naming a confidential client the candidate was not told is refused here
    already (disclosure.ClientNamed), before the recruiter tries to post it."""
    body = clean_text(body_md, _("Feedback"), MAX_FEEDBACK, required=True)
    if candidacy is not None:
        disclosure.ensure_not_named(candidacy.search, body, [candidacy.id], what=_("This feedback"))
    return render_markdown(body)


def for_candidacy(candidacy: Candidacy) -> list[Feedback]:
    return list(
        db.session.scalars(
            select(Feedback)
            .where(Feedback.candidacy_id == candidacy.id)
            .order_by(Feedback.created_at.desc(), Feedback.id.desc())
        )
    )


def post_feedback(
    firm: Firm, actor: User, candidacy: Candidacy, body_md: str, *, interview: Interview | None = None
) -> Feedback:
    """Save feedback and write the candidate's message (same transaction). With `interview`
    (one of this candidacy's), the feedback follows that interview: it keeps the feedback
    promise (Interview.feedback_at, services/interview_feedback.py)."""
    from portal.services import consent as consent_service
    from portal.services.pipeline import _recruiter_for, coalesce_key

    if not actor.is_staff:
        raise DomainError(_("Only the firm's recruiters write feedback."))
    body = clean_text(body_md, _("Feedback"), MAX_FEEDBACK, required=True)
    candidate = candidacy.candidate
    if candidate.deleted_at is not None:
        raise DomainError(_("This candidate deleted their account."))
    if candidacy.stage is Stage.IDENTIFIED:
        raise DomainError(
            _(
                "The candidate does not know about this search yet: move them to "
                "“Contacted” first, or write an internal note instead."
            )
        )
    disclosure.ensure_not_named(candidacy.search, body, [candidacy.id], what=_("This feedback"))
    if interview is not None and interview.candidacy_id != candidacy.id:
        raise DomainError(_("This interview belongs to another search."))
    fb = Feedback(
        firm_id=firm.id,
        candidacy_id=candidacy.id,
        interview_id=interview.id if interview is not None else None,
        author_id=actor.id,
        body_md=body,
        body_html=render_markdown(body),
        created_at=utcnow(),
    )
    db.session.add(fb)
    if interview is not None and interview.feedback_at is None:
        interview.feedback_at = fb.created_at
    db.session.flush()
    search = candidacy.search
    # On an open candidacy the message coalesces with the stage messages (one email with the
    # latest state). Once closed, the close-the-loop message stands on its own: never replaced.
    key = coalesce_key(candidacy) if candidacy.stage.is_open else None
    msg = outbox.record_for_candidacy(
        firm,
        candidacy,
        kind=KIND,
        dedupe_key=f"feedback:{fb.id}",
        grace=True,
        coalesce_key=key,
        context={
            "candidacy": candidacy,
            "search": search,
            "feedback": [fb],
            "stage": candidacy.stage,
            "recruiter": _recruiter_for(candidacy) or actor,
            "author": actor,
            "client_name": search.client_name_for_candidate(consent_service.client_revealed(candidacy)),
            "link": links.feedback(firm, candidacy.id, fb.id),
        },
    )
    if interview is not None:
        msg.interview_id = interview.id
    webhooks.emit(firm.id, "feedback.posted", lambda: webhook_payloads.feedback(fb, actor), key=str(fb.id))
    return fb
