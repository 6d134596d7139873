"""Legal invariants of the transfer assessor, over many generated scenarios.

The scenario table shows the answer is right where someone looked; these tests show that it
keeps the shape the law gives it everywhere else:

* a risk factor added (health or genetic data, samples, more people, identifiability, a
  CIIO or important-data designation, children, no consent, a copy instead of remote access,
  ...) never makes the verdict more permissive, and a safeguard added (a measure taken, a
  basis or exemption stated, consent given, anonymisation) never makes it less permissive;
* stating what the assessor assumes changes nothing, and countries the law treats alike
  (EU and non-EU EEA members, countries with a full adequacy decision) get one answer;
* an exporter outside the rule set is never "allowed as described";
* a transfer inside the EEA or inside mainland China triggers no third-country rules;
* the CAC 2024 mechanism and the HGR security review follow the thresholds of the texts;
* every reference names a bundled law and an article (paragraph, point) that law has;
* the Python API, ``permed transfer assess`` and the web pages and JSON API agree;
* unknown countries, fields and values are refused, named, on every edge.

Scenarios come from a seeded generator, so a failure is reproduced by rerunning; more of
them with ``PERMED_INVARIANT_SCALE=10`` (the default, 1, keeps the module near 20 s).
Monotonicity is checked on the verdict *and* with the steps that discharge the riskier
scenario's open obligations: whatever makes the riskier transfer lawful must make the less
risky one lawful too. The plain verdict rarely moves (most answers are "with listed steps");
that check found the defects fixed alongside this test.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml
from typer.testing import CliRunner

from permed_atlas.countries import eea_members
from permed_atlas.directory import BUNDLED_DIRECTORY_DIR
from permed_atlas.transfer import (
    Assessment,
    Effect,
    ScenarioError,
    Verdict,
    assess_transfer,
    known_measures,
    load_rule_sets,
)
from permed_atlas.transfer.fields import FIELDS, FIELDS_BY_NAME

RULES = load_rule_sets()
MEASURES = known_measures(RULES)
RULE_BY_ID = {rule.id: rule for rs in RULES for rule in rs.rules}
SCALE = int(os.environ.get("PERMED_INVARIANT_SCALE", "1"))

# The verdicts people act on, most permissive first. "Not covered" is never a go-ahead: it
# ranks with "steps" where countries change, and equal only to itself where they do not.
RANK = {Verdict.ALLOWED: 0, Verdict.STEPS: 1, Verdict.NOT_COVERED: 1, Verdict.NOT_ALLOWED: 2}

# Origin/destination pairs: EU members, "EU/EEA", EEA non-EU members, mainland China, Hong
# Kong and Macao, countries with a full (JP, CH, GB, KR) or partial (US, CA) adequacy
# decision, none (BR, IN), the two directions and both "inside" cases.
PAIRS = [
    ("DE", "CN"), ("CN", "DE"), ("FR", "US"), ("NO", "CN"), ("EU/EEA", "JP"), ("CN", "HK"),
    ("CN", "US"), ("DE", "GB"), ("IS", "CH"), ("CN", "CN"), ("DE", "FR"), ("HK", "DE"),
    ("US", "CN"), ("JP", "CN"), ("GB", "CN"), ("CN", "MO"), ("LI", "BR"), ("CA", "IT"),
    ("CN", "EU/EEA"), ("KR", "CN"), ("DE", "IN"), ("US", "CH"),
]  # fmt: skip
CONTENT = [("health",), ("genetic",), ("samples",), ("health", "genetic"), ("genetic", "samples"),
           ("health", "samples"), ("health", "genetic", "samples")]  # fmt: skip
MARKERS = (None, "identified", "pseudonymised", "anonymised", "aggregate")
# Around every threshold of the rules: HGR 500 and 3,000; CAC 2024 1, 10,000, 100,000 and
# 1,000,000 ("以上" includes the number, "不满" excludes it).
COUNTS = (0, 1, 2, 499, 500, 501, 2_999, 3_000, 3_001, 9_999, 10_000, 10_001, 99_999,
          100_000, 100_001, 999_999, 1_000_000, 1_000_001)  # fmt: skip
COUNT_FIELDS = ("data_subjects", "sensitive_subjects", "non_sensitive_subjects")
YESNO = tuple(spec.name for spec in FIELDS if spec.kind == "yesno")
CHOICES = {spec.name: spec.choices for spec in FIELDS if spec.kind == "choice"}
# Yes/no facts whose "yes" is a safeguard or an exemption the law recognises; every other
# yes/no fact's "yes" adds risk (small cells, sequencing, large scale, children, foreign or
# foreign-controlled parties, public funding, CIIO, important data, HGR collection,
# special collection, families or regions, preservation).
SAFE_YES = frozenset({"consent_names_recipient", "separate_consent", "occasional_transfer",
                      "chinese_party_participates", "marketing_authorisation_trial",
                      "importer_in_adequacy_scope"})  # fmt: skip
CONSENT_ORDER = ("explicit", "broad_research", "none")  # least risk first

Scenario = dict[str, Any]


def _key(scenario: Scenario) -> str:
    return json.dumps(scenario, sort_keys=True, default=list)


_CACHE: dict[str, Assessment | ScenarioError] = {}


def assess(scenario: Scenario) -> Assessment | ScenarioError:
    """The assessment, or the refusal, of a scenario (cached: mutations share scenarios)."""
    key = _key(scenario)
    if key not in _CACHE:
        try:
            _CACHE[key] = assess_transfer(scenario, rule_sets=RULES)
        except ScenarioError as exc:
            _CACHE[key] = exc
    return _CACHE[key]


def _draw(rng: random.Random) -> Scenario:
    """A scenario with a random part of the facts stated (contradictions get refused)."""
    exporter, importer = rng.choice(PAIRS)
    marker = rng.choice(MARKERS)
    data = [*rng.choice(CONTENT), *([marker] if marker else [])]
    scenario: Scenario = {"from": exporter, "to": importer, "data": data, "measures": []}
    for name in YESNO:
        if rng.random() < 0.6:
            scenario[name] = rng.random() < 0.5
    for name, choices in CHOICES.items():
        if rng.random() < 0.6:
            scenario[name] = rng.choice(choices)
    for name in COUNT_FIELDS:
        if rng.random() < 0.4:
            scenario[name] = rng.choice(COUNTS)
    if rng.random() < 0.2:
        scenario["subjects_country"] = rng.choice(["CN", "DE", "US", "EU/EEA"])
    return scenario


def _complete(scenario: Scenario, rng: random.Random) -> Scenario | None:
    """The scenario with every fact the assessment asks for stated (drawn), or None if refused.

    An incomplete scenario is never "allowed", so monotonicity checks on it say nothing.
    """
    scenario = dict(scenario)
    for _ in range(6):
        result = assess(scenario)
        if isinstance(result, ScenarioError):
            return None
        if not result.missing_facts:
            return scenario
        for fact in (m.field for m in result.missing_facts):
            spec = FIELDS_BY_NAME.get(fact)
            if spec is None:
                return None
            if spec.kind == "yesno":
                scenario[fact] = rng.random() < 0.5
            elif spec.kind == "choice":
                scenario[fact] = rng.choice(spec.choices)
            elif spec.kind == "count":
                scenario[fact] = rng.choice(COUNTS)
            else:
                return None
    return None


def _discharge(result: Assessment, rng: random.Random) -> list[str]:
    """One measure for each open obligation: steps that make this scenario lawful."""
    chosen = {rng.choice(RULE_BY_ID[f.rule_id].satisfied_by)
              for f in result.steps if RULE_BY_ID[f.rule_id].satisfied_by}  # fmt: skip
    return sorted(chosen)


# --- mutations: (label, scenario) pairs, each one step riskier than the scenario given ----------


def riskier(s: Scenario) -> Iterator[tuple[str, Scenario]]:
    """Scenarios one risk factor riskier than ``s``."""
    for name in YESNO:
        if s.get(name) is (name in SAFE_YES):
            yield f"{name}: {s[name]} -> {not s[name]}", {**s, name: not s[name]}
    if s.get("consent") in CONSENT_ORDER[:-1]:
        for weaker in CONSENT_ORDER[CONSENT_ORDER.index(s["consent"]) + 1 :]:
            yield f"consent: {s['consent']} -> {weaker}", {**s, "consent": weaker}
    for name in COUNT_FIELDS:
        if name in s:
            for more in (n for n in COUNTS if n > s[name]):
                yield f"{name}: {s[name]} -> {more}", {**s, name: more}
    data = s["data"]
    for added in ("health", "genetic", "samples"):
        if added not in data:
            yield f"data: + {added}", {**s, "data": [*data, added]}
    for low, high in (("anonymised", "pseudonymised"), ("anonymised", "identified"),
                      ("pseudonymised", "identified"), ("aggregate", "pseudonymised")):  # fmt: skip
        # Aggregates whose small cells are not stated carry a check (is the table anonymous?)
        # that personal data make moot: compare them only once the cells are stated.
        if low in data and (low != "aggregate" or "small_cells" in s):
            higher = {k: v for k, v in s.items() if k != "small_cells"}
            yield f"data: {low} -> {high}", {**higher, "data": [high if d == low else d
                                                               for d in data]}  # fmt: skip
    if s.get("access_mode") == "remote_access":
        yield "access_mode: remote_access -> copy", {**s, "access_mode": "copy"}


def safer(s: Scenario, rng: random.Random) -> Iterator[tuple[str, Scenario]]:
    """Scenarios one safeguard safer than ``s`` (a few measures drawn, not all 37)."""
    for measure in rng.sample([m for m in MEASURES if m not in s["measures"]], 4):
        yield f"measures: + {measure}", {**s, "measures": sorted([*s["measures"], measure])}
    for name in ("legal_basis", "pipl_basis", "cac_exemption"):
        if name not in s:
            value = rng.choice(CHOICES[name])
            yield f"{name}: stated {value}", {**s, name: value}
    if "art49_derogation" not in s:
        derogation = rng.choice(CHOICES["art49_derogation"])
        yield (f"art49_derogation: stated {derogation}, occasional",
               {**s, "art49_derogation": derogation, "occasional_transfer": True})  # fmt: skip
    if "pseudonymised" in s["data"] or "identified" in s["data"]:
        anonymous = [("anonymised" if d in {"pseudonymised", "identified"} else d)
                     for d in s["data"]]  # fmt: skip
        yield "data: -> anonymised", {**s, "data": anonymous}


def _bases(count: int, seed: int) -> list[Scenario]:
    rng = random.Random(seed)
    bases: list[Scenario] = []
    while len(bases) < count:
        complete = _complete(_draw(rng), rng)
        if complete is not None:
            bases.append(complete)
    return bases


@dataclass
class Violation:
    label: str
    lower: Scenario
    measures: list[str]
    lower_verdict: str
    higher_verdict: str
    still_open: list[str]

    def __str__(self) -> str:
        return (f"{self.label}: the less risky scenario is {self.lower_verdict!r}, the riskier "
                f"{self.higher_verdict!r}, with measures {self.measures}; left open: "
                f"{self.still_open}\n    {_key(self.lower)}")  # fmt: skip


def _compare(label: str, lower: Scenario, higher: Scenario, rng: random.Random) -> list[Violation]:
    """Check ``lower`` (less risky) is at least as permissive as ``higher``, as given and
    with the measures that discharge ``higher``'s open obligations."""
    higher = _complete(higher, rng) or higher
    # The facts drawn to complete ``higher`` are stated on ``lower`` too: one change apart.
    lower = {**{k: v for k, v in higher.items() if k not in lower}, **lower}
    found = []
    high = assess(higher)
    if isinstance(high, ScenarioError):
        return []
    for measures in ([], _discharge(high, rng)):
        lo = assess({**lower, "measures": sorted({*lower["measures"], *measures})})
        hi = assess({**higher, "measures": sorted({*higher["measures"], *measures})})
        if isinstance(lo, ScenarioError) or isinstance(hi, ScenarioError):
            continue
        if RANK[lo.verdict] > RANK[hi.verdict]:
            still_open = [f.rule_id for f in lo.steps] + [u.rule_id for u in lo.undecided]
            found.append(Violation(label, lower, measures, lo.verdict.value, hi.verdict.value,
                                   still_open))  # fmt: skip
    return found


