"""Availability and profile: changes reach the recruiter at once; bad input is refused whole."""

from datetime import date, timedelta
from io import BytesIO

from sqlalchemy import select

from portal.extensions import db
from portal.models import Audience, Candidate, CandidateUpdate, JobSeeking, Message, UpdateKind, User
from tests.factories import firm_context
from tests.support import candidate as h
from tests.support.storage import stored


def _form(**over):
    data = {
        "name": "Casey Candidate",
        "email": "candidate@alpha.example",
        "phone": "+49 30 1234",
        "headline": "Backend engineer",
        "location": "Berlin",
        "job_seeking": "active",
        "available_from": (date.today() + timedelta(days=30)).isoformat(),
        "notice_weeks": "4",
        "employment_status": "employed",
        "desired_roles": "Tech lead",
        "desired_locations": "Berlin, remote",
        "remote_preference": "hybrid",
        "pay_expectation": "85000",
        "pay_currency": "EUR",
        "summary": "I build reliable systems.",
        "skills": "",
    }
    data.update(over)
    return data


def _cand(app, f):
    with firm_context(app, f.firm):
        return db.session.get(Candidate, f.candidate.id)


def test_profile_page_shows_current_values_and_last_confirmed(app, firms, cand_client):
    html = cand_client.get("/me/profile").get_data(as_text=True)
    assert "You have not confirmed your profile yet" in html
    assert firms.a.candidate.email in html


def test_a_change_is_saved_and_reaches_the_recruiter(app, firms, cand_client):
    f = firms.a
    resp = cand_client.post("/me/profile", data=_form())
    assert resp.status_code == 303
    c = _cand(app, f)
    assert c.job_seeking == JobSeeking.ACTIVE and c.notice_weeks == 4 and c.pay_expectation == 85000
    assert c.availability_changed_at is not None and c.profile_confirmed_at is not None
    with firm_context(app, f.firm):
        ups = db.session.scalars(select(CandidateUpdate).where(CandidateUpdate.kind == UpdateKind.AVAILABILITY)).all()
        assert len(ups) == 1 and "Job-seeking status: Open to offers → Actively looking" in ups[0].body
        msgs = db.session.scalars(select(Message).where(Message.kind == "availability_changed")).all()
        assert len(msgs) == 1 and msgs[0].audience == Audience.RECRUITER
        assert msgs[0].to_email == f.recruiter.email and not msgs[0].show_in_portal
        assert "Actively looking" in msgs[0].body_text
    assert "Your recruiter can see the change now" in cand_client.get("/me/profile").get_data(as_text=True)


def test_saving_unchanged_profile_only_confirms_it(app, firms, cand_client):
    cand_client.post("/me/profile", data=_form())
    before = _cand(app, firms.a).availability_changed_at
    resp = cand_client.post("/me/profile", data=_form(), follow_redirects=True)
    assert "still accurate" in resp.get_data(as_text=True)
    assert _cand(app, firms.a).availability_changed_at == before
    with firm_context(app, firms.a.firm):
        assert len(db.session.scalars(select(CandidateUpdate)).all()) == 1


def test_still_accurate_button(app, firms, cand_client):
    assert _cand(app, firms.a).profile_confirmed_at is None
    resp = cand_client.post("/me/profile/confirm", follow_redirects=True)
    assert resp.status_code == 200 and "You last confirmed your profile on" in resp.get_data(as_text=True)
    assert _cand(app, firms.a).profile_confirmed_at is not None


def test_past_available_from_is_refused_and_nothing_is_stored(app, firms, cand_client):
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    resp = cand_client.post("/me/profile", data=_form(available_from=yesterday, job_seeking="not_looking"))
    assert resp.status_code == 400
    assert "choose today or a later date" in resp.get_data(as_text=True)
    c = _cand(app, firms.a)
    assert c.job_seeking == JobSeeking.OPEN and c.available_from is None and c.availability_changed_at is None


def test_overlong_and_invalid_fields_give_clear_messages(app, firms, cand_client):
    long = "x" * 20000
    for field in ("name", "phone", "headline", "location", "desired_roles", "desired_locations", "summary", "skills"):
        resp = cand_client.post("/me/profile", data=_form(**{field: long}))
        assert resp.status_code == 400, field
        assert "Please use at most" in resp.get_data(as_text=True), field
    for field, value, text in (
        ("email", long, "at most"),
        ("email", "not-an-email", "valid email"),
        ("notice_weeks", "99", "between 0 and 52"),
        ("pay_expectation", "9" * 5000, "Not a valid integer"),
        ("available_from", "31/31/2020", "Not a valid date"),
        ("job_seeking", "<script>", "Not a valid choice"),
        ("pay_currency", "XXX", "Not a valid choice"),
    ):
        resp = cand_client.post("/me/profile", data=_form(**{field: value}))
        assert resp.status_code == 400, field
        assert text in resp.get_data(as_text=True), (field, value)
    c = _cand(app, firms.a)
    assert c.name != "Casey Candidate" and c.availability_changed_at is None


def test_script_is_stored_as_text_and_shown_escaped(app, firms, cand_client):
    evil = "<script>alert(1)</script>"
    resp = cand_client.post(
        "/me/profile",
        data=_form(
            name=f"Eve {evil}",
            headline=evil,
            location=evil,
            desired_roles=evil,
            desired_locations=evil,
            summary=evil,
            phone="<b>1</b>",
        ),
    )
    assert resp.status_code == 303
    html = cand_client.get("/me/profile").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    with firm_context(app, firms.a.firm):
        msg = db.session.scalar(select(Message).where(Message.kind == "availability_changed"))
        assert "<script>alert(1)</script>" not in msg.body_html


