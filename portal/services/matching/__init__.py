"""Matching: roles for a candidate and candidates for a search, scored and explained. The
package's public names are re-exported here; it holds no rules of its own and never commits.

Both directions ask one question, "how well does this person fit this role?", and share one
scoring function (`_score`). The score (0..100) is the sum of six parts:

    skills        55  weighted coverage of the search's skills: required count 3, nice 1
    seniority     12  same level full, one level apart half, further none
    location      10  role city among the candidate's places; remote roles always fit
    remote         8  the search's remote policy against the candidate's preference
    pay            8  expectation inside or below the range full; up to 10 % above half
    availability   7  actively looking > open to offers > not looking; far-off start lowers

Skills lead: a person is only suggested when they share at least one skill with the role.
Because the skill part is a weighted coverage ratio, adding a required skill the candidate
has never lowers the score, and adding one they lack never raises it.

Hard rules: filled and cancelled searches never match; searches on hold are not offered to
candidates (nothing can happen on them) but a recruiter still sees suggestions for their own
on-hold search; a candidate already in a search (at any stage) is not suggested for it;
deleted candidates never match; another firm's rows never (explicit firm filters on top of
the tenant filter). An earlier closed, declined or placed candidacy with the same client in
the last 12 months is a warning on the result, never a reason to hide it.

Fast by design: the shortlist comes from SQL over the (firm_id, skill_id, ...) indexes, the
overlap is aggregated in the database (GROUP BY, ORDER BY, LIMIT), and only the shortlist
(`SHORTLIST` or `ROLE_SHORTLIST` rows) is scored in Python; skill names and the searches (ORM
objects) are loaded for the final results only, and the people come from the shortlist rows
(`PersonBrief`). The query count is constant, whatever the number of results. A large
search keeps its best overlaps ready in its match pool (`pools.py`), kept exact on
every skill change; the shortlist then reads the pool instead of aggregating.

The modules, each importing only those before it:

    words      names, days, money and places in words
    results    Match, Reasons, Fit, MatchWarning, PersonBrief, MatchFilters
    facts      the plain snapshot of what scoring reads from a person or a role
    scoring    the six parts and the score, in Python
    prescore   the same score approximated in SQL, to rank the shortlist
    sql        the statements (shortlist, skills, warnings) and how many rows they keep
    suggest    explain, candidates_for_search, roles_for_candidate
    pools      the match pools of large searches

The row counts (`OVERLAP_CAP`, `SHORTLIST`, `ROLE_SHORTLIST`, `WARNING_DAYS`) live in sql.py and
are read from there at call time: `matching.OVERLAP_CAP` reads them, and a test or a bench that
changes one sets it on `matching.sql`.
"""

from __future__ import annotations

from portal.services.matching import pools, sql
from portal.services.matching.results import Fit, Match, MatchFilters, MatchWarning, PersonBrief, Reasons
from portal.services.matching.scoring import (
    FAR_START_DAYS,
    GOOD,
    NICE_WEIGHT,
    PARTIAL,
    POINTS,
    POOR,
    REQUIRED_WEIGHT,
    UNKNOWN,
)
from portal.services.matching.sql import MASK_BITS, SEARCH_SKILL_WEIGHT
from portal.services.matching.suggest import candidates_for_search, explain, roles_for_candidate
from portal.services.matching.words import OPEN_TO_ANY_PLACE, REMOTE_WORDS

_ROW_COUNTS = ("OVERLAP_CAP", "SHORTLIST", "ROLE_SHORTLIST", "WARNING_DAYS")

__all__ = [
    "FAR_START_DAYS",
    "GOOD",
    "MASK_BITS",
    "NICE_WEIGHT",
    "OPEN_TO_ANY_PLACE",
    "PARTIAL",
    "POINTS",
    "POOR",
    "REMOTE_WORDS",
    "REQUIRED_WEIGHT",
    "SEARCH_SKILL_WEIGHT",
    "UNKNOWN",
    "OVERLAP_CAP",
    "SHORTLIST",
    "ROLE_SHORTLIST",
    "WARNING_DAYS",
    "Fit",
    "Match",
    "MatchFilters",
    "MatchWarning",
    "PersonBrief",
    "Reasons",
    "candidates_for_search",
    "explain",
    "roles_for_candidate",
    "pools",
    "sql",
]


def __getattr__(name: str):
    """The row counts, read from sql.py when asked (a copy here would miss a change made there)."""
    if name in _ROW_COUNTS:
        return getattr(sql, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
