"""Rule files: bundled ones are complete, a test folder adds or amends rules, bad ones fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from permed_atlas.transfer import RuleFileError, Verdict, assess_transfer, load_rule_sets
from permed_atlas.transfer.rules import BUNDLED_RULES_DIR

EU_CN = {"from": "DE", "to": "CN", "data": ["genetic", "pseudonymised"], "purpose": "research",
         "consent": "explicit", "legal_basis": "consent"}  # fmt: skip


def test_one_file_per_law_with_provenance_on_every_rule() -> None:
    names = {p.name for p in BUNDLED_RULES_DIR.glob("*.yaml") if not p.name.startswith("_")}
    assert {"gdpr.yaml", "pipl.yaml", "dsl.yaml", "hgr.yaml", "scientific_data.yaml"} <= names
    sets = load_rule_sets()
    assert {rs.law for rs in sets} >= {"GDPR", "PIPL", "DSL", "HGR", "SciData", "CSL"}
    for rule_set in sets:
        assert rule_set.date_checked == "2026-11-23"
        for rule in rule_set.rules:
            assert rule.reference.law and rule.reference.article, rule.id
            assert rule.source.startswith("http"), rule.id
            assert len(rule.explanation) > 40, rule.id


def test_a_rule_file_in_another_folder_adds_a_rule(tmp_path: Path) -> None:
    (tmp_path / "local.yaml").write_text(
        """
