"""A confidential client never reaches a candidate through a recruiter's own words.

Every path where recruiter text reaches candidates (a close explanation, feedback, closing a
search) calls `check`/`ensure_not_named` before it is saved or sent: text that names the client
(or an alias) to a reader not yet told is refused with `ClientNamed`, which names those readers
and carries `redact`'s version. Matching sees through case, accents, width, invisible
characters, spacing and punctuation, and web or email addresses, on word boundaries except
beside scripts written without spaces."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import select

from portal import i18n
from portal.extensions import db
from portal.i18n import gettext as _
from portal.i18n import ngettext
from portal.models import Candidacy, Candidate, Client, Consent, Search
from portal.services import DomainError
from portal.services.text import has_html

DEFAULT_WORDING = "the client"
MAX_ALIASES = 20
MAX_ALIAS = 120
_INVISIBLE = frozenset({"Cf", "Mn", "Me"})  # format characters (zero-width...), combining marks
_NO_SPACE_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI", "LAO", "KHMER", "MYANMAR")
# A run of text that is an address: a URL, an email or a bare domain.
_ADDRESS = re.compile(r"(://|@|^www\.|\w\.[a-z]{2,}\b)", re.IGNORECASE)
_ADDRESS_STOP = set("()<>[]\"'`")
_TRAILING = ".,;:!?"
_ARTICLE_END = re.compile(r"(?<![^\W_])(?:the|a|an)\s+$", re.IGNORECASE)
_ARTICLE_START = re.compile(r"(?:the|a|an)\s+(?=\S)", re.IGNORECASE)


def _fold(text: str) -> tuple[str, list[int]]:
    """The text as matching sees it (casefolded, decomposed, without marks and invisible
    characters), and for each of its characters the index of the original character."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            if ch.isalpha():
                ch = ch.lower()
            out.append(ch)
            where.append(i)
            continue
        for d in unicodedata.normalize("NFKD", ch.casefold()):
            if unicodedata.category(d) in _INVISIBLE:
                continue
            out.append(d)
            where.append(i)
    return "".join(out), where


def _no_space_script(ch: str) -> bool:
    return any(s in unicodedata.name(ch, "") for s in _NO_SPACE_SCRIPTS)


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[\W_]+", _fold(name)[0]) if t]


def usable_name(name: str) -> bool:
    """A name the check can look for: two letters or digits at least (one ideograph)."""
    tokens = _tokens(name)
    letters = "".join(tokens)
    return len(letters) >= 2 or (len(letters) == 1 and _no_space_script(letters))


@lru_cache(maxsize=256)
def _pattern(names: tuple[str, ...]) -> re.Pattern | None:
    parts = []
    for name in sorted(set(names), key=lambda n: -len(n)):
        if not usable_name(name):
            continue
        tokens = _tokens(name)
        body = r"[\W_]*".join(re.escape(t) for t in tokens)
        before = "" if _no_space_script(tokens[0][0]) else r"(?<![^\W_])"
        after = "" if _no_space_script(tokens[-1][-1]) else r"(?![^\W_])"
        parts.append(before + body + after)
    return re.compile("|".join(f"(?:{p})" for p in parts)) if parts else None


def client_names(client: Client) -> list[str]:
    """The client's name and aliases."""
    return [client.name, *client.alias_list]


def _spans(text: str, names) -> list[tuple[int, int, str | None]]:
    """(start, end, kept) in the original text of every place that names the client;
    `kept` is the label of a Markdown link whose address names it (kept, redacted)."""
    pattern = _pattern(tuple(names))
    if pattern is None or not text:
        return []
    folded, where = _fold(text)
    spans = []
    for m in pattern.finditer(folded):
        if m.end() == m.start():
            continue
        start, end = where[m.start()], where[m.end() - 1] + 1
        while end < len(text) and unicodedata.category(text[end]) in _INVISIBLE:
            end += 1
        spans.append(_address_around(text, start, end))
    merged: list[tuple[int, int, str | None]] = []
    for start, end, kept in sorted(spans, key=lambda s: (s[0], -s[1])):
        if merged and start < merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end, None)
        else:
            merged.append((start, end, kept))
    return merged


