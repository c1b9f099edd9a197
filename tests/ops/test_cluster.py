"""The production shape on one machine: two gunicorn web servers, RQ workers and two schedulers
on PostgreSQL and Redis. A CV uploaded through server A downloads from server B; an account
deleted on B leaves no file in the storage; a scheduler and a worker killed mid-run lose
nothing and double nothing: every message of the run is delivered exactly once."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter

import pytest
import requests
from sqlalchemy import select

from portal.devtools.harness import free_port
from portal.models import Candidacy, Message, MessageState, Stage
from tests.factories import PASSWORD, firm_context
from tests.support.candidate import PDF_BYTES
from tests.support.recruiter import add, make_search, people
from tests.support.services import SmtpSink
from tests.support.storage import stored
from tests.support.worker import WorkerProcess, process_env, wait_until

pytestmark = pytest.mark.skipif(
    not os.environ.get("PORTAL_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="PostgreSQL only: several servers write at once (SQLite has one writer)",
)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN = 24  # messages written during the run
LEASE_SECONDS = 20


class WebServer:
    """gunicorn with Portal's settings, two workers, on a free loopback port."""

    def __init__(self, app, redis_url: str, smtp_port: int):
        self.port = free_port()
        env = process_env(
            app,
            PORTAL_REDIS_URL=redis_url,
            PORTAL_SMTP_PORT=str(smtp_port),
            WEB_CONCURRENCY="2",
            PORTAL_GRACE_SECONDS="0",
        )
        env["PORTAL_BIND"] = f"127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:portal.web.gunicorn_conf", "portal:create_app()"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/readyz", timeout=10).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise AssertionError(f"gunicorn on {self.port} never became ready")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Browser:
    """A person's session that may be served by either web server (same cookies, any host)."""

    def __init__(self, firm):
        self.session = requests.Session()
        self.host = f"{firm.slug}.localhost"

    def _csrf(self, server: WebServer, path: str) -> str:
        page = self.session.get(f"{server.url}{path}", headers={"Host": self.host}, timeout=30).text
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def post(self, server: WebServer, form_path: str, action: str, data: dict, files=None):
        data = {**data, "csrf_token": self._csrf(server, form_path)}
        return self.session.post(
            f"{server.url}{action}", data=data, files=files, headers={"Host": self.host}, timeout=30
        )

    def get(self, server: WebServer, path: str):
        return self.session.get(f"{server.url}{path}", headers={"Host": self.host}, timeout=30)

    def login(self, server: WebServer, email: str) -> None:
        resp = self.post(server, "/login", "/login", {"email": email, "password": PASSWORD}, None)
        assert resp.status_code == 200 and "/login" not in resp.url, resp.url


@pytest.fixture
def cluster(app, private_redis):
    sink = SmtpSink().start()
    started: list = []
    saved_grace = app.config["GRACE_SECONDS"]
    app.config["GRACE_SECONDS"] = 0
    yield sink, started
    for proc in started:
        proc.stop()
    sink.stop()
    app.config["GRACE_SECONDS"] = saved_grace


def test_two_servers_workers_and_schedulers_share_files_and_deliver_each_message_once(
    app, firms, private_redis, cluster
):
    sink, started = cluster
    f = firms.a
    a, b = WebServer(app, private_redis.url, sink.port), WebServer(app, private_redis.url, sink.port)
    started += [a, b]
    # A send cut off by the kill is recovered by the relay once its lease passes (600 s in
    # production, LEASE_SECONDS here so the test sees it).
    lease = {"PORTAL_SENDING_LEASE_SECONDS": str(LEASE_SECONDS)}
    scheduler_env = {"PORTAL_SCHEDULER_LOCK_SECONDS": "35", **lease}
    schedulers = [
        WorkerProcess(app, redis_url=private_redis.url, args=("--scheduler",), extra_env=scheduler_env)
        for _ in range(2)
    ]
    workers = [
        WorkerProcess(app, redis_url=private_redis.url, args=args, smtp_port=sink.port, extra_env=lease)
        for args in (("--queue", "messages"), ("--queue", "messages"), ("--queue", "default"))
    ]
    started += schedulers + workers
    a.wait_ready()
    b.wait_ready()

    # A CV uploaded through server A is downloaded from server B.
    recruiter = Browser(f.firm)
    recruiter.login(a, f.recruiter.email)
    candidate_id = f.candidate.id
    resp = recruiter.post(
        a,
        f"/recruiter/candidates/{candidate_id}",
        f"/recruiter/candidates/{candidate_id}/cv/upload",
        {},
        files={"cv": ("cluster.pdf", PDF_BYTES, "application/pdf")},
    )
    assert resp.status_code == 200
    download = recruiter.get(b, f"/recruiter/candidates/{candidate_id}/cv")
    assert download.status_code == 200 and download.content == PDF_BYTES
    with firm_context(app, f.firm) as s:
        from portal.models import Candidate

        cv_key = s.get(Candidate, candidate_id).cv_path

    # A run of messages; a scheduler and a worker are killed while it is delivered.
    search = make_search(app, f)
    for person in people(app, f, RUN):
        add(app, f, search, person, Stage.CONTACTED, actor=f.recruiter)
    with firm_context(app, f.firm) as s:
        in_search = select(Candidacy.id).where(Candidacy.search_id == search.id)
        ids = set(s.scalars(select(Message.id).where(Message.candidacy_id.in_(in_search))))
    assert len(ids) == RUN
    wait_until(lambda: len(sink.messages) >= 3, 120, what="the first deliveries")
    workers[0].kill()
    schedulers[0].kill()  # the one that started first, which most likely holds the lock

    def in_state(state: MessageState) -> set[int]:
        with firm_context(app, f.firm) as s:
            return set(s.scalars(select(Message.id).where(Message.id.in_(ids), Message.state == state)))

    # What the killed worker held: the only messages that may reach the sink twice (when the
    # kill fell between the mail server's "250" and the recorded outcome), with one Message-ID.
    in_flight = in_state(MessageState.SENDING)

    def delivered() -> int:
        return len(in_state(MessageState.SENT))

    wait_until(lambda: delivered() == RUN, 240, interval=1, what="every message of the run delivered")
    time.sleep(3)  # anything sent twice would arrive now
    per_message: Counter = Counter()
    for received in list(sink.messages):
        found = re.match(r"<portal\.(\d+)\.(\d+)@", str(received.email["Message-ID"]))
        if found and int(found.group(1)) == f.firm.id and int(found.group(2)) in ids:
            per_message[int(found.group(2))] += 1
    assert set(per_message) == ids, per_message
    twice = {mid for mid, copies in per_message.items() if copies > 1}
    assert twice <= in_flight and set(per_message.values()) <= {1, 2}, (per_message, in_flight)

    # The candidate deletes their account on server B: the CV is gone from the storage.
    assert stored(app, f.firm, cv_key)
    person = Browser(f.firm)
    person.login(b, f.candidate_user.email)
    resp = person.post(b, "/me/settings", "/me/settings/delete", {"password": PASSWORD, "confirm": "y"})
    assert resp.status_code == 200 and "Your account is deleted" in resp.text
    assert not stored(app, f.firm, cv_key)
