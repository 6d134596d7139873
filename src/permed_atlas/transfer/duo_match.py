"""Match a data-use request against a dataset's DUO consent terms, with reasons.

Three outcomes: ``allowed``, ``needs_review`` (an access committee must verify
a condition the dataset sets) and ``not_allowed``. The rules, each stated in a
reason the user sees (docs/duo.md compares them with the Broad's DUOS):

* Permissions (children of DUO:0000001): the request's purpose must be the
  consent's permission or one of its subclasses in the OWL hierarchy (a DS
  request is allowed under HMB because DS ⊑ HMB ⊑ GRU). NRES permits any use.
  GRU also covers ancestry research (POA), which the OWL places beside GRU
  rather than under it, because GRU's definition says "any research purpose"
  and its comment names "the study of population origins or ancestry".
  Several permissions in one consent: any one suffices.
* Methods development (DUO:0000031) without a disease is permitted under any
  research permission unless the consent carries NMDS (as DUOS does).
* DS needs the consent's disease(s) and the request's disease; they match when
  the ids or labels are equal, or when the request's ICD-10 code, range or
  chapter lies inside the consent's (C50.9 in C50, C50 in C00-D48, in
  "chapter:II"). MONDO's hierarchy is not bundled, so a MONDO child of the
  consent's disease is not recognised (the reason says so).
* Purposes DUOS leaves to a committee (population, age, gender, control
  research; purposes.csv aspect ``review``) need review where the consent's
  permission does not cover them by the hierarchy.
* Modifiers (children of DUO:0000017) all have to hold: see ``_duo_modifiers``.
  One that needs a fact the request does not state fails (silence is not
  consent), except the dataset's own conditions, which go to review.
* Obsolete terms are replaced by the terms the OWL names (GRU-CC -> GRU + CC).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from permed_atlas.i18n import Message
from permed_atlas.i18n import gettext_noop as N_
from permed_atlas.icd10 import IcdPattern, icd10_chapters, parse_pattern
from permed_atlas.transfer._duo_modifiers import FAILS, HOLDS, REVIEW, ModifierCase, Status
from permed_atlas.transfer._duo_modifiers import check_modifier as _check_modifier
from permed_atlas.transfer.duo import DuoOntology, DuoTerm
from permed_atlas.transfer.errors import DuoTermError
from permed_atlas.types import CountryCode, DuoCode

NRES, GRU, HMB, DS, POA = "DUO:0000004", "DUO:0000042", "DUO:0000006", "DUO:0000007", "DUO:0000011"
_ICD10 = re.compile(
    r"^[A-Z]\d{2}(\.?\w+)?$|^[A-Z]\d{2}(\.\w+)?-[A-Z]\d{2}(\.\w+)?$|^CHAPTER:", re.I
)
Outcome = Literal["allowed", "needs_review", "not_allowed"]
MAX_CONSENT_TERMS = 50
"""Consent terms one match reads: a dataset states one permission and a few modifiers. Each
modifier is checked against each region of the request, so the work grows with the product."""
MAX_REQUEST_REGIONS = 60
"""Region codes one request names; with :data:`MAX_CONSENT_TERMS`, a match takes under 0.5 s
(1,000 of each took 6.5 s of one worker thread)."""
_ONTOLOGY_ID = re.compile(r"^([A-Za-z]+)[:_](\d+)$")


@dataclass(frozen=True, slots=True)
class ConsentTerm:
    """One DUO code of a dataset's consent, with the values it is restricted to.

    :param code: a DUO CURIE ("DUO:0000007") or shorthand ("DS").
    :param values: diseases for DS (MONDO/ICD-10 ids or labels), countries or
        region codes for GS, a DUO research type for RS, months for TS, an
        ISO 8601 date for MOR.
    """

    code: DuoCode
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DataUseRequest:
    """What a requester says about the intended use.

    ``None`` means "not stated"; a modifier that depends on an unstated fact
    is not satisfied.

    :param purpose: a DUO permission (GRU, HMB, DS, POA) or investigation term
        (DUO:0000031-DUO:0000040), as CURIE or shorthand.
    :param disease: the disease studied (MONDO or ICD-10 id, or label); makes
        the purpose disease-specific (DS).
    :param commercial: whether the use is commercial.
    :param not_for_profit: whether the requesting organisation is not-for-profit.
    :param clinical_care: whether the data will be used in clinical care.
    :param genetic_study: whether the study includes genotype research.
    :param methods_development: whether the study develops methods or software.
    :param country: the requester's country (ISO 3166-1 alpha-2).
    :param regions: region codes the requester belongs to, when known ("EU27").
    :param will_publish: whether results will be made available to the community.
    :param accepts_moratorium: whether the requester accepts a publication moratorium.
    :param ethics_approval: whether local IRB/ERB approval is documented.
    :param collaboration: whether the requester agrees to collaborate with the study's PIs.
    :param will_return_data: whether derived data will be returned to the resource.
    :param approved_user: whether the requester is an approved user.
    :param approved_project: whether the project is an approved project.
    :param approved_institution: whether the institution is an approved institution.
    :param duration_months: for how many months the data will be used.
    """

    purpose: str
    disease: str | None = None
    commercial: bool | None = None
    not_for_profit: bool | None = None
    clinical_care: bool = False
    genetic_study: bool | None = None
    methods_development: bool | None = None
    country: CountryCode | None = None
    regions: tuple[str, ...] = ()
    will_publish: bool | None = None
    accepts_moratorium: bool | None = None
    ethics_approval: bool | None = None
    collaboration: bool | None = None
    will_return_data: bool | None = None
    approved_user: bool | None = None
    approved_project: bool | None = None
    approved_institution: bool | None = None
    duration_months: int | None = None


@dataclass(frozen=True)
class DuoMatch:
    """The verdict of one match and why.

    :param outcome: ``allowed``, ``needs_review`` (an access committee must
        verify the codes in ``review``) or ``not_allowed``.
    :param reasons: one sentence per consent term (and per assumption), in order.
    :param blocking: the consent codes that forbid the request or cannot be checked.
    :param permitted_by: the permission codes that cover the request's purpose.
    :param review: the consent codes an access committee has to verify.
    """

    outcome: Outcome
    reasons: list[str] = field(default_factory=list)
    blocking: list[DuoCode] = field(default_factory=list)
    permitted_by: list[DuoCode] = field(default_factory=list)
    review: list[DuoCode] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        """Allowed without review: what a machine may act on alone."""
        return self.outcome == "allowed"


def parse_consent_term(text: str, *, ontology: DuoOntology) -> ConsentTerm:
    """Read ``"DUO:0000007=MONDO:0005148|C50"`` or ``"GS=EU27"`` or ``"HMB"``.

    :param text: a code or shorthand, optionally ``=`` values separated by ``|``.
    :param ontology: resolves shorthands and checks the code exists.
    """
    code, _, values = text.partition("=")
    term = ontology.resolve(code, field="consent")
    parts = tuple(v.strip() for v in values.split("|") if v.strip())
    return ConsentTerm(code=term.id, values=parts)


def match_data_use(
    consent: Sequence[DuoCode | ConsentTerm],
    request: DataUseRequest,
    *,
    ontology: DuoOntology,
    region_sets: Mapping[str, Collection[CountryCode]] | None = None,
) -> DuoMatch:
    """Decide whether a dataset's DUO consent permits a request, showing the reasoning.

    :param consent: the dataset's DUO codes (strings, optionally with
        ``=value|value``) or :class:`ConsentTerm` objects.
    :param request: the requester's purpose and attestations.
    :param ontology: from :func:`load_duo_ontology`.
    :param region_sets: region code -> member countries, to read GS values such
        as "EU27"; the bundled region sets when None.
    :raises DuoTermError: an unknown DUO code in the consent or the purpose.

    Example::

        duo = load_duo_ontology()
        match_data_use(["GRU"], DataUseRequest(purpose="HMB"), ontology=duo).outcome  # "allowed"
    """
    terms = _expand(consent, ontology)
    tally = _Tally(reasons=[r for _, r in terms if r])
    resolved = [t for t, _ in terms if t is not None]
    purpose, aspect, purpose_reasons = _effective_purpose(request, ontology)
    tally.reasons += purpose_reasons
    permissions = [
        (ontology.terms[c.code], c) for c in resolved if _kind(ontology, c) == "permission"
    ]
    modifiers = [(ontology.terms[c.code], c) for c in resolved if _kind(ontology, c) == "modifier"]
    others = [c for c in resolved if _kind(ontology, c) not in {"permission", "modifier"}]
    for other in others:
        term = ontology.terms[other.code]
        tally.reasons.append(
            Message(
                "%(name)s is not a data use permission or modifier; ignored",
                name=term.name,
            )
        )
    if request.clinical_care:
        _check_clinical_care(tally, modifiers)
    if not permissions:
        tally.blocking.append("DUO:0000001")
        tally.reasons.append(
            Message(
                "the consent names no data use permission (GRU, HMB, DS, POA, NRES)",
            )
        )
    elif not request.clinical_care or purpose is not None:
        _check_permissions(tally, permissions, purpose, aspect, request, ontology)
    for term, item in modifiers:
        if term.shorthand == "CC":
            if not request.clinical_care:
                tally.reasons.append(
                    Message(
                        "%(name)s adds clinical care use; no restriction on research",
                        name=term.name,
                    )
                )
            continue
        case = ModifierCase(term, item, request, aspect, ontology, region_sets, purpose)
        status, why = _check_modifier(case)
        tally.add(term.id, status, why)
    return tally.result()


@dataclass
class _Tally:
    """The reasons and the terms that block, permit or need review, as the match finds them."""

    reasons: list[str]
    blocking: list[DuoCode] = field(default_factory=list)
    permitted_by: list[DuoCode] = field(default_factory=list)
    review: list[DuoCode] = field(default_factory=list)

    def add(self, code: DuoCode, status: str, why: str) -> None:
        """A modifier's verdict: it blocks when it fails, wants review when unverified."""
        self.reasons.append(why)
        if status == FAILS:
            self.blocking.append(code)
        elif status == REVIEW:
            self.review.append(code)

    def result(self) -> DuoMatch:
        blocking, review = self.blocking, self.review
        outcome: Outcome = "not_allowed" if blocking else "needs_review" if review else "allowed"
        return DuoMatch(
            outcome=outcome, reasons=self.reasons, blocking=blocking,
            permitted_by=self.permitted_by, review=review,
        )  # fmt: skip


