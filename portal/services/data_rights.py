"""My data: export everything the candidate may see, and delete the account.

The export never contains internal notes, recruiters' own tags or anyone else's data. Deletion
erases or anonymises the person's data, closes their open candidacies (reason: withdrew) without
emailing the erased address, tells the recruiters, and audits only the candidate's id."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, or_, select, update

from portal.extensions import db
from portal.models import (
    OPEN_STAGES,
    Audience,
    AuditEntry,
    AuthToken,
    Candidacy,
    Candidate,
    CandidateUpdate,
    CloseReason,
    Consent,
    Debrief,
    Feedback,
    Firm,
    Interest,
    JobAlert,
    MatchPool,
    Message,
    MessageState,
    Note,
    Search,
    Stage,
    StageChange,
    SuggestedRole,
    SuggestionFrequency,
    User,
    UserSession,
    utcnow,
)
from portal.models.candidate import new_unsubscribe_token
from portal.services import DomainError, applications, candidate_interviews, job_alerts
from portal.services import candidate_portal as portal
from portal.services import cv as cv_service
from portal.services.keep_in_touch import recruiters_to_tell, tell_recruiters

DELETED_NAME = "Deleted candidate"
ERASED = "[erased: the candidate deleted their account]"
EXPORT_MESSAGES_LIMIT = 5000
UPDATE_KINDS = {"update": "Update to your recruiter", "referral": "Referral", "availability": "Profile change"}


def _iso(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "label"):
        return value.label
    return value


def export_data(firm: Firm, candidate: Candidate) -> dict[str, Any]:
    """Everything the firm holds about the candidate that they may see, as plain JSON data."""
    c = candidate
    profile = {
        "name": c.name,
        "email": c.email,
        "phone": c.phone,
        "current_role": c.headline,
        "location": c.location,
        "seniority": _iso(c.seniority),
        "summary": c.summary,
        "job_seeking": _iso(c.job_seeking),
        "available_from": _iso(c.available_from),
        "notice_weeks": c.notice_weeks,
        "employment_status": _iso(c.employment_status),
        "desired_roles": c.desired_roles,
        "desired_locations": c.desired_locations,
        "remote_preference": _iso(c.remote_preference),
        "pay_expectation": c.pay_expectation,
        "pay_currency": c.pay_currency,
        "skills": sorted((cs.skill.name for cs in c.skills), key=str.casefold),
        "cv_filename": c.cv_filename,
        "cv_uploaded_at": _iso(c.cv_uploaded_at),
        "profile_confirmed_at": _iso(c.profile_confirmed_at),
        "last_heard_from_us": _iso(c.last_contacted_at),
        "created_at": _iso(c.created_at),
    }
    preferences = {
        "role_suggestions": c.suggestion_frequency.value,
        "availability_prompts": c.allow_availability_prompts,
        "unsubscribed_from_optional_emails": c.unsubscribed_all,
        "check_in_emails": c.checkin_emails,
    }
    searches = [
        {
            "role": card.title,
            "client": card.client_name,
            "location": card.location,
            "status": card.label,
            "what_it_means": card.explanation,
            "ended_because": card.close_reason,
            "explanation": card.close_explanation,
            "history": [{"date": _iso(e.when), "event": e.label, "detail": e.detail} for e in reversed(card.timeline)],
        }
        for card in portal.my_searches(firm, c)
    ]
    feedback = [
        {"date": _iso(f.created_at), "role": f.title, "client": f.client_name, "from": f.author, "text": f.body_md}
        for f in _feedback_sources(firm, c)
    ]
    consents = [
        {
            "role": x.role_title,
            "client": x.client_name,
            "answer": x.state.value,
            "asked_at": _iso(x.requested_at),
            "answered_at": _iso(x.answered_at),
            "your_comment": x.comment,
            "cv_sent_at": _iso(x.cv_sent_at),
        }
        for x in portal.consents(c)
    ]
    messages, _ = portal.messages(c, page=1, per_page=EXPORT_MESSAGES_LIMIT)
    msgs = [{"date": _iso(m.created_at), "subject": m.subject, "text": m.body_text} for m in messages]
    interests = [
        {"date": _iso(i.created_at), "role": title}
        for i, title in db.session.execute(
            select(Interest, Search.title)
            .join(Search, Search.id == Interest.search_id)
            .where(Interest.candidate_id == c.id)
            .order_by(Interest.created_at)
        ).all()
    ]
    updates = [
        {
            "date": _iso(u.created_at),
            "kind": UPDATE_KINDS.get(u.kind.value, u.kind.value),
            "text": u.body,
            "referred_name": u.referral_name,
            "referred_email": u.referral_email,
        }
        for u in db.session.scalars(
            select(CandidateUpdate).where(CandidateUpdate.candidate_id == c.id).order_by(CandidateUpdate.created_at)
        ).all()
    ]
    alerts = [{"looking_for": a.criteria, "since": _iso(a.created_at)} for a in job_alerts.candidate_alerts(firm, c)]
    return {
        "firm": firm.name,
        "exported_at": utcnow().isoformat(),
        "profile": profile,
        "preferences": preferences,
        "searches": searches,
        "feedback": feedback,
        "interviews": candidate_interviews.export(firm, c),
        "consents": consents,
        "messages": msgs,
        "interests": interests,
        "updates_you_sent": updates,
        "applications": applications.for_export(c),
        "saved_searches": alerts,
    }


def _feedback_sources(firm: Firm, candidate: Candidate):
    """Feedback items with their Markdown source (what the recruiter wrote)."""
    items = portal.feedback_items(firm, candidate)
    sources = (
        dict(
            db.session.execute(
                select(Feedback.id, Feedback.body_md).where(Feedback.id.in_([i.id for i in items]))
            ).all()
        )
        if items
        else {}
    )
    for item in items:
        item.body_md = sources.get(item.id, "")  # type: ignore[attr-defined]
    return items


def export_json(firm: Firm, candidate: Candidate) -> bytes:
    return json.dumps(export_data(firm, candidate), indent=2, ensure_ascii=False).encode()


def export_zip(firm: Firm, candidate: Candidate) -> bytes:
    """my-data.json plus the CV file, in one zip."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("my-data.json", export_json(firm, candidate))
        stored = cv_service.stored_cv(candidate)
        if stored is not None:
            zf.writestr(f"cv/{stored.download_name}", stored.data)
    return buf.getvalue()


