"""The outbox's email rendering: the planners' EmailRenderer (one kind of email rendered many
times, the same output as portal.web.templating.render_email), rendering a stored email again
in its reader's language at send time (`render_again`, from its recipe: portal.outbox.recipe)
and the one-click unsubscribe link. It only renders text; it never writes a message or sends.
"""

from __future__ import annotations

import logging

from flask import current_app
from jinja2 import TemplateNotFound
from markupsafe import escape
from sqlalchemy.exc import SQLAlchemyError

from portal import i18n
from portal.models import Candidate, Firm
from portal.outbox import recipe
from portal.web.templating import email_zone, external_url, render_email

log = logging.getLogger(__name__)

BODY_START, BODY_END = "<!--portal:body-->", "<!--/portal:body-->"  # in email/layout.html


class EmailRenderer:
    """Render one kind of email many times (the planners): templates and the template
    context processors are resolved once, then each render is a plain template call.
    Produces the same subject/text/HTML as `portal.web.templating.render_email`.

    `fast=True` (for a template whose HTML is only a `body` block over email/layout.html,
    like the check-in) renders the branded layout once and each email's body block alone,
    joined at the layout's body markers: the same HTML at about half the cost.

    Each email is rendered in its reader's `language` (a code; None: the firm's default) and
    time zone (`zone`, which templates read as `email_zone`; None: the firm's), and its HTML
    ends with its recipe (portal.outbox.recipe) so that the worker can render it again in
    another language at send time.
    """

    _SUBJECT = "\x00subject\x00"
    _UNSUBSCRIBE = "\x00unsubscribe\x00"

    def __init__(self, firm: Firm, kind: str, fast: bool = False, reply: bool = False):
        env = current_app.jinja_env
        self.firm = firm
        self.kind = kind
        self.text = env.get_template(f"email/{kind}.txt")
        try:
            self.html = env.get_template(f"email/{kind}.html")
            self.generic = False
        except TemplateNotFound:
            self.html = env.get_template("email/generic.html")
            self.generic = True
        base: dict = {}
        current_app.update_template_context(base)
        base["firm"] = firm
        # Emails to candidates: the layout's "Reply" link to their conversation, in the emails
        # of candidates who can sign in (the caller passes their `portal_url`).
        self.reply_url = reply_url(firm) if reply else None
        # The brand does not change between two renders: work it out once, not per email.
        for name in ("brand_palette", "brand_logo_url"):
            fn = env.globals.get(name)
            if callable(fn):
                base[name] = _memo_for_firm(fn, firm)
        self.base = base
        # Each template's globals (a ChainMap, slow to copy) merged with the base once:
        # every render then starts from a plain dict (Jinja's `shared` context).
        self.text_base = {**self.text.globals, **base}
        self.html_base = {**self.html.globals, **base}
        self.shells: dict[tuple[bool, bool, str], tuple[str, str]] = {}
        self.fast = fast and not self.generic and "body" in self.html.blocks
        self.shared: dict | None = {}  # render_shared's cache; None once it is turned off
        self.shared_checked = False

    def _shell(self, with_unsubscribe: bool, with_reply: bool, lang: str) -> tuple[str, str]:
        """The layout around the body, with markers where the subject and the link go (in the
        current locale, `lang`)."""
        key = (with_unsubscribe, with_reply, lang)
        if key not in self.shells:
            layout = current_app.jinja_env.get_template("email/layout.html")
            page = layout.render(
                {
                    **self.base,
                    "subject": self._SUBJECT,
                    "unsubscribe_url": self._UNSUBSCRIBE if with_unsubscribe else None,
                    "reply_url": self.reply_url if with_reply else None,
                }
            )
            start, end = page.index(BODY_START) + len(BODY_START), page.index(BODY_END)
            self.shells[key] = (page[:start], page[end:])
        return self.shells[key]

    def _reader(self, language: str | None, zone: str | None) -> tuple[str, str]:
        return i18n.email_language(self.firm, language), email_zone(self.firm, zone)

    def render(self, *, language: str | None = None, zone: str | None = None, **context) -> tuple[str, str, str]:
        """Subject, text and HTML of one email to a reader of `language` in `zone`."""
        lang, zone = self._reader(language, zone)
        if self.reply_url and context.get("portal_url"):
            context["reply_url"] = self.reply_url
        subject, text, html = self._render(lang, zone, context)
        return subject, text, html + recipe.comment(self.kind, lang, context)

    def _render(self, lang: str, zone: str, context: dict) -> tuple[str, str, str]:
        """`render` without the recipe."""
        context = {**context, "email_zone": zone}
        with i18n.force_locale(lang):
            module = self.text.make_module({**self.text_base, **context}, shared=True)
            subject = " ".join(str(getattr(module, "subject", "")).split()) or self.firm.name
            text = str(module).strip() + "\n"
            ctx = {**self.base, **context, "subject": subject}
            if self.generic:
                ctx["text_body"] = text
            if not self.fast:
                return subject[:250], text, self.html.render(ctx)
            ctx = {**self.html_base, **context, "subject": subject}
            body = "".join(self.html.blocks["body"](self.html.new_context(ctx, shared=True)))
            link = ctx.get("unsubscribe_url")
            head, tail = self._shell(bool(link), bool(ctx.get("reply_url")), lang)
        # escaped exactly as the template would (markupsafe is Jinja's own escaping)
        fill = {self._SUBJECT: str(escape(subject)), self._UNSUBSCRIBE: str(escape(link or ""))}
        for marker, value in fill.items():
            head, tail = head.replace(marker, value), tail.replace(marker, value)
        return subject[:250], text, head + body + tail

    SHARED_LIMIT = 50_000  # cached renders per renderer (a few KB each)

    def render_shared(
        self, key, personal: dict[str, str], *, language: str | None = None, zone: str | None = None, **context
    ) -> tuple[str, str, str]:
        """`render`, for many emails that differ only in a few plain values the templates
        just print (the recipient's name): the rest of the context, identified by the
        hashable `key` (with the reader's language and zone), is rendered once with markers,
        and each email fills its own values in (HTML-escaped in the HTML). Same output as
        `render`: the first shared render is compared with a direct one, and the shortcut
        turns itself off if a template transforms one of these values; a value in the
        subject, or an empty one, is rendered directly."""
        if self.shared is None or not all(personal.values()):
            return self.render(language=language, zone=zone, **context, **personal)
        lang, zone = self._reader(language, zone)
        if self.reply_url and context.get("portal_url"):
            context["reply_url"] = self.reply_url
        full_key = (key, lang, zone)
        hit = self.shared.get(full_key)
        if hit is None:
            marks = {name: f"\x00{i}\x00" for i, name in enumerate(personal)}
            hit = self._render(lang, zone, {**context, **marks})
            if any(mark in hit[0] for mark in marks.values()):
                return self.render(language=lang, zone=zone, **context, **personal)
            hit = (hit, marks)
            if len(self.shared) < self.SHARED_LIMIT:
                self.shared[full_key] = hit
        (subject, text, html), marks = hit
        for name, mark in marks.items():
            value = str(personal[name])
            text, html = text.replace(mark, value), html.replace(mark, str(escape(value)))
        html += recipe.comment(self.kind, lang, {**context, **personal})
        if not self.shared_checked:
            self.shared_checked = True
            direct = self.render(language=lang, zone=zone, **context, **personal)
            if direct != (subject, text, html):
                self.shared = None
                return direct
        return subject, text, html