def _address_around(text: str, start: int, end: int) -> tuple[int, int, str | None]:
    """The whole web or email address a name sits in ("jobs@globex.com"), with its
    Markdown link or autolink around it; else the name."""
    a = start
    while a > 0 and not text[a - 1].isspace() and text[a - 1] not in _ADDRESS_STOP:
        a -= 1
    b = end
    while b < len(text) and not text[b].isspace() and text[b] not in _ADDRESS_STOP:
        b += 1
    while b > end and text[b - 1] in _TRAILING:
        b -= 1
    if (a, b) == (start, end) or not _ADDRESS.search(text[a:b]):
        return start, end, None
    if a > 0 and text[a - 1] == "<" and text[b : b + 1] == ">":
        return a - 1, b + 1, None
    if text[max(a - 2, 0) : a] == "](" and text[b : b + 1] == ")":
        label_start = text.rfind("[", 0, a - 2)
        if label_start != -1 and "\n\n" not in text[label_start:a]:
            return label_start, b + 1, text[label_start + 1 : a - 2]
    return a, b, None


def find_names(text: str, names) -> list[str]:
    """The places in `text` that name the client, as written there (each once, in order)."""
    seen: dict[str, None] = {}
    for start, end, _kept in _spans(text, names):
        seen.setdefault(" ".join(text[start:end].split()), None)
    return list(seen)


def wording(search: Search) -> str:
    return (search.client_wording or "").strip() or DEFAULT_WORDING


def redact(text: str, names, replacement: str = DEFAULT_WORDING, _starts_sentence: bool = True) -> str:
    """The text with every place that names the client replaced (capitalised at the start
    of a sentence)."""
    spans = _spans(text, names)
    if not spans:
        return text
    out, last = [], 0
    for start, end, kept in spans:
        out.append(text[last:start])
        if kept is not None:  # a Markdown link to the client's site: its words, no link
            before = text[:start].rstrip()
            out.append(redact(kept, names, replacement, not before or before[-1] in ".!?"))
        else:
            before = text[:start].rstrip()
            word = replacement
            if _ARTICLE_END.search(text[:start]) and _ARTICLE_START.match(word):
                word = _ARTICLE_START.sub("", word, count=1)  # "the GBX panel": "the client panel"
            if (
                (not before and _starts_sentence)
                or (before and before[-1] in ".!?")
                or "\n\n" in text[len(before) : start]
            ):
                word = word[:1].upper() + word[1:]
            out.append(word)
        last = end
    out.append(text[last:])
    return "".join(out)


def told_ids(candidacy_ids) -> set[int]:
    """Which of these candidacies were told the client's name (one statement)."""
    ids = sorted(set(candidacy_ids))
    if not ids:
        return set()
    return set(db.session.scalars(select(Consent.candidacy_id).where(Consent.candidacy_id.in_(ids)).distinct()))


@dataclass
class Reader:
    candidacy_id: int
    name: str
    told: bool


@dataclass
class Finding:
    """What `check` found: the names in the text, and the readers who were not told."""

    names: list[str] = field(default_factory=list)
    untold: list[Reader] = field(default_factory=list)
    told: list[Reader] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return bool(self.names and self.untold)


def readers(candidacy_ids) -> list[Reader]:
    """The candidates of these candidacies, told or not (two statements)."""
    ids = sorted(set(candidacy_ids))
    if not ids:
        return []
    told = told_ids(ids)
    rows = db.session.execute(
        select(Candidacy.id, Candidate.name)
        .join(Candidate, Candidate.id == Candidacy.candidate_id)
        .where(Candidacy.id.in_(ids))
        .order_by(Candidate.name, Candidacy.id)
    ).all()
    return [Reader(cid, name, cid in told) for cid, name in rows]


def check(search: Search, text: str, candidacy_ids, known: list[Reader] | None = None) -> Finding:
    """The client's names found in `text` and which of its readers (these candidacies of
    the search) may not read them. A search that is not confidential names its client freely."""
    if not search.confidential or not (text or "").strip():
        return Finding()
    names = find_names(text, client_names(search.client))
    if not names:
        return Finding()
    people = known if known is not None else readers(candidacy_ids)
    return Finding(names=names, untold=[r for r in people if not r.told], told=[r for r in people if r.told])


def _list(words: list[str]) -> str:
    """ "a, b and c" in the reader's language (portal.i18n.join)."""
    return i18n.join(words)


def _quoted(names: list[str]) -> str:
    # Translators: a name quoted in a sentence (use your language's quotation marks).
    return _list([_("“%(name)s”", name=n) for n in names])


NAMES_SHOWN = 10


