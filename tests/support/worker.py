"""Test data and process helpers for the worker's tests (until the recruiter services land,
candidacies are made directly with the models)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import select, update

from portal import outbox
from portal.models import (
    Audience,
    Candidacy,
    Candidate,
    Client,
    Firm,
    Message,
    MessageState,
    Search,
    SearchState,
    Stage,
    utcnow,
)
from tests.factories import firm_context, seq


def make_search(app, firm, *, title=None, owner=None, client="Acme", state=SearchState.OPEN, **kw) -> Search:
    with firm_context(app, firm) as s:
        c = s.scalar(select(Client).where(Client.name == client))
        if c is None:
            c = Client(firm_id=firm.id, name=client)
            s.add(c)
            s.flush()
        search = Search(
            firm_id=firm.id,
            client_id=c.id,
            title=title or f"Role {seq()}",
            owner_id=owner.id if owner else None,
            state=state,
            **kw,
        )
        s.add(search)
        s.flush()
        search.client  # noqa: B018 - load for use after the session closes
    return search


def make_candidacy(app, firm, candidate, search, *, stage=Stage.SCREENING, created_at=None) -> Candidacy:
    with firm_context(app, firm) as s:
        when = created_at or utcnow()
        cy = Candidacy(
            firm_id=firm.id,
            candidate_id=candidate.id,
            search_id=search.id,
            stage=stage,
            created_at=when,
            stage_changed_at=when,
        )
        s.add(cy)
        s.flush()
    return cy


def move_stage(app, firm, candidacy_id: int, stage: Stage, *, grace=True, kind="stage_moved") -> int:
    """What the pipeline service does: change the stage and record the candidate's message
    in the same transaction (grace window, coalesced per candidacy). Returns the message id."""
    with firm_context(app, firm) as s:
        f = s.get(Firm, firm.id)
        cy = s.get(Candidacy, candidacy_id)
        cy.stage = stage
        cy.stage_changed_at = utcnow()
        cand = s.get(Candidate, cy.candidate_id)
        msg = outbox.record(
            f,
            kind=kind,
            dedupe_key=f"{kind}:{cy.id}:{stage.value}:{seq()}",
            audience=Audience.CANDIDATE,
            to_email=cand.email,
            to_name=cand.name,
            candidate=cand,
            candidacy_id=cy.id,
            grace=grace,
            coalesce_key=f"candidacy:{cy.id}",
            context={"change": f"You moved to {stage.value}"},
        )
        s.flush()
        return msg.id


def send_plain(
    app, firm, candidate, *, stream=None, kind="test_event", grace=False, key=None, change="Something happened"
) -> int:
    """Record one candidate message (template email/test_event, see conftest)."""
    with firm_context(app, firm) as s:
        f = s.get(Firm, firm.id)
        cand = s.get(Candidate, candidate.id)
        msg = outbox.record(
            f,
            kind=kind,
            dedupe_key=key or f"plain:{seq()}",
            audience=Audience.CANDIDATE,
            to_email=cand.email,
            to_name=cand.name,
            candidate=cand,
            stream=stream,
            grace=grace,
            context={"change": change},
        )
        s.flush()
        return msg.id


def messages(app, **where) -> list[Message]:
    with firm_context(app) as s:
        stmt = select(Message).order_by(Message.id)
        for k, v in where.items():
            stmt = stmt.where(getattr(Message, k) == v)
        rows = list(s.scalars(stmt))
        for r in rows:
            s.expunge(r)
    return rows


def message(app, mid: int) -> Message:
    with firm_context(app) as s:
        m = s.get(Message, mid)
        s.expunge(m)
    return m


def make_due(app, *ids) -> None:
    """Time passes: the grace window / retry backoff of these messages is over."""
    with firm_context(app) as s:
        stmt = update(Message).where(Message.state == MessageState.PENDING)
        if ids:
            stmt = stmt.where(Message.id.in_(ids))
        s.execute(
            stmt.values(due_at=utcnow() - timedelta(seconds=1), enqueued_at=None).execution_options(
                synchronize_session=False
            )
        )


def pending_ids(app) -> list[int]:
    return [m.id for m in messages(app, state=MessageState.PENDING)]


def sink_counts(sink) -> Counter:
    """How many copies of each Message-ID the sink received."""
    return Counter(m.email["Message-ID"] for m in list(sink.messages))


def expected_message_id(app, mid: int) -> str:
    m = message(app, mid)
    from worker import mailer

    with app.app_context():
        return mailer.message_id(m)


# ---------------------------------------------------------------- real worker processes


def process_env(app, **settings: str) -> dict:
    """The environment of a Portal process (worker, `portal ...`) started by a test: this test's
    database, Redis, SMTP sink, queue prefix and instance folder, plus `settings` (PORTAL_* names)."""
    env = dict(os.environ)
    env.update(
        {
            "PORTAL_ENV": "testing",
            "PORTAL_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "PORTAL_REDIS_URL": app.config["REDIS_URL"],
            "PORTAL_SMTP_HOST": "127.0.0.1",
            "PORTAL_SMTP_PORT": str(app.config["SMTP_PORT"]),
            "PORTAL_QUEUE_PREFIX": app.config["QUEUE_PREFIX"],
            "PORTAL_INSTANCE_DIR": app.config["INSTANCE_DIR"],
        }
    )
    env.update(settings)
    return env


class WorkerProcess:
    """`python -m worker` in a subprocess (its own process group, like a container),
    configured for this test's database, Redis and SMTP server."""

    def __init__(
        self, app, *, redis_url: str, args=("--queue", "messages"), burst=False, smtp_port=None, extra_env=None
    ):
        env = process_env(
            app,
            PORTAL_REDIS_URL=redis_url,
            PORTAL_SMTP_PORT=str(smtp_port or app.config["SMTP_PORT"]),
            PORTAL_SMTP_TIMEOUT=str(app.config["SMTP_TIMEOUT"]),
            PORTAL_GRACE_SECONDS="0",
            PORTAL_RETRY_BASE_SECONDS="0",
            PORTAL_RELAY_REENQUEUE_SECONDS="0",
            **(extra_env or {}),
        )
        argv = [sys.executable, "-m", "worker", *args]
        if burst:
            argv.append("--burst")
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        self.log = tempfile.NamedTemporaryFile(prefix="worker-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(
            argv, env=env, cwd=root, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait(self, timeout: float = 60) -> int:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired as exc:
            self.kill()
            raise AssertionError(f"worker did not finish within {timeout} s:\n{self.output()}") from exc
        return self.proc.returncode

    def output(self) -> str:
        with open(self.log.name, "rb") as fh:
            return fh.read().decode(errors="replace")[-6000:]

    def kill(self) -> None:
        """SIGKILL the worker and every process it forked (RQ puts each job's work horse in
        a process group of its own), as when the machine or container dies."""
        for pid in [*descendants(self.proc.pid), self.proc.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc.poll() is None:
            self.proc.wait(10)

    def pause(self) -> None:
        for pid in [self.proc.pid, *descendants(self.proc.pid)]:
            os.kill(pid, signal.SIGSTOP)

    def resume(self) -> None:
        for pid in [self.proc.pid, *descendants(self.proc.pid)]:
            os.kill(pid, signal.SIGCONT)

    def terminate(self) -> None:
        if self.proc.poll() is None:
            self.resume()
            self.proc.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        try:
            os.unlink(self.log.name)
        except OSError:
            pass


def descendants(pid: int) -> list[int]:
    """Child processes, recursively (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")
