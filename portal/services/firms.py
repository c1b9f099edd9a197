"""Firms (tenants), their domains and their users' accounts. Flushes, never commits; adding a
domain proves nothing (it serves the firm only once portal.services.domains verifies it)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Firm, FirmDomain, Role, User
from portal.services import DomainError
from portal.services.accounts import normalise_email, validate_password

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
RESERVED_SLUGS = {"www", "admin", "api", "static", "mail"}


def create_firm(name: str, slug: str, domains: list[str] | None = None, **brand) -> Firm:
    slug = (slug or "").strip().lower()
    if not SLUG.match(slug) or slug in RESERVED_SLUGS:
        raise DomainError(_("The slug must be 1-63 lowercase letters, digits or hyphens, and not reserved."))
    if not (name or "").strip() or len(name) > 120:
        raise DomainError(_("The firm needs a name of at most 120 characters."))
    if db.session.scalar(select(Firm.id).where(Firm.slug == slug)):
        raise DomainError(_("A firm with the slug “%(slug)s” exists already.", slug=slug))
    firm = Firm(name=name.strip(), slug=slug, **brand)
    db.session.add(firm)
    db.session.flush()
    for d in domains or []:
        add_domain(firm, d)
    return firm


def add_domain(firm: Firm, domain: str) -> FirmDomain:
    """Claim a custom domain for the firm: pending (serving nothing) until a DNS TXT record
    proves control (services/domains.py). Another firm's claim, even a verified one, does
    not block it: the DNS decides who the domain serves."""
    domain = (domain or "").strip().lower().rstrip(".")
    if not DOMAIN.match(domain):
        raise DomainError(_("“%(domain)s” is not a valid domain name.", domain=domain[:260]))
    if _claimed_by(firm, domain):
        raise DomainError(_("%(domain)s is already on this firm's list.", domain=domain))
    row = FirmDomain(firm_id=firm.id, domain=domain)
    # The same firm adding the name twice at the same instant: the unique constraint decides,
    # inside a savepoint so the request goes on.
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        raise DomainError(_("%(domain)s is already on this firm's list.", domain=domain)) from None
    return row


def _claimed_by(firm: Firm, domain: str) -> bool:
    return (
        db.session.scalar(select(FirmDomain.id).where(FirmDomain.firm_id == firm.id, FirmDomain.domain == domain))
        is not None
    )


def create_user(firm: Firm, *, email: str, name: str, role: Role, password: str | None = None) -> User:
    email = normalise_email(email)
    if not email or "@" not in email or len(email) > 254:
        raise DomainError(_("Enter a valid email address."))
    if not (name or "").strip() or len(name) > 120:
        raise DomainError(_("Enter a name of at most 120 characters."))
    exists = db.session.scalar(select(User.id).where(User.firm_id == firm.id, User.email == email))
    if exists:
        raise DomainError(_("%(email)s already has an account here.", email=email))
    user = User(firm_id=firm.id, email=email, name=name.strip(), role=role)
    if password is not None:
        validate_password(password, email=email, firm=firm)
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user
