"""`portal backup` and `portal restore` round-trip a whole installation (the demo data with its
firms' logos, plus a stored CV and a recruiter's photo) on the database the suite runs on: what
was lost after the backup comes back. With S3 storage, `backup` says the bucket is backed up on
its own."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TABLES = ("firms", "users", "candidates", "candidacies", "messages", "stored_files")


@pytest.fixture
def fresh_database(tmp_path):
    base = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
    if base.startswith("postgresql"):
        from tests.support.services import postgres_database

        url, drop = postgres_database(base)
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path / 'installation.db'}"


def _portal(url: str, tmp_path, *args: str, **extra: str) -> str:
    env = dict(os.environ)
    env.update(
        PORTAL_ENV="development",
        PORTAL_DATABASE_URL=url,
        PORTAL_INSTANCE_DIR=str(tmp_path / "instance"),
        PORTAL_REDIS_URL="redis://127.0.0.1:9/0",  # nothing here needs Redis
        **extra,
    )
    done = subprocess.run(
        [sys.executable, "-m", "portal", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-4000:])
    return done.stdout


def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


def _images(engine) -> dict[str, dict]:
    """Every firm's logo and every user's photo, as the file storage keeps them (database backend)."""
    with engine.connect() as conn:
        logos = conn.execute(text("SELECT f.id, s.data FROM firms f JOIN stored_files s ON s.key = f.logo_key")).all()
        photos = conn.execute(text("SELECT u.id, s.data FROM users u JOIN stored_files s ON s.key = u.photo_key")).all()
    return {"logos": {i: bytes(d) for i, d in logos}, "photos": {i: bytes(d) for i, d in photos}}


def test_backup_and_restore_round_trip(fresh_database, tmp_path):
    url = fresh_database
    _portal(url, tmp_path, "db", "upgrade")
    _portal(url, tmp_path, "demo")
    engine = create_engine(url)
    with engine.begin() as conn:
        firm_id = conn.execute(text("SELECT min(id) FROM firms")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO stored_files (key, firm_id, content_type, size, data, created_at) "
                "VALUES (:k, :f, 'application/pdf', 9, :d, CURRENT_TIMESTAMP)"
            ),
            {"k": f"{firm_id}/cv/1-backup.pdf", "f": firm_id, "d": b"%PDF-1.4 "},
        )
        staff_id = conn.execute(
            text("SELECT min(id) FROM users WHERE firm_id = :f AND role = 'recruiter'"), {"f": firm_id}
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO stored_files (key, firm_id, content_type, size, data, created_at) "
                "VALUES (:k, :f, 'image/jpeg', 4, :d, CURRENT_TIMESTAMP)"
            ),
            {"k": f"{firm_id}/photo/{staff_id}-backup.jpg", "f": firm_id, "d": b"\xff\xd8\xff\xe0"},
        )
        conn.execute(
            text("UPDATE users SET photo_key = :k WHERE id = :u"),
            {"k": f"{firm_id}/photo/{staff_id}-backup.jpg", "u": staff_id},
        )
        name = conn.execute(text("SELECT name FROM candidates ORDER BY id LIMIT 1")).scalar_one()
    images = _images(engine)
    assert len(images["logos"]) >= 2 and len(images["photos"]) == 1, images.keys()
    before = _counts(engine)
    assert before["candidates"] > 10 and before["messages"] > 0 and before["stored_files"] >= 1

    target = tmp_path / "portal.backup"
    out = _portal(url, tmp_path, "backup", str(target))
    assert "Backed up to" in out and target.stat().st_size > 0

    # What an accident would do after the backup.
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM messages"))
        conn.execute(text("DELETE FROM stored_files"))
        conn.execute(text("UPDATE candidates SET name = 'overwritten'"))
    assert _counts(engine)["messages"] == 0
    engine.dispose()

    _portal(url, tmp_path, "restore", "--yes", str(target))
    engine = create_engine(url)
    assert _counts(engine) == before
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM candidates ORDER BY id LIMIT 1")).scalar_one() == name
        backed_up = conn.execute(
            text("SELECT data FROM stored_files WHERE key = :k"), {"k": f"{firm_id}/cv/1-backup.pdf"}
        )
        assert backed_up.scalar_one() == b"%PDF-1.4 "
    assert _images(engine) == images, "the firms' logos and the recruiter's photo come back"
    engine.dispose()
    # The restored installation is current: the migrations have nothing left to do.
    _portal(url, tmp_path, "db", "upgrade")


def test_backup_with_s3_storage_says_the_bucket_is_backed_up_on_its_own(tmp_path):
    """The database backup holds the keys; the files (CVs, logos, photos) are the bucket's."""
    url = f"sqlite:///{tmp_path / 'installation.db'}"
    _portal(url, tmp_path, "db", "upgrade")
    out = _portal(url, tmp_path, "backup", str(tmp_path / "b"), PORTAL_STORAGE="s3", PORTAL_S3_BUCKET="portal-files")
    assert "Files are in S3: back up the bucket on its own" in out
