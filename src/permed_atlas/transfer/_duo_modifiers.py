"""One check per DUO data use modifier; each returns (holds, reason)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from permed_atlas.transfer.duo import DuoOntology, DuoTerm
    from permed_atlas.transfer.duo_match import ConsentTerm, DataUseRequest

Check = Callable[..., tuple[bool, str]]


def _needs(
    flag: bool | None, *, field: str, wanted: bool, term: DuoTerm, what: str
) -> tuple[bool, str]:
    if flag is None:
        return False, f"{term.name} requires {what}; the request does not state {field}"
    if flag is wanted:
        return True, f"{term.name}: satisfied ({field}={str(flag).lower()})"
    return False, f"{term.name} forbids this: {field}={str(flag).lower()} but it requires {what}"


def check_modifier(
    term: DuoTerm,
    item: ConsentTerm,
    request: DataUseRequest,
    aspect: str,
    ontology: DuoOntology,
    region_sets: Mapping[str, Collection[str]] | None,
    purpose: DuoTerm | None,
) -> tuple[bool, str]:
    """Whether one modifier of the consent holds for the request, and why."""
    short = term.shorthand or ""
    r = request
    if short == "NPOA":
        if aspect == "ancestry":
            return False, f"{term.name} forbids the request's population origins/ancestry research"
        return True, f"{term.name}: the purpose is not ancestry research"
    if short == "NMDS":
        if aspect == "methods":
            return False, f"{term.name} forbids the request's method development purpose"
        return _needs(
            r.methods_development,
            field="methods_development",
            wanted=False,
            term=term,
            what="that no methods development is done",
        )
    if short == "GSO":
        if aspect == "genetic":
            return True, f"{term.name}: the purpose is genetic research"
        return _needs(
            r.genetic_study, field="genetic_study", wanted=True, term=term, what="a genetic study"
        )
    if short == "NCU":
        return _needs(
            r.commercial, field="commercial", wanted=False, term=term, what="non-commercial use"
        )
    if short == "NPU":
        return _needs(
            r.not_for_profit,
            field="not_for_profit",
            wanted=True,
            term=term,
            what="a not-for-profit organisation",
        )
    if short == "NPUNCU":
        ok, why = _needs(
            r.commercial,
            field="commercial",
            wanted=False,
            term=term,
            what="non-commercial use by a not-for-profit organisation",
        )
        if not ok:
            return ok, why
        return _needs(
            r.not_for_profit,
            field="not_for_profit",
            wanted=True,
            term=term,
            what="non-commercial use by a not-for-profit organisation",
        )
    if short == "IRB":
        return _needs(
            r.ethics_approval,
            field="ethics_approval",
            wanted=True,
            term=term,
            what="documented local IRB/ERB approval",
        )
    if short == "COL":
        return _needs(
            r.collaboration,
            field="collaboration",
            wanted=True,
            term=term,
            what="collaboration with the primary study investigators",
        )
    if short == "PUB":
        return _needs(
            r.will_publish,
            field="will_publish",
            wanted=True,
            term=term,
            what="that results are made available to the scientific community",
        )
    if short == "MOR":
        until = f" until {item.values[0]}" if item.values else ""
        return _needs(
            r.accepts_moratorium,
            field="accepts_moratorium",
            wanted=True,
            term=term,
            what=f"agreement not to publish{until}",
        )
    if short == "RTN":
        return _needs(
            r.will_return_data,
            field="will_return_data",
            wanted=True,
            term=term,
            what="returning derived data to the resource",
        )
    if short == "US":
        return _needs(
            r.approved_user, field="approved_user", wanted=True, term=term, what="an approved user"
        )
    if short == "PS":
        return _needs(
            r.approved_project,
            field="approved_project",
            wanted=True,
            term=term,
            what="an approved project",
        )
    if short == "IS":
        return _needs(
            r.approved_institution,
            field="approved_institution",
            wanted=True,
            term=term,
            what="an approved institution",
        )
    if short == "TS":
        return _time_limit(term, item, r)
    if short == "GS":
        return _geography(term, item, r, region_sets)
    if short == "RS":
        return _research_type(term, item, r, ontology, purpose)
    # A modifier this release adds that we have no check for cannot be assumed to hold.
    return False, f"{term.name}: no check is implemented for this modifier, so it is not satisfied"


def _time_limit(term: DuoTerm, item: ConsentTerm, r: DataUseRequest) -> tuple[bool, str]:
    if not item.values or not item.values[0].isdigit():
        return False, f"{term.name} names no number of months, so it cannot be checked"
    limit = int(item.values[0])
    if r.duration_months is None:
        return (
            False,
            f"{term.name} limits use to {limit} months; the request states no duration_months",
        )
    if r.duration_months <= limit:
        return True, f"{term.name}: {r.duration_months} months is within the {limit}-month limit"
    return False, f"{term.name}: {r.duration_months} months exceeds the {limit}-month limit"


def _geography(
    term: DuoTerm,
    item: ConsentTerm,
    r: DataUseRequest,
    region_sets: Mapping[str, Collection[str]] | None,
) -> tuple[bool, str]:
    if not item.values:
        return False, f"{term.name} names no region, so no request can be checked against it"
    allowed = ", ".join(item.values)
    if not r.country and not r.regions:
        return (
            False,
            f"{term.name} limits use to {allowed}; the request states no country or region",
        )
    country = (r.country or "").upper()
    own_regions = {x.upper() for x in r.regions}
    if region_sets is None:
        from permed_atlas.transfer.regions import default_region_sets

        region_sets = default_region_sets()
    for value in item.values:
        key = value.strip().upper()
        if key == country or key in own_regions:
            return True, f"{term.name}: the requester ({country or key}) is within {value}"
        members = region_sets.get(key)
        if members is not None and country in {m.upper() for m in members}:
            return True, f"{term.name}: the requester's country {country} is in region {value}"
    who = country or ", ".join(sorted(own_regions))
    return False, f"{term.name} limits use to {allowed}; the requester ({who}) is outside it"


def _research_type(
    term: DuoTerm,
    item: ConsentTerm,
    r: DataUseRequest,
    ontology: DuoOntology,
    purpose: DuoTerm | None,
) -> tuple[bool, str]:
    if not item.values:
        return False, f"{term.name} names no research type, so it cannot be checked"
    stated = ontology.resolve(r.purpose, field="purpose")
    for value in item.values:
        allowed = ontology.resolve(value, field="consent RS value")
        if ontology.is_a(stated.id, allowed.id) or (
            purpose is not None and ontology.is_a(purpose.id, allowed.id)
        ):
            return True, f"{term.name}: {stated.name} is within {allowed.name}"
    return (
        False,
        f"{term.name} limits use to {', '.join(item.values)}; {stated.name} is not among them",
    )
