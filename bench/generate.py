"""Generate a firm at real size, deterministically for a seed (SQLite and PostgreSQL).

    python -m bench.generate --db sqlite:///bench/data/portal-bench.db --seed 1 --scale 1.0

At scale 1.0 the firm "bench" (Northwind Search) has 100,000 candidates, 10,000 searches
(2,000 open), 300,000 candidacies across every stage with their stage history, 200,000
feedback entries and 100,000 internal notes, 1,000,000 messages, a 2,000-skill vocabulary
with candidate and search skills, consents, interests, candidate updates and suggested roles.
`--scale 0.05` makes a proportionally smaller firm for a quick run.

Reusable: `generate(url, seed=1, scale=1.0)` returns a `Dataset` (counts, timings and the
benchmark logins); `facts_from_db(url)` finds the logins again in an existing database.

How it is fast: rows are plain tuples written with the driver's own bulk path
(sqlite3 `executemany` with the journal off; PostgreSQL `COPY ... FROM STDIN` through
psycopg with foreign-key triggers off for the load), secondary indexes are built after the
load, then ANALYZE. Passwords are hashed once (every generated login has the same password).

Deterministic: the same seed, scale and anchor date give the same rows. Times are relative
to the anchor (default: today 00:00 UTC, so "overdue" means the same thing on any day).
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import itertools
import json
import math
import os
import random
import sys
import time
from array import array
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from bench import words as W

GENERATOR_VERSION = 1
FIRM_SLUG = "bench"
FIRM_NAME = "Northwind Search"
PASSWORD = "bench-password-2024"
RECRUITER_EMAIL = "recruiter@bench.example"
CANDIDATE_EMAIL = "candidate@bench.example"
ADMIN_EMAIL = "admin@bench.example"

FULL = {
    "candidates": 100_000,
    "searches": 10_000,
    "open_searches": 2_000,
    "on_hold_searches": 500,
    "candidacies": 300_000,
    "feedback": 200_000,
    "notes": 100_000,
    "messages": 1_000_000,
    "skills": 2_000,
    "aliases": 400,
    "clients": 1_500,
    "recruiters": 40,
    "candidate_logins": 20_000,
    "interests": 5_000,
    "candidate_updates": 5_000,
    "suggested_roles": 20_000,
}
FLOORS = {
    "searches": 20,
    "open_searches": 8,
    "on_hold_searches": 1,
    "skills": 60,
    "clients": 10,
    "recruiters": 3,
    "candidates": 300,
    "candidate_logins": 20,
}
FAMILIES = 40  # skill families in the vocabulary
BOARD_SEARCHES = 12  # open searches the benchmark recruiter owns...
BOARD_SIZE = 200  # ...each with this many candidacies (the search board benchmark)

# The people are generated and written a chunk at a time (see generate): memory is that of
# one chunk whatever the scale. 100,000 keeps the 10,000 and 100,000 firms what they were.
CHUNK = 100_000
CANDIDATE_BATCH = 25_000  # candidates per COPY, each batch followed by its skills and tags
CANDIDATE_COLUMNS = [
    "id",
    "firm_id",
    "user_id",
    "owner_id",
    "name",
    "email",
    "phone",
    "headline",
    "location",
    "seniority",
    "summary",
    "job_seeking",
    "available_from",
    "notice_weeks",
    "employment_status",
    "desired_roles",
    "desired_locations",
    "remote_preference",
    "pay_expectation",
    "pay_currency",
    "profile_confirmed_at",
    "availability_changed_at",
    "suggestion_frequency",
    "allow_availability_prompts",
    "unsubscribed_all",
    "unsubscribe_token",
    "email_failures",
    "email_suppressed",
    "last_contacted_at",
    "last_nurtured_at",
    "created_at",
    "updated_at",
]

DAY = 86_400.0
NEVER = -math.inf  # no time yet, in the generator's per-candidate arrays
OPEN = ("identified", "contacted", "screening", "presented", "interviewing", "offer")
PIPELINE = OPEN + ("placed",)
VISIBLE = {"contacted", "screening", "presented", "interviewing", "offer", "placed"}
STAGE_RANK = {s: i for i, s in enumerate(PIPELINE)}


def column_defaults(table, columns: list[str]) -> tuple[list[str], tuple]:
    """The other columns of `table` and the values their model defaults give (a bulk load
    that names only some columns must still fill the NOT NULL ones the models default)."""
    import enum

    names, values = [], []
    for col in table.columns:
        if col.name in columns or col.server_default is not None or col.primary_key:
            continue
        if col.default is not None and getattr(col.default, "is_scalar", False):
            value = col.default.arg
        elif col.default is not None and getattr(col.default, "is_callable", False) and not col.unique:
            value = col.default.arg(None)
        elif col.nullable:
            value = None
        else:
            raise SystemExit(
                f"the bench does not know how to fill {table.name}.{col.name} "
                "(NOT NULL, no default): add it to the generator"
            )
        if isinstance(value, enum.Enum):
            value = value.value
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        if isinstance(value, dict | list):
            value = json.dumps(value)
        names.append(col.name)
        values.append(value)
    return names, tuple(values)


# ------------------------------------------------------------------ result


@dataclass
class Dataset:
    url: str
    seed: int
    scale: float
    anchor: str
    firm_slug: str = FIRM_SLUG
    password: str = PASSWORD
    recruiter_email: str = RECRUITER_EMAIL
    candidate_email: str = CANDIDATE_EMAIL
    admin_email: str = ADMIN_EMAIL
    board_search_id: int | None = None
    counts: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    seconds: float = 0.0

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=2, default=str)


def absolute_url(url: str) -> str:
    """A SQLite URL with an absolute path (Flask-SQLAlchemy reads relative ones from the
    instance folder, the generator from the working directory: make them the same file)."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:" and not os.path.isabs(u.database):
        return u.set(database=os.path.abspath(u.database)).render_as_string(hide_password=False)
    return url


