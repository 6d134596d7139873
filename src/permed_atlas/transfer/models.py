"""The assessor's records: scenarios, rules, and the assessment they produce.

Plain frozen dataclasses, no I/O. A rule's conditions are a small tree
(``all``/``any``/``not`` over fact tests) so that a rule file can say "personal
data AND exporter in the EEA AND importer outside it" without code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from permed_atlas.types import CountryCode

DISCLAIMER = (
    "Guidance, not legal advice: written from the legal texts as of their stated versions; "
    "check the current texts and ask your data protection officer or legal office."
)

DATA_CATEGORIES = (
    "health",  # personal data concerning health (GDPR Art. 4(15)); PIPL medical health
    "genetic",  # genetic/genomic data (GDPR Art. 4(13)); HGR information
    "samples",  # human biological samples (HGR materials)
    "identified",  # carries direct identifiers
    "pseudonymised",  # GDPR Art. 4(5): still personal data (Recital 26)
    "anonymised",  # Recital 26 / PIPL Art. 4, 73(4): not personal information
    "aggregate",  # aggregate statistics (counts), not about one person
    "non_personal",  # non-personal scientific data
)
IDENTIFIABILITY_MARKERS = ("identified", "pseudonymised", "anonymised", "aggregate")
PURPOSES = ("research", "clinical_care", "commercial")
CONSENTS = ("explicit", "broad_research", "none")
PARTY_TYPES = ("public_research", "hospital", "university", "company", "other")
IMPORTER_ROLES = ("processes", "stores_only")
LEGAL_BASES = (
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
)


class Verdict(StrEnum):
    """The overall verdict of an assessment."""

    ALLOWED = "allowed as described"
    STEPS = "allowed with listed steps"
    NOT_ALLOWED = "not allowed as described"


class Effect(StrEnum):
    """What a rule does when its conditions hold."""

    OBLIGATION = "obligation"  # a step to take; verdict at best "with listed steps"
    PROHIBITION = "prohibition"  # not allowed as described
    NOTE = "note"  # information, no effect on the verdict
    SCOPE = "scope"  # decides whether a law applies; sets facts


@dataclass(frozen=True, slots=True)
class Scenario:
    """A planned transfer, validated.

    ``None`` means "not stated"; rules that need it are reported as undecided.

    :param exporter_country: where the data or samples are (ISO alpha-2).
    :param importer_country: where they go.
    :param data_categories: values of :data:`DATA_CATEGORIES`.
    :param data_subjects: individuals whose data leave, counted (for the CAC
        thresholds) cumulatively since 1 January of the current year.
    :param measures: steps already taken ("scc", "tia", "hgr_approval", ...).
    """

    exporter_country: CountryCode
    importer_country: CountryCode
    data_categories: tuple[str, ...]
    data_subjects: int | None = None
    purpose: str | None = None
    consent: str | None = None
    legal_basis: str | None = None
    separate_consent: bool | None = None
    exporter_type: str | None = None
    importer_type: str | None = None
    foreign_party: bool | None = None
    exporter_foreign_controlled: bool | None = None
    importer_role: str | None = None
    government_funded: bool | None = None
    important_data: bool | None = None
    exporter_ciio: bool | None = None
    sequencing: bool | None = None
    marketing_authorisation_trial: bool | None = None
    measures: tuple[str, ...] = ()
    title: str = ""


@dataclass(frozen=True, slots=True)
class Condition:
    """A node of a rule's condition tree.

    ``op`` is ``all``, ``any``, ``not`` (with ``children``) or a test name
    (``equals``, ``in``, ``contains``, ``gte``, ``is``, ...) on ``fact``.
    ``where`` is the dotted path in the rule file, for errors and explanations.
    """

    op: str
    where: str
    children: tuple[Condition, ...] = ()
    fact: str | None = None
    value: Any = None


@dataclass(frozen=True, slots=True)
class LegalReference:
    """A law and the article (or recital, annex) a rule rests on."""

    law: str
    article: str
    title: str = ""

    def __str__(self) -> str:
        return f"{self.law}, {self.article}"


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of one law's file.

    :param sets: facts this rule establishes when it fires (e.g. ``gdpr_applies``).
    :param satisfied_by: measures named in the scenario that discharge the obligation.
    """

    id: str
    law: str
    title: str
    when: Condition
    effect: Effect
    obligation: str
    reference: LegalReference
    explanation: str
    source: str
    date_checked: str
    evidence: tuple[str, ...] = ()
    satisfied_by: tuple[str, ...] = ()
    sets: tuple[tuple[str, Any], ...] = ()
    path: str = ""


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The rules of one law's file and what the file says about itself."""

    law: str
    title: str
    version: str
    source: str
    date_checked: str
    rules: tuple[Rule, ...]
    path: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule that fired: what it asks, why (the conditions that matched), and whether done."""

    rule_id: str
    law: str
    effect: Effect
    title: str
    obligation: str
    reference: LegalReference
    explanation: str
    evidence: tuple[str, ...]
    matched: tuple[str, ...]
    satisfied: bool = False
    satisfied_by: tuple[str, ...] = ()
    source: str = ""
    date_checked: str = ""


@dataclass(frozen=True, slots=True)
class Undecided:
    """A rule the scenario does not say enough to decide, and the facts it needs."""

    rule_id: str
    law: str
    title: str
    effect: Effect
    reference: LegalReference
    missing_facts: tuple[str, ...]


@dataclass(frozen=True)
class Assessment:
    """The result: verdict, findings by effect, what is missing, and the rules' provenance."""

    scenario: Scenario
    verdict: Verdict
    findings: tuple[Finding, ...]
    undecided: tuple[Undecided, ...]
    missing: tuple[str, ...]
    facts: dict[str, Any]
    rule_sets: tuple[RuleSet, ...]
    rules_checked: str
    disclaimer: str = DISCLAIMER
    complete: bool = True
    assumptions: tuple[str, ...] = field(default=())

    def of_effect(self, effect: Effect) -> list[Finding]:
        """The findings with one effect, in rule order."""
        return [f for f in self.findings if f.effect is effect]

    @property
    def steps(self) -> list[Finding]:
        """Obligations not yet satisfied by a stated measure."""
        return [f for f in self.of_effect(Effect.OBLIGATION) if not f.satisfied]
