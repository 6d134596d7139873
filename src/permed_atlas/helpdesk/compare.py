"""The same topic across countries, side by side, and listing entries by country and topic."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from permed_atlas.helpdesk.errors import HelpdeskInputError
from permed_atlas.helpdesk.knowledge import country_name, display_name
from permed_atlas.helpdesk.models import (
    EU,
    TOPICS,
    Comparison,
    ComparisonColumn,
    Entry,
    KnowledgeBase,
)
from permed_atlas.i18n import Message, require_one_of


def check_topic(topic: str | None) -> str | None:
    """``topic`` if known (None stays None), else HelpdeskInputError naming ``topic``.

    :param topic: a topic id, e.g. ``ethics_review``.
    """
    if topic is None or topic == "":
        return None
    cleaned = topic.strip().lower().replace("-", "_").replace(" ", "_")
    require_one_of(
        "unknown topic %(value)s; one of %(options)s",
        value=topic,
        key=cleaned,
        options=TOPICS,
        error=partial(HelpdeskInputError, field="topic"),
    )
    return cleaned


def check_country(code: str | None, *, field: str = "country") -> str | None:
    """An upper-case jurisdiction code (ISO alpha-2, EU or INT), or HelpdeskInputError.

    :param code: what the user gave.
    :param field: the field name for the error.
    """
    if code is None or code == "":
        return None
    cleaned = code.strip().upper()
    if country_name(cleaned) is None:
        raise HelpdeskInputError(
            Message(
                "unknown country code %(code)s: use an ISO 3166-1 alpha-2 code (DE, CN), EU or INT",
                code=repr(code),
            ),
            field=field,
        )
    return cleaned


def list_entries(
    knowledge: KnowledgeBase, *, country: str | None = None, topic: str | None = None
) -> list[Entry]:
    """Entries of one jurisdiction and/or topic, sorted by country, topic and id.

    :param knowledge: from :func:`load_knowledge`.
    :param country: a jurisdiction code; an EU member also gets the EU-level entries.
    :param topic: a topic id.
    """
    code = check_country(country)
    wanted = check_topic(topic)
    places = set(knowledge.jurisdictions_for(code)) if code else None
    found = [
        e for e in knowledge.entries
        if (places is None or e.country in places) and (wanted is None or e.topic == wanted)
    ]  # fmt: skip
    return sorted(found, key=lambda e: (e.country == EU, e.country, e.topic, e.id))


def compare_topic(knowledge: KnowledgeBase, *, topic: str, countries: Sequence[str]) -> Comparison:
    """One column per country with its entries on ``topic`` and the EU-level ones that apply.

    :param knowledge: from :func:`load_knowledge`.
    :param topic: a topic id.
    :param countries: two or more jurisdiction codes.
    :raises HelpdeskInputError: unknown topic or country, or fewer than two countries.
    """
    wanted = check_topic(topic)
    if wanted is None:
        raise HelpdeskInputError(
            Message("is required; one of %(options)s", options=", ".join(TOPICS)),
            field="topic",
        )
    codes = list(dict.fromkeys(c for c in (check_country(x) for x in countries) if c))
    if len(codes) < 2:
        raise HelpdeskInputError(
            Message("give at least two countries to compare"),
            field="country",
        )
    columns = []
    for code in codes:
        own = tuple(e for e in knowledge.entries if e.country == code and e.topic == wanted)
        eu: tuple[Entry, ...] = ()
        if code != EU and code in knowledge.eu_members:
            eu = tuple(e for e in knowledge.entries if e.country == EU and e.topic == wanted)
        columns.append(ComparisonColumn(code, display_name(knowledge, code), own, eu))
    return Comparison(wanted, TOPICS[wanted], tuple(columns))
