"""A small Okapi BM25 index over short documents, with a light English stemmer.

Our own code rather than a library: the collection is a few hundred entries,
the formula is ten lines, and owning it keeps the scoring explainable (which
query terms matched). BM25 as in Robertson & Zaragoza (2009), with the
non-negative idf ``log(1 + (N - n + 0.5) / (n + 0.5))`` used by Lucene.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

_TOKEN = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    [
        "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are",
        "as", "at", "be", "been", "before", "being", "between", "both", "but", "by", "can", "could",
        "did", "do", "does", "doing", "done", "during", "each", "few", "for", "from", "further",
        "get", "got", "had", "has", "have", "having", "he", "her", "here", "how", "i", "if", "in",
        "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "no", "nor", "not",
        "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "out", "over",
        "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their",
        "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under",
        "until", "up", "very", "via", "was", "we", "were", "what", "when", "where", "which",
        "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "us",
        "must", "need", "needs", "want", "wants", "like", "please", "tell", "know", "let", "shall",
        "may", "might",
    ]
)


def _undouble(stem: str) -> str:
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
        return stem[:-1]
    return stem


def stem(word: str) -> str:
    """A light stemmer: British spelling, plurals, -ation/-ing/-ed, -val, trailing -e.

    :param word: a lower-case token.
    """
    if len(word) <= 3 or word.isdigit():
        return word
    word = re.sub(r"iz(e|ed|es|ing|ation|ations)$", r"is\1", word)
    if word.endswith("vals") or word.endswith("val"):  # approval(s) ~ approve
        word = word[: word.rindex("val") + 1]
    for suffix, replacement in (("ational", "ate"), ("ations", ""), ("ation", ""),
                                ("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""),
                                ("es", ""), ("s", "")):  # fmt: skip
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break
            if suffix == "es" and not word.endswith(("ches", "shes", "sses", "xes", "ses")):
                continue
            word = word[: len(word) - len(suffix)] + replacement
            if suffix in {"ing", "ed"}:
                word = _undouble(word)
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Lower-case, accent-free, stemmed tokens of ``text`` without stop words.

    :param text: any text.
    """
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return [stem(t) for t in _TOKEN.findall(plain) if t not in STOPWORDS]


@dataclass(frozen=True, slots=True)
class Scored:
    """A document's position in the index, its score and the query terms it holds."""

    index: int
    score: float
    matched: tuple[str, ...]


class BM25Index:
    """An inverted index with BM25 scoring.

    :param documents: each document as its tokens (see :func:`tokenize`).
    :param k1: term-frequency saturation.
    :param b: length normalisation.
    """

    def __init__(self, documents: Sequence[Sequence[str]], *, k1: float = 1.2, b: float = 0.75):
        self.k1 = k1
        self.b = b
        self.size = len(documents)
        self.lengths = [len(doc) for doc in documents]
        self.average = (sum(self.lengths) / self.size) if self.size else 0.0
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for index, doc in enumerate(documents):
            for term, count in Counter(doc).items():
                self.postings.setdefault(term, []).append((index, count))

    def idf(self, term: str) -> float:
        """Inverse document frequency of a term (0 for unknown terms)."""
        n = len(self.postings.get(term, ()))
        if n == 0:
            return 0.0
        return math.log(1 + (self.size - n + 0.5) / (n + 0.5))

    def search(self, query: Sequence[str]) -> list[Scored]:
        """Every document holding a query term, best first.

        :param query: the query's tokens; a repeated term counts once.
        """
        scores: dict[int, float] = {}
        matched: dict[int, list[str]] = {}
        for term in dict.fromkeys(query):
            idf = self.idf(term)
            for index, count in self.postings.get(term, ()):
                norm = self.k1 * (1 - self.b + self.b * self.lengths[index] / self.average)
                scores[index] = scores.get(index, 0.0) + idf * count * (self.k1 + 1) / (
                    count + norm
                )
                matched.setdefault(index, []).append(term)
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        return [Scored(i, s, tuple(matched[i])) for i, s in ranked]
