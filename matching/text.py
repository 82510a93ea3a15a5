"""Text normalisation shared by the matcher's fit and transform: HTML to text, domain phrases, tokens."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser

__all__ = ["html_to_text", "normalize", "title_phrases", "title_terms", "tokenize"]

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>|<!--")
_ESCAPED_TAG = re.compile(r"&lt;\s*/?\s*[a-zA-Z]")
_BLANK_RUNS = re.compile(r"[ \t\r\f\v]+")
_NEWLINE_RUNS = re.compile(r"\n\s*\n+")


def html_to_text(text: str) -> str:
    """Plain text of an HTML (or entity-escaped HTML) description; plain text passes through unchanged."""
    if _ESCAPED_TAG.search(text) and not _TAG.search(text):
        text = html.unescape(text)  # Greenhouse-style: the markup itself is entity-escaped
    if not _TAG.search(text):
        return html.unescape(text) if "&" in text else text
    tree = LexborHTMLParser(text)
    for node in tree.css("script, style"):
        node.decompose()
    root = tree.body or tree.root
    if root is None:
        return ""
    plain = root.text(deep=True, separator="\n", strip=True)
    plain = _BLANK_RUNS.sub(" ", plain)
    return _NEWLINE_RUNS.sub("\n", plain).strip()


# Domain phrases folded to one token before tokenising, so "machine learning", "ML" and "ML-Ops" meet.
# Longest alternatives first: the regex takes the first alternative that matches at a position.
_PHRASES: dict[str, str] = {
    "machine learning operations": "mlops",
    "machine-learning operations": "mlops",
    "machine learning ops": "mlops",
    "ml operations": "mlops",
    "ml ops": "mlops",
    "ml-ops": "mlops",
    "modelops": "mlops",
    "llmops": "mlops",
    "machine learning": "ml",
    "machine-learning": "ml",
    "artificial intelligence": "ai",
    "a.i.": "ai",
    "large language models": "llm",
    "large language model": "llm",
    "llms": "llm",
    "generative ai": "genai",
    "gen ai": "genai",
    "gen-ai": "genai",
    "deep learning": "deeplearning",
    "deep-learning": "deeplearning",
    "natural language processing": "nlp",
    "computer vision": "computervision",
    "feature stores": "featurestore",
    "feature store": "featurestore",
    "model registry": "modelregistry",
    "model serving": "modelserving",
    "inference serving": "modelserving",
    "data pipelines": "datapipeline",
    "data pipeline": "datapipeline",
    "back-end": "backend",
    "back end": "backend",
    "front-end": "frontend",
    "front end": "frontend",
    "full-stack": "fullstack",
    "full stack": "fullstack",
    "dev ops": "devops",
    "site reliability": "sre",
    "ci/cd": "cicd",
    "k8s": "kubernetes",
    "infra": "infrastructure",
    "sr.": "senior",
    "sr": "senior",
    "jr.": "junior",
    "jr": "junior",
}
_PHRASE_RE = re.compile(
    r"(?<![a-z0-9])(?:" + "|".join(re.escape(p) for p in sorted(_PHRASES, key=len, reverse=True)) + r")(?![a-z0-9])"
)
_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#]*")


def _fold(match: re.Match[str]) -> str:
    return _PHRASES[match.group(0)]


def normalize(text: str) -> str:
    """Lower-case and fold the domain phrases above (one regex pass)."""
    return _PHRASE_RE.sub(_fold, text.lower())


def tokenize(text: str) -> list[str]:
    """Tokens of already normalised text: runs of letters and digits, keeping c++ and c#."""
    return _TOKEN.findall(text)


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
    for part in _TITLE_BREAK.split(normalize(title)):
        run: list[str] = []
        for token in tokenize(part):
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
