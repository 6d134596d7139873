"""The rule engine's three-valued logic, fact derivation and verdicts (no files needed)."""

from __future__ import annotations

from permed_atlas.transfer.engine import evaluate, run_rules
from permed_atlas.transfer.models import (
    Condition,
    Effect,
    LegalReference,
    Rule,
    RuleSet,
    Scenario,
    Verdict,
)


def leaf(fact: str, op: str, value: object) -> Condition:
    return Condition(op=op, where="when", fact=fact, value=value)


def test_unknown_facts_make_unknown_results_unless_decided() -> None:
    cond = Condition("all", "when", (leaf("a", "is", True), leaf("b", "gte", 10)))
    assert evaluate(cond, {"a": True, "b": 12})[0] is True
    assert evaluate(cond, {"a": True, "b": None}) == (None, ["a is true"], ["b"])
    assert evaluate(cond, {"a": False, "b": None})[0] is False  # false wins over unknown
    anyc = Condition("any", "when", (leaf("a", "is", True), leaf("b", "gte", 10)))
    assert evaluate(anyc, {"a": None, "b": 11})[0] is True  # true wins over unknown
    assert evaluate(anyc, {"a": None, "b": 1})[0] is None
    notc = Condition("not", "when", (leaf("a", "is", True),))
    assert evaluate(notc, {"a": False})[0] is True
    assert evaluate(leaf("x", "known", False), {"x": None})[0] is True


def _rule(rule_id: str, when: Condition, effect: Effect, **extra: object) -> Rule:
    return Rule(
        id=rule_id, law="T", title=rule_id, when=when, effect=effect, obligation="do it",
        reference=LegalReference("T", "Art. 1"), explanation="because", source="s",
        date_checked="2026-11-23", **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def test_scope_rules_set_facts_for_later_rules_and_measures_satisfy() -> None:
    scope = _rule("scope", leaf("a", "is", True), Effect.SCOPE, sets=(("applies", True),))
    step = _rule("step", leaf("applies", "is", True), Effect.OBLIGATION, satisfied_by=("m",))
    rules = [RuleSet("T", "T", "1", "s", "2026-11-23", (step, scope))]  # order does not matter
    scenario = Scenario("DE", "CN", ("health",))
    result = run_rules(rules, {"a": True, "measures": []}, scenario=scenario)
    assert [f.rule_id for f in result.findings] == ["step", "scope"]
    assert result.verdict is Verdict.STEPS
    done = run_rules(rules, {"a": True, "measures": ["m"]}, scenario=scenario)
    assert done.verdict is Verdict.ALLOWED
    unknown = run_rules(rules, {"a": None, "measures": []}, scenario=scenario)
    assert {u.rule_id for u in unknown.undecided} == {"scope", "step"}
    assert unknown.missing == ("a (a) is not stated; needed by scope",)
    assert not unknown.complete


def test_a_prohibition_beats_steps() -> None:
    ban = _rule("ban", leaf("a", "is", True), Effect.PROHIBITION)
    step = _rule("step", leaf("a", "is", True), Effect.OBLIGATION)
    rules = [RuleSet("T", "T", "1", "s", "2026-11-23", (ban, step))]
    result = run_rules(rules, {"a": True}, scenario=Scenario("DE", "CN", ("health",)))
    assert result.verdict is Verdict.NOT_ALLOWED


def test_met_when_shows_a_duty_as_met_instead_of_dropping_it() -> None:
    step = _rule("step", leaf("a", "is", True), Effect.OBLIGATION,
                 met_when=leaf("done", "is", True))  # fmt: skip
    rules = [RuleSet("T", "T", "1", "s", "2026-11-23", (step,))]
    scenario = Scenario("DE", "CN", ("health",))
    met = run_rules(rules, {"a": True, "done": True}, scenario=scenario)
    assert met.verdict is Verdict.ALLOWED
    assert met.met[0].rule_id == "step" and met.met[0].met_because == ("done is true",)
    still_open = run_rules(rules, {"a": True, "done": None}, scenario=scenario)
    assert still_open.verdict is Verdict.STEPS and still_open.steps[0].rule_id == "step"


def test_an_undecided_rule_never_lets_the_verdict_be_allowed() -> None:
    ban = _rule("ban", leaf("a", "is", True), Effect.PROHIBITION)
    rules = [RuleSet("T", "T", "1", "s", "2026-11-23", (ban,))]
    result = run_rules(rules, {"a": None}, scenario=Scenario("DE", "CN", ("health",)))
    assert result.verdict is Verdict.STEPS and not result.complete
    assert result.only_questions_left


def test_not_covered_wins_over_everything() -> None:
    step = _rule("step", leaf("a", "is", True), Effect.OBLIGATION)
    rules = [RuleSet("T", "T", "1", "s", "2026-11-23", (step,))]
    result = run_rules(rules, {"a": False}, scenario=Scenario("GE", "CH", ("health",)),
                       covered=False, not_covered=("Georgia",))  # fmt: skip
    assert result.verdict is Verdict.NOT_COVERED and result.not_covered == ("Georgia",)


def test_an_exporter_outside_the_rules_keeps_the_verdict_from_allowed() -> None:
    # Its law restricts sending the data out, and no rule here checked it.
    step = _rule("step", leaf("a", "is", True), Effect.OBLIGATION)
    rules = [RuleSet("T", "T", "1", "s", "2026-11-23", (step,))]
    scenario = Scenario("GB", "CN", ("health",))
    result = run_rules(rules, {"a": False}, scenario=scenario, exporter_covered=False,
                       not_covered=("the law of United Kingdom (GB) (exporter) ...",))  # fmt: skip
    assert result.verdict is Verdict.STEPS and result.complete and not result.steps
    assert run_rules(rules, {"a": False}, scenario=scenario).verdict is Verdict.ALLOWED


def test_designations_default_to_not_designated_and_say_so() -> None:
    from permed_atlas.transfer import assess_transfer

    result = assess_transfer({"from": "CN", "to": "DE", "data": ["health", "identified"],
                              "subjects": 20})  # fmt: skip
    assert result.facts["exporter_ciio"] is False and result.facts["important_data"] is False
    assert sum("taken as not designated" in a for a in result.assumptions) == 2
    overridden = assess_transfer({"from": "CN", "to": "DE", "data": ["health", "identified"],
                                  "subjects": 20, "exporter_ciio": True})  # fmt: skip
    assert overridden.facts["exporter_ciio"] is True
    assert sum("taken as not designated" in a for a in overridden.assumptions) == 1
    assert "cac-security-assessment-ciio" in {f.rule_id for f in overridden.findings}


def test_every_declared_field_is_a_fact_an_option_and_a_schema_field() -> None:
    from permed_atlas.transfer.cli import _PARAMETERS
    from permed_atlas.transfer.engine import FACTS
    from permed_atlas.transfer.fields import FIELDS
    from permed_atlas.transfer.schemas import ScenarioCreate

    options = {p.name for p in _PARAMETERS}
    for spec in FIELDS:
        assert spec.name in ScenarioCreate.model_fields
        if spec.kind != "text":
            assert spec.name in FACTS and spec.name in options


def test_missing_facts_say_which_question_decides_which_duty() -> None:
    from permed_atlas.transfer import assess_transfer

    result = assess_transfer({"from": "Germany", "to": "China", "data": ["health"],
                              "purpose": "research"})  # fmt: skip
    role = next(m for m in result.missing_facts if m.field == "importer_role")
    assert "entrusted processing" in role.question
    assert any("(GDPR, Art. 28(3))" in item for item in role.needed_for)
    assert any("(PIPL, Art. 21)" in item for item in role.needed_for)
