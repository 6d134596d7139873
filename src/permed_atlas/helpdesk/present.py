"""Answers, comparisons and entries as plain data (the JSON API's bodies and ``--format json``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from permed_atlas.helpdesk.digest import Digest
from permed_atlas.helpdesk.models import Answer, Comparison, Entry, Hit
from permed_atlas.i18n import gettext_noop as N_

DISCLAIMER = N_(
    "Guidance, not legal advice: written from the legal texts and official pages as of the "
    "date checked on each entry; entries marked unconfirmed could not be checked against their "
    "source. Check the current texts with the authority named."
)


def review_state(entry: Entry, confirmations: Mapping[str, Any] | None) -> dict[str, Any]:
    """Whether an entry is confirmed, and by what: its file, or an editor with source and date.

    :param entry: a knowledge entry.
    :param confirmations: entry id -> the newest editor confirmation.
    """
    confirmation = (confirmations or {}).get(entry.id)
    if confirmation is not None:
        return {
            "state": "confirmed",
            "by": "editor",
            "source": confirmation.source,
            "checked_on": confirmation.checked_on.isoformat(),
            "note": confirmation.note,
        }
    if entry.confirmed:
        return {"state": "confirmed", "by": "file", "source": entry.source,
                "checked_on": entry.date_checked, "note": ""}  # fmt: skip
    return {"state": "unconfirmed", "by": None, "source": entry.source,
            "checked_on": entry.date_checked, "note": entry.caveat}  # fmt: skip


def entry_to_dict(
    entry: Entry, *, confirmations: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """One entry with all its fields and its review state.

    :param entry: a knowledge entry.
    :param confirmations: entry id -> the newest editor confirmation.
    """
    data = asdict(entry)
    data["review"] = review_state(entry, confirmations)
    data["confirmed"] = data["review"]["state"] == "confirmed"
    data.pop("path", None)
    data["topic_label"] = entry.topic_label
    data["references"] = [
        {"law": r.law, "article": r.article, "text": str(r)} for r in entry.references
    ]
    data["procedure"] = [
        {"text": s.text, "ref": s.ref, "text_zh": s.text_zh} for s in entry.procedure
    ]
    return data


def _hit(hit: Hit, confirmations: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"score": hit.score, "matched_terms": list(hit.matched_terms),
            "entry": entry_to_dict(hit.entry, confirmations=confirmations)}  # fmt: skip


def _digest(digest: Digest | None) -> dict[str, Any]:
    if digest is None:
        return {}
    return {
        "checklist": [asdict(item) for item in digest.checklist],
        "still_needed": list(digest.still_needed),
        "glossary": [asdict(term) for term in digest.glossary],
    }


def answer_to_dict(
    answer: Answer,
    *,
    digest: Digest | None = None,
    confirmations: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The answer: checklist, countries, per-country entries, funding, transfer guidance, notes.

    :param answer: from :func:`answer_question`.
    :param digest: from :func:`digest_answer`: adds the checklist, open questions and terms.
    :param confirmations: entry id -> editor confirmation, for the entries' review state.
    """
    transfer = None
    if answer.transfer is not None:
        flow = answer.transfer.flow
        transfer = {
            "label": "Guidance from the transfer assessor, not legal advice",
            "disclaimer": answer.transfer.disclaimer,
            "flow": {
                "origin": flow.origin, "destination": flow.destination,
                "data_categories": list(flow.data_categories), "scenario": flow.scenario(),
                "read_from_question": list(flow.derived), "missing": list(flow.missing),
            },
            "assessment": answer.transfer.assessment,
        }  # fmt: skip
    return {
        "question": answer.question,
        "disclaimer": DISCLAIMER,
        "countries": list(answer.countries),
        "country_mentions": [
            {"code": m.code, "text": m.text, "start": m.start, "end": m.end}
            for m in answer.mentions
        ],
        **_digest(digest),
        "by_country": [
            {
                "country": g.country,
                "name": g.name,
                "entries": [_hit(h, confirmations) for h in g.hits],
            }
            for g in answer.by_country
        ],
        "international": [_hit(h, confirmations) for h in answer.international],
        "ranked": [{"id": h.entry.id, "score": h.score} for h in answer.ranked],
        "about_funding": answer.about_funding,
        "funding": [asdict(item) for item in answer.funding],
        "funding_note": answer.funding_note,
        "transfer": transfer,
        "notes": list(answer.notes),
    }


def comparison_to_dict(comparison: Comparison) -> dict[str, Any]:
    """The comparison: one column per country with its entries and the EU-level ones.

    :param comparison: from :func:`compare_topic`.
    """
    return {
        "topic": comparison.topic,
        "topic_label": comparison.topic_label,
        "disclaimer": DISCLAIMER,
        "columns": [
            {"country": c.country, "name": c.name,
             "entries": [entry_to_dict(e) for e in c.entries],
             "eu_entries": [entry_to_dict(e) for e in c.eu_entries]}
            for c in comparison.columns
        ],
    }  # fmt: skip
