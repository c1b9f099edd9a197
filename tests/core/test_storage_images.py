"""Logos and recruiters' photos are files of the storage (portal/storage.py), like CVs: kept in
the database by default or in S3 (a real S3-compatible server on loopback), served by the same
routes with the same caching headers; a rollback leaves no file behind; a replaced or removed
file goes only once the change is committed; a deactivated recruiter's photo goes; a
candidate's erasure reaches every file of theirs; files kept in the database from before a
switch to S3 are read from there until `portal storage import-local` moves them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal import storage, transaction
from portal.extensions import db
from portal.models import Candidate, ConversationAttachment, Firm, HeldMail, StoredFile, User
from portal.services import branding, conversations, data_rights, recruiter_profile, staff
from tests.factories import firm_context
from tests.support.fixtures.clients import login_as
from tests.support.images import image_bytes
from tests.support.storage import firm_keys


def _objects(client) -> set[str]:
    listed = client.list_objects_v2(Bucket=client.portal_bucket)
    return {o["Key"] for o in listed.get("Contents", [])}


def _logo_key(app, firm) -> str | None:
    with firm_context(app, firm) as s:
        return s.get(Firm, firm.id).logo_key


def _photo_key(app, firm, user_id) -> str | None:
    with firm_context(app, firm) as s:
        return s.get(User, user_id).photo_key


def _set_logo(app, firm, colour=(200, 40, 40)):
    with firm_context(app, firm) as s:
        branding.set_logo(s.get(Firm, firm.id), None, image_bytes("PNG", (64, 64), colour=colour))
    return _logo_key(app, firm)


def _set_photo(app, f, colour=(200, 40, 40)):
    with firm_context(app, f.firm) as s:
        recruiter_profile.set_photo(f.firm, s.get(User, f.recruiter.id), image_bytes("PNG", colour=colour))
    return _photo_key(app, f.firm, f.recruiter.id)


def _served_logo(client):
    resp = client.get("/brand/logo?v=1")
    assert resp.status_code == 200 and resp.mimetype == "image/png"
    assert resp.headers["Cache-Control"] == "public, max-age=3600"
    assert resp.headers["Content-Disposition"] == "inline"
    return resp.data


def _served_photo(client, user_id):
    resp = client.get(f"/people/{user_id}/photo?v=1")
    assert resp.status_code == 200 and resp.mimetype == "image/jpeg"
    assert resp.headers["Cache-Control"] == "private, max-age=86400"
    return resp.data


def test_database_backend_keeps_logo_and_photo_as_stored_files_and_serves_them(app, firms, client_for):
    f = firms.a
    logo = _set_logo(app, f.firm)
    photo = _set_photo(app, f)
    assert logo.startswith(f"{f.firm.id}/logo/") and photo.startswith(f"{f.firm.id}/photo/")
    assert firm_keys(app, f.firm, "logo") == {logo} and firm_keys(app, f.firm, "photo") == {photo}
    c = client_for(f.firm)
    login_as(c, f.candidate_user)
    with firm_context(app, f.firm):
        assert _served_logo(c) == storage.load(logo)
        assert _served_photo(c, f.recruiter.id) == storage.load(photo)

    # Replaced: the new file in, the old one out; removed: nothing left.
    second = _set_logo(app, f.firm, colour=(10, 90, 10))
    assert firm_keys(app, f.firm, "logo") == {second} != {logo}
    with firm_context(app, f.firm) as s:
        branding.remove_logo(s.get(Firm, f.firm.id), None)
        recruiter_profile.remove_photo(f.firm, s.get(User, f.recruiter.id))
    assert firm_keys(app, f.firm, "logo") == set() and firm_keys(app, f.firm, "photo") == set()
    assert c.get("/brand/logo?v=3").headers["Cache-Control"] == "public, max-age=300"  # the default logo
    assert c.get(f"/people/{f.recruiter.id}/photo?v=2").status_code == 404


def test_s3_logo_and_photo_stored_served_replaced_after_commit_and_never_orphaned(app, firms, client_for, s3_storage):
    f = firms.a
    logo = _set_logo(app, f.firm)
    photo = _set_photo(app, f)
    assert _objects(s3_storage) == {f"files/{logo}", f"files/{photo}"}
    with firm_context(app, f.firm) as s:
        assert s.scalar(select(StoredFile.key)) is None, "nothing kept in the database with S3"
    c = client_for(f.firm)
    login_as(c, f.candidate_user)
    with firm_context(app, f.firm):
        assert _served_logo(c) == storage.load(logo) and _served_logo(c).startswith(b"\x89PNG")
        assert _served_photo(c, f.recruiter.id) == storage.load(photo)

    # A transaction that fails after the upload leaves no object behind, and the old files stay.
    with app.app_context():
        from portal.tenancy import as_firm

        with as_firm(f.firm.id), pytest.raises(RuntimeError), transaction.transaction():
            firm = db.session.get(Firm, f.firm.id)
            branding.set_logo(firm, None, image_bytes("PNG", (64, 64), colour=(1, 2, 3)))
            recruiter_profile.set_photo(firm, db.session.get(User, f.recruiter.id), image_bytes("JPEG"))
            assert len(_objects(s3_storage)) == 4  # written before the commit
            raise RuntimeError("a later step failed")
    assert _objects(s3_storage) == {f"files/{logo}", f"files/{photo}"}

    # Replacing: the old object is still there until the commit, gone right after it.
    with app.app_context():
        from portal.tenancy import as_firm

        with as_firm(f.firm.id), transaction.transaction():
            firm = db.session.get(Firm, f.firm.id)
            branding.set_logo(firm, None, image_bytes("PNG", (64, 64), colour=(9, 9, 9)))
            recruiter_profile.set_photo(firm, db.session.get(User, f.recruiter.id), image_bytes("JPEG"))
            db.session.flush()
            assert {f"files/{logo}", f"files/{photo}"} <= _objects(s3_storage), "deleted only after the commit"
    new_logo, new_photo = _logo_key(app, f.firm), _photo_key(app, f.firm, f.recruiter.id)
    assert _objects(s3_storage) == {f"files/{new_logo}", f"files/{new_photo}"}

    # Through the admin's page and the recruiter's page: removed, the object goes.
    admin = client_for(f.firm)
    login_as(admin, f.admin)
    assert admin.post("/admin/logo/remove").status_code in (302, 303)
    recruiter = client_for(f.firm)
    login_as(recruiter, f.recruiter)
    assert recruiter.post("/recruiter/profile/photo/remove").status_code == 303
    assert _objects(s3_storage) == set()


def test_a_deactivated_recruiters_photo_goes(app, firms, s3_storage):
    f = firms.a
    photo = _set_photo(app, f)
    assert _objects(s3_storage) == {f"files/{photo}"}
    with firm_context(app, f.firm) as s:
        staff.deactivate(s.get(Firm, f.firm.id), s.get(User, f.admin.id), f.recruiter.id, f.admin.id)
    assert _photo_key(app, f.firm, f.recruiter.id) is None
    assert _objects(s3_storage) == set()


def test_a_candidates_erasure_reaches_every_file_of_theirs(app, firms):
    """The CV, their conversations' attachments and mail held for them; the firm's other files stay."""
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    from portal.services import cv
    from tests.support.candidate import PDF_BYTES

    f = firms.a
    logo = _set_logo(app, f.firm)
    with firm_context(app, f.firm) as s:
        cand = s.get(Candidate, f.candidate.id)
        cv.store_cv(cand, FileStorage(stream=BytesIO(PDF_BYTES), filename="cv.pdf"))
        conversations.post_from_candidate(
            s.get(Firm, f.firm.id),
            cand,
            "Here is my portfolio.",
            attachments=[conversations.Attachment("work.pdf", "application/pdf", PDF_BYTES)],
        )
        raw = storage.file_key(f.firm.id, "held", "raw-1.eml")
        storage.save(raw, b"From: someone\r\n\r\nhello", "message/rfc822")
        s.add(HeldMail(firm_id=f.firm.id, reason="wrong_sender", candidate_id=cand.id, raw_key=raw))
    with firm_context(app, f.firm) as s:
        keys = set(s.scalars(select(StoredFile.key)))
        assert len(keys) == 4 and logo in keys
        data_rights.delete_account(s.get(Firm, f.firm.id), s.get(Candidate, f.candidate.id), None)
    with firm_context(app, f.firm) as s:
        assert set(s.scalars(select(StoredFile.key))) == {logo}
        assert s.scalar(select(ConversationAttachment.id)) is None and s.scalar(select(HeldMail.id)) is None


@pytest.fixture
def db_kept_then_s3(app, firms, client_for, request):
    """A logo and a photo kept in the database (as revision 0029 leaves them), then the app
    switched to S3."""
    f = firms.a
    logo, photo = _set_logo(app, f.firm), _set_photo(app, f)
    c = client_for(f.firm)
    login_as(c, f.candidate_user)
    before = (_served_logo(c), _served_photo(c, f.recruiter.id))
    s3 = request.getfixturevalue("s3_storage")
    return f, logo, photo, c, before, s3


def test_files_kept_in_the_database_are_served_with_s3_until_import_local_moves_them(app, db_kept_then_s3):
    f, logo, photo, c, before, s3 = db_kept_then_s3
    assert _objects(s3) == set()
    assert (_served_logo(c), _served_photo(c, f.recruiter.id)) == before, "read from the database meanwhile"
    from portal.cli import storage_import_local

    result = app.test_cli_runner().invoke(storage_import_local, [])
    assert result.exit_code == 0, result.output
    assert "Moved 2 file(s) from the database into the s3 storage" in result.output
    assert _objects(s3) == {f"files/{logo}", f"files/{photo}"}
    with firm_context(app, f.firm) as s:
        assert s.scalar(select(StoredFile.key)) is None
    assert (_served_logo(c), _served_photo(c, f.recruiter.id)) == before
    again = app.test_cli_runner().invoke(storage_import_local, [])
    assert "Moved 0 file(s) from the database" in again.output


def test_replacing_a_database_kept_logo_under_s3_drops_its_row(app, db_kept_then_s3):
    f, logo, _photo, _c, _before, s3 = db_kept_then_s3
    new = _set_logo(app, f.firm, colour=(5, 5, 5))
    assert _objects(s3) == {f"files/{new}"}
    with firm_context(app, f.firm) as s:
        assert logo not in set(s.scalars(select(StoredFile.key)))