def scaled(scale: float) -> dict:
    out = {}
    for k, v in FULL.items():
        out[k] = max(FLOORS.get(k, 1), int(round(v * scale)))
    out["open_searches"] = min(out["open_searches"], out["searches"] // 2)
    out["on_hold_searches"] = min(out["on_hold_searches"], out["searches"] // 10 or 1)
    out["candidate_logins"] = min(out["candidate_logins"], out["candidates"])
    return out


def skill_key(name: str) -> str:
    """The folded form of a skill name, by the matching service's own rule."""
    from portal.services.skills import normalise

    return normalise(name)


# ------------------------------------------------------------------ loading


class Loader:
    """Bulk-writes tuples into tables; fills columns it was not given from the model's
    scalar defaults (or NULL), so a new nullable/defaulted column does not break it."""

    batch = 20_000

    def __init__(self, url: str, metadata):
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.url = url
        self.metadata = metadata
        self.u = make_url(url)
        self.dialect = self.u.get_backend_name()
        if self.dialect not in ("sqlite", "postgresql"):
            raise SystemExit(f"unsupported database {self.dialect!r}: use SQLite or PostgreSQL")
        self.create_engine = create_engine
        self.engine = None
        self.raw = None
        self.dropped_indexes: list = []
        self.timings: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    # -- database lifecycle
    def reset(self) -> None:
        """Start from an empty database (only ever one whose name says it is a benchmark's)."""
        if self.dialect == "sqlite":
            path = self.u.database
            if not path or path == ":memory:":
                raise SystemExit("use a SQLite file for the benchmark database")
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            for suffix in ("", "-wal", "-shm", "-journal"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
        else:
            name = self.u.database or ""
            if "bench" not in name and not name.startswith("portal_test_"):
                raise SystemExit(f"refusing to reset database {name!r}: its name must contain 'bench'")
            from sqlalchemy import text

            admin = self.create_engine(self.u.set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :n AND pid <> pg_backend_pid()"
                    ),
                    {"n": name},
                )
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
        self.engine = self.create_engine(self.url)

    def create_schema(self) -> None:
        """Tables from the models (as `portal db upgrade` would make them); secondary
        indexes are dropped now and built after the load, which is faster."""
        self.metadata.create_all(self.engine)
        with self.engine.begin() as conn:
            for table in self.metadata.sorted_tables:
                for idx in sorted(table.indexes, key=lambda i: i.name or ""):
                    idx.drop(conn)
                    self.dropped_indexes.append(idx)
        raw = self.engine.raw_connection()
        self.raw = raw
        dbapi = raw.driver_connection
        if self.dialect == "sqlite":
            import sqlite3

            sqlite3.register_adapter(datetime, lambda d: d.isoformat(" ", "microseconds"))
            sqlite3.register_adapter(date, lambda d: d.isoformat())
            cur = dbapi.cursor()
            for pragma in (
                "journal_mode=OFF",
                "synchronous=OFF",
                "cache_size=-400000",
                "temp_store=MEMORY",
                "foreign_keys=OFF",
            ):
                cur.execute(f"PRAGMA {pragma}")
            cur.close()
        else:
            with dbapi.cursor() as cur:
                cur.execute("SET TIME ZONE 'UTC'")
                try:  # no foreign-key triggers during the load (the rows are consistent by construction)
                    cur.execute("SET session_replication_role = replica")
                except Exception:  # noqa: BLE001 - not a superuser: slower, still correct
                    dbapi.rollback()
                    cur.execute("SET TIME ZONE 'UTC'")
            dbapi.commit()

    def _extras(self, table, columns: list[str]) -> tuple[list[str], tuple]:
        return column_defaults(table, columns)

    def write(self, table_name: str, columns: list[str], rows) -> int:
        table = self.metadata.tables[table_name]
        unknown = [c for c in columns if c not in table.columns]
        if unknown:
            raise SystemExit(f"{table_name} has no column(s) {unknown}: the models changed")
        extra_names, extra_values = self._extras(table, columns)
        all_cols = columns + extra_names
        if extra_values:
            rows = (r + extra_values for r in rows)
        started = time.perf_counter()
        n = 0
        dbapi = self.raw.driver_connection
        if self.dialect == "sqlite":
            sql = (
                f'INSERT INTO "{table_name}" ({", ".join(chr(34) + c + chr(34) for c in all_cols)}) '
                f"VALUES ({', '.join('?' for _ in all_cols)})"
            )
            cur = dbapi.cursor()
            while True:
                chunk = list(itertools.islice(rows, self.batch))
                if not chunk:
                    break
                cur.executemany(sql, chunk)
                n += len(chunk)
            cur.close()
            dbapi.commit()
        else:
            sql = f'COPY "{table_name}" ({", ".join(chr(34) + c + chr(34) for c in all_cols)}) FROM STDIN'
            with dbapi.cursor() as cur, cur.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
            dbapi.commit()
        self.timings[table_name] = self.timings.get(table_name, 0.0) + time.perf_counter() - started
        self.counts[table_name] = self.counts.get(table_name, 0) + n
        return n

    def finish(self) -> None:
        started = time.perf_counter()
        dbapi = self.raw.driver_connection
        if self.dialect == "postgresql":
            with dbapi.cursor() as cur:
                for table in self.metadata.sorted_tables:
                    pk = list(table.primary_key.columns)
                    if len(pk) == 1 and pk[0].name == "id":
                        cur.execute(
                            f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                            f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
                        )
            dbapi.commit()
        self.raw.close()
        with self.engine.begin() as conn:
            for idx in self.dropped_indexes:
                idx.create(conn)
        self.timings["(indexes)"] = time.perf_counter() - started
        started = time.perf_counter()
        if self.dialect == "sqlite":
            with self.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        else:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        self.timings["(analyze)"] = time.perf_counter() - started
        self.engine.dispose()


# ------------------------------------------------------------------ the generator


def _password_hash(seed: int) -> str:
    """One hash for every generated login, with a salt derived from the seed (deterministic)."""
    from werkzeug.security import _hash_internal  # the same routine generate_password_hash uses

    salt = hashlib.sha256(f"bench-salt-{seed}".encode()).hexdigest()[:16]
    digest, method = _hash_internal("scrypt", salt, PASSWORD)
    return f"{method}${salt}${digest}"


def _render_pool(
    rng: random.Random, lines: list[str], n: int, sentences: tuple[int, int], bullets: bool = False
) -> list[tuple[str, str]]:
    """n Markdown texts made from the lines, each with its sanitised HTML (rendered once)."""
    from portal.markdown import render_markdown

    out = []
    for _ in range(n):
        k = rng.randint(*sentences)
        picked = rng.sample(lines, min(k, len(lines)))
        if bullets:
            md = "\n".join(f"- {s}" for s in picked)
        else:
            half = max(1, len(picked) // 2)
            md = " ".join(picked[:half]) + ("\n\n" + " ".join(picked[half:]) if picked[half:] else "")
        out.append((md, render_markdown(md)))
    return out


def generate(
    url: str, seed: int = 1, scale: float = 1.0, anchor: date | None = None, log=print, chunk: int = CHUNK
) -> Dataset:
    """Create (from empty) the benchmark firm in the database at `url`; return its facts.
    `chunk`: candidates made and written at a time (memory is that of one chunk)."""
    import portal.models  # noqa: F401  (complete metadata)
    from portal.extensions import db
    from portal.models.candidacy import CANDIDATE_STAGE_TEXT, Stage
    from portal.services.matching.scoring import NICE_WEIGHT, REQUIRED_WEIGHT

    t_start = time.perf_counter()
    url = absolute_url(url)
    anchor = anchor or datetime.now(UTC).date()
    anchor_dt = datetime(anchor.year, anchor.month, anchor.day)  # naive UTC
    n = scaled(scale)
    ds = Dataset(url=url, seed=seed, scale=scale, anchor=anchor.isoformat())
    rng_for = lambda name: random.Random(f"{seed}:{name}")  # noqa: E731 - one stream per part
    rng_word = lambda r: r.choice(("fast-growing", "listed", "family-owned", "venture-backed", "global"))  # noqa: E731

    def T(offset_s: float) -> datetime:
        return anchor_dt + timedelta(seconds=int(offset_s))

    loader = Loader(url, db.metadata)
    loader.reset()
    loader.create_schema()
    FIRM = 1
    log(f"generating firm '{FIRM_SLUG}' at scale {scale} (seed {seed}, anchor {anchor}) into {loader.dialect}")

    # ---------------------------------------------------------- firm and staff
    loader.write(
        "firms",
        ["id", "name", "slug", "support_email", "sender_name", "created_at"],
        iter([(FIRM, FIRM_NAME, FIRM_SLUG, "hello@northwind.example", FIRM_NAME, T(-5 * 365 * DAY))]),
    )
    pw_hash = _password_hash(seed)
    rng = rng_for("users")
    users: list[tuple] = []
    user_cols = ["id", "firm_id", "email", "name", "role", "password_hash", "active", "created_at", "last_login_at"]

    def tok() -> None:
        # Users had a session token once (now sign-in sessions are rows of their own); the
        # draw stays so the random stream, and so the whole dataset, is the same as before.
        rng.getrandbits(128)

    tok()
    users.append((1, FIRM, ADMIN_EMAIL, "Ada Admin", "admin", pw_hash, True, T(-5 * 365 * DAY), None))
    recruiter_ids = list(range(2, 2 + n["recruiters"]))
    for i, uid in enumerate(recruiter_ids):
        email = RECRUITER_EMAIL if i == 0 else f"recruiter{i + 1}@bench.example"
        name = "Rita Recruiter" if i == 0 else f"{rng.choice(W.FIRST_NAMES)} {rng.choice(W.LAST_NAMES)}"
        tok()
        users.append((uid, FIRM, email, name, "recruiter", pw_hash, True, T(-rng.uniform(400, 1800) * DAY), None))
    next_user_id = recruiter_ids[-1] + 1
    bench_recruiter = recruiter_ids[0]

    # ---------------------------------------------------------- skills vocabulary
    rng = rng_for("skills")
    names: list[str] = []
    seen_keys: set[str] = set()
    for name in W.BASE_SKILLS + [f"{a} {d}" for a in W.SKILL_AREAS for d in W.SKILL_DISCIPLINES]:
        key = skill_key(name)
        if key and key not in seen_keys:
            seen_keys.add(key)
            names.append(name)
        if len(names) >= n["skills"]:
            break
    n_skills = len(names)
    skill_rows = [(i + 1, FIRM, nm, skill_key(nm), T(-rng.uniform(30, 1800) * DAY)) for i, nm in enumerate(names)]
    loader.write("skills", ["id", "firm_id", "name", "key", "created_at"], iter(skill_rows))
    # Popularity: Zipf-like, so a few skills are common (as in real pools). Skills come in
    # families (a Python developer also knows Django and SQL): each candidate and search has
    # one family and takes about three quarters of its skills from it.
    weights = [1.0 / (i + 1) ** 0.8 for i in range(n_skills)]
    n_real = sum(1 for nm in names if nm in set(W.BASE_SKILLS))
    order = list(range(1, n_real + 1))  # real skill names are the common ones, in their listed order...
    rest = list(range(n_real + 1, n_skills + 1))  # ...the composed ones ("Vendor pricing") the long tail
    rng.shuffle(rest)
    order += rest
    cum = list(itertools.accumulate(weights))
    popular = [order[i] for i in range(n_skills)]  # popular[k] is the skill id of rank k
    n_families = max(2, min(FAMILIES, n_skills // 10))
    families = [popular[f::n_families] for f in range(n_families)]  # each family: its own popularity order
    fam_cum = [list(itertools.accumulate(weights[: len(fam)])) for fam in families]

    def pick_skills(r: random.Random, k: int, family: int) -> list[int]:
        chosen: list[int] = []
        fam, fcum = families[family], fam_cum[family]
        k = min(k, n_skills)
        while len(chosen) < k:
            if r.random() < 0.75:
                sid = fam[bisect.bisect_left(fcum, r.random() * fcum[-1])]
            else:
                sid = popular[bisect.bisect_left(cum, r.random() * cum[-1])]
            if sid not in chosen:
                chosen.append(sid)
        return chosen

    alias_rows = []
    used = set(seen_keys)
    for i in range(n["aliases"]):
        sid = popular[i % n_skills]
        base = names[sid - 1]
        for cand in (base + "s", base + " skills", f"{base} {i}", f"{base} v{i}"):
            k = skill_key(cand)
            if k and k not in used:
                used.add(k)
                alias_rows.append((i + 1, FIRM, k, sid))
                break
    loader.write("skill_aliases", ["id", "firm_id", "key", "skill_id"], iter(alias_rows))

    # ---------------------------------------------------------- clients and searches
    rng = rng_for("searches")
    client_names: list[str] = []
    seen = set()
    for a in W.COMPANY_A:
        for b in W.COMPANY_B:
            client_names.append(f"{a} {b}")
    rng.shuffle(client_names)
    while len(client_names) < n["clients"]:
        client_names.append(f"{rng.choice(W.COMPANY_A)} {rng.choice(W.COMPANY_B)} {len(client_names)}")
    client_names = [c for c in client_names if not (c in seen or seen.add(c))][: n["clients"]]
    loader.write(
        "clients",
        ["id", "firm_id", "name", "created_at"],
        iter([(i + 1, FIRM, nm, T(-rng.uniform(60, 1900) * DAY)) for i, nm in enumerate(client_names)]),
    )

    desc_pool = _render_pool(rng, W.DESCRIPTION_LINES, 60, (3, 6))
    req_pool = _render_pool(rng, W.REQUIREMENT_LINES, 40, (3, 5), bullets=True)
    city_names = [c for c, _ in W.CITIES]
    city_cum = list(itertools.accumulate(w for _, w in W.CITIES))
    seniorities = ["junior", "mid", "senior", "lead", "executive"]

    def city(r: random.Random) -> str:
        return city_names[bisect.bisect_left(city_cum, r.random() * city_cum[-1])]

    S = n["searches"]
    n_open, n_hold = n["open_searches"], n["on_hold_searches"]
    n_filled = int((S - n_open - n_hold) * 0.73)
    states = ["open"] * n_open + ["on_hold"] * n_hold + ["filled"] * n_filled
    states += ["cancelled"] * (S - len(states))
    n_board = BOARD_SEARCHES if scale >= 0.1 else max(1, min(BOARD_SEARCHES, int(round(120 * scale))))
    board_size = min(BOARD_SIZE, (n["candidates"] - 1) // 2)
    # search i (0-based) -> facts used later
    s_state, s_created, s_closed, s_owner, s_title, s_client, s_conf = [], [], [], [], [], [], []
    search_rows = []
    other_recruiters = recruiter_ids[1:] or recruiter_ids
    # The careers site: about a third of the live searches are advertised, and the benchmark
    # recruiter's (the board search is also the measured job page). A stream of its own, so the
    # rest of the data set stays what it was.
    ad_rng = rng_for("advertising")
    for i, st in enumerate(states):
        sid = i + 1
        if st in ("open", "on_hold"):
            created = -rng.uniform(12, 200) * DAY
            closed = None
        else:
            created = -rng.uniform(90, 1100) * DAY
            closed = min(created + rng.uniform(25, 160) * DAY, -2 * DAY)
        if i < n_board:
            owner = bench_recruiter
        elif st not in ("open", "on_hold") and rng.random() < 0.03:
            owner = bench_recruiter
        else:
            owner = rng.choice(other_recruiters)
        sen = rng.choice(seniorities)
        title = f"{sen.capitalize() if sen != 'mid' else ''} {rng.choice(W.FUNCTIONS)}".strip()
        client_id = rng.randint(1, len(client_names))
        conf = rng.random() < 0.15
        d_md, d_html = rng.choice(desc_pool)
        r_md, r_html = rng.choice(req_pool)
        pay_min = rng.randrange(40_000, 160_000, 5_000)
        remote = rng.choices(["onsite", "hybrid", "remote"], weights=[3, 5, 2])[0]
        anticipated = st == "open" and rng.random() < 0.05
        advertised = st == "open" and (i < n_board or ad_rng.random() < 0.33)
        s_state.append(st)
        s_created.append(created)
        s_closed.append(closed)
        s_owner.append(owner)  # noqa: E702
        s_title.append(title)
        s_client.append(client_id)
        s_conf.append(conf)  # noqa: E702
        search_rows.append(
            (
                sid,
                FIRM,
                client_id,
                owner,
                title,
                conf,
                d_md,
                d_html,
                r_md,
                r_html,
                sen,
                city(rng),
                remote,
                pay_min,
                pay_min + rng.randrange(10_000, 60_000, 5_000),
                "EUR",
                "retained" if rng.random() < 0.6 else "contingency",
                st,
                anticipated,
                T(created),
                T(closed if closed is not None else max(created, -rng.uniform(0, 10) * DAY)),
                T(closed) if closed is not None else None,
                advertised,
                T(created + DAY) if advertised else None,
                advertised and ad_rng.random() < 0.5,
                f"A {rng_word(ad_rng)} company hiring for its {title.lower()} team" if advertised and conf else None,
            )
        )
    search_skill_rows = []
    search_skills: list[list[int]] = []
    for i in range(S):
        k = rng.randint(4, 10)
        sk = pick_skills(rng, k, i % n_families)
        search_skills.append(sk)
        req = rng.randint(2, min(5, k))
        for j, skid in enumerate(sk):
            search_skill_rows.append((i + 1, skid, j < req, FIRM))
        # Search.skill_weight, as portal/services/matching/weights.py keeps it (3 per required
        # skill, 1 per nice-to-have); the searches are written once their skills are drawn.
        n_req = min(req, len(sk))
        search_rows[i] = (*search_rows[i], REQUIRED_WEIGHT * n_req + NICE_WEIGHT * (len(sk) - n_req))
    loader.write(
        "searches",
        [
            "id",
            "firm_id",
            "client_id",
            "owner_id",
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
            "advertised",
            "advertised_at",
            "publish_pay",
            "public_summary",
            "skill_weight",
        ],
        iter(search_rows),
    )
    del search_rows
    loader.write("search_skills", ["search_id", "skill_id", "required", "firm_id"], iter(search_skill_rows))
    del search_skill_rows

    # ---------------------------------------------------------- candidacies (plan)
    rng = rng_for("candidacies")
    N = n["candidates"]
    C = n["candidacies"]
    active_idx = [i for i, st in enumerate(states) if st in ("open", "on_hold")]
    closed_idx = [i for i, st in enumerate(states) if st not in ("open", "on_hold")]
    per_search = [0] * S
    bench_c = 6  # the benchmark candidate's own candidacies, added below
    budget = C - bench_c
    active_budget = budget // 2 - n_board * board_size
    for i in range(n_board):
        per_search[i] = board_size
    cap = max(2, N // 4)

    def spread(indices: list[int], total: int) -> None:
        if not indices or total <= 0:
            return
        w = [rng.uniform(0.3, 1.7) for _ in indices]
        sw = sum(w)
        got = 0
        for j, i in enumerate(indices):
            c = min(cap, int(total * w[j] / sw))
            per_search[i] = c
            got += c
        j = 0
        while got < total and j < 10 * len(indices):  # hand out the remainder one by one
            i = indices[j % len(indices)]
            if per_search[i] < cap:
                per_search[i] += 1
                got += 1
            j += 1

    spread([i for i in active_idx if i >= n_board], max(0, active_budget))
    spread(closed_idx, budget - sum(per_search))

    open_weights = [
        ("identified", 20),
        ("contacted", 20),
        ("screening", 15),
        ("presented", 8),
        ("interviewing", 8),
        ("offer", 2),
        ("closed", 27),
    ]
    ow_names = [s for s, _ in open_weights]
    ow_cum = list(itertools.accumulate(w for _, w in open_weights))
    # The benchmark candidate (id 1): several searches, every kind of state, with feedback.
    bench_stages = [
        ("screening", None),
        ("presented", None),
        ("interviewing", None),
        ("contacted", None),
        ("closed", "not_a_fit"),
    ]
    open_pool = [i for i in active_idx if s_state[i] == "open"][n_board:] or active_idx
    filled = [i for i in closed_idx if s_state[i] == "filled"] or closed_idx

    # The people are made in chunks of `chunk` candidates (ids lo..hi-1), each with everything
    # that hangs off them: candidacies and their history, feedback, notes, consents, messages,
    # logins, skills and tags, written before the next chunk is made, so memory stays that of
    # one chunk whatever the scale. A search's candidacies are shared out among the chunks as
    # a uniform draw from the whole pool would fall (a stream of their own); the firm-wide
    # targets (feedback, notes, messages, logins) in proportion to each chunk's people. With one
    # chunk (up to `chunk` candidates: the 10,000 and 100,000 firms) every random draw is the
    # one the generator made before it was chunked, so those firms are the same row for row.
    bounds = [1 + k * chunk for k in range(-(-N // chunk))] + [N + 1]
    chunks = list(itertools.pairwise(bounds))
    shares = [per_search]
    placed_in = [0] * S  # the chunk that holds a filled search's placement (it has one)
    if len(chunks) > 1:
        rng_split = rng_for("chunks")
        shares = [[0] * S for _ in chunks]
        for i, k in enumerate(per_search):
            picks = rng_split.sample(range(2, N + 1), k) if k else []
            for cid in picks:
                shares[bisect.bisect_right(bounds, cid) - 1][i] += 1
            if picks:
                placed_in[i] = bisect.bisect_right(bounds, picks[0]) - 1

    def part(total: int, lo: int, hi: int) -> int:
        """A chunk's share of a firm-wide count, in proportion to its people (they add up)."""
        return total * (hi - 1) // N - total * (lo - 1) // N

    rng_u = rng_for("logins")
    rng_n = rng_for("names")
    first = [rng_n.choice(W.FIRST_NAMES) for _ in range(N + 1)]
    last = [rng_n.choice(W.LAST_NAMES) for _ in range(N + 1)]
    first[1], last[1] = "Casey", "Candidate"

    def cand_name(cid: int) -> str:
        return f"{first[cid]} {last[cid]}"

    def cand_email(cid: int) -> str:
        if cid == 1:
            return CANDIDATE_EMAIL
        return f"{first[cid].lower()}.{last[cid].lower().replace(' ', '').replace(chr(39), '')}.{cid}@mail.example"

    # One random stream per part for the whole firm: each chunk goes on where the last stopped.
    rng_cy = rng
    rng_history = rng_for("history")
    rng_feedback = rng_for("feedback")
    fb_pool = _render_pool(rng_feedback, W.FEEDBACK_LINES, 200, (2, 6))
    rng_notes = rng_for("notes")
    note_pool = _render_pool(rng_notes, W.NOTE_LINES, 120, (1, 3))
    rng_consents = rng_for("consents")
    rng_messages = rng_for("messages")
    rng_candidates = rng_for("candidates")
    updates_for = set(rng_candidates.sample(range(2, N + 1), min(N - 1, n["candidate_updates"])))
    bench_skills = list(dict.fromkeys(families[0][:6] + [popular[0], popular[1], popular[2]]))[:8]
    # Per candidate, in flat arrays (no Python object per person that would outlive its chunk):
    # the login's user id (0: none), when the firm last wrote to them, and last nurtured them.
    user_of = array("l", [0]) * (N + 1)
    last_contact = array("d", [NEVER]) * (N + 1)
    last_nurture = array("d", [NEVER]) * (N + 1)
    recruiter_email = {
        u: (RECRUITER_EMAIL if u == bench_recruiter else f"recruiter{u - 1}@bench.example") for u in recruiter_ids
    }
    stage_words = {s.value: CANDIDATE_STAGE_TEXT[s] for s in Stage}
    # (search, candidate) pairs in the pipeline of an open search (interests avoid them), packed.
    in_open_search = array("q")
    # Totals over the chunks; the ids of each table go on from the chunk before.
    C = n_users = n_stage_changes = n_feedback = n_notes = n_consents = n_messages = 0
    n_cand_skills = n_tags = n_active = 0
    chunk_started = time.perf_counter()

    for c, (lo, hi) in enumerate(chunks):
        cy0, sc0, fb0, note0, consent0, mid0 = C, n_stage_changes, n_feedback, n_notes, n_consents, n_messages
        # ------------------------------------------------------ this chunk's candidacies (plan)
        rng = rng_cy
        # Each candidacy: [search_idx, candidate_id, final_stage, reached_stage, close_reason, t0, t_end]
        plans: list[list] = []
        for i in range(S):
            k = shares[c][i]
            if not k:
                continue
            cands = rng.sample(range(max(2, lo), hi), k)
            st = s_state[i]
            created = s_created[i]
            if st in ("open", "on_hold"):
                for cid in cands:
                    final = ow_names[bisect.bisect_left(ow_cum, rng.random() * ow_cum[-1])]
                    t0 = created + rng.uniform(0, max(DAY, -created - 3 * DAY) * 0.9)
                    t0 = min(t0, -2 * DAY)
                    if final == "closed":
                        reached = rng.choice(("identified", "contacted", "screening", "presented", "interviewing"))
                        reason = rng.choices(["not_a_fit", "withdrew", "client_declined"], weights=[5, 2, 3])[0]
                        t_end = rng.uniform(t0 + 3600, -DAY)
                    else:
                        reached, reason = final, None
                        gap = min(rng.expovariate(1 / (4 * DAY)), -t0 - 3600)
                        t_end = -max(gap, 600.0)
                    plans.append([i, cid, final, reached, reason, t0, t_end])
            else:
                closed = s_closed[i]
                placed_at = rng.randrange(k) if st == "filled" and placed_in[i] == c else -1
                for j, cid in enumerate(cands):
                    t0 = created + rng.uniform(0, max(DAY, (closed - created) * 0.8))
                    if j == placed_at:
                        plans.append([i, cid, "placed", "placed", None, t0, closed - rng.uniform(0, 3) * DAY])
                        continue
                    reached = rng.choices(
                        ("identified", "contacted", "screening", "presented", "interviewing", "offer"),
                        weights=(30, 25, 20, 10, 12, 3),
                    )[0]
                    if reached == "identified" or rng.random() < 0.35:
                        reason, t_end = "role_closed", closed
                    else:
                        reason = rng.choices(["not_a_fit", "withdrew", "client_declined"], weights=[5, 2, 3])[0]
                        t_end = rng.uniform(t0 + 3600, closed)
                    plans.append([i, cid, "closed", reached, reason, t0, max(t_end, t0 + 3600)])
        if lo == 1:  # the benchmark candidate is in the first chunk
            for (final, reason), si in zip(bench_stages, rng.sample(open_pool, min(5, len(open_pool))), strict=False):
                t0 = max(s_created[si] + 3600, -40 * DAY)
                if final == "closed":
                    plans.append([si, 1, "closed", "interviewing", reason, t0, t0 + (-DAY - t0) * 0.8])
                else:
                    plans.append([si, 1, final, final, None, t0, -rng.uniform(1, 5) * DAY])
            si = rng.choice(filled)  # and a role they got, years ago
            plans.append([si, 1, "placed", "placed", None, s_created[si] + DAY, s_closed[si] - 3600])
        # ids follow creation time, as they would in a real database (within a chunk: the
        # candidacy `cy` of this chunk, 1-based, has the id cy0 + cy)
        plans.sort(key=lambda p: p[5])
        Cc = len(plans)
        cand_of = [p[1] for p in plans]
        for p in plans:
            if s_state[p[0]] == "open":
                in_open_search.append(p[0] * (N + 1) + p[1])

        # ------------------------------------------------------ candidate logins
        in_pipeline = sorted({p[1] for p in plans if p[1] != 1})
        n_logins = part(n["candidate_logins"], lo, hi)
        bench_login = [1] if lo == 1 else []
        login_cands = bench_login + sorted(
            rng_u.sample(in_pipeline, max(0, min(n_logins - len(bench_login), len(in_pipeline))))
        )
        del in_pipeline
        for cid in login_cands:
            uid = next_user_id
            next_user_id += 1
            user_of[cid] = uid
            tok()
            users.append(
                (
                    uid,
                    FIRM,
                    cand_email(cid),
                    cand_name(cid),
                    "candidate",
                    pw_hash,
                    True,
                    T(-rng_u.uniform(5, 900) * DAY),
                    T(-rng_u.uniform(0, 60) * DAY) if rng_u.random() < 0.7 else None,
                )
            )
        loader.write("users", user_cols, iter(users))
        n_users += len(users)
        users = []

        # ------------------------------------------------------ candidacies + stage history
        rng = rng_history
        sc_rows = []
        # per candidacy: times of reaching each stage, for feedback/consent/messages
        reach_times: list[list[tuple[str, float]]] = []
        for cy, (si, _cid, final, reached, reason, t0, t_end) in enumerate(plans, start=1):
            owner = s_owner[si]
            path = list(PIPELINE[: STAGE_RANK[reached] + 1])
            if final == "closed":
                path.append("closed")
            k = len(path)
            if k == 1:
                times = [t0]
            else:
                # the last move happens at t_end for closed/placed; for open ones somewhat before it
                last_t = t_end if final in ("closed", "placed") else t0 + (t_end - t0) * rng.uniform(0.4, 1.0)
                inner = sorted(rng.uniform(t0, last_t) for _ in range(k - 2))
                times = [t0, *inner, last_t]
            steps = list(zip(path, times, strict=True))
            reach_times.append(steps)
            prev = None
            for stage, t in steps:
                if stage == "closed":
                    sc_rows.append((t, cy, prev, "closed", owner, reason, W.CLOSE_EXPLANATIONS[reason]))
                else:
                    sc_rows.append((t, cy, prev, stage, owner, None, None))
                prev = stage

        def candidacy_rows(plans: list[list], reach_times: list, cy0: int):
            for cy, (si, cid, final, _reached, reason, t0, _t_end) in enumerate(plans, start=1):
                last_t = reach_times[cy - 1][-1][1]
                yield (
                    cy0 + cy,
                    FIRM,
                    si + 1,
                    cid,
                    final,
                    1,
                    reason,
                    W.CLOSE_EXPLANATIONS[reason] if reason else None,
                    T(last_t) if final == "closed" else None,
                    s_owner[si],
                    T(last_t),
                    T(t0),
                )

        loader.write(
            "candidacies",
            [
                "id",
                "firm_id",
                "search_id",
                "candidate_id",
                "stage",
                "version",
                "close_reason",
                "close_explanation",
                "closed_at",
                "added_by_id",
                "stage_changed_at",
                "created_at",
            ],
            candidacy_rows(plans, reach_times, cy0),
        )
        sc_rows.sort(key=lambda r: r[0])
        loader.write(
            "stage_changes",
            [
                "id",
                "firm_id",
                "candidacy_id",
                "from_stage",
                "to_stage",
                "actor_id",
                "close_reason",
                "explanation",
                "created_at",
            ],
            (
                (j, FIRM, cy0 + r[1], r[2], r[3], r[4], r[5], r[6], T(r[0]))
                for j, r in enumerate(sc_rows, start=sc0 + 1)
            ),
        )
        n_stage_changes += len(sc_rows)
        del sc_rows
        # message specs: (time, kind, candidacy (of this chunk, 1-based) or 0, candidate_id, extra)
        msg_specs: list[tuple] = []
        for cy, steps in enumerate(reach_times, start=1):
            for stage, t in steps:
                if stage == "closed":
                    msg_specs.append((t + 60, "candidacy_closed", cy, cand_of[cy - 1], stage))
                elif stage in VISIBLE:
                    msg_specs.append((t + 60, "stage_changed", cy, cand_of[cy - 1], stage))

        # ------------------------------------------------------ feedback
        rng = rng_feedback
        eligible = [
            cy
            for cy, steps in enumerate(reach_times, start=1)
            if any(s in ("screening", "presented", "interviewing", "offer", "placed") for s, _ in steps)
        ]
        n_fb = part(n["feedback"], lo, hi)
        fb_for: list[int] = []
        bench_cys = [cy for cy in range(1, Cc + 1) if cand_of[cy - 1] == 1]
        eligible_set = set(eligible)
        for cy in bench_cys:
            if cy in eligible_set:
                fb_for += [cy, cy]
        del eligible_set
        if eligible:
            rest = max(0, n_fb - len(fb_for))
            base = eligible[:] if len(eligible) <= rest else rng.sample(eligible, rest)
            fb_for += base
            extra = max(0, rest - len(base))
            deep = [cy for cy in eligible if len(reach_times[cy - 1]) >= 4] or eligible
            fb_for += rng.choices(deep, k=extra)
            del base, deep
        del eligible
        fb_rows = []
        for cy in fb_for:
            steps = reach_times[cy - 1]
            start = next(t for s, t in steps if s in ("screening", "presented", "interviewing", "offer", "placed"))
            end = steps[-1][1] if plans[cy - 1][2] in ("closed", "placed") else plans[cy - 1][6]
            t = rng.uniform(start, max(start + 60, end))
            md, html = rng.choice(fb_pool)
            fb_rows.append((t, cy, s_owner[plans[cy - 1][0]], md, html))
            msg_specs.append((t + 30, "feedback", cy, cand_of[cy - 1], None))
        del fb_for
        fb_rows.sort(key=lambda r: r[0])
        loader.write(
            "feedback",
            ["id", "firm_id", "candidacy_id", "author_id", "body_md", "body_html", "created_at"],
            ((j, FIRM, cy0 + r[1], r[2], r[3], r[4], T(r[0])) for j, r in enumerate(fb_rows, start=fb0 + 1)),
        )
        n_feedback += len(fb_rows)
        del fb_rows

        # ------------------------------------------------------ notes (internal)
        rng = rng_notes
        note_rows = []
        for _ in range(part(n["notes"], lo, hi)):
            if rng.random() < 0.7:
                cy = rng.randint(1, Cc)
                cid = cand_of[cy - 1]
                t = rng.uniform(plans[cy - 1][5], max(plans[cy - 1][5] + 60, plans[cy - 1][6]))
                author = s_owner[plans[cy - 1][0]]
            else:
                cy, cid = None, rng.randint(lo, hi - 1)
                t = -rng.uniform(1, 1500) * DAY
                author = rng.choice(recruiter_ids)
            md, html = rng.choice(note_pool)
            note_rows.append((t, cid, cy0 + cy if cy else None, author, md, html))
        note_rows.sort(key=lambda r: r[0])
        loader.write(
            "notes",
            ["id", "firm_id", "candidate_id", "candidacy_id", "author_id", "body_md", "body_html", "created_at"],
            ((j, FIRM, r[1], r[2], r[3], r[4], r[5], T(r[0])) for j, r in enumerate(note_rows, start=note0 + 1)),
        )
        n_notes += len(note_rows)
        del note_rows

        # ------------------------------------------------------ consents
        rng = rng_consents
        consent_rows = []
        for cy, steps in enumerate(reach_times, start=1):
            si = plans[cy - 1][0]
            stages = dict(steps)
            client = client_names[s_client[si] - 1]  # a consent request names the client
            if "presented" in stages:
                t_req = stages["presented"] - rng.uniform(0.2, 3) * DAY
                consent_rows.append(
                    (
                        t_req,
                        cy0 + cy,
                        "approved",
                        s_owner[si],
                        T(t_req),
                        T(t_req + rng.uniform(600, DAY)),
                        None,
                        T(stages["presented"]),
                        client,
                        s_title[si],
                    )
                )
                msg_specs.append((t_req + 30, "consent_requested", cy, cand_of[cy - 1], None))
            elif plans[cy - 1][2] == "screening" and (rng.random() < 0.2 or cand_of[cy - 1] == 1):
                t_req = plans[cy - 1][6] - rng.uniform(0, 2) * DAY
                consent_rows.append(
                    (t_req, cy0 + cy, "requested", s_owner[si], T(t_req), None, None, None, client, s_title[si])
                )
                msg_specs.append((t_req + 30, "consent_requested", cy, cand_of[cy - 1], None))
            elif plans[cy - 1][4] == "withdrew" and "screening" in stages and rng.random() < 0.3:
                t_req = stages["screening"] + 3600
                consent_rows.append(
                    (
                        t_req,
                        cy0 + cy,
                        "declined",
                        s_owner[si],
                        T(t_req),
                        T(t_req + DAY),
                        "I prefer not to be presented to this client.",
                        None,
                        client,
                        s_title[si],
                    )
                )
        del reach_times
        consent_rows.sort(key=lambda r: r[0])
        loader.write(
            "consents",
            [
                "id",
                "firm_id",
                "candidacy_id",
                "state",
                "requested_by_id",
                "requested_at",
                "answered_at",
                "comment",
                "cv_sent_at",
                "client_name",
                "role_title",
                "candidate_id",
                "search_id",
            ],
            # the candidacy's candidate and search, copied (as the application does)
            (
                (j, FIRM) + r[1:] + (plans[r[1] - cy0 - 1][1], plans[r[1] - cy0 - 1][0] + 1)
                for j, r in enumerate(consent_rows, start=consent0 + 1)
            ),
        )
        n_consents += len(consent_rows)
        del consent_rows

        # ------------------------------------------------------ check-ins and the message budget
        rng = rng_messages
        active_visible = [
            cy for cy in range(1, Cc + 1) if plans[cy - 1][2] in OPEN and plans[cy - 1][2] != "identified"
        ]
        for cy in active_visible:  # the latest word each active candidate heard: a check-in
            msg_specs.append((plans[cy - 1][6], "checkin", cy, cand_of[cy - 1], None))
        target = part(n["messages"], lo, hi)
        surplus = len(msg_specs) - target
        if surplus > 0:  # drop old history of closed searches (it predates the portal)
            old = [
                j
                for j, m in enumerate(msg_specs)
                if m[1] == "stage_changed" and s_state[plans[m[2] - 1][0]] in ("filled", "cancelled") and m[3] != 1
            ]
            drop = set(rng.sample(old, min(surplus, len(old))))
            msg_specs = [m for j, m in enumerate(msg_specs) if j not in drop]
            del old, drop
        deficit = target - len(msg_specs)
        if deficit > 0:
            # recruiters' weekly digest of who is overdue: made with the first chunk, for the
            # whole firm's deficit (the first chunk's, in proportion)
            weeks = 0
            if lo == 1:
                firm_deficit = deficit * (N / (hi - lo))
                weeks = int(min(firm_deficit * 0.02, 150 * len(recruiter_ids)) // max(1, len(recruiter_ids)))
            for rid in recruiter_ids:
                for w in range(weeks):
                    msg_specs.append((-(w * 7 + 3) * DAY + 14 * 3600, "recruiter_digest", 0, 0, rid))
            deficit = target - len(msg_specs)
            # earlier check-ins of active candidacies (at most weekly, up to 3 each)
            n_check = min(deficit * 6 // 10, 3 * len(active_visible))
            for cy in rng.choices(active_visible, k=n_check) if active_visible else []:
                t0, t_end = plans[cy - 1][5], plans[cy - 1][6]
                msg_specs.append(
                    (rng.uniform(t0, t_end - 3600) if t_end - t0 > 7200 else t0, "checkin", cy, cand_of[cy - 1], None)
                )
            deficit = target - len(msg_specs)
            # nurture digests to the passive pool (candidates with no open candidacy)
            busy = {cand_of[cy - 1] for cy in range(1, Cc + 1) if plans[cy - 1][2] in OPEN}
            people = range(max(2, lo), hi)
            passive = [cid for cid in people if cid not in busy] or list(people)
            for cid in rng.choices(passive, k=deficit):
                msg_specs.append((-rng.uniform(8, 900) * DAY, "nurture", 0, cid, None))
            del busy, passive
        del active_visible
        msg_specs.sort(key=lambda m: m[0])

        # ------------------------------------------------------ messages
        def message_rows(r: random.Random, msg_specs: list[tuple], plans: list[list], cy0: int, mid0: int):
            seqs: dict[tuple, int] = {}
            for mid, (t, kind, cy, cid, extra) in enumerate(msg_specs, start=mid0 + 1):
                created = T(t)
                stream = None
                if kind == "recruiter_digest":
                    audience, uid, to_email, to_name = "recruiter", extra, recruiter_email[extra], "Recruiter"
                    subject = "Who is waiting to hear from you this week"
                    text = (
                        "These candidates in your searches have not heard from us within the firm's cadence. "
                        "Open the dashboard to send each of them a word.\n"
                    )
                    html = f"<p>{text}</p>"
                    key = f"digest:{extra}:{mid}"
                    cid_v = None
                else:
                    audience = "candidate"
                    uid = user_of[cid] or None
                    to_email, to_name = cand_email(cid), cand_name(cid)
                    cid_v = cid
                    if t > last_contact[cid]:
                        last_contact[cid] = t
                    if kind == "nurture":
                        stream = "nurture"
                        last_nurture[cid] = t
                        subject = f"Roles that may fit you at {FIRM_NAME}"
                        text = (
                            f"Hello {first[cid]},\n\nHere are roles our consultants think may fit you. "
                            "Tell us with one click if one interests you.\n\nYou can choose how often you hear from us.\n"
                        )
                        html = f"<p>Hello {first[cid]},</p><p>Here are roles our consultants think may fit you.</p>"
                    else:
                        si = plans[cy - 1][0]
                        title = s_title[si]
                        if kind == "stage_changed":
                            label, explanation = stage_words[extra]
                            subject = f"{title}: {label}"
                            text = f"Hello {first[cid]},\n\n{explanation}\n\nYour recruiter, {FIRM_NAME}\n"
                            html = f"<p>Hello {first[cid]},</p><p>{explanation}</p>"
                        elif kind == "candidacy_closed":
                            reason = plans[cy - 1][4]
                            subject = f"{title}: this search has ended for you"
                            text = (
                                f"Hello {first[cid]},\n\n{W.CLOSE_EXPLANATIONS[reason]}\n\n"
                                "We keep you in mind for roles that fit you better.\n"
                            )
                            html = f"<p>Hello {first[cid]},</p><p>{W.CLOSE_EXPLANATIONS[reason]}</p>"
                        elif kind == "feedback":
                            subject = f"New feedback about {title}"
                            text = (
                                f"Hello {first[cid]},\n\nYour recruiter wrote feedback for you. "
                                "Read it in your portal.\n"
                            )
                            html = f"<p>Hello {first[cid]},</p><p>Your recruiter wrote feedback for you.</p>"
                        elif kind == "consent_requested":
                            subject = f"May we present you for {title}?"
                            text = (
                                f"Hello {first[cid]},\n\nBefore we send your profile to the client we need your yes. "
                                "Read the role's details and answer in your portal.\n"
                            )
                            html = f"<p>Hello {first[cid]},</p><p>Before we send your profile we need your yes.</p>"
                        else:  # checkin
                            label, explanation = stage_words[plans[cy - 1][2]]
                            subject = f"{title}: no news yet, you are not forgotten"
                            text = (
                                f"Hello {first[cid]},\n\nWhere you stand: {label}. {explanation}\n\n"
                                "We will write again within a week.\n"
                            )
                            html = f"<p>Hello {first[cid]},</p><p>Where you stand: {label}.</p>"
                    key = f"{kind}:{cy0 + cy if cy else cid}:{seqs.setdefault((kind, cy or cid), 0)}"
                    seqs[(kind, cy or cid)] += 1
                x = r.random()
                if x < 0.975:
                    state, err, sent = "sent", None, created + timedelta(seconds=5)
                elif x < 0.99:
                    state, err, sent = "skipped", "the candidate unsubscribed from optional emails", None
                elif x < 0.997:
                    state, err, sent = "cancelled", "undone within the grace window", None
                else:
                    state, err, sent = "failed", "550 5.1.1 mailbox unavailable", None
                read = created + timedelta(hours=3) if (uid and state == "sent" and r.random() < 0.6) else None
                yield (
                    mid,
                    FIRM,
                    kind,
                    audience,
                    stream,
                    uid,
                    cid_v,
                    cy0 + cy if cy else None,
                    to_email,
                    to_name,
                    subject,
                    text,
                    html,
                    key,
                    state,
                    1 if state != "cancelled" else 0,
                    err,
                    created,
                    created,
                    created,
                    sent,
                    read,
                    created,
                    True,
                )

        loader.write(
            "messages",
            [
                "id",
                "firm_id",
                "kind",
                "audience",
                "stream",
                "recipient_user_id",
                "candidate_id",
                "candidacy_id",
                "to_email",
                "to_name",
                "subject",
                "body_text",
                "body_html",
                "dedupe_key",
                "state",
                "attempts",
                "last_error",
                "due_at",
                "claimed_at",
                "enqueued_at",
                "sent_at",
                "read_at",
                "created_at",
                "show_in_portal",
            ],
            message_rows(rng, msg_specs, plans, cy0, mid0),
        )
        n_messages += len(msg_specs)
        del msg_specs  # written: free the memory (the generator above is used up)

        # ------------------------------------------------------ candidates, skills, tags
        rng = rng_candidates
        first_cy_t: dict[int, float] = {}
        for p in plans:
            if p[1] not in first_cy_t or p[5] < first_cy_t[p[1]]:
                first_cy_t[p[1]] = p[5]
        active_cands = {p[1] for p in plans if p[2] in OPEN}
        n_active += sum(1 for p in plans if p[2] in OPEN)
        C += Cc
        del plans, cand_of
        cand_skill_rows: list[tuple] = []
        tag_rows: list[tuple] = []

        def candidate_rows(
            rng: random.Random, lo: int, hi: int, first_cy_t: dict, active_cands: set, skills: list, tags: list
        ):
            for cid in range(lo, hi):
                sen = rng.choice(seniorities)
                func = rng.choice(W.FUNCTIONS)
                loc = "London" if cid == 1 else city(rng)
                created = (
                    (first_cy_t[cid] - rng.uniform(0, 60) * DAY) if cid in first_cy_t else -rng.uniform(10, 1800) * DAY
                )
                if cid in active_cands:
                    seeking = rng.choices(["active", "open"], weights=[7, 3])[0]
                else:
                    seeking = rng.choices(["active", "open", "not_looking"], weights=[2, 5, 3])[0]
                avail_changed = -rng.uniform(0, 30) * DAY if cid in updates_for else None
                pay = rng.randrange(35_000, 220_000, 5_000)
                sk = bench_skills if cid == 1 else pick_skills(rng, rng.randint(5, 15), rng.randrange(n_families))
                for skid in sk:
                    skills.append((cid, skid, FIRM))
                tags.append((cid, func.lower(), FIRM))
                tags.append((cid, rng.choice(W.SECTORS).lower(), FIRM))
                if rng.random() < 0.5:
                    tags.append((cid, rng.choice(W.LANGUAGES).lower(), FIRM))
                lc = last_contact[cid]
                yield (
                    cid,
                    FIRM,
                    user_of[cid] or None,
                    rng.choice(recruiter_ids),
                    cand_name(cid),
                    cand_email(cid),
                    f"+44 20 7946 {cid % 10000:04d}",
                    f"{sen.capitalize()} {func} ({rng.choice(W.SECTORS)})",
                    loc,
                    sen,
                    f"{sen.capitalize()} {func.lower()} with experience in {rng.choice(W.SECTORS).lower()} "
                    f"and {rng.choice(W.SECTORS).lower()}. Based in {loc}.",
                    seeking,
                    (anchor + timedelta(days=rng.randint(0, 120))) if seeking != "not_looking" else None,
                    rng.choice((0, 2, 4, 4, 8, 12)),
                    rng.choice(("employed", "employed", "employed", "notice", "unemployed", "freelance")),
                    func,
                    f"{loc}, {city(rng)}",
                    rng.choice(("any", "remote", "hybrid", "onsite")),
                    pay,
                    "EUR",
                    T(-rng.uniform(0, 200) * DAY) if rng.random() < 0.6 else None,
                    T(avail_changed) if avail_changed is not None else None,
                    rng.choices(("weekly", "monthly", "never"), weights=(6, 3, 1))[0],
                    True,
                    rng.random() < 0.02,
                    f"{rng.getrandbits(160):040x}",
                    0,
                    False,
                    T(lc) if lc != NEVER else None,
                    T(last_nurture[cid]) if last_nurture[cid] != NEVER else None,
                    T(created),
                    T(max(created, avail_changed or created)),
                )

        people_rows = candidate_rows(rng, lo, hi, first_cy_t, active_cands, cand_skill_rows, tag_rows)
        while True:  # the people a few at a time, each batch followed by its skills and tags
            written = loader.write("candidates", CANDIDATE_COLUMNS, itertools.islice(people_rows, CANDIDATE_BATCH))
            if not written:
                break
            loader.write("candidate_skills", ["candidate_id", "skill_id", "firm_id"], iter(cand_skill_rows))
            seen_tags: set[tuple] = set()
            tag_rows[:] = [t for t in tag_rows if not ((t[0], t[1]) in seen_tags or seen_tags.add((t[0], t[1])))]
            loader.write("candidate_tags", ["candidate_id", "name", "firm_id"], iter(tag_rows))
            n_cand_skills += len(cand_skill_rows)
            n_tags += len(tag_rows)
            cand_skill_rows.clear()  # written: free the memory
            tag_rows.clear()
        del first_cy_t, active_cands
        if len(chunks) > 1:
            rows_so_far = sum(loader.counts.values())
            log(
                f"  chunk {c + 1}/{len(chunks)}: candidates {lo:,}-{hi - 1:,} written; {rows_so_far:,} rows so far, "
                f"{time.perf_counter() - chunk_started:.0f} s"
            )

    # ---------------------------------------------------------- interests, updates, suggested roles
    rng = rng_for("signals")
    in_open_search = set(in_open_search)
    open_searches = [i for i in active_idx if s_state[i] == "open"]
    rows, pairs = [], set()
    while len(rows) < n["interests"] and open_searches:
        si, cid = rng.choice(open_searches), rng.randint(1, N)
        if si * (N + 1) + cid in in_open_search or (si, cid) in pairs:
            continue
        pairs.add((si, cid))
        t = -rng.uniform(0, 60) * DAY
        rows.append((t, cid, si + 1, T(t), T(t + DAY) if t < -14 * DAY else None))
    rows.sort(key=lambda r: r[0])
    loader.write(
        "interests",
        ["id", "firm_id", "candidate_id", "search_id", "created_at", "handled_at"],
        ((j, FIRM) + r[1:] for j, r in enumerate(rows, start=1)),
    )
    n_interests = len(rows)
    rows = []
    for cid in sorted(updates_for):
        t = -rng.uniform(0, 30) * DAY
        kind = rng.choices(("availability", "update", "referral"), weights=(6, 3, 1))[0]
        body = {
            "availability": "I changed my availability.",
            "update": "I received another offer and have to answer by Friday.",
            "referral": "A former colleague would be great for your data roles.",
        }[kind]
        rows.append(
            (
                t,
                cid,
                kind,
                body,
                None,
                "Jo Referral" if kind == "referral" else None,
                f"jo.referral.{cid}@mail.example" if kind == "referral" else None,
                T(t),
                T(t + DAY) if t < -7 * DAY else None,
            )
        )
    rows.sort(key=lambda r: r[0])
    loader.write(
        "candidate_updates",
        [
            "id",
            "firm_id",
            "candidate_id",
            "kind",
            "body",
            "search_id",
            "referral_name",
            "referral_email",
            "created_at",
            "handled_at",
        ],
        ((j, FIRM) + r[1:] for j, r in enumerate(rows, start=1)),
    )
    n_updates = len(rows)
    rows, pairs = [], set()
    while len(rows) < n["suggested_roles"] and open_searches:
        si, cid = rng.choice(open_searches), rng.randint(1, N)
        if (si, cid) in pairs:
            continue
        pairs.add((si, cid))
        t = -rng.uniform(0, 120) * DAY
        rows.append((t, cid, si + 1, T(t)))
    rows.sort(key=lambda r: r[0])
    loader.write(
        "suggested_roles",
        ["id", "firm_id", "candidate_id", "search_id", "created_at"],
        ((j, FIRM) + r[1:] for j, r in enumerate(rows, start=1)),
    )
    del rows, pairs, in_open_search

    log("  building indexes and statistics ...")
    loader.finish()
    ds.board_search_id = 1  # search 1 is the first of the benchmark recruiter's 200-candidacy searches
    ds.counts = dict(loader.counts)
    ds.counts.update(
        {
            "candidacies": C,
            "stage_changes": n_stage_changes,
            "feedback": n_feedback,
            "notes": n_notes,
            "messages": n_messages,
            "consents": n_consents,
            "interests": n_interests,
            "candidate_updates": n_updates,
            "users": n_users,
            "candidate_skills": n_cand_skills,
            "candidate_tags": n_tags,
            "skills": n_skills,
            "board_candidacies": board_size,
            "active_candidacies": n_active,
        }
    )
    ds.timings = {k: round(v, 2) for k, v in loader.timings.items()}
    ds.seconds = round(time.perf_counter() - t_start, 1)
    log(f"  done in {ds.seconds:.0f} s: " + ", ".join(f"{k} {v:,}" for k, v in sorted(loader.counts.items())))
    return ds


def facts_from_db(url: str) -> Dataset:
    """The benchmark logins and board search of an existing generated database."""
    from sqlalchemy import create_engine, text

    url = absolute_url(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        firm_id = conn.execute(text("SELECT id FROM firms WHERE slug = :s"), {"s": FIRM_SLUG}).scalar()
        if firm_id is None:
            raise SystemExit(f"no generated firm '{FIRM_SLUG}' in {url}: run python -m bench.generate first")
        rid = conn.execute(
            text("SELECT id FROM users WHERE email = :e AND firm_id = :f"), {"e": RECRUITER_EMAIL, "f": firm_id}
        ).scalar()
        board = conn.execute(
            text(
                "SELECT s.id, COUNT(c.id) AS n FROM searches s JOIN candidacies c ON c.search_id = s.id "
                "WHERE s.owner_id = :r AND s.state = 'open' GROUP BY s.id ORDER BY n DESC, s.id LIMIT 1"
            ),
            {"r": rid},
        ).first()
        counts = {
            t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar()
            for t in (
                "candidates",
                "searches",
                "candidacies",
                "stage_changes",
                "feedback",
                "notes",
                "messages",
                "skills",
                "users",
            )
        }
    engine.dispose()
    ds = Dataset(url=url, seed=-1, scale=float("nan"), anchor="")
    ds.board_search_id = board[0] if board else None
    ds.counts = counts
    ds.counts["board_candidacies"] = board[1] if board else 0
    return ds


def table_digest(url: str) -> dict[str, str]:
    """A digest of every table's rows in primary-key order (to check determinism)."""
    from sqlalchemy import create_engine, select

    import portal.models  # noqa: F401
    from portal.extensions import db

    engine = create_engine(url)
    out = {}
    with engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            h = hashlib.sha256()
            cols = [c for c in table.columns if c.name not in ("password_hash",)]
            for row in conn.execute(select(*cols).order_by(*table.primary_key.columns)):
                h.update(repr(tuple(row)).encode())
            out[table.name] = h.hexdigest()[:16]
    engine.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--db",
        default=os.environ.get("BENCH_DB", "sqlite:///bench/data/portal-bench.db"),
        help="SQLAlchemy URL; the database is emptied first (PostgreSQL: its name must contain 'bench')",
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument(
        "--anchor", type=date.fromisoformat, default=None, help="the date the data is relative to (default: today, UTC)"
    )
    ap.add_argument(
        "--chunk",
        type=int,
        default=CHUNK,
        help="candidates made and written at a time, with everything that hangs off them (memory is that of "
        f"one chunk; default {CHUNK:,}: a smaller chunk makes a different, statistically equal, firm)",
    )
    ap.add_argument("--json", metavar="FILE", help="also write the facts (counts, timings, logins) here")
    args = ap.parse_args(argv)
    if not (0 < args.scale <= 10):
        ap.error("--scale must be in (0, 10]")
    if args.chunk < 1000:
        ap.error("--chunk must be at least 1000")
    ds = generate(args.db, seed=args.seed, scale=args.scale, anchor=args.anchor, chunk=args.chunk)
    if args.json:
        with open(args.json, "w") as fh:
            fh.write(ds.to_json())
    print(
        f"logins (password {PASSWORD!r}): {RECRUITER_EMAIL} (board search {ds.board_search_id}), "
        f"{CANDIDATE_EMAIL}, {ADMIN_EMAIL}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
