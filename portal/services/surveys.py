"""The candidate-experience survey: one question ("How well did we keep you informed?", 0 to
10) and an optional comment, asked after a close-the-loop message, a placement and a held
interview (issue 23, point 3).

Asking (the worker's periodic plan, `plan_surveys`, every tick): an occasion between ASK_AFTER
and ASK_UNTIL old gets one `experience_survey` email through the outbox, on the optional
"survey" stream (so the one-click unsubscribe, the weekly limit of optional emails and the
send-time checks apply). A candidate is asked at most once per EVERY, across occasions: the
candidate's `surveyed_at` is claimed with a conditional UPDATE, so two planners running at once
ask once. Never asked: a deleted, unsubscribed or suppressed candidate, one without an email
address, or one who turned surveys off (`Candidate.survey_emails`, on the settings page).

The link: a random token, only its hash kept (SurveyResponse.token_hash). The stored email
holds TOKEN_MARK where the token goes; the worker mints the token when it sends
(`mint_for_send`), puts it only into the email handed to SMTP, and stores its hash with the
outcome (`store_minted`), so neither a staff page nor the row can answer for the candidate.
The link works LIFETIME from that send.

Answering (the public page /survey/<token>): GET shows the question and records nothing (link
scanners open links); POST records the score and comment. The candidate may change the answer
until the link expires. Plain functions: they flush, never commit.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update

from portal import outbox
from portal.extensions import db
from portal.i18n import gettext as _
from portal.i18n import lazy as _l
from portal.models import (
    Candidacy,
    Candidate,
    Firm,
    Interview,
    InterviewOutcome,
    Message,
    MessageState,
    Search,
    Stage,
    StageChange,
    SurveyResponse,
    utcnow,
)
from portal.services import DomainError, NotFound, interview_feedback, recruiter_profile
from portal.services.text import clean_text
from portal.web.templating import external_url

SURVEY_KIND = "experience_survey"
SURVEY_STREAM = "survey"
CLOSE_KIND = "candidacy_closed"  # the close-the-loop message (services/pipeline_messages.py)
# Translators: the experience survey's one question to a candidate, answered with a score from 0 to 10.
QUESTION = _l("How well did we keep you informed?")
SCORES = tuple(range(11))
ASK_AFTER = timedelta(days=1)  # asked the day after the occasion (the news has sunk in)
ASK_UNTIL = timedelta(days=7)  # never for an older occasion (a late or missed run asks nothing stale)
EVERY = timedelta(days=30)  # at most one survey per candidate in this time, across occasions
LIFETIME = timedelta(days=30)  # the links work this long from the send
MAX_COMMENT = 2_000
NO_SURVEY_EMAILS = "the candidate asked for no surveys"
# Where the token goes in the stored email (URL-safe, so it sits inside the links as they are):
# the worker puts the real token there in the email it hands to SMTP, and nowhere else.
TOKEN_MARK = "survey-link-made-when-sent"
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")  # secrets.token_urlsafe(32) is 43 characters


class SurveyClosed(DomainError):
    """The link expired: the answer can no longer be given or changed."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_url(firm: Firm, token: str, score: int | None = None) -> str:
    url = external_url(firm, "candidate.survey", token=token)
    return url if score is None else f"{url}?score={score}"


# ---------------------------------------------------------------- asking


@dataclass(frozen=True)
class Occasion:
    kind: str  # closed, placed, interview
    at: datetime
    ref: int  # the close message's candidacy change, the placement's stage change, the interview
    candidate_id: int
    candidacy_id: int
    search_id: int
    interview_id: int | None = None
    recruiter_id: int | None = None


def _can_be_asked(now: datetime):
    """SQL (on Candidate): may be sent a survey now."""
    return (
        Candidate.deleted_at.is_(None),
        Candidate.email.is_not(None),
        Candidate.email != "",
        Candidate.email_suppressed.is_(False),
        Candidate.unsubscribed_all.is_(False),
        Candidate.survey_emails.is_(True),
        or_(Candidate.surveyed_at.is_(None), Candidate.surveyed_at <= now - EVERY),
    )


