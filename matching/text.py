"""Descriptions to plain text: HTML, escaped HTML or text in, tidy text out (the one implementation: the
sources use it too)."""

from __future__ import annotations

import html
import re

from selectolax.lexbor import LexborHTMLParser

__all__ = ["html_to_text", "looks_like_html", "markup_to_text", "plain_text", "to_text"]

_ESCAPED_TAG = re.compile(r"&lt;\s*/?\s*[a-zA-Z]")

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


def markup_to_text(markup: str) -> str:
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


# Whitespace that str.split() breaks on besides " " and "\n" ("\r" is made "\n" first); none is above U+3000.
_ODD_SPACES = tuple(c for c in map(chr, range(0x3001)) if c.isspace() and c not in " \n\r")
_ODD_ASCII_SPACES = tuple(c for c in _ODD_SPACES if c.isascii())


def plain_text(text: str) -> str:
    """Tidy plain text: entities decoded, spaces folded, lines stripped, at most one blank line in a row."""
    # str methods per line, not regex passes: this runs on every posting of a feed. A line is split into
    # words only when it holds a run of spaces or the text holds other whitespace (a tab, a no-break space);
    # most lines need only their ends trimmed, and that halves the cost.
    if "&" in text:
        text = html.unescape(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    only_spaces = not any(map(text.__contains__, _ODD_ASCII_SPACES if text.isascii() else _ODD_SPACES))
    lines: list[str] = []
    blank = False
    for raw in text.split("\n"):
        if only_spaces:
            line = raw.strip(" ")
            if "  " in line:
                line = " ".join(line.split())
        else:
            line = " ".join(raw.split())
        if not line:
            blank = True
            continue
        if blank and lines:
            lines.append("")
        blank = False
        lines.append(line)
    return "\n".join(lines)


def looks_like_html(text: str) -> bool:
    """True when `text` has at least one tag or comment in it."""
    return _TAG.search(text) is not None


def to_text(value: str) -> str:
    """A description as plain text, whether it came as HTML or as text already."""
    return markup_to_text(value) if looks_like_html(value) else plain_text(value)


def html_to_text(text: str) -> str:
    """Plain text of a description that may be HTML, entity-escaped HTML (Greenhouse), or text already."""
    markup = looks_like_html(text)
    if not markup and _ESCAPED_TAG.search(text):
        text = html.unescape(text)  # the markup itself is entity-escaped: unescape once, then strip
        markup = looks_like_html(text)
    return markup_to_text(text) if markup else plain_text(text)
