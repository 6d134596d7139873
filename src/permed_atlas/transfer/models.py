"""The assessor's records: scenarios, rules, and the assessment they produce.

Plain frozen dataclasses, no I/O. A rule's conditions are a small tree
(``all``/``any``/``not`` over fact tests) so that a rule file can say "personal
data AND exporter in the EEA AND importer outside it" without code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from permed_atlas.i18n import LocalizedText, localized
from permed_atlas.i18n import gettext_noop as N_

# The vocabularies live with the field declarations; re-exported here for older imports.
from permed_atlas.transfer.fields import (
    CONSENTS,
    DATA_CATEGORIES,
    FIELDS,
    FIELDS_BY_NAME,
    IDENTIFIABILITY_MARKERS,
    IMPORTER_ROLES,
    LEGAL_BASES,
    PARTY_TYPES,
    PURPOSES,
)
from permed_atlas.types import CountryCode

DISCLAIMER = N_(
    "Guidance, not legal advice: written from the legal texts as of their stated versions; "
    "check the current texts and ask your data protection officer or legal office."
)


__all__ = [
    "CONSENTS", "DATA_CATEGORIES", "IDENTIFIABILITY_MARKERS", "IMPORTER_ROLES", "LEGAL_BASES",
    "PARTY_TYPES", "PURPOSES", "DISCLAIMER", "Assessment", "Condition", "Effect", "Finding",
    "LegalReference", "MissingFact", "Rule", "RuleSet", "Scenario", "Undecided", "Verdict",
]  # fmt: skip


class Verdict(StrEnum):
    """The overall verdict of an assessment."""

    ALLOWED = "allowed as described"
    STEPS = "allowed with listed steps"
    NOT_ALLOWED = "not allowed as described"
    NOT_COVERED = "not covered by the rule set"


class Effect(StrEnum):
    """What a rule does when its conditions hold."""

    OBLIGATION = "obligation"  # a step to take; verdict at best "with listed steps"
    PROHIBITION = "prohibition"  # not allowed as described
    NOTE = "note"  # information, no effect on the verdict
    SCOPE = "scope"  # decides whether a law applies; sets facts


@dataclass(frozen=True)
class Scenario:
    """A planned transfer, validated.

    The fields are declared once in :mod:`permed_atlas.transfer.fields`; the
    three every scenario has are attributes, the others are in ``stated`` and
    read as attributes too (``scenario.consent``). A field not stated reads as
    None: rules that need it are reported as undecided (designations excepted,
    see the engine).

    :param exporter_country: where the data or samples are (ISO alpha-2, or EU for the
        EU/EEA without a member state).
    :param importer_country: where they go.
    :param data_categories: values of :data:`DATA_CATEGORIES`.
    :param stated: the other fields the user stated, by name.
    :param measures: steps already taken ("scc", "tia", "hgr_approval", ...).
    """

    exporter_country: CountryCode
    importer_country: CountryCode
    data_categories: tuple[str, ...]
    stated: Mapping[str, Any] = field(default_factory=dict)
    measures: tuple[str, ...] = ()
    title: str = ""

    def __getattr__(self, name: str) -> Any:
        # Only called for names that are not attributes: the declared optional fields.
        if name in FIELDS_BY_NAME:
            return self.__dict__.get("stated", {}).get(name)
        raise AttributeError(name)

    def __hash__(self) -> int:
        # ``stated`` is a mapping; hash its items so a scenario can key a cache as before.
        items = tuple(sorted((k, repr(v)) for k, v in self.stated.items()))
        return hash((self.exporter_country, self.importer_country, self.data_categories, items,
                     self.measures, self.title))  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        """Every declared field by name, None where not stated."""
        return {spec.name: getattr(self, spec.name) for spec in FIELDS}


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


class _Cited:
    """A rule, or a finding of one, resting on a main legal reference and further ones."""

    __slots__ = ()
    reference: LegalReference
    also: tuple[LegalReference, ...]

    @property
    def references(self) -> tuple[LegalReference, ...]:
        """The main reference and the further ones."""
        return (self.reference, *self.also)


@dataclass(frozen=True, slots=True)
class Rule(_Cited):
    """One rule of one law's file.

    :param sets: facts this rule establishes when it fires (e.g. ``gdpr_applies``).
    :param satisfied_by: measures named in the scenario that discharge the obligation.
    :param met_when: conditions on stated facts under which the obligation is already met
        (separate consent stated, a basis stated); shown as met, not dropped.
    :param also: further references (the PIPL article a CAC provision implements).
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
    met_when: Condition | None = None
    also: tuple[LegalReference, ...] = ()
    title_zh: str = ""
    explanation_zh: str = ""
    obligation_zh: str = ""
    evidence_zh: tuple[str, ...] = ()
    """Empty, or the evidence list in Chinese item for item (PerMed Atlas translation)."""


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
    covers: tuple[str, ...] = ()
    title_zh: str = ""
    """The law's Chinese title, if any: the official one for a Chinese law."""
    title_zh_source: str = ""
    """Who wrote ``title_zh`` when it is not the law's own ("PerMed Atlas translation, ...")."""
    rules_zh_source: str = ""
    """Who wrote the rules' Chinese texts (titles, explanations, obligations, evidence)."""


@dataclass(frozen=True, slots=True)
class Finding(_Cited):
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
    also: tuple[LegalReference, ...] = ()
    met_because: tuple[str, ...] = ()
    explanation_zh: str = ""
    """The rule's explanation in Chinese, if written (PerMed Atlas's own translation)."""
    obligation_zh: str = ""
    evidence_zh: tuple[str, ...] = ()
    title_zh: str = ""

    def evidence_localized(self) -> tuple[LocalizedText, ...]:
        """Each evidence item in the current language (English marked where not translated)."""
        chinese = self.evidence_zh or ("",) * len(self.evidence)
        return tuple(
            localized(en, {"zh": zh}) for en, zh in zip(self.evidence, chinese, strict=True)
        )

    def obligation_localized(self) -> LocalizedText:
        """What the rule asks in the current language, or its title when it asks nothing."""
        if self.obligation:
            return localized(self.obligation, {"zh": self.obligation_zh})
        return localized(self.title, {"zh": self.title_zh})


@dataclass(frozen=True, slots=True)
class Undecided:
    """A rule the scenario does not say enough to decide, and the facts it needs."""

    rule_id: str
    law: str
    title: str
    effect: Effect
    reference: LegalReference
    missing_facts: tuple[str, ...]
    title_zh: str = ""


@dataclass(frozen=True, slots=True)
class MissingFact:
    """A fact the user did not state, the question that asks for it, and what it decides."""

    field: str
    question: str
    needed_for: tuple[str, ...]


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
    parties: tuple[str, ...] = field(default=())
    not_covered: tuple[str, ...] = field(default=())
    missing_facts: tuple[MissingFact, ...] = field(default=())

    def of_effect(self, effect: Effect) -> list[Finding]:
        """The findings with one effect, in rule order."""
        return [f for f in self.findings if f.effect is effect]

    @property
    def steps(self) -> list[Finding]:
        """Obligations not yet satisfied by a stated measure."""
        return [f for f in self.of_effect(Effect.OBLIGATION) if not f.satisfied]

    @property
    def only_questions_left(self) -> bool:
        """No step is open but some rule is undecided: what is left is answering its questions."""
        return self.verdict is Verdict.STEPS and not self.steps and bool(self.undecided)

    @property
    def met(self) -> list[Finding]:
        """Obligations already met, by a measure or a stated fact."""
        return [f for f in self.of_effect(Effect.OBLIGATION) if f.satisfied]
