"""Rendering helpers shared by pages and emails: firm URLs, local times, stage words.
They only render: nothing here sends an email or writes to the database."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date, datetime, timedelta

from flask import Flask, current_app, has_request_context, render_template, request, url_for
from jinja2 import TemplateNotFound

from portal import i18n  # at import, not per call: a page formats dozens of dates
from portal.models.candidacy import CANDIDATE_STAGE_TEXT, Stage
from portal.models.firm import Firm


def firm_base_url(firm: Firm) -> str:
    """Where this firm's portal is served: its first verified custom domain, else <slug>.<base>."""
    cfg = current_app.config
    scheme = cfg["PREFERRED_URL_SCHEME"]
    port = cfg.get("PUBLIC_PORT_SUFFIX") or ""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models.firm import FirmDomain

    loaded = firm.__dict__.get("domains")  # loaded already (cadence.with_domains, a delivery batch)
    if loaded is not None:
        verified = [d for d in loaded if d.verified_at is not None]
        domain = min(verified, key=lambda d: d.id).domain if verified else None
    else:
        domain = db.session.scalar(
            select(FirmDomain.domain)
            .where(FirmDomain.firm_id == firm.id, FirmDomain.verified_at.is_not(None))
            .order_by(FirmDomain.id)
            .limit(1)
            .execution_options(all_firms=True)
        )
    if domain:
        return f"{scheme}://{domain}"
    if cfg.get("PUBLIC_URL") and firm.slug == cfg.get("DEFAULT_FIRM"):
        return cfg["PUBLIC_URL"].rstrip("/")
    return f"{scheme}://{firm.slug}.{cfg['BASE_DOMAIN']}{port}"


