"""Whether a search takes applications on the careers site: advertised, open, not past its
advertising end. One rule shared by applying (portal.services.applications) and referral links
(portal.services.referrals). Reads a Search only: never queries, never writes."""

from __future__ import annotations

from portal.models import Search, SearchState, utcnow


def is_open_for_applications(search: Search | None) -> bool:
    if search is None or not search.advertised or search.state != SearchState.OPEN:
        return False
    return search.advertise_until is None or search.advertise_until > utcnow()
