"""The recruiter's profile page: a short line and a photo (validated, re-encoded, served only to
signed-in people of the same firm with image headers); another firm's photo is a 404."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, User
from portal.services import recruiter_profile
from tests.factories import firm_context
from tests.support.fixtures.clients import login_as
from tests.support.images import HTML, SVG, image_bytes, jpeg_with_exif, png_bomb


def _upload(client, data: bytes, name: str = "me.jpg"):
    return client.post(
        "/recruiter/profile/photo", data={"photo": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def _stored(app, f):
    with firm_context(app, f.firm):
        user = db.session.get(User, f.recruiter.id)
        return recruiter_profile.photo_file(user), user.photo_version


def test_the_account_page_links_to_the_profile_page(rec):
    assert "/recruiter/profile" in rec.client.get("/account").get_data(as_text=True)
    html = rec.client.get("/recruiter/profile").get_data(as_text=True)
    assert "Your profile for candidates" in html and "A short line about you" in html


def test_upload_re_encodes_and_serves_the_photo_with_image_headers(app, rec):
    resp = _upload(rec.client, jpeg_with_exif())
    assert resp.status_code == 303
    data, version = _stored(app, rec.f)
    assert version == 1 and b"SecretCamMaker" not in data
    got = rec.client.get(f"/people/{rec.f.recruiter.id}/photo?v=1")
    assert got.status_code == 200 and got.mimetype == "image/jpeg" and got.data == data
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Cache-Control"].startswith("private") and got.headers["Content-Disposition"] == "inline"
    assert not Image.open(io.BytesIO(got.data)).getexif()
    html = rec.client.get("/recruiter/profile").get_data(as_text=True)
    assert f"/people/{rec.f.recruiter.id}/photo?v=1" in html and "Remove my photo" in html
    with firm_context(app, rec.f.firm):
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "profile.photo_uploaded"))


def test_wrong_type_too_large_and_hostile_files_are_refused_and_nothing_is_stored(app, rec):
    cases = [
        (HTML, "page.html", "not a PNG, JPEG or WebP"),
        (SVG, "me.svg", "not a PNG, JPEG or WebP"),
        (image_bytes("GIF"), "me.gif", "not a PNG, JPEG or WebP"),
        (png_bomb(), "bomb.png", "too large"),
        (image_bytes("PNG")[:300], "cut.png", "could not be read"),
        (b"\xff" * (recruiter_profile.PHOTO_MAX_BYTES + 10), "huge.jpg", "at most 2 MB"),
    ]
    for data, name, words in cases:
        resp = _upload(rec.client, data, name)
        assert resp.status_code == 400, name
        assert words in resp.get_data(as_text=True), name
    assert _stored(app, rec.f) == (None, 0)
    assert rec.client.get(f"/people/{rec.f.recruiter.id}/photo").status_code == 404


def test_the_photo_can_be_removed(app, rec):
    assert _upload(rec.client, image_bytes("PNG")).status_code == 303
    assert rec.client.post("/recruiter/profile/photo/remove").status_code == 303
    data, version = _stored(app, rec.f)
    assert data is None and version == 2
    assert rec.client.get(f"/people/{rec.f.recruiter.id}/photo?v=1").status_code == 404


def test_the_short_line_is_plain_text_and_short(app, rec):
    assert (
        rec.client.post("/recruiter/profile/about", data={"about": "  Finance   leaders, Nordics. "}).status_code == 303
    )
    with firm_context(app, rec.f.firm):
        assert db.session.get(User, rec.f.recruiter.id).about == "Finance leaders, Nordics."
    resp = rec.client.post("/recruiter/profile/about", data={"about": "<b>bold</b>"})
    assert resp.status_code == 400
    resp = rec.client.post("/recruiter/profile/about", data={"about": "x" * 161})
    assert resp.status_code == 400
    with firm_context(app, rec.f.firm):
        assert db.session.get(User, rec.f.recruiter.id).about == "Finance leaders, Nordics."


def test_another_firms_recruiter_photo_is_a_404_and_anonymous_visitors_sign_in(app, firms, client_for):
    b = firms.b
    with firm_context(app, b.firm):
        recruiter_profile.set_photo(b.firm, db.session.get(User, b.recruiter.id), image_bytes("PNG"))
    own = client_for(b.firm)
    login_as(own, b.candidate_user)
    assert own.get(f"/people/{b.recruiter.id}/photo?v=1").status_code == 200  # the control
    for who in (firms.a.candidate_user, firms.a.recruiter):
        other = client_for(firms.a.firm)
        login_as(other, who)
        assert other.get(f"/people/{b.recruiter.id}/photo?v=1").status_code == 404
    anonymous = client_for(b.firm).get(f"/people/{b.recruiter.id}/photo?v=1")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_a_candidates_own_user_id_has_no_photo(app, firms, cand_client):
    assert cand_client.get(f"/people/{firms.a.candidate_user.id}/photo").status_code == 404
