"""The recruiter's photo is re-encoded (no EXIF, a square JPEG) and anything else refused; the
one rule for the candidate's recruiter, at the service level."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from portal.extensions import db
from portal.models import Candidacy, Candidate, Stage, User
from portal.services import recruiter_profile
from portal.services.recruiter_profile import PhotoRefused, clean_photo
from tests.factories import firm_context, make_candidate, make_user
from tests.support import candidate as h
from tests.support.images import GIF_HTML, HTML, SVG, image_bytes, jpeg_with_exif, png_bomb


def test_a_photo_is_re_encoded_without_exif_as_a_square_jpeg():
    data = jpeg_with_exif()
    assert b"SecretCamMaker" in data
    out = clean_photo(data)
    assert b"SecretCamMaker" not in out and b"LeakySoftware" not in out and b"Exif" not in out
    img = Image.open(io.BytesIO(out))
    assert img.format == "JPEG" and img.size == (recruiter_profile.PHOTO_STORED_SIDE,) * 2
    assert not img.getexif()


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "JPEG"])
def test_png_webp_and_jpeg_are_accepted(fmt):
    assert Image.open(io.BytesIO(clean_photo(image_bytes(fmt)))).format == "JPEG"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (HTML, "not a PNG, JPEG or WebP"),
        (SVG, "not a PNG, JPEG or WebP"),
        (GIF_HTML, "not a PNG, JPEG or WebP"),
        (image_bytes("GIF"), "not a PNG, JPEG or WebP"),
        (image_bytes("PNG")[:200], "could not be read"),
        (png_bomb(), "too large"),
        (image_bytes("PNG", (20, 20)), "too small"),
        (b"\x00" * (recruiter_profile.PHOTO_MAX_BYTES + 1), "at most 2 MB"),
    ],
    ids=["empty", "html", "svg", "gif-html", "gif", "truncated", "bomb", "tiny", "too-many-bytes"],
)
def test_anything_else_is_refused_with_words_for_the_recruiter(data, words):
    with pytest.raises(PhotoRefused, match=words):
        clean_photo(data)


def _second(app, f, **kw):
    return make_user(app, f.firm, email=f"second-{id(kw)}@alpha.example", name="Second Recruiter", **kw)


def test_the_rule_search_owner_else_own_recruiter_active_staff_only(app, firms):
    f = firms.a
    other = _second(app, f)
    s = h.make_search(app, f, title="Other's role", owner_id=other.id)
    cy = h.add(app, f, s, f.candidate, Stage.SCREENING)
    with firm_context(app, f.firm):
        candidate = db.session.get(Candidate, f.candidate.id)
        assert recruiter_profile.candidate_recruiter(candidate).id == other.id
        assert recruiter_profile.recruiter_for_candidacy(db.session.get(Candidacy, cy.id)).id == other.id
        db.session.get(User, other.id).active = False
    with firm_context(app, f.firm):
        candidate = db.session.get(Candidate, f.candidate.id)
        assert recruiter_profile.candidate_recruiter(candidate).id == f.recruiter.id
        assert recruiter_profile.recruiter_for_candidacy(db.session.get(Candidacy, cy.id)).id == f.recruiter.id


def test_overall_open_candidacy_first_then_own_recruiter_then_ended_ones(app, firms):
    f = firms.a
    other = _second(app, f)
    ownerless = make_candidate(app, f.firm)
    s = h.make_search(app, f, title="Ended role", owner_id=other.id)
    cy = h.add(app, f, s, ownerless, Stage.SCREENING)
    h.close(app, f, cy.id)
    with firm_context(app, f.firm):
        # No open candidacy, no own recruiter: the recruiter of the ended one.
        assert recruiter_profile.candidate_recruiter(db.session.get(Candidate, ownerless.id)).id == other.id
        db.session.get(Candidate, ownerless.id).owner_id = f.recruiter.id
    with firm_context(app, f.firm):
        # Their own recruiter comes before an ended candidacy's.
        assert recruiter_profile.candidate_recruiter(db.session.get(Candidate, ownerless.id)).id == f.recruiter.id
    with firm_context(app, f.firm):
        assert recruiter_profile.candidate_recruiter(db.session.get(Candidate, f.candidate.id)).id == f.recruiter.id


def test_a_candidate_never_counts_as_a_recruiter(app, firms):
    f = firms.a
    s = h.make_search(app, f, title="Odd owner", owner_id=f.candidate_user.id)
    h.add(app, f, s, f.candidate, Stage.SCREENING)
    with firm_context(app, f.firm):
        assert recruiter_profile.candidate_recruiter(db.session.get(Candidate, f.candidate.id)).id == f.recruiter.id
