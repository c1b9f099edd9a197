from datetime import timedelta
from portal.models import Stage, utcnow
from tests.support.candidate import add, make_search
from tests.support.interviews import make_interview

def test_smoke(app, firms, client_for, rec):
    from tests.support.fixtures.clients import login_as
    f = firms.a
    s = make_search(app, f)
    cy = add(app, f, s, f.candidate, Stage.SCREENING)
    iv = make_interview(app, f, cy, utcnow() - timedelta(days=5))
    up = make_interview(app, f, cy, utcnow() + timedelta(days=2))
    c = client_for(f.firm); login_as(c, f.candidate_user)
    r = c.get(f"/me/interviews/{iv.id}/debrief"); assert r.status_code == 200, r.data
    r = c.post(f"/me/interviews/{iv.id}/debrief", data={"how_it_went": "Good", "interest": "4", "questions": ""})
    print(r.status_code)
    rec.client.get("/recruiter/")
    html = rec.client.get("/recruiter/").get_data(as_text=True)
    assert "Feedback owed after an interview" in html, html
    html = rec.client.get(f"/recruiter/candidacies/{cy.id}").get_data(as_text=True)
    assert "After the interviews" in html
    html = rec.client.get(f"/recruiter/interviews/{iv.id}/feedback").get_data(as_text=True)
    assert "Write feedback" in html
    html = c.get("/me/").get_data(as_text=True)
    assert "Your interview on" in html, html
    print(html[html.index("<main"):][:3000])
