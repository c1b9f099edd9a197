"""Demo data for `portal demo`: two branded firms with people, so `make dev` shows a living
product. Logins are fixed (README); the password is PORTAL_DEMO_PASSWORD. It replaces the two
demo firms only, never touches another firm, and commits only through portal/transaction.py."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import delete

from portal import transaction
from portal.extensions import db
from portal.models import Candidate, Firm, JobSeeking, Role, Seniority, User
from portal.services.firms import create_firm, create_user
from portal.tenancy import all_firms, as_firm

DEMO_FIRMS = ("demo", "globex")

CANDIDATES = [
    ("candidate@demo.example", "Alex Morgan", "Senior backend engineer", "Berlin", Seniority.SENIOR),
    ("candidate2@demo.example", "Priya Raman", "Product designer", "Amsterdam", Seniority.MID),
    ("candidate3@demo.example", "Jonas Weber", "Engineering manager", "Munich", Seniority.LEAD),
    ("candidate4@demo.example", "Sofia Costa", "Data scientist", "Lisbon", Seniority.MID),
    ("candidate5@demo.example", "Liam O'Brien", "DevOps engineer", "Dublin", Seniority.SENIOR),
    ("candidate6@demo.example", "Mei Chen", "Frontend engineer", "Remote", Seniority.MID),
    ("candidate7@demo.example", "Omar Haddad", "Head of engineering", "London", Seniority.EXECUTIVE),
    ("candidate8@demo.example", "Anna Kowalska", "QA engineer", "Warsaw", Seniority.JUNIOR),
    ("candidate9@demo.example", "Lucas Martin", "Mobile engineer", "Paris", Seniority.SENIOR),
    ("candidate10@demo.example", "Ingrid Larsen", "Security engineer", "Oslo", Seniority.SENIOR),
    ("candidate11@demo.example", "Tomás García", "Backend engineer", "Madrid", Seniority.MID),
    ("candidate12@demo.example", "Hana Sato", "Machine learning engineer", "Berlin", Seniority.LEAD),
]


def _person(firm: Firm, email: str, name: str, role: Role, password: str) -> User:
    return create_user(firm, email=email, name=name, role=role, password=password)


def load_demo() -> list[str]:
    """Reset and load the demo firms, each committed once it is complete (see below)."""
    password = current_app.config["DEMO_PASSWORD"]
    with all_firms():
        db.session.execute(delete(Firm).where(Firm.slug.in_(DEMO_FIRMS)))
        db.session.flush()
        demo = create_firm(
            "Northwind Search",
            "demo",
            primary_color="#1f4e79",
            accent_color="#b5461a",
            sender_name="Northwind Search",
            sender_email="talent@northwind.example",
            support_email="talent@northwind.example",
            postal_address="Example Street 1, 10115 Berlin",
            welcome_md="Welcome to **Northwind Search**. Here you always know where you stand.",
        )
        globex = create_firm(
            "Globex Talent",
            "globex",
            primary_color="#0b6e4f",
            accent_color="#6a1b9a",
            sender_name="Globex Talent",
            sender_email="people@globex.example",
            support_email="people@globex.example",
            postal_address="1 Globex Way, Springfield",
            welcome_md="Welcome to **Globex Talent**, your partner for the next step.",
            timezone="America/New_York",
        )
    from portal.markdown import render_markdown

    lines = []
    for firm in (demo, globex):
        firm.welcome_html = render_markdown(firm.welcome_md)
        with as_firm(firm.id):
            from portal.services.branding import set_logo

            set_logo(firm, None, demo_logo(firm.slug))  # before the pipeline: its emails carry the logo
            if firm.slug == "demo":
                _german_texts(firm)
            d = firm.slug if firm.slug == "demo" else "globex"
            _person(firm, f"admin@{d}.example", "Dana Admin" if d == "demo" else "Gwen Admin", Role.ADMIN, password)
            rec = _person(
                firm,
                f"recruiter@{d}.example",
                "Riley Recruiter" if d == "demo" else "Grace Recruiter",
                Role.RECRUITER,
                password,
            )
            rec.about = (
                "Ten years placing engineers in Berlin; I answer every message within a day."
                if d == "demo"
                else "I help people find their next step in finance and operations."
            )
            people = CANDIDATES if d == "demo" else CANDIDATES[:3]
            rec2 = None
            if d == "demo":
                rec2 = _person(firm, "recruiter2@demo.example", "Sam Recruiter", Role.RECRUITER, password)
            for i, (email, name, headline, location, seniority) in enumerate(people):
                email = email.replace("@demo.example", f"@{d}.example")
                user = _person(firm, email, name, Role.CANDIDATE, password)
                db.session.add(
                    Candidate(
                        firm_id=firm.id,
                        user_id=user.id,
                        owner_id=rec.id,
                        name=name,
                        email=email,
                        headline=headline,
                        location=location,
                        seniority=seniority,
                        job_seeking=list(JobSeeking)[i % 3],
                    )
                )
            from portal.devtools.demo_pipeline import load_firm_pipeline

            load_firm_pipeline(firm, rec, rec2)
            _office_hours(firm, rec)
            from portal.devtools.demo_interviews import load_interviews

            load_interviews(firm, rec, rec2)
            _applicant(firm, d)
        with as_firm(firm.id):
            # A batch that commits in steps: each firm as soon as it is complete, so a caller
            # without a transaction of its own (the tests load the demo directly) sees every
            # firm, and a failure in the second firm leaves the first one usable.
            transaction.checkpoint()
        lines.append(f"{firm.name}: admin@{d}.example, recruiter@{d}.example, candidate@{d}.example")
    lines.append(f"Password for every demo login: {password}")
    return lines


def _german_texts(firm: Firm) -> None:
    """Northwind offers every language (Firm.languages None) and has written its welcome text and
    two stages in German: the language switcher (or a German browser) shows them, and every
    other text falls back to English (the admin's Languages page, portal/services/firm_languages.py)."""
    from portal.services.firm_languages import set_texts

    firm.languages = None
    set_texts(
        firm,
        None,
        "de",
        welcome_md="Willkommen bei **Northwind Search**. Hier wissen Sie immer, wo Sie stehen.",
        stage_labels={
            "presented": {
                "label": "Ihr Profil liegt beim Kunden",
                "explanation": "Mit Ihrer Zustimmung haben wir Ihr Profil an den Kunden geschickt. "
                "Er antwortet meist innerhalb von ein bis zwei Wochen.",
            },
            "interviewing": {"label": "Gespräche mit dem Kunden"},
        },
    )


def _applicant(firm: Firm, domain: str) -> None:
    """Someone who applied through the careers site (the "applied" stage, "New applications"),
    through the real application service, as a visitor would."""
    import io

    from sqlalchemy import select
    from werkzeug.datastructures import FileStorage

    from portal.models import Search, SearchState
    from portal.services import applications

    search = db.session.scalar(
        select(Search).where(Search.advertised.is_(True), Search.state == SearchState.OPEN).order_by(Search.id)
    )
    if search is None:
        return
    pdf = FileStorage(io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), filename="cv.pdf")
    person = applications.ApplicantInput(
        name="Priya Raman",
        email=f"priya.raman@{domain}.example",
        accepted_privacy=True,
        location="Manchester",
        note="I have led two platform migrations and would love to hear more.",
    )
    applications.apply(firm, search, person, pdf)