def _erase_recruiter_messages(cid: int, candidacy_ids: list[int]) -> None:
    """Messages to recruiters that named this candidate (their updates, referrals, interests,
    profile changes and consent answers), found by their dedupe keys, lose the text."""
    update_ids = db.session.scalars(select(CandidateUpdate.id).where(CandidateUpdate.candidate_id == cid)).all()
    consent_ids = (
        db.session.scalars(select(Consent.id).where(Consent.candidacy_id.in_(candidacy_ids))).all()
        if candidacy_ids
        else []
    )
    prefixes = [f"interest:{cid}:"]
    prefixes += [f"{kind}:{uid}:" for uid in update_ids for kind in ("candidate-update", "referral", "availability")]
    exact = [f"consent-answer:{x}" for x in consent_ids]
    for i in range(0, max(len(prefixes), len(exact)), 150):
        conditions = [Message.dedupe_key.startswith(p, autoescape=True) for p in prefixes[i : i + 150]]
        if exact[i : i + 150]:
            conditions.append(Message.dedupe_key.in_(exact[i : i + 150]))
        if not conditions:
            continue
        db.session.execute(
            update(Message)
            .where(Message.audience == Audience.RECRUITER, or_(*conditions))
            .values(subject="About a candidate who deleted their account", body_text=ERASED, body_html=ERASED)
            .execution_options(synchronize_session=False)
        )


class WrongPassword(DomainError):
    """The candidate did not confirm the deletion with their password."""


