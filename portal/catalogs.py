"""The compiled translation catalogs (.mo) Flask-Babel reads, made from the shipped .po files
when an installation did not run `make catalogs` (portal/i18n.py init_app)."""

from __future__ import annotations

import os

SHIPPED_CATALOGS = os.path.join(os.path.dirname(__file__), "translations")


def compiled_catalogs(source: str, spare: str) -> str:
    """The folder of compiled catalogs (.mo) for the translations in `source` (.po).

    `make catalogs` compiles them; an installation that skipped it (pip install of a checkout,
    a .po edited since) is compiled here, at start-up, into `source` when it is writable, else
    into `spare` (the instance folder). Each file is written whole (a temporary file, then a
    rename), so several processes starting at once never read half a catalog."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    langs = (
        [d for d in sorted(os.listdir(source)) if os.path.isfile(os.path.join(source, d, "LC_MESSAGES", "messages.po"))]
        if os.path.isdir(source)
        else []
    )

    def stale(folder: str, lang: str) -> bool:
        po = os.path.join(source, lang, "LC_MESSAGES", "messages.po")
        mo = os.path.join(folder, lang, "LC_MESSAGES", "messages.mo")
        return not os.path.exists(mo) or os.path.getmtime(mo) < os.path.getmtime(po)

    if not any(stale(source, lang) for lang in langs):
        return source
    target = source if os.access(source, os.W_OK) else spare
    for lang in langs:
        if not stale(target, lang):
            continue
        out_dir = os.path.join(target, lang, "LC_MESSAGES")
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(source, lang, "LC_MESSAGES", "messages.po"), "rb") as fh:
            catalog = read_po(fh, locale=lang)
        tmp = os.path.join(out_dir, f".messages.{os.getpid()}.mo")
        with open(tmp, "wb") as fh:
            write_mo(fh, catalog)
        os.replace(tmp, os.path.join(out_dir, "messages.mo"))
    return target