def _report(violations: list[Violation], checked: int) -> str:
    shown = "\n".join(str(v) for v in violations[:8])
    return f"{len(violations)} of {checked} pairs break the invariant:\n{shown}"


# --- monotonicity ---------------------------------------------------------------------------


def test_a_risk_factor_never_makes_the_verdict_more_permissive() -> None:
    rng = random.Random(1)
    violations: list[Violation] = []
    checked = 0
    for base in _bases(40 * SCALE, seed=11):
        for label, higher in riskier(base):
            checked += 1
            violations += _compare(label, base, higher, rng)
    assert checked > 700
    assert not violations, _report(violations, checked)


def test_a_safeguard_never_makes_the_verdict_less_permissive() -> None:
    rng = random.Random(2)
    violations: list[Violation] = []
    checked = 0
    for base in _bases(75 * SCALE, seed=12):
        for label, lower in safer(base, rng):
            checked += 1
            violations += _compare(label, lower, base, rng)
    assert checked > 400
    assert not violations, _report(violations, checked)


def _hypercube(
    fixed: Scenario, risky: tuple[str, ...], safe: tuple[str, ...], rng: random.Random
) -> tuple[int, list[Violation]]:
    """Every combination of the yes/no facts ``risky`` + ``safe`` on top of ``fixed``, each
    compared with its neighbours one fact riskier (no sampling). ``samples_leave`` adds
    samples to the data."""

    def build(values: dict[str, bool]) -> Scenario:
        scenario = {**fixed, **{k: v for k, v in values.items() if k != "samples_leave"}}
        if values.get("samples_leave"):
            scenario["data"] = [*fixed["data"], "samples"]
        return scenario

    dims = risky + safe
    violations: list[Violation] = []
    edges = 0
    for bits in itertools.product((False, True), repeat=len(dims)):
        values = dict(zip(dims, bits, strict=True))
        for name in dims:
            if values[name] is (name in safe):  # the riskier neighbour differs in ``name``
                edges += 1
                higher = build({**values, name: not values[name]})
                violations += _compare(f"{name} flipped", build(values), higher, rng)
    return edges, violations


