"""An answer as people act on it: a short checklist first, plain words, jargon explained.

The assessor's result reaches the helpdesk as plain data whose "missing" lines
name internal facts and rule ids ("exporter_ciio (...) is not stated; needed by
csl-art37-ciio-localisation"); here they become sentences that name what to
find out and which obligation it decides, by the rule's title and legal
reference. The same digest feeds the page, the Markdown and the PDF export.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from permed_atlas.helpdesk.glossary import GlossaryTerm, terms_in
from permed_atlas.helpdesk.models import Answer, Entry, Hit
from permed_atlas.i18n import (
    Message,
    current_language,
    gettext,
    joined,
    lazy_gettext,
    localized,
    translated,
    with_translations,
)
from permed_atlas.i18n import gettext_noop as N_
from permed_atlas.transfer import value_label

CHECKLIST_ENTRIES_PER_COUNTRY = 2
"""At most this many procedures per country in the checklist: it is a summary."""
TRANSFER_ADVICE = N_(
    "For the data transfer, also ask your data protection officer or legal office."
)

# The engine's line for an unstated fact: "<fact> (<what it means>) is not stated; needed by <ids>".
_NEEDED = re.compile(r"^(?P<fact>[a-z][a-z0-9_]*) \((?P<what>.+)\) is not stated; needed by "
                     r"(?P<rules>[a-z0-9][a-z0-9, .-]*)$")  # fmt: skip
_INTERNAL_ID = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One line of the checklist.

    :param kind: ``blocker`` (not allowed as described), ``step`` (to do), ``met``
        (an obligation already satisfied) or ``procedure`` (a country's procedure).
    :param link: where the details are (an entry page), or "".
    :param country: a procedure's jurisdiction code; with ``title`` and ``title_zh`` it lets a
        page write the line in its own language ("" for other kinds).
    """

    text: str
    kind: str
    reference: str = ""
    link: str = ""
    unconfirmed: bool = False
    country: str = ""
    title: str = ""
    title_zh: str = ""


@dataclass(frozen=True)
class Digest:
    """What the page shows above the details, and the exports repeat."""

    countries: tuple[tuple[str, str], ...]
    checklist: tuple[ChecklistItem, ...]
    still_needed: tuple[str, ...]
    glossary: tuple[GlossaryTerm, ...]
    asked_terms: tuple[GlossaryTerm, ...]


def is_confirmed(entry: Entry, confirmations: Mapping[str, Any]) -> bool:
    """Whether an entry is confirmed in its file or by an editor since."""
    return entry.confirmed or entry.id in confirmations


def digest_answer(
    answer: Answer,
    *,
    glossary: Sequence[GlossaryTerm] = (),
    confirmations: Mapping[str, Any] | None = None,
) -> Digest:
    """The checklist, countries, plain open questions and glossary of an answer.

    :param answer: from :func:`answer_question`.
    :param glossary: from :func:`load_glossary`.
    :param confirmations: entry id -> editor confirmation (entries confirmed since their file).
    """
    confirmed = confirmations or {}
    countries = tuple((g.country, g.name) for g in answer.by_country)
    checklist: list[ChecklistItem] = []
    still_needed: list[str] = []
    if answer.transfer is not None:
        if answer.transfer.assessment is not None:
            checklist.extend(transfer_checklist(answer.transfer.assessment))
            still_needed.extend(plain_missing(answer.transfer.assessment))
        still_needed.extend(answer.transfer.flow.missing)
    for group in answer.by_country:
        checklist.extend(_procedures(group.country, group.name, group.hits, confirmed))
    asked = terms_in([answer.question], glossary)
    used = terms_in([answer.question, *(i.text for i in checklist), *still_needed], glossary)
    return Digest(
        countries=countries, checklist=tuple(checklist), still_needed=tuple(still_needed),
        glossary=tuple(used), asked_terms=tuple(asked),
    )  # fmt: skip


