"""The "Needs attention" dashboard: each list, its one-click action, the scope toggle, query counts."""

import re
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Candidacy,
    Candidate,
    CandidateUpdate,
    Interest,
    Message,
    MessageState,
    SearchState,
    Stage,
    UpdateKind,
    utcnow,
)
from tests.factories import firm_context, make_user
from tests.support.recruiter import add, flashes, make_search, people


def _section(html: str, ident: str) -> str:
    start = html.index(f'id="{ident}"')
    end = html.find("</section>", start)
    return html[start:end]


def _set_contact(app, f, candidate, days):
    with firm_context(app, f.firm):
        db.session.get(Candidate, candidate.id).last_contacted_at = (
            None if days is None else utcnow() - timedelta(days=days)
        )


def test_overdue_candidates_most_overdue_first_with_days(app, rec):
    f = rec.f
    s = make_search(app, f)
    closed = make_search(app, f, title="Closed role", state=SearchState.FILLED)
    a, b, c, d, e = people(app, f, 5)
    for person, stage in ((a, Stage.CONTACTED), (b, Stage.SCREENING), (c, Stage.CONTACTED), (d, Stage.IDENTIFIED)):
        add(app, f, s, person, stage)
    with firm_context(app, f.firm):  # someone in a closed search only is not owed updates
        db.session.add(Candidacy(firm_id=f.firm.id, search_id=closed.id, candidate_id=e.id, stage=Stage.SCREENING))
    _set_contact(app, f, a, 10)
    _set_contact(app, f, b, 30)
    _set_contact(app, f, c, 2)  # within the cadence (7 days)
    _set_contact(app, f, d, 50)  # identified: does not know about the search yet
    _set_contact(app, f, e, 50)
    html = rec.client.get("/recruiter/").get_data(as_text=True)
    overdue = _section(html, "overdue")
    names = re.findall(r"<strong>([^<]+)</strong>", overdue)
    assert names == [b.name, a.name]
    assert "30 days without an update" in overdue and "10 days without an update" in overdue
    assert "/recruiter/candidacies/" in overdue and "Write an update" in overdue


def test_writing_feedback_clears_the_overdue_row(app, rec):
    f = rec.f
    (a,) = people(app, f, 1)
    cy = add(app, f, make_search(app, f), a, Stage.CONTACTED)
    _set_contact(app, f, a, 12)
    assert a.name in _section(rec.client.get("/recruiter/").get_data(as_text=True), "overdue")
    rec.client.post(
        f"/recruiter/candidacies/{cy.id}/feedback",
        data={"body": "No news yet; you are not forgotten.", "action": "post"},
    )
    assert a.name not in _section(rec.client.get("/recruiter/").get_data(as_text=True), "overdue")


def test_scope_mine_by_default_and_whole_firm_on_request(app, rec):
    f = rec.f
    colleague = make_user(app, f.firm, email="colleague@alpha.example", name="Colleague")
    mine = make_search(app, f, title="Mine")
    theirs = make_search(app, f, title="Theirs", owner=colleague)
    p1, p2 = people(app, f, 2)
    with firm_context(app, f.firm):
        db.session.get(Candidate, p2.id).owner_id = colleague.id
    add(app, f, mine, p1, Stage.CONTACTED)
    add(app, f, theirs, p2, Stage.CONTACTED)
    _set_contact(app, f, p1, 9)
    _set_contact(app, f, p2, 9)
    own = _section(rec.client.get("/recruiter/").get_data(as_text=True), "overdue")
    assert p1.name in own and p2.name not in own
    everyone = _section(rec.client.get("/recruiter/?scope=firm").get_data(as_text=True), "overdue")
    assert p1.name in everyone and p2.name in everyone


