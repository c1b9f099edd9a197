"""Files (CVs, the firms' logos, recruiters' photos, conversation attachments) behind one small
interface, so any number of web servers and workers see the same files: the database (default:
no extra service) or S3-compatible object storage (PORTAL_STORAGE=s3, for large firms). Keys
are `<firm id>/<kind>/<name>` (`file_key`); a firm-owned row holds the key of each of its files.

The transaction rule holds for files too. A file is written before the commit that references
it; if that transaction rolls back, what it wrote is removed (the database backend does this by
itself: the file is a row of the same transaction). A file is deleted only after the commit that
stops referencing it (`delete_after_commit`), so a crash can leave an unreferenced file behind,
never a reference to a missing one.

With S3, a file still kept in the database (written before the switch to S3, or moved there by a
migration, such as the logos and photos of revision 0031) is read from its row until
`portal storage import-local` moves it into the bucket."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Protocol

from flask import Flask, current_app
from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models.stored_file import StoredFile

PENDING_DELETES = "storage_delete_after_commit"
LOCAL_DELETES = "storage_local_delete_after_commit"
WRITTEN = "storage_written"


class Backend(Protocol):
    name: str

    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes | None: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...


class DatabaseBackend:
    """Rows of the caller's own transaction: written, replaced and removed atomically with it."""

    name = "database"

    def put(self, key: str, data: bytes, content_type: str) -> None:
        firm_id = int(key.split("/", 1)[0])  # keys are "<firm id>/<kind>/<name>" (file_key)
        db.session.merge(StoredFile(key=key, firm_id=firm_id, content_type=content_type, size=len(data), data=data))
        db.session.flush()

    def get(self, key: str) -> bytes | None:
        return db.session.scalar(select(StoredFile.data).where(StoredFile.key == key))

    def delete(self, key: str) -> None:
        db.session.execute(delete(StoredFile).where(StoredFile.key == key))

    def exists(self, key: str) -> bool:
        return db.session.scalar(select(StoredFile.key).where(StoredFile.key == key)) is not None


@dataclass
class S3Backend:
    """One bucket (and an optional key prefix) of any S3-compatible service, through boto3."""

    bucket: str
    prefix: str
    client: object
    name: str = "s3"

    def _key(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type)  # type: ignore[attr-defined]

    def get(self, key: str) -> bytes | None:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))  # type: ignore[attr-defined]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        return answer["Body"].read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))  # type: ignore[attr-defined]

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))  # type: ignore[attr-defined]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return False
            raise
        return True


def _s3(app: Flask) -> S3Backend:
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url=app.config["S3_ENDPOINT_URL"],
        region_name=app.config["S3_REGION"],
        aws_access_key_id=app.config["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=app.config["S3_SECRET_ACCESS_KEY"],
        config=Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3}),
    )
    return S3Backend(bucket=app.config["S3_BUCKET"], prefix=app.config["S3_PREFIX"], client=client)


def backend(app: Flask | None = None) -> Backend:
    """The configured backend (built once per app: boto3 clients are thread-safe)."""
    app = app or current_app
    found = app.extensions.get("portal_storage")
    if found is None:
        found = _s3(app) if app.config["STORAGE"] == "s3" else DatabaseBackend()
        app.extensions["portal_storage"] = found
    return found


def file_key(firm_id: int, kind: str, name: str) -> str:
    """The one shape of a key: the firm first (so a key names its tenant), then what it is."""
    return f"{firm_id}/{kind}/{name}"


def save(key: str, data: bytes, content_type: str) -> None:
    """Write a file now (before the commit that will reference it); undone if that rolls back."""
    store = backend()
    store.put(key, data, content_type)
    if not isinstance(store, DatabaseBackend):
        db.session.info.setdefault(WRITTEN, []).append(key)


