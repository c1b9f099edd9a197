"""Working on a translation: list what a catalog still lacks, fill it from a JSON file.

    python -m portal.devtools.catalog todo de [--limit 200] [--staff] [--skip DIR]  # what is missing
    python -m portal.devtools.catalog fill de answers.json               # write translations in
    python -m portal.devtools.catalog check de answers.json              # what fill would refuse
    python -m portal.devtools.catalog stats                             # how complete each one is

`todo` lists untranslated or fuzzy entries, candidate-facing ones first (--staff: only the
staff pages' ones), each with its msgid, plural, the translators' comments and where it is
used. `fill` takes a JSON object {msgid: translation} (a list of forms for a plural entry),
checks that each translation keeps the msgid's format fields (%(name)s), and writes the catalog; then
`make catalogs` compiles it. The README's "Adding a language" uses these.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys

from babel.messages.pofile import read_po, write_po

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TRANSLATIONS = os.path.join(ROOT, "portal", "translations")
FORMAT_FIELD = re.compile(r"%\((\w+)\)[sdif]|\{\{\s*(\w+)\s*\}\}|\{(\w+)\}")
# Where a candidate (or a visitor, or an email's reader) reads a message. Anything else is the
# staff pages' only (portal/templates/recruiter, admin, api, dev; portal/recruiter, admin, api).
STAFF_ONLY = (
    "portal/templates/recruiter/",
    "portal/templates/admin/",
    "portal/templates/api/",
    "portal/templates/dev/",
    "portal/templates/bench/",
    "portal/recruiter/",
    "portal/admin/",
    "portal/api/",
    "portal/devtools/",
    "portal/cli.py",
    "bench/",
)


def is_candidate_facing(locations) -> bool:
    """A message is candidate-facing when any place that uses it is not a staff-only one."""
    return any(not str(path).startswith(STAFF_ONLY) for path, _line in locations) if locations else True


def po_path(lang: str) -> str:
    return os.path.join(TRANSLATIONS, lang, "LC_MESSAGES", "messages.po")


def load(lang: str):
    with open(po_path(lang), "rb") as fh:
        return read_po(fh, locale=lang)


def save(lang: str, catalog) -> None:
    with open(po_path(lang), "wb") as fh:
        write_po(fh, catalog, width=100)


def missing(message) -> bool:
    if not message.id:
        return False
    if message.fuzzy:
        return True
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return not all(strings)


def format_fields(text: str) -> set[str]:
    return {next(g for g in m.groups() if g) for m in FORMAT_FIELD.finditer(text or "")}


def answered(folder: str | None) -> set[str]:
    """The msgids already answered in the JSON files of `folder` (a translator's work so far)."""
    done: set[str] = set()
    if folder and os.path.isdir(folder):
        for name in sorted(os.listdir(folder)):
            if name.endswith(".json"):
                with open(os.path.join(folder, name), encoding="utf-8") as fh:
                    try:
                        done |= set(json.load(fh))
                    except ValueError:
                        continue
    return done


def todo(lang: str, limit: int, staff: bool, skip: str | None = None) -> list[dict]:
    catalog = load(lang)
    done = answered(skip)
    entries = [m for m in catalog if missing(m) and (m.id if isinstance(m.id, str) else m.id[0]) not in done]
    entries = [m for m in entries if is_candidate_facing(m.locations) != staff]
    out = []
    for m in entries[:limit]:
        msgid, plural = (m.id if isinstance(m.id, str) else m.id[0]), (None if isinstance(m.id, str) else m.id[1])
        item = {"msgid": msgid}
        if plural:
            item["plural"] = plural
            item["forms"] = catalog.num_plurals
        if m.auto_comments:
            item["note"] = " ".join(m.auto_comments)
        item["where"] = sorted({p for p, _ in m.locations})[:3]
        out.append(item)
    return out


def fill(lang: str, answers: dict, write: bool = True) -> tuple[int, list[str]]:
    catalog = load(lang)
    done, problems = 0, []
    for m in catalog:
        if not m.id:
            continue
        key = m.id if isinstance(m.id, str) else m.id[0]
        if key not in answers:
            continue
        value = answers[key]
        wanted = format_fields(key) | (format_fields(m.id[1]) if not isinstance(m.id, str) else set())
        forms = value if isinstance(value, list) else [value]
        if not isinstance(m.id, str):
            if len(forms) != catalog.num_plurals:
                problems.append(f"{key!r}: {catalog.num_plurals} plural forms needed, {len(forms)} given")
                continue
        bad = [f for f in forms if not format_fields(f) <= wanted or not str(f).strip()]
        if not isinstance(m.id, str) and not format_fields(forms[0]) <= format_fields(m.id[0]):
            bad.append(forms[0])  # pybabel compile reads the first form against the singular msgid
        if bad:
            problems.append(f"{key!r}: format fields or text wrong in {bad!r}")
            continue
        if isinstance(m.id, str):
            if not (format_fields(forms[0]) >= format_fields(key)):
                problems.append(f"{key!r}: a format field of the msgid is missing in {forms[0]!r}")
                continue
            m.string = forms[0]
        else:
            m.string = tuple(forms)
        m.flags.discard("fuzzy")
        done += 1
    if write:
        save(lang, catalog)
    return done, problems


def stats() -> None:
    for lang in sorted(os.listdir(TRANSLATIONS)):
        if not os.path.isfile(po_path(lang)):
            continue
        catalog = load(lang)
        cand = [m for m in catalog if m.id and is_candidate_facing(m.locations)]
        staff = [m for m in catalog if m.id and not is_candidate_facing(m.locations)]
        print(
            f"{lang}: candidate-facing {sum(not missing(m) for m in cand)}/{len(cand)}, "
            f"staff {sum(not missing(m) for m in staff)}/{len(staff)}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal.devtools.catalog")
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("todo")
    t.add_argument("lang")
    t.add_argument("--limit", type=int, default=200)
    t.add_argument("--staff", action="store_true")
    t.add_argument("--skip", help="a folder of JSON answers: leave out what they answer already")
    f = sub.add_parser("fill")
    f.add_argument("lang")
    f.add_argument("answers")
    c = sub.add_parser("check", help="like fill, but only says what it would refuse")
    c.add_argument("lang")
    c.add_argument("answers")
    sub.add_parser("stats")
    args = parser.parse_args(argv)
    if args.command == "todo":
        json.dump(todo(args.lang, args.limit, args.staff, args.skip), sys.stdout, ensure_ascii=False, indent=1)
        print()
    elif args.command in ("fill", "check"):
        with open(args.answers, encoding="utf-8") as fh:
            answers = json.load(fh)
        done, problems = fill(args.lang, answers, write=args.command == "fill")
        print(f"{done} filled")
        for p in problems:
            print("refused:", p)
        return 1 if problems else 0
    else:
        stats()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