def _procedures(
    code: str, country: str, hits: Iterable[Hit], confirmed: Mapping[str, Any]
) -> list[ChecklistItem]:
    items: list[ChecklistItem] = []
    topics: set[str] = set()
    for hit in hits:
        entry = hit.entry
        if entry.topic in topics or len(items) >= CHECKLIST_ENTRIES_PER_COUNTRY:
            continue
        topics.add(entry.topic)
        items.append(ChecklistItem(
            text=f"{country}: {entry.title}", kind="procedure",
            reference=entry.authority, link=f"/helpdesk/entries/{entry.id}",
            unconfirmed=not is_confirmed(entry, confirmed),
            country=code, title=entry.title, title_zh=entry.title_zh,
        ))  # fmt: skip
    return items


def _references(finding: Mapping[str, Any]) -> str:
    refs = finding.get("references") or [finding.get("reference", "")]
    return "; ".join(str(r) for r in refs if r)


def transfer_checklist(assessment: Mapping[str, Any]) -> list[ChecklistItem]:
    """The assessor's prohibitions and obligations as checklist lines, met ones ticked.

    :param assessment: ``assessment_to_dict`` of the transfer assessor.
    """
    items: list[ChecklistItem] = []
    for finding in assessment.get("prohibitions", []):
        if not finding.get("satisfied"):
            text: str = Message(N_("Not allowed as described: %(what)s"), what=_what_to_do(finding))
            items.append(ChecklistItem(text, "blocker", _references(finding)))
    for finding in assessment.get("obligations", []):
        text = _what_to_do(finding)
        met = bool(finding.get("satisfied"))
        if met:
            because = [
                *(value_label(m) for m in finding.get("satisfied_by", [])),
                *finding.get("met_because", []),
            ]
            if because:
                text = Message(N_("%(step)s (met: %(because)s)"), step=text,
                               because=joined([plain(b) if type(b) is str else b
                                               for b in because], ", "))  # fmt: skip
        items.append(ChecklistItem(text, "met" if met else "step", _references(finding)))
    return items


def _term_name(term: GlossaryTerm) -> str:
    """A term's name: its Chinese name in Chinese, else the English one with the Chinese."""
    if term.zh and current_language() == "zh":
        return term.zh
    return f"{term.name} {term.zh}" if term.zh else term.name


def _what_to_do(finding: Mapping[str, Any]) -> Message:
    """A finding's obligation (else its title) with its Chinese, translated where shown."""
    if finding.get("obligation"):
        return with_translations(finding["obligation"], {"zh": finding.get("obligation_zh")})
    return with_translations(finding["title"], {"zh": finding.get("title_zh")})


def plain(text: str) -> str:
    """``text`` with internal identifiers ("broad_research") written as words."""
    return _INTERNAL_ID.sub(lambda m: m.group(0).replace("_", " "), text)


def plain_missing(assessment: Mapping[str, Any]) -> list[str]:
    """What the assessor still needs, as sentences without fact names or rule ids.

    Each unstated fact names the obligations it decides by their titles and
    references; other lines (assumptions the assessor made) are kept as written.

    :param assessment: ``assessment_to_dict`` of the transfer assessor.
    """
    titles = {
        u["rule_id"]: f"{u['title']} ({u['reference']})" for u in assessment.get("undecided", [])
    }
    structured = assessment.get("missing_facts")
    assumed = set(assessment.get("assumptions", []))  # shown as assumptions, not as gaps
    lines: list[str] = []
    for line in assessment.get("missing", []):
        if line in assumed:
            continue
        found = _NEEDED.match(line)
        if found is None:
            lines.append(plain(line))
            continue
        if structured is not None:
            continue  # said below from the structured list
        decides = [titles[r.strip()] for r in found["rules"].split(",") if r.strip() in titles]
        sentence = f"Not stated: {plain(found['what'])}."
        if decides:
            sentence += f" It decides: {'; '.join(dict.fromkeys(decides))}."
        lines.append(sentence)
    for fact in structured or ():
        # Messages: the question is a form label, translated on the page with the sentence.
        what = lazy_gettext(fact["question"])
        if fact.get("needed_for"):
            needed = joined(list(dict.fromkeys(fact["needed_for"])), "; ")
            lines.append(
                Message(N_("Not stated: %(what)s. It decides: %(decides)s."), what=what,
                        decides=needed)
            )  # fmt: skip
        else:
            lines.append(Message(N_("Not stated: %(what)s."), what=what))
    return lines