law: LOCAL
title: Institutional policy
version: "2026"
source: https://example.org/policy
date_checked: "2026-11-20"
rules:
  - id: local-dpo-sign-off
    title: The DPO signs off every transfer to China
    when: {all: [{fact: importer_country, equals: CN}, {fact: personal_data, is: true}]}
    then: {effect: obligation, obligation: Get the DPO's sign-off., satisfied_by: [dpo_sign_off]}
    reference: {law: Institutional policy, article: "s. 4"}
    explanation: Our institution asks its data protection officer to sign off each transfer.
""",
        encoding="utf-8",
    )
    base = assess_transfer(EU_CN)
    extended = assess_transfer(EU_CN, rule_dirs=[tmp_path])
    assert "local-dpo-sign-off" not in {f.rule_id for f in base.findings}
    assert "local-dpo-sign-off" in {f.rule_id for f in extended.findings}
    assert extended.rules_checked == "2026-11-20"  # the oldest check date is shown
    done = assess_transfer({**EU_CN, "measures": ["dpo_sign_off"]}, rule_dirs=[tmp_path])
    assert next(f for f in done.findings if f.rule_id == "local-dpo-sign-off").satisfied


def test_a_rule_with_the_same_id_amends_the_bundled_rule(tmp_path: Path) -> None:
    # A (hypothetical) adequacy decision for China: amend the SCC rule to apply to none only...
    (tmp_path / "gdpr-amend.yaml").write_text(
        """
law: GDPR
title: Local amendment
version: "test"
source: https://example.org
date_checked: "2026-11-23"
rules:
  - id: gdpr-art46-sccs
    title: SCCs only for a country without adequacy (amended)
    when: {all: [{fact: gdpr_chapter_v, is: true}, {fact: importer_country, equals: ZZ}]}
    then: {effect: obligation, obligation: Sign the SCCs., satisfied_by: [scc]}
    reference: {law: GDPR, article: "Art. 46(2)(c)"}
    explanation: An amended rule for the test; it never fires for China.
""",
        encoding="utf-8",
    )
    fired = {f.rule_id for f in assess_transfer(EU_CN, rule_dirs=[tmp_path]).findings}
    assert "gdpr-art46-sccs" not in fired
    assert "gdpr-art46-sccs" in {f.rule_id for f in assess_transfer(EU_CN).findings}


def test_a_prohibition_rule_changes_the_verdict(tmp_path: Path) -> None:
    (tmp_path / "ban.yaml").write_text(
        """
law: TEST
title: Test ban
version: "1"
source: https://example.org
date_checked: "2026-11-23"
rules:
  - id: test-ban-genetic
    title: No genetic data at all
    when: {fact: data_categories, contains: genetic}
    then: {effect: prohibition, obligation: Genetic data may not leave.}
    reference: {law: Test, article: "Art. 1"}
    explanation: A rule written only for this test to show that data change verdicts.
""",
        encoding="utf-8",
    )
    assert assess_transfer(EU_CN, rule_dirs=[tmp_path]).verdict is Verdict.NOT_ALLOWED


GOOD_RULE = """
  - id: {rid}
    title: T
    when: {when}
    then: {then}
    reference: {ref}
    explanation: E
"""


@pytest.mark.parametrize(
    ("when", "then", "ref", "field", "message"),
    [
        ("{fact: nonsense_fact, is: true}", "{effect: note, obligation: x}",
         "{law: L, article: A}", "when.fact", "'nonsense_fact' is not one of"),
        ("{fact: [genetic], is: true}", "{effect: note, obligation: x}",
         "{law: L, article: A}", "when.fact", "must be text"),
        ("{fact: genetic, is: true}", "{effect: note, obligation: x, evidence: {a: 1}}",
         "{law: L, article: A}", "then.evidence", "must be a list"),
        ("{fact: genetic, is: true}", "{effect: note}",
         "{law: L, article: A}", "then.obligation", "is missing"),
        ("{fact: data_subjects, gte: many}", "{effect: note, obligation: x}",
         "{law: L, article: A}", "when.gte", "needs a number"),
        ("{all: []}", "{effect: note, obligation: x}",
         "{law: L, article: A}", "when.all", "non-empty list"),
        ("{fact: genetic, is: true}", "{effect: maybe, obligation: x}",
         "{law: L, article: A}", "then.effect", "'maybe' is not one of"),
        ("{fact: genetic, is: true}", "{effect: obligation}",
         "{law: L, article: A}", "then.obligation", "is missing"),
        ("{fact: genetic, is: true}", "{effect: note, obligation: x}",
         "{law: L}", "reference.article", "is missing"),
        ("{fact: genetic, in: true}", "{effect: note, obligation: x}",
         "{law: L, article: A}", "when.in", "needs a list"),
        ("{fact: genetic, is: true}", "{effect: note, obligation: x, evidence: [a, b], "
         "evidence_zh: [甲]}", "{law: L, article: A}", "then.evidence_zh", "one per item"),
        ("{fact: genetic, is: true}", "{effect: note, obligation: x, obligation_zh: 3}",
         "{law: L, article: A}", "then.obligation_zh", "must be text"),
    ],
)  # fmt: skip
def test_malformed_rules_name_file_rule_and_field(
    tmp_path: Path, when: str, then: str, ref: str, field: str, message: str
) -> None:
    head = 'law: X\ntitle: X\nversion: "1"\nsource: https://x\ndate_checked: "2026-11-23"\nrules:'
    body = GOOD_RULE.format(rid="bad-rule", when=when, then=then, ref=ref)
    (tmp_path / "broken.yaml").write_text(head + body, encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_rule_sets([tmp_path])
    text = str(info.value)
    assert "broken.yaml" in text and "'bad-rule'" in text and f"field '{field}'" in text
    assert message in text


def test_file_level_errors(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("law: X\nrules: [1]\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"a.yaml, field 'title'"):
        load_rule_sets([tmp_path])
    (tmp_path / "a.yaml").write_text("law: [unclosed\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match="cannot read"):
        load_rule_sets([tmp_path])
    with pytest.raises(RuleFileError, match="rule folder not found"):
        load_rule_sets([tmp_path / "nope"])


@pytest.mark.parametrize(
    "rules",
    ["true", "7", "[{then: true}]", "[{when: x, then: {sets: 3}}]", "[{then: {sets: [a]}}]"],
)
def test_rules_of_the_wrong_kind_are_named_not_a_traceback(tmp_path: Path, rules: str) -> None:
    # The facts a file sets are read before its rules are checked: a hand-edited file in the
    # wrong shape must reach the check and be named there.
    head = 'law: X\ntitle: X\nversion: "1"\nsource: https://x\ndate_checked: "2026-11-23"\n'
    (tmp_path / "broken.yaml").write_text(f"{head}rules: {rules}\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match="broken.yaml"):
        load_rule_sets([tmp_path])


def test_rules_resting_on_cac_provisions_cite_the_law_they_implement() -> None:
    # The CAC measures implement PIPL Art. 38/40 (personal information) and DSL Art. 31 (data).
    for rule_set in load_rule_sets():
        for rule in rule_set.rules:
            laws = [ref.law for ref in rule.references]
            if any(law.startswith(("CAC", "Measures for Security", "Measures on the Standard"))
                   for law in laws):  # fmt: skip
                upstream = [r for r in rule.references if r.law in {"PIPL", "DSL", "CSL"}]
                assert upstream, f"{rule.id} cites a CAC measure but not PIPL/DSL/CSL"


def test_a_source_for_a_chinese_title_that_is_not_there_is_refused(tmp_path: Path) -> None:
    text = (
        'law: LOCAL\ntitle: Local Act\ntitle_zh_source: "PerMed Atlas translation"\n'
        'version: "1"\nsource: https://x\ndate_checked: "2026-11-22"\nrules:\n'
        "  - id: local-scope\n    title: Local scope\n    when: {fact: genetic, is: true}\n"
        "    then: {effect: note, obligation: Note it.}\n"
        "    reference: {law: L, article: s. 1}\n    explanation: E\n"
    )
    (tmp_path / "local.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError, match="title_zh_source"):
        load_rule_sets([tmp_path])


CN_DE_CHILDREN = {"from": "CN", "to": "DE", "data": ["identified"], "subjects": 50000,
                  "purpose": "research", "consent": "explicit", "separate_consent": True,
                  "consent_names_recipient": True, "importer_role": "independent_controller",
                  "legal_basis": "consent", "government_funded": False,
                  "measures": ["piia", "information_notice"]}  # fmt: skip


def test_children_under_14_make_the_information_sensitive_under_pipl() -> None:
    # PIPL Art. 28(1): the same 50,000 records are sensitive when they are children's, so the
    # CAC 2024 Art. 5(4) exemption for other personal information gives way to Art. 7(2).
    adults = assess_transfer({**CN_DE_CHILDREN, "minors_under_14": False})
    assert adults.verdict is Verdict.ALLOWED
    assert adults.facts["cac_mechanism"] == "exempt"
    children = assess_transfer({**CN_DE_CHILDREN, "minors_under_14": True})
    assert children.facts["sensitive_count"] == 50000 and children.facts["non_sensitive_count"] == 0
    assert children.facts["cac_mechanism"] == "security_assessment"
    assert children.facts["special_category"] is False  # GDPR Art. 9 is about content, not age
    open_refs = {str(f.reference) for f in children.findings if not f.satisfied}
    assert {"PIPL, Art. 31(1)", "PIPL, Art. 31(2)"} <= open_refs
    # Unstated, it is asked: an answer people act on cannot be "allowed as described".
    unstated = assess_transfer(CN_DE_CHILDREN)
    assert unstated.verdict is Verdict.STEPS
    assert any(m.field == "minors_under_14" for m in unstated.missing_facts)


CN_DE_GENOTYPES = {"from": "CN", "to": "DE", "data": ["genetic", "pseudonymised"],
                   "subjects": 4000, "sequencing": False, "hgr_collection": True,
                   "foreign_party": True}  # fmt: skip


def test_a_large_population_study_needs_collection_approval_not_a_security_review() -> None:
    # More than 3,000 people is an Art. 11 collection case; the Art. 28(1) review lists
    # families, regions and sequences of more than 500 people.
    study = assess_transfer({**CN_DE_GENOTYPES, "hgr_special_collection": True,
                             "hgr_families_or_regions": False})  # fmt: skip
    fired = {f.rule_id for f in study.findings}
    assert "hgr-art11-collection-approval" in fired and "hgr-art28-security-review" not in fired
    families = assess_transfer({**CN_DE_GENOTYPES, "hgr_families_or_regions": True})
    assert "hgr-art28-security-review" in {f.rule_id for f in families.findings}
    # "No special collection" already answers the narrower question: it is not asked.
    plain = assess_transfer({**CN_DE_GENOTYPES, "hgr_special_collection": False})
    assert not any(m.field == "hgr_families_or_regions" for m in plain.missing_facts)
    assert "hgr-art28-security-review" not in {u.rule_id for u in plain.undecided}


def test_every_measure_the_bundled_rules_accept_has_words_in_both_languages() -> None:
    # A measure without a label was shown as its code on the Chinese pages
    # ("last resort documented"), found only by crawling every page.
    from permed_atlas.transfer.fields import MEASURE_LABELS

    measures = {m for rule_set in load_rule_sets() for r in rule_set.rules for m in r.satisfied_by}
    assert measures - set(MEASURE_LABELS) == set()
