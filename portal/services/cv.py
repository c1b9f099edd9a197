"""CVs: PDF or DOCX only, checked by content, size-limited, kept in the file storage
(portal/storage.py: the database or S3, so every web server sees them), served only as an
attachment to the firm's staff and the candidate themself, never inline."""

from __future__ import annotations

import io
import os
import secrets
import zipfile
from dataclasses import dataclass

from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from portal import storage
from portal.i18n import gettext as _
from portal.models import Candidate, utcnow
from portal.services import DomainError

MAX_CV_BYTES = 5 * 1024 * 1024
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx"}


@dataclass
class StoredCV:
    data: bytes
    download_name: str
    mimetype: str


def sniff(data: bytes) -> str | None:
    """The real type of the bytes: PDF by its header, DOCX by its zip structure."""
    if data[:5] == b"%PDF-":
        return PDF
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return DOCX
    return None


@dataclass
class CheckedCV:
    """An upload that passed the checks, in memory, not stored yet."""

    data: bytes
    mime: str
    stem: str
    ext: str


def check_upload(upload: FileStorage | None) -> CheckedCV:
    """Read and check an uploaded CV (size, real type by content, name matching the content)
    without storing it."""
    if upload is None or not upload.filename:
        raise DomainError(_("Choose a file to upload."))
    data = upload.stream.read(MAX_CV_BYTES + 1)
    if len(data) > MAX_CV_BYTES:
        raise DomainError(
            _("The CV is larger than %(mb)d MB. Please upload a smaller file.", mb=MAX_CV_BYTES // (1024 * 1024))
        )
    if not data:
        raise DomainError(_("The file is empty."))
    mime = sniff(data)
    if mime is None:
        raise DomainError(_("Please upload a PDF or a Word (.docx) document."))
    ext = EXTENSIONS[mime]
    name = secure_filename(upload.filename) or f"cv{ext}"
    stem, given_ext = os.path.splitext(name)
    if given_ext.lower() != ext:
        if given_ext:
            raise DomainError(
                # Translators: %(given)s is a file name's ending such as ".pdf"; %(real)s is PDF or DOCX.
                _(
                    "The file's name says %(given)s, but its content is %(real)s. "
                    "Please upload a PDF or a Word (.docx) document with its real name.",
                    given=given_ext,
                    real=ext[1:].upper(),
                )
            )
        raise DomainError(
            # Translators: %(real)s is PDF or DOCX.
            _(
                "The file's name has no type, but its content is %(real)s. "
                "Please upload a PDF or a Word (.docx) document with its real name.",
                real=ext[1:].upper(),
            )
        )
    return CheckedCV(data, mime, stem, ext)


def store_cv(candidate: Candidate, upload: FileStorage | None) -> None:
    """Validate and store an uploaded CV, replacing the previous one."""
    store_checked(candidate, check_upload(upload))


def store_checked(candidate: Candidate, checked: CheckedCV) -> None:
    """Store a checked CV as the candidate's, replacing the previous one."""
    key = storage.file_key(candidate.firm_id, "cv", f"{candidate.id}-{secrets.token_hex(8)}{checked.ext}")
    storage.save(key, checked.data, checked.mime)  # before the commit that references it; removed if it rolls back
    old = candidate.cv_path
    candidate.cv_path = key
    candidate.cv_filename = f"{checked.stem[:150]}{checked.ext}"
    candidate.cv_mime = checked.mime
    candidate.cv_uploaded_at = utcnow()
    if old:
        storage.delete_after_commit(old)  # the old file goes once the new reference is committed


def stored_cv(candidate: Candidate) -> StoredCV | None:
    """The candidate's CV file, if there is one."""
    if not candidate.cv_path:
        return None
    data = storage.load(candidate.cv_path)
    if data is None:
        return None
    return StoredCV(data=data, download_name=candidate.cv_filename or "cv", mimetype=candidate.cv_mime or PDF)


def delete_cv(candidate: Candidate) -> None:
    if candidate.cv_path:
        storage.delete_after_commit(candidate.cv_path)
    candidate.cv_path = candidate.cv_filename = candidate.cv_mime = None
    candidate.cv_uploaded_at = None