def _check_clinical_care(tally: _Tally, modifiers: Sequence[tuple[DuoTerm, ConsentTerm]]) -> None:
    """Clinical care use needs CC in the consent; research permissions do not cover it."""
    cc = [t for t, _ in modifiers if t.shorthand == "CC"]
    if cc:
        tally.permitted_by.append(cc[0].id)
        tally.reasons.append(
            Message(
                "%(name)s permits use in clinical care",
                name=cc[0].name,
            )
        )
    else:
        tally.blocking.append("DUO:0000043")
        tally.reasons.append(
            Message(
                "the request is for clinical care, which needs DUO:0000043 CC "
                "(clinical care use) in the consent; research permissions do not "
                "cover it",
            )
        )


def _check_permissions(
    tally: _Tally,
    permissions: Sequence[tuple[DuoTerm, ConsentTerm]],
    purpose: DuoTerm | None,
    aspect: str,
    request: DataUseRequest,
    ontology: DuoOntology,
) -> None:
    """One permission that holds is enough; without one, review if any may, else all block."""
    verdicts = []
    for term, item in permissions:
        status, why = _check_permission(term, item, purpose, aspect, request, ontology)
        tally.reasons.append(why)
        verdicts.append((term.id, status))
    granted = [code for code, status in verdicts if status == "holds"]
    to_review = [code for code, status in verdicts if status == REVIEW]
    tally.permitted_by.extend(granted)
    if not granted and to_review:
        tally.review.extend(to_review)
    elif not granted:
        tally.blocking.extend(t.id for t, _ in permissions)


