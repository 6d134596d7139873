"""The DUO data use modifiers as one table; each check returns (status, reason).

Two kinds of modifier:

* Restrictions on the *use* (NCU, NPU, NPUNCU, GSO, NMDS, NPOA, RS) are decided
  from the request's purpose and statements; an unstated fact fails, because
  silence is not consent.
* Conditions the *dataset* sets on the requester (IRB, COL, PUB, MOR, RTN, US,
  PS, IS, GS, TS) are obligations an access committee verifies. A requester's
  own "yes" is not proof, so the outcome is "needs committee review"; a stated
  "no" (or a country outside the region, a period over the limit) still fails.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from permed_atlas.countries import EU_EEA, CountryError, resolve_country
from permed_atlas.datafiles import BUNDLED_DATA_DIR
from permed_atlas.i18n import Message, current_language

if TYPE_CHECKING:
    from permed_atlas.transfer.duo import DuoOntology, DuoTerm
    from permed_atlas.transfer.duo_match import ConsentTerm, DataUseRequest

Status = Literal["holds", "fails", "review"]
HOLDS: Status = "holds"
FAILS: Status = "fails"
REVIEW: Status = "review"


@dataclass(frozen=True, slots=True)
class Attestation:
    """A fact the request states, and the value a modifier needs.

    :param field: the :class:`DataUseRequest` attribute.
    :param wanted: the value the consent needs.
    :param help: what the field means, for the CLI and API.
    """

    field: str
    wanted: bool
    help: str


class Requirement(str):
    """A modifier's requirement in words: English as a ``str`` (the API, the CLI), our Chinese
    (``requirement_zh`` of modifiers.csv, PerMed Atlas translation) where a reason is shown
    translated."""

    zh: str

    def __new__(cls, english: str, zh: str = "") -> Requirement:
        text = super().__new__(cls, english)
        text.zh = zh
        return text

    def translated(self) -> str:
        """The requirement in the current language (English where ours is missing)."""
        return self.zh if current_language() == "zh" and self.zh else str.__str__(self)

    def __reduce__(self) -> tuple[object, ...]:
        return (Requirement, (str.__str__(self), self.zh))


@dataclass(frozen=True, slots=True)
class ModifierRule:
    """How one modifier is checked.

    :param what: the requirement in words ("non-commercial use").
    :param what_zh: the same in Chinese (ours; "" where not translated).
    :param attestations: request facts that must all have the wanted value.
    :param decided_by_aspect: a purpose aspect (from purposes.csv) that decides
        alone, and whether it satisfies (True) or breaks (False) the modifier.
    :param committee: the condition is the dataset's, verified by its access committee.
    :param valued: the modifier carries a value checked by a function below
        (months for TS, regions for GS, research types for RS).
    """

    what: str
    attestations: tuple[Attestation, ...] = ()
    what_zh: str = ""
    decided_by_aspect: tuple[str, bool] | None = None
    committee: bool = False
    valued: bool = False


@dataclass(frozen=True, slots=True)
class ModifierCase:
    """One modifier of a consent and everything a check may read to decide it.

    :param term: the modifier's ontology term.
    :param item: the consent's use of it, with its values (months, regions, research types).
    :param request: the requester's purpose and statements.
    :param aspect: the purpose's aspect (from purposes.csv), "" when it has none.
    :param ontology: the DUO ontology, to place research types.
    :param region_sets: region code -> member countries; the bundled sets when None.
    :param purpose: the purpose term the request resolves to, if any.
    """

    term: DuoTerm
    item: ConsentTerm
    request: DataUseRequest
    aspect: str
    ontology: DuoOntology
    region_sets: Mapping[str, Collection[str]] | None
    purpose: DuoTerm | None


_DUO_DATA = BUNDLED_DATA_DIR / "duo"
_YES_NO = {"yes": True, "no": False}


def _read_csv(name: str) -> list[dict[str, str]]:
    with (_DUO_DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _modifier_rule(row: Mapping[str, str], helps: Mapping[str, str]) -> ModifierRule:
    """One row of ``modifiers.csv``: ``attests`` lists ``field=yes|no`` separated by spaces."""
    attestations = tuple(
        Attestation(field, _YES_NO[wanted], helps[field])
        for field, wanted in (pair.split("=") for pair in row["attests"].split())
    )
    aspect = row["aspect"].split("=") if row["aspect"] else None
    return ModifierRule(
        row["requirement"],
        attestations,
        decided_by_aspect=(aspect[0], _YES_NO[aspect[1]]) if aspect else None,
        committee=_YES_NO[row["committee"]],
        valued=_YES_NO[row["valued"]],
        what_zh=(row.get("requirement_zh") or "").strip(),
    )


def _modifier_rules() -> dict[str, ModifierRule]:
    helps = {row["field"]: row["help"] for row in _read_csv("attestations.csv")}
    return {row["shorthand"]: _modifier_rule(row, helps) for row in _read_csv("modifiers.csv")}


# Keyed by shorthand, read from data/duo/modifiers.csv (ours, like purposes.csv); the
# ontology's modifier terms are checked against this table at test time, so a release
# that adds a modifier fails loudly.
MODIFIER_RULES: dict[str, ModifierRule] = _modifier_rules()


def check_modifier(case: ModifierCase) -> tuple[Status, str]:
    """Whether one modifier of the consent holds for the request, and why."""
    term, aspect = case.term, case.aspect
    rule = MODIFIER_RULES.get(term.shorthand or "")
    if rule is None:
        # A modifier this release adds that we have no rule for cannot be assumed to hold.
        return (
            FAILS,
            Message(
                "%(name)s: no check is implemented for this modifier, so it is not satisfied",
                name=term.name,
            ),
        )
    if rule.decided_by_aspect is not None and aspect == rule.decided_by_aspect[0]:
        if rule.decided_by_aspect[1]:
            return HOLDS, Message(
                "%(name)s: the purpose is %(aspect)s research",
                name=term.name,
                aspect=aspect,
            )
        return FAILS, Message(
            "%(name)s forbids the request's %(aspect)s research purpose",
            name=term.name,
            aspect=aspect,
        )
    if term.shorthand == "NPOA":
        if aspect == "ancestry":
            return FAILS, Message(
                "%(name)s forbids the request's population origins/ancestry research",
                name=term.name,
            )
        return HOLDS, Message(
            "%(name)s: the purpose is not ancestry research",
            name=term.name,
        )
    if rule.valued:
        status, why = _VALUED[term.shorthand or ""](case)
    else:
        status, why = _attested(case, rule)
    if status == HOLDS and rule.committee:
        return REVIEW, Message(
            "%(why)s; %(committee)s",
            why=why,
            committee=_COMMITTEE,
        )
    return status, why


_COMMITTEE = Message(
    "the requester's own statement is not proof, so the access committee must verify it"
)


def _attested(case: ModifierCase, rule: ModifierRule) -> tuple[Status, str]:
    term, item, request = case.term, case.item, case.request
    values = f" ({', '.join(item.values)})" if item.values else ""
    what = Requirement(rule.what + values, rule.what_zh + values if rule.what_zh else "")
    stated: list[str] = []
    for attestation in rule.attestations:
        value = getattr(request, attestation.field)
        if value is None:
            if rule.committee:
                return REVIEW, (
                    Message(
                        "%(name)s requires %(what)s; the request does not state "
                        "%(field)s, so the access committee must check it",
                        name=term.name,
                        what=what,
                        field=attestation.field,
                    )
                )
            return (
                FAILS,
                Message(
                    "%(name)s requires %(what)s; the request does not state %(field)s",
                    name=term.name,
                    what=what,
                    field=attestation.field,
                ),
            )
        if value is not attestation.wanted:
            return FAILS, (
                Message(
                    "%(name)s forbids this: %(field)s=%(value)s but it requires %(what)s",
                    name=term.name,
                    field=attestation.field,
                    value=str(value).lower(),
                    what=what,
                )
            )
        stated.append(f"{attestation.field}={str(value).lower()}")
    return HOLDS, Message(
        "%(name)s: satisfied (%(options)s)",
        name=term.name,
        options=", ".join(stated),
    )


def _time_limit(case: ModifierCase) -> tuple[Status, str]:
    term, item, r = case.term, case.item, case.request
    if not item.values or not item.values[0].isdecimal():
        return FAILS, Message(
            "%(name)s names no number of months, so it cannot be checked",
            name=term.name,
        )
    limit = int(item.values[0])
    if r.duration_months is None:
        return REVIEW, (
            Message(
                "%(name)s limits use to %(limit)s months; the request states no "
                "duration_months, so the access committee must set the period",
                name=term.name,
                limit=limit,
            )
        )
    if r.duration_months <= limit:
        return HOLDS, Message(
            "%(name)s: %(duration_months)s months is within the %(limit)s-month limit",
            name=term.name,
            duration_months=r.duration_months,
            limit=limit,
        )
    return FAILS, Message(
        "%(name)s: %(duration_months)s months exceeds the %(limit)s-month limit",
        name=term.name,
        duration_months=r.duration_months,
        limit=limit,
    )


def _geography(case: ModifierCase) -> tuple[Status, str]:
    term, item, r = case.term, case.item, case.request
    if not item.values:
        return FAILS, Message(
            "%(name)s names no region, so no request can be checked against it",
            name=term.name,
        )
    allowed = ", ".join(item.values)
    if not r.country and not r.regions:
        return REVIEW, (
            Message(
                "%(name)s limits use to %(allowed)s; the request states no "
                "country or region, so the access committee must check where the "
                "data will be used",
                name=term.name,
                allowed=allowed,
            )
        )
    region_sets = _upper_keys(case.region_sets)
    # A name or alpha-3 code ("Germany", "DEU") is the same country as "DE": compared as
    # typed, the requester would be told it is outside a region it is in.
    country = resolve_country(r.country, field="country") if r.country else ""
    own_regions = {_place(x, region_sets) or x.strip().upper() for x in r.regions}
    unread: list[str] = []
    for value in item.values:
        key = _place(value, region_sets)
        if key is None:
            unread.append(value)
        elif key == country or key in own_regions:
            return HOLDS, Message(
                "%(name)s: the requester (%(value)s) is within %(value2)s",
                name=term.name,
                value=country or key,
                value2=value,
            )
        elif country in region_sets.get(key, ()):
            return HOLDS, Message(
                "%(name)s: the requester's country %(country)s is in region %(value)s",
                name=term.name,
                country=country,
                value=value,
            )
    who = country or ", ".join(sorted(own_regions))
    if unread:
        # A value we cannot place may still cover the requester; "outside" would be a guess.
        return REVIEW, Message(
            "%(name)s limits use to %(allowed)s; %(values)s is neither a country nor a "
            "region known here, so the access committee must check whether the requester "
            "(%(who)s) is within it",
            name=term.name,
            allowed=allowed,
            values=", ".join(repr(v) for v in unread),
            who=who,
        )
    return FAILS, Message(
        "%(name)s limits use to %(allowed)s; the requester (%(who)s) is outside it",
        name=term.name,
        allowed=allowed,
        who=who,
    )


# "EU/EEA" names a party without its member state; in a consent, the EU words mean the 27
# member states and only these mean the EEA (which adds Iceland, Liechtenstein and Norway).
_EEA_WORDS = frozenset({"eea", "eu/eea", "european economic area"})


def _upper_keys(
    region_sets: Mapping[str, Collection[str]] | None,
) -> dict[str, frozenset[str]]:
    if region_sets is None:
        from permed_atlas.transfer.regions import default_region_sets

        region_sets = default_region_sets()
    return {k.upper(): frozenset(m.upper() for m in v) for k, v in region_sets.items()}


def _place(value: str, region_sets: Mapping[str, Collection[str]]) -> str | None:
    """A GS value as a region code or an ISO alpha-2 code; None when it is neither."""
    text = " ".join(value.split())
    if text.upper() in region_sets:
        return text.upper()
    try:
        code = resolve_country(text, field="GS", allow_eu_eea=True)
    except CountryError:
        return None
    if code == EU_EEA:
        return "EEA" if text.casefold() in _EEA_WORDS else "EU27"
    return code


def _research_type(case: ModifierCase) -> tuple[Status, str]:
    term, item, ontology, purpose = case.term, case.item, case.ontology, case.purpose
    if not item.values:
        return FAILS, Message(
            "%(name)s names no research type, so it cannot be checked",
            name=term.name,
        )
    stated = ontology.resolve(case.request.purpose, field="purpose")
    for value in item.values:
        allowed = ontology.resolve(value, field="consent RS value")
        if ontology.is_a(stated.id, allowed.id) or (
            purpose is not None and ontology.is_a(purpose.id, allowed.id)
        ):
            return HOLDS, Message(
                "%(name)s: %(name2)s is within %(name3)s",
                name=term.name,
                name2=stated.name,
                name3=allowed.name,
            )
    return (
        FAILS,
        Message(
            "%(name)s limits use to %(options)s; %(name2)s is not among them",
            name=term.name,
            options=", ".join(item.values),
            name2=stated.name,
        ),
    )


_VALUED: dict[str, Callable[[ModifierCase], tuple[Status, str]]] = {
    "TS": _time_limit,
    "GS": _geography,
    "RS": _research_type,
}


def request_fields_by_modifier() -> dict[str, list[str]]:
    """Request field -> the modifier shorthands that read it (for CLI/API help)."""
    fields: dict[str, list[str]] = {"duration_months": ["TS"], "country": ["GS"], "regions": ["GS"]}
    for short, rule in MODIFIER_RULES.items():
        for attestation in rule.attestations:
            fields.setdefault(attestation.field, []).append(short)
    return fields


def attestation_help() -> dict[str, str]:
    """Request field -> what it means, from the table."""
    return {a.field: a.help for rule in MODIFIER_RULES.values() for a in rule.attestations}
