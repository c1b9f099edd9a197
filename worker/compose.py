"""Composing one email from its message(s): several changes merged into one, a credential's
link minted for this send, the list headers. Builds text only: never sends, never writes a row
(a minted link is stored by delivery once the mail server took the email).
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

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


def _inner_html(msg: Sendable) -> str:
    start, end = msg.body_html.find(BODY_START), msg.body_html.rfind(BODY_END)
    if start < 0 or end < start:
        text = html_lib.escape(msg.body_text)
        return f'<div style="white-space:pre-wrap;">{text}</div>'
    return msg.body_html[start + len(BODY_START) : end]


def compose(firm: Firm, msgs: Sequence[Sendable]) -> Outgoing:
    """One email for one message, or for several changes to the same candidacy: the first
    message's layout, each change under its own heading, in order. The Message-ID is the
    first message's, so a retry of the group carries the same one."""
    first, last = msgs[0], msgs[-1]
    if len(msgs) == 1:
        return Outgoing(
            first.id,
            first.firm_id,
            first.to_email,
            first.to_name,
            first.subject,
            first.body_text,
            first.body_html,
            first.created_at,
        )
    n = len(msgs)
    subject = f"{n} updates: {last.subject}"[:250]
    intro = f"This email brings together {n} updates from {firm.name}."
    text_parts = [intro, ""]
    html_parts = [f"<p>{html_lib.escape(intro)}</p>"]
    for i, m in enumerate(msgs, 1):
        text_parts += [f"--- {i} of {n}: {m.subject} ---", "", m.body_text.strip(), ""]
        html_parts.append(
            f'<h2 style="font-size:18px;margin:24px 0 8px;">{i} of {n}: {html_lib.escape(m.subject)}</h2>'
            f"{_inner_html(m)}" + ('<hr style="border:0;border-top:1px solid #e3e6ea;margin:24px 0;">' if i < n else "")
        )
    body_html = first.body_html
    start, end = body_html.find(BODY_START), body_html.rfind(BODY_END)
    if start >= 0 and end > start:
        body_html = body_html[: start + len(BODY_START)] + "".join(html_parts) + body_html[end:]
    else:
        body_html = "".join(html_parts)
    return Outgoing(
        first.id,
        first.firm_id,
        first.to_email,
        first.to_name,
        subject,
        "\n".join(text_parts).strip() + "\n",
        body_html,
        first.created_at,
    )


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
        Outgoing(out.id, out.firm_id, out.to_email, out.to_name, out.subject, text, html, out.created_at),
        minted,
        None,
    )


def headers_for(firm: Firm, msg: Sendable, candidate: Addressee | None) -> dict[str, str]:
    """List-Unsubscribe (RFC 2369) with one-click POST (RFC 8058) on candidate emails."""
    headers: dict[str, str] = {}
    if msg.audience == Audience.CANDIDATE and candidate is not None:
        token = candidate.unsubscribe_token
        url = unsubscribe_url(firm, token) if token else None
        if url:
            headers["List-Unsubscribe"] = f"<{url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if msg.stream:
        headers["Precedence"] = "bulk"
    return headers
