"""`portal demo` gives the recruiter a living dashboard: every stage, both kinds of notes,
a pending consent and an overdue candidate."""

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Candidacy,
    Candidate,
    Consent,
    ConsentState,
    Feedback,
    Firm,
    Interest,
    Message,
    MessageState,
    Note,
    Stage,
    User,
)
from portal.tenancy import as_firm
from tests.support.fixtures.clients import login_as


def test_demo_data_exercises_the_whole_recruiter_backend(app, client_for):
    from portal.devtools.demo import load_demo

    with app.app_context():
        load_demo()
        demo = db.session.scalar(select(Firm).where(Firm.slug == "demo"))
        with as_firm(demo.id):
            stages = set(db.session.scalars(select(Candidacy.stage)))
            assert stages == set(Stage)
            assert db.session.scalar(select(func.count()).select_from(Feedback)) >= 2
            assert db.session.scalar(select(func.count()).select_from(Note)) >= 2
            consent_states = set(db.session.scalars(select(Consent.state)))
            assert {ConsentState.REQUESTED, ConsentState.APPROVED, ConsentState.DECLINED} <= consent_states
            assert db.session.scalar(select(func.count()).select_from(Interest)) >= 1
            assert (
                db.session.scalar(select(func.count()).select_from(Message).where(Message.state == MessageState.FAILED))
                == 1
            )
            assert all(
                m.candidate_id is None or "Counter-offer" not in m.body_text
                for m in db.session.scalars(select(Message))
            )
            recruiter = db.session.scalar(select(User).where(User.email == "recruiter@demo.example"))
        globex = db.session.scalar(select(Firm).where(Firm.slug == "globex"))
        with as_firm(globex.id):
            assert db.session.scalar(select(func.count()).select_from(Candidacy)) == 2
        db.session.remove()
    c = client_for(demo)
    login_as(c, recruiter, password=app.config["DEMO_PASSWORD"])
    html = c.get("/recruiter/").get_data(as_text=True)
    overdue = html[html.index('id="overdue"') : html.index('id="consents"')]
    assert "Liam O&#39;Brien" in overdue and "12 days without an update" in overdue
    consents = html[html.index('id="consents"') : html.index('id="interests"')]
    assert "Tomás García" in consents and "Priya Raman" in consents  # Riley owns every demo candidate
    assert "Sofia Costa" in html[html.index('id="interests"') : html.index('id="updates"')]
    assert "mailbox unavailable" in html
    everyone = c.get("/recruiter/?scope=firm").get_data(as_text=True)
    assert "Mei Chen" in everyone[everyone.index('id="overdue"') : everyone.index('id="consents"')]
    assert "Priya Raman" in everyone[everyone.index('id="consents"') : everyone.index('id="interests"')]
    # The first demo candidate is in three searches (README: the richest journey); an open
    # role that fits stays free, so the recruiter sees them suggested for it.
    with app.app_context():
        with as_firm(demo.id):
            alex = db.session.scalar(select(Candidate).where(Candidate.email == "candidate@demo.example"))
            assert (
                db.session.scalar(select(func.count()).select_from(Candidacy).where(Candidacy.candidate_id == alex.id))
                == 3
            )
            assert sorted(s.skill.name for s in alex.skills) == ["Kubernetes", "PostgreSQL", "Python"]
        db.session.remove()
    backend = c.get("/recruiter/searches").get_data(as_text=True)
    import re

    sid = re.search(r'href="/recruiter/searches/(\d+)"><strong>Backend Engineer, Payments API', backend).group(1)
    page = c.get(f"/recruiter/searches/{sid}").get_data(as_text=True)
    assert "Add Alex Morgan to the pipeline" in page