def test_every_combination_of_the_facts_of_genetic_data_leaving_china_is_monotone() -> None:
    fixed: Scenario = {
        "from": "CN", "to": "DE", "data": ["genetic", "pseudonymised"], "purpose": "research",
        "consent": "explicit", "separate_consent": True, "consent_names_recipient": True,
        "data_subjects": 600, "importer_role": "joint_controller", "legal_basis": "consent",
        "large_scale": False, "government_funded": False, "chinese_party_participates": True,
        "exporter_foreign_controlled": False, "hgr_collection": False,
        "hgr_special_collection": False, "hgr_preservation": False, "measures": [],
    }  # fmt: skip
    risky = ("samples_leave", "foreign_party", "sequencing", "hgr_families_or_regions",
             "exporter_ciio")  # fmt: skip
    edges, violations = _hypercube(fixed, risky, ("marketing_authorisation_trial",),
                                   random.Random(3))  # fmt: skip
    assert edges == 6 * 2**5
    assert not violations, _report(violations, edges)


@pytest.mark.parametrize(("exporter", "importer"), [("DE", "CN"), ("NO", "US"), ("IT", "JP")])
def test_every_combination_of_the_facts_of_health_data_leaving_the_eea_is_monotone(
    exporter: str, importer: str
) -> None:
    fixed: Scenario = {
        "from": exporter, "to": importer, "data": ["health", "pseudonymised"],
        "data_subjects": 50, "purpose": "research", "consent": "explicit",
        "legal_basis": "consent", "art49_derogation": "explicit_consent",
        "importer_role": "independent_controller", "measures": [],
    }  # fmt: skip
    risky = ("large_scale", "minors_under_14")
    safe = ("consent_names_recipient", "separate_consent", "occasional_transfer")
    edges, violations = _hypercube(fixed, risky, safe, random.Random(13))
    assert edges == 5 * 2**4
    assert not violations, _report(violations, edges)