def external_url(firm: Firm, endpoint: str, **values) -> str:
    """An absolute link for an email: the firm's own host, never another firm's.

    Works without a request (worker, CLI): the path comes from the URL map directly.
    """
    adapter = current_app.url_map.bind("localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    return firm_base_url(firm) + adapter.build(endpoint, values, force_external=False)


def candidate_stage_text(stage: Stage, firm: Firm | None = None, language: str | None = None) -> tuple[str, str]:
    """The candidate-facing label and explanation of a stage, in `language` (the page's when
    None). Each part: the firm's own wording in that language (Firm.texts[lang]["stage_labels"]),
    else its wording in its default language (Firm.stage_labels), else the shipped words,
    translated. The firm's cadence fills "%(days)s" in the shipped words, and "{days}" (or "%(days)s",
    copied from a default) in the firm's own."""
    from portal.i18n import firm_text, force_locale, shipped

    language = shipped(language)
    days = firm.cadence_days if firm is not None else 7
    default_words = CANDIDATE_STAGE_TEXT[stage]
    in_language = _stage_words(firm_text(firm, "stage_labels", language) if firm is not None else None, stage)
    in_default = _stage_words(firm.stage_labels if firm is not None else None, stage)
    out = []
    with force_locale(language) if language else nullcontext():
        for i, part in enumerate(("label", "explanation")):
            own = in_language.get(part) or in_default.get(part)
            if own:
                out.append(str(own).replace("{days}", str(days)).replace("%(days)s", str(days)))
            else:
                out.append(str(default_words[i]) % {"days": days})
    return out[0], out[1]


def _stage_words(labels: dict | None, stage: Stage) -> dict:
    words = (labels or {}).get(stage.value) if isinstance(labels, dict) else None
    return words if isinstance(words, dict) else {}


# The formats pages asked for by strftime pattern before the locale did the spelling.
LEGACY_FORMATS = {"%a %d %b, %H:%M": "weekday", "%H:%M on %d %b": "day_time", "%d %b %Y": "medium"}


def local_time(value: datetime | date | None, firm: Firm | None = None, fmt: str = "medium") -> str:
    """A moment in the reader's zone (the candidate's on their pages, else the firm's) and
    locale; `fmt` is a portal.i18n.when format ("medium", "weekday", "day_time", "time")."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return i18n.day(value)
    return i18n.when(value, firm, LEGACY_FORMATS.get(fmt, fmt))


def local_date(value, firm: Firm | None = None) -> str:
    from portal import i18n

    return i18n.day(value, "medium", firm)


def render_email(
    firm: Firm, kind: str, *, language: str | None = None, zone: str | None = None, **context
) -> tuple[str, str, str]:
    """Subject, text and HTML of a message, from templates email/<kind>.txt and .html, in its
    reader's language and time zone.

    `language`: a language code (portal.i18n.email_language keeps it to the firm's languages);
    None: the `candidate`'s in the context, else the page's (a visitor's), else the firm's
    default. `zone` (templates read it as `email_zone`): None: the candidate's, else the firm's.
    The text template sets `subject`; the HTML one extends the branded email layout. The HTML
    ends with the email's recipe (portal.outbox.recipe): the worker renders it again at send
    time in its reader's language if that changed meanwhile.
    """
    from portal import i18n
    from portal.outbox import recipe

    candidate = context.get("candidate")
    lang = email_language_for(firm, language, candidate)
    env = current_app.jinja_env
    full = {"firm": firm, **context, "email_zone": email_zone(firm, zone, candidate)}
    with i18n.force_locale(lang):
        text_tmpl = env.get_template(f"email/{kind}.txt")
        module = text_tmpl.make_module(full)
        subject = " ".join(str(getattr(module, "subject", "")).split()) or firm.name
        text = str(module).strip() + "\n"
        try:
            html = render_template(f"email/{kind}.html", subject=subject, **full)
        except TemplateNotFound:
            html = render_template("email/generic.html", subject=subject, text_body=text, **full)
    return subject[:250], text, html + recipe.comment(kind, lang, context)


def email_language_for(firm: Firm, language: str | None, candidate=None) -> str:
    """The language of an email: `language`, else the candidate's, else (no reader known: a
    visitor's email) the page's, else the firm's default; always one the firm offers."""
    from portal import i18n

    if language:
        return i18n.email_language(firm, language)
    if candidate is not None:
        return i18n.email_language(firm, getattr(candidate, "language", None))
    if has_request_context():
        return i18n.email_language(firm, i18n.current_language())
    return i18n.email_language(firm, None)


def email_zone(firm: Firm, zone: str | None = None, candidate=None) -> str:
    """The time zone an email's reader reads times in: `zone`, else the candidate's, else the
    firm's (each only if it is a valid zone)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    for name in (zone, getattr(candidate, "timezone", None), getattr(firm, "timezone", None)):
        if name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return name
    return "UTC"


def time_range(start: datetime | None, minutes: int | None, firm: Firm | None, zone: str) -> str:
    """When something starts and ends, in `zone` and the current locale, with the zone's name:
    "Monday, October 26, 2026, 9:00 AM–10:00 AM (Europe/Berlin, CET)" (emails: an interview, a slot)."""
    from portal import i18n
    from portal.i18n import gettext as _

    if start is None:
        return ""
    begins = i18n.when(start, None, "full", zone)
    where = zone_words(start, zone)
    if not minutes:
        # Translators: a moment and the time zone it is read in: "Monday, October 26, 2026, 9:00 AM (Europe/Berlin, CET)"
        return _("%(start)s (%(zone)s)", start=begins, zone=where)
    ends = i18n.when(start + timedelta(minutes=minutes), firm, "time", zone)
    # Translators: a time range and the time zone it is read in: "Monday, October 26, 2026, 9:00 AM–10:00 AM (Europe/Berlin, CET)"
    return _("%(start)s–%(end)s (%(zone)s)", start=begins, end=ends, zone=where)


def zone_words(instant: datetime, zone: str) -> str:
    """A zone as a reader recognises it at `instant`: "Europe/Berlin, CET" (its abbreviation at that
    date, so that a daylight-saving change reads right), "America/New York", "Asia/Kolkata"."""
    from zoneinfo import ZoneInfo

    local = instant.astimezone(ZoneInfo(zone))
    name, abbreviation = zone.replace("_", " "), local.strftime("%Z")
    if abbreviation in (name, "") or abbreviation.startswith(("+", "-")):
        return name
    return f"{name}, {abbreviation}"


URL_CACHE_SIZE = 4096


def template_url_for(endpoint: str, **values) -> str:
    """`url_for` for templates, remembered per app, host, script root, endpoint and values.

    Every page's layout builds the same dozen links (style sheets, the navigation, sign-out);
    Flask builds each again on every request (about 10 to 20 us each). A URL depends only on
    those inputs while the app runs (its URL map is fixed once built, and Portal registers no
    `url_defaults`), so a link built once is reused. Anything else goes to Flask unchanged:
    no request (emails), a relative endpoint ('.x'), an option such as `_external`, values
    that cannot be a key, or an app with URL-default functions."""
    if endpoint[:1] == "." or not has_request_context():
        return url_for(endpoint, **values)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cache = app.extensions.get("portal_url_cache")
    if cache is None or (values and any(k[:1] == "_" for k in values)) or any(app.url_default_functions.values()):
        return url_for(endpoint, **values)
    req = request._get_current_object()  # type: ignore[attr-defined]  (one context lookup, not two)
    key = (
        (req.host, req.script_root, endpoint, *sorted(values.items()))
        if values
        else (req.host, req.script_root, endpoint)
    )
    try:
        url = cache.get(key)
    except TypeError:  # an unhashable value
        return url_for(endpoint, **values)
    if url is None:
        url = url_for(endpoint, **values)
        if len(cache) >= URL_CACHE_SIZE:
            cache.clear()
        cache[key] = url
    return url


def reply_day(firm: Firm, due_at: datetime | None) -> str:
    """The last day of a reply window ending at `due_at` (midnight after it, the firm's zone), as
    candidates and recruiters read it: "Monday 12 May" (in the reader's locale)."""
    if due_at is None:
        return ""
    from portal import i18n

    day = (due_at.astimezone(firm.zone) - timedelta(seconds=1)).date()
    return i18n.day(day, "weekday_long")


def init_app(app: Flask) -> None:
    from portal.web.forms import csrf_token

    # Flask-WTF's `csrf_token()` global, signed at most every few minutes per session.
    app.jinja_env.globals.update(
        candidate_stage_text=candidate_stage_text, external_url=external_url, csrf_token=csrf_token
    )
    app.context_processor(lambda: {"csrf_token": csrf_token})  # after Flask-WTF's, so it wins
    app.jinja_env.globals["conversation_due"] = reply_day  # "Monday 12 May": when a message is answered by
    app.jinja_env.globals["time_range"] = time_range  # emails: an interview's time in its reader's zone
    app.jinja_env.filters["local_time"] = local_time
    app.extensions["portal_url_cache"] = {}
    app.jinja_env.globals["url_for"] = template_url_for
    app.jinja_env.filters["local_date"] = local_date
