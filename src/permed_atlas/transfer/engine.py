"""The rule engine: scenario facts, three-valued condition evaluation, verdict.

A fact the scenario does not state is unknown (None). A test on an unknown
fact is unknown; ``all`` is false if any child is false, else unknown if any
child is unknown; ``any`` mirrors it. A rule whose conditions are unknown is
*undecided* and its unknown facts are reported as missing, so the user sees
what to add rather than a guess. Rules may set facts (``gdpr_applies``,
``cac_mechanism``) that other rules test; evaluation repeats until the facts
stop changing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from permed_atlas.countries import EU_EEA
from permed_atlas.i18n import Message, gettext_noop, lazy_gettext, with_translations
from permed_atlas.i18n import gettext_noop as N_
from permed_atlas.transfer.errors import RuleFileError
from permed_atlas.transfer.fields import DESIGNATIONS, FIELDS, IDENTIFIABILITY_MARKERS
from permed_atlas.transfer.models import (
    DISCLAIMER,
    Assessment,
    Condition,
    Effect,
    Finding,
    MissingFact,
    Rule,
    RuleSet,
    Scenario,
    Undecided,
    Verdict,
)

TESTS = frozenset(
    {"equals", "not_equals", "in", "not_in", "contains", "contains_any", "contains_none",
     "gt", "gte", "lt", "lte", "is", "known"}
)  # fmt: skip

# Facts derived from the stated fields; the stated ones come from the field declarations.
DERIVED_FACTS: dict[str, str] = {
    "exporter_regions": N_("jurisdictions and region sets of the exporter's country"),
    "importer_regions": N_("jurisdictions and region sets of the importer's country"),
    "subjects_regions": N_("jurisdictions and region sets where the data subjects are"),
    "exporter_in_eea": N_("the exporter is in the EEA (GDPR applies there)"),
    "importer_in_eea": N_("the importer is in the EEA"),
    "exporter_in_cn": N_("the exporter is in mainland China"),
    "importer_in_cn": N_("the importer is in mainland China"),
    "subjects_in_cn": N_("the data subjects are in mainland China"),
    "subjects_in_eea": N_("the data subjects are in the EEA"),
    "importer_adequacy": N_(
        "EU adequacy decision for the importer's country: full, partial or none"
    ),
    "identifiability": N_("identified, pseudonymised, anonymised, aggregate or non_personal"),
    "personal_data": N_("the data relate to identifiable persons"),
    "special_category": N_("personal data concerning health or genetic data"),
    "pipl_sensitive": N_(
        "sensitive personal information under PIPL Art. 28 (health, genetic, or children under 14)"
    ),
    "genetic": N_("genetic or genomic data are included"),
    "samples": N_("human biological samples are included"),
    "aggregate": N_("the data are aggregate statistics"),
    "sensitive_count": N_("individuals whose sensitive information left China since 1 January"),
    "non_sensitive_count": N_("individuals whose other information left China since 1 January"),
    "member_state_named": N_("the EEA party's member state is named"),
}
FACTS: dict[str, str] = {
    **{spec.name: spec.label for spec in FIELDS if spec.kind != "text"},
    **DERIVED_FACTS,
}


def scenario_facts(
    scenario: Scenario,
    *,
    regions_of: Mapping[str, Sequence[str]],
    adequacy: Mapping[str, str],
) -> tuple[dict[str, Any], list[str]]:
    """The facts rules test, derived from a scenario, and the assumptions made.

    :param scenario: a validated scenario.
    :param regions_of: country -> region codes containing it (EEA, CN_MAINLAND, EU27, ...).
    :param adequacy: country -> "full" | "partial" for EU adequacy decisions.
    """
    cats = set(scenario.data_categories)
    assumptions: list[str] = []
    markers = [m for m in IDENTIFIABILITY_MARKERS if m in cats]
    content = cats & {"health", "genetic", "samples"}
    identifiability: str
    if markers:
        identifiability = markers[0]
    elif content:
        identifiability = "pseudonymised"
        assumptions.append(
            Message(
                "identifiability not stated: the data are treated as personal data "
                "(pseudonymised at best, GDPR Recital 26); add 'anonymised' or 'aggregate' "
                "if so"
            )
        )
    else:
        identifiability = "non_personal"
    # Small cells let a reader single people out: the table is then personal data.
    small_cells = scenario.small_cells is True and identifiability == "aggregate"
    personal = identifiability in {"identified", "pseudonymised"} or small_cells
    special = personal and bool(cats & {"health", "genetic"})
    # PIPL Art. 28 also makes any information of a child under 14 sensitive; GDPR Art. 9 does not.
    pipl_sensitive = special or (personal and scenario.minors_under_14 is True)
    regions = {
        side: list(regions_of.get(code, ())) if code else []
        for side, code in (("exporter", scenario.exporter_country),
                           ("importer", scenario.importer_country),
                           ("subjects", scenario.subjects_country))
    }  # fmt: skip
    facts: dict[str, Any] = {
        **scenario.as_dict(),
        "data_categories": sorted(cats),
        **{f"{side}_regions": codes for side, codes in regions.items()},
        **{f"{side}_in_eea": ("EEA" in codes) if codes or side != "subjects" else None
           for side, codes in regions.items()},
        **{f"{side}_in_cn": ("CN_MAINLAND" in codes) if codes or side != "subjects" else None
           for side, codes in regions.items()},
        "importer_adequacy": adequacy.get(scenario.importer_country, "none"),
        "identifiability": identifiability,
        "personal_data": personal,
        "special_category": special,
        "pipl_sensitive": pipl_sensitive,
        "genetic": "genetic" in cats,
        "samples": "samples" in cats,
        "aggregate": identifiability == "aggregate",
        "member_state_named": EU_EEA not in (scenario.exporter_country, scenario.importer_country),
        "measures": sorted(scenario.measures),
    }  # fmt: skip
    facts.update(_counts(scenario, personal=personal, special=pipl_sensitive))
    # Families and regions are one of the kinds of special collection: "no special collection"
    # answers the narrower question too, so it is not asked again.
    if scenario.hgr_families_or_regions is None and scenario.hgr_special_collection is False:
        facts["hgr_families_or_regions"] = False
    if facts["exporter_in_cn"]:
        assumptions += _china_assumptions(scenario, facts, personal=personal)
    return facts, assumptions


def _china_assumptions(scenario: Scenario, facts: dict[str, Any], *, personal: bool) -> list[str]:
    """Designations read as "not designated" and counts read as cumulative, said aloud.

    Sets the designation facts in ``facts`` that the user left unstated.
    """
    assumptions: list[str] = []
    counts_given = scenario.sensitive_subjects is not None or (
        scenario.non_sensitive_subjects is not None
    )
    only_this_transfer = scenario.data_subjects is not None and not counts_given
    if personal and only_this_transfer:
        assumptions.append(
            Message(
                "the %(n)s individuals of this transfer are taken as all whose personal "
                "information has left China since 1 January (the CAC 2024 thresholds count "
                "cumulatively); state sensitive_subjects and non_sensitive_subjects if "
                "earlier transfers this year add to them",
                n=scenario.data_subjects,
            )
        )
    # Both designations concern data leaving China; elsewhere they are not asked about.
    for spec in DESIGNATIONS:
        if facts.get(spec.name) is None:
            facts[spec.name] = False
            assumptions.append(
                Message(
                    "%(label)s: not stated, so taken as not designated (%(designation)s); "
                    "state %(name)s = yes to override",
                    label=lazy_gettext(spec.label),
                    designation=lazy_gettext(spec.designation),
                    name=spec.name,
                )
            )
    return assumptions


def _counts(scenario: Scenario, *, personal: bool, special: bool) -> dict[str, int | None]:
    """The CAC 2024 counts: sensitive (PIPL Art. 28) and other personal information, apart."""
    total = scenario.data_subjects
    sensitive = scenario.sensitive_subjects
    other = scenario.non_sensitive_subjects
    if sensitive is None:
        sensitive = (total if special else 0) if personal else 0
    if other is None:
        other = (0 if special else total) if personal else 0
    return {"sensitive_count": sensitive, "non_sensitive_count": other}


def evaluate(
    cond: Condition, facts: Mapping[str, Any], *, describe: bool = True
) -> tuple[bool | None, list[str], list[str]]:
    """Evaluate a condition tree: (result, descriptions of matched tests, unknown facts).

    :param cond: the tree.
    :param facts: fact -> value, None when unknown.
    :param describe: False leaves the descriptions out (empty), for settling the facts: only
        the rules that fire show theirs, and composing them for every rule on every pass was
        most of an assessment's time.
    """
    if cond.op in {"all", "any"}:
        results = [evaluate(child, facts, describe=describe) for child in cond.children]
        matched = [m for r, ms, _ in results if r for m in ms]
        unknown = sorted({u for r, _, us in results if r is None for u in us})
        values = [r for r, _, _ in results]
        if cond.op == "all":
            if False in values:
                return False, matched, []
            return (None if None in values else True), matched, unknown
        if True in values:
            return True, matched, []
        return (None if None in values else False), matched, unknown
    if cond.op == "not":
        result, _, unknown = evaluate(cond.children[0], facts, describe=describe)
        if result is None:
            return None, [], unknown
        described: list[str] = []
        if result is False and describe:
            described.append(Message("not (%(test)s)", test=_describe(cond.children[0])))
        return (not result), described, []
    assert cond.fact is not None
    value = facts.get(cond.fact)
    if cond.op == "known":
        ok = (value is not None) is bool(cond.value)
        return ok, ([_describe(cond, value)] if ok and describe else []), []
    if value is None:
        return None, [], [cond.fact]
    ok = _test(cond.op, value, cond.value)
    return ok, ([_describe(cond, value)] if ok and describe else []), []


def _test(op: str, value: Any, wanted: Any) -> bool:
    if op == "equals":
        return bool(value == wanted)
    if op == "not_equals":
        return bool(value != wanted)
    if op == "in":
        return value in wanted
    if op == "not_in":
        return value not in wanted
    if op == "contains":
        return wanted in value
    if op == "contains_any":
        return any(w in value for w in wanted)
    if op == "contains_none":
        return not any(w in value for w in wanted)
    if op == "is":
        return bool(value) is bool(wanted)
    numeric = {"gt": value > wanted, "gte": value >= wanted, "lt": value < wanted}
    return bool(numeric.get(op, value <= wanted))


# A rule's test as a page words it; the API, CSV and CLI keep the English (a Message is a str).
_OPERATORS = {
    "equals": gettext_noop("equals"), "not_equals": gettext_noop("not equals"),
    "in": gettext_noop("in"), "not_in": gettext_noop("not in"),
    "contains": gettext_noop("contains"), "contains_any": gettext_noop("contains any"),
    "contains_none": gettext_noop("contains none"), "gt": gettext_noop("gt"),
    "gte": gettext_noop("gte"), "lt": gettext_noop("lt"), "lte": gettext_noop("lte"),
}  # fmt: skip


def _describe(cond: Condition, actual: Any = None) -> str:
    if cond.op in {"all", "any"}:
        return f" {cond.op} ".join(_describe(c) for c in cond.children)
    if cond.op == "not":
        return Message("not (%(test)s)", test=_describe(cond.children[0]))
    if cond.op == "known":
        if cond.value:
            return Message("%(fact)s is stated", fact=cond.fact)
        return Message("%(fact)s is not stated", fact=cond.fact)
    if cond.op == "is":
        if cond.value:
            return Message("%(fact)s is true", fact=cond.fact)
        return Message("%(fact)s is false", fact=cond.fact)
    operator = Message(_OPERATORS.get(cond.op, cond.op.replace("_", " ")))
    if actual is not None and cond.op != "equals":
        return Message("%(fact)s %(operator)s %(value)s (is %(actual)s)",
                       fact=cond.fact, operator=operator, value=repr(cond.value),
                       actual=repr(actual))  # fmt: skip
    return Message("%(fact)s %(operator)s %(value)s", fact=cond.fact,
                   operator=operator, value=repr(cond.value))  # fmt: skip


def _is_designation(assumption: str) -> bool:
    return any(assumption.startswith(spec.label) for spec in DESIGNATIONS)


def run_rules(
    rule_sets: Sequence[RuleSet],
    facts: dict[str, Any],
    *,
    scenario: Scenario,
    assumptions: Sequence[str] = (),
    covered: bool = True,
    not_covered: Sequence[str] = (),
    parties: Sequence[str] = (),
    exporter_covered: bool = True,
) -> Assessment:
    """Fire the rules on the facts and build the assessment.

    :param rule_sets: loaded rule files.
    :param facts: from :func:`scenario_facts` (copied, not changed).
    :param scenario: the scenario, kept in the assessment.
    :param assumptions: notes from deriving the facts (printed with the answer).
    :param covered: False when no party is in a jurisdiction the rules cover.
    :param not_covered: the parties' jurisdictions the rules do not cover, described.
    :param parties: the parties' countries with full names, for echoing the input.
    :param exporter_covered: False when the exporter's country is outside the rules: its law
        on sending data abroad is then a step left to check, and the verdict is not "allowed".
    """
    rules = [rule for rs in rule_sets for rule in rs.rules]
    derived = sorted({name for rule in rules for name, _ in rule.sets})
    facts, outcome = _settle_facts(rules, dict(facts), derived)
    findings, undecided = _fire(rules, facts, outcome)
    blocking = [f for f in findings if f.effect is Effect.PROHIBITION and not f.satisfied]
    open_steps = [f for f in findings if f.effect is Effect.OBLIGATION and not f.satisfied]
    # "Allowed" is the answer people act on: never give it when a jurisdiction is outside
    # the rules or when a rule that could still add a step or a ban is undecided. The
    # exporter's law is the one that restricts sending data out (GDPR Chapter V, PIPL Art. 38,
    # and likewise UK GDPR Art. 46 or the US bulk sensitive data rule, 28 CFR Part 202): an
    # exporter outside the rules leaves that check open, whatever the importer's side says.
    if not covered:
        verdict = Verdict.NOT_COVERED
    elif blocking:
        verdict = Verdict.NOT_ALLOWED
    elif open_steps or undecided or not exporter_covered:
        verdict = Verdict.STEPS
    else:
        verdict = Verdict.ALLOWED
    missing = [a for a in assumptions if not _is_designation(a)]
    by_fact: dict[str, list[str]] = {}
    for item in undecided:
        for fact in item.missing_facts:
            by_fact.setdefault(fact, []).append(item.rule_id)
    # English as data (the API), with the rule's Chinese title where a page shows it
    titles = {
        u.rule_id: with_translations(
            f"{u.title} ({u.reference})",
            {"zh": f"{u.title_zh}（{u.reference}）" if u.title_zh else ""},
        )
        for u in undecided
    }
    needs: list[MissingFact] = []
    for fact, rule_ids in by_fact.items():
        if fact in derived:
            continue  # reported through the scenario facts those rules need
        what = FACTS.get(fact, fact)
        missing.append(
            Message(
                "%(fact)s (%(what)s) is not stated; needed by %(rules)s",
                fact=fact,
                what=lazy_gettext(what),
                rules=", ".join(rule_ids),
            )
        )
        needs.append(MissingFact(fact, what, tuple(titles[r] for r in rule_ids)))
    # The oldest check date is the honest "last checked" of the set as a whole.
    checked = min((rs.date_checked for rs in rule_sets), default="")
    return Assessment(
        scenario=scenario, verdict=verdict, findings=tuple(findings),
        undecided=tuple(undecided), missing=tuple(missing), facts=facts,
        rule_sets=tuple(rule_sets), rules_checked=checked, disclaimer=DISCLAIMER,
        complete=not undecided, assumptions=tuple(assumptions), parties=tuple(parties),
        not_covered=tuple(not_covered), missing_facts=tuple(needs),
    )  # fmt: skip


_Outcome = dict[str, tuple[bool | None, list[str], list[str]]]


def _settle_facts(
    rules: Sequence[Rule], facts: dict[str, Any], derived: Sequence[str]
) -> tuple[dict[str, Any], _Outcome]:
    """Evaluate until the facts rules set stop changing; the facts and each rule's outcome."""
    outcome: _Outcome = {}
    setters = {name: [r for r in rules if any(n == name for n, _ in r.sets)] for name in derived}
    for _ in range(len(rules) + 2):
        outcome = {rule.id: evaluate(rule.when, facts, describe=False) for rule in rules}
        updated = dict(facts)
        for name in derived:
            results = [(r, outcome[r.id][0]) for r in setters[name]]
            fired = [dict(r.sets)[name] for r, res in results if res is True]
            if fired:
                updated[name] = fired[-1]
            elif any(res is None for _, res in results):
                updated[name] = None
            else:
                updated[name] = False
        if updated == facts:
            return facts, outcome
        facts = updated
    raise RuleFileError(Message("rules keep changing each other's facts (a cycle)"), path="rules")


