"""My data: export everything the candidate may see, and delete the account.

The export never contains internal notes, recruiters' own tags or anyone else's data. Deletion
erases or anonymises the person's data, closes their open candidacies (reason: withdrew) without
emailing the erased address, tells the recruiters, and audits only the candidate's id."""

from __future__ import annotations

from sqlalchemy import delete, or_, select, update

from portal import storage
from portal.extensions import db
from portal.i18n import gettext as _
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
    ConversationAttachment,
    ConversationMessage,
    Debrief,
    Feedback,
    Firm,
    HeldMail,
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
from portal.services import DomainError, applications, recruiter_profile, surveys
from portal.services import cv as cv_service
from portal.services.data_export import export_data, export_json, export_zip  # noqa: F401  (the rights, in one place)
from portal.services.keep_in_touch import recruiters_to_tell, tell_recruiters

DELETED_NAME = "Deleted candidate"
ERASED = "[erased: the candidate deleted their account]"


def _erase_recruiter_messages(cid: int, candidacy_ids: list[int]) -> None:
    """Messages to recruiters that named this candidate (their updates, referrals, interests,
    profile changes, consent answers and conversation messages), found by their dedupe keys, lose the text."""
    update_ids = db.session.scalars(select(CandidateUpdate.id).where(CandidateUpdate.candidate_id == cid)).all()
    consent_ids = (
        db.session.scalars(select(Consent.id).where(Consent.candidacy_id.in_(candidacy_ids))).all()
        if candidacy_ids
        else []
    )
    post_ids = db.session.scalars(select(ConversationMessage.id).where(ConversationMessage.candidate_id == cid)).all()
    prefixes = [f"interest:{cid}:"] + [f"conversation:{pid}:" for pid in post_ids]
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


def _erase_conversation(cid: int) -> None:
    """Their conversation: every message both ways, the files they attached (removed from the
    storage once the erasure is committed) and inbound mail held for a recruiter's check."""
    keys: list[str] = list(
        db.session.scalars(
            select(ConversationAttachment.storage_key)
            .join(ConversationMessage, ConversationMessage.id == ConversationAttachment.conversation_message_id)
            .where(ConversationMessage.candidate_id == cid)
        )
    )
    keys += [
        k for k in db.session.scalars(select(HeldMail.raw_key).where(HeldMail.candidate_id == cid)) if k is not None
    ]
    for key in keys:
        storage.delete_after_commit(key)
    posts = select(ConversationMessage.id).where(ConversationMessage.candidate_id == cid)
    db.session.execute(
        delete(ConversationAttachment)
        .where(ConversationAttachment.conversation_message_id.in_(posts))
        .execution_options(synchronize_session=False)
    )
    # Replies point at the messages they answer: unlink them first (SQLite may not cascade).
    db.session.execute(
        update(ConversationMessage)
        .where(ConversationMessage.candidate_id == cid)
        .values(in_reply_to_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(ConversationMessage)
        .where(ConversationMessage.candidate_id == cid)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(HeldMail).where(HeldMail.candidate_id == cid).execution_options(synchronize_session=False)
    )


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
        raise DomainError(_("This account has already been deleted."))
    if user is None and candidate.user_id is not None:
        user = db.session.get(User, candidate.user_id)
    if password is not None and (user is None or not user.check_password(password)):
        raise WrongPassword(_("That password is not right."))
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
    surveys.erase_for(cid, utcnow())  # their comments go; the scores stay as anonymous figures

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
    _erase_conversation(cid)
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

    # The person: every file of theirs (the CV, their conversations' attachments, mail held for
    # them), skills and tags go; every personal field is emptied.
    cv_service.delete_cv(candidate)  # the conversation's files went with it (_erase_conversation)
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
        if user.photo_key:  # staff only have photos; never left behind
            recruiter_profile.forget_photo(user)
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
