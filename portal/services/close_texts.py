"""What each candidate reads when a search closes: the close-the-loop explanation for each open
candidacy (for a confidential search, the version without the client's name for those not told
it) and the preview of who reads what. It only reads and checks; it never writes or sends
(portal.services.pipeline closes the candidacies).

Its words are the recruiter's page's (gettext at call time, in the page's language); what the
candidates read is the recruiter's own explanation, sent in the close-the-loop email.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import OPEN_STAGES, Candidacy, Candidate, Search
from portal.services import DomainError, disclosure

MAX_EXPLANATION = 5000


def for_candidacies(
    search: Search, explanation: str, untold_explanation: str | None, candidacy_ids: list[int]
) -> dict[int, str]:
    """The explanation each open candidacy reads when the search closes: the one written,
    or for candidates not told a confidential client, the version without its name."""
    if not search.confidential or not candidacy_ids:
        return {}
    people = disclosure.readers(candidacy_ids)
    untold_ids = [r.candidacy_id for r in people if not r.told]
    if untold_explanation is not None and untold_ids:
        untold_explanation = untold_explanation.strip()
        if len(untold_explanation) > MAX_EXPLANATION:
            raise DomainError(_("Please keep the explanation under %(num)d characters.", num=MAX_EXPLANATION))
        finding = disclosure.check(search, untold_explanation, untold_ids, known=people)
        if finding.refused:
            raise disclosure.ClientNamed(search, finding, untold_explanation, what=_untold_version())
        return {cid: untold_explanation for cid in untold_ids}
    finding = disclosure.check(search, explanation, candidacy_ids, known=people)
    if finding.refused:
        raise disclosure.ClientNamed(search, finding, explanation, what=_your_explanation())
    return {}


def _untold_version() -> str:
    # Translators: the start of an error on the close-the-search form: "… names the confidential
    # client (“Globex”), and Anna Berg has not been told who the client is."
    return _("The version for candidates who were not told")


def _your_explanation() -> str:
    # Translators: the start of an error on the close-the-search form: "… names the confidential
    # client (“Globex”), and Anna Berg has not been told who the client is."
    return _("Your explanation")


@dataclass
class CloseGroup:
    """Candidates who read the same thing when the search closes."""

    key: str  # "open", "told", "untold" or "closed"
    title: str
    names: list[str]
    explanation: str | None  # what they read (None: they are not written to now)
    client_name: str | None = None  # the client as they see it in the message


@dataclass
class ClosePreview:
    groups: list[CloseGroup] = field(default_factory=list)
    open_count: int = 0
    refused: disclosure.ClientNamed | None = None
    untold_version: bool = False  # a separate version for candidates who were not told


def close_preview(search: Search, explanation: str, untold_explanation: str | None = None) -> ClosePreview:
    """Who will read what if the search closes now (nothing is written): the open
    candidacies (for a confidential search split into told / not told the client, with the
    text each reads) and those already closed, who are not written to. Three statements."""
    explanation = (explanation or "").strip()
    rows = db.session.execute(
        select(Candidacy.id, Candidacy.stage, Candidate.name)
        .join(Candidate, Candidate.id == Candidacy.candidate_id)
        .where(Candidacy.search_id == search.id)
        .order_by(Candidate.name, Candidacy.id)
    ).all()
    open_rows = [r for r in rows if r.stage in OPEN_STAGES]
    closed_names = [r.name for r in rows if r.stage not in OPEN_STAGES]
    out = ClosePreview(open_count=len(open_rows))
    if not search.confidential:
        if open_rows:
            out.groups.append(
                CloseGroup(
                    "open",
                    # Translators: a heading on the recruiter's close-the-search preview, above the candidates' names
                    _("Open candidacies: closed, and each candidate is told"),
                    [r.name for r in open_rows],
                    explanation,
                    search.client.name,
                )
            )
    else:
        told = disclosure.told_ids([r.id for r in open_rows])
        told_names = [r.name for r in open_rows if r.id in told]
        untold_rows = [r for r in open_rows if r.id not in told]
        people = [disclosure.Reader(r.id, r.name, r.id in told) for r in open_rows]
        untold_text = explanation
        if untold_explanation is not None and untold_rows:
            out.untold_version = True
            untold_text = untold_explanation.strip()
            finding = disclosure.check(search, untold_text, [], known=[p for p in people if not p.told])
            if finding.refused:
                out.refused = disclosure.ClientNamed(search, finding, untold_text, what=_untold_version())
        else:
            finding = disclosure.check(search, explanation, [], known=people)
            if finding.refused:
                out.refused = disclosure.ClientNamed(search, finding, explanation, what=_your_explanation())
        if told_names:
            out.groups.append(
                CloseGroup(
                    "told",
                    # Translators: a heading on the recruiter's close-the-search preview, above the candidates' names
                    _("Open candidacies, told who the client is: closed, and each is told"),
                    told_names,
                    explanation,
                    search.client.name,
                )
            )
        if untold_rows:
            out.groups.append(
                CloseGroup(
                    "untold",
                    # Translators: a heading on the recruiter's close-the-search preview, above the candidates' names
                    _("Open candidacies, not told who the client is: closed, and each is told"),
                    [r.name for r in untold_rows],
                    untold_text,
                    search.client_name_for_candidate(False),
                )
            )
    if closed_names:
        out.groups.append(
            CloseGroup(
                "closed",
                # Translators: a heading on the recruiter's close-the-search preview, above the candidates' names
                _("Already closed or placed: not written to again"),
                closed_names,
                None,
            )
        )
    return out
