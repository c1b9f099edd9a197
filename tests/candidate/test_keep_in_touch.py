"""Keep in touch: short updates and referrals reach the recruiter (rows + messages)."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import Audience, CandidateUpdate, Message, Stage, UpdateKind
from portal.services import keep_in_touch
from tests.factories import firm_context, make_user
from tests.support import candidate as h


def test_short_update_reaches_every_recruiter_looking_after_them(app, firms, cand_client):
    f = firms.a
    other_rec = make_user(app, f.firm, email="second@alpha.example", name="Second Recruiter")
    s = h.make_search(app, f, title="Role Two", owner_id=other_rec.id)
    h.add(app, f, s, f.candidate, Stage.SCREENING)
    resp = cand_client.post("/me/keep-in-touch/update", data={"choice": "offer", "text": "From Acme, decide by Friday"})
    assert resp.status_code == 303
    with firm_context(app, f.firm):
        up = db.session.scalar(select(CandidateUpdate))
        assert up.kind == UpdateKind.UPDATE and "I received another offer" in up.body and "Friday" in up.body
        msgs = db.session.scalars(select(Message).where(Message.kind == "candidate_update")).all()
        assert sorted(m.to_email for m in msgs) == sorted([f.recruiter.email, "second@alpha.example"])
        assert all(m.audience == Audience.RECRUITER and not m.show_in_portal for m in msgs)
        assert "I received another offer" in msgs[0].subject


def test_other_needs_a_message_and_limits_apply(app, firms, cand_client):
    resp = cand_client.post("/me/keep-in-touch/update", data={"choice": "other", "text": ""})
    assert resp.status_code == 400 and "Please write a short message" in resp.get_data(as_text=True)
    resp = cand_client.post("/me/keep-in-touch/update", data={"choice": "bogus"})
    assert resp.status_code == 400 and "Not a valid choice" in resp.get_data(as_text=True)
    resp = cand_client.post("/me/keep-in-touch/update", data={"choice": "other", "text": "y" * 20000})
    assert resp.status_code == 400 and "at most 1000" in resp.get_data(as_text=True)
    with firm_context(app, firms.a.firm):
        assert db.session.scalar(select(CandidateUpdate)) is None


def test_daily_limit(app, firms, cand_client, monkeypatch):
    monkeypatch.setattr(keep_in_touch, "DAILY_LIMIT", 2)
    for _ in range(2):
        assert cand_client.post("/me/keep-in-touch/update", data={"choice": "unavailable"}).status_code == 303
    resp = cand_client.post("/me/keep-in-touch/update", data={"choice": "unavailable"})
    assert resp.status_code == 400 and "a lot of messages today" in resp.get_data(as_text=True)


def test_referral_for_a_role(app, firms, cand_client):
    f = firms.a
    s = h.make_search(app, f, title="Open Role", client="Hush Co", confidential=True)
    page = cand_client.get("/me/keep-in-touch").get_data(as_text=True)
    assert "Open Role (Confidential client)" in page and "Hush Co" not in page
    resp = cand_client.post(
        "/me/keep-in-touch/referral",
        data={"name": "Robin Friend", "email": "Robin@Example.com", "note": "Great engineer", "search_id": str(s.id)},
    )
    assert resp.status_code == 303
    with firm_context(app, f.firm):
        up = db.session.scalar(select(CandidateUpdate))
        assert (up.kind, up.referral_name, up.referral_email, up.search_id, up.body) == (
            UpdateKind.REFERRAL,
            "Robin Friend",
            "robin@example.com",
            s.id,
            "Great engineer",
        )
        msg = db.session.scalar(select(Message).where(Message.kind == "referral"))
        assert msg.to_email == f.recruiter.email and "Robin Friend" in msg.body_text


def test_referral_validation(app, firms, cand_client):
    for data, text in (
        ({"name": "", "email": "a@b.co"}, "Please give their name"),
        ({"name": "A", "email": "nope"}, "valid email"),
        ({"name": "A", "email": firms.a.candidate.email}, "your own email"),
        ({"name": "A", "email": "a@b.co", "search_id": "abc"}, "choose one of the roles listed"),
        ({"name": "A", "email": "a@b.co", "note": "z" * 20000}, "at most 1000"),
    ):
        resp = cand_client.post("/me/keep-in-touch/referral", data=data)
        assert resp.status_code == 400, data
        assert text in resp.get_data(as_text=True), (data, text)
    with firm_context(app, firms.a.firm):
        assert db.session.scalar(select(CandidateUpdate)) is None
