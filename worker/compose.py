"""Composing one email from its message(s): each message in its reader's language (one recorded
in another language is rendered again from its recipe, `localize`), several changes to one
candidacy merged into one update (where the candidate stands now, then what happened;
email/merged_update.*), a credential's link minted for this send, the list headers, an
interview's invitation (its iCalendar rides along as `Outgoing.calendar`). Builds text only:
never sends, never writes a row (a minted link, and a message rendered again, are stored by
delivery once the mail server took the email).
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

from portal import i18n
from portal.i18n import gettext as _
from portal.i18n import ngettext
from portal.models import Audience, Firm, TokenPurpose
from portal.outbox import BODY_END, BODY_START, CREDENTIAL_LINK, recipe, unsubscribe_url
from portal.outbox.render import render_again
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


def localize(firm: Firm, msgs: Sequence[Sendable], language: str | None, zone: str | None = None) -> set[int]:
    """Each message recorded in another language than its reader's now (`language`; None: not
    known, as recorded) rendered again in theirs from its recipe (portal.outbox.recipe): its
    subject and bodies are replaced on the row object (the caller stores them once sent).
    Returns the ids of the messages rendered again."""
    done: set[int] = set()
    if language is None:
        return done
    for m in msgs:
        again = render_again(firm, m.body_html, language, zone)
        if again is not None:
            m.subject, m.body_text, m.body_html = again  # type: ignore[misc]
            done.add(m.id)
    return done


def email_language(firm: Firm, msgs: Sequence[Sendable], language: str | None) -> str:
    """The language of a composed email: its reader's, else the one its first message was
    rendered in, else the firm's."""
    return i18n.email_language(firm, language or recipe.language(msgs[0].body_html))


def compose(firm: Firm, msgs: Sequence[Sendable], language: str | None = None) -> Outgoing:
    """One email for one message, or for several changes to the same candidacy (oldest first),
    in `language` (the reader's: see `localize`, which renders each message in it first).
    The Message-ID is the first message's, so a retry of the group carries the same one.
    Changes that carry their facts (email/_merge.html) become one update that leads with where
    the candidate stands now, then what happened, with one greeting, button and sign-off, and a
    subject that says the news (`_merged`); others are listed one after the other (`_listed`)."""
    first = msgs[0]
    if len(msgs) == 1:
        body_html = MERGE_DATA.sub("", recipe.strip(first.body_html))
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
    with i18n.force_locale(email_language(firm, msgs, language)):
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
        _in_layout(recipe.strip(first.body_html), subject, inner),
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
    headline = news.get("headline") or now["status_label"]
    # Translators: a merged update's subject: its news ("Interviewing", "Feedback from Ann") and the role.
    subject = _("%(news)s: %(about)s", news=headline, about=about) if about else now["status_label"]
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
    subject = ngettext(
        "%(subject)s (and %(num)d earlier update)",
        "%(subject)s (and %(num)d earlier updates)",
        n - 1,
        subject=last.subject,
    )
    intro = ngettext(
        "This email brings together %(num)d update from %(firm)s.",
        "This email brings together %(num)d updates from %(firm)s.",
        n,
        firm=firm.name,
    )
    text_parts = [intro, ""]
    html_parts = [f"<p>{html_lib.escape(intro)}</p>"]
    for i, m in enumerate(msgs, 1):
        # Translators: the heading of one update in an email that lists several ("2 of 3: ...").
        heading = _("%(i)d of %(n)d: %(subject)s", i=i, n=n, subject=m.subject)
        text_parts += [f"--- {heading} ---", "", m.body_text.strip(), ""]
        html_parts.append(
            f'<h2 style="font-size:18px;margin:24px 0 8px;">{html_lib.escape(heading)}</h2>'
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


def headers_for(firm: Firm, msg: Sendable, candidate: Addressee | None, language: str | None = None) -> dict[str, str]:
    """List-Unsubscribe (RFC 2369) with one-click POST (RFC 8058) on candidate emails: the
    message's own list (a job alert's `list_unsubscribe`), else the candidate's optional emails;
    Content-Language (RFC 3282): the email's `language`."""
    headers: dict[str, str] = {}
    if language:
        headers["Content-Language"] = language
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
