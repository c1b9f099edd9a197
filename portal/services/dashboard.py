""" "Needs attention": the recruiter's home. Who cannot be reached (first), new applications
(portal.services.new_applications), who is overdue, interviews owed feedback and debriefs,
consent requests waiting, candidates' answers about interviews, interested candidates,
candidate updates, availability changes, failed messages.

Each list is a capped walk of its rows' keys, and every list of the page is read by one
statement (portal/services/dashboard_query.py), so the page never costs more as the firm grows.
Scope "mine" is the recruiter's own searches and candidates; "firm" is everyone's. It never
writes: the one-click "handled" marks and additions to a search are
portal/services/dashboard_actions.py."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import Integer, and_, bindparam, exists, literal, or_, select, union
from sqlalchemy.orm import aliased

from portal.models import (
    OPEN_STAGES,
    Candidacy,
    Candidate,
    CandidateUpdate,
    Consent,
    ConsentState,
    Firm,
    Interest,
    Message,
    MessageState,
    Search,
    SearchState,
    Stage,
    UpdateKind,
    User,
    utcnow,
)
from portal.models.base import UTCDateTime
from portal.services import (
    contact,
    dashboard_interviews,
    dashboard_messages,
    interview_attention,
    new_applications,
    pipeline,
)
from portal.services.dashboard_query import (
    ASC,
    ASC_NULLS_FIRST,
    DESC,
    Arm,
    Built,
    Found,
    Walk,
    build,
    numbered,
    run,
    shared,
)
from portal.services.dashboard_rows import Attention, ConsentRow, OverdueRow, Section, UnreachableRow

# The home shows the most urgent few of each kind; "show all" lists one kind at a time.
# A small limit also lets each list be an ordered index walk that stops early.
HOME_LIMIT = 10
SECTION_LIMIT = 100
SECTIONS = (
    "messages",
    "unreachable",
    "applications",
    "overdue",
    "interview_feedback",
    "debriefs",
    "consents",
    "interview-answers",
    "interests",
    "updates",
    "failed",
)
AVAILABILITY_DAYS = 14
FAILED_DAYS = 30
# Stages at which the candidate knows they are in the search and is owed regular updates.
ACTIVE_STAGES = tuple(s for s in pipeline.CANDIDATE_KNOWS if s.is_open)


def _cap(rows: list, limit: int) -> Section:
    return Section(rows[:limit], len(rows) > limit)


def _days(now: datetime, then: datetime | None) -> int | None:
    return None if then is None else max((now - then).days, 0)


# The statement is built once per shape (scope and section) with these bound parameters and run
# with each request's values: building its walks (and SQLAlchemy's cache key of them) cost more
# CPU than running them. Every filter on the recruiter or the time below names one of these.
ME = bindparam("attention_me", type_=Integer)
NOW = bindparam("attention_now", type_=UTCDateTime())
OVERDUE_BEFORE = bindparam("attention_overdue_before", type_=UTCDateTime())
AVAILABLE_SINCE = bindparam("attention_available_since", type_=UTCDateTime())
FAILED_SINCE = bindparam("attention_failed_since", type_=UTCDateTime())
# Written into the statement, not bound: the failed messages' index is partial (state =
# 'failed'), and a plan can use it only where the statement names that condition (psycopg
# prepares a statement run five times, and PostgreSQL's generic plan knows no bound value).
FAILED_STATE = bindparam("attention_failed", MessageState.FAILED, type_=Message.state.type, literal_execute=True)


def needs_attention(firm: Firm, user: User, scope: str = "mine", section: str | None = None) -> Attention:
    """Every kind, the most urgent HOME_LIMIT of each; or, with `section`, one kind only
    (up to SECTION_LIMIT rows). One statement whatever the kinds and the data
    (portal/services/dashboard_query.py): each list below is a walk of its rows' keys."""
    mine = scope != "firm"
    now = utcnow()
    section = section if section in SECTIONS else None
    out = Attention(scope="mine" if mine else "firm", cadence_days=firm.cadence_days, section=section)
    limit = SECTION_LIMIT if section else HOME_LIMIT
    wanted = (section,) if section else SECTIONS
    found = run(
        _statement(mine, section),
        {
            ME.key: user.id,
            NOW.key: now,
            OVERDUE_BEFORE.key: now - timedelta(days=firm.cadence_days),
            AVAILABLE_SINCE.key: now - timedelta(days=AVAILABILITY_DAYS),
            FAILED_SINCE.key: now - timedelta(days=FAILED_DAYS),
        },
    )
    if "messages" in wanted:
        out.messages = _cap(dashboard_messages.waiting_rows(found["messages"], now), limit)
    if "unreachable" in wanted:
        out.unreachable = _cap(_unreachable_rows(found, now), limit)
    if "applications" in wanted:
        out.applications = _cap(new_applications.application_rows(found["applications"], now), limit)
    if "overdue" in wanted:
        out.overdue = _cap(_overdue_rows(found, now), limit)
    if "interview_feedback" in wanted:
        out.interview_feedback = _cap(interview_attention.feedback_rows(firm, found["interview_feedback"], now), limit)
    if "debriefs" in wanted:
        out.debriefs = _cap(interview_attention.debrief_rows(found["debriefs"]), limit)
    if "consents" in wanted:
        rows = [ConsentRow(f.item, f.candidacy, _days(now, f.item.requested_at) or 0) for f in found["consents"]]
        out.consents = _cap(rows, limit)
    if "interview-answers" in wanted:
        out.interview_answers = _cap(dashboard_interviews.answer_rows(found["interview-answers"]), limit)
    if "interests" in wanted:
        out.interests = _cap([f.item for f in found["interests"]], limit)
    if "updates" in wanted:
        out.updates = _cap([f.item for f in found["updates"]], limit)
        out.availability = _cap([f.candidate for f in found["availability"]], limit)
    if "failed" in wanted:
        out.failed = _cap([(f.item, f.candidate) for f in found["failed"]], limit)
    return out


