"""Import candidates from a CSV file: preview with a per-row error report, then all-or-nothing.

The file is checked completely before anything is written; if any row is wrong nothing
is imported and every wrong row is named (row 1 is the header)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from portal.extensions import db
from portal.i18n import gettext as _
from portal.i18n import ngettext
from portal.models import Candidate, Firm, JobSeeking, Seniority, User
from portal.services import DomainError
from portal.services.candidates import CandidateInput, clean_email, create_candidate, validate_input
from portal.services.matching import pools as match_pools

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
COLUMNS = ("name", "email", "phone", "headline", "location", "seniority", "job_seeking", "skills", "tags")
REQUIRED_COLUMNS = ("name",)
ALIASES = {
    "full name": "name",
    "full_name": "name",
    "e-mail": "email",
    "mail": "email",
    "title": "headline",
    "city": "location",
    "level": "seniority",
    "availability": "job_seeking",
    "job seeking": "job_seeking",
    "status": "job_seeking",
    "tag": "tags",
    "skill": "skills",
    "telephone": "phone",
    "mobile": "phone",
}
SENIORITY = {s.value: s for s in Seniority} | {s.label.lower(): s for s in Seniority}
SEEKING = (
    {s.value: s for s in JobSeeking}
    | {s.label.lower(): s for s in JobSeeking}
    | {
        "active": JobSeeking.ACTIVE,
        "looking": JobSeeking.ACTIVE,
        "open": JobSeeking.OPEN,
        "passive": JobSeeking.OPEN,
        "not looking": JobSeeking.NOT_LOOKING,
        "no": JobSeeking.NOT_LOOKING,
    }
)


@dataclass
class ImportRow:
    number: int  # the row number in the file (the header is row 1)
    data: CandidateInput
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[ImportRow]
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.rows) and all(not r.errors for r in self.rows)

    @property
    def bad_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if r.errors]

    def summary(self) -> str:
        if self.file_errors:
            return " ".join(self.file_errors)
        bad = self.bad_rows
        if not bad:
            return ngettext(
                "%(num)d candidate is ready to import.", "%(num)d candidates are ready to import.", len(self.rows)
            )
        shown = ", ".join(str(r.number) for r in bad[:10]) + (" …" if len(bad) > 10 else "")
        return ngettext(
            "Nothing was imported: %(num)d of %(total)d rows has a problem (row %(rows)s). "
            "Correct the file and try again.",
            "Nothing was imported: %(num)d of %(total)d rows have a problem (rows %(rows)s). "
            "Correct the file and try again.",
            len(bad),
            total=len(self.rows),
            rows=shown,
        )


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise DomainError(
            _("The file is larger than %(num)d MB; split it into smaller files.", num=MAX_BYTES // (1024 * 1024))
        )
    if not data.strip():
        raise DomainError(_("The file is empty."))
    if b"\x00" in data[:4096]:
        raise DomainError(_("This is not a CSV text file. Save it from your spreadsheet as “CSV UTF-8”."))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError(_("The file's characters could not be read; save it as “CSV UTF-8”."))


def _header(names: list[str]) -> tuple[dict[int, str], list[str]]:
    mapping: dict[int, str] = {}
    errors: list[str] = []
    for i, raw in enumerate(names):
        key = " ".join((raw or "").split()).lower()
        key = ALIASES.get(key, key.replace(" ", "_"))
        if key in COLUMNS:
            if key in mapping.values():
                errors.append(_("Row 1: the column “%(column)s” appears twice.", column=key))
            mapping[i] = key
    missing = [c for c in REQUIRED_COLUMNS if c not in mapping.values()]
    if missing:
        errors.append(
            _(
                "Row 1 (the header) needs a column named %(missing)s. Recognised columns: %(columns)s.",
                missing=", ".join(missing),
                columns=", ".join(COLUMNS),
            )
        )
    return mapping, errors


def check(firm: Firm, text: str) -> ImportReport:
    """Parse and validate every row without writing anything."""
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return ImportReport([], [_("The file has no header row.")])
    mapping, file_errors = _header(header)
    if file_errors:
        return ImportReport([], file_errors)
    rows: list[ImportRow] = []
    seen_emails: dict[str, int] = {}
    try:
        for number, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) >= MAX_ROWS:
                return ImportReport(
                    [], [_("The file has more than %(num)d rows; split it into smaller files.", num=MAX_ROWS)]
                )
            rows.append(_row(firm, number, record, mapping, seen_emails))
    except csv.Error as exc:
        return ImportReport(
            rows, [_("Row %(row)d: the file could not be read as CSV (%(problem)s).", row=len(rows) + 2, problem=exc)]
        )
    if not rows:
        return ImportReport([], [_("The file has a header but no candidates.")])
    return ImportReport(rows)


def _row(firm, number, record, mapping, seen_emails) -> ImportRow:
    values = {key: (record[i].strip() if i < len(record) else "") for i, key in mapping.items()}
    errors: list[str] = []
    seniority = None
    if values.get("seniority"):
        seniority = SENIORITY.get(values["seniority"].lower())
        if seniority is None:
            errors.append(
                _(
                    "seniority “%(value)s” is not one of: %(choices)s.",
                    value=values["seniority"][:40],
                    choices=", ".join(s.value for s in Seniority),
                )
            )
    seeking = JobSeeking.OPEN
    if values.get("job_seeking"):
        named = SEEKING.get(values["job_seeking"].lower())
        if named is None:
            errors.append(
                _(
                    "job_seeking “%(value)s” is not one of: %(choices)s.",
                    value=values["job_seeking"][:40],
                    choices=", ".join(s.value for s in JobSeeking),
                )
            )
        else:
            seeking = named
    data = CandidateInput(
        name=values.get("name", ""),
        email=values.get("email"),
        phone=values.get("phone"),
        headline=values.get("headline"),
        location=values.get("location"),
        seniority=seniority,
        job_seeking=seeking,
        skills=values.get("skills", ""),
        tags=values.get("tags", ""),
    )
    try:
        validate_input(firm, data, None)  # the same rules as the form
    except DomainError as exc:
        errors.append(str(exc))
    email = None
    try:
        email = clean_email(data.email)
    except DomainError:
        pass
    if email:
        if email in seen_emails:
            errors.append(_("Email: %(email)s is also on row %(row)d.", email=email, row=seen_emails[email]))
        else:
            seen_emails[email] = number
    return ImportRow(number, data, errors)


def import_candidates(firm: Firm, actor: User, text: str) -> list[Candidate]:
    """Create every candidate of the file, or none: raises DomainError naming the bad rows."""
    report = check(firm, text)
    if not report.ok:
        raise BadFile(report)
    created = []
    with match_pools.deferred(firm):  # everyone's match pools at once, at the end
        for row in report.rows:
            created.append(create_candidate(firm, actor, row.data))
        db.session.flush()
    return created


class BadFile(DomainError):
    """The file has bad rows; `report` lists them."""

    def __init__(self, report: ImportReport):
        super().__init__(report.summary())
        self.report = report