def occasions(firm: Firm, now: datetime) -> list[Occasion]:
    """The occasions ripe for a survey now (between ASK_AFTER and ASK_UNTIL old), of candidates
    who may be asked, oldest first. Three statements."""
    newest, oldest = now - ASK_AFTER, now - ASK_UNTIL
    found: list[Occasion] = []
    # A close-the-loop message that went out, on a candidacy still closed (not reopened).
    closed = db.session.execute(
        select(Message.id, Message.sent_at, Candidacy.candidate_id, Candidacy.id, Candidacy.search_id)
        .join(Candidacy, Candidacy.id == Message.candidacy_id)
        .join(Candidate, Candidate.id == Candidacy.candidate_id)
        .where(
            Message.kind == CLOSE_KIND,
            Message.state == MessageState.SENT,
            Message.sent_at > oldest,
            Message.sent_at <= newest,
            Candidacy.stage == Stage.CLOSED,
            *_can_be_asked(now),
        )
    ).all()
    found += [Occasion("closed", r[1], r[0], r[2], r[3], r[4]) for r in closed if r[1] is not None]
    # A placement that stands (not undone, the candidacy still placed).
    placed = db.session.execute(
        select(StageChange.id, StageChange.created_at, Candidacy.candidate_id, Candidacy.id, Candidacy.search_id)
        .join(Candidacy, Candidacy.id == StageChange.candidacy_id)
        .join(Candidate, Candidate.id == Candidacy.candidate_id)
        .where(
            StageChange.to_stage == Stage.PLACED,
            StageChange.undone_at.is_(None),
            StageChange.created_at > oldest,
            StageChange.created_at <= newest,
            Candidacy.stage == Stage.PLACED,
            *_can_be_asked(now),
        )
    ).all()
    found += [Occasion("placed", r[1], r[0], r[2], r[3], r[4]) for r in placed]
    # An interview held (scheduled, over, not marked as not having taken place).
    held = db.session.execute(
        select(Interview, Candidacy.search_id)
        .join(Candidacy, Candidacy.id == Interview.candidacy_id)
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .where(
            *interview_feedback.held_conditions(newest),
            Interview.starts_at > oldest - timedelta(days=1),
            or_(Interview.outcome.is_(None), Interview.outcome != InterviewOutcome.DID_NOT_TAKE_PLACE),
            *_can_be_asked(now),
        )
    ).all()
    for iv, search_id in held:
        ends = iv.ends_at
        if ends is None or not oldest < ends <= newest or iv.candidacy_id is None:
            continue
        found.append(
            Occasion("interview", ends, iv.id, iv.candidate_id, iv.candidacy_id, search_id, iv.id, iv.recruiter_id)
        )
    found.sort(key=lambda o: (o.at, o.kind, o.ref))
    return found


def _claim_candidate(firm: Firm, candidate_id: int, now: datetime) -> bool:
    """Take this candidate's survey turn (at most one per EVERY): a conditional UPDATE, so of
    two planners running at once exactly one wins (the other's UPDATE matches no row)."""
    result = cast(
        "CursorResult[Any]",
        db.session.execute(
            update(Candidate)
            .where(
                Candidate.firm_id == firm.id,
                Candidate.id == candidate_id,
                or_(Candidate.surveyed_at.is_(None), Candidate.surveyed_at <= now - EVERY),
            )
            .values(surveyed_at=now)
            .execution_options(synchronize_session=False)
        ),
    )  # an UPDATE gives a CursorResult
    return result.rowcount == 1


def plan_surveys(firm: Firm, now: datetime | None = None) -> int:
    """Ask each candidate with a ripe occasion (at most one survey per EVERY). Idempotent: a
    repeated run finds the candidates asked already. Returns how many surveys were written."""
    now = now or utcnow()
    written = 0
    asked: set[int] = set()
    for occ in occasions(firm, now):
        if occ.candidate_id in asked or _asked_about(occ):
            continue
        asked.add(occ.candidate_id)
        if ask(firm, occ, now) is not None:
            written += 1
    return written


def _dedupe_key(occ: Occasion) -> str:
    return f"survey:{occ.kind}:{occ.ref}"


def _asked_about(occ: Occasion) -> bool:
    return db.session.scalar(select(Message.id).where(Message.dedupe_key == _dedupe_key(occ))) is not None


def ask(firm: Firm, occ: Occasion, now: datetime) -> SurveyResponse | None:
    """Write one survey for this occasion (the SurveyResponse and its email), if the candidate's
    survey turn is free; else None."""
    dedupe_key = _dedupe_key(occ)
    if _asked_about(occ):
        return None
    if not _claim_candidate(firm, occ.candidate_id, now):
        return None
    candidacy = db.session.get_one(Candidacy, occ.candidacy_id)
    candidate = db.session.get_one(Candidate, occ.candidate_id)
    db.session.refresh(candidate, ["surveyed_at"])
    search = db.session.get_one(Search, occ.search_id)
    recruiter_id = occ.recruiter_id
    if recruiter_id is None:
        recruiter = recruiter_profile.recruiter_for_candidacy(candidacy)
        recruiter_id = recruiter.id if recruiter is not None else None
    marked = survey_url(firm, TOKEN_MARK)
    msg = outbox.record_for_candidacy(
        firm,
        candidacy,
        kind=SURVEY_KIND,
        dedupe_key=dedupe_key,
        stream=SURVEY_STREAM,
        show_in_portal=False,  # its links are made when it is sent: a copy in the portal could not answer
        context={
            "question": QUESTION,
            "search": search,
            "occasion": occ.kind,
            "score_links": [(n, f"{marked}?score={n}") for n in SCORES],
            "comment_link": marked,
            "lifetime_days": LIFETIME.days,
            "unsubscribe_label": _l("Unsubscribe from surveys, check-ins and optional emails"),
        },
    )
    if occ.interview_id is not None:
        msg.interview_id = occ.interview_id
    response = SurveyResponse(
        firm_id=firm.id,
        candidate_id=candidate.id,
        candidacy_id=candidacy.id,
        search_id=search.id,
        recruiter_id=recruiter_id,
        interview_id=occ.interview_id,
        message_id=msg.id,
        occasion=occ.kind,
        # No token exists for this hash: the link is made (and its hash stored) when the email is sent.
        token_hash=hash_token(secrets.token_urlsafe(32)),
        asked_at=now,
        expires_at=now + LIFETIME,
    )
    db.session.add(response)
    db.session.flush()
    return response


