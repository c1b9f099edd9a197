"""Advertising a search on the careers site: the recruiter's switch ("Advertise on the careers
site", off by default), an optional last day, whether the pay range is published, and for a
confidential search the public summary shown instead of its client (required to advertise it,
and it may not name the client). `advertised_at` is set each time the switch goes on.

Called by portal/services/searches.py while it validates and saves the search form; flushes
nothing itself and never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from portal.i18n import gettext as _
from portal.models import Firm, Search, utcnow
from portal.models.search import Client
from portal.services import DomainError, disclosure
from portal.services.text import clean_line

SUMMARY_LIMIT = 300


@dataclass
class Advertising:
    """What the search form says about advertising (already parsed)."""

    advertised: bool = False
    advertise_until: date | None = None
    publish_pay: bool = False
    public_summary: str | None = None


def last_moment(firm: Firm, day: date) -> datetime:
    """The end of `day` in the firm's time zone, in UTC: a job advertised "until 31 March" is
    listed all of that day where the firm is."""
    end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=firm.zone)
    return end.astimezone(utcnow().tzinfo) - timedelta(seconds=1)


def last_day(firm: Firm, moment: datetime | None) -> date | None:
    """The firm's calendar day of `advertise_until` (what the form shows)."""
    return moment.astimezone(firm.zone).date() if moment is not None else None


def clean(firm: Firm, ad: Advertising, *, confidential: bool, was_until: datetime | None = None) -> dict:
    """The columns to set, or DomainError naming the field."""
    summary = clean_line(ad.public_summary, _("Public summary"), SUMMARY_LIMIT)
    until = last_moment(firm, ad.advertise_until) if ad.advertise_until is not None else None
    if until is not None and until <= utcnow() and until != was_until:
        raise DomainError(_("Advertise until: choose today or a later day (or leave it empty)."))
    if ad.advertised and confidential and not summary:
        raise DomainError(
            _(
                "Public summary: a confidential search is advertised without its client, so write what "
                "applicants read instead, e.g. “A fast-growing payments company in Berlin”."
            )
        )
    return dict(
        advertised=bool(ad.advertised), advertise_until=until, publish_pay=bool(ad.publish_pay), public_summary=summary
    )


def check_summary(values: dict, client: Client, confidential: bool) -> None:
    """A confidential search's public summary may not name its client (nor an alias)."""
    summary = values.get("public_summary")
    if confidential and summary:
        found = disclosure.find_names(summary, disclosure.client_names(client))
        if found:
            raise DomainError(
                _(
                    "Public summary: it names the confidential client (“%(name)s”); everyone can read it. "
                    "Describe the company without its name, e.g. “a leading retailer”.",
                    name=found[0],
                )
            )


def apply(search: Search, values: dict) -> None:
    """Set the columns; `advertised_at` marks each time the switch goes on."""
    if values["advertised"] and not search.advertised:
        search.advertised_at = utcnow()
    for key, value in values.items():
        setattr(search, key, value)
