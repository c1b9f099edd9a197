"""Who is the candidate's recruiter (the one rule, used by every page and email that names
one), and the recruiter's profile shown to their candidates: a photo and a short line.

The rule:
- for one candidacy: the search's owner; else the candidate's own recruiter (the owner of
  their talent-pool record, who added them or was given them);
- for the candidate overall (home, Keep in touch): the recruiter of their open candidacy
  that moved most recently; else their own recruiter; else the recruiter of their candidacy
  that moved most recently (ended ones included);
- only active staff count at each step: a deactivated owner passes to the next.

A photo is decoded with Pillow and re-encoded as a fresh JPEG (no EXIF nor any other
metadata, at most PHOTO_STORED_SIDE pixels a side); anything else is refused. It is a file of
the storage (portal/storage.py); a replaced or removed photo's file goes once the change is
committed, and so does the photo of a recruiter who is deactivated (portal/services/staff.py). This module
flushes, never commits, never reads the request, and never gives out another firm's people
(every lookup goes through the tenant filter)."""

from __future__ import annotations

import io
import secrets
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from PIL import Image, ImageOps
from sqlalchemy import Select, and_, bindparam, select

from portal import storage
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Candidacy, Candidate, Firm, Role, Search, User
from portal.services import DomainError, NotFound, audit
from portal.services.text import clean_line

ABOUT_LIMIT = 160
PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_MAX_SIDE = 6000  # pixels; larger images are refused before decoding
PHOTO_MAX_PIXELS = 24_000_000
PHOTO_MIN_SIDE = 64
PHOTO_STORED_SIDE = 320
PHOTO_FORMATS = ("PNG", "JPEG", "WEBP")
PHOTO_MIME = "image/jpeg"
STAFF_ROLES = (Role.RECRUITER, Role.ADMIN)


class PhotoRefused(DomainError):
    """An upload that is not a photo we can use; the words are for the recruiter."""


@dataclass(frozen=True)
class Recruiter:
    """A recruiter as their candidates see them."""

    id: int
    name: str
    email: str
    phone: str | None
    about: str | None = None
    has_photo: bool = False
    photo_version: int = 0


# ---------------------------------------------------------------- the rule


def pick(*owner_ids: int | None, usable: Iterable[int]) -> int | None:
    """The rule's last step, for ids in order of preference: the first usable one."""
    ok = set(usable)
    return next((i for i in owner_ids if i is not None and i in ok), None)


def usable_staff(user: Any) -> Any:
    """The SQL condition on a (possibly aliased) User that the rule counts: active staff.
    For statements that read owners' names in bulk (the check-ins)."""
    return and_(user.active.is_(True), user.role.in_(STAFF_ROLES))


@lru_cache(maxsize=1)
def _recruiters_statement() -> Select:
    """Built once (read on every candidate page): building a statement and its cache key per
    call costs more than running it."""
    return select(
        User.id,
        User.name,
        User.email,
        User.phone,
        User.about,
        User.photo_key.is_not(None).label("has_photo"),
        User.photo_version,
    ).where(User.id.in_(bindparam("ids", expanding=True)), usable_staff(User))


