"""Ranking knowledge entries for a question: BM25 over each entry's text, filtered by country.

An entry's document is its title and keywords, in English and Chinese (counted
twice: they name what the entry is about), authority, summary, procedure steps,
topic and legal references, and its summary and steps in Chinese (a question
asked in Chinese meets the entry on the words of its Chinese summary too). When
the question names countries, only entries that apply there are ranked: the
country's own, the EU-level ones for EU member states, and the international
ones (WHO, IATA, ICH). Entries of the countries named directly get a small boost
over EU-level and international ones, because a question naming Germany is first about Germany.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from permed_atlas.helpdesk.models import (
    EU,
    INTERNATIONAL,
    CountryMention,
    Entry,
    Hit,
    KnowledgeBase,
)
from permed_atlas.textsearch import Bm25Index, stop_words_with, tokenize

STOP_WORDS = stop_words_with(
    "us must need needs want wants like please tell know let shall may might get got"
)
"""The shared stop words plus the words of asking ("please tell us what we need")."""

TITLE_WEIGHT = 2.0
"""Title and keywords count twice: they name what the entry is about."""
NAMED_COUNTRY_BOOST = 1.2
"""Score factor for entries of a country the question names (vs EU-level or international)."""


def question_terms(text: str) -> list[str]:
    """The stems of ``text`` as the helpdesk indexes them (its stop words dropped).

    :param text: any text.
    """
    return tokenize(text, stop_words=STOP_WORDS)


def entry_document(entry: Entry) -> list[tuple[str, float]]:
    """The weighted texts BM25 indexes for an entry.

    :param entry: a knowledge entry.
    """
    rest_zh = [entry.summary_zh, *(step.text_zh for step in entry.procedure)]
    rest = [entry.authority, entry.summary, entry.topic_label,
            " ".join(step.text for step in entry.procedure),
            " ".join(ref.law for ref in entry.references)]  # fmt: skip
    return [(entry.title, TITLE_WEIGHT), (" ".join(entry.keywords), TITLE_WEIGHT),
            (entry.title_zh, TITLE_WEIGHT), (" ".join(entry.keywords_zh), TITLE_WEIGHT),
            (" ".join(rest), 1.0),
            (" ".join(rest_zh), 1.0)]  # fmt: skip


@dataclass(frozen=True)
class Retriever:
    """A BM25 index over one knowledge base."""

    knowledge: KnowledgeBase
    index: Bm25Index

    def rank(
        self,
        question: str,
        *,
        countries: Sequence[str] = (),
        mentions: Sequence[CountryMention] = (),
        limit: int = 20,
    ) -> list[Hit]:
        """The entries that apply in ``countries`` (all when empty), best first.

        The words naming countries are taken out of the query: the country filter
        and boost already use them, and as terms they would only favour entries
        that repeat the country's name.

        :param question: plain words.
        :param countries: jurisdiction codes named in the question.
        :param mentions: where those countries are named in ``question``.
        :param limit: at most this many hits.
        """
        allowed: set[str] | None = None
        if countries:
            allowed = {INTERNATIONAL}
            for code in countries:
                allowed.update(self.knowledge.jurisdictions_for(code))
        named = set(countries) - {EU}
        hits: list[Hit] = []
        text = question
        for mention in sorted(mentions, key=lambda m: -m.start):
            text = text[: mention.start] + " " + text[mention.end :]
        for scored in self.index.search(text):
            entry = self.knowledge.entries[scored.index]
            if allowed is not None and entry.country not in allowed:
                continue
            boost = NAMED_COUNTRY_BOOST if entry.country in named else 1.0
            hits.append(Hit(entry, round(scored.score * boost, 4), scored.matched))
        hits.sort(key=lambda h: (-h.score, h.entry.id))
        return hits[:limit]


_CACHE: dict[int, Retriever] = {}


def retriever_for(knowledge: KnowledgeBase) -> Retriever:
    """The (cached) retriever of a knowledge base.

    :param knowledge: from :func:`permed_atlas.helpdesk.load_knowledge`.
    """
    cached = _CACHE.get(id(knowledge))
    if cached is not None and cached.knowledge is knowledge:
        return cached
    index = Bm25Index([entry_document(e) for e in knowledge.entries], stop_words=STOP_WORDS)
    retriever = Retriever(knowledge, index)
    if len(_CACHE) > 8:
        _CACHE.clear()
    _CACHE[id(knowledge)] = retriever
    return retriever
