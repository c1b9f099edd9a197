""" "Needs attention": the recruiter's home. Who cannot be reached (first), new applications
(portal.services.new_applications), who is overdue, interviews owed feedback and debriefs,
consent requests waiting, candidates' answers about interviews, interested candidates,
candidate updates, availability changes, failed messages.

Each list is one query (plus one for its related rows) and is capped, so the page never costs
more as the firm grows. Scope "mine" is the recruiter's own searches and candidates; "firm" is
everyone's. It never writes: the one-click "handled" marks and additions to a search are
portal/services/dashboard_actions.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, literal, or_, select, union
from sqlalchemy.orm import Load, aliased, contains_eager

from portal.extensions import db
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
from portal.services import (
    contact,
    dashboard_interviews,
    dashboard_messages,
    interview_attention,
    new_applications,
    pipeline,
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


# What the lists show of a person and a search: the rest of these wide rows (profile texts,
# descriptions) stays in the database. raiseload turns a forgotten column into a test
# failure rather than a query per row.
def _brief_person(path):
    return path.load_only(
        Candidate.name,
        Candidate.owner_id,
        Candidate.last_contacted_at,
        Candidate.job_seeking,
        Candidate.availability_changed_at,
        Candidate.checkin_emails,
        raiseload=True,
    )


def _brief_search(path):
    return path.load_only(Search.title, Search.state, Search.owner_id, raiseload=True)


def _cap(rows: list, limit: int) -> Section:
    return Section(rows[:limit], len(rows) > limit)


def _days(now: datetime, then: datetime | None) -> int | None:
    return None if then is None else max((now - then).days, 0)


def needs_attention(firm: Firm, user: User, scope: str = "mine", section: str | None = None) -> Attention:
    """Every kind, the most urgent HOME_LIMIT of each; or, with `section`, one kind only
    (up to SECTION_LIMIT rows)."""
    mine = scope != "firm"
    now = utcnow()
    out = Attention(scope="mine" if mine else "firm", cadence_days=firm.cadence_days, section=section)
    limit = SECTION_LIMIT if section else HOME_LIMIT
    wanted = (section,) if section in SECTIONS else SECTIONS
    if "messages" in wanted:
        out.messages = Section(*dashboard_messages.waiting_messages(user, mine, now, limit))
    if "unreachable" in wanted:
        out.unreachable = _unreachable(user, mine, now, limit)
    if "applications" in wanted:
        rows, more = new_applications.new_applications(
            (lambda cid, sid: _mine(user, cid, sid)) if mine else None, now, limit
        )
        out.applications = Section(rows, more)
    if "overdue" in wanted:
        out.overdue = _overdue(firm, user, mine, now, limit)
    if "interview_feedback" in wanted:
        out.interview_feedback = Section(*interview_attention.feedback_owed(firm, user, mine, now, limit))
    if "debriefs" in wanted:
        out.debriefs = Section(*interview_attention.debriefs(user, mine, limit))
    if "consents" in wanted:
        out.consents = _consents(user, mine, now, limit)
    if "interview-answers" in wanted:
        out.interview_answers = Section(*dashboard_interviews.interview_answers(user, mine, limit))
    if "interests" in wanted:
        out.interests = _interests(user, mine, limit)
    if "updates" in wanted:
        out.updates = _updates(user, mine, limit)
        out.availability = _availability(user, mine, now, limit)
    if "failed" in wanted:
        out.failed = _failed(user, mine, now, limit)
    return out


# "Mine" is written as `candidate_id IN (my candidates) OR search_id IN (my searches)`: two
# small id sets, each read from an index once per statement, so every list below stays an
# ordered index walk that stops after `limit` rows. An OR across joined tables instead made
# the databases read every active candidacy (1.4 s at 100,000 candidates).


def _my_candidates(user: User):
    return select(Candidate.id).where(Candidate.owner_id == user.id)


def _my_searches(user: User):
    return select(Search.id).where(Search.owner_id == user.id)


def _mine(user: User, candidate_id_col, search_id_col):
    """A row filter, never an index lookup: `+ 0` keeps SQLite from turning the OR into
    index lookups per owned candidate (thousands) instead of walking the short ordered list."""
    return or_((candidate_id_col + 0).in_(_my_candidates(user)), (search_id_col + 0).in_(_my_searches(user)))


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


def _overdue_ids(user: User, is_overdue):
    """Ids of the overdue active candidates. "Mine" is the union of two small indexed sets
    (candidacies in my open searches; my own candidates) rather than one OR across both
    joins, which made the database read every active candidacy of the firm (1.4 s at
    100,000 candidates; see docs/PERFORMANCE.md)."""
    in_my_searches = (
        select(Candidacy.candidate_id)
        .join(Search, Search.id == Candidacy.search_id)
        .join(Candidate, Candidate.id == Candidacy.candidate_id)
        .where(
            Search.owner_id == user.id, Search.state == SearchState.OPEN, Candidacy.stage.in_(ACTIVE_STAGES), is_overdue
        )
    )
    my_candidates = select(Candidate.id).where(Candidate.owner_id == user.id, is_overdue, _is_active(Candidate.id))
    return union(in_my_searches, my_candidates)


def _overdue(firm: Firm, user: User, mine: bool, now: datetime, limit: int) -> Section:
    cutoff = now - timedelta(days=firm.cadence_days)
    is_overdue = and_(
        Candidate.deleted_at.is_(None), or_(Candidate.last_contacted_at.is_(None), Candidate.last_contacted_at < cutoff)
    )
    q = select(Candidate).options(_brief_person(Load(Candidate)))
    if mine:
        q = q.where(Candidate.id.in_(_overdue_ids(user, is_overdue)))
    else:
        # The whole firm: walk the candidates least recently contacted first and stop at the
        # first `limit` who are active (no set of every active candidacy is built).
        q = q.where(is_overdue, _is_active(Candidate.id))
    people = list(
        db.session.scalars(q.order_by(Candidate.last_contacted_at.asc().nulls_first(), Candidate.id).limit(limit + 1))
    )
    by_id: dict[int, list[Candidacy]] = {c.id: [] for c in people}
    if people:
        for cy in db.session.scalars(
            select(Candidacy)
            .join(Search, Search.id == Candidacy.search_id)
            .where(
                Candidacy.candidate_id.in_(by_id), Search.state == SearchState.OPEN, Candidacy.stage.in_(ACTIVE_STAGES)
            )
            .options(_brief_search(contains_eager(Candidacy.search)))
            .order_by(Candidacy.stage_changed_at)
        ).unique():
            by_id[cy.candidate_id].append(cy)
    return _cap([OverdueRow(c, _days(now, c.last_contacted_at), by_id[c.id]) for c in people], limit)


def _unreachable(user: User, mine: bool, now: datetime, limit: int) -> Section:
    """Candidates an update could not reach (failed, no address, address suppressed) and
    nobody reached since: longest first. A walk of the few marked candidates (indexed),
    plus one query for the update each of them missed."""
    q = (
        select(Candidate)
        .options(
            Load(Candidate).load_only(
                Candidate.name,
                Candidate.owner_id,
                Candidate.email,
                Candidate.email_suppressed,
                Candidate.unreachable_since,
                Candidate.last_contacted_at,
                raiseload=True,
            )
        )
        .where(Candidate.unreachable_since.is_not(None), Candidate.deleted_at.is_(None))
        .order_by(Candidate.unreachable_since, Candidate.id)
        .limit(limit + 1)
    )
    if mine:
        in_my_searches = (
            select(Candidacy.id)
            .join(Search, Search.id == Candidacy.search_id)
            .where(Candidacy.candidate_id == Candidate.id, Search.owner_id == user.id)
            .exists()
        )
        q = q.where(or_(Candidate.owner_id == user.id, in_my_searches))
    people = list(db.session.scalars(q))
    missed = contact.last_undelivered(c.id for c in people[:limit])
    rows = [
        UnreachableRow(
            c, contact.unreachable_reason(c, missed.get(c.id)), missed.get(c.id), _days(now, c.unreachable_since) or 0
        )
        for c in people
    ]
    return _cap(rows, limit)


def _consents(user: User, mine: bool, now: datetime, limit: int) -> Section:
    # The candidacy test is a correlated scalar subquery, evaluated per waiting request while
    # the requests are walked oldest first: as a join (or EXISTS), PostgreSQL hashed every
    # candidacy of the firm instead (100+ ms at 300,000 candidacies; 17 ms walked).
    cy = aliased(Candidacy)
    ended = [st for st in Stage if st not in OPEN_STAGES]
    rules = [cy.id == Consent.candidacy_id, cy.stage.not_in(ended)]
    if mine:
        rules.append(_mine(user, cy.candidate_id, cy.search_id))
    still_open = select(literal(1)).where(*rules).correlate(Consent).scalar_subquery()
    q = (
        select(Consent, Candidacy)
        .join(Candidacy, Candidacy.id == Consent.candidacy_id)
        .join(Search, Search.id == Candidacy.search_id)
        .join(Candidate, Candidate.id == Candidacy.candidate_id)
        .where(Consent.state == ConsentState.REQUESTED, still_open.is_not(None))
        .options(_brief_search(contains_eager(Candidacy.search)), _brief_person(contains_eager(Candidacy.candidate)))
        .order_by(Consent.requested_at, Consent.id)
        .limit(limit + 1)
    )
    rows = [
        ConsentRow(consent, cy_, _days(now, consent.requested_at) or 0)
        for consent, cy_ in db.session.execute(q).unique()
    ]
    return _cap(rows, limit)


def _interests(user: User, mine: bool, limit: int) -> Section:
    q = (
        select(Interest)
        .join(Interest.candidate)
        .join(Interest.search)
        .where(Interest.handled_at.is_(None), Candidate.deleted_at.is_(None))
        .options(_brief_person(contains_eager(Interest.candidate)), _brief_search(contains_eager(Interest.search)))
        .order_by(Interest.created_at, Interest.id)
        .limit(limit + 1)
    )
    if mine:
        q = q.where(_mine(user, Interest.candidate_id, Interest.search_id))
    return _cap(list(db.session.scalars(q).unique()), limit)


def _updates(user: User, mine: bool, limit: int) -> Section:
    q = (
        select(CandidateUpdate)
        .join(CandidateUpdate.candidate)
        .where(CandidateUpdate.handled_at.is_(None))
        .options(_brief_person(contains_eager(CandidateUpdate.candidate)))
        .order_by(CandidateUpdate.created_at, CandidateUpdate.id)
        .limit(limit + 1)
    )
    if mine:
        q = q.where(_mine(user, CandidateUpdate.candidate_id, CandidateUpdate.search_id))
    return _cap(list(db.session.scalars(q).unique()), limit)


def _availability(user: User, mine: bool, now: datetime, limit: int) -> Section:
    """Candidates who changed their availability lately and whose change nobody handled yet
    (an unhandled availability update is listed under updates instead)."""
    handled_or_listed = exists().where(
        CandidateUpdate.candidate_id == Candidate.id,
        CandidateUpdate.kind == UpdateKind.AVAILABILITY,
        or_(CandidateUpdate.handled_at.is_(None), CandidateUpdate.handled_at >= Candidate.availability_changed_at),
    )
    q = (
        select(Candidate)
        .options(_brief_person(Load(Candidate)))
        .where(
            Candidate.availability_changed_at >= now - timedelta(days=AVAILABILITY_DAYS),
            Candidate.deleted_at.is_(None),
            ~handled_or_listed,
        )
        .order_by(Candidate.availability_changed_at.desc(), Candidate.id)
        .limit(limit + 1)
    )
    if mine:
        q = q.where(Candidate.owner_id == user.id)
    return _cap(list(db.session.scalars(q)), limit)


def _failed(user: User, mine: bool, now: datetime, limit: int) -> Section:
    q = (
        select(Message, Candidate)
        .outerjoin(Candidate, Candidate.id == Message.candidate_id)
        .options(
            Load(Message).load_only(
                Message.subject,
                Message.state,
                Message.to_name,
                Message.to_email,
                Message.created_at,
                Message.last_error,
                Message.candidate_id,
                raiseload=True,
            ),
            _brief_person(Load(Candidate)),
        )
        .where(Message.state == MessageState.FAILED, Message.created_at >= now - timedelta(days=FAILED_DAYS))
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(limit + 1)
    )
    if mine:
        q = q.where(or_((Message.candidate_id + 0).in_(_my_candidates(user)), Message.recipient_user_id + 0 == user.id))
    return _cap([(m, c) for m, c in db.session.execute(q)], limit)
