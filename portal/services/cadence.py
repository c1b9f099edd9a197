"""The cadence (promise 1): no active candidate goes longer than the firm's cadence
without an update. (Each recruiter's weekly digest of what needs them is
portal.services.cadence_digest.)

Time: the firm's check-in slot is its `checkin_weekday` at `checkin_hour` in its own time
zone (daily at that hour when the cadence is shorter than a week). At each slot, every
active candidate who would otherwise go longer than the cadence before the NEXT slot gets
one check-in listing each of their active searches. The hourly run also catches anyone
who would exceed the cadence before the next hourly run (a missed slot, a changed setting).

"Last heard" is `candidates.last_contacted_at`, kept by the outbox for every transactional
candidate-facing message (stage moves, feedback, check-ins ...). A candidacy starts the
clock when it is created, so a new candidate is not messaged the minute they are added.

What was planned is in the database, not in Redis: a check-in's dedupe key names the
candidate and the firm's check-in period (the week that starts at its weekly slot; the day,
with a daily slot), so running the planner again on any day of that period, after Redis
lost its "slot done" markers, writes nothing twice. A candidate who prefers no check-in
emails still gets the check-in in their portal (written as not emailed).
All planning is set-based: a handful of queries per firm, one bulk INSERT per chunk of
candidates, each chunk committed on its own by the caller's `checkpoint` (short write
transactions: on SQLite, a request or a second planner never waits long for the write lock).
The planners write through the outbox and never commit themselves. The firm's calendar
(slots, periods) is portal.services.cadence_clock.
"""

from __future__ import annotations

import functools
import time as clock
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import groupby
from typing import NamedTuple

from flask import current_app
from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import (
    OPEN_STAGES,
    Audience,
    Candidacy,
    Candidate,
    Client,
    Consent,
    Firm,
    Search,
    SearchState,
    Stage,
    User,
)
from portal.outbox import EmailRenderer, record_many, unsubscribe_url
from portal.services import candidate_interviews, recruiter_profile

# The firm's calendar (slots and periods), part of this module's API for the worker and nurture.
from portal.services.cadence_clock import (  # noqa: F401
    cadence_days,
    checkin_period,
    checkin_slots,
    daily_slots,
    local_day,
    tick_horizon,
    weekly_period,
    weekly_slots,
)
from portal.services.preferences import NO_CHECKIN_EMAILS
from portal.web.templating import external_url

ACTIVE_SEARCH_STATES = (SearchState.OPEN, SearchState.ON_HOLD)
# Open stages the candidate knows about: someone only "identified" has not been contacted
# yet, so hears nothing (the pipeline's rule too); the clock starts when they are told.
CHECKIN_STAGES = tuple(s for s in OPEN_STAGES if s is not Stage.IDENTIFIED)
CHUNK_CANDIDATES = 500  # messages written (and committed) per chunk ...
COMMIT_EVERY = 0.5  # ... or after this many seconds of rendering
TOKEN_MARK = "tokenmark0"  # stands for each candidate's unsubscribe token in a link


# ---------------------------------------------------------------- the firm and what is active


def load_firm(firm_id: int) -> Firm | None:
    return db.session.get(Firm, firm_id)


def with_domains(firm: Firm) -> Firm:
    """Load the firm's domains before writing links: emails use its own host."""
    firm.domains  # noqa: B018 - loads them; portal.web.templating.firm_base_url uses them once loaded
    return firm


def endpoint_url(firm: Firm, *endpoints: str, **values) -> str | None:
    """A link to the first of these pages that exists (other parts of the product add them)."""
    for endpoint in endpoints:
        if endpoint in current_app.view_functions:
            return external_url(firm, endpoint, **values)
    return None


def active_candidacy_filter():
    """Active: at an open stage the candidate knows about, in an open or on-hold search."""
    return (Candidacy.stage.in_(CHECKIN_STAGES), Search.state.in_(ACTIVE_SEARCH_STATES), Candidate.deleted_at.is_(None))


# ---------------------------------------------------------------- check-ins


class CheckinItem(NamedTuple):
    """One search in a check-in (hashable: equal items render the same; attribute access
    is Jinja's fast path, a dict key is its slow one). Data, not words: the email says them in
    its reader's language and zone (email/checkin.*), also when the worker renders it again."""

    title: str
    client: str | None  # None: a confidential client the candidate was not told
    stage: Stage
    unchanged: bool
    recruiter: str | None
    interview_at: datetime | None = None  # when the next interview starts