def test_waiting_consents_are_mine_by_the_candidacys_candidate_or_search(app, rec):
    """A request carries its candidacy's candidate and search, copied when it is made (the
    dashboard's "mine" test reads them from an index, not the candidacy): mine when I own the
    person or the search, whoever asked; the whole firm's on request."""
    from portal.models import Consent

    f = rec.f
    colleague = make_user(app, f.firm, email="colleague@alpha.example", name="Colleague")
    mine = make_search(app, f, title="Mine")
    theirs = make_search(app, f, title="Theirs", owner=colleague)
    my_person, their_person, nobodys = people(app, f, 3)
    with firm_context(app, f.firm):
        db.session.get(Candidate, their_person.id).owner_id = colleague.id
        db.session.get(Candidate, nobodys.id).owner_id = colleague.id
    candidacies = [
        add(app, f, theirs, my_person, Stage.SCREENING),  # my person in their search
        add(app, f, mine, their_person, Stage.SCREENING),  # their person in my search
        add(app, f, theirs, nobodys, Stage.SCREENING),  # theirs twice
    ]
    for cy in candidacies:
        rec.client.post(f"/recruiter/candidacies/{cy.id}/consent")
    with firm_context(app, f.firm):
        asked = {c.candidacy_id: (c.candidate_id, c.search_id) for c in db.session.scalars(select(Consent))}
    assert asked == {cy.id: (cy.candidate_id, cy.search_id) for cy in candidacies}
    own = _section(rec.client.get("/recruiter/").get_data(as_text=True), "consents")
    assert my_person.name in own and their_person.name in own and nobodys.name not in own
    everyone = _section(rec.client.get("/recruiter/?scope=firm").get_data(as_text=True), "consents")
    assert all(p.name in everyone for p in (my_person, their_person, nobodys))


def test_consent_waiting_interest_updates_availability_and_failures_are_listed(app, rec):
    f = rec.f
    s = make_search(app, f, title="Platform Lead")
    cy = add(app, f, s, f.candidate, Stage.SCREENING)
    rec.client.post(f"/recruiter/candidacies/{cy.id}/consent")
    keen, mover, changer = people(app, f, 3)
    with firm_context(app, f.firm):
        for p in (keen, mover, changer):
            db.session.get(Candidate, p.id).owner_id = f.recruiter.id
        db.session.add(Interest(firm_id=f.firm.id, candidate_id=keen.id, search_id=s.id))
        db.session.add(
            CandidateUpdate(
                firm_id=f.firm.id,
                candidate_id=mover.id,
                kind=UpdateKind.UPDATE,
                body="I accepted another offer elsewhere.",
            )
        )
        db.session.get(Candidate, changer.id).availability_changed_at = utcnow()
        db.session.add(
            Message(
                firm_id=f.firm.id,
                kind="stage_changed",
                audience="candidate",
                candidate_id=keen.id,
                to_email="bad@example.invalid",
                subject="Bounced update",
                body_text="x",
                body_html="x",
                dedupe_key="t:1",
                state=MessageState.FAILED,
                last_error="550 mailbox unavailable",
            )
        )
    html = rec.client.get("/recruiter/").get_data(as_text=True)
    assert f.candidate.name in _section(html, "consents") and "Asked today" in _section(html, "consents")
    assert keen.name in _section(html, "interests") and "Add to pipeline" in _section(html, "interests")
    updates = _section(html, "updates")
    assert "I accepted another offer elsewhere." in updates and changer.name in updates
    failed = _section(html, "failed")
    assert "Bounced update" in failed and "550 mailbox unavailable" in failed and "Send again" in failed


