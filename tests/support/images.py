"""Images for upload tests, made with Pillow: real photos, photos with EXIF, and hostile files."""

from __future__ import annotations

import io
import zlib

from PIL import Image


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (400, 300), colour=(200, 40, 40), exif=None) -> bytes:
    out = io.BytesIO()
    img = Image.new("RGB", size, colour)
    if exif is not None:
        img.save(out, format=fmt, exif=exif)
    else:
        img.save(out, format=fmt)
    return out.getvalue()


def jpeg_with_exif() -> bytes:
    """A JPEG whose EXIF names the camera and says where it was taken."""
    exif = Image.Exif()
    exif[0x010F] = "SecretCamMaker"  # Make
    exif[0x0131] = "LeakySoftware 1.0"  # Software
    exif[0x0112] = 6  # Orientation: rotated
    return image_bytes("JPEG", (400, 300), exif=exif.tobytes())


def png_bomb(side: int = 30000) -> bytes:
    """A tiny PNG that claims side x side pixels (a decompression bomb)."""
    import struct

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    row = b"\x00" + b"\x00" * (side * 3)
    idat = zlib.compress(row * 4, 9)  # far fewer rows than claimed
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
GIF_HTML = b"GIF89a<script>alert(1)</script>"  # a GIF header in front of a script