def _local_path(key: str) -> str | None:
    """Where a file of an installation from before this storage was kept (PORTAL_UPLOAD_DIR on
    the web server that received it), if it is still there; `portal storage import-local`
    moves such files into the storage."""
    root = os.path.realpath(current_app.config["UPLOAD_DIR"])
    path = os.path.realpath(os.path.join(root, key))
    return path if path.startswith(root + os.sep) and os.path.isfile(path) else None


def load(key: str) -> bytes | None:
    store = backend()
    data = store.get(key)
    if data is None and not isinstance(store, DatabaseBackend):
        data = DatabaseBackend().get(key)  # kept in the database from before the switch to S3
    if data is None and (path := _local_path(key)) is not None:
        with open(path, "rb") as fh:
            return fh.read()
    return data


def delete_after_commit(key: str) -> None:
    """Forget a file once the transaction that stops referencing it has committed."""
    # The database's row (the database backend's file, or one kept from before a switch to S3)
    # goes within the same transaction: atomic with the change.
    DatabaseBackend().delete(key)
    db.session.info.setdefault(PENDING_DELETES, []).append(key)


def _after_commit(session: Session) -> None:
    session.info.pop(WRITTEN, None)
    for path in session.info.pop(LOCAL_DELETES, None) or ():
        try:
            os.remove(path)
        except OSError:
            pass
    keys = session.info.pop(PENDING_DELETES, None)
    if keys:
        store = backend()
        for key in keys:
            try:
                if not isinstance(store, DatabaseBackend):
                    store.delete(key)
                if (path := _local_path(key)) is not None:
                    os.remove(path)
            except Exception:  # noqa: BLE001 - the change is committed; an orphan file is harmless
                current_app.logger.warning("storage: could not delete %s after commit", key, exc_info=True)


def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING_DELETES, None)
    session.info.pop(LOCAL_DELETES, None)
    keys = session.info.pop(WRITTEN, None)
    if keys:
        store = backend()
        for key in keys:
            try:
                store.delete(key)
            except Exception:  # noqa: BLE001
                current_app.logger.warning("storage: could not remove %s after a rollback", key, exc_info=True)


def _after_soft_rollback(session: Session, previous_transaction) -> None:
    _after_rollback(session)


def init_app(app: Flask) -> None:
    if not event.contains(Session, "after_commit", _after_commit):  # once per process, not per app
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_soft_rollback)


def import_local(candidates: list, *, remove: bool = True) -> tuple[int, int]:
    """Move files of an installation from before this storage (kept under PORTAL_UPLOAD_DIR)
    into the configured backend under the same key; the caller commits. Returns (moved, missing):
    a reference whose file is on no disk here is reported, never dropped."""
    moved = missing = 0
    store = backend()
    for candidate in candidates:
        key = candidate.cv_path
        if not key or store.exists(key):
            continue
        path = _local_path(key)
        if path is None:
            missing += 1
            continue
        with open(path, "rb") as fh:
            store.put(key, fh.read(), candidate.cv_mime or "application/octet-stream")
        if remove:
            db.session.info.setdefault(LOCAL_DELETES, []).append(path)  # the local copy goes after commit
        moved += 1
    return moved, missing


def import_database(batch: int = 50) -> int:
    """With S3: move the files still kept in the database (stored_files rows: written before
    the switch to S3, or by a migration) into the bucket under the same key, committing every
    `batch` files. Returns how many moved; nothing to do with the database backend."""
    from portal import transaction
    from portal.tenancy import all_firms

    store = backend()
    if isinstance(store, DatabaseBackend):
        return 0
    moved = 0
    while True:
        with all_firms(), transaction.transaction():
            rows = db.session.execute(
                select(StoredFile.key, StoredFile.content_type).order_by(StoredFile.key).limit(batch)
            ).all()
            for key, content_type in rows:
                data = db.session.scalar(select(StoredFile.data).where(StoredFile.key == key))
                if data is not None:
                    save(key, data, content_type)  # before the commit that drops the row; undone if it fails
                db.session.execute(delete(StoredFile).where(StoredFile.key == key))
                moved += 1
        if len(rows) < batch:
            return moved
