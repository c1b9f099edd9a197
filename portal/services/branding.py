"""Firm settings and branding: every value validated (portal/services/setting_values.py),
applied, and written to the audit log with the changed fields; nothing is applied when any
value is refused. Flushes, never commits."""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass

from flask import current_app
from PIL import Image, ImageOps
from sqlalchemy import func, select

from portal import storage
from portal.extensions import db
from portal.i18n import gettext as _
from portal.markdown import render_markdown
from portal.models import Firm, FirmDomain, Stage, User
from portal.models.candidacy import CANDIDATE_STAGE_TEXT
from portal.services import DomainError, NotFound, audit, disclosure, domains
from portal.services import firms as firm_service

# The checks live in setting_values; the names imported "as" themselves are re-exported for their callers.
from portal.services.setting_values import INT_RANGES as INT_RANGES
from portal.services.setting_values import STAGE_EXPLANATION_LIMIT as STAGE_EXPLANATION_LIMIT
from portal.services.setting_values import STAGE_LABEL_LIMIT as STAGE_LABEL_LIMIT
from portal.services.setting_values import TEXT_LIMITS as TEXT_LIMITS
from portal.services.setting_values import WELCOME_LIMIT as WELCOME_LIMIT
from portal.services.setting_values import InvalidSetting as InvalidSetting
from portal.services.setting_values import email_address, plain_text
from portal.services.setting_values import validate_setting as validate_setting

BRAND_FIELDS = (
    "name",
    "primary_color",
    "accent_color",
    "welcome_md",
    "privacy_notice_md",
    "retention_months",
    "support_email",
    "postal_address",
    "sender_name",
    "reply_to",
    "reply_domain",
    "careers_enabled",
    "public_figures",
)
RULE_FIELDS = (
    "timezone",
    "cadence_days",
    "checkin_weekday",
    "checkin_hour",
    "nurture_weeks",
    "availability_prompt_weeks",
    "reminder_first_hours",
    "reminder_second_hours",
    "feedback_window_days",
    "reply_window_days",
)
SETTING_FIELDS = BRAND_FIELDS + RULE_FIELDS

LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_SIDE = 4000  # pixels; larger uploads are refused before decoding
LOGO_MAX_PIXELS = 12_000_000
LOGO_MIN_SIDE = 16
LOGO_STORED_SIDE = 512  # what is kept: fits in 512 x 512
LOGO_FORMATS = ("PNG", "JPEG", "WEBP")
MAX_DOMAINS = 10


# ---------------------------------------------------------------- settings


def update_settings(firm: Firm, actor: User | None, **values) -> dict[str, tuple]:
    """Validate every value first, then apply what changed and log it. Returns the changes
    as {field: (old, new)}; nothing is applied when any value is refused."""
    clean = {name: validate_setting(name, value) for name, value in values.items()}
    first, second = clean.get("reminder_first_hours"), clean.get("reminder_second_hours")
    if first and second and second >= first:
        raise InvalidSetting(
            "reminder_second_hours", _("The second reminder comes closer to the interview: fewer hours than the first.")
        )
    if clean.get("reply_domain"):
        _check_reply_domain(firm, clean["reply_domain"])
    if clean.get("welcome_md"):
        refused = disclosure.firm_text_refusal(clean["welcome_md"], _("The welcome text"))
        if refused:
            raise InvalidSetting("welcome_md", refused)
    changes = {}
    for name, new in clean.items():
        old = getattr(firm, name)
        if old != new:
            changes[name] = (old, new)
    for name, (_old, new) in changes.items():
        setattr(firm, name, new)
    if "welcome_md" in changes:
        firm.welcome_html = render_markdown(firm.welcome_md) or None
    if "privacy_notice_md" in changes:
        firm.privacy_notice_html = render_markdown(firm.privacy_notice_md) or None
    if changes:
        audit.record(
            firm,
            actor,
            "settings.changed",
            target="settings",
            details={
                "changes": {
                    name: {"old": audit.short(old), "new": audit.short(new)} for name, (old, new) in changes.items()
                }
            },
        )
    db.session.flush()
    return changes


def _check_reply_domain(firm: Firm, domain: str) -> None:
    """A reply domain names one firm (the address of a reply decides whose it is): not the
    installation's shared reply domain, not another firm's."""
    if domain == (current_app.config.get("REPLY_DOMAIN") or ""):
        raise InvalidSetting(
            "reply_domain", _("%(domain)s is shared by every firm here: leave this empty to use it.", domain=domain)
        )
    taken = db.session.scalar(
        select(Firm.id).where(Firm.reply_domain == domain, Firm.id != firm.id).execution_options(all_firms=True)
    )
    if taken is not None:
        raise InvalidSetting("reply_domain", _("%(domain)s is already another portal's reply domain.", domain=domain))