class ClientNamed(DomainError):
    """The text names a confidential client to candidates who were not told."""

    def __init__(self, search: Search, finding: Finding, text: str, what: str | None = None):
        self.finding = finding
        self.original = text
        self.wording = wording(search)
        self.redacted = redact(text, client_names(search.client), self.wording)
        people = [r.name for r in finding.untold]
        shown = people[:NAMES_SHOWN]
        if len(people) > NAMES_SHOWN:
            # Translators: the end of a list of candidates' names: "Ann, Bo and 3 more".
            shown.append(ngettext("%(num)d more", "%(num)d more", len(people) - NAMES_SHOWN))
        super().__init__(
            # Translators: %(what)s is what the recruiter wrote ("This feedback"), %(names)s the client's
            # names found in it, %(people)s the candidates not told; %(wording)s replaces the name.
            ngettext(
                "%(what)s names the confidential client (%(names)s), and %(people)s has not been told who the "
                "client is. Nothing was sent. Remove the name, or use the version without it (“%(wording)s” "
                "instead).",
                "%(what)s names the confidential client (%(names)s), and %(people)s have not been told who the "
                "client is. Nothing was sent. Remove the name, or use the version without it (“%(wording)s” "
                "instead).",
                len(people),
                what=what or _("This text"),
                names=_quoted(finding.names),
                people=_list(shown),
                wording=self.wording,
            )
        )


def ensure_not_named(search: Search, text: str, candidacy_ids, what: str | None = None) -> None:
    """Refuse (ClientNamed) a text that names the confidential client to a reader who was not told."""
    finding = check(search, text, candidacy_ids)
    if finding.refused:
        raise ClientNamed(search, finding, text, what)


def confidential_names_in(text: str) -> list[str]:
    """The names of the firm's confidential clients (a client of any confidential search,
    with its aliases) found in a text every candidate reads (the firm's welcome text, its
    wording of the stages). Two statements at most."""
    if not (text or "").strip():
        return []
    clients = db.session.scalars(
        select(Client).where(Client.id.in_(select(Search.client_id).where(Search.confidential.is_(True))))
    ).all()
    names = [n for c in clients for n in client_names(c)]
    return find_names(text, names) if names else []


def firm_text_refusal(text: str, what: str) -> str | None:
    """The message refusing a firm-wide text that names a confidential client, or None."""
    found = confidential_names_in(text)
    if not found:
        return None
    # Translators: %(what)s is a firm-wide text ("The welcome text"), %(names)s the client's names found in it.
    return _(
        "%(what)s names a confidential client (%(names)s); every candidate reads it, most of them before they are "
        "told who the client is. Write it without the name.",
        what=what,
        names=_quoted(found),
    )


def clean_aliases(raw: str | list[str] | None, client_name: str = "") -> str:
    """The aliases a recruiter typed (one per line, or separated by commas), cleaned and
    de-duplicated, as stored on the client."""
    if isinstance(raw, str):
        items = re.split(r"[\n,;]+", raw)
    else:
        items = list(raw or [])
    out: list[str] = []
    seen = {" ".join(_tokens(client_name))} if client_name else set()
    for item in items:
        item = " ".join(str(item).replace("\x00", "").split())
        if not item:
            continue
        if has_html(item):
            raise DomainError(_("Other names: plain text only, please."))
        if len(item) > MAX_ALIAS:
            raise DomainError(_("Other names: keep each under %(num)d characters.", num=MAX_ALIAS))
        if not usable_name(item):
            raise DomainError(
                _("Other names: “%(name)s” is too short to look for; use at least two letters.", name=item)
            )
        key = " ".join(_tokens(item))
        if key in seen:
            continue
        seen.add(key)
        out.append(item)
    if len(out) > MAX_ALIASES:
        raise DomainError(_("Other names: up to %(num)d, please.", num=MAX_ALIASES))
    return "\n".join(out)


def update_client(firm, actor, client: Client, name: str, aliases: str) -> Client:
    """Rename a client and set its other names."""
    from sqlalchemy import func

    from portal.services.text import clean_line

    name = clean_line(name, "Name", 120, required=True)
    clash = db.session.scalar(select(Client.id).where(func.lower(Client.name) == name.lower(), Client.id != client.id))
    if clash is not None:
        raise DomainError(_("Another client is already called “%(name)s”.", name=name))
    client.name = name
    client.aliases = clean_aliases(aliases, name)
    db.session.flush()
    return client
