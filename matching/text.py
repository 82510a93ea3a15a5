"""Text for the matcher: descriptions to plain text (the one implementation, sources use it too), domain
phrases, tokens."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser

__all__ = [
    "fold_phrases",
    "html_to_text",
    "looks_like_html",
    "markup_to_text",
    "plain_text",
    "text_tokens",
    "title_phrases",
    "title_terms",
    "to_text",
    "tokenize",
]

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


def plain_text(text: str) -> str:
    """Tidy plain text: entities decoded, spaces folded, lines stripped, at most one blank line in a row."""
    # str.split per line, not regex passes: this runs on every posting of a feed and is 3x faster.
    if "&" in text:
        text = html.unescape(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines: list[str] = []
    blank = False
    for raw in text.split("\n"):
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


# Domain phrases folded to one token, so "machine learning", "ML" and "ML-Ops" meet. Written as text and
# matched on tokens, so punctuation between the words does not matter ("ml-ops", "ML Ops", "ci/cd").
_PHRASES: dict[str, str] = {
    "machine learning operations": "mlops",
    "machine learning ops": "mlops",
    "ml operations": "mlops",
    "ml ops": "mlops",
    "modelops": "mlops",
    "llmops": "mlops",
    "machine learning": "ml",
    "artificial intelligence": "ai",
    "a.i.": "ai",
    "large language models": "llm",
    "large language model": "llm",
    "llms": "llm",
    "generative ai": "genai",
    "gen ai": "genai",
    "deep learning": "deeplearning",
    "natural language processing": "nlp",
    "computer vision": "computervision",
    "feature stores": "featurestore",
    "feature store": "featurestore",
    "model registry": "modelregistry",
    "model serving": "modelserving",
    "inference serving": "modelserving",
    "data pipelines": "datapipeline",
    "data pipeline": "datapipeline",
    "back end": "backend",
    "front end": "frontend",
    "full stack": "fullstack",
    "dev ops": "devops",
    "site reliability": "sre",
    "ci/cd": "cicd",
    "k8s": "kubernetes",
    "infra": "infrastructure",
    "sr": "senior",
    "jr": "junior",
}
_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#]*")


def tokenize(text: str) -> list[str]:
    """Tokens of lower-cased text: runs of letters and digits, keeping c++ and c#."""
    return _TOKEN.findall(text)


def _phrase_table() -> dict[str, dict[str, tuple[tuple[tuple[str, ...], str], ...]]]:
    """First token -> second token ("" for one-token entries) -> (the tokens after the first, the folded
    token), longest phrase first."""
    table: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]] = {}
    for phrase, folded in _PHRASES.items():
        first, *rest = tokenize(phrase)
        table.setdefault(first, {}).setdefault(rest[0] if rest else "", []).append((tuple(rest), folded))
    return {
        first: {second: tuple(sorted(entries, key=lambda e: -len(e[0]))) for second, entries in by_second.items()}
        for first, by_second in table.items()
    }


_FOLDS = _phrase_table()


def fold_phrases(tokens: list[str]) -> list[str]:
    """`tokens` with the domain phrases above folded to one token each, left to right, longest first."""
    # Only the tokens that can start a phrase are visited, and the next token is checked before any
    # slicing: this runs on every token of a feed, and "data", "model" and "ml" are common.
    starts = [i for i, token in enumerate(tokens) if token in _FOLDS]
    if not starts:
        return tokens
    out: list[str] = []
    done, last = 0, len(tokens) - 1
    for i in starts:
        if i < done:
            continue
        by_second = _FOLDS[tokens[i]]
        entries = by_second.get(tokens[i + 1], ()) if i < last else ()
        for rest, folded in (*entries, *by_second.get("", ())):
            stop = i + 1 + len(rest)
            if len(rest) < 2 or tuple(tokens[i + 1 : stop]) == rest:
                out.extend(tokens[done:i])
                out.append(folded)
                done = stop
                break
    if not out:
        return tokens
    out.extend(tokens[done:])
    return out


def text_tokens(text: str) -> list[str]:
    """The matcher's tokens of any text: lower-cased, tokenised, domain phrases folded."""
    return fold_phrases(_TOKEN.findall(text.lower()))


# Words in a job title that say the level, the contract or the place, not the job.
_TITLE_NOISE = frozenset(
    """senior junior staff principal lead distinguished head chief associate intern internship entry
    mid level i ii iii iv v 1 2 3 4 5 l3 l4 l5 l6 l7 remote hybrid onsite contract full time part
    urgent requirement opportunity us usa eu uk with w2 only the of for a an and in at to new grad
    graduate experienced founding expert specializing specialized specialising focused focus on
    software""".split()
)  # fmt: skip


@lru_cache(maxsize=65536)
def _singular(token: str) -> str:
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is", "ops")):
        return token[:-1]
    return token


# What a title word means for the job, where employers use several names for one job: "AI Engineer" and
# "ML Engineer" are the same hire, MLOps is the operations side of an ML platform, and a developer is an
# engineer ("software" is dropped above: "Software Engineer, ML" is an ML engineer).
_TITLE_MEANS: dict[str, tuple[str, ...]] = {
    "ai": ("ml",),
    "mlops": ("ml", "platform", "mlops"),
    "developer": ("engineer",),
    "genai": ("ml", "genai"),
    "llm": ("ml", "llm"),
    "deeplearning": ("ml", "deeplearning"),
    "nlp": ("ml", "nlp"),
    "computervision": ("ml", "computervision"),
}


_TITLE_BREAK = re.compile(r"[,;:|/()\[\]@]|\s[-–—]+\s|[-–—]{2,}")


def title_phrases(title: str) -> list[list[str]]:
    """A job title as runs of job words: normalised, singular, split where punctuation or a dropped
    level or contract word stands between them (so no pair of words is made up across a gap)."""
    phrases: list[list[str]] = []
    for part in _TITLE_BREAK.split(title.lower()):
        run: list[str] = []
        for token in fold_phrases(tokenize(part)):
            if token in _TITLE_NOISE:
                if run:
                    phrases.append(run)
                run = []
                continue
            run.extend(_TITLE_MEANS.get(_singular(token), (_singular(token),)))
        if run:
            phrases.append(run)
    return phrases


def title_terms(title: str) -> list[str]:
    """The words of a job title that name the job (see `title_phrases`)."""
    return [term for phrase in title_phrases(title) for term in phrase]