def stage_texts(firm: Firm) -> dict[Stage, dict[str, str]]:
    """Each stage's candidate-facing label and explanation as the firm overrides them
    ('' where the default applies)."""
    custom = firm.stage_labels or {}
    return {
        s: {
            "label": (custom.get(s.value) or {}).get("label", ""),
            "explanation": (custom.get(s.value) or {}).get("explanation", ""),
        }
        for s in Stage
    }


def update_stage_labels(firm: Firm, actor: User | None, texts: dict[str, dict[str, str]]) -> dict[str, tuple]:
    """Set the candidate-facing words of the stages. An empty value (or the default text)
    means the product's default. Returns the changes as {"<stage>.<part>": (old, new)}."""
    limits = {"label": STAGE_LABEL_LIMIT, "explanation": STAGE_EXPLANATION_LIMIT}
    stored: dict[str, dict[str, str]] = {}
    for key, parts in texts.items():
        try:
            stage = Stage(key)
        except ValueError as exc:
            raise InvalidSetting(None, _("“%(key)s” is not a stage.", key=str(key)[:40])) from exc
        defaults = dict(zip(("label", "explanation"), CANDIDATE_STAGE_TEXT[stage], strict=True))
        entry = {}
        for part, limit in limits.items():
            value = plain_text(f"{key}-{part}", (parts or {}).get(part), limit)
            if value and value != defaults[part]:
                refused = disclosure.firm_text_refusal(value, _("The wording of “%(stage)s”", stage=stage.label))
                if refused:
                    raise InvalidSetting(f"{key}-{part}", refused)
                entry[part] = value
        if entry:
            stored[stage.value] = entry
    before = stage_texts(firm)
    firm.stage_labels = stored or None
    after = stage_texts(firm)
    changes = {}
    for stage in Stage:
        for part in ("label", "explanation"):
            if before[stage][part] != after[stage][part]:
                changes[f"{stage.value}.{part}"] = (before[stage][part] or None, after[stage][part] or None)
    if changes:
        audit.record(
            firm,
            actor,
            "settings.changed",
            target="stage wording",
            details={
                "changes": {
                    f"stage_labels.{k}": {"old": audit.short(o), "new": audit.short(n)} for k, (o, n) in changes.items()
                }
            },
        )
    db.session.flush()
    return changes


# ---------------------------------------------------------------- logo


@dataclass
class CleanLogo:
    data: bytes
    mime: str
    width: int
    height: int
    source_format: str


