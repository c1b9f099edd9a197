"""Reading a conversation (promise 8's pages): the firm's messages to a candidate, the
candidate's messages and the recruiters' replies, grouped in threads. A thread starts at a firm
message, or at a candidate message that answers none; under it, in time order, everything that
answers it (a candidate's reply to a firm message, a recruiter's reply to the candidate's message,
the candidate's reply to that reply by email ...). A recruiter's reply is shown once, as the
conversation message; the outbox message that emailed it (kind `conversation_reply`) is not a
thread of its own.

A few statements per page whatever the length of the conversation; read-only. Internal notes
live in their own table, which nothing here reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Load, selectinload

from portal.extensions import db
from portal.models import Audience, Author, Candidacy, Candidate, ConversationMessage, Message, MessageState, User
from portal.services.conversations import REPLY_KIND

PER_PAGE = 25  # firm messages per page of the candidate's conversation
MAX_POSTS = 1000  # candidate and recruiter messages read for one page (the newest)
STAFF_THREADS = 50


@dataclass
class Entry:
    at: datetime
    message: Message | None = None  # a firm message (the outbox)
    post: ConversationMessage | None = None  # a candidate's message or a recruiter's reply
    author_name: str | None = None

    @property
    def by_candidate(self) -> bool:
        return self.post is not None and self.post.author == Author.CANDIDATE

    @property
    def by_recruiter(self) -> bool:
        return self.post is not None and self.post.author == Author.RECRUITER

    @property
    def waiting(self) -> bool:
        """A candidate's message nobody has answered or closed yet."""
        return self.by_candidate and self.post is not None and self.post.answered_at is None


@dataclass
class Thread:
    root: Entry
    replies: list[Entry] = field(default_factory=list)

    @property
    def last_at(self) -> datetime:
        return self.replies[-1].at if self.replies else self.root.at

    @property
    def entries(self) -> list[Entry]:
        return [self.root, *self.replies]


def _visible():
    """The firm messages a candidate's conversation shows (their portal's messages)."""
    return (
        Message.audience == Audience.CANDIDATE,
        Message.show_in_portal.is_(True),
        Message.state != MessageState.CANCELLED,
        Message.kind != REPLY_KIND,
    )


def _posts(candidate: Candidate, limit: int = MAX_POSTS) -> list[ConversationMessage]:
    rows = db.session.scalars(
        select(ConversationMessage)
        .where(ConversationMessage.candidate_id == candidate.id)
        .options(selectinload(ConversationMessage.attachments))
        .order_by(ConversationMessage.created_at.desc(), ConversationMessage.id.desc())
        .limit(limit)
    ).all()
    return sorted(rows, key=lambda p: (p.created_at, p.id))


def _names(posts: list[ConversationMessage]) -> dict[int, str]:
    ids = {p.author_user_id for p in posts if p.author_user_id}
    if not ids:
        return {}
    return {uid: name for uid, name in db.session.execute(select(User.id, User.name).where(User.id.in_(ids)))}


class _Threads:
    """Which thread each candidate or recruiter message belongs to."""

    def __init__(self, posts: list[ConversationMessage], visible_ids: set[int]):
        self.by_id = {p.id: p for p in posts}
        self.by_outbox = {p.outbox_message_id: p for p in posts if p.outbox_message_id}
        self.visible = visible_ids
        self.memo: dict[int, tuple[str, int]] = {}

    def root(self, post: ConversationMessage, depth: int = 0) -> tuple[str, int]:
        """("m", firm message id) or ("p", id of the message that starts the thread)."""
        if post.id in self.memo:
            return self.memo[post.id]
        key: tuple[str, int] = ("p", post.id)
        if depth < 50:
            parent = self.by_id.get(post.in_reply_to_id) if post.in_reply_to_id else None
            if parent is not None:
                key = self.root(parent, depth + 1)
            elif post.in_reply_to_message_id:
                carried = self.by_outbox.get(post.in_reply_to_message_id)
                if carried is not None and carried.id != post.id:
                    key = self.root(carried, depth + 1)
                elif post.in_reply_to_message_id in self.visible:
                    key = ("m", post.in_reply_to_message_id)
        self.memo[post.id] = key
        return key


def _entry(post: ConversationMessage, names: dict[int, str]) -> Entry:
    return Entry(post.created_at, post=post, author_name=names.get(post.author_user_id or 0))


