"""Nurture for the talent pool: new matching roles for people not in an active search, at their
interval, never the same role twice, nothing when nothing new matches; and the "is your
availability still accurate?" prompt every `availability_prompt_weeks`.

Both are optional streams: they respect the candidate's choices here and again at send time,
and count towards the weekly limit of optional emails. Nothing here sends (the worker does).

Each email is rendered in its candidate's language and zone; the reasons a role fits are
portal.phrases sentences (data), so an email rendered again at send time says them in the
candidate's language then."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    OPEN_STAGES,
    Audience,
    Candidacy,
    Candidate,
    CandidateSkill,
    Search,
    SuggestedRole,
    SuggestionFrequency,
)
from portal.outbox import (
    IN_CHUNK,
    EmailRenderer,
    insert_ignoring_duplicates,
    links,
    record_many,
    touch_candidates,
    unsubscribe_url,
)
from portal.phrases import lazy as _l
from portal.services import cadence, matching
from portal.services.cadence import ACTIVE_SEARCH_STATES, endpoint_url, local_day, with_domains

FREQUENCY = {SuggestionFrequency.WEEKLY: timedelta(days=7), SuggestionFrequency.MONTHLY: timedelta(days=28)}
SLACK = timedelta(hours=12)  # runs are weekly: "weekly" must not slip to fortnightly
ROLES_PER_MESSAGE = 5


def _in_active_search(firm) -> set[int]:
    """Candidates with an open candidacy in an open or on-hold search (one set-based query;
    not a correlated subquery, which SQLite without statistics may run through the firm_id
    index for every candidate)."""
    return set(
        db.session.scalars(
            select(Candidacy.candidate_id)
            .join(Search, Search.id == Candidacy.search_id)
            .where(
                Candidacy.firm_id == firm.id, Candidacy.stage.in_(OPEN_STAGES), Search.state.in_(ACTIVE_SEARCH_STATES)
            )
            .distinct()
        )
    )


def _with_skills(firm) -> set[int]:
    return set(
        db.session.scalars(select(CandidateSkill.candidate_id).where(CandidateSkill.firm_id == firm.id).distinct())
    )


# ---------------------------------------------------------------- matching


def suggestions(firm, candidate_ids: list[int], limit: int = ROLES_PER_MESSAGE) -> dict[int, list]:
    """New roles for each candidate (matching.Match objects, best first), from the matching
    service, leaving out roles already suggested. The service scores one candidate at a
    time (a few queries each); candidates and what they were shown are loaded in bulk."""
    out: dict[int, list] = {}
    for i in range(0, len(candidate_ids), IN_CHUNK):
        chunk = candidate_ids[i : i + IN_CHUNK]
        seen = defaultdict(set)
        for cid, sid in db.session.execute(
            select(SuggestedRole.candidate_id, SuggestedRole.search_id).where(
                SuggestedRole.firm_id == firm.id, SuggestedRole.candidate_id.in_(chunk)
            )
        ):
            seen[cid].add(sid)
        for cand in db.session.scalars(select(Candidate).where(Candidate.id.in_(chunk)).order_by(Candidate.id)):
            found = matching.roles_for_candidate(firm, cand, limit, exclude_search_ids=seen[cand.id])
            if found:
                out[cand.id] = found
    return out


# ---------------------------------------------------------------- nurture


def _chunks(rows: list, checkpoint: Callable[[], None] | None):
    """The rows in chunks of cadence.CHUNK_CANDIDATES, `checkpoint()` after each, when given
    (the worker's plan: short write transactions); else all at once."""
    size = cadence.CHUNK_CANDIDATES if checkpoint else max(len(rows), 1)
    for i in range(0, len(rows), size):
        yield rows[i : i + size]
        if checkpoint:
            checkpoint()


def plan_nurture(firm, now: datetime, checkpoint: Callable[[], None] | None = None) -> int:
    """New matching roles for passive talent-pool members who want them. Returns how many
    messages were written. Idempotent: the roles are remembered (SuggestedRole) and the
    candidate's last_nurtured_at moves on only when something was sent (in the same
    transaction; with `checkpoint`, called after each chunk of candidates: one short
    transaction per chunk)."""
    week_cutoff = now - FREQUENCY[SuggestionFrequency.WEEKLY] + SLACK
    month_cutoff = now - FREQUENCY[SuggestionFrequency.MONTHLY] + SLACK
    pool = db.session.execute(
        select(
            Candidate.id,
            Candidate.name,
            Candidate.email,
            Candidate.user_id,
            Candidate.suggestion_frequency,
            Candidate.last_nurtured_at,
            Candidate.unsubscribe_token,
            Candidate.language,
            Candidate.timezone,
        )
        .where(
            Candidate.firm_id == firm.id,
            Candidate.deleted_at.is_(None),
            Candidate.unsubscribed_all.is_(False),
            Candidate.suggestion_frequency.in_([SuggestionFrequency.WEEKLY, SuggestionFrequency.MONTHLY]),
            (Candidate.last_nurtured_at.is_(None)) | (Candidate.last_nurtured_at < week_cutoff),
            (Candidate.email.is_not(None)) | (Candidate.user_id.is_not(None)),
        )
        .order_by(Candidate.id)
    ).all()
    if not pool:
        return 0
    busy, skilled = _in_active_search(firm), _with_skills(firm)
    pool = [
        c
        for c in pool
        if c.id in skilled
        and c.id not in busy
        and (
            c.suggestion_frequency == SuggestionFrequency.WEEKLY
            or c.last_nurtured_at is None
            or c.last_nurtured_at < month_cutoff
        )
    ]
    if not pool:
        return 0
    found = suggestions(firm, [c.id for c in pool])
    if not found:
        return 0
    with_domains(firm)
    renderer = EmailRenderer(firm, "nurture_roles", reply=True)
    portal_url = endpoint_url(firm, "candidate.roles", "candidate.home")
    role_urls: dict[int, str] = {}  # each role's own link (portal.outbox.links), built once
    day = local_day(firm, now)
    rows, picked = [], {}
    for c in pool:
        matches = found.get(c.id)
        if not matches:
            continue
        picked[c.id] = [m.search.id for m in matches]
        subject, text, html = renderer.render(
            language=c.language,
            zone=c.timezone,
            candidate_name=c.name,
            to_name=c.name,
            roles=[_role_view(firm, m, role_urls) for m in matches],
            portal_url=portal_url if c.user_id else None,
            unsubscribe_url=unsubscribe_url(firm, c.unsubscribe_token),
        )
        rows.append(
            {
                "dedupe_key": f"nurture:{c.id}:{day}",
                "to_email": c.email,
                "to_name": c.name,
                "candidate_id": c.id,
                "subject": subject,
                "body_text": text,
                "body_html": html,
            }
        )
    written = 0
    for chunk in _chunks(rows, checkpoint):
        created = record_many(firm, chunk, kind="nurture_roles", audience=Audience.CANDIDATE, stream="nurture")
        sent_to = [cid for _, cid in created if cid is not None]  # (every row names its candidate)
        _remember_suggestions(firm, {cid: picked[cid] for cid in sent_to}, now)
        touch_candidates(firm, sent_to, "last_nurtured_at", now)
        written += len(created)
    return written


def _role_view(firm, match, urls: dict[int, str]) -> dict:
    search = match.search
    if search.id not in urls:
        urls[search.id] = links.role(firm, search.id)
    return {
        "url": urls[search.id],
        "title": search.title,
        # Translators: shown instead of a confidential client's name
        "client": _l("Confidential client") if search.confidential else search.client.name,
        "location": search.location,
        "remote": search.remote_policy,  # the template says its label
        "anticipated": bool(search.anticipated),
        "why": match.candidate_reasons()[:2],  # sentences kept as data (portal.phrases)
    }


def _remember_suggestions(firm, picked: dict[int, list[int]], now: datetime) -> None:
    rows = [
        {"firm_id": firm.id, "candidate_id": cid, "search_id": sid, "created_at": now}
        for cid, sids in picked.items()
        for sid in sids
    ]
    if not rows:
        return
    table = SuggestedRole.__table__
    stmt = insert_ignoring_duplicates(table, ["firm_id", "candidate_id", "search_id"])
    for i in range(0, len(rows), 1000):
        db.session.execute(stmt, rows[i : i + 1000])


# ---------------------------------------------------------------- availability prompts


def plan_availability_prompts(firm, now: datetime, checkpoint: Callable[[], None] | None = None) -> int:
    """ "Is your availability still accurate?" for everyone with a portal login whose
    profile was neither confirmed nor changed in `availability_prompt_weeks`, at most once
    per that period, if they allow it. With `checkpoint`, called after each chunk: one short
    transaction per chunk."""
    period = timedelta(weeks=max(int(firm.availability_prompt_weeks or 12), 1))
    cutoff = now - period + SLACK
    rows = db.session.execute(
        select(
            Candidate.id,
            Candidate.name,
            Candidate.email,
            Candidate.unsubscribe_token,
            Candidate.job_seeking,
            Candidate.available_from,
            Candidate.profile_confirmed_at,
            Candidate.language,
            Candidate.timezone,
        )
        .where(
            Candidate.firm_id == firm.id,
            Candidate.deleted_at.is_(None),
            Candidate.unsubscribed_all.is_(False),
            Candidate.allow_availability_prompts.is_(True),
            Candidate.user_id.is_not(None),
            Candidate.created_at < cutoff,
            (Candidate.profile_confirmed_at.is_(None)) | (Candidate.profile_confirmed_at < cutoff),
            (Candidate.availability_changed_at.is_(None)) | (Candidate.availability_changed_at < cutoff),
            (Candidate.last_availability_prompt_at.is_(None)) | (Candidate.last_availability_prompt_at < cutoff),
        )
        .order_by(Candidate.id)
    ).all()
    if not rows:
        return 0
    with_domains(firm)
    renderer = EmailRenderer(firm, "availability_prompt")
    profile_url = links.availability(firm)
    day = local_day(firm, now)
    out = []
    for c in rows:
        subject, text, html = renderer.render(
            language=c.language,  # the candidate's (the worker renders it again if that changed)
            zone=c.timezone,
            candidate_name=c.name,
            to_name=c.name,
            job_seeking=c.job_seeking,  # its label in the email's language
            available_from=c.available_from,
            confirmed_at=c.profile_confirmed_at,
            profile_url=profile_url,
            weeks=int(period.days // 7),
            unsubscribe_url=unsubscribe_url(firm, c.unsubscribe_token),
        )
        out.append(
            {
                "dedupe_key": f"availability:{c.id}:{day}",
                "to_email": c.email,
                "to_name": c.name,
                "candidate_id": c.id,
                "subject": subject,
                "body_text": text,
                "body_html": html,
            }
        )
    written = 0
    for chunk in _chunks(out, checkpoint):
        created = record_many(
            firm, chunk, kind="availability_prompt", audience=Audience.CANDIDATE, stream="availability"
        )
        touch_candidates(firm, [cid for _, cid in created], "last_availability_prompt_at", now)
        written += len(created)
    return written
