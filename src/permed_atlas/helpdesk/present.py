"""Answers, comparisons and entries as plain data (the JSON API's bodies and ``--format json``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from permed_atlas.helpdesk.models import Answer, Comparison, Entry, Hit

DISCLAIMER = (
    "Guidance, not legal advice: written from the legal texts and official pages as of the "
    "date checked on each entry; entries marked unconfirmed could not be checked against their "
    "source. Check the current texts with the authority named."
)


def entry_to_dict(entry: Entry) -> dict[str, Any]:
    """One entry with all its fields.

    :param entry: a knowledge entry.
    """
    data = asdict(entry)
    data.pop("path", None)
    data["topic_label"] = entry.topic_label
    data["references"] = [
        {"law": r.law, "article": r.article, "text": str(r)} for r in entry.references
    ]
    data["procedure"] = [{"text": s.text, "ref": s.ref} for s in entry.procedure]
    return data


def _hit(hit: Hit) -> dict[str, Any]:
    return {"score": hit.score, "matched_terms": list(hit.matched_terms),
            "entry": entry_to_dict(hit.entry)}  # fmt: skip


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """The answer: countries, per-country entries, funding, transfer guidance, notes.

    :param answer: from :func:`answer_question`.
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
        "by_country": [
            {"country": g.country, "name": g.name, "entries": [_hit(h) for h in g.hits]}
            for g in answer.by_country
        ],
        "international": [_hit(h) for h in answer.international],
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