@lru_cache(maxsize=len(SECTIONS) * 2 + 2)
def _statement(mine: bool, section: str | None) -> Built:
    """The one statement of the home (section None) or of one "show all", for a scope."""
    wanted = (section,) if section else SECTIONS
    # Each walk reads one row more than it shows: that row says whether there are more.
    n = (SECTION_LIMIT if section else HOME_LIMIT) + 1
    arms = []
    if "messages" in wanted:
        arms.append(numbered(dashboard_messages.waiting_walk(ME, mine, n)))
    if "unreachable" in wanted:
        arms += _unreachable_arms(mine, n)
    if "applications" in wanted:
        mine_filter = (lambda cid, sid: _mine(ME, cid, sid)) if mine else None
        arms.append(numbered(new_applications.applications_walk(mine_filter, n)))
    if "overdue" in wanted:
        arms += _overdue_arms(mine, n)
    if "interview_feedback" in wanted:
        arms.append(numbered(interview_attention.feedback_walk(ME, mine, NOW, n)))
    if "debriefs" in wanted:
        arms.append(numbered(interview_attention.debriefs_walk(ME, mine, n)))
    if "consents" in wanted:
        arms.append(numbered(_consents_walk(mine, n)))
    if "interview-answers" in wanted:
        arms.append(numbered(dashboard_interviews.answers_walk(ME, mine, n)))
    if "interests" in wanted:
        arms.append(numbered(_interests_walk(mine, n)))
    if "updates" in wanted:
        arms.append(numbered(_updates_walk(mine, n)))
        arms.append(numbered(_availability_walk(mine, n)))
    if "failed" in wanted:
        arms.append(numbered(_failed_walk(mine, n)))
    return build(arms)


# "Mine" is written as `candidate_id IN (my candidates) OR search_id IN (my searches)`: two
# small id sets, each read from an index once per statement, so every list below stays an
# ordered index walk that stops after `limit` rows. An OR across joined tables instead made
# the databases read every active candidacy (1.4 s at 100,000 candidates).


def _my_candidates(me):
    return select(Candidate.id).where(Candidate.owner_id == me)


def _my_searches(me):
    return select(Search.id).where(Search.owner_id == me)


def _mine(me, candidate_id_col, search_id_col):
    """A row filter, never an index lookup: `+ 0` keeps SQLite from turning the OR into
    index lookups per owned candidate (thousands) instead of walking the short ordered list."""
    return or_((candidate_id_col + 0).in_(_my_candidates(me)), (search_id_col + 0).in_(_my_searches(me)))


def _is_active(candidate_id_col):
    """The candidate has a candidacy the candidate knows about, in an open search."""
    return (
        select(Candidacy.id)
        .join(Search, Search.id == Candidacy.search_id)
        .where(
            Candidacy.candidate_id == candidate_id_col,
            Search.state == SearchState.OPEN,
            Candidacy.stage.in_(ACTIVE_STAGES),
        )
        .exists()
    )


