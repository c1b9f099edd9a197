"""One input-cleaning rule (Trust item 4): NUL and the other C0 control characters (except
tab, CR, LF) never reach a view, a form or the database, from any query string or form field.

The walk is driven from `app.url_map`, so a new route is covered by default: every rule is
requested as each role (anonymous, candidate, recruiter, admin) with the firm's own ids,
GET with every known query argument full of control characters, and POST with the forms the
pages really show (each field's own value with control characters mixed in, uploaded files
with such names), plus every known field name for POST routes no page shows a form for.
Nothing may answer 5xx. Run on SQLite and on PostgreSQL (which refuses NUL in text: before
the rule, a NUL in the login email or the search box was a 500 there).
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

from flask import got_request_exception
from werkzeug.routing import IntegerConverter

from portal.web.inputs import CONTROL, clean
from tests.core.test_tenancy import ID_ARGS, NON_ID_INT_ARGS, _graph
from tests.support.fixtures.clients import login_as

CONTROLS = "\x00\x01\x08\x0b\x0c\x1b\x1f"
# Query arguments the views read directly (request.args.get), besides the GET forms' fields.
QUERY_ARGS = {"page", "next", "after", "before", "state", "scope", "show", "q"}
# (/healthz answers 503 by design when a dependency it checks is not there: not a crash.)
# Requests that end the client's session or account: sent last for each role.
LAST = ("auth.logout", "candidate.delete_account", "auth.end_other_sessions", "auth.end_session")
TEXT_INPUTS = {
    "",
    "text",
    "email",
    "search",
    "url",
    "tel",
    "password",
    "hidden",
    "number",
    "date",
    "datetime-local",
    "time",
    "month",
    "week",
    "color",
}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a00000000049454e44ae426082"
)
# What an empty field gets, by input type, so that a required field does not stop the form
# before its values reach the services and the database.
FILL = {
    "": "Walk text",
    "text": "Walk text",
    "search": "walk",
    "email": "walker@example.com",
    "tel": "+44 20 7946 0000",
    "url": "https://example.com/walk",
    "number": "1",
    "date": "2027-01-15",
    "password": "a long walk password 123",
}
CSV = b"name,email,phone\nAda\x00 Lovelace,ada\x00@example.com,0123\x1f\n"


def dirty(value: str) -> str:
    """`value` with control characters mixed in; the cleaning rule gives `value` back."""
    return CONTROLS[:3] + value[:1] + CONTROLS + value[1:] + "\x00"


class Forms(HTMLParser):
    """The forms of a page: action, method, fields (name, type, value), files, buttons."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = {
                "action": a.get("action", ""),
                "method": a.get("method", "get").lower(),
                "fields": [],
                "files": [],
                "buttons": [],
                "selects": {},
            }
            self.forms.append(self._form)
        if self._form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in TEXT_INPUTS:
                self._form["fields"].append((name, a.get("value", "") or FILL.get(kind, "")))
            elif kind in ("checkbox", "radio") and ("checked" in a or kind == "checkbox"):
                if kind == "radio" and any(n == name for n, _ in self._form["fields"]):
                    return
                self._form["fields"].append((name, a.get("value", "on")))
            elif kind == "file":
                self._form["files"].append((name, a.get("accept", "")))
            elif kind == "submit":
                self._form["buttons"].append((name, a.get("value", "")))
        elif tag == "button" and name:
            self._form["buttons"].append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            self._form["fields"].append((name, ""))
            self._filled = False
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            value = a.get("value", "")
            sel = self._form["selects"]
            if self._select not in sel or "selected" in a:
                sel[self._select] = value

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            name, value = self._form["fields"][-1]
            self._form["fields"][-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea and self._form is not None:
            name, value = self._form["fields"][-1]
            self._form["fields"][-1] = (name, value or FILL["text"])
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            self._form["fields"] += list(self._form.pop("selects").items())
            self._form = None


def _forms(html: str) -> list[dict]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


def _path(rule, ids) -> str:
    values = {}
    for name, conv in rule._converters.items():
        if isinstance(conv, IntegerConverter):
            values[name] = NON_ID_INT_ARGS[name] if name in NON_ID_INT_ARGS else ids[ID_ARGS[name]]
        else:
            values[name] = "some-token"
    return rule.build(values, append_unknown=False)[1]


def _file(accept: str, filename: str):
    if "image" in accept or "png" in accept:
        return (io.BytesIO(PNG), dirty(filename + ".png"), "image/png")
    if "csv" in accept:
        return (io.BytesIO(CSV), dirty(filename + ".csv"), "text/csv")
    return (io.BytesIO(PDF), dirty(filename + ".pdf"), "application/pdf")


def walk(app, client_for, firms) -> tuple[list[str], int]:
    """Every rule, as every role, with control characters everywhere: the 5xx answers."""
    ids = _graph(app, firms.a)
    problems: list[str] = []
    errors: list[str] = []

    def record(sender, exception, **extra):
        errors.append(f"{type(exception).__name__}: {str(exception)[:300]}")

    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 answer to count (restored by _clean)
    got_request_exception.connect(record, app)
    sent = 0
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    rules.sort(key=lambda r: (r.endpoint in LAST, r.rule))
    try:
        for role in ("anonymous", "candidate_user", "recruiter", "admin"):
            client = client_for(firms.a.firm)
            if role != "anonymous":
                login_as(client, getattr(firms.a, role))

            def send(method, url, role=role, client=client, **kw):
                nonlocal sent
                sent += 1
                try:
                    resp = client.open(url, method=method, **kw)
                except Exception as exc:  # noqa: BLE001 - even the error page failed: a 5xx
                    problems.append(f"{role} {method} {url[:120]!r}: raised {type(exc).__name__}: {str(exc)[:200]}")
                    return None
                if resp.status_code >= 500 and not (url.startswith("/healthz") and resp.status_code == 503):
                    problems.append(f"{role} {method} {url[:120]!r}: {resp.status_code} {errors[-1:]}")
                return resp

            seen_forms: dict[str, list[dict]] = {}
            query_names = set(QUERY_ARGS)
            # GET every page, plain (to read its forms) and with control characters in the query.
            for rule in rules:
                if "GET" not in rule.methods:
                    continue
                path = _path(rule, ids)
                resp = send("GET", path)
                if resp is not None and resp.mimetype == "text/html":
                    for form in _forms(resp.get_data(as_text=True)):
                        action = urlsplit(form["action"]).path or path
                        seen_forms.setdefault(action, []).append(form)
                        if form["method"] == "get":
                            query_names.update(n for n, _ in form["fields"])
            for rule in rules:
                if "GET" not in rule.methods:
                    continue
                path = _path(rule, ids)
                url = f"{path}?{urlencode({name: dirty('1') for name in sorted(query_names)})}"
                send("GET", url)
            # POST the forms the pages show, every value dirtied, then every POST route.
            all_names = {n for forms in seen_forms.values() for f in forms for n, _ in f["fields"]}
            for rule in rules:
                if "POST" not in rule.methods:
                    continue
                path = _path(rule, ids)
                forms = [f for f in seen_forms.get(path, []) if f["method"] == "post"]
                for form in forms:
                    for button in form["buttons"][:1] or [None]:
                        data: dict = {}
                        for name, value in form["fields"]:
                            data.setdefault(name, []).append(dirty(value))
                        if button and button[0]:
                            data[button[0]] = [dirty(button[1])]
                        for name, accept in form["files"]:
                            data[name] = _file(accept, "my file")
                        action = form["action"] or path
                        send("POST", action, data=data, content_type="multipart/form-data" if form["files"] else None)
                send("POST", path, data={name: dirty("1") for name in sorted(all_names)})
    finally:
        got_request_exception.disconnect(record, app)
    return problems, sent


def test_no_route_answers_5xx_to_control_characters_in_any_input(app, client_for, firms):
    problems, sent = walk(app, client_for, firms)
    assert sent > 400  # every route, every role: the walk really ran
    assert problems == [], "\n".join(problems)


def test_the_rule_drops_controls_and_keeps_tab_cr_lf(app):
    assert clean("a\x00b\x01c\x08d\x0be\x0cf\x1bg\x1fh") == "abcdefgh"
    assert clean("line 1\r\nline 2\tcolumn") == "line 1\r\nline 2\tcolumn"
    assert clean("zoë — 👍\x7f") == "zoë — 👍\x7f"  # not C0: kept
    with app.test_request_context(
        "/x?q=a%00b%1F&q=%0Bc&k%00ey=v",
        method="POST",
        data={"note": "one\x00\r\ntwo\x1b", "cv": (io.BytesIO(PDF), "c\x00v.pdf")},
    ):
        from flask import request

        assert request.args.getlist("q") == ["ab", "c"] and request.args["key"] == "v"
        assert request.form["note"] == "one\r\ntwo" and request.values["note"] == "one\r\ntwo"
        assert request.files["cv"].filename == "cv.pdf"
    with app.test_request_context(
        "/x", method="POST", data={"email": "ada\x00@example.com"}, content_type="application/x-www-form-urlencoded"
    ):
        from flask import request

        assert request.form["email"] == "ada@example.com"
        assert not any(CONTROL.search(v) for v in request.form.values())


def test_a_nul_in_the_login_email_and_the_search_box_is_an_answer_not_a_crash(app, client_for, firms, auth):
    """The cases from the issue (a 500 on PostgreSQL before the rule)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = client_for(firms.a.firm)
    resp = auth(client).login("nobody\x00@alpha.example", "whatever-it-is")
    assert resp.status_code == 400 and b"do not match" in resp.data
    login_as(client, firms.a.recruiter)
    for url in ("/recruiter/candidates?q=ada%00", "/recruiter/searches?q=%00role", "/recruiter/messages?state=%00"):
        assert client.get(url).status_code == 200, url
    # The cleaned value is what is stored: a note with a NUL is saved without it.
    resp = client.post(
        f"/recruiter/candidates/{firms.a.candidate.id}/notes",
        data={"note": "Called\x00 back\x1b today", "body": "Called\x00 back\x1b today"},
    )
    assert resp.status_code in (302, 303), resp.status_code
    assert re.search(
        r"Called back today", client.get(f"/recruiter/candidates/{firms.a.candidate.id}").get_data(as_text=True)
    )
