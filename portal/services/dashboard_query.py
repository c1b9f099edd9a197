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

from sqlalchemy import Integer, and_, cast, func, literal_column, null, select, text, union_all
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Load, aliased, raiseload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql import Select
from sqlalchemy.sql.selectable import CTE

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
    """What one walk's row named, loaded. A kind reads only the keys its walk names (KEYS of its
    Arm); the others are None (outer joins), so they are typed as what a reader may rely on."""

    candidate: Candidate
    search: Search
    candidacy: Candidacy
    interview: Interview
    item: Any  # the list's own row: ITEMS[kind]
    application_note: str | None = None  # "applications": the application behind the candidacy
    referred_by: str | None = None


def _ordered(column, how: str):
    if how == DESC:
        return column.desc()
    if how == ASC_NULLS_FIRST:
        return column.asc().nulls_first()
    return column.asc()


@dataclass(frozen=True)
class Arm:
    """One walk as an arm of the union: (kind, pos, *KEYS), and the keys it fills."""

    kind: str
    select: Select
    keys: frozenset


def numbered(walk: Walk) -> Arm:
    """The walk as one arm of the union: (kind, pos, *KEYS), pos counting from 1 in its order.
    The walk keeps its own ORDER BY and LIMIT inside (the index walk that stops early); the
    numbering runs over those few rows only."""
    order = [column.label(f"o{i}") for i, (column, _) in enumerate(walk.order)]
    inner = walk.keys.add_columns(*order).order_by(*(_ordered(c, how) for c, how in walk.order))
    if walk.limit is not None:
        inner = inner.limit(walk.limit)
    sub = inner.subquery()
    pos = func.row_number().over(order_by=[_ordered(sub.c[f"o{i}"], how) for i, (_, how) in enumerate(walk.order)])
    given = frozenset(k for k in KEYS if k in sub.c)
    arm = select(
        literal_column(str(_CODES[walk.kind]), Integer).label("kind"),
        pos.label("pos"),
        *(sub.c[k] if k in given else cast(null(), Integer).label(k) for k in KEYS),
    )
    return Arm(walk.kind, arm, given)


def shared(walk: Walk, name: str) -> tuple[Arm, CTE]:
    """The walk as a common table expression, for another walk that starts from its rows (both
    databases compute it once), and the arm that reads it."""
    arm = numbered(walk)
    cte = arm.select.cte(name)
    return Arm(arm.kind, select(cte), arm.keys), cte


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


@dataclass(frozen=True)
class Built:
    """The one statement of some arms, and what each of its row's values is."""

    statement: Select
    names: tuple


def build(arms: list[Arm]) -> Built:
    """The arms as one statement that also loads the rows they name. Only the tables the arms
    name are joined (a "show all" of one kind joins what that kind shows). Build it once and
    run it many times (`run`): the values that change from one request to the next should be
    bound parameters of the arms."""
    union = union_all(*(a.select for a in arms)) if len(arms) > 1 else arms[0].select
    keys = union.subquery("attention")
    given = frozenset().union(*(a.keys for a in arms))
    kinds = {a.kind for a in arms}
    referrer = aliased(Candidate)
    # (name, what is selected, the table joined, ON clause, whether the arms name it), in join order
    parts: list[tuple[Any, Any, Any, Any, bool]] = [
        ("candidate", Candidate, Candidate, Candidate.id == keys.c.candidate_id, "candidate_id" in given),
        ("search", Search, Search, Search.id == keys.c.search_id, "search_id" in given),
        ("candidacy", Candidacy, Candidacy, Candidacy.id == keys.c.candidacy_id, "candidacy_id" in given),
        ("interview", Interview, Interview, Interview.id == keys.c.interview_id, "interview_id" in given),
    ]
    models: list[Any] = list(dict.fromkeys(ITEMS[k] for k in KINDS if k in kinds and k in ITEMS))
    for model in models:
        codes = [_CODES[k] for k in KINDS if k in kinds and ITEMS.get(k) is model]
        parts.append((model, model, model, and_(keys.c.kind.in_(codes), model.id == keys.c.item_id), True))
    with_applications = "applications" in kinds
    if with_applications:
        on = and_(
            keys.c.kind == _CODES["applications"],
            Application.candidate_id == keys.c.candidate_id,
            Application.search_id == keys.c.search_id,
        )
        parts.append(("note", Application.note, Application, on, True))
        parts.append(
            ("referred_by", referrer.name, referrer, referrer.id == Application.referred_by_candidate_id, True)
        )
    parts = [p for p in parts if p[4]]
    q = select(keys.c.kind, keys.c.pos, *(p[1] for p in parts)).select_from(keys)
    for _, _, target, on, _ in parts:
        q = q.outerjoin(target, on)
    order: list[Any] = [keys.c.kind, keys.c.pos]
    if with_applications:  # several applications behind one candidacy: the latest is kept (read last)
        order += [Application.created_at, Application.id]
    joined = {p[2] for p in parts}
    options = {
        Candidate: (Load(Candidate).load_only(*PERSON_COLUMNS, raiseload=True),),
        Search: (Load(Search).load_only(*SEARCH_COLUMNS, raiseload=True), raiseload(Search.client)),
        Message: (Load(Message).load_only(*MESSAGE_COLUMNS, raiseload=True),),
        ConversationMessage: (Load(ConversationMessage).load_only(*POST_COLUMNS, raiseload=True),),
        Interview: (Load(Interview).raiseload("*"),),
    }
    q = q.options(*(o for model, opts in options.items() if model in joined for o in opts)).order_by(*order)
    return Built(q, tuple(p[0] for p in parts))


def run(built: Built, params: dict) -> dict[str, list[Found]]:
    """Run a built statement with these values of its parameters; each kind's rows in its order."""
    if db.session.connection().dialect.name == "postgresql":
        # No JIT for this statement (and the rest of the request's transaction): its estimated
        # cost, the sum of its walks', passes jit_above_cost on a large firm, and compiling it
        # took 380 ms of a 560 ms run at 1,000,000 candidates; its walks read a few rows each.
        db.session.execute(text("SET LOCAL jit = off"))
    names = built.names
    out: dict[str, list[Found]] = {kind: [] for kind in KINDS}
    last: tuple | None = None
    for kind, pos, *values in db.session.execute(built.statement, params):
        row: dict[Any, Any] = dict(zip(names, values, strict=True))  # names: a part's name or its model
        name = KINDS[kind]
        candidate: Any = row.get("candidate")
        search: Any = row.get("search")
        candidacy: Any = row.get("candidacy")
        interview: Any = row.get("interview")
        item = row.get(ITEMS[name]) if name in ITEMS else None
        for obj in (candidacy, item):
            _link(obj, candidate=candidate, search=search, candidacy=candidacy, interview=interview)
        found = Found(candidate, search, candidacy, interview, item, row.get("note"), row.get("referred_by"))
        if (kind, pos) == last:
            out[name][-1] = found
        else:
            out[name].append(found)
        last = (kind, pos)
    return out
