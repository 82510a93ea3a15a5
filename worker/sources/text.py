"""Descriptions to plain text: HTML through selectolax, with paragraph and list-item breaks kept."""

from __future__ import annotations

import html
import re

from selectolax.lexbor import LexborHTMLParser

__all__ = ["html_to_text", "looks_like_html", "plain_text", "to_text"]

# Elements that start a new line of text. Table cells only get a space between them.
_BLOCK_TAGS = (
    "address, article, aside, blockquote, br, dd, details, div, dl, dt, figcaption, figure, footer, "
    "form, h1, h2, h3, h4, h5, h6, header, hr, li, main, nav, ol, p, pre, section, summary, table, "
    "tbody, thead, tfoot, tr, ul"
)
_CELL_TAGS = "td, th"
_DROPPED_TAGS = "script, style, noscript, template"
# A character no feed sends (Unicode private use), inserted as "line break here" before the text is
# flattened: flattening has to fold the markup's own newlines into spaces, as a browser does.
_BREAK = "\ue000"
# Only well-known tag names count as markup, so "if a<b and c>d" in plain text stays plain text.
_TAG = re.compile(
    r"</?(?:a|abbr|article|b|blockquote|br|center|code|dd|div|dl|dt|em|font|h[1-6]|hr|i|img|li|ol|p|pre"
    r"|section|small|span|strong|sub|sup|table|tbody|td|th|thead|tr|u|ul)(?:\s[^<>]*)?/?>|<!--",
    re.IGNORECASE,
)
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: entities decoded, one line per block (p, li, h2, br...)."""
    if not markup:
        return ""
    tree = LexborHTMLParser(markup.replace(_BREAK, " "))
    for node in tree.css(_DROPPED_TAGS):
        node.decompose()
    for node in tree.css(_BLOCK_TAGS):
        node.insert_before(_BREAK)
        node.insert_after(_BREAK)
    for node in tree.css(_CELL_TAGS):
        node.insert_after(" ")
    top = tree.body if tree.body is not None else tree.root
    if top is None:
        return ""
    flat = top.text(deep=True, separator="")
    lines = (" ".join(chunk.split()) for chunk in flat.split(_BREAK))
    return "\n".join(line for line in lines if line)


def plain_text(text: str) -> str:
    """Tidy plain text: entities decoded, spaces folded, lines stripped, at most one blank line in a row."""
    text = html.unescape(text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def looks_like_html(text: str) -> bool:
    """True when `text` has at least one tag or comment in it."""
    return _TAG.search(text) is not None


def to_text(value: str) -> str:
    """A description as plain text, whether it came as HTML or as text already."""
    return html_to_text(value) if looks_like_html(value) else plain_text(value)