# --- equivalences ---------------------------------------------------------------------------


def _answer(result: Assessment | ScenarioError) -> tuple[Any, ...]:
    assert not isinstance(result, ScenarioError), result
    return (result.verdict, sorted((f.rule_id, f.satisfied) for f in result.findings),
            sorted(u.rule_id for u in result.undecided))  # fmt: skip


def test_stating_what_the_assessor_assumes_changes_nothing() -> None:
    rng = random.Random(4)
    checked = 0
    for _ in range(300 * SCALE):
        s = _draw(rng)
        result = assess(s)
        if isinstance(result, ScenarioError):
            continue
        same: list[tuple[str, Scenario]] = []
        if s["from"] == "CN":  # designations: not stated is not designated
            same += [(f"{name} = no", {**s, name: False})
                     for name in ("exporter_ciio", "important_data") if name not in s]  # fmt: skip
            if "data_subjects" in s and not {"sensitive_subjects", "non_sensitive_subjects"} & {*s}:
                facts = result.facts
                counts = {"sensitive_subjects": facts["sensitive_count"],
                          "non_sensitive_subjects": facts["non_sensitive_count"]}  # fmt: skip
                same.append(("cumulative counts = this transfer's", {**s, **counts}))
        if not set(s["data"]) & {"identified", "pseudonymised", "anonymised", "aggregate"}:
            same.append(("pseudonymised", {**s, "data": [*s["data"], "pseudonymised"]}))
        for label, stated in same:
            restated = assess(stated)
            if isinstance(restated, ScenarioError):
                continue
            checked += 1
            assert _answer(restated) == _answer(result), (label, _key(s))
    assert checked > 40


def test_what_describes_a_consent_meets_nothing_where_none_was_given() -> None:
    """With consent "none", the facts that describe a consent (it names the recipient, it is
    the basis relied on) change nothing: no duty is met by a consent no one gave."""
    rng = random.Random(10)
    checked = 0
    for _ in range(300 * SCALE):
        s = {**_draw(rng), "consent": "none", "consent_names_recipient": True}
        s.pop("separate_consent", None)  # refused with consent "none" (tested elsewhere)
        for name in ("legal_basis", "pipl_basis", "art49_derogation"):
            if rng.random() < 0.5:
                s[name] = "explicit_consent" if name == "art49_derogation" else "consent"
        stripped = {k: v for k, v in s.items() if k != "consent_names_recipient"
                    and not (k in {"legal_basis", "pipl_basis"} and v == "consent")}  # fmt: skip
        given, without = assess(s), assess(stripped)
        if stripped == s or isinstance(given, ScenarioError):
            continue
        assert not isinstance(without, ScenarioError)
        checked += 1
        assert given.verdict is without.verdict, _key(s)
        assert [f.rule_id for f in given.met] == [f.rule_id for f in without.met], _key(s)
    assert checked > 100


def test_countries_the_law_treats_alike_get_one_answer() -> None:
    rng = random.Random(5)
    # GDPR applies in the whole EEA (EEA Agreement, Decision 154/2018) and in the parts of
    # member states with codes of their own: an EU member, a non-EU member and Reunion are
    # alike on either side. Every full adequacy decision (Art. 45) makes the importer's
    # country alike for an exporter in the EEA.
    eea_alike = ("FR", "NO", "IS", "LI", "IT", "RE")
    adequate_alike = ("JP", "CH", "GB", "KR", "NZ", "IL", "AR", "UY", "AD", "FO", "JE")
    checked = 0
    for _ in range(50 * SCALE):
        s = _draw(rng)
        groups = [
            [{**s, "from": c} for c in eea_alike if c != s["to"]],
            [{**s, "to": c} for c in eea_alike if c != s["from"]],
            [{**s, "from": "DE", "to": c} for c in adequate_alike],
        ]
        for group in groups:
            answers = [assess(scenario) for scenario in group]
            if any(isinstance(a, ScenarioError) for a in answers):
                continue
            checked += 1
            distinct = {str(_answer(a)) for a in answers}
            assert len(distinct) == 1, [_key(scenario) for scenario in group[:2]]
    assert checked > 40


def test_a_member_state_and_eu_eea_get_the_same_verdict() -> None:
    rng = random.Random(6)
    checked = 0
    # Over half the draws are refused as contradictory (small cells without aggregates, ...):
    # 80 leave enough to check, whatever fields the generator draws.
    for _ in range(80 * SCALE):
        s = {**_draw(rng), "from": "DE"}
        named, unnamed = assess(s), assess({**s, "from": "EU/EEA"})
        if isinstance(named, ScenarioError) or isinstance(unnamed, ScenarioError):
            continue
        checked += 1
        # Only the note asking for the member state tells them apart.
        note = {"gdpr-member-state-not-named"}
        assert named.verdict is unnamed.verdict, _key(s)
        fired = [{f.rule_id for f in result.findings} - note for result in (named, unnamed)]
        assert fired[0] == fired[1], _key(s)
    assert checked > 20