def _office_hours(firm: Firm, rec: User) -> None:
    """The recruiter's weekly office hours (Tuesday mornings by video, Thursday afternoons by phone)."""
    from portal.models.interview import InterviewFormat, OfficeHours

    zone = firm.timezone or "UTC"
    for weekday, start, end, fmt, where in (
        (1, 10 * 60, 12 * 60, InterviewFormat.VIDEO, "https://meet.example/office-hours"),
        (3, 16 * 60, 17 * 60, InterviewFormat.PHONE, "Your recruiter calls the number on your profile"),
    ):
        db.session.add(
            OfficeHours(
                firm_id=firm.id,
                recruiter_id=rec.id,
                weekday=weekday,
                start_minute=start,
                end_minute=end,
                slot_minutes=30,
                timezone=zone,
                format=fmt,
                location=where,
                note="Between roles, or thinking about a move? Let's talk it through.",
            )
        )
    db.session.flush()


def demo_logo(slug: str) -> bytes:
    """A simple, distinct logo for each demo firm, drawn with Pillow (no image files in git):
    Northwind a compass star on navy, Globex a globe on green."""
    import io

    from PIL import Image, ImageDraw

    size, k = 256, 4  # drawn 4x larger, then scaled down for smooth edges
    img = Image.new("RGBA", (size * k, size * k), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    s = size * k
    if slug == "globex":
        draw.ellipse((8 * k, 8 * k, s - 8 * k, s - 8 * k), fill="#0b6e4f")
        line = 10 * k
        c = s // 2
        r = c - 40 * k
        draw.ellipse((c - r, c - r, c + r, c + r), outline="#ffffff", width=line)
        draw.ellipse((c - r // 2, c - r, c + r // 2, c + r), outline="#ffffff", width=line)
        draw.line((c - r, c, c + r, c), fill="#ffffff", width=line)
        draw.line((c, c - r, c, c + r), fill="#ffffff", width=line)
        draw.ellipse((c + r - 34 * k, c - r - 6 * k, c + r + 22 * k, c - r + 50 * k), fill="#6a1b9a")
    else:
        draw.rounded_rectangle((8 * k, 8 * k, s - 8 * k, s - 8 * k), radius=48 * k, fill="#1f4e79")
        c = s // 2
        long_, short_ = 96 * k, 26 * k
        draw.polygon([(c, c - long_), (c + short_, c), (c, c + long_), (c - short_, c)], fill="#ffffff")
        draw.polygon([(c - long_, c), (c, c - short_), (c + long_, c), (c, c + short_)], fill="#d6e2ee")
        draw.polygon([(c, c - long_), (c + short_, c), (c - short_, c)], fill="#b5461a")
    img = img.resize((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()
