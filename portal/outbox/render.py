"""The outbox's email rendering: the planners' EmailRenderer (one kind of email rendered many
times, the same output as portal.web.templating.render_email) and the one-click unsubscribe
link. It only renders text; it never writes a message, touches the database or sends.
"""

from __future__ import annotations

from flask import current_app
from jinja2 import TemplateNotFound
from markupsafe import escape

from portal.models import Candidate, Firm
from portal.web.templating import external_url

BODY_START, BODY_END = "<!--portal:body-->", "<!--/portal:body-->"  # in email/layout.html


class EmailRenderer:
    """Render one kind of email many times (the planners): templates and the template
    context processors are resolved once, then each render is a plain template call.
    Produces the same subject/text/HTML as `portal.web.templating.render_email`.

    `fast=True` (for a template whose HTML is only a `body` block over email/layout.html,
    like the check-in) renders the branded layout once and each email's body block alone,
    joined at the layout's body markers: the same HTML at about half the cost.
    """

    _SUBJECT = "\x00subject\x00"
    _UNSUBSCRIBE = "\x00unsubscribe\x00"

    def __init__(self, firm: Firm, kind: str, fast: bool = False, reply: bool = False):
        env = current_app.jinja_env
        self.firm = firm
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
        self.shells: dict[tuple[bool, bool], tuple[str, str]] = {}
        self.fast = fast and not self.generic and "body" in self.html.blocks
        self.shared: dict | None = {}  # render_shared's cache; None once it is turned off
        self.shared_checked = False

    def _shell(self, with_unsubscribe: bool, with_reply: bool = False) -> tuple[str, str]:
        """The layout around the body, with markers where the subject and the link go."""
        if (with_unsubscribe, with_reply) not in self.shells:
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
            self.shells[(with_unsubscribe, with_reply)] = (page[:start], page[end:])
        return self.shells[(with_unsubscribe, with_reply)]

    def render(self, **context) -> tuple[str, str, str]:
        if self.reply_url and context.get("portal_url"):
            context["reply_url"] = self.reply_url
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
        head, tail = self._shell(bool(link), bool(ctx.get("reply_url")))
        # escaped exactly as the template would (markupsafe is Jinja's own escaping)
        fill = {self._SUBJECT: str(escape(subject)), self._UNSUBSCRIBE: str(escape(link or ""))}
        for marker, value in fill.items():
            head, tail = head.replace(marker, value), tail.replace(marker, value)
        return subject[:250], text, head + body + tail

    SHARED_LIMIT = 50_000  # cached renders per renderer (a few KB each)

    def render_shared(self, key, personal: dict[str, str], **context) -> tuple[str, str, str]:
        """`render`, for many emails that differ only in a few plain values the templates
        just print (the recipient's name): the rest of the context, identified by the
        hashable `key`, is rendered once with markers, and each email fills its own
        values in (HTML-escaped in the HTML). Same output as `render`: the first shared
        render is compared with a direct one, and the shortcut turns itself off if a
        template transforms one of these values; a value in the subject, or an empty one,
        is rendered directly."""
        if self.shared is None or not all(personal.values()):
            return self.render(**context, **personal)
        hit = self.shared.get(key)
        if hit is None:
            marks = {name: f"\x00{i}\x00" for i, name in enumerate(personal)}
            hit = self.render(**context, **marks)
            if any(mark in hit[0] for mark in marks.values()):
                return self.render(**context, **personal)
            hit = (hit, marks)
            if len(self.shared) < self.SHARED_LIMIT:
                self.shared[key] = hit
        (subject, text, html), marks = hit
        for name, mark in marks.items():
            value = str(personal[name])
            text, html = text.replace(mark, value), html.replace(mark, str(escape(value)))
        if not self.shared_checked:
            self.shared_checked = True
            direct = self.render(**context, **personal)
            if direct != (subject, text, html):
                self.shared = None
                return direct
        return subject, text, html


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