# --- coverage and jurisdictions -------------------------------------------------------------

UNCOVERED = ("GB", "US", "CH", "JP", "HK", "MO", "BR", "TW", "GE", "GI", "GL")


def test_an_exporter_outside_the_rules_is_never_allowed() -> None:
    """The exporter's law restricts sending data out; unknown to the rules, it is not leave.

    Not "never more permissive than a covered exporter": a ban of the covered exporter's law
    does not travel with the data (HGR Art. 7 bars a foreign-controlled holder in China from
    exporting China's genetic resources; a British holder sends British samples), so a
    different exporter is a different transfer, not a riskier one. What holds is that no
    answer is a go-ahead while the exporter's law is unread, whatever steps are taken.
    """
    rng = random.Random(7)
    checked = 0
    for base in _bases(40 * SCALE, seed=17):
        for exporter in UNCOVERED:
            moved = _complete({**base, "from": exporter}, rng)
            if exporter == base["to"] or moved is None:
                continue
            result = assess(moved)
            assert not isinstance(result, ScenarioError)
            everything = assess({**moved, "measures": _discharge(result, rng)})
            assert not isinstance(everything, ScenarioError)
            checked += 1
            for answer in (result, everything):
                assert answer.verdict is not Verdict.ALLOWED, _key(moved)
            assert any("(exporter)" in line for line in result.not_covered), _key(moved)
    assert checked > 300


def test_only_parties_outside_every_covered_jurisdiction_are_not_covered() -> None:
    inside = ("DE", "NO", "EU/EEA", "CN", "RE", "AX")
    for exporter, importer in itertools.product(inside + UNCOVERED, repeat=2):
        result = assess({"from": exporter, "to": importer, "data": ["health", "identified"]})
        assert not isinstance(result, ScenarioError)
        outside = exporter in UNCOVERED and importer in UNCOVERED
        assert (result.verdict is Verdict.NOT_COVERED) is outside, (exporter, importer)


# Parts of member states with ISO codes of their own, inside the EU (TFEU Art. 349, 355(1),
# 355(4)), and territories of member states outside it (Art. 355(2) with Annex II, 355(5)):
# written from the treaty, not read from the jurisdiction file the assessor uses.
EU_TERRITORIES = ("RE", "GP", "MQ", "GF", "YT", "MF", "AX")
OUTSIDE_TERRITORIES = ("GL", "FO", "BL", "PM", "NC", "PF", "WF", "AW", "CW", "SX", "BQ", "GI")
CHAPTER_V = re.compile(r"Art\. (4[5-9])|13\(1\)\(f\)|Clause 14")
CN_OUTBOUND_RULES = frozenset({
    "pipl-outbound", "pipl-remote-access-is-outbound", "pipl-art39-outbound-consent",
    "cac-security-assessment-ciio", "cac-security-assessment-sensitive",
    "cac-security-assessment-volume", "cac-standard-contract", "cac-exempt-small-volume",
    "cac-exemption-claimed", "cac-art4-collected-abroad", "cac-art3-no-personal-information",
    "pipl-art40-localisation", "pipl-art41-foreign-authorities", "pipl-art21-entrusted-recipient",
    "dsl-art31-important-data-export", "dsl-art36-foreign-authorities",
    "csl-art37-ciio-localisation", "hgr-art27-materials-export", "hgr-art28-information-filing",
    "hgr-art28-security-review", "scidata-art25-review", "scidata-art26-foreign-cooperation",
})  # fmt: skip


def test_a_transfer_inside_the_eea_or_inside_china_triggers_no_transfer_rules() -> None:
    rng = random.Random(8)
    eea = sorted(eea_members()) + ["EU/EEA", *EU_TERRITORIES]
    checked = 0
    for _ in range(150 * SCALE):
        s = _draw(rng)
        pairs = [(rng.choice(eea), rng.choice(eea)) for _ in range(3)] + [("CN", "CN")]
        for exporter, importer in pairs:
            result = assess({**s, "from": exporter, "to": importer})
            if isinstance(result, ScenarioError):
                continue
            checked += 1
            where = (exporter, importer, _key(s))
            fired = {f.rule_id for f in result.findings} | {u.rule_id for u in result.undecided}
            if exporter == "CN":
                assert not result.facts.get("pipl_outbound"), where
                assert not fired & CN_OUTBOUND_RULES, where
                continue
            assert result.verdict is not Verdict.NOT_COVERED, where
            assert not result.facts.get("gdpr_chapter_v"), where
            cited = [str(r) for f in result.findings if f.effect is not Effect.NOTE
                     for r in f.references]  # fmt: skip
            assert not [r for r in cited if CHAPTER_V.search(r)], where
    assert checked > 150


def test_territories_outside_the_eu_are_third_countries() -> None:
    for territory in OUTSIDE_TERRITORIES:
        result = assess({"from": "FR", "to": territory, "data": ["health", "identified"]})
        assert not isinstance(result, ScenarioError)
        assert result.facts["gdpr_chapter_v"] is True, territory


# --- thresholds -----------------------------------------------------------------------------

ASSESSMENT_RULES = frozenset({"cac-security-assessment-ciio", "cac-security-assessment-sensitive",
                              "cac-security-assessment-volume", "dsl-art31-important-data-export",
                              "csl-art37-ciio-localisation"})  # fmt: skip


