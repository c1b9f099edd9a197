"""Read a page's HTML the way assistive technology does: ids, which control each label names,
which form each control belongs to, what aria-describedby points at (stdlib parser only)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

CONTROLS = {"input", "select", "textarea", "button"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    form_action: str | None = None
    text: str = ""


@dataclass
class Page:
    elements: list[Element] = field(default_factory=list)
    labels: list[Element] = field(default_factory=list)

    @property
    def ids(self) -> Counter:
        return Counter(e.attrs["id"] for e in self.elements if e.attrs.get("id"))

    def duplicate_ids(self) -> list[str]:
        return sorted(i for i, n in self.ids.items() if n > 1)

    def by_id(self, element_id: str) -> list[Element]:
        return [e for e in self.elements if e.attrs.get("id") == element_id]

    def label(self, text: str) -> Element:
        (found,) = [lb for lb in self.labels if lb.text.strip().startswith(text)]
        return found

    def control_for(self, label: Element) -> Element:
        """The one element the label's `for` names (fails if none or several)."""
        (target,) = self.by_id(label.attrs["for"])
        return target

    def missing_references(self) -> list[str]:
        """aria-describedby / aria-labelledby ids that are not on the page."""
        ids = self.ids
        out = []
        for e in self.elements:
            for attr in ("aria-describedby", "aria-labelledby"):
                for ref in (e.attrs.get(attr) or "").split():
                    if ref not in ids:
                        out.append(f"{e.tag}#{e.attrs.get('id')} {attr} -> {ref}")
        return out


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.form_action: str | None = None
        self.open_labels: list[Element] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        el = Element(tag, a, self.form_action if tag in CONTROLS else None)
        self.page.elements.append(el)
        if tag == "form":
            self.form_action = a.get("action", "")
        elif tag == "label":
            self.page.labels.append(el)
            self.open_labels.append(el)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form_action = None
        elif tag == "label" and self.open_labels:
            self.open_labels.pop()

    def handle_data(self, data):
        for label in self.open_labels:
            label.text += data


def parse(html: str) -> Page:
    p = _Parser()
    p.feed(html)
    p.close()
    return p.page