def clean_logo(data: bytes) -> CleanLogo:
    """Decode an uploaded PNG, JPEG or WebP and re-encode it as a fresh PNG (no metadata,
    at most 512 x 512). Anything else (HTML, SVG, a truncated or oversized image, a
    decompression bomb) is refused with a message for the admin."""
    if not data:
        raise InvalidSetting("logo", _("The file is empty."))
    if len(data) > LOGO_MAX_BYTES:
        raise InvalidSetting("logo", _("The logo may be at most %(kb)d KB.", kb=LOGO_MAX_BYTES // 1024))
    not_image = InvalidSetting("logo", _("This file is not a PNG, JPEG or WebP image."))
    too_big = InvalidSetting(
        "logo", _("The image is too large: at most %(side)d x %(side)d pixels, please.", side=LOGO_MAX_SIDE)
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img: Image.Image = Image.open(io.BytesIO(data), formats=LOGO_FORMATS)
            source_format = img.format
            width, height = img.size
            if width > LOGO_MAX_SIDE or height > LOGO_MAX_SIDE or width * height > LOGO_MAX_PIXELS:
                raise too_big
            if width < LOGO_MIN_SIDE or height < LOGO_MIN_SIDE:
                raise InvalidSetting(
                    "logo",
                    _("The image is too small: at least %(side)d x %(side)d pixels, please.", side=LOGO_MIN_SIDE),
                )
            img.load()
            img = ImageOps.exif_transpose(img)
            has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
            img = img.convert("RGBA" if has_alpha else "RGB")
            img.thumbnail((LOGO_STORED_SIDE, LOGO_STORED_SIDE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            img.save(out, format="PNG", optimize=True)
    except InvalidSetting:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise too_big from exc
    except Image.UnidentifiedImageError as exc:
        raise not_image from exc
    except (OSError, SyntaxError, ValueError, EOFError, TypeError, IndexError, MemoryError) as exc:
        raise InvalidSetting(
            "logo", _("This image could not be read; it may be damaged. Please save it again as PNG, JPEG or WebP.")
        ) from exc
    return CleanLogo(
        data=out.getvalue(), mime="image/png", width=img.width, height=img.height, source_format=source_format or ""
    )


def set_logo(firm: Firm, actor: User | None, data: bytes) -> CleanLogo:
    """Clean the image and keep it in the file storage (portal/storage.py); the previous logo's
    file goes once this change is committed."""
    logo = clean_logo(data)
    key = storage.file_key(firm.id, "logo", f"{secrets.token_hex(8)}.png")
    storage.save(key, logo.data, logo.mime)  # before the commit that references it; removed if it rolls back
    if firm.logo_key:
        storage.delete_after_commit(firm.logo_key)
    firm.logo_key = key
    firm.logo_mime = logo.mime
    firm.logo_version = (firm.logo_version or 0) + 1
    audit.record(
        firm,
        actor,
        "logo.uploaded",
        target="logo",
        details={"format": logo.source_format, "width": logo.width, "height": logo.height, "bytes": len(logo.data)},
    )
    db.session.flush()
    return logo


def remove_logo(firm: Firm, actor: User | None) -> None:
    if not firm.logo_mime:
        raise DomainError(_("There is no logo to remove."))
    if firm.logo_key:
        storage.delete_after_commit(firm.logo_key)
    firm.logo_key = None
    firm.logo_mime = None
    firm.logo_version = (firm.logo_version or 0) + 1
    audit.record(firm, actor, "logo.removed", target="logo")
    db.session.flush()


def logo_file(firm: Firm) -> bytes | None:
    """The firm's logo (PNG), or None when it has none (the default logo is shown)."""
    return storage.load(firm.logo_key) if firm.logo_key else None


# ---------------------------------------------------------------- domains


def list_domains(firm: Firm) -> list[FirmDomain]:
    return list(db.session.scalars(select(FirmDomain).where(FirmDomain.firm_id == firm.id).order_by(FirmDomain.domain)))


def add_domain(firm: Firm, actor: User | None, domain: str) -> FirmDomain:
    """Serve the firm on a custom domain. Unique across firms; never under the
    installation's own base domain, where the firm's slugs live."""
    name = (domain or "").strip().lower().rstrip(".")
    if len(name) > 253:
        raise InvalidSetting("domain", _("A domain name has at most 253 characters."))
    if not firm_service.DOMAIN.match(name):
        raise InvalidSetting("domain", _("Enter a domain name such as careers.example.com (no http://, no path)."))
    base = current_app.config.get("BASE_DOMAIN") or ""
    if base and (name == base or name.endswith("." + base)):
        raise InvalidSetting("domain", _("Domains under %(base)s are given by the firm's address already.", base=base))
    count = db.session.execute(
        select(func.count()).select_from(FirmDomain).where(FirmDomain.firm_id == firm.id)
    ).scalar_one()
    if count >= MAX_DOMAINS:
        raise InvalidSetting("domain", _("A firm can have at most %(num)d domains.", num=MAX_DOMAINS))
    try:
        row = firm_service.add_domain(firm, name)
    except DomainError as exc:
        raise InvalidSetting("domain", str(exc)) from exc
    audit.record(firm, actor, "domain.added", target=row.domain)
    return row


def get_domain(firm: Firm, domain_id: int) -> FirmDomain:
    row = db.session.scalar(select(FirmDomain).where(FirmDomain.id == domain_id, FirmDomain.firm_id == firm.id))
    if row is None:
        raise NotFound(_("No such domain."))
    return row


def verify_domain(firm: Firm, actor: User | None, domain_id: int) -> FirmDomain:
    """Check the domain's DNS TXT record now (services/domains.py)."""
    row = get_domain(firm, domain_id)
    domains.verify(firm, actor, row)
    return row


def remove_domain(firm: Firm, actor: User | None, domain_id: int) -> str:
    row = get_domain(firm, domain_id)
    name = row.domain
    db.session.delete(row)
    if "domains" in firm.__dict__ and row in firm.domains:
        firm.domains.remove(row)
    audit.record(firm, actor, "domain.removed", target=name)
    db.session.flush()
    return name


def find_domain(firm: Firm, name: str) -> FirmDomain:
    name = (name or "").strip().lower().rstrip(".")
    row = db.session.scalar(select(FirmDomain).where(FirmDomain.domain == name, FirmDomain.firm_id == firm.id))
    if row is None:
        raise NotFound(_("%(firm)s has no domain %(domain)s.", firm=firm.slug, domain=name))
    return row


# ---------------------------------------------------------------- operator


def set_sender_email(firm: Firm, actor: User | None, email: str | None) -> bool:
    """The address a firm's emails come from (operator only: the domain must allow this
    installation to send, SPF/DKIM). None: the installation's PORTAL_MAIL_FROM."""
    clean = email_address("sender_email", email)
    if clean == firm.sender_email:
        return False
    audit.record(
        firm,
        actor,
        "settings.changed",
        target="settings",
        details={"changes": {"sender_email": {"old": firm.sender_email, "new": clean}}},
    )
    firm.sender_email = clean
    db.session.flush()
    return True


def set_disabled(firm: Firm, actor: User | None, disabled: bool) -> bool:
    """Disable (every host of the firm answers 404) or enable a firm. Returns whether it changed."""
    if firm.disabled == disabled:
        return False
    firm.disabled = disabled
    audit.record(firm, actor, "firm.disabled" if disabled else "firm.enabled", target=firm.slug)
    db.session.flush()
    return True