def _kind(ontology: DuoOntology, item: ConsentTerm) -> str:
    return ontology.terms[item.code].kind


def _expand(
    consent: Sequence[DuoCode | ConsentTerm], ontology: DuoOntology
) -> list[tuple[ConsentTerm | None, str | None]]:
    out: list[tuple[ConsentTerm | None, str | None]] = []
    for index, raw in enumerate(consent):
        if isinstance(raw, ConsentTerm):
            item = ConsentTerm(ontology.resolve(raw.code, field=f"consent[{index}]").id, raw.values)
        elif isinstance(raw, str):
            try:
                item = parse_consent_term(raw, ontology=ontology)
            except DuoTermError as exc:
                raise DuoTermError(
                    Message("consent[%(index)s]: %(exc)s", index=index, exc=exc),
                    field=f"consent[{index}]",
                ) from exc
        else:
            raise DuoTermError(
                Message(
                    "consent[%(index)s]: expected a DUO code, got %(type_name)s",
                    index=index,
                    type_name=type(raw).__name__,
                ),
                field=f"consent[{index}]",
            )
        term = ontology.terms[item.code]
        if term.kind != "obsolete":
            out.append((item, None))
        elif term.replaced_by:
            names = ", ".join(
                ontology.terms[r].name for r in term.replaced_by if r in ontology.terms
            )
            out.append((None, f"{term.name} is obsolete; read as its replacements {names}"))
            out.extend((ConsentTerm(r, item.values), None) for r in term.replaced_by)
        else:
            out.append((None, f"{term.name} is obsolete and names no replacement; ignored"))
    return out


