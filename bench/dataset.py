"""A generated firm at real size, for benchmarks (reusable: `generate(engine, sizes, seed)`).

Deterministic for a seed. Rows go in with bulk Core inserts (COPY on PostgreSQL), explicit
ids taken after the current maximum, so a firm can be added to a database that already holds
others. The schema must exist (`db.metadata.create_all(engine)` or `portal db upgrade`).

The shape is meant to be realistic rather than uniform:
- the vocabulary has `families` of related skills (a Python developer also knows Django and
  SQL): each person and each search belongs to one family and takes most of its skills from
  it, the rest from the whole vocabulary; popularity is Zipf-like inside a family and across
  the vocabulary, so some skills are held by thousands of people and most by few;
- each candidate has 5 to 50 skills (uniform, mean 27.5); each search 3 to 8 required and
  0 to 6 nice-to-have skills;
- searches: 60 % open (5 % of those anticipated), 10 % on hold, 20 % filled, 10 % cancelled;
  20 % confidential; up to 12 candidacies each, some closed, placed or declined within the
  last two years (so match warnings have data to find);
- 1 % of candidates are deleted; availability, seniority, remote preference, location and
  pay are spread over plausible values.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, func, select, text

import portal.models  # noqa: F401  (registers every table on the metadata)
from portal.extensions import db
from portal.models import CloseReason, Seniority
from portal.services.matching.scoring import NICE_WEIGHT, REQUIRED_WEIGHT
from portal.services.skills import normalise

REAL_SKILLS = [
    "Python",
    "SQL",
    "JavaScript",
    "TypeScript",
    "Java",
    "Go",
    "Rust",
    "C++",
    "C#",
    ".NET",
    "Kotlin",
    "Swift",
    "PHP",
    "Ruby on Rails",
    "Django",
    "Flask",
    "React",
    "Vue",
    "Angular",
    "Node.js",
    "PostgreSQL",
    "MySQL",
    "Redis",
    "Kafka",
    "Docker",
    "Kubernetes",
    "Terraform",
    "AWS",
    "Azure",
    "Google Cloud",
    "Linux",
    "Git",
    "Machine learning",
    "Data science",
    "Spark",
    "Airflow",
    "Excel",
    "Power BI",
    "Tableau",
    "Salesforce",
    "SAP",
    "Project management",
    "Product management",
    "Scrum",
    "Agile",
    "UX design",
    "Figma",
    "Copywriting",
    "SEO",
    "Accounting",
    "IFRS",
    "Audit",
    "Tax",
    "Corporate finance",
    "M&A",
    "Private equity",
    "Negotiation",
    "Key account management",
    "Business development",
    "Recruiting",
    "Employment law",
    "Contract law",
    "Compliance",
    "GDPR",
    "Supply chain",
    "Procurement",
    "Lean",
    "Six Sigma",
    "Mechanical engineering",
    "CAD",
    "AutoCAD",
    "Electrical engineering",
    "PLC",
    "Embedded C",
    "Security",
    "Penetration testing",
    "ISO 27001",
    "German",
    "French",
    "Spanish",
    "Dutch",
    "Leadership",
    "Public speaking",
    "Change management",
]
CITIES = [  # (city, country, currency, weight)
    ("Berlin", "Germany", "EUR", 9),
    ("Munich", "Germany", "EUR", 7),
    ("Hamburg", "Germany", "EUR", 5),
    ("Frankfurt", "Germany", "EUR", 5),
    ("Cologne", "Germany", "EUR", 3),
    ("Amsterdam", "Netherlands", "EUR", 7),
    ("Rotterdam", "Netherlands", "EUR", 3),
    ("Paris", "France", "EUR", 8),
    ("Lyon", "France", "EUR", 3),
    ("Madrid", "Spain", "EUR", 5),
    ("Barcelona", "Spain", "EUR", 5),
    ("Lisbon", "Portugal", "EUR", 3),
    ("Milan", "Italy", "EUR", 4),
    ("Vienna", "Austria", "EUR", 4),
    ("Zurich", "Switzerland", "EUR", 4),
    ("Dublin", "Ireland", "EUR", 4),
    ("Brussels", "Belgium", "EUR", 3),
    ("Copenhagen", "Denmark", "EUR", 2),
    ("Stockholm", "Sweden", "EUR", 3),
    ("Warsaw", "Poland", "EUR", 4),
    ("Prague", "Czechia", "EUR", 2),
    ("London", "UK", "GBP", 12),
    ("Manchester", "UK", "GBP", 4),
    ("Edinburgh", "UK", "GBP", 2),
    ("Bristol", "UK", "GBP", 2),
]
ROLE_WORDS = [
    "Engineer",
    "Developer",
    "Analyst",
    "Manager",
    "Consultant",
    "Architect",
    "Specialist",
    "Director",
    "Lead",
    "Scientist",
    "Designer",
    "Controller",
]
SENIORITY_PAY = {"junior": 40_000, "mid": 60_000, "senior": 80_000, "lead": 100_000, "executive": 150_000}
UTC = UTC


@dataclass(frozen=True)
class Sizes:
    candidates: int = 100_000
    searches: int = 10_000
    vocabulary: int = 2_000
    clients: int = 800
    families: int = 40
    candidate_skills: tuple[int, int] = (5, 50)
    required_skills: tuple[int, int] = (3, 8)
    nice_skills: tuple[int, int] = (0, 6)
    candidacies_per_search: tuple[int, int] = (0, 12)


@dataclass
class Generated:
    firm_id: int
    slug: str
    seed: int
    sizes: Sizes
    rows: dict[str, int]


class _Picker:
    """Weighted sampling without replacement from a fixed list (Zipf-like weights)."""

    def __init__(self, items: list[int], rng: random.Random, exponent: float, offset: float):
        self.items = items
        acc, cum = 0.0, []
        for rank in range(len(items)):
            acc += 1.0 / (rank + offset) ** exponent
            cum.append(acc)
        self.cum, self.total, self.rng = cum, acc, rng

    def one(self) -> int:
        i = bisect.bisect(self.cum, self.rng.random() * self.total)
        return self.items[min(i, len(self.items) - 1)]


def _draw(pickers: list[tuple[_Picker, float]], n: int, rng: random.Random, into: set[int]) -> None:
    """Add up to n distinct items to `into`, each drawn from one of the pickers by share."""
    goal = len(into) + n
    for _ in range(n * 20):  # bounded: duplicates are redrawn a limited number of times
        if len(into) >= goal:
            return
        r, acc = rng.random(), 0.0
        for picker, share in pickers:
            acc += share
            if r <= acc:
                into.add(picker.one())
                break
        else:
            into.add(pickers[-1][0].one())


def _next_id(conn, table) -> int:
    return (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1


def _bulk(conn, table, columns: list[str], rows, batch: int = 20_000) -> int:
    """Insert rows (tuples in `columns` order): COPY on PostgreSQL, executemany elsewhere."""
    count = 0
    if conn.dialect.name == "postgresql":  # COPY fills no model default: add them (executemany does)
        from bench.generate import column_defaults

        extra_names, extra_values = column_defaults(table, columns)
        cur = conn.connection.dbapi_connection.cursor()
        with cur.copy(f"COPY {table.name} ({', '.join(columns + extra_names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(tuple(row) + extra_values)
                count += 1
        cur.close()
        return count
    stmt = table.insert()
    it = iter(rows)
    while True:
        chunk = [dict(zip(columns, row, strict=True)) for row in itertools.islice(it, batch)]
        if not chunk:
            return count
        conn.execute(stmt, chunk)
        count += len(chunk)


def _fix_sequences(conn, tables) -> None:
    if conn.dialect.name != "postgresql":
        return
    for t in tables:
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{t.name}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {t.name}))"
            )
        )


def generate(
    engine: Engine,
    sizes: Sizes | None = None,
    seed: int = 20240601,
    slug: str = "bench",
    name: str = "Benchmark Search",
    progress=print,
) -> Generated:
    """Generate one firm of `sizes` into `engine`'s database. Deterministic for a seed."""
    sizes = sizes or Sizes()
    rng = random.Random(seed)
    say = progress or (lambda *_a: None)
    T = db.metadata.tables
    firms, clients, skills_t = T["firms"], T["clients"], T["skills"]
    candidates, cand_skills = T["candidates"], T["candidate_skills"]
    searches, search_skills = T["searches"], T["search_skills"]
    candidacies, consents = T["candidacies"], T["consents"]
    # Dates are relative to the day of generation (so "the last 12 months" always has data);
    # everything else depends on the seed only.
    now = datetime.combine(date.today(), datetime.min.time(), UTC) + timedelta(hours=9)
    real_now = now
    rows: dict[str, int] = {}

    with engine.begin() as conn:
        conn.execution_options(all_firms=True)  # a bulk load over the whole database
        if conn.execute(select(firms.c.id).where(firms.c.slug == slug)).first():
            raise ValueError(f"a firm with slug {slug!r} already exists in this database")
        firm_id = _next_id(conn, firms)
        conn.execute(
            firms.insert().values(
                id=firm_id,
                name=name,
                slug=slug,
                primary_color="#1f4e79",
                accent_color="#b5461a",
                logo_version=0,
                cadence_days=7,
                timezone="Europe/Berlin",
                checkin_weekday=4,
                checkin_hour=14,
                nurture_weeks=8,
                availability_prompt_weeks=12,
                disabled=False,
                created_at=now,
            )
        )

        # Clients
        c0 = _next_id(conn, clients)
        client_ids = list(range(c0, c0 + sizes.clients))
        rows["clients"] = _bulk(
            conn,
            clients,
            ["id", "firm_id", "name", "created_at"],
            ((cid, firm_id, f"Client {i + 1:04d}", now) for i, cid in enumerate(client_ids)),
        )
        client_names = {cid: f"Client {i + 1:04d}" for i, cid in enumerate(client_ids)}

        # Vocabulary and its families
        s0 = _next_id(conn, skills_t)
        names, seen = [], set()
        for n in itertools.chain(REAL_SKILLS, (f"Skill {i:04d}" for i in itertools.count(1))):
            if len(names) >= sizes.vocabulary:
                break
            key = normalise(n)
            if key and key not in seen:
                seen.add(key)
                names.append((n, key))
        skill_ids = list(range(s0, s0 + len(names)))
        rows["skills"] = _bulk(
            conn,
            skills_t,
            ["id", "firm_id", "name", "key", "created_at"],
            ((sid, firm_id, n, k, now) for sid, (n, k) in zip(skill_ids, names, strict=False)),
        )
        shuffled = skill_ids[:]
        rng.shuffle(shuffled)
        global_pick = _Picker(shuffled, rng, exponent=1.0, offset=25)
        fam_size = max(1, len(skill_ids) // sizes.families)
        family_skills = [skill_ids[f * fam_size : (f + 1) * fam_size] or skill_ids for f in range(sizes.families)]
        for fam in family_skills:
            rng.shuffle(fam)
        family_pick = [_Picker(fam, rng, exponent=0.8, offset=3) for fam in family_skills]
        family_weights = list(itertools.accumulate(1.0 / (f + 4) ** 0.6 for f in range(sizes.families)))

        def pick_family() -> int:
            return bisect.bisect(family_weights, rng.random() * family_weights[-1])

        city_w = list(itertools.accumulate(c[3] for c in CITIES))

        def pick_city():
            return CITIES[bisect.bisect(city_w, rng.random() * city_w[-1])]

        # Candidates and their skills
        say(f"generating {sizes.candidates:,} candidates")
        k0 = _next_id(conn, candidates)
        cand_family: dict[int, int] = {}
        by_family: dict[int, list[int]] = {f: [] for f in range(sizes.families)}
        links: list[tuple[int, int, int]] = []
        cand_cols = [
            "id",
            "firm_id",
            "name",
            "email",
            "headline",
            "location",
            "seniority",
            "job_seeking",
            "available_from",
            "notice_weeks",
            "desired_locations",
            "remote_preference",
            "pay_expectation",
            "pay_currency",
            "suggestion_frequency",
            "allow_availability_prompts",
            "unsubscribed_all",
            "unsubscribe_token",
            "email_failures",
            "email_suppressed",
            "created_at",
            "updated_at",
            "deleted_at",
        ]
        seniorities = [s.value for s in Seniority]
        cand_rows = []
        today = now.date()
        for i in range(sizes.candidates):
            cid = k0 + i
            fam = pick_family()
            cand_family[cid] = fam
            by_family[fam].append(cid)
            have: set[int] = set()
            _draw([(family_pick[fam], 0.7), (global_pick, 0.3)], rng.randint(*sizes.candidate_skills), rng, have)
            links.extend((firm_id, cid, s) for s in have)
            city, country, cur, _ = pick_city()
            sen = rng.choices(seniorities, weights=[15, 35, 30, 15, 5])[0]
            desired = None
            if rng.random() < 0.3:
                other = pick_city()
                desired = rng.choice([f"{city}, {other[0]}", f"{other[0]}", "Anywhere", f"{country}"])
            pay = int(SENIORITY_PAY[sen] * rng.uniform(0.8, 1.3) / 1000) * 1000 if rng.random() < 0.8 else None
            start = today + timedelta(days=rng.randint(-30, 240)) if rng.random() < 0.2 else None
            cand_rows.append(
                (
                    cid,
                    firm_id,
                    f"Candidate {i + 1}",
                    f"c{i + 1}@{slug}.example",
                    f"{sen.capitalize()} {rng.choice(ROLE_WORDS)}",
                    f"{city}, {country}",
                    sen,
                    rng.choices(["active", "open", "not_looking"], weights=[20, 50, 30])[0],
                    start,
                    rng.choice([None, 0, 4, 8, 12]),
                    desired,
                    rng.choices(["onsite", "hybrid", "remote", "any"], weights=[20, 40, 25, 15])[0],
                    pay,
                    cur,
                    "weekly",
                    True,
                    False,
                    f"{slug}-{cid}-{rng.getrandbits(64):016x}",
                    0,
                    False,
                    now - timedelta(days=rng.randint(0, 2000)),
                    now,
                    now - timedelta(days=rng.randint(0, 300)) if rng.random() < 0.01 else None,
                )
            )
        rows["candidates"] = _bulk(conn, candidates, cand_cols, cand_rows)
        del cand_rows
        say(f"inserting {len(links):,} candidate skills")
        rows["candidate_skills"] = _bulk(conn, cand_skills, ["firm_id", "candidate_id", "skill_id"], links)
        del links

        # Searches and their skills
        say(f"generating {sizes.searches:,} searches")
        q0 = _next_id(conn, searches)
        search_cols = [
            "id",
            "firm_id",
            "client_id",
            "title",
            "confidential",
            "description_md",
            "description_html",
            "requirements_md",
            "requirements_html",
            "seniority",
            "location",
            "remote_policy",
            "pay_min",
            "pay_max",
            "pay_currency",
            "engagement",
            "state",
            "anticipated",
            "created_at",
            "updated_at",
            "closed_at",
            "skill_weight",  # as portal/services/matching/weights.py keeps it
        ]
        search_rows, s_links, search_meta = [], [], []
        for i in range(sizes.searches):
            sid = q0 + i
            fam = pick_family()
            req: set[int] = set()
            _draw([(family_pick[fam], 0.85), (global_pick, 0.15)], rng.randint(*sizes.required_skills), rng, req)
            nice: set[int] = set(req)
            _draw([(family_pick[fam], 0.5), (global_pick, 0.5)], rng.randint(*sizes.nice_skills), rng, nice)
            s_links.extend((firm_id, sid, s, True) for s in req)
            s_links.extend((firm_id, sid, s, False) for s in nice - req)
            state = rng.choices(["open", "on_hold", "filled", "cancelled"], weights=[60, 10, 20, 10])[0]
            city, country, cur, _ = pick_city()
            sen = rng.choices(seniorities, weights=[10, 35, 35, 15, 5])[0]
            base = SENIORITY_PAY[sen]
            has_pay = rng.random() < 0.75
            created = now - timedelta(days=rng.randint(0, 720))
            client_id = rng.choice(client_ids)
            search_rows.append(
                (
                    sid,
                    firm_id,
                    client_id,
                    f"{sen.capitalize()} {rng.choice(ROLE_WORDS)}",
                    rng.random() < 0.2,
                    "",
                    "",
                    "",
                    "",
                    sen,
                    f"{city}, {country}",
                    rng.choices(["onsite", "hybrid", "remote", "any"], weights=[30, 45, 20, 5])[0],
                    int(base * 0.85) if has_pay else None,
                    int(base * 1.25) if has_pay else None,
                    cur,
                    rng.choice(["retained", "contingency"]),
                    state,
                    state == "open" and rng.random() < 0.05,
                    created,
                    created,
                    created + timedelta(days=rng.randint(20, 200)) if state in ("filled", "cancelled") else None,
                    REQUIRED_WEIGHT * len(req) + NICE_WEIGHT * len(nice - req),
                )
            )
            search_meta.append((sid, fam, client_id, state))
        rows["searches"] = _bulk(conn, searches, search_cols, search_rows)
        rows["search_skills"] = _bulk(conn, search_skills, ["firm_id", "search_id", "skill_id", "required"], s_links)

        # Candidacies (pipeline history), with closed, placed and declined ones for warnings
        say("generating candidacies")
        y0 = _next_id(conn, candidacies)
        n0 = _next_id(conn, consents)
        cy_rows, consent_rows = [], []
        titles = {r[0]: r[3] for r in search_rows}
        open_stages = ["identified", "contacted", "screening", "presented", "interviewing", "offer"]
        reasons = [r.value for r in CloseReason]
        for sid, fam, client_id, state in search_meta:
            pool = by_family[fam] or list(cand_family)
            chosen = set(rng.sample(pool, min(len(pool), rng.randint(*sizes.candidacies_per_search))))
            for cid in chosen:
                yid = y0 + len(cy_rows)
                when = real_now - timedelta(days=rng.randint(1, 700))
                roll = rng.random()
                if state in ("filled", "cancelled") or roll < 0.4:
                    stage, reason, closed = "closed", rng.choice(reasons), when
                elif roll < 0.45:
                    stage, reason, closed = "placed", None, None
                else:
                    stage, reason, closed = rng.choice(open_stages), None, None
                cy_rows.append((yid, firm_id, sid, cid, stage, 1, reason, closed, when, when))
                if stage in ("presented", "closed") and rng.random() < 0.3:
                    declined = rng.random() < 0.3
                    consent_rows.append(
                        (
                            n0 + len(consent_rows),
                            firm_id,
                            yid,
                            "declined" if declined else "approved",
                            when - timedelta(days=3),
                            when - timedelta(days=2),
                            "Confidential client" if rng.random() < 0.2 else client_names[client_id],
                            titles[sid],
                            cid,
                            sid,
                        )
                    )
        rows["candidacies"] = _bulk(
            conn,
            candidacies,
            [
                "id",
                "firm_id",
                "search_id",
                "candidate_id",
                "stage",
                "version",
                "close_reason",
                "closed_at",
                "stage_changed_at",
                "created_at",
            ],
            cy_rows,
        )
        rows["consents"] = _bulk(
            conn,
            consents,
            [
                "id",
                "firm_id",
                "candidacy_id",
                "state",
                "requested_at",
                "answered_at",
                "client_name",
                "role_title",
                "candidate_id",
                "search_id",
            ],
            consent_rows,
        )
        _fix_sequences(conn, [firms, clients, skills_t, candidates, searches, candidacies, consents])

    analyse(engine)
    say("generated: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))
    return Generated(firm_id=firm_id, slug=slug, seed=seed, sizes=sizes, rows=rows)


def analyse(engine: Engine) -> None:
    """Refresh the planner's statistics after a bulk load (ANALYZE; VACUUM on PostgreSQL
    also sets the visibility map, which index-only scans need)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execution_options(all_firms=True)  # a bulk load over the whole database
            conn.execute(text("ANALYZE"))


def describe(sizes: Sizes) -> dict:
    return asdict(sizes)