def test_one_click_actions(app, rec):
    f = rec.f
    s = make_search(app, f, title="Platform Lead")
    keen, other, mover = people(app, f, 3)
    with firm_context(app, f.firm):
        for p in (keen, other, mover):
            db.session.get(Candidate, p.id).owner_id = f.recruiter.id
        i1 = Interest(firm_id=f.firm.id, candidate_id=keen.id, search_id=s.id)
        i2 = Interest(firm_id=f.firm.id, candidate_id=other.id, search_id=s.id)
        u = CandidateUpdate(
            firm_id=f.firm.id, candidate_id=mover.id, kind=UpdateKind.AVAILABILITY, body="Free from May"
        )
        db.session.add_all([i1, i2, u])
        db.session.get(Candidate, mover.id).availability_changed_at = utcnow() - timedelta(minutes=1)
        db.session.flush()
        ids = (i1.id, i2.id, u.id)
    resp = rec.client.post(f"/recruiter/attention/interests/{ids[0]}/add", follow_redirects=True)
    assert "now in the pipeline of Platform Lead" in flashes(resp.get_data(as_text=True))
    rec.client.post(f"/recruiter/attention/interests/{ids[1]}/handled")
    rec.client.post(f"/recruiter/attention/updates/{ids[2]}/handled")
    with firm_context(app, f.firm):
        cy = db.session.scalar(select(Candidacy).where(Candidacy.candidate_id == keen.id))
        assert cy.stage == Stage.CONTACTED
        assert all(db.session.get(Interest, i).handled_at for i in ids[:2])
        assert db.session.get(CandidateUpdate, ids[2]).handled_at is not None
    html = rec.client.get("/recruiter/").get_data(as_text=True)
    assert keen.name not in _section(html, "interests") and other.name not in _section(html, "interests")
    assert mover.name not in _section(html, "updates")  # handled after the change: off the list


def test_retry_a_failed_message_uses_the_current_address(app, rec, run_jobs, smtp_sink):
    f = rec.f
    (c,) = people(app, f, 1, email="fixed@example.com")
    with firm_context(app, f.firm):
        db.session.get(Candidate, c.id).owner_id = f.recruiter.id
        db.session.get(Candidate, c.id).email_suppressed = True
        m = Message(
            firm_id=f.firm.id,
            kind="stage_changed",
            audience="candidate",
            candidate_id=c.id,
            to_email="typo@exampel.com",
            to_name=c.name,
            subject="Your update",
            body_text="Hello",
            body_html="<p>Hello</p>",
            dedupe_key="t:retry",
            state=MessageState.FAILED,
            attempts=3,
            last_error="550 no such user",
        )
        db.session.add(m)
        db.session.flush()
        mid = m.id
    resp = rec.client.post(f"/recruiter/attention/failed/{mid}/retry", follow_redirects=True)
    assert "sent again to fixed@example.com" in flashes(resp.get_data(as_text=True))
    run_jobs()
    sent = smtp_sink.wait_for(1)
    assert [m.rcpt_tos for m in sent] == [["fixed@example.com"]]
    with firm_context(app, f.firm):
        assert db.session.get(Message, mid).state == MessageState.SENT
    resp = rec.client.post(f"/recruiter/attention/failed/{mid}/retry", follow_redirects=True)
    assert "Only a failed message" in flashes(resp.get_data(as_text=True))


