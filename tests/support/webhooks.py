"""A real webhook receiver for the tests: a tiny threaded http.server on 127.0.0.1 and a free
port that records every request (headers and body) and answers the status it is told to.
It can be given its port before it starts, so an endpoint can point at a receiver that is
down. Also `make_endpoint`, an endpoint registered through the service, and `deliver`, which
runs the webhook queue (and the relay first when asked), and `new_candidate`, a change that
emits an event."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from portal.devtools.harness import free_port
from portal.extensions import db
from portal.models import User, WebhookEndpoint
from tests.factories import firm_context


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int = field(default_factory=free_port)
    status: int = 200
    requests: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/portal"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                receiver.requests.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def make_endpoint(app, f, url: str, events=("candidate.created",), notes_scope: bool = False) -> WebhookEndpoint:
    from portal.services import webhook_endpoints

    with firm_context(app, f.firm):
        return webhook_endpoints.create_endpoint(
            f.firm, db.session.get(User, f.admin.id), url, None, list(events), notes_scope
        )


def deliver(run_jobs, relay: bool = False) -> int:
    """Run the webhook queue in-process (after the relay, when asked)."""
    from portal.extensions import DEFAULT, WEBHOOKS

    if relay:
        from worker.webhooks import relay_webhooks

        relay_webhooks()
    return run_jobs(queues=(DEFAULT, WEBHOOKS))


def new_candidate(app, f, name="Ada Lovelace", note=None):
    """A talent-pool member added by firm f's recruiter through the service (candidate.created)."""
    from portal.services.candidates import CandidateInput, create_candidate

    with firm_context(app, f.firm):
        data = CandidateInput(name=name, email=f"{name.split()[0].lower()}@example.org", note=note)
        return create_candidate(f.firm, db.session.get(User, f.recruiter.id), data)