def test_nul_bytes_are_stripped(app, firms, cand_client):
    resp = cand_client.post("/me/profile", data=_form(summary="a\x00b", name="Nu\x00ll"))
    assert resp.status_code == 303
    c = _cand(app, firms.a)
    assert c.summary == "ab" and c.name == "Null"


def test_email_change_resets_bounce_state_and_login(app, firms, cand_client, client_for):
    f = firms.a
    with firm_context(app, f.firm):
        c = db.session.get(Candidate, f.candidate.id)
        c.email_failures, c.email_suppressed = 3, True
    resp = cand_client.post("/me/profile", data=_form(email="New.Address@Example.com"))
    assert resp.status_code == 303
    c = _cand(app, f)
    assert c.email == "new.address@example.com" and c.email_failures == 0 and not c.email_suppressed
    with firm_context(app, f.firm):
        assert db.session.get(User, f.candidate_user.id).email == "new.address@example.com"


def test_email_taken_by_another_account_is_refused(app, firms, cand_client):
    resp = cand_client.post("/me/profile", data=_form(email=firms.a.recruiter.email, job_seeking="active"))
    assert resp.status_code == 400 and "already used by another account" in resp.get_data(as_text=True)
    c = _cand(app, firms.a)
    assert c.email == firms.a.candidate.email and c.job_seeking == JobSeeking.OPEN


def test_cv_upload_replaces_and_downloads(app, firms, cand_client):
    resp = cand_client.post(
        "/me/profile/cv", data={"cv": (BytesIO(h.PDF_BYTES), "My CV.pdf")}, content_type="multipart/form-data"
    )
    assert resp.status_code == 303
    c = _cand(app, firms.a)
    first = c.cv_path
    assert stored(app, firms.a.firm, first) and c.availability_changed_at is not None
    dl = cand_client.get("/me/profile/cv")
    assert dl.status_code == 200 and dl.data == h.PDF_BYTES and "attachment" in dl.headers["Content-Disposition"]
    cand_client.post(
        "/me/profile/cv", data={"cv": (BytesIO(h.PDF_BYTES), "second.pdf")}, content_type="multipart/form-data"
    )
    assert not stored(app, firms.a.firm, first)
    with firm_context(app, firms.a.firm):
        bodies = db.session.scalars(select(CandidateUpdate.body)).all()
        assert len(bodies) == 2 and all("CV" in b for b in bodies)


def test_cv_wrong_type_or_missing_is_a_clear_message(app, firms, cand_client):
    resp = cand_client.post(
        "/me/profile/cv", data={"cv": (BytesIO(b"MZ\x90\x00 not a pdf"), "cv.pdf")}, content_type="multipart/form-data"
    )
    assert resp.status_code == 400 and "Please upload a PDF or a Word" in resp.get_data(as_text=True)
    resp = cand_client.post("/me/profile/cv", data={}, content_type="multipart/form-data")
    assert resp.status_code == 400 and "Choose a file" in resp.get_data(as_text=True)
    assert _cand(app, firms.a).cv_path is None


def test_cv_over_the_cv_limit_is_refused(app, firms, cand_client):
    data = h.PDF_BYTES + b"0" * (6 * 1024 * 1024)
    resp = cand_client.post(
        "/me/profile/cv", data={"cv": (BytesIO(data), "big.pdf")}, content_type="multipart/form-data"
    )
    assert resp.status_code == 400 and "larger than 5 MB" in resp.get_data(as_text=True)
    assert _cand(app, firms.a).cv_path is None


def test_a_50_mb_upload_shows_a_clear_message_on_the_form(app, firms, cand_client):
    data = h.PDF_BYTES + b"0" * (50 * 1024 * 1024)
    resp = cand_client.post(
        "/me/profile/cv", data={"cv": (BytesIO(data), "huge.pdf")}, content_type="multipart/form-data"
    )
    assert resp.status_code == 413
    html = resp.get_data(as_text=True)
    assert "too large to upload" in html and "Save my profile" in html  # the profile page, with its forms
    assert _cand(app, firms.a).cv_path is None


def test_too_large_form_post_elsewhere_redirects_with_a_message(app, firms, cand_client):
    resp = cand_client.post(
        "/me/keep-in-touch/update", data={"choice": "other", "text": "x" * (11 * 1024 * 1024)}, follow_redirects=True
    )
    assert resp.status_code == 200
    assert "too large" in resp.get_data(as_text=True) and "Send your recruiter an update" in resp.get_data(as_text=True)


def test_a_saved_date_that_has_passed_does_not_block_saving(app, firms, cand_client):
    past = date.today() - timedelta(days=20)
    with firm_context(app, firms.a.firm):
        db.session.get(Candidate, firms.a.candidate.id).available_from = past
    resp = cand_client.post("/me/profile", data=_form(available_from=past.isoformat(), job_seeking="active"))
    assert resp.status_code == 303
    c = _cand(app, firms.a)
    assert c.available_from == past and c.job_seeking == JobSeeking.ACTIVE


def test_a_currency_set_by_the_recruiter_stays_selectable(app, firms, cand_client):
    with firm_context(app, firms.a.firm):
        db.session.get(Candidate, firms.a.candidate.id).pay_currency = "JPY"
    assert '<option selected value="JPY">' in cand_client.get("/me/profile").get_data(as_text=True)
    resp = cand_client.post("/me/profile", data=_form(pay_currency="JPY"))
    assert resp.status_code == 303 and _cand(app, firms.a).pay_currency == "JPY"