def _effective_purpose(
    request: DataUseRequest, ontology: DuoOntology
) -> tuple[DuoTerm | None, str, list[str]]:
    """The permission-level purpose, the aspect (genetic/methods/ancestry) and why."""
    reasons: list[str] = []
    if not request.purpose and request.clinical_care:
        return None, "", reasons
    term = ontology.resolve(request.purpose, field="purpose")
    aspect = ""
    if term.kind == "investigation":
        if term.id not in ontology.purposes:
            raise DuoTermError(
                Message(
                    "purpose: %(name)s has no mapping to a permission",
                    name=term.name,
                ),
                field="purpose",
            )
        permission, aspect = ontology.purposes[term.id]
        mapped = ontology.terms[permission]
        reasons.append(
            Message(
                "purpose %(name)s is read as %(name2)s",
                name=term.name,
                name2=mapped.name,
            )
        )
        term = mapped
    elif term.kind != "permission" or term.id == NRES:
        raise DuoTermError(
            Message(
                "purpose: %(name)s is not a research purpose; use a data use "
                "permission (GRU, HMB, DS, POA) or a DUO investigation term",
                name=term.name,
            ),
            field="purpose",
        )
    if term.id == POA:
        aspect = "ancestry"
    if request.disease and term.id in {GRU, HMB}:
        reasons.append(
            Message(
                "the request names disease %(disease)s, so its purpose is "
                "%(name)s, a subclass of %(name2)s",
                disease=repr(request.disease),
                name=ontology.terms[DS].name,
                name2=term.name,
            )
        )
        term = ontology.terms[DS]
    return term, aspect, reasons