def delete_account(
    firm: Firm,
    candidate: Candidate,
    user: User | None,
    password: str | None = None,
    *,
    audit_action: str = "candidate.deleted",
    tell: bool = True,
) -> int:
    """Erase the candidate's personal data. Returns the number of candidacies closed.

    From the portal the candidate's password confirms it (a stolen session alone cannot
    erase an account); an erasure done on their behalf passes `password=None`. The retention
    policy erases with its own audit action and tells no recruiter (nobody is in a search)."""
    if candidate.deleted_at is not None:
        raise DomainError("This account has already been deleted.")
    if user is None and candidate.user_id is not None:
        user = db.session.get(User, candidate.user_id)
    if password is not None and (user is None or not user.check_password(password)):
        raise WrongPassword("That password is not right.")
    now = utcnow()
    cid = candidate.id
    # Who to tell, and about which roles, before anything is erased.
    recruiters = recruiters_to_tell(candidate)
    open_rows = db.session.execute(
        select(Candidacy, Search.title)
        .join(Search, Search.id == Candidacy.search_id)
        .where(Candidacy.candidate_id == cid, Candidacy.stage.in_(OPEN_STAGES))
    ).all()
    candidacy_ids = list(db.session.scalars(select(Candidacy.id).where(Candidacy.candidate_id == cid)).all())

    # Close open candidacies as "withdrew", with history, but no close-the-loop email.
    for candidacy, _title in open_rows:
        db.session.add(
            StageChange(
                firm_id=firm.id,
                candidacy_id=candidacy.id,
                from_stage=candidacy.stage,
                to_stage=Stage.CLOSED,
                actor_id=None,
                close_reason=CloseReason.WITHDREW,
                explanation=None,
                created_at=now,
            )
        )
        candidacy.stage = Stage.CLOSED
        candidacy.stage_changed_at = now
        candidacy.closed_at = now
        candidacy.close_reason = CloseReason.WITHDREW
    db.session.flush()

    # Free text about the person: recruiter-written texts on their candidacies, internal notes.
    if candidacy_ids:
        db.session.execute(
            update(Candidacy)
            .where(Candidacy.id.in_(candidacy_ids))
            .values(close_explanation=None)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            update(StageChange)
            .where(StageChange.candidacy_id.in_(candidacy_ids))
            .values(explanation=None)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            delete(Feedback)
            .where(Feedback.candidacy_id.in_(candidacy_ids))
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            update(Consent)
            .where(Consent.candidacy_id.in_(candidacy_ids))
            .values(comment=None)
            .execution_options(synchronize_session=False)
        )
    db.session.execute(delete(Note).where(Note.candidate_id == cid).execution_options(synchronize_session=False))
    db.session.execute(delete(Debrief).where(Debrief.candidate_id == cid).execution_options(synchronize_session=False))

    # Messages to them: nothing more is sent; what was sent loses its address and text.
    db.session.execute(
        update(Message)
        .where(Message.candidate_id == cid, Message.state == MessageState.PENDING)
        .values(state=MessageState.CANCELLED, last_error="the candidate deleted their account")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Message)
        .where(Message.candidate_id == cid)
        .values(to_email=None, to_name=None, body_text=ERASED, body_html=ERASED)
        .execution_options(synchronize_session=False)
    )
    _erase_recruiter_messages(cid, candidacy_ids)
    db.session.execute(
        update(CandidateUpdate)
        .where(CandidateUpdate.candidate_id == cid)
        .values(body="")
        .execution_options(synchronize_session=False)
    )
    applications.erase_notes(cid)
    db.session.execute(
        delete(Interest).where(Interest.candidate_id == cid).execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(SuggestedRole).where(SuggestedRole.candidate_id == cid).execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(MatchPool).where(MatchPool.candidate_id == cid).execution_options(synchronize_session=False)
    )
    # Their saved searches (job alerts) hold their address: they go too.
    db.session.execute(
        delete(JobAlert)
        .where(JobAlert.firm_id == firm.id, JobAlert.candidate_id == cid)
        .execution_options(synchronize_session=False)
    )

    # The person: the CV file, skills and tags go; every personal field is emptied.
    cv_service.delete_cv(candidate)
    candidate.skills.clear()
    candidate.tags.clear()
    for attr in (
        "email",
        "phone",
        "headline",
        "location",
        "seniority",
        "summary",
        "available_from",
        "notice_weeks",
        "employment_status",
        "desired_roles",
        "desired_locations",
        "pay_expectation",
        "profile_confirmed_at",
        "user_id",
    ):
        setattr(candidate, attr, None)
    candidate.name = DELETED_NAME
    candidate.suggestion_frequency = SuggestionFrequency.NEVER
    candidate.allow_availability_prompts = False
    candidate.unsubscribed_all = True
    candidate.unsubscribe_token = new_unsubscribe_token()
    candidate.deleted_at = now
    if user is not None:
        db.session.execute(
            delete(AuthToken).where(AuthToken.user_id == user.id).execution_options(synchronize_session=False)
        )
        user.name = DELETED_NAME
        user.email = f"deleted-{user.id}@deleted.invalid"
        user.phone = None
        user.password_hash = None
        user.active = False
        # Every session ends, and its record (device, IP address) goes with the personal data.
        db.session.execute(
            delete(UserSession).where(UserSession.user_id == user.id).execution_options(synchronize_session=False)
        )
    db.session.add(
        AuditEntry(
            firm_id=firm.id,
            actor_id=None,
            action=audit_action,
            target=f"candidate:{cid}",
            details={"candidate_id": cid},
            created_at=now,
        )
    )
    db.session.flush()

    # The recruiters hear it (by reference, not by name: the name is gone).
    if recruiters and tell:
        tell_recruiters(
            firm,
            candidate,
            "account_deleted",
            f"account-deleted:{cid}",
            recruiters,
            {"candidate_id": cid, "closed_roles": [title for _c, title in open_rows]},
        )
    return len(open_rows)
