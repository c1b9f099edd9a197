"""Where each email links: the page it is about, on the firm's own host (issue 15, "every
email deep-links"). One function per target, so every message kind names its own page:

- candidate: a consent request -> that consent; feedback -> that feedback on its search page;
  a stage change or a closed candidacy -> that search; a check-in -> the candidate's home; a
  role suggestion -> that role; an availability prompt -> the availability form; an interview
  invitation -> the interview's preparation page (where a proposed time is picked).
- recruiter: the candidacy, the candidate, or the dashboard section the email is about.

A link is a plain page address. It never carries a credential (a token, a signed value, a
user id that opens anything): a signed-out visitor is sent to sign in (with `next` = the path)
and another signed-in candidate gets a 404, so a forwarded email lets nobody in. Credential
links (invitation, reset, sign-in) are minted by the worker at send time, never here.
"""

from __future__ import annotations

from flask import current_app
from werkzeug.routing import BuildError

from portal.models import Firm
from portal.web.templating import external_url

# A role's own page for the candidate, once the product has one (/me/roles/<search id>);
# until then the role's card on the roles list (its anchor `role-<id>`).
ROLE_PAGE = "candidate.role"


# ---------------------------------------------------------------- candidate pages


def candidate_home(firm: Firm) -> str:
    return external_url(firm, "candidate.home")


def conversation(firm: Firm) -> str:
    """The write box of the candidate's conversation (the "Reply" link of every email to them)."""
    return external_url(firm, "candidate.messages") + "#write"


def consent(firm: Firm, consent_id: int) -> str:
    return external_url(firm, "candidate.consent", consent_id=consent_id)


def search(firm: Firm, candidacy_id: int) -> str:
    """The candidate's page of one search (their candidacy)."""
    return external_url(firm, "candidate.candidacy", candidacy_id=candidacy_id)


def feedback(firm: Firm, candidacy_id: int, feedback_id: int) -> str:
    """One feedback note, on its search's page (the note's anchor `feedback-<id>`)."""
    return f"{search(firm, candidacy_id)}#feedback-{feedback_id}"


def interview(firm: Firm, interview_id: int) -> str:
    """An interview's preparation page (its slots to pick from at `#pick`)."""
    return external_url(firm, "candidate.interview", interview_id=interview_id)


def roles(firm: Firm) -> str:
    return external_url(firm, "candidate.roles")


def role(firm: Firm, search_id: int) -> str:
    """One suggested role: its own page if there is one, else its card on the roles list."""
    if ROLE_PAGE in current_app.view_functions:
        try:
            return external_url(firm, ROLE_PAGE, search_id=search_id)
        except BuildError:  # a role page that takes other arguments: the list still works
            pass
    return f"{roles(firm)}#role-{search_id}"


def office_hours(firm: Firm) -> str:
    """The candidate's office-hours page (their bookings, and free times to book)."""
    return external_url(firm, "candidate.office_hours")


def availability(firm: Firm) -> str:
    """The "is this still right?" form on the candidate's profile page."""
    return f"{external_url(firm, 'candidate.profile')}#confirmed"


# ---------------------------------------------------------------- recruiter pages


def recruiter_candidacy(firm: Firm, candidacy_id: int) -> str:
    return external_url(firm, "recruiter.candidacy", candidacy_id=candidacy_id)


def recruiter_candidate(firm: Firm, candidate_id: int) -> str:
    return external_url(firm, "recruiter.candidate_detail", candidate_id=candidate_id)


def recruiter_message(firm: Firm, message_id: int) -> str:
    return external_url(firm, "recruiter.message_detail", message_id=message_id)


def recruiter_office_hours(firm: Firm) -> str:
    return external_url(firm, "recruiter.office_hours")


def dashboard(firm: Firm, section: str | None = None) -> str:
    """The recruiter's dashboard, at one of its sections (unreachable, overdue, consents,
    interests, updates, failed) when given."""
    url = external_url(firm, "recruiter.dashboard")
    return f"{url}#{section}" if section else url
