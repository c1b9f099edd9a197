"""A real DNS server on loopback for the tests: answers TXT queries over UDP from a table
the test fills in (NXDOMAIN otherwise); names in `silent` get no answer (a timeout).
Its fixtures are in tests/support/fixtures/dns.py."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset


@dataclass
class DnsServer:
    host: str = "127.0.0.1"
    port: int = 0
    txt: dict[str, list[str]] = field(default_factory=dict)
    silent: set[str] = field(default_factory=set)
    queries: list[str] = field(default_factory=list)
    _sock: socket.socket | None = None
    _thread: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self) -> DnsServer:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind((self.host, self.port))
        self._sock.settimeout(0.1)
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name="test-dns", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)
        if self._sock is not None:
            self._sock.close()

    def publish(self, name: str, *values: str) -> None:
        self.txt[name.lower().rstrip(".")] = list(values)

    def clear(self) -> None:
        self.txt.clear()
        self.silent.clear()
        self.queries.clear()

    def _serve(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                data, peer = self._sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                reply = self._answer(dns.message.from_wire(data))
            except Exception:  # noqa: BLE001 - a malformed query gets no answer
                continue
            if reply is not None:
                self._sock.sendto(reply.to_wire(), peer)

    def _answer(self, query: dns.message.Message) -> dns.message.Message | None:
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True).lower()
        self.queries.append(name)
        if name in self.silent:
            return None
        values = self.txt.get(name)
        if values is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
        elif question.rdtype == dns.rdatatype.TXT:
            quoted = ['"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values]
            response.answer.append(dns.rrset.from_text(question.name, 60, "IN", "TXT", *quoted))
        return response


def publish_proof(app, dns_server: DnsServer, firm, domain: str) -> None:
    """Publish, in the test DNS, the TXT record that proves `firm` controls `domain`."""
    from sqlalchemy import select

    from portal.models import FirmDomain
    from portal.services.domains import record_for
    from tests.factories import firm_context

    with firm_context(app, firm) as s:
        row = s.scalar(select(FirmDomain).where(FirmDomain.domain == domain))
        rec = record_for(row)
    dns_server.publish(rec.name, rec.value)


def verified_domain(app, dns_server: DnsServer, firm, domain: str):
    """Add `domain` to `firm`, prove it in DNS and verify it (the real path); returns its id."""
    from portal.models import Firm
    from portal.services import branding
    from tests.factories import firm_context

    with firm_context(app, firm) as s:
        row_id = branding.add_domain(s.get(Firm, firm.id), None, domain).id
    publish_proof(app, dns_server, firm, domain)
    with firm_context(app, firm) as s:
        row = branding.verify_domain(s.get(Firm, firm.id), None, row_id)
        assert row.verified_at is not None, row.last_check_error
    return row_id
