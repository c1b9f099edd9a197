"""Proof that a firm controls a custom domain: a DNS TXT record with the firm's token.

A domain serves a firm only once verified here. Never trusts anything but the DNS answer:
claiming a name first gives nothing, so nobody can block a domain's real owner. The reason a check
failed is kept on the row in the language of the admin's page that checked (the worker's hourly
check writes English)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import dns.exception
import dns.name
import dns.resolver
from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Firm, FirmDomain, User, utcnow
from portal.services import DomainError, audit
from portal.tenancy import all_firms

log = logging.getLogger(__name__)

RECORD_LABEL = "_portal-verification"
VALUE_PREFIX = "portal-verification="
# The worker re-checks pending domains on its hourly tick for this long after they were added.
AUTO_CHECK_DAYS = 7


class DomainCheckFailed(DomainError):
    """The DNS answer did not prove control; the message says what to fix."""


@dataclass(frozen=True)
class DnsRecord:
    """What the admin must publish: a TXT record `name` with `value`."""

    name: str
    value: str


def record_for(row: FirmDomain) -> DnsRecord:
    return DnsRecord(name=f"{RECORD_LABEL}.{row.domain}", value=f"{VALUE_PREFIX}{row.verification_token}")


def _resolver() -> dns.resolver.Resolver:
    """The configured resolver (PORTAL_DNS_RESOLVER: "host[:port]", comma-separated), else the system's."""
    configured = [part.strip() for part in (current_app.config.get("DNS_RESOLVER") or "").split(",") if part.strip()]
    resolver = dns.resolver.Resolver(configure=not configured)
    if configured:
        servers, ports = [], set()
        for entry in configured:
            host, port = entry, 53
            if entry.count(":") == 1:  # host:port (a bare IPv6 address has several colons)
                host, _, raw_port = entry.partition(":")
                port = int(raw_port)
            servers.append(host.strip("[]"))
            ports.add(port)
        resolver.nameservers = servers
        resolver.port = ports.pop() if len(ports) == 1 else 53
    timeout = float(current_app.config.get("DNS_TIMEOUT") or 5)
    resolver.timeout = resolver.lifetime = timeout
    resolver.cache = None  # an admin who just added the record must not see an old "no record"
    return resolver


def txt_values(name: str) -> set[str]:
    """Every TXT string published at `name` (several strings of one record are joined)."""
    try:
        answer = _resolver().resolve(dns.name.from_text(name), "TXT", raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return set()
    except (dns.resolver.NoNameservers, dns.exception.Timeout) as exc:
        log.info("DNS lookup of %s failed: %s", name, exc)
        raise DomainCheckFailed(_("The DNS servers did not answer in time. Try again in a few minutes.")) from exc
    except dns.exception.DNSException as exc:
        log.info("DNS lookup of %s failed: %s", name, exc)
        raise DomainCheckFailed(_("The DNS lookup failed. Check the domain name and try again.")) from exc
    values = set()
    for rdata in answer.rrset or []:
        values.add(b"".join(rdata.strings).decode("utf-8", "replace").strip())
    return values


def _proved(row: FirmDomain, published: set[str]) -> bool:
    return record_for(row).value in published


def verify(firm: Firm, actor: User | None, row: FirmDomain) -> bool:
    """Check the DNS now; mark the domain verified when its TXT record is there. Returns
    whether it is verified. A failed check keeps the reason on the row for the admin.

    If another firm holds the name verified but no longer publishes its own record, the
    name moves to the firm that proves it now (the other firm's claim goes back to pending).
    """
    if row.verified_at is not None:
        return True
    now = utcnow()
    row.last_checked_at = now
    record = record_for(row)
    try:
        published = txt_values(record.name)
    except DomainCheckFailed as exc:
        row.last_check_error = str(exc)
        db.session.flush()
        return False
    if not _proved(row, published):
        row.last_check_error = _(
            "No TXT record %(value)s found at %(name)s yet. DNS changes can take up to an hour to show.",
            value=record.value,
            name=record.name,
        )
        db.session.flush()
        return False
    with all_firms():
        holders = list(
            db.session.scalars(
                select(FirmDomain).where(
                    FirmDomain.domain == row.domain, FirmDomain.verified_at.is_not(None), FirmDomain.id != row.id
                )
            )
        )
        for other in holders:
            if _proved(other, published):
                row.last_check_error = _(
                    "%(domain)s is verified by another portal whose record is still published.", domain=row.domain
                )
                db.session.flush()
                return False
            db.session.execute(
                update(FirmDomain)
                .where(FirmDomain.id == other.id, FirmDomain.firm_id == other.firm_id)
                .values(verified_at=None, last_check_error=_("Another portal proved control of this domain."))
                .execution_options(synchronize_session="fetch")
            )
            other_firm = db.session.get_one(Firm, other.firm_id)
            audit.record(other_firm, None, "domain.lost", target=other.domain)
    try:
        with db.session.begin_nested():
            row.verified_at = now
            row.last_check_error = None
            db.session.flush()
    except IntegrityError:  # another firm verified the same name at the same instant
        row.verified_at = None
        row.last_check_error = _("%(domain)s was verified by another portal at the same moment.", domain=row.domain)
        db.session.flush()
        return False
    audit.record(firm, actor, "domain.verified", target=row.domain)
    return True


def pending_ids(now=None) -> list[tuple[int, int]]:
    """(firm id, domain id) of pending domains still worth checking automatically."""
    since = (now or utcnow()) - timedelta(days=AUTO_CHECK_DAYS)
    with all_firms():
        return [
            (r.firm_id, r.id)
            for r in db.session.execute(
                select(FirmDomain.firm_id, FirmDomain.id)
                .join(Firm, Firm.id == FirmDomain.firm_id)
                .where(FirmDomain.verified_at.is_(None), FirmDomain.created_at >= since, Firm.disabled.is_(False))
                .order_by(FirmDomain.id)
            )
        ]