def render_again(firm: Firm, html: str, language: str, zone: str | None = None) -> tuple[str, str, str] | None:
    """A stored email (its HTML) rendered again from its recipe in `language` and `zone`, or
    None: it has no recipe, was rendered in that language already, or cannot be rendered again
    (a row it names is gone; then it is sent as it was rendered)."""
    data = recipe.read(html)
    if data is None or data.get("lang") == language:
        return None
    try:
        context = recipe.load_context(data)
        return render_email(firm, data["kind"], language=language, zone=zone, **context)
    except SQLAlchemyError:
        raise
    except Exception:  # noqa: BLE001 - the email as it was rendered is still a good email
        log.exception("could not render a %s email again in %s; it goes as it was rendered", data["kind"], language)
        return None


def _memo_for_firm(fn, firm: Firm):
    cached = {}

    def call(f=None, *args):
        if f is not firm or args:
            return fn(f, *args)
        if "value" not in cached:
            cached["value"] = fn(firm)
        return cached["value"]

    return call


def reply_url(firm: Firm) -> str | None:
    """The "Reply" link of an email to a candidate: their conversation's write box."""
    if "candidate.messages" not in current_app.view_functions:
        return None
    return external_url(firm, "candidate.messages") + "#write"


def unsubscribe_url(firm: Firm, candidate: Candidate | str) -> str | None:
    """The candidate's one-click unsubscribe link (RFC 8058), once the route exists.
    Takes the candidate or their unsubscribe token."""
    token = candidate if isinstance(candidate, str) else candidate.unsubscribe_token
    if "candidate.unsubscribe" not in current_app.view_functions or not token:
        return None
    return external_url(firm, "candidate.unsubscribe", token=token)
