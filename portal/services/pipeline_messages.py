"""The candidate's messages about their candidacy: a stage move they can see, and the
close-the-loop message (the reason the recruiter gave, and roles that fit better).

Both go through the outbox with a grace window and the candidacy's coalesce key, so that
changes made close together reach the candidate as one email and an undo can cancel its own.
It only records messages in the caller's transaction: it never commits, never sends, and
never decides whether the candidate hears about a change (portal.services.pipeline does).

The context is data (rows, the stage, portal.phrases words): the email is rendered in the
candidate's language, again at send time if that changed.
"""

from __future__ import annotations

from portal import outbox
from portal.models import Candidacy, Firm, StageChange, User
from portal.outbox import links
from portal.phrases import Phrase
from portal.phrases import lazy as _l
from portal.services import consent as consent_service
from portal.services import recruiter_profile


def coalesce_key(candidacy: Candidacy) -> str:
    return f"candidacy:{candidacy.id}"


def client_for_candidate(candidacy: Candidacy) -> str | Phrase:
    """The client as the candidate may read it: its name, or (a confidential client they were not
    told) "Confidential client" in their language (search.client_name_for_candidate's rule)."""
    search = candidacy.search
    if search.confidential and not consent_service.client_revealed(candidacy):
        # Translators: shown to a candidate instead of a confidential client's name
        return _l("Confidential client")
    return search.client.name


def recruiter_for(candidacy: Candidacy) -> User | None:
    """The recruiter the candidate's email names: the one rule (services/recruiter_profile.py)."""
    return recruiter_profile.recruiter_for_candidacy(candidacy)


def notify_stage(firm: Firm, actor: User, candidacy: Candidacy, change: StageChange) -> None:
    outbox.record_for_candidacy(
        firm,
        candidacy,
        kind="stage_changed",
        dedupe_key=f"stage:{change.id}",
        grace=True,
        coalesce_key=coalesce_key(candidacy),
        context={
            "candidacy": candidacy,
            "search": candidacy.search,
            "stage": change.to_stage,
            "recruiter": recruiter_for(candidacy) or actor,
            "client_name": client_for_candidate(candidacy),
            "link": links.search(firm, candidacy.id),
        },
    )


def better_fits(firm: Firm, candidacy: Candidacy, limit: int = 3) -> list:
    """Up to three open roles that fit the candidate better (matching service)."""
    from portal.services import matching

    matches = matching.roles_for_candidate(firm, candidacy.candidate, limit=limit + 1)
    return [m for m in matches if m.search is not None and m.search.id != candidacy.search_id][:limit]


def notify_closed(firm: Firm, actor: User, candidacy: Candidacy, change: StageChange) -> None:
    outbox.record_for_candidacy(
        firm,
        candidacy,
        kind="candidacy_closed",
        dedupe_key=f"close:{candidacy.id}:{change.id}",
        grace=True,
        coalesce_key=coalesce_key(candidacy),
        context={
            "candidacy": candidacy,
            "search": candidacy.search,
            "reason": candidacy.close_reason,
            "explanation": candidacy.close_explanation,
            "recruiter": recruiter_for(candidacy) or actor,
            "client_name": candidacy.search.client_name_for_candidate(consent_service.client_revealed(candidacy)),
            # The roles' searches only: what the email shows (and what it keeps to render it
            # again at send time; a match's reasons hold recruiter-only words).
            "better_fits": [m.search for m in better_fits(firm, candidacy)],
            "link": links.search(firm, candidacy.id),
        },
    )
