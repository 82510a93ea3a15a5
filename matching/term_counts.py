"""`TermCounter`: a chunk of postings to a matrix of vocabulary term counts, with numpy over the chunk's bytes.

It gives the counts of `Counter(text_tokens(text))` restricted to a vocabulary (the tests hold it to that) without a
Python string per token: making and counting ~630 token strings a posting cost ~180 us, two thirds of what the bare
TF-IDF transform we are measured against spends on a whole posting; a few dozen numpy passes over a group of postings
cost under half of that.

How: the texts are tokenised as `tokenize` does (one bytes.translate), token boundaries are found with numpy, and each
token gets a polynomial hash over its bytes from one prefix sum, so a token's hash costs the same at any length. The
hashes are looked up in an open-addressing table of the vocabulary (plus the words of the domain phrases). Phrases
are then folded on the token ids, and the (posting, term) pairs counted.

A hash is 64 bits and only tokens no longer than the longest known word are looked up, so by chance a token is taken
for a word it is not about once in 10,000 years at a billion tokens a day (1.5 million postings) against ~3,500 words.
A collision can be made on purpose (lattice reduction finds a 15-letter token that counts as "competitiveness"), but
a text made to collide gains nothing it could not get by writing the word.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from .tokens import PHRASE_FOLDS, TOKEN_BYTES, tokenize

__all__ = ["TermCounter"]

# Multiplier of the token hash: odd, so it has an inverse modulo 2**64 (the hash of a token at any offset is
# brought back to offset 0 with that inverse), and with well-spread bits (the golden-ratio constant).
_BASE = 0x9E3779B97F4A7C15
_MODULUS = 1 << 64
_SEPARATOR = 32  # the byte every non-token byte becomes (TOKEN_BYTES)
_MARKS = (ord("+"), ord("#"))  # allowed inside a token, never at its start
# Bytes of text tokenised in one go: enough to amortise numpy's per-call cost over ~50 postings, small enough that
# the per-byte arrays (8 bytes for each byte of text) stay a few MB. At most GROUP_POSTINGS postings, as each
# costs a row of the vocabulary's width while its terms are counted.
GROUP_BYTES = 1 << 18
GROUP_POSTINGS = 64


def token_hash(token: bytes) -> int:
    """The hash `TermCounter` gives a token: sum of byte * _BASE**position, modulo 2**64."""
    value, power = 0, 1
    for byte in token:
        value = (value + byte * power) % _MODULUS
        power = power * _BASE % _MODULUS
    return value


class TermCounter:
    """Counts of a vocabulary's terms in groups of texts: one row per posting, each of its texts weighted.

    `vocabulary` maps terms to the columns 0..n-1; a term that is not a single token (upper case, punctuation,
    non-ASCII) is never counted, as `text_tokens` never yields it. `phrases` are (tokens, folded token) pairs, the
    domain phrases of `tokens` by default.
    """

    def __init__(
        self, vocabulary: Mapping[str, int], phrases: Sequence[tuple[tuple[str, ...], str]] = PHRASE_FOLDS
    ) -> None:
        self.n_terms = len(vocabulary)
        if sorted(vocabulary.values()) != list(range(self.n_terms)):
            raise ValueError("vocabulary columns must be 0..n-1, each once")
        # Ids: the vocabulary's columns, then the words of multi-word phrases that are not terms themselves
        # (phrases are found on ids, so their words need one even when only the folded form is counted).
        ids = dict(vocabulary)
        for words, _ in phrases:
            for word in words:
                ids.setdefault(word, len(ids))
        # The column each id is counted in (-1: not counted), after one-word folds ("k8s" counts as kubernetes).
        # The last slot is for id -1, an unknown token.
        self._columns = np.full(len(ids) + 1, -1, dtype=np.int64)
        for word, token_id in ids.items():
            self._columns[token_id] = vocabulary.get(word, -1)
        phrase_ids: list[tuple[tuple[int, ...], int]] = []
        phrase_words = {word for words, _ in phrases if len(words) > 1 for word in words}
        for words, folded in phrases:
            if len(words) == 1:
                # A one-word fold inside a phrase would need the phrase found before the rename: not supported.
                if words[0] in phrase_words:
                    raise ValueError(f"one-word fold {words[0]!r} is also a word of a longer phrase")
                self._columns[ids[words[0]]] = vocabulary.get(folded, -1)
            else:
                phrase_ids.append((tuple(ids[w] for w in words), vocabulary.get(folded, -1)))
        self._phrases = _PhraseTable(phrase_ids, len(ids))
        tokens = {word: i for word, i in ids.items() if tokenize(word) == [word]}
        ids_by_hash = {token_hash(word.encode("ascii")): i for word, i in tokens.items()}
        if len(ids_by_hash) < len(tokens):
            raise ValueError("two words share a 64-bit hash; another _BASE would part them")
        self._table = _HashTable(ids_by_hash)
        self._longest = max(map(len, tokens), default=0)
        self._powers = _Powers()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_powers"] = _Powers()  # grown on use to the largest group; not worth pickling
        return state

    def count(self, postings: Sequence[Sequence[str]], weights: Sequence[int]) -> sp.csr_matrix:
        """A (postings x vocabulary) matrix: row i holds the counts of the terms of `postings[i]`'s texts, the
        k-th text's counts times `weights[k]` (whole numbers: each occurrence adds its weight, so the sums are
        exact). Phrases are not folded across two texts."""
        data, indices, lengths = [], [], []
        for group in _groups(postings):
            group_data, group_indices, group_lengths = self._count_group(group, weights)
            data.append(group_data)
            indices.append(group_indices)
            lengths.append(group_lengths)
        indptr = np.zeros(len(postings) + 1, dtype=np.int64)
        if postings:
            np.cumsum(np.concatenate(lengths), out=indptr[1:])
        return sp.csr_matrix(
            (
                np.concatenate(data) if data else np.zeros(0),
                np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64),
                indptr,
            ),
            shape=(len(postings), self.n_terms),
        )

    def _count_group(
        self, postings: Sequence[Sequence[str]], weights: Sequence[int]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(values, columns, entries per posting) of one group's rows, columns in order within a row."""
        n_texts = len(weights)
        if any(len(texts) != n_texts for texts in postings):
            raise ValueError(f"every posting needs {n_texts} texts, one per weight")
        encoded = [text.encode("utf-8", "surrogatepass") for texts in postings for text in texts]
        # One space before, between and after the texts: every token then has a separator on each side.
        data = np.frombuffer((b" " + b" ".join(encoded) + b" ").translate(TOKEN_BYTES), dtype=np.uint8)
        sizes = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)) + 1
        text_starts = np.cumsum(sizes) - sizes + 1
        starts, ends = _token_spans(data)
        text_of = np.repeat(
            np.arange(len(encoded)), np.diff(np.append(np.searchsorted(starts, text_starts), len(starts)))
        )
        token_ids = self._table.find(self._hashes(data, starts, ends))
        token_ids[ends - starts > self._longest] = -1  # longer than every word: not a word, whatever its hash
        columns = self._columns[token_ids]
        self._phrases.fold(token_ids, text_of, columns)
        counted = columns >= 0
        columns, text_of = columns[counted], text_of[counted]
        posting_of = text_of // n_texts
        token_weights = np.asarray(weights, dtype=np.float64)[text_of % n_texts]
        # Dense per group (~50 postings x the vocabulary): its nonzeros come out sorted by posting, then column.
        totals = np.bincount(posting_of * self.n_terms + columns, token_weights, minlength=len(postings) * self.n_terms)
        found = np.flatnonzero(totals)
        lengths = np.diff(np.searchsorted(found, np.arange(len(postings) + 1) * self.n_terms))
        return totals[found], found % self.n_terms, lengths

    def _hashes(self, data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """`token_hash` of every token, from one prefix sum of byte * _BASE**offset over the whole buffer."""
        powers, inverses = self._powers.upto(len(data))
        prefix = np.empty(len(data) + 1, dtype=np.uint64)
        prefix[0] = 0
        np.multiply(data, powers, out=prefix[1:])
        np.cumsum(prefix[1:], out=prefix[1:])  # wraps modulo 2**64, as the hash does
        hashes: np.ndarray = (prefix[ends] - prefix[starts]) * inverses[starts]
        return hashes


def _groups(postings: Sequence[Sequence[str]]) -> list[Sequence[Sequence[str]]]:
    """Consecutive postings in groups of about GROUP_BYTES of text (a longer posting is a group of its own), at
    most GROUP_POSTINGS in a group."""
    groups: list[Sequence[Sequence[str]]] = []
    first, size = 0, 0
    for i, texts in enumerate(postings):
        size += sum(map(len, texts))
        if size >= GROUP_BYTES or i + 1 - first >= GROUP_POSTINGS:
            groups.append(postings[first : i + 1])
            first, size = i + 1, 0
    if first < len(postings):
        groups.append(postings[first:])
    return groups


def _token_spans(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the tokens in a translated buffer that begins and ends with a separator. A token's
    leading "+" and "#" are not part of it, and a token of marks alone is none (as in `tokenize`)."""
    in_token = data != _SEPARATOR
    edges = np.flatnonzero(in_token[1:] != in_token[:-1]) + 1  # 5x faster than np.diff on int8
    starts, ends = edges[0::2], edges[1::2]
    first_bytes = data[starts]
    marked = np.flatnonzero((first_bytes == _MARKS[0]) | (first_bytes == _MARKS[1]))
    if len(marked):  # rare ("+1", "#hiring"): a loop over those tokens only
        starts = starts.copy()
        for token in marked.tolist():
            at, end = int(starts[token]), int(ends[token])
            while at < end and data[at] in _MARKS:
                at += 1
            starts[token] = at
        real = starts < ends
        starts, ends = starts[real], ends[real]
    return starts, ends


class _Powers:
    """_BASE**k and _BASE**-k modulo 2**64 for k below a length, grown by doubling as longer groups come."""

    def __init__(self) -> None:
        self.tables = (np.ones(1, dtype=np.uint64), np.ones(1, dtype=np.uint64))

    def upto(self, length: int) -> tuple[np.ndarray, np.ndarray]:
        powers, inverses = self.tables  # one read and one write of the pair: threads see matching tables
        if len(powers) < length + 1:
            while len(powers) < length + 1:
                step = len(powers)
                powers = np.append(powers, powers * np.uint64(pow(_BASE, step, _MODULUS)))
                inverses = np.append(inverses, inverses * np.uint64(pow(_BASE, -step, _MODULUS)))
            self.tables = (powers, inverses)
        return powers[:length], inverses[: length + 1]


class _HashTable:
    """Token hash -> id, open addressing with linear probing, at most 1/8 full (most lookups take one probe)."""

    def __init__(self, ids_by_hash: Mapping[int, int]) -> None:
        if 0 in ids_by_hash:
            raise ValueError("a word hashes to 0, the table's empty mark")
        bits = max(8, (len(ids_by_hash) * 8 - 1).bit_length())
        self._shift = np.uint64(64 - bits)
        size = 1 << bits
        hashes = [0] * (size + len(ids_by_hash))  # room to probe past the end instead of wrapping
        ids = [-1] * len(hashes)
        self._probes = 1
        for value, token_id in ids_by_hash.items():
            slot = _slot(value, bits)
            probe = 0
            while hashes[slot + probe]:
                probe += 1
            hashes[slot + probe], ids[slot + probe] = value, token_id
            self._probes = max(self._probes, probe + 1)
        self._hashes = np.array(hashes, dtype=np.uint64)
        self._ids = np.array(ids, dtype=np.int64)

    def find(self, hashes: np.ndarray) -> np.ndarray:
        """The id of each hash, -1 where it is not in the table."""
        slots = ((hashes * np.uint64(_BASE)) >> self._shift).astype(np.int64)
        stored = self._hashes[slots]
        ids = np.where(stored == hashes, self._ids[slots], -1)
        # Only a hash whose slot holds another word can be further on; an empty slot ends the search.
        pending = np.flatnonzero((stored != hashes) & (stored != 0))
        for probe in range(1, self._probes):
            if not len(pending):
                break
            at = slots[pending] + probe
            stored_here = self._hashes[at]
            hit = stored_here == hashes[pending]
            ids[pending[hit]] = self._ids[at[hit]]
            pending = pending[~hit & (stored_here != 0)]
        return ids


def _slot(value: int, bits: int) -> int:
    """The table slot of a hash: the top bits of hash * _BASE (the low bits of short tokens' hashes are alike)."""
    return (value * _BASE % _MODULUS) >> (64 - bits)


class _PhraseTable:
    """Multi-word phrases as id sequences, folded left to right with the longest phrase at a position first,
    as `fold_phrases` does: a phrase's first word takes the folded column, its other words count nowhere."""

    def __init__(self, phrases: Sequence[tuple[tuple[int, ...], int]], n_ids: int) -> None:
        self._n_ids = n_ids
        self._longest = max((len(ids) for ids, _ in phrases), default=0)
        if (n_ids + 1) ** self._longest >= 1 << 63:
            raise ValueError("phrases too long for 64-bit keys")
        self._firsts = np.zeros(n_ids + 1, dtype=bool)  # last slot: unknown token
        # Per phrase length: the phrases' id sequences as one number each (sorted) and their folded columns.
        self._by_length: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for length in range(2, self._longest + 1):
            entries = sorted((self._key(ids), column) for ids, column in phrases if len(ids) == length)
            keys = np.array([key for key, _ in entries], dtype=np.int64)
            self._by_length[length] = (keys, np.array([column for _, column in entries], dtype=np.int64))
        for ids, _ in phrases:
            self._firsts[ids[0]] = True

    def _key(self, ids: Sequence[int]) -> int:
        """A sequence of ids as one number: digits id + 1 (0 for an unknown token) in base n_ids + 1."""
        key = 0
        for token_id in ids:
            key = key * (self._n_ids + 1) + token_id + 1
        return key

    def fold(self, token_ids: np.ndarray, text_of: np.ndarray, columns: np.ndarray) -> None:
        """Fold the phrases in `columns` (in place), given each token's id and text."""
        starts = np.flatnonzero(self._firsts[token_ids])
        if not len(starts):
            return
        padding = np.full(self._longest, -1, dtype=np.int64)
        ids, texts = np.concatenate([token_ids, padding]), np.concatenate([text_of, padding])
        lengths = np.zeros(len(starts), dtype=np.int64)
        folded = np.zeros(len(starts), dtype=np.int64)
        keys = ids[starts] + 1
        for length, (known, known_columns) in self._by_length.items():
            keys = keys * (self._n_ids + 1) + ids[starts + length - 1] + 1
            if not len(known):
                continue
            at = np.minimum(np.searchsorted(known, keys), len(known) - 1)
            # Longer phrases come later in this loop and win; a phrase may not run into the next text.
            hit = (known[at] == keys) & (texts[starts + length - 1] == text_of[starts])
            lengths[hit] = length
            folded[hit] = known_columns[at[hit]]
        found = lengths > 0
        starts, lengths, folded = starts[found], lengths[found], folded[found]
        if len(starts) > 1 and (starts[1:] < (starts + lengths)[:-1]).any():
            starts, lengths, folded = _left_to_right(starts, lengths, folded)
        columns[starts] = folded
        # Every later word of each phrase: start + 1 ... start + length - 1.
        inner = lengths - 1
        offsets = np.arange(int(inner.sum())) - np.repeat(np.cumsum(inner) - inner, inner)
        columns[np.repeat(starts, inner) + offsets + 1] = -1


def _left_to_right(
    starts: np.ndarray, lengths: np.ndarray, folded: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of overlapping phrases, the one that starts first (the others' words are inside it)."""
    kept, done = [], -1
    for k, (start, length) in enumerate(zip(starts.tolist(), lengths.tolist(), strict=True)):
        if start >= done:
            kept.append(k)
            done = start + length
    return starts[kept], lengths[kept], folded[kept]
