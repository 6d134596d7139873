"""DUO: the hierarchy parsed from the real OWL release, and matching with reasons."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from permed_atlas.countries import CountryError
from permed_atlas.transfer import (
    ConsentTerm,
    DataUseRequest,
    DuoError,
    DuoTermError,
    load_duo_ontology,
    match_data_use,
)
from permed_atlas.transfer.duo import BUNDLED_DUO_DIR


@pytest.fixture(scope="module")
def duo():
    return load_duo_ontology()


def test_bundled_copy_is_the_shared_release(realdata: Path) -> None:
    for name in ("duo.owl", "duo.csv"):
        assert (BUNDLED_DUO_DIR / name).read_bytes() == (realdata / "duo" / name).read_bytes()


def test_parses_every_duo_class_of_the_shared_owl(realdata: Path) -> None:
    duo = load_duo_ontology(realdata / "duo" / "duo.owl")
    assert duo.version == "2021-02-23"
    assert len(duo) == 39  # the README: 39 DUO classes in the OWL
    assert duo.terms["DUO:0000042"].shorthand == "GRU"
    assert duo.terms["DUO:0000042"].label == "general research use"
    # NPOA's IRI has a typo (DUO_00000044); the oboInOwl:id is what counts.
    assert duo.terms["DUO:0000044"].shorthand == "NPOA"


def test_hierarchy_comes_from_the_owl(duo) -> None:
    assert duo.terms["DUO:0000006"].parents == ("DUO:0000042",)  # HMB ⊑ GRU
    assert duo.is_a("DUO:0000007", "DUO:0000042")  # DS ⊑ HMB ⊑ GRU
    assert duo.subclass_path("DUO:0000007", "DUO:0000042") == [
        "DUO:0000007",
        "DUO:0000006",
        "DUO:0000042",
    ]
    assert not duo.is_a("DUO:0000011", "DUO:0000042")  # POA sits beside GRU
    assert duo.is_a("DUO:0000045", "DUO:0000018")  # NPU ⊑ NPUNCU
    assert "DUO:0000001" in duo.ancestors("DUO:0000007")
    assert duo.terms["DUO:0000007"].restricted_to == ("MONDO:0000001",)
    assert duo.terms["DUO:0000022"].restricted_to == ("GAZ:00000448",)
    kinds = {t.shorthand: t.kind for t in duo if t.shorthand}
    assert kinds["GRU"] == kinds["HMB"] == kinds["DS"] == kinds["NRES"] == "permission"
    assert kinds["NCU"] == kinds["GS"] == kinds["IRB"] == "modifier"
    assert duo.terms["DUO:0000005"].kind == "obsolete"
    assert duo.terms["DUO:0000005"].replaced_by == ("DUO:0000042", "DUO:0000043")
    assert set(duo.children("DUO:0000037")) == {"DUO:0000038", "DUO:0000039", "DUO:0000040"}


def test_shorthands_agree_with_the_csv(duo, realdata: Path) -> None:
    import csv

    with (realdata / "duo" / "duo.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 25
    for row in rows:
        assert duo.terms[row["id"]].label == row["label"]
        assert (duo.terms[row["id"]].shorthand or "") == row["shorthand"]


def test_resolve_accepts_curie_iri_and_shorthand(duo) -> None:
    assert duo.resolve("hmb").id == "DUO:0000006"
    assert duo.resolve("DUO_0000006").id == "DUO:0000006"
    assert duo.resolve("http://purl.obolibrary.org/obo/DUO_0000006").id == "DUO:0000006"
    with pytest.raises(DuoTermError, match="unknown DUO term 'DUO:9999999'"):
        duo.resolve("DUO:9999999")


def test_broken_files_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(DuoError, match="not found"):
        load_duo_ontology(tmp_path / "missing.owl")
    bad = tmp_path / "duo.owl"
    bad.write_text("<rdf:RDF", encoding="utf-8")
    with pytest.raises(DuoError, match="cannot parse DUO as RDF/XML"):
        load_duo_ontology(bad)
    with pytest.raises(DuoError, match="no subclass hierarchy"):
        load_duo_ontology(BUNDLED_DUO_DIR / "duo.csv")
    folder = tmp_path / "duo"
    folder.mkdir()
    shutil.copy(BUNDLED_DUO_DIR / "duo.owl", folder / "duo.owl")
    text = (BUNDLED_DUO_DIR / "duo.csv").read_text(encoding="utf-8")
    (folder / "duo.csv").write_text(text.replace(",GRU,", ",GRX,"), encoding="utf-8")
    with pytest.raises(DuoError, match=r"duo.csv:\d+: shorthand 'GRX'"):
        load_duo_ontology(folder)


def allowed(duo, consent, **request):
    return match_data_use(consent, DataUseRequest(**request), ontology=duo)


def test_gru_permits_hmb_by_the_hierarchy(duo) -> None:
    match = allowed(duo, ["DUO:0000042"], purpose="DUO:0000006")
    assert match.allowed
    assert match.permitted_by == ["DUO:0000042"]
    assert "HMB ⊑ GRU" in match.reasons[0]


def test_hmb_does_not_permit_general_or_ancestry_research(duo) -> None:
    assert not allowed(duo, ["HMB"], purpose="GRU").allowed
    match = allowed(duo, ["HMB"], purpose="DUO:0000033")  # ancestry research
    assert not match.allowed
    assert "excludes the study of population origins" in " ".join(match.reasons)
    assert allowed(duo, ["GRU"], purpose="POA").allowed
    assert allowed(duo, ["NRES"], purpose="POA").allowed


def test_disease_specific_needs_a_matching_disease(duo) -> None:
    ds = ConsentTerm("DUO:0000007", ("MONDO:0007254",))  # breast cancer
    assert allowed(duo, [ds], purpose="DS", disease="MONDO:0007254").allowed
    assert allowed(duo, ["DS=C50"], purpose="DUO:0000040", disease="C50.9").allowed
    wrong = allowed(duo, [ds], purpose="DS", disease="MONDO:0005148")
    assert not wrong.allowed and wrong.blocking == ["DUO:0000007"]
    no_disease = allowed(duo, [ds], purpose="HMB")
    assert not no_disease.allowed
    unnamed = allowed(duo, ["DS"], purpose="DS", disease="C50")
    assert "names no disease" in unnamed.reasons[-1]
    # HMB consent covers a disease-specific request: DS ⊑ HMB.
    covered = allowed(duo, ["HMB"], purpose="HMB", disease="type 2 diabetes mellitus")
    assert covered.allowed and "DS ⊑ HMB" in covered.reasons[-1]


def test_commercial_modifiers(duo) -> None:
    base = {"purpose": "HMB"}
    assert not allowed(duo, ["HMB", "NCU"], commercial=True, **base).allowed
    assert allowed(duo, ["HMB", "NCU"], commercial=False, **base).allowed
    unstated = allowed(duo, ["HMB", "NCU"], **base)
    assert not unstated.allowed and "does not state commercial" in unstated.reasons[-1]
    assert not allowed(duo, ["HMB", "NPU"], not_for_profit=False, **base).allowed
    assert allowed(duo, ["HMB", "NPUNCU"], commercial=False, not_for_profit=True, **base).allowed
    assert not allowed(duo, ["HMB", "NPUNCU"], commercial=False, **base).allowed


def test_geographic_restriction_is_verified_by_the_committee(duo) -> None:
    inside = allowed(duo, ["HMB", "GS=EU27"], purpose="HMB", country="FR")
    assert inside.outcome == "needs_review" and inside.review == ["DUO:0000022"]
    assert not inside.allowed and "FR is in region EU27" in inside.reasons[-1]
    outside = allowed(duo, ["HMB", "GS=EU27"], purpose="HMB", country="CN")
    assert outside.outcome == "not_allowed" and "outside" in outside.reasons[-1]
    unstated = allowed(duo, ["HMB", "GS=EU27"], purpose="HMB")
    assert unstated.outcome == "needs_review" and "states no country" in unstated.reasons[-1]
    assert allowed(duo, ["HMB", "GS=CN|DE"], purpose="HMB", country="CN").outcome == "needs_review"
    assert allowed(duo, ["HMB", "GS=CN|DE"], purpose="HMB", country="US").outcome == "not_allowed"
    icp = allowed(duo, ["HMB", "GS=ICPERMED"], purpose="HMB", regions=("ICPERMED",))
    assert icp.outcome == "needs_review"


def test_geographic_restriction_reads_names_and_the_eu_as_places(duo) -> None:
    # Compared as typed, "EU", "Germany" and "DEU" told a German requester it was outside.
    for value in ("EU", "European Union", "Germany", "DEU", "eu27"):
        inside = allowed(duo, ["HMB", f"GS={value}"], purpose="HMB", country="DE")
        assert inside.outcome == "needs_review", (value, inside.reasons)
    by_name = allowed(duo, ["HMB", "GS=EU27"], purpose="HMB", country="Germany")
    assert by_name.outcome == "needs_review" and "DE is in region EU27" in by_name.reasons[-1]
    assert allowed(duo, ["HMB", "GS=EU"], purpose="HMB", regions=("EU",)).outcome == (
        "needs_review"
    )
    # The EU is the 27; only the EEA words add Iceland, Liechtenstein and Norway.
    assert allowed(duo, ["HMB", "GS=EU"], purpose="HMB", country="NO").outcome == "not_allowed"
    assert allowed(duo, ["HMB", "GS=EEA"], purpose="HMB", country="NO").outcome == ("needs_review")


def test_geographic_restriction_it_cannot_read_goes_to_the_committee(duo) -> None:
    unread = allowed(duo, ["HMB", "GS=Atlantis"], purpose="HMB", country="DE")
    assert unread.outcome == "needs_review" and unread.review == ["DUO:0000022"]
    assert "'Atlantis' is neither a country nor a region" in unread.reasons[-1]
    assert "outside" not in unread.reasons[-1]
    # A value it can read still decides: the requester is inside one of them.
    assert allowed(duo, ["HMB", "GS=Atlantis|DE"], purpose="HMB", country="DE").outcome == (
        "needs_review"
    )


def test_requester_country_that_is_no_country_is_refused_naming_the_field(duo) -> None:
    with pytest.raises(CountryError) as caught:
        allowed(duo, ["HMB", "GS=EU27"], purpose="HMB", country="Atlantis")
    assert caught.value.field == "country" and "'Atlantis'" in str(caught.value)


def test_dataset_conditions_need_review_and_a_stated_no_denies(duo) -> None:
    consent = ["GRU", "IRB", "PUB", "COL", "RTN", "TS=12", "US", "PS", "IS", "MOR=2027-01-01"]
    attested = dict(
        ethics_approval=True, will_publish=True, collaboration=True, will_return_data=True,
        duration_months=12, approved_user=True, approved_project=True,
        approved_institution=True, accepts_moratorium=True,
    )  # fmt: skip
    ok = allowed(duo, consent, purpose="HMB", **attested)
    assert ok.outcome == "needs_review" and not ok.blocking, ok.reasons
    assert len(ok.review) == 9 and "DUO:0000042" not in ok.review
    silent = allowed(duo, consent, purpose="HMB")
    assert silent.outcome == "needs_review" and len(silent.review) == 9
    assert "2027-01-01" in " ".join(silent.reasons)
    for field_name in attested:
        said_no = {**attested, field_name: 24 if field_name == "duration_months" else False}
        match = allowed(duo, consent, purpose="HMB", **said_no)
        assert match.outcome == "not_allowed", field_name
        assert len(match.blocking) == 1


def test_without_dataset_conditions_the_answer_is_final(duo) -> None:
    match = allowed(duo, ["HMB", "NCU"], purpose="HMB", commercial=False)
    assert match.outcome == "allowed" and match.allowed and match.review == []


def test_methods_genetic_and_ancestry_modifiers(duo) -> None:
    assert not allowed(duo, ["GRU", "NMDS"], purpose="DUO:0000031").allowed
    assert allowed(duo, ["GRU", "NMDS"], purpose="HMB", methods_development=False).allowed
    assert allowed(duo, ["GRU", "GSO"], purpose="DUO:0000038").allowed
    assert not allowed(duo, ["GRU", "GSO"], purpose="HMB", genetic_study=False).allowed
    assert not allowed(duo, ["GRU", "NPOA"], purpose="POA").allowed
    assert allowed(duo, ["GRU", "RS=DUO:0000037"], purpose="DUO:0000039").allowed
    assert not allowed(duo, ["GRU", "RS=DUO:0000038"], purpose="DUO:0000039").allowed


def test_clinical_care_needs_cc_and_obsolete_terms_are_replaced(duo) -> None:
    assert not allowed(duo, ["GRU"], purpose="HMB", clinical_care=True).allowed
    assert allowed(duo, ["GRU", "CC"], purpose="HMB", clinical_care=True).allowed
    replaced = allowed(duo, ["DUO:0000005"], purpose="HMB", clinical_care=True)
    assert replaced.allowed and "obsolete" in replaced.reasons[0]


def test_no_permission_or_unknown_code(duo) -> None:
    match = allowed(duo, ["NCU"], purpose="HMB", commercial=False)
    assert not match.allowed and "names no data use permission" in " ".join(match.reasons)
    with pytest.raises(DuoTermError, match=r"consent\[1\]"):
        allowed(duo, ["GRU", "DUO:0000999"], purpose="HMB")
    with pytest.raises(DuoTermError, match="purpose"):
        allowed(duo, ["GRU"], purpose="NCU")
