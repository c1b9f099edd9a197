"""Needs attention in one statement, whatever the data (issue 24: at most 10 statements a page).

Each list on the page is a *walk*: its own ordered, capped walk of an index (the conditions,
order and cap each list had as its own statement), selecting only the keys of its rows. The
walks are put together with UNION ALL, each tagged with its kind and its rows numbered in its
own order, and the same statement loads the rows they name through outer joins on primary
keys: a few hundred rows at most, so the page costs the same with 1 or 100,000 rows behind a
list. A list that needs rows about another list's rows (the overdue people's candidacies, the
unreachable people's undelivered update) walks from that list as a common table expression,
which both databases compute once.

The lists' modules say what to walk and how to make the page's rows from what was loaded
(portal/services/dashboard.py and the dashboard_* modules); this module builds and runs the
statement. It only reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, and_, cast, func, literal_column, null, select, union_all
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Load, aliased, raiseload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql import Select

from portal.extensions import db
from portal.models import (
    Application,
    Candidacy,
    Candidate,
    CandidateUpdate,
    Consent,
    ConversationMessage,
    Debrief,
    Interest,
    Interview,
    Message,
    Search,
)

# The keys a walk may select (each labelled with its name); the rest are NULL for that walk.
# `item_id` is the id of the list's own row, in the table ITEMS names for its kind.
KEYS = ("candidate_id", "search_id", "candidacy_id", "interview_id", "item_id")

KINDS = (
    "messages",
    "unreachable",
    "missed",  # the latest update each unreachable person did not get
    "applications",
    "overdue",
    "overdue_candidacies",  # the overdue people's active candidacies
    "interview_feedback",
    "debriefs",
    "consents",
    "interview-answers",
    "interests",
    "updates",
    "availability",
    "failed",
)
_CODES = {kind: code for code, kind in enumerate(KINDS)}

ITEMS = {
    "messages": ConversationMessage,
    "missed": Message,
    "debriefs": Debrief,
    "consents": Consent,
    "interests": Interest,
    "updates": CandidateUpdate,
    "failed": Message,
}

# The columns any list shows of a person, a search, a message: the rest of these wide rows
# (profile texts, descriptions, message bodies) stays in the database, and raiseload turns a
# forgotten column into a test failure rather than a query per row.
PERSON_COLUMNS = (
    Candidate.name,
    Candidate.owner_id,
    Candidate.email,
    Candidate.email_suppressed,
    Candidate.unreachable_since,
    Candidate.last_contacted_at,
    Candidate.job_seeking,
    Candidate.availability_changed_at,
    Candidate.checkin_emails,
)
SEARCH_COLUMNS = (Search.title, Search.state, Search.owner_id)
MESSAGE_COLUMNS = (
    Message.subject,
    Message.state,
    Message.to_name,
    Message.to_email,
    Message.created_at,
    Message.last_error,
    Message.candidate_id,
)
POST_COLUMNS = (
    ConversationMessage.body,
    ConversationMessage.created_at,
    ConversationMessage.reply_due_at,
    ConversationMessage.candidate_id,
    ConversationMessage.candidacy_id,
    ConversationMessage.source,
)

ASC, DESC, ASC_NULLS_FIRST = "asc", "desc", "asc nulls first"


@dataclass(frozen=True)
class Walk:
    """One list's keys: `keys` selects some of KEYS (labelled), from the list's tables, with its
    conditions; its rows are taken in `order` ((column, ASC | DESC | ASC_NULLS_FIRST), the last
    one unique), the first `limit` of them (None: all, for a walk bounded by another one)."""

    kind: str
    keys: Select
    order: tuple
    limit: int | None


@dataclass
class Found:
    """What one walk's row named, loaded (None where the walk has no such key)."""

    candidate: Candidate | None
    search: Search | None
    candidacy: Candidacy | None
    interview: Interview | None
    item: Any  # the list's own row: ITEMS[kind]
    application_note: str | None = None  # "applications": the application behind the candidacy
    referred_by: str | None = None


def _ordered(column, how: str):
    if how == DESC:
        return column.desc()
    if how == ASC_NULLS_FIRST:
        return column.asc().nulls_first()
    return column.asc()