def test_dashboard_query_count_does_not_grow(app, rec, count_queries):
    f = rec.f

    def build(n, tag):
        s = make_search(app, f, title=f"Role {tag}", client=f"Client {tag}")
        for i, p in enumerate(people(app, f, n)):
            with firm_context(app, f.firm):
                db.session.get(Candidate, p.id).owner_id = f.recruiter.id
            cy = add(app, f, s, p, Stage.SCREENING)
            rec.client.post(f"/recruiter/candidacies/{cy.id}/consent")
            _set_contact(app, f, p, 10 + i)
            with firm_context(app, f.firm):
                db.session.add(
                    Interest(
                        firm_id=f.firm.id, candidate_id=p.id, search_id=make_search(app, f, title=f"Other {tag} {i}").id
                    )
                )
                db.session.add(CandidateUpdate(firm_id=f.firm.id, candidate_id=p.id, kind=UpdateKind.UPDATE, body="hi"))
                db.session.get(Candidate, p.id).availability_changed_at = utcnow()
                db.session.add(
                    Message(
                        firm_id=f.firm.id,
                        kind="x",
                        audience="candidate",
                        candidate_id=p.id,
                        to_email="a@b.c",
                        subject="s",
                        body_text="t",
                        body_html="h",
                        dedupe_key=f"f:{tag}:{i}",
                        state=MessageState.FAILED,
                    )
                )

    build(1, "a")
    for url in ("/recruiter/", "/recruiter/?scope=firm"):
        rec.client.get(url)
    counts = {}
    for url in ("/recruiter/", "/recruiter/?scope=firm"):
        with count_queries() as q:
            html = rec.client.get(url).get_data(as_text=True)
        counts[url] = q.count
        assert _section(html, "overdue").count("Write an update") == 1
        assert _section(html, "failed").count("Send again") == 1
    build(49, "b")
    for url in ("/recruiter/", "/recruiter/?scope=firm"):
        with count_queries() as q:
            html = rec.client.get(url).get_data(as_text=True)
        assert q.count == counts[url], url
        # The home shows the ten most urgent of each kind, and links to the whole list.
        assert _section(html, "overdue").count("Write an update") == 10
        for ident, marker in (
            ("consents", "Open candidacy"),
            ("interests", "Add to pipeline"),
            ("failed", "Send again"),
        ):
            assert _section(html, ident).count(marker) == 10, ident
            assert f"show={ident}" in _section(html, ident), ident
        assert _section(html, "updates").count("Mark handled") == 10
    # "Show all" lists one kind, all 50, with no more statements than the home.
    for ident, marker in (
        ("overdue", "Write an update"),
        ("consents", "Open candidacy"),
        ("interests", "Add to pipeline"),
        ("failed", "Send again"),
        ("updates", "Mark handled"),
    ):
        for scope in ("", "&scope=firm"):
            with count_queries() as q:
                html = rec.client.get(f"/recruiter/?show={ident}{scope}").get_data(as_text=True)
            assert q.count <= counts["/recruiter/"], ident
            assert _section(html, ident).count(marker) == 50, ident
            others = {"overdue", "consents", "interests", "updates", "failed"} - {ident}
            assert not any(f'id="{o}"' in html for o in others), ident


# The whole page: the session's user, every list of needs attention (one statement,
# portal/services/dashboard_query.py; on PostgreSQL after `SET LOCAL jit = off`) and the
# held-mail count. With one row or sixty in every list, on the home and on each "show all".
PAGE_STATEMENTS = {"sqlite": 3, "postgresql": 4}
EVERY_KIND = {
    "messages": "#conversation",
    "unreachable": "Record that you told them another way",
    "applications": "Open application",
    "overdue": "Write an update",
    "interview_feedback": "Write feedback",
    "debriefs": "Mark seen",
    "consents": "Open candidacy",
    "interview-answers": "declined the interview",
    "interests": "Add to pipeline",
    "updates": "changed their availability",
    "failed": "Send again",
}


