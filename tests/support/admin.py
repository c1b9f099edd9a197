"""Helpers for the firm-administration tests: admin clients, image bytes, uploads, audit rows."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image
from sqlalchemy import select

from portal.models import AuditEntry, Client, Firm, Search
from tests.factories import firm_context
from tests.support.fixtures.clients import login_as


def admin_client(client_for, ns):
    """A client on the firm's host, signed in as that firm's admin."""
    c = client_for(ns.firm)
    login_as(c, ns.admin)
    return c


def image_bytes(fmt: str = "PNG", size=(120, 80), colour=(200, 30, 30), mode: str = "RGB", **save) -> bytes:
    img = Image.new(mode, size, colour)
    out = io.BytesIO()
    img.save(out, format=fmt, **save)
    return out.getvalue()


def noise_png(side: int) -> bytes:
    """A PNG that does not compress (random pixels): big in bytes for its size."""
    import os

    img = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny, well-formed PNG header declaring huge dimensions (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def upload(client, data: bytes, filename: str = "logo.png", content_type: str = "image/png"):
    return client.post(
        "/admin/logo", data={"logo": (io.BytesIO(data), filename, content_type)}, content_type="multipart/form-data"
    )


def load_firm(app, firm) -> Firm:
    with firm_context(app) as s:
        f = s.get(Firm, firm.id)
        s.refresh(f)
        return f


def logo_bytes(app, firm) -> bytes | None:
    """The firm's stored logo (from the file storage), or None."""
    from portal.services import branding

    with firm_context(app, firm) as s:
        return branding.logo_file(s.get(Firm, firm.id))


def audit_entries(app, firm) -> list[AuditEntry]:
    with firm_context(app, firm) as s:
        return list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def make_search(app, firm, owner, title="Role") -> Search:
    with firm_context(app, firm) as s:
        client = s.scalar(select(Client).where(Client.name == "Client Co"))
        if client is None:
            client = Client(firm_id=firm.id, name="Client Co")
            s.add(client)
            s.flush()
        search = Search(firm_id=firm.id, client_id=client.id, owner_id=owner.id if owner else None, title=title)
        s.add(search)
        s.flush()
        return search
