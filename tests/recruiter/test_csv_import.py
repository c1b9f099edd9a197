"""CSV import: a preview with a per-row report, then every row or none."""

import base64
import io
import re

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Candidate, JobSeeking, Seniority
from tests.factories import firm_context
from tests.support.recruiter import flashes, people

GOOD = (
    "Name,Email,Location,Seniority,Job seeking,Tags\n"
    "Grace Hopper,grace@example.com,New York,senior,active,navy; compilers\n"
    "Alan Turing,alan@example.com,Manchester,Lead,open to offers,\n"
    "\n"
    "Katherine Johnson,,Hampton,,not_looking,nasa\n"
)


def _upload(client, text: str, name: str = "people.csv"):
    return client.post(
        "/recruiter/candidates/import",
        data={"file": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )


def _count(app, f) -> int:
    with firm_context(app, f.firm):
        return db.session.scalar(select(func.count()).select_from(Candidate))


def test_preview_then_import_every_row(app, rec):
    before = _count(app, rec.f)
    resp = _upload(rec.client, GOOD)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "3 candidates are ready to import" in html
    assert "Grace Hopper" in html and _count(app, rec.f) == before  # preview writes nothing
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', html).group(1)
    resp = rec.client.post("/recruiter/candidates/import/confirm", data={"payload": payload}, follow_redirects=True)
    assert "Imported 3 candidates" in flashes(resp.get_data(as_text=True))
    with firm_context(app, rec.f.firm):
        grace = db.session.scalar(select(Candidate).where(Candidate.email == "grace@example.com"))
        assert grace.seniority == Seniority.SENIOR and grace.job_seeking == JobSeeking.ACTIVE
        assert sorted(t.name for t in grace.tags) == ["compilers", "navy"]
        alan = db.session.scalar(select(Candidate).where(Candidate.name == "Alan Turing"))
        assert alan.seniority == Seniority.LEAD and alan.job_seeking == JobSeeking.OPEN
        assert alan.owner_id == rec.f.recruiter.id


def test_one_bad_row_imports_nothing_and_names_the_row(app, rec):
    before = _count(app, rec.f)
    bad = GOOD + "Bad Person,not-an-email,Paris,,,\n"
    resp = _upload(rec.client, bad)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "Nothing was imported" in html and "row 6" in html
    assert re.search(r"<td>6</td>.*?Email:", html, re.S)
    assert 'name="payload"' not in html  # no import button
    # Even a crafted confirm of the bad file imports nothing and names the row.
    payload = base64.b64encode(bad.encode()).decode()
    resp = rec.client.post("/recruiter/candidates/import/confirm", data={"payload": payload})
    assert resp.status_code == 400 and "row 6" in resp.get_data(as_text=True)
    assert _count(app, rec.f) == before


def test_row_errors_are_reported_per_row(app, rec):
    people(app, rec.f, 1, email="known@example.com")
    text = (
        "name,email,seniority,job_seeking\n"
        ",nobody@example.com,,\n"
        "Dup One,dup@example.com,,\n"
        "Dup Two,dup@example.com,,\n"
        "Known,known@example.com,,\n"
        "Odd Level,odd@example.com,wizard,\n"
        "Odd Seeking,seek@example.com,,maybe\n"
        f"{'L' * 200},long@example.com,,\n"
        "<b>Tag</b>,html@example.com,,\n"
    )
    html = _upload(rec.client, text).get_data(as_text=True)
    for row, message in (
        (2, "Name: this is required"),
        (4, "also on row 3"),
        (5, "already in the talent pool"),
        (6, "seniority"),
        (7, "job_seeking"),
        (8, "at most 120 characters"),
        (9, "HTML is not allowed"),
    ):
        assert re.search(rf"<td>{row}</td>.*?{re.escape(message)}", html, re.S), (row, message)
    assert "7 of 8 rows have a problem" in html


def test_file_level_problems(app, rec):
    cases = [
        ("email,location\na@example.com,x\n", "needs a column named name"),
        ("name\n", "no candidates"),
        ("", "The file is empty"),
        ("name,name\nA,B\n", "appears twice"),
    ]
    for text, message in cases:
        resp = _upload(rec.client, text)
        assert resp.status_code == 400 and message in resp.get_data(as_text=True), message
    resp = rec.client.post(
        "/recruiter/candidates/import",
        data={"file": (io.BytesIO(b"\x00\x01\x02PK"), "x.csv")},
        content_type="multipart/form-data",
    )
    assert "not a CSV text file" in resp.get_data(as_text=True)
    resp = rec.client.post(
        "/recruiter/candidates/import/confirm", data={"payload": "!!!not base64"}, follow_redirects=True
    )
    assert "damaged" in flashes(resp.get_data(as_text=True))


def test_semicolon_separated_and_windows_encoded_files(app, rec):
    text = "name;email;location\nJosé Núñez;jose@example.com;Málaga\n"
    resp = rec.client.post(
        "/recruiter/candidates/import",
        data={"file": (io.BytesIO(text.encode("cp1252")), "people.csv")},
        content_type="multipart/form-data",
    )
    html = resp.get_data(as_text=True)
    assert "1 candidate is ready" in html and "José Núñez" in html


def test_import_of_skills_column(app, rec):
    """Skills go through the matching helper's vocabulary (aliases resolve)."""
    text = "name,email,skills\nSkilled,skilled@example.com,Python; PostgreSQL\n"
    html = _upload(rec.client, text).get_data(as_text=True)
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', html).group(1)
    rec.client.post("/recruiter/candidates/import/confirm", data={"payload": payload})
    with firm_context(app, rec.f.firm):
        c = db.session.scalar(select(Candidate).where(Candidate.name == "Skilled"))
        assert sorted(s.skill.name for s in c.skills) == ["PostgreSQL", "Python"]
