"""The candidate's right of access: everything the firm holds about them that they may see,
as JSON, or JSON plus their CV and the files of their conversation in a zip (portal/services/data_rights.py erases)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import storage
from portal.extensions import db
from portal.i18n import gettext as _
from portal.i18n import lazy as _l
from portal.models import (
    Author,
    Candidate,
    CandidateUpdate,
    ConversationAttachment,
    ConversationMessage,
    Feedback,
    Firm,
    Interest,
    Search,
    User,
    utcnow,
)
from portal.services import applications, candidate_interviews, job_alerts, surveys
from portal.services import candidate_portal as portal
from portal.services import cv as cv_service

EXPORT_MESSAGES_LIMIT = 5000
# The export's words are in the candidate's language (its keys stay as they are: a file's structure).
UPDATE_KINDS = {
    # Translators: in the candidate's data export: a kind of message they sent.
    "update": _l("Update to your recruiter"),
    # Translators: in the candidate's data export: a kind of message they sent (they recommended someone).
    "referral": _l("Referral"),
    # Translators: in the candidate's data export: a kind of message they sent (they changed their profile).
    "availability": _l("Profile change"),
}
CONSENT_ANSWERS = {
    # Translators: in the candidate's data export: their answer to "may we send your profile?".
    "requested": _l("not answered"),
    # Translators: in the candidate's data export: their answer to "may we send your profile?".
    "approved": _l("yes"),
    # Translators: in the candidate's data export: their answer to "may we send your profile?".
    "declined": _l("no"),
    # Translators: in the candidate's data export: their answer to "may we send your profile?" (taken back).
    "withdrawn": _l("withdrawn"),
}
POST_SOURCES = {
    # Translators: in the candidate's data export: how a message in their conversation was written.
    "portal": _l("in the portal"),
    # Translators: in the candidate's data export: how a message in their conversation was written.
    "email": _l("by email"),
}


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
        "role_suggestions": c.suggestion_frequency.label,
        "availability_prompts": c.allow_availability_prompts,
        "unsubscribed_from_optional_emails": c.unsubscribed_all,
        "check_in_emails": c.checkin_emails,
        "survey_questions": c.survey_emails,
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
            "answer": str(CONSENT_ANSWERS.get(x.state.value, x.state.value)),
            "asked_at": _iso(x.requested_at),
            "answered_at": _iso(x.answered_at),
            "your_comment": x.comment,
            "cv_sent_at": _iso(x.cv_sent_at),
        }
        for x in portal.consents(c)
    ]
    messages, _more = portal.messages(c, page=1, per_page=EXPORT_MESSAGES_LIMIT)
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
            "kind": str(UPDATE_KINDS.get(u.kind.value, u.kind.value)),
            "text": u.body,
            "referred_name": u.referral_name,
            "referred_email": u.referral_email,
        }
        for u in db.session.scalars(
            select(CandidateUpdate).where(CandidateUpdate.candidate_id == c.id).order_by(CandidateUpdate.created_at)
        ).all()
    ]
    alerts = [{"looking_for": a.criteria, "since": _iso(a.created_at)} for a in job_alerts.candidate_alerts(firm, c)]
    answers = [
        {"asked_at": _iso(r.asked_at), "score": r.score, "comment": r.comment, "answered_at": _iso(r.answered_at)}
        for r in surveys.answers_of(c)
    ]
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
        "conversation": _conversation(c),
        "interests": interests,
        "updates_you_sent": updates,
        "applications": applications.for_export(c),
        "saved_searches": alerts,
        "survey_answers": answers,
    }


def _conversation(candidate: Candidate) -> list[dict[str, Any]]:
    """What the candidate wrote to the firm and the recruiters' replies, oldest first; each
    file by the name it has in the zip (conversation/<message id>-<name>)."""
    names = {
        uid: name
        for uid, name in db.session.execute(
            select(User.id, User.name)
            .join(ConversationMessage, ConversationMessage.author_user_id == User.id)
            .where(ConversationMessage.candidate_id == candidate.id)
        )
    }
    return [
        {
            "date": _iso(p.created_at),
            # Translators: in the candidate's data export: who wrote a message ("you", or a recruiter's name).
            "from": _("you")
            if p.author == Author.CANDIDATE
            else (names.get(p.author_user_id or 0) or _("a recruiter")),
            "by": str(POST_SOURCES.get(p.source.value, p.source.value)),
            "text": p.body,
            "answered_at": _iso(p.answered_at) if p.author == Author.CANDIDATE else None,
            "files": [_file_name(p, a) for a in p.attachments],
        }
        for p in _posts(candidate)
    ]


def _posts(candidate: Candidate) -> list[ConversationMessage]:
    return list(
        db.session.scalars(
            select(ConversationMessage)
            .where(ConversationMessage.candidate_id == candidate.id)
            .options(selectinload(ConversationMessage.attachments))
            .order_by(ConversationMessage.created_at, ConversationMessage.id)
        )
    )


def _file_name(post: ConversationMessage, attachment: ConversationAttachment) -> str:
    return f"conversation/{post.id}-{attachment.id}-{attachment.filename}"


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
        for post in _posts(candidate):
            for attachment in post.attachments:
                data = storage.load(attachment.storage_key)
                if data is not None:
                    zf.writestr(_file_name(post, attachment), data)
    return buf.getvalue()
