"""Demo pipelines for `portal demo`: searches at every stage, feedback, notes, consent, interest,
updates, an overdue candidate and a failed message, so "Needs attention" is alive at first login.

Everything goes through the real services (the same rules and messages as the product), never
around them. candidate@demo.example (Alex Morgan), the first login the README lists, has the
richest journey: a consent request to answer, feedback, searches at different stages (getting to
know you, interviewing, ended with the reason) and roles that may fit; candidate2 (Priya Raman)
has feedback and a consent request waiting. candidate@globex.example stays in the talent pool
only (a newcomer: welcome text and matching roles)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Candidacy,
    Candidate,
    CandidateUpdate,
    CloseReason,
    Firm,
    Interest,
    JobSeeking,
    Message,
    MessageState,
    RemotePreference,
    SearchState,
    Seniority,
    Stage,
    UpdateKind,
    User,
    utcnow,
)
from portal.services import consent as consent_service
from portal.services import feedback as feedback_service
from portal.services import notes as notes_service
from portal.services import pipeline, skills
from portal.services.advertising import Advertising
from portal.services.searches import SearchInput, create_search

BACKEND = SearchInput(
    title="Senior Backend Engineer",
    client_name="Initech",
    description_md=(
        "Initech is rebuilding its **payments platform**. You will own services that move "
        "money for two million customers.\n\n- Python and PostgreSQL\n- A small, senior team\n"
        "- Four days a week in the Berlin office"
    ),
    requirements_md="- 5+ years building backend services\n- Production PostgreSQL\n- Calm under on-call",
    required_skills=["Python", "PostgreSQL"],
    nice_skills=["Kubernetes"],
    seniority=Seniority.SENIOR,
    location="Berlin",
    remote_policy=RemotePreference.HYBRID,
    pay_min=80000,
    pay_max=100000,
    ad=Advertising(advertised=True, publish_pay=True),
)
DESIGNER = SearchInput(
    title="Product Designer",
    client_name="Hooli",
    description_md="Shape the **onboarding** of Hooli's new banking app, from research to pixels.",
    requirements_md="- A portfolio of shipped product work\n- Figma",
    required_skills=["Figma"],
    nice_skills=["User research"],
    seniority=Seniority.MID,
    location="Amsterdam",
    remote_policy=RemotePreference.REMOTE,
    pay_min=60000,
    pay_max=75000,
    ad=Advertising(advertised=True),
)
HEAD = SearchInput(
    title="Head of Engineering",
    client_name="Umbrella Health",
    confidential=True,
    description_md="A confidential leadership role at a **health-tech scale-up** (120 engineers).",
    requirements_md="- Has led managers of managers\n- Regulated industry experience",
    required_skills=["Engineering management"],
    seniority=Seniority.EXECUTIVE,
    location="London",
    remote_policy=RemotePreference.HYBRID,
    pay_min=180000,
    pay_max=220000,
    pay_currency="GBP",
    ad=Advertising(
        advertised=True, public_summary="A health-tech scale-up with 120 engineers, growing its leadership team"
    ),
)
DATA = SearchInput(
    title="Data Scientist",
    client_name="Initech",
    anticipated=True,
    description_md="Expected to open next quarter: forecasting and fraud models.",
    required_skills=["Python", "Statistics"],
    seniority=Seniority.MID,
    location="Berlin",
    remote_policy=RemotePreference.HYBRID,
    ad=Advertising(advertised=True),
)
MOBILE = SearchInput(
    title="Mobile Engineer",
    client_name="Hooli",
    description_md="iOS and Android for the banking app.",
    required_skills=["Swift"],
    nice_skills=["Kotlin"],
    seniority=Seniority.SENIOR,
    location="Paris",
    remote_policy=RemotePreference.ONSITE,
    pay_min=70000,
    pay_max=85000,
)
PLATFORM = SearchInput(
    title="Platform Engineer",
    client_name="Vandelay Industries",
    description_md="Build the **Kubernetes platform** Vandelay's forty product teams deploy on.",
    requirements_md="- Kubernetes in production\n- Python or Go for tooling",
    required_skills=["Kubernetes", "Python"],
    nice_skills=["Terraform"],
    seniority=Seniority.SENIOR,
    location="Berlin",
    remote_policy=RemotePreference.HYBRID,
    pay_min=85000,
    pay_max=105000,
    ad=Advertising(advertised=True, publish_pay=True),
)
STAFF = SearchInput(
    title="Staff Engineer",
    client_name="Hooli",
    description_md="Lead the technical direction of Hooli's **payments** teams.",
    requirements_md="- Has led a team of engineers\n- Go in production",
    required_skills=["Go", "Engineering management"],
    nice_skills=["PostgreSQL"],
    seniority=Seniority.LEAD,
    location="Amsterdam",
    remote_policy=RemotePreference.HYBRID,
    pay_min=110000,
    pay_max=130000,
)
API = SearchInput(
    title="Backend Engineer, Payments API",
    client_name="Vandelay Industries",
    description_md="Design the **public payments API** Vandelay's merchants integrate with.",
    requirements_md="- Python web services\n- PostgreSQL",
    required_skills=["Python", "PostgreSQL"],
    seniority=Seniority.SENIOR,
    location="Berlin",
    remote_policy=RemotePreference.REMOTE,
    pay_min=75000,
    pay_max=95000,
)
OPS = SearchInput(
    title="Operations Manager",
    client_name="Acme Corp",
    description_md="Run our client's fulfilment centre.",
    required_skills=["Operations"],
    nice_skills=["Engineering management"],
    seniority=Seniority.SENIOR,
    location="Springfield",
    remote_policy=RemotePreference.ONSITE,
    pay_min=90000,
    pay_max=110000,
    pay_currency="USD",
)


def _search(firm: Firm, actor: User, data: SearchInput):
    return create_search(firm, actor, data)


def _consent(firm: Firm, actor: User, cy: Candidacy, approve: bool | None, comment: str | None = None):
    c = consent_service.request_consent(firm, actor, cy)
    if approve is not None:
        consent_service.answer_consent(firm, cy.candidate, c.id, approve=approve, comment=comment)
    return c


def _silent(candidate: Candidate, days: int) -> None:
    """Make the last message this candidate heard `days` old (an overdue candidate)."""
    candidate.last_contacted_at = utcnow() - timedelta(days=days)


SKILLS = {
    "Alex Morgan": ["Python", "PostgreSQL", "Kubernetes"],
    "Priya Raman": ["Figma", "User research"],
    "Jonas Weber": ["Engineering management", "Python", "Operations"],
    "Sofia Costa": ["Python", "Statistics", "SQL"],
    "Liam O'Brien": ["Kubernetes", "AWS", "Terraform"],
    "Mei Chen": ["JavaScript", "React", "Figma"],
    "Omar Haddad": ["Engineering management"],
    "Anna Kowalska": ["Selenium", "Python"],
    "Lucas Martin": ["Swift", "Kotlin"],
    "Ingrid Larsen": ["Python", "Kubernetes"],
    "Tomás García": ["Python", "PostgreSQL"],
    "Hana Sato": ["Python", "Machine learning", "Statistics"],
}


def load_firm_pipeline(firm: Firm, recruiter: User, recruiter2: User | None = None) -> None:
    """Searches and pipelines for one demo firm (its candidates must exist already)."""
    people = list(db.session.scalars(select(Candidate).order_by(Candidate.id)))
    for person in people:
        skills.set_candidate_skills(firm, person, SKILLS.get(person.name, []))
    if len(people) >= 12:
        _full(firm, recruiter, recruiter2 or recruiter, people)
    elif people:
        _small(firm, recruiter, people)
    db.session.flush()


def _full(firm: Firm, rec: User, rec2: User, p: list[Candidate]) -> None:
    alex, priya, jonas, sofia, liam, mei, omar, anna, lucas, ingrid, tomas, hana = p[:12]
    add = pipeline.add_to_search
    backend = _search(firm, rec, BACKEND)
    designer = _search(firm, rec2, DESIGNER)
    head = _search(firm, rec, HEAD)
    data = _search(firm, rec, DATA)
    mobile = _search(firm, rec2, MOBILE)

    # Senior Backend Engineer: one candidate at every open stage.
    add(firm, rec, backend, anna, Stage.IDENTIFIED)
    cy_liam = add(firm, rec, backend, liam, Stage.CONTACTED)
    cy_tomas = add(firm, rec, backend, tomas, Stage.SCREENING)
    feedback_service.post_feedback(
        firm,
        rec,
        cy_tomas,
        "Thank you for a **great first conversation**. Your payments experience is exactly "
        "what Initech needs. Next, I would like to present you to their CTO.",
    )
    notes_service.add_note(
        firm, rec, tomas, "Counter-offer risk: current employer offered a raise in March.", candidacy=cy_tomas
    )
    _consent(firm, rec, cy_tomas, None)  # waiting for the answer
    cy_ingrid = add(firm, rec, backend, ingrid, Stage.SCREENING)
    _consent(firm, rec, cy_ingrid, True, "Happy to be presented.")
    pipeline.move(firm, rec, cy_ingrid, Stage.PRESENTED)
    cy_jonas = add(firm, rec, backend, jonas, Stage.SCREENING)
    _consent(firm, rec, cy_jonas, True)
    pipeline.move(firm, rec, cy_jonas, Stage.PRESENTED)
    pipeline.move(firm, rec, cy_jonas, Stage.INTERVIEWING)
    feedback_service.post_feedback(
        firm,
        rec,
        cy_jonas,
        "Initech's feedback after round one: *strong system design*, they would like to "
        "go deeper on PostgreSQL tuning in round two.",
    )
    notes_service.add_note(firm, rec, jonas, "Notice period is 3 months; client knows.", candidacy=cy_jonas)
    cy_hana = add(firm, rec, backend, hana, Stage.SCREENING)
    _consent(firm, rec, cy_hana, True)
    for stage in (Stage.PRESENTED, Stage.INTERVIEWING, Stage.OFFER):
        pipeline.move(firm, rec, cy_hana, stage)

    # Product Designer (owned by the second recruiter).
    cy_priya = add(firm, rec2, designer, priya, Stage.SCREENING)
    feedback_service.post_feedback(
        firm,
        rec2,
        cy_priya,
        "Your onboarding case study was the best we have seen this year. Before I send "
        "your profile to the client, please confirm on your page that you are happy for me to do so.",
    )
    notes_service.add_note(
        firm, rec2, priya, "Open to relocating to Amsterdam; prefers a remote start.", candidacy=cy_priya
    )
    _consent(firm, rec2, cy_priya, None)  # candidate2@demo.example answers this in the portal
    cy_mei = add(firm, rec2, designer, mei, Stage.SCREENING)
    _consent(firm, rec2, cy_mei, True)
    pipeline.move(firm, rec2, cy_mei, Stage.PRESENTED)
    pipeline.move(firm, rec2, cy_mei, Stage.INTERVIEWING)
    cy_anna = add(firm, rec2, designer, anna, Stage.SCREENING)
    pipeline.close(
        firm,
        rec2,
        cy_anna,
        CloseReason.NOT_A_FIT,
        "Hooli needs someone with shipped product design work; your strength is quality engineering. "
        "We will keep you in mind for QA roles.",
    )

    # Head of Engineering (confidential client).
    cy_omar = add(firm, rec, head, omar, Stage.SCREENING)
    _consent(firm, rec, cy_omar, False, "I have interviewed there before.")
    notes_service.add_note(firm, rec, omar, "Declined Umbrella: ask about other health-tech leadership roles.")
    add(firm, rec, head, ingrid, Stage.CONTACTED)

    # Mobile Engineer: filled; everyone else is told why.
    cy_lucas = add(firm, rec2, mobile, lucas, Stage.SCREENING)
    _consent(firm, rec2, cy_lucas, True)
    for stage in (Stage.PRESENTED, Stage.INTERVIEWING, Stage.OFFER, Stage.PLACED):
        pipeline.move(firm, rec2, cy_lucas, stage)
    add(firm, rec2, mobile, sofia, Stage.SCREENING)
    pipeline.close_search(
        firm,
        rec2,
        mobile,
        SearchState.FILLED,
        CloseReason.ROLE_CLOSED,
        "Hooli has hired for this role. Thank you for your time; we will be in touch about similar roles.",
    )

    _first_login(firm, rec, rec2, alex, backend)

    # The candidates' side: interest, updates, an availability change.
    db.session.add(Interest(firm_id=firm.id, candidate_id=sofia.id, search_id=data.id))
    db.session.add(
        CandidateUpdate(
            firm_id=firm.id,
            candidate_id=jonas.id,
            kind=UpdateKind.REFERRAL,
            body="My former colleague is looking for a QA lead role.",
            referral_name="Kim Park",
            referral_email="kim.park@example.com",
        )
    )
    anna.job_seeking = JobSeeking.ACTIVE
    anna.availability_changed_at = utcnow() - timedelta(hours=5)
    db.session.add(
        CandidateUpdate(
            firm_id=firm.id,
            candidate_id=anna.id,
            kind=UpdateKind.AVAILABILITY,
            body="I am now actively looking and available from next month.",
        )
    )
    db.session.flush()

    # Silence: Liam and Mei have not heard from us for longer than the cadence.
    _silent(liam, firm.cadence_days + 5)
    _silent(mei, firm.cadence_days + 2)
    # One message bounced.
    bounced = db.session.scalar(
        select(Message).where(Message.candidacy_id == cy_liam.id).order_by(Message.id.desc()).limit(1)
    )
    if bounced is not None:
        bounced.state = MessageState.FAILED
        bounced.attempts = 1
        bounced.last_error = "550 5.1.1 <liam@example> mailbox unavailable"


def _small(firm: Firm, rec: User, p: list[Candidate]) -> None:
    """A smaller firm: the first candidate stays in the pool; the others are in one search."""
    ops = _search(firm, rec, OPS)
    if len(p) > 1:
        cy1 = pipeline.add_to_search(firm, rec, ops, p[1], Stage.SCREENING)
        feedback_service.post_feedback(
            firm, rec, cy1, "Thanks for your time today; your **process design** experience stood out."
        )
        notes_service.add_note(firm, rec, p[1], "Wants to relocate within a year.", candidacy=cy1)
        _consent(firm, rec, cy1, None)
    if len(p) > 2:
        cy2 = pipeline.add_to_search(firm, rec, ops, p[2], Stage.SCREENING)
        _consent(firm, rec, cy2, True)
        pipeline.move(firm, rec, cy2, Stage.PRESENTED)
        pipeline.move(firm, rec, cy2, Stage.INTERVIEWING)


def _first_login(firm: Firm, rec: User, rec2: User, alex: Candidate, backend) -> None:
    """The first demo login (candidate@demo.example, Alex Morgan): what a newcomer should see
    first. A consent request to answer on the backend role (with feedback), an interview
    process with another client, a search that ended with the reason, and, as the roles page
    shows, open roles that fit (the Payments API role stays unassigned for that)."""
    platform = _search(firm, rec2, PLATFORM)
    staff = _search(firm, rec, STAFF)
    _search(firm, rec, API)
    cy_backend = pipeline.add_to_search(firm, rec, backend, alex, Stage.SCREENING)
    feedback_service.post_feedback(
        firm,
        rec,
        cy_backend,
        "Thank you for our call on Tuesday. Initech's payments team is a **strong match** for your "
        "PostgreSQL work. Please tell me on your page whether I may send them your profile.",
    )
    _consent(firm, rec, cy_backend, None)  # waiting for Alex's answer: the first to-do
    cy_platform = pipeline.add_to_search(firm, rec2, platform, alex, Stage.SCREENING)
    _consent(firm, rec2, cy_platform, True, "Yes please, I like their platform work.")
    pipeline.move(firm, rec2, cy_platform, Stage.PRESENTED)
    pipeline.move(firm, rec2, cy_platform, Stage.INTERVIEWING)
    feedback_service.post_feedback(
        firm,
        rec2,
        cy_platform,
        "Vandelay's feedback after the first interview: they liked how you explained **rolling "
        "upgrades**. Next is a two-hour pairing session with two of their engineers.",
    )
    cy_staff = pipeline.add_to_search(firm, rec, staff, alex, Stage.SCREENING)
    pipeline.close(
        firm,
        rec,
        cy_staff,
        CloseReason.NOT_A_FIT,
        "Hooli wants someone who has already led a team and writes Go every day. Your backend "
        "depth is a better fit for the Initech and Vandelay roles, which we are pursuing with you.",
    )
