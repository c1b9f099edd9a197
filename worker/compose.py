"""Composing one email from its message(s): several changes to one candidacy merged into one
update (where the candidate stands now, then what happened; email/merged_update.*), a
credential's link minted for this send, the list headers, an interview's invitation (its
iCalendar rides along as `Outgoing.calendar`). Builds text only: never sends, never
writes a row (a minted link is stored by delivery once the mail server took the email).
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flask import current_app
from markupsafe import escape

from portal.models import Audience, Firm, TokenPurpose
from portal.outbox import BODY_END, BODY_START, CREDENTIAL_LINK, unsubscribe_url
from portal.services import accounts


class Sendable(Protocol):
    """What composing reads of a message: a Message, or the row worker.delivery claimed
    (the message's columns on a plain object)."""

    @property
    def id(self) -> int: ...
    @property
    def firm_id(self) -> int: ...
    @property
    def audience(self) -> Audience: ...
    @property
    def stream(self) -> str | None: ...
    @property
    def credential(self) -> str | None: ...
    @property
    def credential_next(self) -> str | None: ...
    @property
    def to_email(self) -> str | None: ...
    @property
    def to_name(self) -> str | None: ...
    @property
    def subject(self) -> str: ...
    @property
    def body_text(self) -> str: ...
    @property
    def body_html(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def calendar(self) -> str | None: ...


class Recipient(Protocol):
    """What a credential email needs of the staff member it goes to (a User, or a row)."""

    @property
    def id(self) -> int: ...
    @property
    def active(self) -> bool: ...


class Addressee(Protocol):
    """What the list headers need of the candidate an email goes to (a Candidate, or a row)."""

    @property
    def unsubscribe_token(self) -> str | None: ...


@dataclass
class Outgoing:
    """What build_email needs: one message, or several merged into one email."""

    id: int
    firm_id: int
    to_email: str | None
    to_name: str | None
    subject: str
    body_text: str
    body_html: str
    created_at: datetime
    # An interview's invitation (iCalendar, RFC 5546) the email carries as a text/calendar
    # part (worker.mailer.build_raw): only on a single message, never on a merged group.
    calendar: str | None = None
    # The reply token of the (first) message: its Reply-To is reply+<token>@<reply domain>.
    reply_token: str | None = None


def _inner_html(msg: Sendable) -> str:
    start, end = msg.body_html.find(BODY_START), msg.body_html.rfind(BODY_END)
    if start < 0 or end < start:
        text = html_lib.escape(msg.body_text)
        return f'<div style="white-space:pre-wrap;">{text}</div>'
    return MERGE_DATA.sub("", msg.body_html[start + len(BODY_START) : end])


def compose(firm: Firm, msgs: Sequence[Sendable]) -> Outgoing:
    """One email for one message, or for several changes to the same candidacy (oldest first).
    The Message-ID is the first message's, so a retry of the group carries the same one.
    Changes that carry their facts (email/_merge.html) become one update that leads with where
    the candidate stands now, then what happened, with one greeting, button and sign-off, and a
    subject that says the news (`_merged`); others are listed one after the other (`_listed`)."""
    first = msgs[0]
    if len(msgs) == 1:
        body_html = MERGE_DATA.sub("", first.body_html)
        return Outgoing(
            first.id,
            first.firm_id,
            first.to_email,
            first.to_name,
            first.subject,
            first.body_text,
            body_html,
            first.created_at,
            first.calendar,
            getattr(first, "reply_token", None),
        )
    facts = [merge_facts(m) for m in msgs]
    if all(facts):
        subject, text, inner = _merged(firm, [f for f in facts if f])
    else:
        subject, text, inner = _listed(firm, msgs)
    return Outgoing(
        first.id,
        first.firm_id,
        first.to_email,
        first.to_name,
        subject[:250],
        text,
        _in_layout(first.body_html, subject, inner),
        first.created_at,
        reply_token=getattr(first, "reply_token", None),
    )


MERGE_DATA = re.compile(r"<!--portal:merge (\{.*?\})-->\n?", re.S)
NEWS_RANK = {"feedback": 1}  # a stage change or a close (2) is the news over a feedback note


def merge_facts(msg: Sendable) -> dict | None:
    """The facts of one change its email template left for merging, or None."""
    found = MERGE_DATA.search(msg.body_html)
    if found is None:
        return None
    try:
        facts = json.loads(found.group(1))
    except ValueError:
        return None
    return facts if isinstance(facts, dict) and facts.get("status_label") else None


def _merged(firm: Firm, facts: list[dict]) -> tuple[str, str, str]:
    """Subject, text and HTML body of one update: where the candidate stands now (the newest
    change's status), what happened (oldest first), and the news in the subject (the newest
    of the most important changes: a stage change or a close over a feedback note)."""
    now = facts[-1]
    news = max(enumerate(facts), key=lambda p: (NEWS_RANK.get(p[1].get("kind", ""), 2), p[0]))[1]
    about = now.get("about") or ""
    subject = f"{news.get('headline') or now['status_label']}: {about}" if about else now["status_label"]
    context = {
        "firm": firm,
        "name": now.get("name") or "",
        "about": about,
        "status_label": now["status_label"],
        "status_text": now.get("status_text") or "",
        "items": facts,
        "link": now.get("link") or "",
        "signer": now.get("signer") or "",
    }
    env = current_app.jinja_env
    text = env.get_template("email/merged_update.txt").render(context).strip() + "\n"
    return subject, text, env.get_template("email/merged_update.html").render(context)


def _listed(firm: Firm, msgs: Sequence[Sendable]) -> tuple[str, str, str]:
    """Changes whose emails carry no facts to merge: each one after the other, under its own
    heading; the subject says the newest."""
    n, last = len(msgs), msgs[-1]
    subject = f"{last.subject} (and {n - 1} earlier update{'s' if n > 2 else ''})"
    intro = f"This email brings together {n} updates from {firm.name}."
    text_parts = [intro, ""]
    html_parts = [f"<p>{html_lib.escape(intro)}</p>"]
    for i, m in enumerate(msgs, 1):
        text_parts += [f"--- {i} of {n}: {m.subject} ---", "", m.body_text.strip(), ""]
        html_parts.append(
            f'<h2 style="font-size:18px;margin:24px 0 8px;">{i} of {n}: {html_lib.escape(m.subject)}</h2>'
            f"{_inner_html(m)}" + ('<hr style="border:0;border-top:1px solid #e3e6ea;margin:24px 0;">' if i < n else "")
        )
    return subject, "\n".join(text_parts).strip() + "\n", "".join(html_parts)


def _in_layout(shell: str, subject: str, inner: str) -> str:
    """`inner` in the branded layout of `shell` (a stored email), titled `subject`."""
    start, end = shell.find(BODY_START), shell.rfind(BODY_END)
    if start < 0 or end < start:
        return inner
    head = TITLE.sub(f"<title>{html_lib.escape(subject)}</title>", shell[: start + len(BODY_START)], count=1)
    return head + inner + shell[end:]


TITLE = re.compile(r"<title>.*?</title>", re.S)


def with_credential(
    firm: Firm, msg: Sendable, out: Outgoing, recipient: Recipient | None, now: datetime
) -> tuple[Outgoing, accounts.MintedLink | None, str | None]:
    """The email of a credential message with a link minted for this send, and the minted
    link (stored by the caller once the send succeeded); or the reason not to send it."""
    if recipient is None:
        return out, None, "the account no longer exists"
    if not recipient.active:
        return out, None, "the recipient's account is deactivated"
    minted = accounts.mint_link(firm, recipient.id, TokenPurpose(msg.credential), now, msg.credential_next)
    url = minted.url
    text = out.body_text.replace(CREDENTIAL_LINK, url)
    html = out.body_html.replace(str(escape(CREDENTIAL_LINK)), str(escape(url)))  # as Jinja escaped it
    return (
        Outgoing(
            out.id,
            out.firm_id,
            out.to_email,
            out.to_name,
            out.subject,
            text,
            html,
            out.created_at,
            out.calendar,
            out.reply_token,
        ),
        minted,
        None,
    )


def headers_for(firm: Firm, msg: Sendable, candidate: Addressee | None) -> dict[str, str]:
    """List-Unsubscribe (RFC 2369) with one-click POST (RFC 8058) on candidate emails: the
    message's own list (a job alert's `list_unsubscribe`), else the candidate's optional emails."""
    headers: dict[str, str] = {}
    own_list = getattr(msg, "list_unsubscribe", None)
    if own_list:
        headers["List-Unsubscribe"] = f"<{own_list}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    elif msg.audience == Audience.CANDIDATE and candidate is not None:
        token = candidate.unsubscribe_token
        url = unsubscribe_url(firm, token) if token else None
        if url:
            headers["List-Unsubscribe"] = f"<{url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if msg.stream:
        headers["Precedence"] = "bulk"
    return headers