def for_candidate(candidate: Candidate, page: int = 1, per_page: int = PER_PAGE) -> tuple[list[Thread], bool]:
    """One page of the candidate's conversation, newest thread first (replies under each in time
    order); and whether older pages follow. Pages are cut at the firm's messages; a thread the
    candidate started sits among them by its time."""
    page = max(1, min(page, 10_000))
    start = (page - 1) * per_page
    skip_first = start > 0  # read the previous page's last message too: it bounds this page
    firm_rows = list(
        db.session.scalars(
            select(Message)
            .where(Message.candidate_id == candidate.id, *_visible())
            .order_by(Message.created_at.desc(), Message.id.desc())
            .offset(start - 1 if skip_first else 0)
            .limit(per_page + 1 + (1 if skip_first else 0))
        )
    )
    upper: datetime | None = None
    if skip_first:
        if len(firm_rows) < 2:
            return [], False
        upper, firm_rows = firm_rows[0].created_at, firm_rows[1:]
    more = len(firm_rows) > per_page
    firm_rows = firm_rows[:per_page]
    lower = firm_rows[-1].created_at if more else None
    posts = _posts(candidate)
    names = _names(posts)
    on_page = {m.id for m in firm_rows}
    refs = {p.in_reply_to_message_id for p in posts if p.in_reply_to_message_id} - on_page
    visible = set(on_page)
    if posts:  # (also with no reference off this page: the same statements for any length)
        visible |= set(
            db.session.scalars(
                select(Message.id).where(Message.id.in_(refs), Message.candidate_id == candidate.id, *_visible())
            )
        )
    threads_of = _Threads(posts, visible)
    threads: dict[tuple[str, int], Thread] = {("m", m.id): Thread(Entry(m.created_at, message=m)) for m in firm_rows}
    for post in posts:
        key = threads_of.root(post)
        if key == ("p", post.id):
            if (lower is None or post.created_at >= lower) and (upper is None or post.created_at < upper):
                threads[key] = Thread(_entry(post, names))
        elif key in threads:
            threads[key].replies.append(_entry(post, names))
    return sorted(threads.values(), key=lambda t: t.root.at, reverse=True), more


def for_staff(candidate: Candidate, candidacy: Candidacy | None = None) -> list[Thread]:
    """What recruiters see of the conversation: the candidate's messages and the replies, under
    the firm message each answers (its subject shown), most recently active thread first. With
    a candidacy: only the threads about it."""
    posts = _posts(candidate, MAX_POSTS)
    names = _names(posts)
    refs = {p.in_reply_to_message_id for p in posts if p.in_reply_to_message_id}
    answered: dict[int, Message] = {}
    if refs:
        answered = {
            m.id: m
            for m in db.session.scalars(
                select(Message)
                .options(
                    Load(Message).load_only(
                        Message.subject, Message.created_at, Message.candidacy_id, Message.kind, raiseload=True
                    )
                )
                .where(Message.id.in_(refs), Message.candidate_id == candidate.id, *_visible())
            )
        }
    threads_of = _Threads(posts, set(answered))
    threads: dict[tuple[str, int], Thread] = {}
    for post in posts:
        key = threads_of.root(post)
        if key == ("p", post.id):
            threads[key] = Thread(_entry(post, names))
        elif key[0] == "m":
            if key not in threads:
                m = answered[key[1]]
                threads[key] = Thread(Entry(m.created_at, message=m))
            threads[key].replies.append(_entry(post, names))
        elif key in threads:
            threads[key].replies.append(_entry(post, names))
    out = sorted(threads.values(), key=lambda t: t.last_at, reverse=True)
    if candidacy is not None:
        out = [
            t
            for t in out
            if any(e.post is not None and e.post.candidacy_id == candidacy.id for e in t.entries)
            or (t.root.message is not None and t.root.message.candidacy_id == candidacy.id)
        ]
    return out[:STAFF_THREADS]


def newest_waiting(threads: list[Thread]) -> ConversationMessage | None:
    """The newest candidate message still waiting (what a reply form answers by default)."""
    waiting = [e.post for t in threads for e in t.entries if e.waiting and e.post is not None]
    return max(waiting, key=lambda p: (p.created_at, p.id)) if waiting else None
