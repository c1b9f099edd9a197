"""A reset request takes the same time for known and unknown addresses (Trust item 4).

The request is answered no sooner than RESET_MIN_SECONDS after its work starts. Tested with
a clock the test controls, so nothing depends on how busy the machine is: the clock moves
50 ms for every SQL statement the request runs (the known address's path runs more: the
token, the outbox message) and by whatever the view sleeps. Both paths must end at the
same reading. On the old code the known address's request read 0.35 s, the unknown 0.10 s
(7 statements against 2).
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import event, func, select

from portal.extensions import db
from portal.models import Message
from portal.tenancy import all_firms

STATEMENT_MS = 50


class FakeClock:
    """time.monotonic/time.sleep for the view: moved by SQL statements and by sleeping."""

    def __init__(self):
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def statement(self, *args, **kwargs) -> None:
        self.now += STATEMENT_MS / 1000


@pytest.fixture
def clock(app, monkeypatch):
    import portal.auth.views as views

    fake = FakeClock()
    # raising=False: the clock is also installed on code that never reads one (the old view).
    monkeypatch.setattr(views, "time", fake, raising=False)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", fake.statement)
    yield fake
    event.remove(engine, "before_cursor_execute", fake.statement)


def _reset_takes(client, clock, email: str) -> float:
    start = clock.now
    resp = client.post("/reset", data={"email": email})
    assert resp.status_code == 302
    return round(clock.now - start, 6)


def test_known_and_unknown_addresses_take_the_same_time(app, client_for, firms, clock):
    app.config["RESET_MIN_SECONDS"] = 1.0
    client = client_for(firms.a.firm)
    client.get("/login")  # the process's first request to this host also looks its firm up (then cached)
    known = _reset_takes(client, clock, firms.a.candidate.email)
    with app.app_context(), all_firms():
        assert db.session.scalar(select(func.count(Message.id)).where(Message.kind == "password_reset")) == 1
    unknown = _reset_takes(client, clock, "nobody-here@alpha.example")
    known_again = _reset_takes(client, clock, firms.a.recruiter.email)
    assert known == unknown == known_again, (known, unknown, known_again)
    # The known path really did more work, and the view waited it out.
    assert len(clock.slept) == 3 and clock.slept[0] < clock.slept[1]


def test_the_wait_is_real_and_a_slow_request_is_not_cut_short(app, client_for, firms, caplog):
    app.config["RESET_MIN_SECONDS"] = 0.3
    client = client_for(firms.a.firm)
    for email in (firms.a.candidate.email, "nobody-here@alpha.example"):
        start = time.monotonic()
        assert client.post("/reset", data={"email": email}).status_code == 302
        assert time.monotonic() - start >= 0.3, email
    # A minimum shorter than the work: answered at once, with a warning for the operator.
    app.config["RESET_MIN_SECONDS"] = 0.000001
    with caplog.at_level("WARNING", logger="portal.auth.views"):
        assert client.post("/reset", data={"email": firms.a.candidate.email}).status_code == 302
    assert "PORTAL_RESET_MIN_SECONDS" in caplog.text