def recruiters(ids: Iterable[int | None]) -> dict[int, Recruiter]:
    """The usable (active staff) recruiters among these ids, in one statement."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = db.session.execute(_recruiters_statement(), {"ids": list(wanted)}).all()
    return {
        r.id: Recruiter(r.id, r.name, r.email, r.phone, r.about, bool(r.has_photo), r.photo_version or 0) for r in rows
    }


def candidacy_recruiter_id(
    search_owner_id: int | None, candidate: Candidate, known: dict[int, Recruiter]
) -> int | None:
    """The rule for one candidacy, on recruiters already loaded (`recruiters()` of both ids)."""
    return pick(search_owner_id, candidate.owner_id, usable=known)


def recruiter_for_candidacy(candidacy: Candidacy) -> User | None:
    """The rule for one candidacy, as the User (for emails that name the recruiter)."""
    known = recruiters([candidacy.search.owner_id, candidacy.candidate.owner_id])
    chosen = candidacy_recruiter_id(candidacy.search.owner_id, candidacy.candidate, known)
    return db.session.get(User, chosen) if chosen is not None else None


def overall_recruiter_id(
    resolved: Iterable[tuple[int | None, bool]], candidate: Candidate, known: dict[int, Recruiter]
) -> int | None:
    """The rule for the candidate overall, on their candidacies' recruiters already chosen by
    the rule for one candidacy: (recruiter id, whether open), most recently moved first."""
    rows = list(resolved)
    open_ones = [i for i, is_open in rows if is_open]
    ended = [i for i, is_open in rows if not is_open]
    return pick(*open_ones, candidate.owner_id, *ended, usable=known)


def candidate_recruiter(candidate: Candidate) -> Recruiter | None:
    """The rule for the candidate overall (see the module's docstring). Two statements."""
    rows = db.session.execute(
        select(Search.owner_id, Candidacy.stage)
        .join(Search, Search.id == Candidacy.search_id)
        .where(Candidacy.candidate_id == candidate.id)
        .order_by(Candidacy.stage_changed_at.desc(), Candidacy.id.desc())
    ).all()
    known = recruiters([candidate.owner_id, *(r.owner_id for r in rows)])
    resolved = [(candidacy_recruiter_id(r.owner_id, candidate, known), r.stage.is_open) for r in rows]
    chosen = overall_recruiter_id(resolved, candidate, known)
    return known.get(chosen) if chosen is not None else None


# ---------------------------------------------------------------- the profile


def update_about(firm: Firm, actor: User, about: str | None) -> str | None:
    """The recruiter's short line about themselves (plain text, one line)."""
    _own_profile(firm, actor)
    actor.about = clean_line(about, _("About you"), ABOUT_LIMIT) or None
    db.session.flush()
    return actor.about


def clean_photo(data: bytes) -> bytes:
    """Decode an uploaded PNG, JPEG or WebP and re-encode it as a fresh JPEG: turned upright,
    cropped to a square, at most PHOTO_STORED_SIDE pixels, without EXIF or any metadata.
    Anything else (not an image, SVG, HTML, truncated, oversized, a decompression bomb) is
    refused with PhotoRefused."""
    if not data:
        raise PhotoRefused(_("The file is empty."))
    if len(data) > PHOTO_MAX_BYTES:
        raise PhotoRefused(_("The photo may be at most %(num)d MB.", num=PHOTO_MAX_BYTES // (1024 * 1024)))
    too_big = PhotoRefused(
        _("The image is too large: at most %(side)d x %(side)d pixels, please.", side=PHOTO_MAX_SIDE)
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img: Image.Image = Image.open(io.BytesIO(data), formats=PHOTO_FORMATS)
            width, height = img.size
            if width > PHOTO_MAX_SIDE or height > PHOTO_MAX_SIDE or width * height > PHOTO_MAX_PIXELS:
                raise too_big
            if width < PHOTO_MIN_SIDE or height < PHOTO_MIN_SIDE:
                raise PhotoRefused(
                    _("The image is too small: at least %(side)d x %(side)d pixels, please.", side=PHOTO_MIN_SIDE)
                )
            img.load()
            img = ImageOps.exif_transpose(img)
            if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
                flat = Image.new("RGB", img.size, (255, 255, 255))
                flat.paste(img.convert("RGBA"), mask=img.convert("RGBA").getchannel("A"))
                img = flat
            img = ImageOps.fit(img.convert("RGB"), (PHOTO_STORED_SIDE, PHOTO_STORED_SIDE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            img.save(out, format="JPEG", quality=85, optimize=True)
    except PhotoRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise too_big from exc
    except Image.UnidentifiedImageError as exc:
        raise PhotoRefused(_("This file is not a PNG, JPEG or WebP image.")) from exc
    except (OSError, SyntaxError, ValueError, EOFError, TypeError, IndexError, MemoryError) as exc:
        raise PhotoRefused(
            _("This image could not be read; it may be damaged. Please save it again as PNG, JPEG or WebP.")
        ) from exc
    return out.getvalue()


def set_photo(firm: Firm, actor: User, data: bytes) -> int:
    """Store the recruiter's own photo (cleaned); returns its new version."""
    _own_profile(firm, actor)
    data = clean_photo(data)
    key = storage.file_key(firm.id, "photo", f"{actor.id}-{secrets.token_hex(8)}.jpg")
    storage.save(key, data, PHOTO_MIME)  # before the commit that references it; removed if it rolls back
    if actor.photo_key:
        storage.delete_after_commit(actor.photo_key)
    actor.photo_key = key
    actor.photo_version = (actor.photo_version or 0) + 1
    audit.record(firm, actor, "profile.photo_uploaded", target=f"user:{actor.id}")
    db.session.flush()
    return actor.photo_version


def remove_photo(firm: Firm, actor: User) -> None:
    _own_profile(firm, actor)
    if actor.photo_key is None:
        raise DomainError(_("There is no photo to remove."))
    forget_photo(actor)
    audit.record(firm, actor, "profile.photo_removed", target=f"user:{actor.id}")
    db.session.flush()


def forget_photo(user: User) -> None:
    """Drop the user's photo (its file goes once the change is committed); no audit entry."""
    if user.photo_key:
        storage.delete_after_commit(user.photo_key)
    user.photo_key = None
    user.photo_version = (user.photo_version or 0) + 1
    db.session.flush()


def photo_file(user: User) -> bytes | None:
    """The user's photo (JPEG) from the file storage, or None."""
    return storage.load(user.photo_key) if user.photo_key else None


def photo(firm: Firm, user_id: int) -> bytes:
    """The photo of one of this firm's recruiters (NotFound for anyone else, or none)."""
    key = db.session.scalar(
        select(User.photo_key).where(User.id == user_id, User.firm_id == firm.id, User.role.in_(STAFF_ROLES))
    )
    data = storage.load(key) if key else None
    if not data:
        raise NotFound(_("No such photo."))
    return data


def _own_profile(firm: Firm, actor: User) -> None:
    if actor.firm_id != firm.id or not actor.is_staff:
        raise NotFound(_("No such profile."))