def _every_kind(app, f, n, tag):
    """n rows in every list of needs attention, each person owned by the recruiter: waiting for
    an answer, unreachable (with the update they missed), applied (with a note, referred), overdue
    with an active candidacy, an interview owed feedback with a debrief, a declined interview, a
    consent request, an interest, an update, a changed availability and a failed message."""
    from portal.models import (
        Application,
        Author,
        Consent,
        ConversationMessage,
        Debrief,
        InterviewFormat,
        InterviewKind,
        InterviewState,
    )
    from portal.models.interview import Interview

    now = utcnow()
    pipeline = make_search(app, f, title=f"Pipeline {tag}", client=f"Client {tag}")
    applied = make_search(app, f, title=f"Applied {tag}")
    wanted = make_search(app, f, title=f"Wanted {tag}")
    referrer = people(app, f, 1)[0]
    for i, p in enumerate(people(app, f, n)):
        cy = add(app, f, pipeline, p, Stage.SCREENING)
        with firm_context(app, f.firm):
            person = db.session.get(Candidate, p.id)
            person.owner_id = f.recruiter.id
            person.last_contacted_at = now - timedelta(days=10 + i)
            person.unreachable_since = now - timedelta(days=i)
            person.availability_changed_at = now
            firm_id = f.firm.id
            db.session.add_all(
                [
                    ConversationMessage(
                        firm_id=firm_id,
                        candidate_id=p.id,
                        candidacy_id=cy.id,
                        author=Author.CANDIDATE,
                        body="Any news?",
                    ),
                    Candidacy(firm_id=firm_id, search_id=applied.id, candidate_id=p.id, stage=Stage.APPLIED),
                    Application(
                        firm_id=firm_id,
                        candidate_id=p.id,
                        search_id=applied.id,
                        note=f"NOTE-{tag}-{i}",
                        referred_by_candidate_id=referrer.id,
                        privacy_notice_hash="0" * 64,
                    ),
                    Consent(
                        firm_id=firm_id,
                        candidacy_id=cy.id,
                        candidate_id=cy.candidate_id,
                        search_id=cy.search_id,
                        client_name=f"Client {tag}",
                        role_title="Role",
                    ),
                    Interest(firm_id=firm_id, candidate_id=p.id, search_id=wanted.id),
                    CandidateUpdate(firm_id=firm_id, candidate_id=p.id, kind=UpdateKind.UPDATE, body="hi"),
                    Message(
                        firm_id=firm_id,
                        kind="x",
                        audience="candidate",
                        candidate_id=p.id,
                        to_email="a@b.c",
                        subject=f"UPDATE-{tag}-{i}",
                        body_text="t",
                        body_html="h",
                        dedupe_key=f"every:{tag}:{i}",
                        state=MessageState.FAILED,
                    ),
                ]
            )
            interview = {
                "firm_id": firm_id,
                "candidacy_id": cy.id,
                "candidate_id": p.id,
                "recruiter_id": f.recruiter.id,
                "kind": InterviewKind.CLIENT,
                "format": InterviewFormat.VIDEO,
            }
            held = Interview(**interview, starts_at=now - timedelta(days=3, hours=i), state=InterviewState.SCHEDULED)
            declined = Interview(
                **interview,
                starts_at=now + timedelta(days=3),
                state=InterviewState.DECLINED,
                candidate_answered_at=now - timedelta(hours=i),
            )
            db.session.add_all([held, declined])
            db.session.flush()
            db.session.add(Debrief(firm_id=firm_id, interview_id=held.id, candidate_id=p.id, interest=4))


def test_the_page_is_three_statements_four_on_postgresql_whatever_the_data(app, rec, count_queries):
    f = rec.f
    with app.app_context():
        expected = PAGE_STATEMENTS[db.engine.dialect.name]

    def page(url):
        with count_queries() as q:
            html = rec.client.get(url).get_data(as_text=True)
        assert q.count == expected, (url, [str(s)[:80] for s in q.statements])
        return html

    _every_kind(app, f, 1, "a")
    for url in ("/recruiter/", "/recruiter/?scope=firm"):
        rec.client.get(url)
        html = page(url)
        for ident, marker in EVERY_KIND.items():
            assert _section(html, ident).count(marker) == 1, (url, ident)
        assert "NOTE-a-0" in _section(html, "applications") and "Referred by" in _section(html, "applications")
        assert "UPDATE-a-0" in _section(html, "unreachable")
    _every_kind(app, f, 59, "b")
    for url in ("/recruiter/", "/recruiter/?scope=firm"):
        html = page(url)
        for ident, marker in EVERY_KIND.items():
            assert _section(html, ident).count(marker) == 10, (url, ident)
            assert f"show={ident}" in _section(html, ident), (url, ident)
    for ident, marker in EVERY_KIND.items():
        for scope in ("", "&scope=firm"):
            html = page(f"/recruiter/?show={ident}{scope}")
            assert _section(html, ident).count(marker) == 60, (ident, scope)
