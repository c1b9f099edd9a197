"""Logo upload: only real PNG/JPEG/WebP images, decoded and re-encoded; served per host."""

import io

import pytest
from PIL import Image, PngImagePlugin

from portal.services import branding
from tests.factories import firm_context
from tests.support.admin import (
    admin_client,
    audit_entries,
    image_bytes,
    load_firm,
    logo_bytes,
    noise_png,
    png_claiming,
    upload,
)


def stored_image(app, firm) -> Image.Image:
    data = logo_bytes(app, firm)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


@pytest.mark.parametrize(
    "fmt,mode",
    [
        ("PNG", "RGB"),
        ("PNG", "RGBA"),
        ("PNG", "P"),
        ("JPEG", "RGB"),
        ("JPEG", "CMYK"),
        ("WEBP", "RGB"),
        ("PNG", "L"),
        ("PNG", "I;16"),
    ],
)
def test_real_images_are_accepted_and_stored_as_clean_png(app, firms, client_for, fmt, mode):
    c = admin_client(client_for, firms.a)
    colour = 128 if mode in ("L", "P", "I;16") else ((10, 20, 30, 40) if mode in ("RGBA", "CMYK") else (200, 30, 30))
    resp = upload(c, image_bytes(fmt, mode=mode, colour=colour), filename=f"logo.{fmt.lower()}")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    firm = load_firm(app, firms.a.firm)
    assert firm.logo_mime == "image/png" and firm.logo_version == 1
    img = stored_image(app, firms.a.firm)
    assert img.format == "PNG" and img.size == (120, 80) and img.mode in ("RGB", "RGBA")


def test_metadata_is_stripped_and_large_logos_are_scaled_down(app, firms, client_for):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    c = admin_client(client_for, firms.a)
    assert upload(c, image_bytes("PNG", size=(1600, 800), pnginfo=info)).status_code == 302
    img = stored_image(app, firms.a.firm)
    assert img.size == (512, 256)
    assert b"script" not in logo_bytes(app, firms.a.firm) and "Comment" not in img.info


@pytest.mark.parametrize(
    "data,filename,content_type",
    [
        (b"<!doctype html><html><script>alert(document.cookie)</script></html>", "logo.png", "image/png"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="5"/></svg>',
            "logo.svg",
            "image/svg+xml",
        ),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "logo.png", "image/png"),
        (image_bytes("GIF"), "logo.gif", "image/gif"),
        (image_bytes("BMP"), "logo.png", "image/png"),
        (b"%PDF-1.4 not an image", "logo.png", "image/png"),
    ],
)
def test_files_that_are_not_png_jpeg_or_webp_are_refused(app, firms, client_for, data, filename, content_type):
    c = admin_client(client_for, firms.a)
    resp = upload(c, data, filename, content_type)
    assert resp.status_code == 400
    assert "not a PNG, JPEG or WebP image" in resp.get_data(as_text=True)
    assert logo_bytes(app, firms.a.firm) is None
    assert audit_entries(app, firms.a.firm) == []


def test_html_renamed_png_is_refused_even_by_magic_prefix(app, firms, client_for):
    """A PNG signature followed by HTML is not a PNG either."""
    c = admin_client(client_for, firms.a)
    resp = upload(c, b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>")
    assert resp.status_code == 400
    assert logo_bytes(app, firms.a.firm) is None


def test_oversized_file_is_refused(app, firms, client_for):
    data = noise_png(520)
    assert len(data) > branding.LOGO_MAX_BYTES
    resp = upload(admin_client(client_for, firms.a), data)
    assert resp.status_code == 400
    assert "at most 512 KB" in resp.get_data(as_text=True)
    assert logo_bytes(app, firms.a.firm) is None


@pytest.mark.parametrize("size", [(5000, 100), (100, 4100), (3900, 3900)])
def test_oversized_dimensions_are_refused(app, firms, client_for, size):
    data = image_bytes("PNG", size=size, colour=(255, 255, 255))
    assert len(data) < branding.LOGO_MAX_BYTES
    resp = upload(admin_client(client_for, firms.a), data)
    assert resp.status_code == 400
    assert "too large" in resp.get_data(as_text=True)
    assert logo_bytes(app, firms.a.firm) is None


@pytest.mark.parametrize("side", [20_000, 100_000])
def test_decompression_bombs_are_refused_before_decoding(app, firms, client_for, side):
    resp = upload(admin_client(client_for, firms.a), png_claiming(side, side))
    assert resp.status_code == 400
    assert "too large" in resp.get_data(as_text=True)


def test_bomb_check_does_not_depend_on_our_own_limits(app, monkeypatch):
    """Pillow's own guard (MAX_IMAGE_PIXELS) is turned into the same clear refusal."""
    monkeypatch.setattr(branding, "LOGO_MAX_SIDE", 10**9)
    monkeypatch.setattr(branding, "LOGO_MAX_PIXELS", 10**12)
    with pytest.raises(branding.InvalidSetting, match="too large"):
        branding.clean_logo(png_claiming(200_000, 200_000))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(branding.InvalidSetting, match="too large"):
        branding.clean_logo(image_bytes("PNG", size=(40, 40)))  # > MAX_IMAGE_PIXELS: a warning made an error


def test_truncated_tiny_and_empty_images_are_refused(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    good = image_bytes("PNG", size=(200, 200))
    resp = upload(c, good[: len(good) // 2])
    assert resp.status_code == 400 and "could not be read" in resp.get_data(as_text=True)
    resp = upload(c, image_bytes("PNG", size=(8, 8)))
    assert resp.status_code == 400 and "too small" in resp.get_data(as_text=True)
    resp = upload(c, b"")
    assert resp.status_code == 400
    assert c.post("/admin/logo", data={}).status_code == 400


def test_logo_is_served_on_its_firms_host_only(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    assert upload(c, image_bytes("JPEG", colour=(0, 120, 0))).status_code == 302
    stored = logo_bytes(app, firms.a.firm)
    a = client_for(firms.a.firm).get("/brand/logo?v=1")
    assert a.status_code == 200 and a.mimetype == "image/png" and a.data == stored
    assert a.headers["X-Content-Type-Options"] == "nosniff"
    b = client_for(firms.b.firm).get("/brand/logo")
    assert b.status_code == 200 and b.data != stored  # firm B has no logo: the default one
    assert client_for(firms.b.firm).get("/favicon.ico").data == b.data
    assert client_for(firms.a.firm).get("/favicon.ico").data == stored
    page = client_for(firms.a.firm).get("/login").get_data(as_text=True)
    assert "/brand/logo?v=1" in page and "/favicon.ico?v=1" in page
    [entry] = audit_entries(app, firms.a.firm)
    assert entry.action == "logo.uploaded" and entry.actor_id == firms.a.admin.id
    assert entry.details == {"format": "JPEG", "width": 120, "height": 80, "bytes": len(stored)}


def test_remove_logo(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    upload(c, image_bytes())
    assert c.post("/admin/logo/remove").status_code == 302
    firm = load_firm(app, firms.a.firm)
    assert firm.logo_key is None and firm.logo_mime is None and firm.logo_version == 2
    assert [e.action for e in audit_entries(app, firms.a.firm)] == ["logo.uploaded", "logo.removed"]
    resp = c.post("/admin/logo/remove", follow_redirects=True)
    assert "There is no logo to remove." in resp.get_data(as_text=True)


def test_logo_service_checks_the_bytes_not_the_name(app, firms):
    with firm_context(app, firms.a.firm):
        with pytest.raises(branding.InvalidSetting):
            branding.set_logo(firms.a.firm, None, b"<html></html>")
