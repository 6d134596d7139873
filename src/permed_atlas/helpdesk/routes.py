"""Helpdesk pages (/helpdesk) and their JSON twins (/api/v1/helpdesk).

Asking stores nothing, so the question box is a GET form: an answer's address
is its bookmark, and ``/helpdesk/answer.md`` and ``/helpdesk/answer.pdf`` with
the same query export it. Bad input (an empty question, unknown country or
topic) gets 422 naming the field; an unknown entry id gets 404. Confirming an
entry is the one write: editors only, CSRF-checked, audited.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Form, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.responses import Response

from permed_atlas import pdf
from permed_atlas.helpdesk.answer import answer_question
from permed_atlas.helpdesk.compare import check_country, check_topic, compare_topic, list_entries
from permed_atlas.helpdesk.digest import TRANSFER_ADVICE, Digest, digest_answer, digest_to_markdown
from permed_atlas.helpdesk.errors import EntryNotFoundError, HelpdeskInputError
from permed_atlas.helpdesk.funding import directory_entries, find_funding
from permed_atlas.helpdesk.glossary import load_glossary, terms_in
from permed_atlas.helpdesk.knowledge import display_name, load_knowledge, localized_display_name
from permed_atlas.helpdesk.models import TOPICS, Answer, FundingItem, KnowledgeBase
from permed_atlas.helpdesk.present import (
    DISCLAIMER,
    answer_to_dict,
    comparison_to_dict,
    entry_to_dict,
)
from permed_atlas.helpdesk.schemas import (
    HelpdeskAnswerPublic,
    HelpdeskComparisonPublic,
    HelpdeskEntriesPublic,
    HelpdeskEntryPublic,
    HelpdeskTopicsPublic,
)
from permed_atlas.helpdesk.store import confirm_entry, latest_confirmations
from permed_atlas.i18n import Message, current_language
from permed_atlas.settings import Settings, existing_dirs
from permed_atlas.web.deps import (
    CsrfProtected,
    CurrentUser,
    EditorUser,
    HeavyWork,
    HeavyWorkIfAsked,
    PdfWork,
    SessionDep,
    SettingsDep,
    capability_routers,
    download,
    is_editor,
    render,
    see_other,
)

__all__ = ["api_router", "router"]

router, api_router = capability_routers("helpdesk")

QuestionQuery = Annotated[str, Query(description="The question in plain words.", max_length=4000)]
CountryQuery = Annotated[
    list[str], Query(description="Jurisdiction codes (ISO alpha-2, EU, INT); repeat.")
]
EXAMPLE = (
    "We want to run a pharmacogenomic trial in Germany and China with samples shipped to Germany"
)
# The same question as a Chinese reader asks it (the helpdesk reads Chinese questions too).
EXAMPLE_ZH = "我们想在德国和中国开展一项药物基因组学试验，样本运往德国"


def _knowledge(settings: Settings) -> KnowledgeBase:
    # A deployment corrects or adds entries by dropping files here; no code change.
    return load_knowledge(existing_dirs(settings.helpdesk_knowledge_dir))


def _lookup(session: Session, knowledge: KnowledgeBase) -> Any:
    def lookup(question: str, codes: Sequence[str]) -> tuple[list[FundingItem], str]:
        return find_funding(session, question=question, countries=codes, knowledge=knowledge)

    return lookup


def _base_context(knowledge: KnowledgeBase) -> dict[str, Any]:
    codes = sorted({e.country for e in knowledge.entries})
    return {
        "disclaimer": DISCLAIMER, "topics": TOPICS,
        "example": EXAMPLE_ZH if current_language() == "zh" else EXAMPLE,
        "jurisdictions": [(c, display_name(knowledge, c)) for c in codes],
        # Names in the page's language for headings (the JSON keeps the English ``name``).
        "jurisdiction_names": {c: localized_display_name(knowledge, c) for c in codes},
    }  # fmt: skip


def _answer(settings: Settings, session: Session, q: str) -> tuple[Answer, Digest]:
    knowledge = _knowledge(settings)
    rule_dirs = existing_dirs(settings.transfer_rules_dir)  # the transfer pages' extra rules
    answer = answer_question(q, knowledge=knowledge, funding_lookup=_lookup(session, knowledge),
                             transfer_rule_dirs=rule_dirs)  # fmt: skip
    digest = digest_answer(
        answer, glossary=load_glossary(), confirmations=latest_confirmations(session)
    )
    return answer, digest


def _answer_context(answer: Answer, digest: Digest, session: Session) -> dict[str, Any]:
    query = urlencode({"q": answer.question})
    return {
        "answer": answer, "digest": digest, "query": query,
        "confirmations": latest_confirmations(session), "transfer_advice": TRANSFER_ADVICE,
    }  # fmt: skip


def _permalink(request: Request, answer: Answer) -> str:
    """The page showing this answer, which its downloads link back to."""
    return str(request.url_for("helpdesk_page").include_query_params(q=answer.question))


@router.get("/")
def helpdesk_page(
    _answering: HeavyWorkIfAsked,
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    q: str | None = None,
) -> Response:
    """The question box and, for a question, a checklist and the answer grouped by country."""
    knowledge = _knowledge(settings)
    context = _base_context(knowledge) | {"q": q or "", "answer": None, "error": None}
    if q is None:
        return render(request, "helpdesk/index.html", context)
    try:
        answer, digest = _answer(settings, session, q)
    except HelpdeskInputError as exc:
        return render(request, "helpdesk/index.html", context | {"error": exc}, status_code=422)
    return render(
        request, "helpdesk/index.html", context | _answer_context(answer, digest, session)
    )


@router.get("/answer.md")
def answer_markdown(
    _answering: HeavyWork,
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    q: QuestionQuery,
) -> Response:
    """The answer as a Markdown file: checklist, open questions, terms, entries."""
    answer, digest = _answer(settings, session, q)
    url = _permalink(request, answer)
    # in the request's language (?lang=zh), like the page it downloads from
    names = _base_context(_knowledge(settings))["jurisdiction_names"]
    text = digest_to_markdown(answer, digest, url=url, disclaimer=DISCLAIMER,
                              confirmations=latest_confirmations(session), names=names)  # fmt: skip
    return download(text, media_type="text/markdown; charset=utf-8", filename="helpdesk-answer.md")


@router.get("/answer.pdf")
def answer_pdf(
    _printing: PdfWork,
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    q: QuestionQuery,
) -> Response:
    """The answer as a PDF, printed by headless Chromium from a self-contained page."""
    answer, digest = _answer(settings, session, q)
    context = _base_context(_knowledge(settings)) | _answer_context(answer, digest, session)
    context["permalink"] = _permalink(request, answer)
    html = bytes(render(request, "helpdesk/answer_print.html", context).body).decode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        path = pdf.write_pdf(html, Path(tmp) / "answer.pdf")
        body = path.read_bytes()
    return download(body, media_type="application/pdf", filename="helpdesk-answer.pdf")


@router.get("/compare")
def compare_page(
    request: Request,
    settings: SettingsDep,
    topic: str | None = None,
    country: Annotated[list[str] | None, Query()] = None,
) -> Response:
    """The same topic across countries, side by side."""
    knowledge = _knowledge(settings)
    chosen = [c for c in (country or []) if c]
    context = _base_context(knowledge) | {
        "topic": topic or "", "countries": chosen, "comparison": None, "error": None,
    }  # fmt: skip
    if not topic and not chosen:
        return render(request, "helpdesk/compare.html", context)
    try:
        comparison = compare_topic(knowledge, topic=topic or "", countries=chosen)
    except HelpdeskInputError as exc:
        return render(request, "helpdesk/compare.html", context | {"error": exc}, status_code=422)
    return render(request, "helpdesk/compare.html", context | {"comparison": comparison})


@router.get("/entries")
def entries_page(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    country: str | None = None,
    topic: str | None = None,
    review: str | None = None,
) -> Response:
    """Every entry, filtered by country (with the EU-level ones), topic and review state."""
    knowledge = _knowledge(settings)
    entries = list_entries(knowledge, country=country, topic=topic)
    confirmations = latest_confirmations(session)
    if review not in (None, "", "unconfirmed", "confirmed"):
        raise HelpdeskInputError(Message("must be confirmed or unconfirmed"), field="review")
    if review:
        wanted = review == "confirmed"
        entries = [e for e in entries if (e.confirmed or e.id in confirmations) is wanted]
    context = _base_context(knowledge) | {
        "entries": entries, "country": check_country(country) or "",
        "topic": check_topic(topic) or "", "review": review or "",
        "confirmations": confirmations,
    }  # fmt: skip
    return render(request, "helpdesk/entries.html", context)


def _entry_context(
    request: Request, settings: Settings, session: Session, entry_id: str, user: Any
) -> dict[str, Any]:
    knowledge = _knowledge(settings)
    entry = knowledge.get(entry_id)
    if entry is None:
        raise EntryNotFoundError(entry_id)
    related = [e for e in (knowledge.get(r) for r in entry.related) if e is not None]
    directory = directory_entries(session, ids=entry.directory_ids)
    glossary = terms_in([entry.title, entry.summary, *(s.text for s in entry.procedure)],
                        load_glossary())  # fmt: skip
    return _base_context(knowledge) | {
        "entry": entry, "related": related, "directory": directory,
        "country_name": localized_display_name(knowledge, entry.country),
        "confirmations": latest_confirmations(session), "glossary": glossary,
        "is_editor": is_editor(user),
        "values": {"source": entry.source, "checked_on": "", "note": ""}, "form_error": None,
    }  # fmt: skip


@router.get("/entries/{entry_id}")
def entry_page(
    request: Request,
    entry_id: str,
    settings: SettingsDep,
    session: SessionDep,
    user: CurrentUser,
) -> Response:
    """One entry: procedure with references, timeline, documents, fees, source, review state."""
    context = _entry_context(request, settings, session, entry_id, user)
    return render(request, "helpdesk/entry.html", context)


@router.post("/entries/{entry_id}/confirm")
def confirm_entry_submit(
    request: Request,
    entry_id: str,
    settings: SettingsDep,
    session: SessionDep,
    editor: EditorUser,
    _csrf: CsrfProtected,
    source: Annotated[str, Form(max_length=2000)] = "",
    checked_on: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """An editor confirms the entry against a source on a date (audited)."""
    context = _entry_context(request, settings, session, entry_id, editor)
    try:
        confirm_entry(session, entry_id, source=source, checked_on=checked_on, note=note,
                      actor_id=editor.id)  # fmt: skip
    except HelpdeskInputError as exc:
        session.rollback()
        values = {"source": source, "checked_on": checked_on, "note": note}
        return render(
            request,
            "helpdesk/entry.html",
            context | {"values": values, "form_error": exc},
            status_code=422,
        )
    session.commit()
    return see_other(f"/helpdesk/entries/{entry_id}")


@api_router.get("/ask", response_model=HelpdeskAnswerPublic)
def api_ask(
    _answering: HeavyWork, q: QuestionQuery, settings: SettingsDep, session: SessionDep
) -> dict[str, Any]:
    """Answer a question: a checklist, entries per country with references, funding, transfer
    guidance and the terms it uses explained.

    Guidance, not legal advice. An empty question: 422 naming ``question``.
    """
    answer, digest = _answer(settings, session, q)
    return answer_to_dict(answer, digest=digest, confirmations=latest_confirmations(session))


@api_router.get("/compare", response_model=HelpdeskComparisonPublic)
def api_compare(
    settings: SettingsDep,
    topic: Annotated[str, Query(description="Topic id, e.g. ethics_review.")],
    country: CountryQuery,
) -> dict[str, Any]:
    """One topic across two or more countries; unknown topic or country: 422 naming it."""
    comparison = compare_topic(_knowledge(settings), topic=topic, countries=country)
    return comparison_to_dict(comparison)


@api_router.get("/entries", response_model=HelpdeskEntriesPublic)
def api_entries(
    settings: SettingsDep,
    session: SessionDep,
    country: str | None = None,
    topic: str | None = None,
) -> dict[str, Any]:
    """Entries of a country (with the EU-level ones that apply) and/or topic."""
    entries = list_entries(_knowledge(settings), country=country, topic=topic)
    confirmations = latest_confirmations(session)
    return {
        "disclaimer": DISCLAIMER,
        "entries": [entry_to_dict(e, confirmations=confirmations) for e in entries],
    }


@api_router.get("/entries/{entry_id}", response_model=HelpdeskEntryPublic)
def api_entry(entry_id: str, settings: SettingsDep, session: SessionDep) -> dict[str, Any]:
    """One entry with all its fields and its review state; 404 for an unknown id."""
    entry = _knowledge(settings).get(entry_id)
    if entry is None:
        raise EntryNotFoundError(entry_id)
    return entry_to_dict(entry, confirmations=latest_confirmations(session))


class ConfirmationCreate(BaseModel):
    """An editor's confirmation: the source checked, the date (YYYY-MM-DD), an optional note."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(max_length=2000, examples=["https://www.bfarm.de/"])
    checked_on: str = Field(max_length=20, examples=["2026-12-01"])
    note: str = Field(default="", max_length=2000)


@api_router.post("/entries/{entry_id}/confirm", response_model=HelpdeskEntryPublic)
def api_confirm_entry(
    entry_id: str,
    body: ConfirmationCreate,
    settings: SettingsDep,
    session: SessionDep,
    editor: EditorUser,
    _csrf: CsrfProtected,
) -> dict[str, Any]:
    """Confirm an entry against a source on a date (editors; CSRF header; audited).

    Returns the entry with its new review state; a bad source or date: 422 naming the field.
    """
    entry = _knowledge(settings).get(entry_id)
    if entry is None:
        raise EntryNotFoundError(entry_id)
    confirm_entry(session, entry_id, source=body.source, checked_on=body.checked_on,
                  note=body.note, actor_id=editor.id)  # fmt: skip
    session.commit()
    return entry_to_dict(entry, confirmations=latest_confirmations(session))


@api_router.get("/topics", response_model=HelpdeskTopicsPublic)
def api_topics() -> dict[str, str]:
    """Topic ids and their labels."""
    return dict(TOPICS)