def digest_to_markdown(
    answer: Answer,
    digest: Digest,
    *,
    url: str,
    disclaimer: str,
    confirmations: Mapping[str, Any] | None = None,
    names: Mapping[str, str] | None = None,
) -> str:
    """The answer as Markdown in the current language: checklist first, then each country.

    :param answer: from :func:`answer_question`.
    :param digest: from :func:`digest_answer`.
    :param url: the bookmarkable address of the answer.
    :param disclaimer: the helpdesk's disclaimer (its English text), printed once.
    :param confirmations: entry id -> editor confirmation.
    :param names: jurisdiction code -> name in the current language (else the English name).
    """
    names = names or {}
    countries = ", ".join(f"{names.get(code, name)} ({code})" for code, name in digest.countries)
    advice = f" {gettext(TRANSFER_ADVICE)}" if answer.transfer is not None else ""
    lines = [
        "# " + gettext("Helpdesk answer: %(question)s") % {"question": answer.question}, "",
        f"> **{gettext(disclaimer)}**{advice}", "",
        gettext("Countries: %(names)s") % {"names": countries or gettext("none named")} + "  ",
        gettext("This answer: %(url)s") % {"url": f"<{url}>"}, "",
        "## " + gettext("Checklist"), "",
    ]  # fmt: skip
    marks = {"met": "[x]", "blocker": "[ ] ✗"}
    for item in digest.checklist:
        ref = f" ({item.reference})" if item.reference else ""
        flag = " — " + gettext("unconfirmed") if item.unconfirmed else ""
        text = translated(item.text)
        if item.country:  # a procedure: the page's own line, its title in the page's language
            title = localized(item.title, {"zh": item.title_zh})
            text = f"{names.get(item.country, item.country)}: {title}"
        lines.append(f"- {marks.get(item.kind, '[ ]')} {text}{ref}{flag}")
    if digest.still_needed:
        lines += ["", "## " + gettext("Still to find out"), ""]
        lines += [f"- {translated(line)}" for line in digest.still_needed]
    if digest.glossary:
        lines += ["", "## " + gettext("Terms"), ""]
        lines += [f"- **{t.term}** ({_term_name(t)}): "
                  f"{localized(t.explanation, {'zh': t.explanation_zh})} ({t.reference})"
                  for t in digest.glossary]  # fmt: skip
    if answer.transfer is not None and answer.transfer.assessment is not None:
        verdict = gettext(answer.transfer.assessment.get("verdict", ""))
        said = gettext("Transfer assessor's verdict: %(verdict)s") % {"verdict": f"**{verdict}**"}
        lines += ["", "## " + gettext("Sample and data flow"), "", said]
        lines += [f"- {translated(line)}" for line in answer.transfer.flow.derived]
    for group in answer.by_country:
        lines += ["", f"## {names.get(group.country, group.name)}"]
        lines += _entry_markdown([h.entry for h in group.hits], confirmations or {})
    for note in answer.notes:
        lines += ["", f"_{translated(note)}_"]
    return "\n".join(lines) + "\n"


def _entry_markdown(entries: Iterable[Entry], confirmations: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    for entry in entries:
        confirmed = is_confirmed(entry, confirmations)
        flag = "" if confirmed else " (" + gettext("unconfirmed") + ")"
        title = localized(entry.title, {"zh": entry.title_zh})
        summary = localized(entry.summary, {"zh": entry.summary_zh})
        lines += ["", f"### {title}{flag}", "", str(summary), ""]
        for number, step in enumerate(entry.procedure, start=1):
            ref = f" [{step.ref}]" if step.ref else ""
            lines.append(f"{number}. {localized(step.text, {'zh': step.text_zh})}{ref}")
        references = "; ".join(str(r) for r in entry.references)
        lines += [
            "", "- " + gettext("Authority: %(value)s") % {"value": entry.authority},
            "- " + gettext("Timeline: %(value)s") % {"value": entry.timeline},
            "- " + gettext("References: %(value)s") % {"value": references},
            "- " + gettext("Source: %(source)s, checked %(date)s")
            % {"source": f"<{entry.source}>", "date": entry.date_checked},
        ]  # fmt: skip
        if not confirmed and entry.caveat:
            lines.append("- " + gettext("Not confirmed: %(caveat)s") % {"caveat": entry.caveat})
    return lines