def _cac_mechanism_by_the_text(
    *, ciio: bool, important: bool, exemption: str | None, sensitive: int, other: int
) -> str:
    """What CAC 2024 Art. 3-8 ask of a transfer of personal information out of China."""
    if important:
        return "security assessment"  # Art. 7(1)-(2); DSL Art. 31; no exemption for it
    if exemption:
        return "none"  # Art. 4 (collected abroad), 5(1)-(3), 6: CIIOs included
    if ciio or sensitive >= 10_000 or other >= 1_000_000:
        return "security assessment"  # Art. 7
    if sensitive >= 1 or other >= 100_000:
        return "standard contract or certification"  # Art. 8
    return "none"  # Art. 5(4)


def test_the_cac_mechanism_follows_the_thresholds_of_the_2024_provisions() -> None:
    sensitive_counts = (0, 1, 9_999, 10_000)
    other_counts = (0, 99_999, 100_000, 999_999, 1_000_000)
    exemptions = (None, "emergency_life_health", "collected_abroad")
    checked = 0
    for ciio, important, exemption, sensitive, other in itertools.product(
        (False, True), (False, True), exemptions, sensitive_counts, other_counts
    ):
        # Health data are sensitive (PIPL Art. 28); the counts are cumulative since 1 January.
        data = ["health", "identified"] if sensitive or not other else ["identified"]
        scenario = {"from": "CN", "to": "DE", "data": data, "exporter_ciio": ciio,
                    "important_data": important, "sensitive_subjects": sensitive,
                    "non_sensitive_subjects": other,
                    **({"cac_exemption": exemption} if exemption else {})}  # fmt: skip
        result = assess(scenario)
        assert not isinstance(result, ScenarioError), scenario
        fired = {f.rule_id for f in result.findings}
        if fired & ASSESSMENT_RULES:
            got = "security assessment"
        elif "cac-standard-contract" in fired:
            got = "standard contract or certification"
        else:
            got = "none"
        expected = _cac_mechanism_by_the_text(ciio=ciio, important=important,
                                              exemption=exemption, sensitive=sensitive,
                                              other=other)  # fmt: skip
        assert got == expected, (scenario, sorted(fired))
        checked += 1
    assert checked == 2 * 2 * len(exemptions) * len(sensitive_counts) * len(other_counts)


def test_the_hgr_security_review_follows_the_500_threshold() -> None:
    for count, sequencing, families, importer, samples in itertools.product(
        (1, 499, 500, 501, 3_001),
        (None, False, True),
        (None, False, True),
        ("DE", "HK", "CN"),
        (False, True),
    ):
        scenario: Scenario = {"from": "CN", "to": importer, "data_subjects": count,
                              "data": ["genetic", *(["samples"] if samples else [])]}  # fmt: skip
        scenario |= {
            k: v
            for k, v in (("sequencing", sequencing), ("hgr_families_or_regions", families))
            if v is not None
        }
        result = assess(scenario)
        assert not isinstance(result, ScenarioError)
        fired = {f.rule_id for f in result.findings}
        undecided = {u.rule_id for u in result.undecided}
        abroad = importer != "CN"
        # Implementing Rules: exome or genome sequences of more than 500 people, important
        # families, specific regions (HGR Regulations Art. 28(1)).
        due = abroad and bool((sequencing and count > 500) or families)
        open_question = (
            abroad and not due and ((sequencing is None and count > 500) or families is None)
        )
        assert ("hgr-art28-security-review" in fired) is due, scenario
        assert ("hgr-art28-security-review" in undecided) is open_question, scenario


# --- references -----------------------------------------------------------------------------

# Each law a rule cites: the entry of the bundled law directory (data/directory/laws.yaml)
# that describes it, and its size as promulgated (articles; GDPR recitals; SCC clauses).
LAWS: dict[str, tuple[str | None, int]] = {
    "GDPR": ("gdpr", 99),  # 99 articles, 173 recitals
    "PIPL": ("pipl", 74),
    "DSL": ("dsl", 55),
    "CSL": ("cybersecurity-law", 79),
    "HGR Regulations": ("hgr-regulations", 47),
    "HGR Implementing Rules (2023)": ("hgr-implementing-rules", 63),
    "CAC Provisions on Promoting and Regulating Cross-Border Data Flows (2024)": (
        "cross-border-data-flow-provisions", 14),
    "Measures for Security Assessment of Outbound Data Transfers (2022)": (
        "outbound-security-assessment-measures", 20),
    "Measures on the Standard Contract for Outbound Transfer of Personal Information (2023)": (
        "standard-contract-measures", 13),
    "Measures for Managing Scientific Data": ("scientific-data-measures", 32),
    # The CAC's application guide is guidance, cited by part (no directory entry).
    "CAC Guide to Applying for Security Assessment of Outbound Data Transfers": (None, 0),
}  # fmt: skip
# How far the first subdivision of the articles cited with one goes (paragraphs, or the
# items of a one-paragraph article such as PIPL Art. 55 and 73), and the second (points).
SUBDIVISIONS: dict[tuple[str, int], tuple[int, ...]] = {
    ("GDPR", 1): (3,), ("GDPR", 3): (3, 2), ("GDPR", 4): (26,), ("GDPR", 5): (2, 6),
    ("GDPR", 6): (4, 6), ("GDPR", 7): (4,), ("GDPR", 9): (4, 10), ("GDPR", 13): (4, 6),
    ("GDPR", 14): (5, 7), ("GDPR", 26): (3,), ("GDPR", 28): (10, 8), ("GDPR", 35): (11, 4),
    ("GDPR", 45): (9,), ("GDPR", 46): (5, 6), ("GDPR", 49): (6, 7), ("GDPR", 89): (4,),
    ("PIPL", 3): (2, 3), ("PIPL", 4): (2,), ("PIPL", 13): (2, 7), ("PIPL", 14): (2,),
    ("PIPL", 28): (2,), ("PIPL", 31): (2,), ("PIPL", 38): (3, 4), ("PIPL", 55): (5,),
    ("PIPL", 73): (4,), ("DSL", 27): (2,), ("HGR Regulations", 22): (2,),
    ("HGR Regulations", 28): (3,), ("CAC Provisions on Promoting and Regulating Cross-Border "
    "Data Flows (2024)", 5): (4,), ("CAC Provisions on Promoting and Regulating Cross-Border "
    "Data Flows (2024)", 7): (2,), ("Measures for Security Assessment of Outbound Data "
    "Transfers (2022)", 4): (4,),
}  # fmt: skip
_ARTICLE = re.compile(r"(?:Art\. |, )(\d+)((?:\([0-9a-z]+\))*)(?:-\(([0-9a-z]+)\))?")
_PART = re.compile(r"\(([0-9a-z]+)\)")