@functools.cache
def _checkin_query():
    """Built once per process (the planner runs every hour): bound to :firm_id, :threshold."""
    search_owner, candidate_owner = aliased(User), aliased(User)
    threshold = bindparam("threshold", type_=Candidate.last_contacted_at.type)
    return (
        select(
            Candidacy.candidate_id,
            Candidacy.id,
            Candidacy.stage,
            Candidacy.stage_changed_at,
            Candidacy.created_at,
            Search.title,
            Search.confidential,
            Client.name.label("client"),
            search_owner.name.label("search_owner"),
            candidate_owner.name.label("candidate_owner"),
            Candidate.name.label("name"),
            Candidate.email,
            Candidate.user_id,
            Candidate.last_contacted_at,
            Candidate.checkin_emails,
            Candidate.unsubscribe_token,
            Candidate.timezone.label("candidate_zone"),
            Candidate.language,
        )
        .join(Search, Search.id == Candidacy.search_id)
        .join(Client, Client.id == Search.client_id)
        .join(Candidate, Candidate.id == Candidacy.candidate_id)
        # The recruiter named is the one rule's (services/recruiter_profile.py): the search's
        # owner, else the candidate's, active staff only.
        .outerjoin(search_owner, and_(search_owner.id == Search.owner_id, recruiter_profile.usable_staff(search_owner)))
        .outerjoin(
            candidate_owner,
            and_(candidate_owner.id == Candidate.owner_id, recruiter_profile.usable_staff(candidate_owner)),
        )
        .where(
            Candidacy.firm_id == bindparam("firm_id"),
            *active_candidacy_filter(),
            or_(Candidate.last_contacted_at.is_(None), Candidate.last_contacted_at < threshold),
            # Not someone an update already failed to reach who still cannot be emailed: they
            # stand at the top of their recruiter's list instead (portal.services.contact).
            or_(
                Candidate.unreachable_since.is_(None),
                and_(Candidate.email.is_not(None), Candidate.email_suppressed.is_(False)),
            ),
        )
        .order_by(Candidacy.candidate_id, Candidacy.created_at, Candidacy.id)
    )


def plan_checkins(firm: Firm, now: datetime, *, horizon: datetime, checkpoint: Callable[[], None] | None = None) -> int:
    """One check-in for every active candidate who would go longer than the cadence
    without a message before `horizon`. Idempotent: one per candidate per check-in period
    (`checkin_period`), whatever Redis remembers. Returns how many were written.

    With `checkpoint` (the worker's plan; a batch that commits in steps so that no write
    transaction is long), the check-ins are written and checkpointed in chunks
    of CHUNK_CANDIDATES candidates or COMMIT_EVERY seconds of rendering, each chunk a short
    write transaction that a rerun after a crash repeats safely (the dedupe keys). The rows
    are read first, outside any write transaction."""
    threshold = horizon - timedelta(days=cadence_days(firm))
    rows = db.session.execute(_checkin_query(), {"firm_id": firm.id, "threshold": threshold}).all()
    if not rows:
        return 0
    # Candidacies whose client the candidate was shown (a consent request names it). A query
    # of its own, not a correlated subquery: without statistics SQLite may walk every
    # consent of the firm for each row through the firm_id index.
    told = set(db.session.scalars(select(Consent.candidacy_id).where(Consent.firm_id == firm.id).distinct()))
    with_domains(firm)
    renderer = EmailRenderer(firm, "checkin", fast=True, reply=True)
    portal_url = endpoint_url(firm, "candidate.home")
    period = checkin_period(firm, now)
    # Each email's own one-click link (stops check-in emails too): built once, the token filled in.
    unsubscribe = unsubscribe_url(firm, TOKEN_MARK)
    next_interview = candidate_interviews.next_by_candidacy(firm, now)
    out = []
    written = 0
    if checkpoint is not None:
        checkpoint()  # end the reads: each chunk's transaction starts with its write
    started = clock.monotonic()
    for candidate_id, candidate_rows in groupby(rows, key=lambda r: r.candidate_id):
        group = list(candidate_rows)
        if min(r.created_at for r in group) >= threshold:
            continue  # active only recently: the clock started with the candidacy
        first = group[0]
        items = tuple(
            CheckinItem(
                r.title,
                None if r.confidential and r.id not in told else r.client,
                r.stage,
                first.last_contacted_at is None or r.stage_changed_at <= first.last_contacted_at,
                r.search_owner or r.candidate_owner,
                next_interview.get(r.id),
            )
            for r in group
        )
        link = portal_url if first.user_id else None
        personal = {"candidate_name": first.name, "to_name": first.name}
        if unsubscribe and first.unsubscribe_token:
            personal["unsubscribe_url"] = unsubscribe.replace(TOKEN_MARK, first.unsubscribe_token)
        # Many candidates get the same items (same search, stage, recruiter): each distinct
        # check-in is rendered once per language and zone, the name (and link) filled in per
        # candidate. In the candidate's language and zone (the worker renders it again at send
        # time if their language changed by then).
        subject, text, html = renderer.render_shared(
            (items, link),
            personal,
            language=first.language,
            zone=first.candidate_zone if any(i.interview_at for i in items) else None,
            items=items,
            portal_url=link,
        )
        out.append(
            {
                "dedupe_key": f"checkin:{candidate_id}:{period}",
                "to_email": first.email,
                "to_name": first.name,
                "candidate_id": candidate_id,
                "candidacy_id": first.id if len(group) == 1 else None,
                "subject": subject,
                "body_text": text,
                "body_html": html,
                "skipped": None if first.checkin_emails else NO_CHECKIN_EMAILS,
            }
        )
        if checkpoint is not None and (len(out) >= CHUNK_CANDIDATES or clock.monotonic() - started >= COMMIT_EVERY):
            written += len(record_many(firm, out, kind="checkin", audience=Audience.CANDIDATE))
            checkpoint()
            out, started = [], clock.monotonic()
    written += len(record_many(firm, out, kind="checkin", audience=Audience.CANDIDATE))
    if checkpoint is not None:
        checkpoint()
    return written
