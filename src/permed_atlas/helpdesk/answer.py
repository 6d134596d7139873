"""Answering a question: countries, ranked entries per country, funding, transfer guidance.

Entries are ranked once (see :mod:`retrieval`) and then shown per country named:
the country's own entries first, then the EU-level ones that apply there. An
entry is shown when its score reaches :data:`RELEVANCE_SHARE` of the best score
in its group, so weak keyword overlaps do not fill the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from permed_atlas.helpdesk.countries import detect_countries, unique_codes
from permed_atlas.helpdesk.errors import HelpdeskInputError
from permed_atlas.helpdesk.flow import assess_flow, read_flow
from permed_atlas.helpdesk.knowledge import display_name
from permed_atlas.helpdesk.models import (
    EU,
    INTERNATIONAL,
    Answer,
    CountryAnswer,
    FundingItem,
    Hit,
    KnowledgeBase,
)
from permed_atlas.helpdesk.retrieval import question_terms, retriever_for
from permed_atlas.i18n import Message, gettext_noop
from permed_atlas.i18n import gettext_noop as N_
from permed_atlas.textinput import one_line, refuse_too_long

MAX_QUESTION = 2000
QUESTION_TOO_LONG = gettext_noop("is longer than %(limit)s characters")
RELEVANCE_SHARE = 0.35
"""A hit is shown in a country's group when its score is at least this share of the group's best."""
PER_COUNTRY = 5
FUNDING_TERMS = frozenset(question_terms("fund funding funder grant grants financing finance "
                                         "call calls money budget sponsor programme "
                                         "基金 资助 经费"))  # fmt: skip

TOPIC_CUES: dict[str, frozenset[str]] = {
    topic: frozenset(question_terms(words))
    for topic, words in {
        "trial_authorisation": "run conduct start approval authorisation permission IND CTA "
                               "application regulator 审批 许可 临床试验申请",
        "ethics_review": "ethics ethical IRB committee consent 伦理 知情同意",
        "human_genetic_resources": "genetic genomic pharmacogenomic pharmacogenetic HGR samples "
                                   "sequencing DNA biobank 遗传 基因 样本 生物样本库",
        "data_protection": "data privacy GDPR PIPL personal records 数据 个人信息 隐私",
        "trial_registration": "register registration registry 注册 登记",
        "sample_shipping": "ship shipped shipping courier export transport customs samples "
                           "运输 运到 出境 快递 海关",
        "funding": "fund funding grant call financing 基金 资助 经费",
    }.items()
}  # fmt: skip
"""Words that show a question asks about a topic; each country's answer then covers that topic."""

FundingLookup = Callable[[str, Sequence[str]], tuple[Sequence[FundingItem], str]]
"""(question, country codes) -> (matching programmes and calls, a note when none could be read)."""


def check_question(question: str) -> str:
    """The question stripped, or HelpdeskInputError naming the field ``question``.

    :param question: what the user typed.
    """
    text = one_line(question)
    if not text:
        raise HelpdeskInputError(
            Message("ask a question in plain words; it is empty"),
            field="question",
        )
    refuse_too_long(
        text,
        limit=MAX_QUESTION,
        message=QUESTION_TOO_LONG,
        field="question",
        error=HelpdeskInputError,
    )
    if not question_terms(text):
        raise HelpdeskInputError(
            Message("has no words to search for"),
            field="question",
        )
    return text


def answer_question(
    question: str,
    *,
    knowledge: KnowledgeBase,
    funding_lookup: FundingLookup | None = None,
    assess_transfers: bool = True,
    transfer_rule_dirs: Sequence[Path] = (),
) -> Answer:
    """Answer a plain-language question with entries per country, funding and transfer guidance.

    :param question: e.g. "pharmacogenomic trial in Germany and China, samples shipped to Germany".
    :param knowledge: from :func:`load_knowledge`.
    :param funding_lookup: finds directory programmes and calls; funding is left out when None.
    :param assess_transfers: run the transfer assessor on a sample or data flow in the question.
    :param transfer_rule_dirs: the deployment's extra transfer rule folders.
    :raises HelpdeskInputError: for an empty or over-long question.
    """
    text = check_question(question)
    mentions = detect_countries(
        text, demonyms=knowledge.demonyms, abbreviations=knowledge.abbreviations
    )
    codes = unique_codes(mentions)
    ranked = retriever_for(knowledge).rank(text, countries=codes, mentions=mentions, limit=40)
    terms = set(question_terms(text))
    topics = tuple(t for t, cues in TOPIC_CUES.items() if terms & cues)
    groups = _group(ranked, codes, knowledge, topics)
    international = tuple(_relevant([h for h in ranked if h.entry.country == INTERNATIONAL], 3))
    about_funding = bool(terms & FUNDING_TERMS) or bool(
        ranked and ranked[0].entry.topic == "funding"
    )
    funding: tuple[FundingItem, ...] = ()
    funding_note = ""
    if about_funding and funding_lookup is not None:
        found, funding_note = funding_lookup(text, codes)
        funding = tuple(found)
    transfer = None
    if assess_transfers:
        flow = read_flow(text, mentions)
        if flow is not None:
            transfer = assess_flow(flow, rule_dirs=transfer_rule_dirs)
    notes: list[str] = []
    if not codes:
        notes.append(Message(N_("No country was named: entries of every country were ranked. "
                                "Name a country (\"in Germany\", \"Chinese\") to narrow the "
                                "answer.")))  # fmt: skip
    if not ranked:
        notes.append(Message(N_("No entry matched these words; try naming the procedure (ethics "
                                "review, trial authorisation, sample export, registration, "
                                "funding).")))  # fmt: skip
    return Answer(
        question=text, countries=codes, mentions=tuple(mentions), ranked=tuple(ranked[:10]),
        by_country=groups, international=international, about_funding=about_funding,
        funding=funding, funding_note=funding_note, transfer=transfer, notes=tuple(notes),
    )  # fmt: skip


def _relevant(hits: list[Hit], limit: int) -> list[Hit]:
    if not hits:
        return []
    best = hits[0].score
    return [h for h in hits if h.score >= RELEVANCE_SHARE * best][:limit]


def _group(
    ranked: list[Hit], codes: Sequence[str], knowledge: KnowledgeBase, topics: Sequence[str]
) -> tuple[CountryAnswer, ...]:
    groups: list[CountryAnswer] = []
    if codes:
        for code in codes:
            where = knowledge.jurisdictions_for(code)
            candidates = [h for h in ranked if h.entry.country in where]
            hits = _relevant(candidates, PER_COUNTRY)
            # A question touching several topics ("run a trial ... samples shipped") gets, for
            # each country, the best entry of every topic it touches, even if others score higher.
            for topic in topics:
                for place in where:
                    best = next(
                        (h for h in candidates
                         if h.entry.topic == topic and h.entry.country == place), None
                    )  # fmt: skip
                    if best is not None and best not in hits:
                        hits.append(best)
            # Entries on the topics the question touches first; within them the country's
            # own entries before the EU-level ones that apply there.
            hits.sort(key=lambda h: (h.entry.topic not in topics, h.entry.country == EU, -h.score))
            groups.append(CountryAnswer(code, display_name(knowledge, code), tuple(hits)))
        return tuple(groups)
    top = _relevant([h for h in ranked if h.entry.country != INTERNATIONAL], 8)
    for code in dict.fromkeys(h.entry.country for h in top):
        own = tuple(h for h in top if h.entry.country == code)
        groups.append(CountryAnswer(code, display_name(knowledge, code), own))
    return tuple(groups)