def _subdivision(part: str) -> int:
    return int(part) if part.isdigit() else ord(part) - ord("a") + 1


def _check_article(law: str, number: int, parts: list[str], where: str) -> None:
    size = LAWS[law][1]
    assert 1 <= number <= size, f"{where}: {law} has {size} articles, not {number}"
    limits = SUBDIVISIONS.get((law, number), ())
    for depth, part in enumerate(parts[: len(limits)]):
        assert 1 <= _subdivision(part) <= limits[depth], f"{where}: {law} Art. {number}{parts}"


def _check_reference(law: str, article: str, where: str) -> None:
    assert law in LAWS, f"{where}: {law!r} is not a law of the bundled rule set"
    for segment in (s.strip() for s in article.split(";")):
        if segment.startswith("Implementing Rules "):  # "Art. 2; Implementing Rules Art. 2"
            _check_reference("HGR Implementing Rules (2023)",
                             segment.removeprefix("Implementing Rules "), where)  # fmt: skip
        elif m := re.fullmatch(r"Recital (\d+)", segment):
            assert law == "GDPR" and 1 <= int(m[1]) <= 173, where
        elif m := re.match(r"SCC Clause (\d+) \(Decision \(EU\) 2021/914\)", segment):
            assert 1 <= int(m[1]) <= 18, where  # the SCCs have 18 clauses
        elif m := re.fullmatch(r"Part (\d+)\((\d+)\)", segment):
            assert LAWS[law][0] is None, where  # a guide, cited by part
        elif m := re.fullmatch(r"Chapter ([IVX]+) \(Arts\. (\d+)-(\d+)\)", segment):
            for number in range(int(m[2]), int(m[3]) + 1):
                _check_article(law, number, [], where)
        elif segment.startswith("Art."):
            assert not _ARTICLE.sub("", segment).strip(), f"{where}: cannot read {segment!r}"
            for m in _ARTICLE.finditer(segment):
                parts = _PART.findall(m[2])
                _check_article(law, int(m[1]), parts, where)
                if m[3]:  # "Art. 38(1)(2)-(3)": the range ends at the level it starts
                    _check_article(law, int(m[1]), [*parts[:-1], m[3]], where)
        else:
            # Cited by subject where the article number is not known for sure (the README of
            # data/transfer lists these as points to re-check first).
            assert law == "HGR Implementing Rules (2023)", f"{where}: cannot read {segment!r}"


def test_every_reference_names_a_bundled_law_and_an_article_it_has() -> None:
    directory = yaml.safe_load((BUNDLED_DIRECTORY_DIR / "laws.yaml").read_text("utf-8"))
    entries = {entry["id"]: entry for entry in directory["entries"]}
    rule_files = {rs.path.rsplit("/", 1)[-1].removesuffix(".yaml") for rs in RULES}
    for entry_id, _ in LAWS.values():
        if entry_id is not None:  # the directory entry says which rule file applies it
            assert entries[entry_id]["transfer_rules"] in rule_files, entry_id
    checked = 0
    for rule in RULE_BY_ID.values():
        for ref in rule.references:
            _check_reference(ref.law, ref.article, where=f"{rule.id}: {ref}")
            checked += 1
    assert checked > 100


def test_every_finding_cites_a_reference_of_its_rule() -> None:
    for base in _bases(30, seed=19):
        result = assess(base)
        assert not isinstance(result, ScenarioError)
        for finding in result.findings:
            assert finding.references == RULE_BY_ID[finding.rule_id].references
            assert all(ref.law and ref.article for ref in finding.references)


# --- the same answer on every edge ----------------------------------------------------------


def _cli_args(scenario: Scenario) -> list[str]:
    """``permed transfer assess`` options for a scenario (the flags declared in fields.py)."""
    names = {"from": "exporter_country", "to": "importer_country", "data": "data_categories"}
    args: list[str] = []
    for key, value in scenario.items():
        spec = FIELDS_BY_NAME[names.get(key, key)]
        if spec.kind == "yesno":
            args.append(spec.cli_option if value else f"--no-{spec.cli_option[2:]}")
        elif spec.kind in {"categories", "names"}:
            args += [item for v in value for item in (spec.cli_option, v)]
        else:
            args += [spec.cli_option, str(value)]
    return args


