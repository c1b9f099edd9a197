"""The one place user Markdown becomes HTML: Markdown -> nh3 allow-list -> Markup.

Render once when the text is saved and store the HTML beside the source.
"""
from __future__ import annotations

import markdown as _markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "code", "pre",
    "h3", "h4", "h5", "h6", "a", "hr", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
MAX_SOURCE = 20_000


def render_markdown(source: str | None) -> str:
    """Sanitised HTML for a Markdown source (a plain str, safe to store)."""
    if not source:
        return ""
    html = _markdown.markdown(source[: MAX_SOURCE * 2], extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def stored_html(html: str | None) -> Markup:
    """Mark HTML that render_markdown() produced (stored beside its source) as safe.

    Re-cleaned on the way out, so a row written by anything else cannot inject markup.
    """
    if not html:
        return Markup("")
    return Markup(nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                            url_schemes={"http", "https", "mailto"},
                            link_rel="noopener noreferrer nofollow"))


def init_app(app) -> None:
    app.jinja_env.filters["markdown_html"] = stored_html
    app.jinja_env.filters["render_markdown"] = lambda s: stored_html(render_markdown(s))