# ---------------------------------------------------------------- the link, made at send time


@dataclass(frozen=True)
class MintedSurvey:
    """A survey link made for one send. `token` lives in memory only, until the email is built."""

    firm_id: int
    message_id: int
    token: str
    token_hash: str
    expires_at: datetime


def mint_for_send(firm_id: int, message_id: int, now: datetime) -> MintedSurvey:
    token = secrets.token_urlsafe(32)
    return MintedSurvey(firm_id, message_id, token, hash_token(token), now + LIFETIME)


def fill_links(text: str, html: str, minted: MintedSurvey) -> tuple[str, str]:
    """The email's text and HTML with the minted token where TOKEN_MARK stood."""
    return text.replace(TOKEN_MARK, minted.token), html.replace(TOKEN_MARK, minted.token)


def store_minted(minted: MintedSurvey) -> None:
    """Make the sent link work: its hash and expiry on the survey (in the transaction that
    records the send; a link whose send was never recorded never works)."""
    db.session.connection().execute(
        update(SurveyResponse)
        .where(SurveyResponse.firm_id == minted.firm_id, SurveyResponse.message_id == minted.message_id)
        .values(token_hash=minted.token_hash, expires_at=minted.expires_at)
    )


# ---------------------------------------------------------------- answering


def for_token(firm: Firm, token: str) -> SurveyResponse:
    """The survey of *this* firm behind a link (the query is filtered to the request's firm,
    so another firm's link is not found). NotFound for an unknown or malformed token."""
    if not token or not TOKEN_SHAPE.match(token):
        raise NotFound(_("This survey link is not valid."))
    found = db.session.scalar(
        select(SurveyResponse).where(SurveyResponse.firm_id == firm.id, SurveyResponse.token_hash == hash_token(token))
    )
    if found is None:
        raise NotFound(_("This survey link is not valid."))
    return found


def language_of(response: SurveyResponse) -> str | None:
    """The language the surveyed candidate chose (None: none, or the candidate is gone)."""
    if response.candidate_id is None:
        return None
    return db.session.scalar(select(Candidate.language).where(Candidate.id == response.candidate_id))


def is_open(response: SurveyResponse, now: datetime | None = None) -> bool:
    return (now or utcnow()) < response.expires_at


def parse_score(value) -> int | None:
    """A score from a link's ?score= (None when absent or not 0-10: nothing is pre-selected)."""
    try:
        score = int(str(value))
    except (TypeError, ValueError):
        return None
    return score if score in SCORES else None


def answer(firm: Firm, token: str, score, comment: str | None, now: datetime | None = None) -> SurveyResponse:
    """Record (or change, until the link expires) the candidate's answer."""
    now = now or utcnow()
    response = for_token(firm, token)
    if not is_open(response, now):
        raise SurveyClosed(_("This survey has closed, so your answer could not be recorded. Thank you all the same."))
    value = parse_score(score)
    if value is None:
        raise DomainError(_("Please choose a score from 0 to 10."))
    text = clean_text(comment, _("Your comment"), MAX_COMMENT)
    response.score = value
    response.comment = text or None
    response.answered_at = now
    db.session.flush()
    return response


# ---------------------------------------------------------------- the candidate's rights


def answers_of(candidate: Candidate) -> list[SurveyResponse]:
    """The candidate's answered surveys (their data export)."""
    return list(
        db.session.scalars(
            select(SurveyResponse)
            .where(SurveyResponse.candidate_id == candidate.id, SurveyResponse.answered_at.is_not(None))
            .order_by(SurveyResponse.asked_at)
        )
    )


def erase_for(candidate_id: int, now: datetime) -> None:
    """A deleted account: their comments go, their links stop working, and the scores stay
    only as anonymous figures of the report (no longer tied to the person)."""
    db.session.execute(
        update(SurveyResponse)
        .where(SurveyResponse.candidate_id == candidate_id)
        .values(comment=None, candidate_id=None, expires_at=now)
        .execution_options(synchronize_session=False)
    )
