"""Personal referral links for the careers site: a signed-in candidate shares an advertised job
with `?ref=<token>`; an application through it is recorded as referred by them (the Application's
source and referrer) and the way the portal's referral feature records one (a CandidateUpdate of
kind REFERRAL on the referrer, which the recruiter sees on needs-attention and the candidate page).

The token is an HMAC of the firm and candidate ids under the app's secret key: unguessable, the
same for a candidate every time, nothing stored. It must never reveal anything to the person who
applies through it, never name a deleted candidate, and never commit."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app

from portal.extensions import db
from portal.i18n import firm_default, force_locale
from portal.i18n import gettext as _
from portal.models import Candidate, CandidateUpdate, Firm, Search, UpdateKind, utcnow
from portal.services.careers_open import is_open_for_applications
from portal.web.templating import external_url

MAX_REF = 80


def _signature(firm_id: int, candidate_id: int) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"careers-referral:{firm_id}:{candidate_id}".encode(), hashlib.sha256).hexdigest()
    return digest[:32]


def token_for(candidate: Candidate) -> str:
    """The candidate's personal referral token (the same every time)."""
    return f"{candidate.id}-{_signature(candidate.firm_id, candidate.id)}"


def share_url(firm: Firm, candidate: Candidate, search: Search) -> str | None:
    """The candidate's personal link to an advertised, open search: the careers job page
    (/careers/jobs/<id>?ref=...) where the site has one, else the job's application form.
    None when the search takes no applications (or the candidate deleted their account)."""
    if candidate.deleted_at is not None or not is_open_for_applications(search):
        return None
    endpoint = next(
        (r.endpoint for r in current_app.url_map.iter_rules() if r.rule == "/careers/jobs/<int:search_id>"),
        "careers.apply",
    )
    return external_url(firm, endpoint, search_id=search.id, ref=token_for(candidate))


def share_for(firm: Firm, candidate: Candidate, search_id: int) -> str | None:
    """`share_url` for a search of this firm by id (None for another firm's or an unknown id)."""
    search = db.session.get(Search, search_id)
    return share_url(firm, candidate, search) if search is not None else None


def referrer_for(token: str | None) -> Candidate | None:
    """The candidate of the current firm whose valid token this is, else None (a wrong, forged or
    another firm's token is simply ignored: the application goes through unreferred)."""
    token = (token or "").strip()
    if not token or len(token) > MAX_REF or "-" not in token:
        return None
    raw_id, _dash, signature = token.partition("-")
    if not raw_id.isdigit() or len(raw_id) > 12:
        return None
    candidate = db.session.get(Candidate, int(raw_id))  # the tenant filter: this firm's only
    if candidate is None or candidate.deleted_at is not None:
        return None
    if not hmac.compare_digest(signature, _signature(candidate.firm_id, candidate.id)):
        return None
    return candidate


def record_referral(firm: Firm, referrer: Candidate, applicant: Candidate, search: Search | None) -> CandidateUpdate:
    """Record, as today's referral feature does, that `referrer` brought `applicant`."""
    with force_locale(firm_default(firm)):  # the recruiters' record, in the firm's language
        if search is not None:
            body = _(
                "%(applicant)s applied for %(role)s through %(referrer)s's referral link on the careers site.",
                applicant=applicant.name,
                role=search.title,
                referrer=referrer.name,
            )
        else:
            body = _(
                "%(applicant)s joined the talent pool through %(referrer)s's referral link on the careers site.",
                applicant=applicant.name,
                referrer=referrer.name,
            )
    update = CandidateUpdate(
        firm_id=firm.id,
        candidate_id=referrer.id,
        kind=UpdateKind.REFERRAL,
        body=body,
        search_id=search.id if search is not None else None,
        referral_name=applicant.name,
        referral_email=applicant.email,
        created_at=utcnow(),
    )
    db.session.add(update)
    db.session.flush()
    return update