def _overdue_ids(me, is_overdue):
    """Ids of the overdue active candidates. "Mine" is the union of two small indexed sets
    (candidacies in my open searches; my own candidates) rather than one OR across both
    joins, which made the database read every active candidacy of the firm (1.4 s at
    100,000 candidates; see docs/PERFORMANCE.md)."""
    in_my_searches = (
        select(Candidacy.candidate_id)
        .join(Search, Search.id == Candidacy.search_id)
        .join(Candidate, Candidate.id == Candidacy.candidate_id)
        .where(Search.owner_id == me, Search.state == SearchState.OPEN, Candidacy.stage.in_(ACTIVE_STAGES), is_overdue)
    )
    my_candidates = select(Candidate.id).where(Candidate.owner_id == me, is_overdue, _is_active(Candidate.id))
    return union(in_my_searches, my_candidates)


def _overdue_arms(mine: bool, n: int) -> list[Arm]:
    """The overdue active candidates, least recently contacted first, and their active
    candidacies (walked from the first, computed once as a CTE)."""
    is_overdue = and_(
        Candidate.deleted_at.is_(None),
        or_(Candidate.last_contacted_at.is_(None), Candidate.last_contacted_at < OVERDUE_BEFORE),
    )
    q = select(Candidate.id.label("candidate_id"))
    if mine:
        q = q.where(Candidate.id.in_(_overdue_ids(ME, is_overdue)))
    else:
        # The whole firm: walk the candidates least recently contacted first and stop at the
        # first `n` who are active (no set of every active candidacy is built).
        q = q.where(is_overdue, _is_active(Candidate.id))
    arm, people = shared(
        Walk("overdue", q, ((Candidate.last_contacted_at, ASC_NULLS_FIRST), (Candidate.id, ASC)), n), "overdue_people"
    )
    candidacies = (
        select(
            Candidacy.id.label("candidacy_id"),
            Candidacy.candidate_id.label("candidate_id"),
            Candidacy.search_id.label("search_id"),
        )
        .join(Search, Search.id == Candidacy.search_id)
        .where(
            Candidacy.candidate_id.in_(select(people.c.candidate_id)),
            Search.state == SearchState.OPEN,
            Candidacy.stage.in_(ACTIVE_STAGES),
        )
    )
    order = ((Candidacy.stage_changed_at, ASC), (Candidacy.id, ASC))
    return [arm, numbered(Walk("overdue_candidacies", candidacies, order, None))]


def _overdue_rows(found: dict[str, list[Found]], now: datetime) -> list[OverdueRow]:
    by_id: dict[int, list[Candidacy]] = {f.candidate.id: [] for f in found["overdue"]}
    for f in found["overdue_candidacies"]:
        by_id[f.candidacy.candidate_id].append(f.candidacy)
    return [
        OverdueRow(f.candidate, _days(now, f.candidate.last_contacted_at), by_id[f.candidate.id])
        for f in found["overdue"]
    ]


def _unreachable_arms(mine: bool, n: int) -> list[Arm]:
    """Candidates an update could not reach (failed, no address, address suppressed) and
    nobody reached since: longest first. A walk of the few marked candidates (indexed), and
    the update each of them missed (walked from the first, computed once as a CTE)."""
    q = select(Candidate.id.label("candidate_id")).where(
        Candidate.unreachable_since.is_not(None), Candidate.deleted_at.is_(None)
    )
    if mine:
        in_my_searches = (
            select(Candidacy.id)
            .join(Search, Search.id == Candidacy.search_id)
            .where(Candidacy.candidate_id == Candidate.id, Search.owner_id == ME)
            .exists()
        )
        q = q.where(or_(Candidate.owner_id == ME, in_my_searches))
    arm, people = shared(
        Walk("unreachable", q, ((Candidate.unreachable_since, ASC), (Candidate.id, ASC)), n), "unreachable_people"
    )
    missed = contact.undelivered_ids(select(people.c.candidate_id))
    missed_keys = select(missed.c.candidate_id.label("candidate_id"), missed.c.mid.label("item_id"))
    return [arm, numbered(Walk("missed", missed_keys, ((missed.c.mid, ASC),), None))]