def _canonical(scenario: Scenario) -> Scenario:
    """The scenario with the JSON schema's field names (it takes no aliases)."""
    names = {"from": "exporter_country", "to": "importer_country", "data": "data_categories"}
    return {names.get(key, key): value for key, value in scenario.items()}


def _query(scenario: Scenario) -> str:
    items: list[tuple[str, str]] = []
    for key, value in scenario.items():
        if isinstance(value, list):
            items += [(key, v) for v in value]
        else:
            items.append((key, str(value).lower() if isinstance(value, bool) else str(value)))
    return urlencode(items)


def _edge_scenarios() -> list[Scenario]:
    rng = random.Random(9)
    picked = _bases(40, seed=21)
    picked += [{**_draw(rng), "measures": sorted(rng.sample(MEASURES, 3))} for _ in range(10)]
    return [s for s in picked if not isinstance(assess(s), ScenarioError)][:30]


def test_python_cli_web_page_and_json_api_give_one_answer(client) -> None:  # type: ignore[no-untyped-def]
    from permed_atlas.cli import app

    runner = CliRunner()
    for scenario in _edge_scenarios():
        python = assess(scenario)
        assert not isinstance(python, ScenarioError)
        expected = (python.verdict.value,
                    sorted((f.rule_id, f.satisfied) for f in python.findings),
                    sorted(u.rule_id for u in python.undecided))  # fmt: skip
        cli = runner.invoke(app, ["transfer", "assess", *_cli_args(scenario), "--format", "json"])
        assert cli.exit_code == 0, (scenario, cli.output)
        api = client.post("/api/v1/transfer/assess", json=_canonical(scenario))
        assert api.status_code == 200, (scenario, api.text)
        for body in (json.loads(cli.output), api.json()):
            findings = [*body["obligations"], *body["prohibitions"], *body["scope"],
                        *body["notes"]]  # fmt: skip
            got = (body["verdict"], sorted((f["rule_id"], f["satisfied"]) for f in findings),
                   sorted(u["rule_id"] for u in body["undecided"]))  # fmt: skip
            assert got == expected, scenario
        page = client.get(f"/transfer/assess?{_query(scenario)}")
        assert page.status_code == 200, (scenario, page.text[:500])
        verdict = re.search(r'data-testid="verdict"><strong>Verdict: ([^<]+)<', page.text)
        assert verdict and verdict[1] == python.verdict.value, scenario
        rows = re.findall(r'data-rule="([^"]+)" data-met="(yes|no)"', page.text)
        obligations = sorted((f.rule_id, f.satisfied) for f in python.findings
                             if f.effect is Effect.OBLIGATION)  # fmt: skip
        listed = sorted((rule, met == "yes") for rule, met in rows
                        if RULE_BY_ID[rule].effect is Effect.OBLIGATION)  # fmt: skip
        assert listed == obligations, scenario


REFUSED: list[tuple[Scenario, str, str]] = [
    ({"from": "Atlantis"}, "exporter_country", "Atlantis"),
    ({"to": "Korea"}, "importer_country", "Korea"),
    ({"to": "Ge"}, "importer_country", "Ge"),
    ({"to": "ZZ"}, "importer_country", "ZZ"),
    ({"to": "Kosovo"}, "importer_country", "Kosovo"),
    ({"subjects_country": "Mars"}, "subjects_country", "Mars"),
    ({"data": ["health", "blood"]}, "data_categories", "blood"),
    ({"consent": "maybe"}, "consent", "maybe"),
    ({"cac_exemption": "research"}, "cac_exemption", "research"),
    ({"measures": ["magic_stamp"]}, "measures", "magic_stamp"),
    ({"data_subjects": -3}, "data_subjects", "-3"),
    ({"favourite_law": "x"}, "favourite_law", "unknown field"),
]
_BASE: Scenario = {"from": "DE", "to": "CN", "data": ["health"]}


def test_unknown_input_is_refused_naming_it_on_every_edge(client, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from permed_atlas.cli import main

    for change, field, named in REFUSED:
        scenario = {**_BASE, **change}
        with pytest.raises(ScenarioError) as raised:
            assess_transfer(scenario, rule_sets=RULES)
        assert raised.value.field == field and named in str(raised.value), change
        page = client.get(f"/transfer/assess?{_query(scenario)}")
        assert page.status_code == 422 and named in page.text and field in page.text, change
        api = client.post("/api/v1/transfer/assess", json=_canonical(scenario))
        assert api.status_code == 422, change
        if field not in FIELDS_BY_NAME:
            # The JSON schema forbids unknown fields itself; the CLI has no option to give one.
            assert field in api.text
            continue
        assert api.json()["field"] == field and named in api.json()["detail"], change
        # The command line's entry point turns the error into one line on stderr and exit 1.
        monkeypatch.setattr("sys.argv", ["permed", "transfer", "assess", *_cli_args(scenario)])
        with pytest.raises(SystemExit) as exited:
            main()
        err = " ".join(capsys.readouterr().err.split())
        assert exited.value.code == 1 and f"{field}:" in err and named in err, (change, err)
