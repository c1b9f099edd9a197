"""CSV exports for recruiters: the talent pool (with the page's filters) and a search's pipeline.

Rows are streamed: one SELECT per export whatever its size (tags, skills, owner and open
searches come from correlated subqueries, never one query per row), read in chunks of
CHUNK rows through a server-side cursor (`yield_per`), written out as they come, so 100,000
rows take the memory of a few thousand (on a session of its own: the rows are read while the
response is sent, after the request's session has ended). Every cell is made safe for spreadsheets (`cell`):
text that a spreadsheet would run as a formula starts with a quote. Reads only; the views
audit each export and stream the response."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from enum import Enum

from sqlalchemy import func, select

from portal.i18n import lazy as _l
from portal.models import (
    OPEN_STAGES,
    Candidacy,
    Candidate,
    CandidateSkill,
    CandidateTag,
    Consent,
    Firm,
    Search,
    Skill,
    Stage,
    User,
)
from portal.services import talent_pool
from portal.transaction import separate

CHUNK = 1000
FLUSH_BYTES = 64 * 1024
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")

# The column headers, in the reader's language (a download is written in its request).
POOL_HEADER = [
    _l("ID"),
    _l("Name"),
    _l("Email"),
    _l("Phone"),
    _l("Headline"),
    _l("Location"),
    _l("Seniority"),
    _l("Job seeking"),
    _l("Tags"),
    _l("Skills"),
    _l("Owner"),
    _l("Open searches"),
    _l("Last contacted (UTC)"),
    _l("Added (UTC)"),
]
PIPELINE_HEADER = [
    _l("Candidacy ID"),
    _l("Candidate ID"),
    _l("Name"),
    _l("Email"),
    _l("Phone"),
    _l("Headline"),
    _l("Stage"),
    _l("Stage since (UTC)"),
    _l("Close reason"),
    _l("Closed (UTC)"),
    _l("Consent"),
]


def cell(value) -> str:
    """A value as a safe CSV cell: no NUL, line breaks as \\n, and text starting with
    = + - @ (or a tab or line break) gets a leading ' so no spreadsheet runs it as a formula."""
    if value is None:
        return ""
    if type(value) is int:
        return str(value)
    if isinstance(value, Enum):
        value = getattr(value, "label", value.value)
    elif isinstance(value, datetime):
        value = value.strftime("%Y-%m-%d %H:%M")
    elif isinstance(value, date):
        value = value.isoformat()
    text = str(value)
    if "\x00" in text or "\r" in text:
        text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith(FORMULA_START):
        text = "'" + text
    return text


def write_csv(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The CSV text in pieces of about FLUSH_BYTES (a UTF-8 BOM first, for spreadsheets)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    buf.write("\ufeff")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(v) for v in row])
        if buf.tell() >= FLUSH_BYTES:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def filename(firm: Firm, *parts: str, today: date | None = None) -> str:
    """firm-slug-what-2026-12-07.csv: ASCII letters, digits and dashes only."""
    words = "-".join([firm.slug, *parts, (today or date.today()).isoformat()])
    return re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")[:120] + ".csv"


def streamed(firm_id: int, stmt) -> Iterator:
    """The rows of `stmt` through a server-side cursor, CHUNK at a time, on a read-only session
    of its own bound to the firm (transaction.separate): the rows are read while the response
    is being sent, after the request's own session has ended. The callers are generators, so
    the query runs only when the download starts."""
    with separate(firm_id) as session:
        yield from session.execute(stmt.execution_options(yield_per=CHUNK))


def talent_pool_rows(firm: Firm, filters: talent_pool.PoolFilters) -> Iterator[list]:
    """The talent pool with the page's filters, by name (one streamed SELECT)."""
    q = talent_pool.build_query(firm, filters)  # now, in the request (it may look skills up)
    if q is None:  # a skill nobody has: nobody matches
        return iter(())
    tags = (
        select(func.aggregate_strings(CandidateTag.name, "; "))
        .where(CandidateTag.candidate_id == Candidate.id)
        .scalar_subquery()
    )
    skills = (
        select(func.aggregate_strings(Skill.name, "; "))
        .join(CandidateSkill, CandidateSkill.skill_id == Skill.id)
        .where(CandidateSkill.candidate_id == Candidate.id)
        .scalar_subquery()
    )
    owner = select(User.name).where(User.id == Candidate.owner_id).scalar_subquery()
    open_searches = (
        select(func.count(Candidacy.id))
        .where(Candidacy.candidate_id == Candidate.id, Candidacy.stage.in_(OPEN_STAGES))
        .scalar_subquery()
    )
    stmt = q.with_only_columns(
        Candidate.id,
        Candidate.name,
        Candidate.email,
        Candidate.phone,
        Candidate.headline,
        Candidate.location,
        Candidate.seniority,
        Candidate.job_seeking,
        tags,
        skills,
        owner,
        open_searches,
        Candidate.last_contacted_at,
        Candidate.created_at,
    ).order_by(
        # By name, but sorted, not walked along ix_candidates_firm_name: the export reads every
        # column of every row, so a walk in name order would visit the table's pages out of
        # order (and on SQLite, memory-mapped, keep them resident: 45 MB at 100,000 rows, where
        # a scan and a sort stay within 25). `name || ''` is the same text, but no index's.
        Candidate.name.concat(""),
        Candidate.id,
    )
    return (list(row) for row in streamed(firm.id, stmt))


def pipeline_rows(search: Search, stage: Stage | None = None) -> Iterator[list]:
    """A search's candidacies (at one stage when given), by stage then name."""
    consent = (
        select(Consent.state)
        .where(Consent.candidacy_id == Candidacy.id)
        .order_by(Consent.requested_at.desc(), Consent.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    stmt = (
        select(
            Candidacy.id,
            Candidate.id,
            Candidate.name,
            Candidate.email,
            Candidate.phone,
            Candidate.headline,
            Candidacy.stage,
            Candidacy.stage_changed_at,
            Candidacy.close_reason,
            Candidacy.closed_at,
            consent,
        )
        .join(Candidate, Candidate.id == Candidacy.candidate_id)
        .where(Candidacy.search_id == search.id)
        .order_by(Candidate.name, Candidacy.id)
    )
    if stage is not None:
        stmt = stmt.where(Candidacy.stage == stage)
    # The close reason as its code ("withdrew"): its label is worded for the candidate.
    return ([*row[:8], row[8] and row[8].value, *row[9:]] for row in streamed(search.firm_id, stmt))