def _unreachable_rows(found: dict[str, list[Found]], now: datetime) -> list[UnreachableRow]:
    missed = {f.item.candidate_id: f.item for f in found["missed"]}
    return [
        UnreachableRow(
            f.candidate,
            contact.unreachable_reason(f.candidate, missed.get(f.candidate.id)),
            missed.get(f.candidate.id),
            _days(now, f.candidate.unreachable_since) or 0,
        )
        for f in found["unreachable"]
    ]


def _consents_walk(mine: bool, n: int) -> Walk:
    # The waiting requests oldest first, from an index that also holds each request's
    # candidate and search (copied from its candidacy when it was made), so the "mine" test
    # skips other recruiters' requests in the index alone; only the requests that pass it read
    # their candidacy, to test that it is still open. That test is a correlated scalar
    # subquery, evaluated per request while the requests are walked: as a join (or EXISTS),
    # PostgreSQL hashed every candidacy of the firm instead (100+ ms at 300,000 candidacies).
    cy = aliased(Candidacy)
    ended = [st for st in Stage if st not in OPEN_STAGES]
    still_open = (
        select(literal(1))
        .where(cy.id == Consent.candidacy_id, cy.stage.not_in(ended))
        .correlate(Consent)
        .scalar_subquery()
    )
    q = select(
        Consent.id.label("item_id"),
        Consent.candidacy_id.label("candidacy_id"),
        Consent.search_id.label("search_id"),
        Consent.candidate_id.label("candidate_id"),
    ).where(Consent.state == ConsentState.REQUESTED)
    if mine:
        q = q.where(_mine(ME, Consent.candidate_id, Consent.search_id))
    q = q.where(still_open.is_not(None))
    return Walk("consents", q, ((Consent.requested_at, ASC), (Consent.id, ASC)), n)


def _interests_walk(mine: bool, n: int) -> Walk:
    q = (
        select(Interest.id.label("item_id"), Candidate.id.label("candidate_id"), Search.id.label("search_id"))
        .select_from(Interest)
        .join(Interest.candidate)
        .join(Interest.search)
        .where(Interest.handled_at.is_(None), Candidate.deleted_at.is_(None))
    )
    if mine:
        q = q.where(_mine(ME, Interest.candidate_id, Interest.search_id))
    return Walk("interests", q, ((Interest.created_at, ASC), (Interest.id, ASC)), n)


def _updates_walk(mine: bool, n: int) -> Walk:
    q = (
        select(CandidateUpdate.id.label("item_id"), Candidate.id.label("candidate_id"))
        .select_from(CandidateUpdate)
        .join(CandidateUpdate.candidate)
        .where(CandidateUpdate.handled_at.is_(None))
    )
    if mine:
        q = q.where(_mine(ME, CandidateUpdate.candidate_id, CandidateUpdate.search_id))
    return Walk("updates", q, ((CandidateUpdate.created_at, ASC), (CandidateUpdate.id, ASC)), n)


def _availability_walk(mine: bool, n: int) -> Walk:
    """Candidates who changed their availability lately and whose change nobody handled yet
    (an unhandled availability update is listed under updates instead)."""
    handled_or_listed = exists().where(
        CandidateUpdate.candidate_id == Candidate.id,
        CandidateUpdate.kind == UpdateKind.AVAILABILITY,
        or_(CandidateUpdate.handled_at.is_(None), CandidateUpdate.handled_at >= Candidate.availability_changed_at),
    )
    q = select(Candidate.id.label("candidate_id")).where(
        Candidate.availability_changed_at >= AVAILABLE_SINCE, Candidate.deleted_at.is_(None), ~handled_or_listed
    )
    if mine:
        q = q.where(Candidate.owner_id == ME)
    return Walk("availability", q, ((Candidate.availability_changed_at, DESC), (Candidate.id, ASC)), n)


def _failed_walk(mine: bool, n: int) -> Walk:
    q = (
        select(Message.id.label("item_id"), Candidate.id.label("candidate_id"))
        .select_from(Message)
        .outerjoin(Candidate, Candidate.id == Message.candidate_id)
        .where(Message.state == FAILED_STATE, Message.created_at >= FAILED_SINCE)
    )
    if mine:
        q = q.where(or_((Message.candidate_id + 0).in_(_my_candidates(ME)), Message.recipient_user_id + 0 == ME))
    return Walk("failed", q, ((Message.created_at, DESC), (Message.id, DESC)), n)