def numbered(walk: Walk) -> Select:
    """The walk as one arm of the union: (kind, pos, *KEYS), pos counting from 1 in its order.
    The walk keeps its own ORDER BY and LIMIT inside (the index walk that stops early); the
    numbering runs over those few rows only."""
    order = [column.label(f"o{i}") for i, (column, _) in enumerate(walk.order)]
    inner = walk.keys.add_columns(*order).order_by(*(_ordered(c, how) for c, how in walk.order))
    if walk.limit is not None:
        inner = inner.limit(walk.limit)
    sub = inner.subquery()
    pos = func.row_number().over(order_by=[_ordered(sub.c[f"o{i}"], how) for i, (_, how) in enumerate(walk.order)])
    return select(
        literal_column(str(_CODES[walk.kind]), Integer).label("kind"),
        pos.label("pos"),
        *(sub.c[k] if k in sub.c else cast(null(), Integer).label(k) for k in KEYS),
    )


def _link(obj, **related) -> None:
    """Set obj's many-to-one relationships to the rows loaded beside it (the page reads
    `interest.search.title`, `candidacy.candidate.name` ...): without it each would be a lazy
    load, a statement per row."""
    if obj is None:
        return
    relationships = sa_inspect(obj).mapper.relationships
    for name, target in related.items():
        if target is not None and name in relationships and obj.__dict__.get(f"{name}_id") == target.id:
            set_committed_value(obj, name, target)


def load(arms: list[Select]) -> dict[str, list[Found]]:
    """Run the walks (`numbered` arms, or `select(cte)` of one made a CTE) as one statement;
    each kind's rows in its order."""
    keys = (union_all(*arms) if len(arms) > 1 else arms[0]).subquery("attention")
    referrer = aliased(Candidate)
    items = list(dict.fromkeys(ITEMS.values()))
    q = (
        select(
            keys.c.kind, keys.c.pos, Candidate, Search, Candidacy, Interview, *items, Application.note, referrer.name
        )
        .select_from(keys)
        .outerjoin(Candidate, Candidate.id == keys.c.candidate_id)
        .outerjoin(Search, Search.id == keys.c.search_id)
        .outerjoin(Candidacy, Candidacy.id == keys.c.candidacy_id)
        .outerjoin(Interview, Interview.id == keys.c.interview_id)
    )
    for model in items:
        codes = [_CODES[kind] for kind, m in ITEMS.items() if m is model]
        q = q.outerjoin(model, and_(keys.c.kind.in_(codes), model.id == keys.c.item_id))
    q = (
        q.outerjoin(
            Application,
            and_(
                keys.c.kind == _CODES["applications"],
                Application.candidate_id == keys.c.candidate_id,
                Application.search_id == keys.c.search_id,
            ),
        )
        .outerjoin(referrer, referrer.id == Application.referred_by_candidate_id)
        .options(
            Load(Candidate).load_only(*PERSON_COLUMNS, raiseload=True),
            Load(Search).load_only(*SEARCH_COLUMNS, raiseload=True),
            raiseload(Search.client),
            Load(Message).load_only(*MESSAGE_COLUMNS, raiseload=True),
            Load(ConversationMessage).load_only(*POST_COLUMNS, raiseload=True),
            Load(Interview).raiseload("*"),
        )
        # Several applications behind one candidacy: the latest is kept (read last).
        .order_by(keys.c.kind, keys.c.pos, Application.created_at, Application.id)
    )
    out: dict[str, list[Found]] = {kind: [] for kind in KINDS}
    last: tuple | None = None
    for kind, pos, candidate, search, candidacy, interview, *rest in db.session.execute(q):
        *loaded, note, referred_by = rest
        name = KINDS[kind]
        model = ITEMS.get(name)
        item = loaded[items.index(model)] if model is not None else None
        for obj in (candidacy, item):
            _link(obj, candidate=candidate, search=search, candidacy=candidacy, interview=interview)
        found = Found(candidate, search, candidacy, interview, item, note, referred_by)
        if (kind, pos) == last:
            out[name][-1] = found
        else:
            out[name].append(found)
        last = (kind, pos)
    return out
