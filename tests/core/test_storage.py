"""File storage: any web server sees every file, a rollback leaves no file behind, a file is
deleted only once the change that drops it has committed; the S3 backend against a real
S3-compatible server on loopback; old local files move in with `portal storage import-local`."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from werkzeug.datastructures import FileStorage

from portal import storage, transaction
from portal.extensions import db
from portal.models import Candidate
from portal.services import cv
from tests.factories import firm_context
from tests.support.candidate import PDF_BYTES
from tests.support.recruiter import people
from tests.support.storage import stored


def _upload(data=PDF_BYTES, name="cv.pdf"):
    return FileStorage(stream=io.BytesIO(data), filename=name)


def _objects(client) -> set[str]:
    listed = client.list_objects_v2(Bucket=client.portal_bucket)
    return {o["Key"] for o in listed.get("Contents", [])}


def _store_and_fail(app, firm, candidate_id):
    """Store a CV, then the transaction fails (as when a later step of the request raises)."""
    with app.app_context():
        from portal.tenancy import as_firm

        with as_firm(firm.id), pytest.raises(RuntimeError), transaction.transaction():
            cand = db.session.get(Candidate, candidate_id)
            cv.store_cv(cand, _upload())
            key = cand.cv_path
            raise RuntimeError("a later step failed")
    return key


def test_database_backend_a_rollback_leaves_no_file_and_a_replace_removes_the_old_one(app, firms):
    f = firms.a
    (c,) = people(app, f, 1)
    key = _store_and_fail(app, f.firm, c.id)
    assert not stored(app, f.firm, key)
    with firm_context(app, f.firm) as s:
        cv.store_cv(s.get(Candidate, c.id), _upload(b"%PDF-1.4 first"))
    with firm_context(app, f.firm) as s:
        first = s.get(Candidate, c.id).cv_path
        cv.store_cv(s.get(Candidate, c.id), _upload(b"%PDF-1.4 second"))
    with firm_context(app, f.firm) as s:
        assert not stored(app, f.firm, first)
        assert cv.stored_cv(s.get(Candidate, c.id)).data == b"%PDF-1.4 second"


def test_another_firms_key_reads_nothing(app, firms):
    (c,) = people(app, firms.a, 1)
    with firm_context(app, firms.a.firm) as s:
        cv.store_cv(s.get(Candidate, c.id), _upload())
    with firm_context(app, firms.a.firm) as s:
        key = s.get(Candidate, c.id).cv_path
    with firm_context(app, firms.b.firm):
        assert storage.load(key) is None  # the tenant filter applies to stored files too


def test_s3_backend_stores_serves_replaces_exports_and_erases(app, s3_storage, rec):
    f = rec.f
    (c,) = people(app, f, 1)
    client = rec.client
    resp = client.post(
        f"/recruiter/candidates/{c.id}/cv/upload",
        data={"cv": (io.BytesIO(PDF_BYTES), "cv.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code in (302, 303)
    with firm_context(app, f.firm) as s:
        first = s.get(Candidate, c.id).cv_path
    assert _objects(s3_storage) == {f"files/{first}"}
    assert client.get(f"/recruiter/candidates/{c.id}/cv").data == PDF_BYTES

    client.post(
        f"/recruiter/candidates/{c.id}/cv/upload",
        data={"cv": (io.BytesIO(b"%PDF-1.4 newer"), "new.pdf")},
        content_type="multipart/form-data",
    )
    with firm_context(app, f.firm) as s:
        second = s.get(Candidate, c.id).cv_path
        assert (
            zipfile.ZipFile(io.BytesIO(_export(f.firm, s.get(Candidate, c.id))))
            .read("cv/new.pdf")
            .startswith(b"%PDF-1.4 newer")
        )
    assert _objects(s3_storage) == {f"files/{second}"}, "the old CV is deleted once the new one is committed"

    # A failed transaction leaves no object behind.
    _store_and_fail(app, f.firm, c.id)
    assert _objects(s3_storage) == {f"files/{second}"}

    # Deleting the CV removes the object.
    client.post(f"/recruiter/candidates/{c.id}/cv/delete")
    assert _objects(s3_storage) == set()


def _export(firm, candidate) -> bytes:
    from portal.services import data_rights

    return data_rights.export_zip(firm, candidate)


def test_import_local_moves_old_files_into_the_storage(app, firms, s3_storage):
    f = firms.a
    (c,) = people(app, f, 1)
    key = f"{f.firm.id}/cv/{c.id}-0123456789abcdef.pdf"
    path = os.path.join(app.config["UPLOAD_DIR"], key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(PDF_BYTES)
    with firm_context(app, f.firm) as s:
        cand = s.get(Candidate, c.id)
        cand.cv_path, cand.cv_filename, cand.cv_mime = key, "old.pdf", "application/pdf"
    with firm_context(app, f.firm) as s:
        assert cv.stored_cv(s.get(Candidate, c.id)).data == PDF_BYTES, "read from the old place until moved"
    from portal.cli import storage_import_local

    result = app.test_cli_runner().invoke(storage_import_local, [])
    assert result.exit_code == 0, result.output
    assert "Moved 1 file(s) into the s3 storage" in result.output
    assert f"files/{key}" in _objects(s3_storage)
    assert not os.path.exists(path), "the local copy is removed once the move is committed"
    with firm_context(app, f.firm) as s:
        assert cv.stored_cv(s.get(Candidate, c.id)).data == PDF_BYTES
