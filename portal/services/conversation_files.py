"""The files of a candidate's message (portal/services/conversations.py): checked as CVs are
(a size limit, the real type by content, a name that matches it), PDF, Word (.docx) or a picture.
Refusals are in the writer's language. Pure checks: no database, no storage."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from portal.i18n import gettext as _
from portal.i18n import ngettext
from portal.services import DomainError, cv

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = cv.MAX_CV_BYTES  # the CV limit (5 MB)


@dataclass(frozen=True)
class Attachment:
    """A file to keep with a message (already checked by the caller's rules)."""

    filename: str
    content_type: str
    data: bytes


IMAGE_TYPES = {
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
}
ALLOWED = {cv.PDF: (".pdf",), cv.DOCX: (".docx",), **IMAGE_TYPES}


def sniff(data: bytes) -> str | None:
    """The real type of an attachment by its content: the CV types (PDF, DOCX) or an image."""
    found = cv.sniff(data)
    if found:
        return found
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_upload(upload: FileStorage | None) -> Attachment | None:
    """An uploaded file checked like a CV (size limit, real type by content, a name that matches
    it): PDF, Word (.docx) or an image (PNG, JPEG, GIF, WebP). No file chosen: None."""
    if upload is None or not upload.filename:
        return None
    data = upload.stream.read(MAX_ATTACHMENT_BYTES + 1)
    name = secure_filename(upload.filename) or "file"
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise DomainError(
            # Translators: %(name)s is a file's name.
            _(
                "%(name)s is larger than %(mb)d MB. Please attach a smaller file.",
                name=name,
                mb=MAX_ATTACHMENT_BYTES // (1024 * 1024),
            )
        )
    if not data:
        # Translators: %(name)s is a file's name.
        raise DomainError(_("%(name)s is empty.", name=name))
    mime = sniff(data)
    if mime is None:
        raise DomainError(
            # Translators: %(name)s is a file's name.
            _("%(name)s: please attach a PDF, a Word (.docx) document or a picture (PNG, JPEG, GIF, WebP).", name=name)
        )
    stem, ext = os.path.splitext(name)
    if ext.lower() not in ALLOWED[mime]:
        real = ALLOWED[mime][0][1:].upper()
        if ext:
            raise DomainError(
                # Translators: %(name)s is a file's name, %(given)s its ending (".pdf"), %(real)s a type (PNG).
                _(
                    "The name of %(name)s says %(given)s, but its content is %(real)s. "
                    "Please attach it with its real name.",
                    name=name,
                    given=ext,
                    real=real,
                )
            )
        raise DomainError(
            # Translators: %(name)s is a file's name, %(real)s a type (PNG).
            _(
                "The name of %(name)s has no type, but its content is %(real)s. Please attach it with its real name.",
                name=name,
                real=real,
            )
        )
    return Attachment(f"{stem[:150] or 'file'}{ext.lower()}", mime, data)


def check_uploads(uploads: Iterable[FileStorage | None]) -> list[Attachment]:
    files = [a for a in (check_upload(u) for u in uploads) if a is not None]
    if len(files) > MAX_ATTACHMENTS:
        raise DomainError(too_many_files())
    return files


def too_many_files() -> str:
    return ngettext("Please attach at most %(num)d file.", "Please attach at most %(num)d files.", MAX_ATTACHMENTS)
