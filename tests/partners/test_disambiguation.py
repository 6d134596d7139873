"""The disambiguation rule on hard cases: who is one person, who is two."""

from __future__ import annotations

from permed_atlas.partners.disambiguation import AuthorRecord, assign_authors


def _people(records: list[AuthorRecord]) -> dict[tuple[int, int], str]:
    return {
        (r.work_id, r.position): a.key
        for r, a in zip(records, assign_authors(records), strict=True)
    }


def test_same_name_at_different_institutions_without_shared_coauthor_is_two_people() -> None:
    records = [
        AuthorRecord(
            1,
            1,
            "Wei Zhang",
            institutions=frozenset({"fudan university"}),
            coauthors=frozenset({"li|na"}),
        ),
        AuthorRecord(
            2,
            1,
            "Wei Zhang",
            institutions=frozenset({"peking university"}),
            coauthors=frozenset({"chen|hao"}),
        ),
    ]
    people = _people(records)
    assert people[(1, 1)] != people[(2, 1)]


def test_same_person_at_two_institutions_linked_by_a_coauthor_is_one() -> None:
    records = [
        AuthorRecord(
            3,
            1,
            "Claudia I Henschke",
            institutions=frozenset({"icahn school medicine"}),
            coauthors=frozenset({"yankelevitz|david"}),
        ),
        AuthorRecord(3, 2, "David F Yankelevitz", coauthors=frozenset({"henschke|claudia"})),
        AuthorRecord(
            4,
            1,
            "Henschke, Claudia",
            institutions=frozenset({"phoenix veterans"}),
            coauthors=frozenset({"yankelevitz|david"}),
        ),
        AuthorRecord(4, 2, "David Yankelevitz", coauthors=frozenset({"henschke|claudia"})),
    ]
    people = _people(records)
    assert people[(3, 1)] == people[(4, 1)]
    assert people[(3, 2)] == people[(4, 2)]  # and the co-author too, through her
    assert people[(3, 1)].startswith("P") and people[(3, 1)] != people[(3, 2)]


def test_shared_institution_joins_and_transitivity() -> None:
    records = [
        AuthorRecord(1, 1, "Maria Rossi", institutions=frozenset({"university milan"})),
        AuthorRecord(2, 1, "M. Rossi", institutions=frozenset({"university milan", "irccs x"})),
        AuthorRecord(3, 1, "Maria Rossi", institutions=frozenset({"irccs x"})),
        AuthorRecord(4, 1, "Maria Rossi", institutions=frozenset({"university rome"})),
    ]
    people = _people(records)
    assert people[(1, 1)] == people[(2, 1)] == people[(3, 1)]
    assert people[(4, 1)] != people[(1, 1)]


def test_conflicting_orcids_are_never_merged() -> None:
    records = [
        AuthorRecord(
            5,
            1,
            "Jan Novak",
            orcid="0000-0001-0000-0001",
            institutions=frozenset({"charles university"}),
        ),
        AuthorRecord(
            6,
            1,
            "Jan Novak",
            orcid="0000-0002-0000-0002",
            institutions=frozenset({"charles university"}),
        ),
        AuthorRecord(7, 1, "Jan Novak", institutions=frozenset({"charles university"})),
    ]
    people = _people(records)
    assert people[(5, 1)] == "0000-0001-0000-0001"
    assert people[(6, 1)] == "0000-0002-0000-0002"
    assert people[(7, 1)] in {people[(5, 1)], people[(6, 1)]}  # joins one of them, not both


def test_openalex_ids_decide_and_never_merge_with_each_other() -> None:
    records = [
        AuthorRecord(1, 1, "Anna Schmidt", author_id="A1", institutions=frozenset({"id:I1"})),
        AuthorRecord(2, 1, "A. Schmidt-Weber", author_id="A1"),
        AuthorRecord(3, 1, "Anna Schmidt", author_id="A9", institutions=frozenset({"id:I1"})),
        AuthorRecord(4, 1, "Anna Schmidt", institutions=frozenset({"id:I1"})),
    ]
    people = _people(records)
    assert people[(1, 1)] == people[(2, 1)] == "A1"
    assert people[(3, 1)] == "A9"
    assert people[(4, 1)] in {"A1", "A9"}


def test_two_authors_of_one_work_with_the_same_name_are_two_people() -> None:
    records = [
        AuthorRecord(1, 1, "Wei Wang", institutions=frozenset({"fudan university"})),
        AuthorRecord(1, 2, "Wei Wang", institutions=frozenset({"fudan university"})),
    ]
    people = _people(records)
    assert people[(1, 1)] != people[(1, 2)]


def test_assignment_is_deterministic() -> None:
    records = [
        AuthorRecord(k, 1, "Li Na", institutions=frozenset({f"u{k % 2}"})) for k in range(1, 7)
    ]
    assert assign_authors(records) == assign_authors(list(records))
    assert len({a.key for a in assign_authors(records)}) == 2