def _check_permission(
    term: DuoTerm,
    item: ConsentTerm,
    purpose: DuoTerm | None,
    aspect: str,
    request: DataUseRequest,
    ontology: DuoOntology,
) -> tuple[Status, str]:
    name = term.name
    if purpose is None:
        return FAILS, Message(N_("%(name)s: the request states no research purpose"), name=name)
    if term.id == NRES:
        return HOLDS, Message(N_("%(name)s permits any use"), name=name)
    if term.id == DS and not item.values:
        return FAILS, Message(N_("%(name)s names no disease, so no request can be checked "
                                 "against it"), name=name)  # fmt: skip
    if term.id == GRU and purpose.id == POA:
        return HOLDS, Message(N_("%(name)s permits %(name2)s: GRU's definition allows 'any "
                                 "research purpose' and its comment names the study of "
                                 "population origins or ancestry"),
                              name=name, name2=purpose.name)  # fmt: skip
    if aspect == "methods" and not request.disease:
        return HOLDS, Message(N_("%(name)s permits methods development: it is research on the "
                                 "data within the consent's bounds, allowed unless the consent "
                                 "says NMDS"), name=name)  # fmt: skip
    if not ontology.is_a(purpose.id, term.id):
        if aspect == "review":
            return REVIEW, Message(N_("%(name)s does not clearly cover %(purpose)s research "
                                      "(population, age, gender or control use), so an access "
                                      "committee must decide"),
                                   name=name, purpose=request.purpose)  # fmt: skip
        extra: str = ""
        if term.id == HMB and aspect == "ancestry":
            extra = Message(
                N_("; HMB's definition excludes the study of population origins or ancestry")
            )
        return FAILS, Message(N_("%(name)s does not permit %(name2)s: %(value)s is not a "
                                 "subclass of %(value2)s in DUO%(extra)s"),
                              name=name, name2=purpose.name, value=purpose.shorthand or purpose.id,
                              value2=term.shorthand or term.id, extra=extra)  # fmt: skip
    chain = ontology.subclass_path(purpose.id, term.id)
    shown = " ⊑ ".join(ontology.terms[c].shorthand or c for c in chain if c in ontology.terms)
    if term.id != DS:
        how: str = (
            Message(N_("the same term"))
            if purpose.id == term.id
            else Message(N_("the ontology's hierarchy (%(chain)s)"), chain=shown)
        )
        return HOLDS, Message(N_("%(name)s permits %(name2)s by %(how)s"), name=name,
                              name2=purpose.name, how=how)  # fmt: skip
    options = ", ".join(item.values)
    if not request.disease:
        return FAILS, Message(N_("%(name)s is limited to %(options)s; the request names no "
                                 "disease"), name=name, options=options)  # fmt: skip
    for value in item.values:
        how = _disease_within(value, request.disease)
        if how:
            return HOLDS, Message(N_("%(name)s permits research on %(disease)s (%(how)s)"),
                                  name=name, disease=repr(request.disease), how=how)  # fmt: skip
    return FAILS, Message(N_("%(name)s is limited to %(options)s; %(disease)s is not within it "
                             "(same id or label, or an ICD-10 code, range or chapter inside the "
                             "consent's; MONDO subclasses are not resolved because no MONDO "
                             "release is bundled)"),
                          name=name, options=options, disease=repr(request.disease))  # fmt: skip


def _disease_within(consented: str, requested: str) -> str:
    """How ``requested`` lies within ``consented`` ("" when it does not)."""
    a, b = _norm_disease(consented), _norm_disease(requested)
    if a == b:
        return Message(N_("consent: %(disease)s"), disease=consented)
    outer, inner = _icd_pattern(consented), _icd_pattern(requested)
    if outer is not None and inner is not None and outer.covers(inner):
        return Message(
            N_("ICD-10 %(inner)s lies within the consent's %(outer)s"),
            inner=inner.text,
            outer=outer.text,
        )
    return ""


def _icd_pattern(value: str) -> IcdPattern | None:
    text = value.strip()
    if text.upper().startswith("ICD10:") or text.upper().startswith("ICD-10:"):
        text = text.split(":", 1)[1]
    if not _ICD10.match(text):
        return None
    try:
        return parse_pattern(text, chapters=icd10_chapters())
    except ValueError:
        return None


def _norm_disease(value: str) -> str:
    text = value.strip()
    match = _ONTOLOGY_ID.match(text)
    if match:
        return f"{match.group(1).upper()}:{match.group(2)}"
    return " ".join(text.casefold().split())
