"""Tokens for the matcher: words of any text, domain phrases folded to one token, the job words of a title."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "PHRASE_FOLDS",
    "TOKEN_BYTES",
    "domain_terms",
    "fold_phrases",
    "text_tokens",
    "title_phrases",
    "title_terms",
    "tokenize",
]

# Bytes that make tokens: ASCII letters (upper case mapped to lower), digits, and "+" and "#" inside a token
# (c++, c#). Every other byte separates tokens, each byte of a non-ASCII character included.
TOKEN_BYTES = bytes(
    c + 32 if 65 <= c <= 90 else c if 48 <= c <= 57 or 97 <= c <= 122 or c in b"+#" else 32 for c in range(256)
)


def tokenize(text: str) -> list[str]:
    """Tokens of `text`: runs of ASCII letters (lower-cased) and digits, keeping c++ and c#; a token never
    starts with "+" or "#". The same tokens as the regex `[a-z0-9][a-z0-9+#]*` over ASCII-lowered text."""
    # One bytes.translate and split instead of that regex: twice as fast, and this runs on every word of a feed.
    spaced = b" " + text.encode("utf-8", "surrogatepass").translate(TOKEN_BYTES)
    leading = _leading_marks(spaced)
    if leading:
        blanked = bytearray(spaced)
        for at in leading:
            while at < len(blanked) and blanked[at] in b"+#":
                blanked[at] = 32
                at += 1
        return blanked.decode("ascii").split()
    return spaced.decode("ascii").split()


def _leading_marks(spaced: bytes) -> list[int]:
    """Where a "+" or "#" follows a separator: found with bytes.find, as both are rare and spaces are not."""
    found = []
    for mark in b"+#":
        at = spaced.find(mark)
        while at >= 0:
            if spaced[at - 1] == 32:
                found.append(at)
            at = spaced.find(mark, at + 1)
    return found


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
    "reinforcement learning": "reinforcementlearning",
    "neural networks": "neuralnetwork",
    "neural network": "neuralnetwork",
    "foundation models": "foundationmodel",
    "foundation model": "foundationmodel",
    "pre training": "pretraining",
    "post training": "posttraining",
    "fine tuning": "finetuning",
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


# The phrases above as (tokens, folded token) pairs: what `fold_phrases` looks up, and what code that folds on token
# ids uses (`term_counts`).
PHRASE_FOLDS: tuple[tuple[tuple[str, ...], str], ...] = tuple((tuple(tokenize(p)), f) for p, f in _PHRASES.items())


def _phrase_table() -> dict[str, dict[str, tuple[tuple[tuple[str, ...], str], ...]]]:
    """First token -> second token ("" for one-token entries) -> (the tokens after the first, the folded
    token), longest phrase first."""
    table: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]] = {}
    for (first, *rest), folded in PHRASE_FOLDS:
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
    return fold_phrases(tokenize(text))


# Words in a job title that say the level, the contract or the place, not the job.
_TITLE_NOISE = frozenset(
    """senior junior staff principal lead distinguished head chief associate intern internship entry
    mid level i ii iii iv v 1 2 3 4 5 l3 l4 l5 l6 l7 remote hybrid onsite contract full time part
    urgent requirement opportunity us usa eu uk with w2 only the of for a an and in at to new grad
    graduate experienced founding expert specializing specialized specialising focused focus on""".split()
)  # fmt: skip

# Words dropped from a title without breaking its run of job words: a "Backend Software Engineer" is a backend
# engineer, and "Software Engineer, ML" an ML engineer.
_TITLE_SILENT = frozenset({"software"})


@lru_cache(maxsize=65536)
def _singular(token: str) -> str:
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is", "ops")):
        return token[:-1]
    return token


# What a title word means for the job, where employers use several names for one job: "AI Engineer" and
# "ML Engineer" are the same hire, MLOps is the operations side of an ML platform, and a developer is an
# engineer.
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


# Tools and techniques that exist only in a domain: a text that names them names the domain, as GPU-kernel,
# model-serving and training-infrastructure postings often do without writing "machine learning".
_DOMAIN_TOOLS: dict[str, tuple[str, ...]] = {
    "ml": ("pytorch", "tensorflow", "jax", "keras", "vllm", "tensorrt", "onnx", "huggingface", "triton",
           "modelserving", "featurestore", "modelregistry", "pretraining", "posttraining", "finetuning",
           "reinforcementlearning", "neuralnetwork", "foundationmodel"),
}  # fmt: skip


def domain_terms(term: str) -> tuple[str, ...]:
    """The text terms that name the domain of a title term: itself, the disciplines a title reads as it
    ("ml": MLOps, LLMs, NLP, deep learning...) and the domain's own tools (PyTorch, vLLM, feature stores...).
    A bare synonym ("AI" for ML) is left out: in a posting's text it is mostly said of the company or its
    product, not of the work."""
    disciplines = sorted(t for t, means in _TITLE_MEANS.items() if term in means and len(means) > 1)
    return (term, *disciplines, *_DOMAIN_TOOLS.get(term, ()))


_TITLE_BREAK = re.compile(r"[,;:|/()\[\]@]|\s[-–—]+\s|[-–—]{2,}")


def title_phrases(title: str) -> list[list[str]]:
    """A job title as runs of job words: normalised, singular, split where punctuation or a dropped
    level or contract word stands between them (so no pair of words is made up across a gap)."""
    phrases: list[list[str]] = []
    for part in _TITLE_BREAK.split(title.lower()):
        run: list[str] = []
        for token in fold_phrases(tokenize(part)):
            if token in _TITLE_SILENT:
                continue
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