def _fire(
    rules: Sequence[Rule], facts: Mapping[str, Any], outcome: _Outcome
) -> tuple[list[Finding], list[Undecided]]:
    """The findings of the rules that fired (met or not) and the rules left undecided."""
    measures = set(facts.get("measures") or ())
    findings: list[Finding] = []
    undecided: list[Undecided] = []
    for rule in rules:
        result, _, unknown = outcome[rule.id]
        if result is True:
            _, matched, _ = evaluate(rule.when, facts)
            done = tuple(m for m in rule.satisfied_by if m in measures)
            because: tuple[str, ...] = ()
            if rule.met_when is not None:
                met, met_matched, _ = evaluate(rule.met_when, facts)
                because = tuple(met_matched) if met is True else ()
            findings.append(
                Finding(
                    rule_id=rule.id, law=rule.law, effect=rule.effect, title=rule.title,
                    obligation=rule.obligation, reference=rule.reference,
                    explanation=rule.explanation, evidence=rule.evidence,
                    matched=tuple(matched), satisfied=bool(done or because), satisfied_by=done,
                    source=rule.source, date_checked=rule.date_checked, also=rule.also,
                    met_because=because, explanation_zh=rule.explanation_zh,
                    obligation_zh=rule.obligation_zh, evidence_zh=rule.evidence_zh,
                    title_zh=rule.title_zh,
                )
            )  # fmt: skip
        elif result is None and rule.effect is not Effect.NOTE:
            undecided.append(
                Undecided(
                    rule.id,
                    rule.law,
                    rule.title,
                    rule.effect,
                    rule.reference,
                    tuple(unknown),
                    title_zh=rule.title_zh,
                )
            )
    return findings, undecided
