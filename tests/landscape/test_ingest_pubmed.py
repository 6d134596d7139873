"""PubMed/MEDLINE XML: labelled abstracts, inline markup, affiliations, MeSH, broken articles."""

from __future__ import annotations

from pathlib import Path

from permed_atlas.landscape.errors import RecordError
from permed_atlas.landscape.ingest import parse_pubmed
from permed_atlas.landscape.models import Work

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


def test_efetch_response_with_labelled_sections_and_markup(realdata: Path) -> None:
    [work] = list(parse_pubmed(realdata / "pubmed" / "pubmed-29768149.xml"))
    assert isinstance(work, Work)
    assert work.pmid == "29768149"
    assert work.doi == "10.1056/nejmoa1715274"
    assert work.year == 2018
    assert work.venue == "The New England journal of medicine"
    assert work.language == "en"
    assert work.abstract is not None
    assert work.abstract.startswith("BACKGROUND: In patients with mild asthma")
    assert "fast-acting β 2-agonist" in work.abstract  # <sub>2</sub> flattened to text
    assert "CONCLUSIONS:" in work.abstract
    assert len(work.contributors) == 10
    # One multi-country affiliation string: every institution's country is kept.
    assert {"CN", "GB", "SE", "ES", "CA", "ZA", "AU"} <= set(work.contributors[0].countries)
    mesh = [t for t in work.terms if t.scheme == "mesh"]
    assert ("Asthma", "D001249") in {(t.term, t.id) for t in mesh}


def test_sample_of_an_update_file(realdata: Path) -> None:
    results = list(parse_pubmed(realdata / "pubmed" / "pubmed21n1298_sample500.xml.gz"))
    works = [r for r in results if isinstance(r, Work)]
    assert len(results) == len(works) == 500
    assert len({w.pmid for w in works}) == 500
    countries = {c for w in works for p in w.contributors for c in p.countries}
    assert {"CN", "DE", "FR", "GB", "US", "IT", "ES"} <= countries
    with_china = [w for w in works if any("CN" in p.countries for p in w.contributors)]
    assert len(with_china) >= 170  # the README counts 180 by regex
    no_affiliation = [w for w in works if not any(p.raw_affiliation for p in w.contributors)]
    assert len(no_affiliation) >= 20
    # A DOI from the article's own ArticleIdList, never one of its references'.
    first = works[0]
    assert first.pmid == "25897341" and first.doi == "10.7150/thno.10853"
    assert first.pmcid == "PMC4402500"


def test_broken_article_is_reported_and_the_next_ones_are_read() -> None:
    path = FIXTURES / "pubmed_broken.xml"
    results = list(parse_pubmed(path))
    errors = [r for r in results if isinstance(r, RecordError)]
    works = [r for r in results if isinstance(r, Work)]
    assert [w.pmid for w in works] == ["90000001", "90000004"]
    assert len(errors) == 2
    broken, no_pmid = errors
    assert broken.path == str(path)
    assert broken.line == 46  # the line of the mismatched tag, counted in the file
    assert "broken XML" in broken.reason and "starting on line 42" in broken.reason
    assert no_pmid.line == 50 and "no PMID" in no_pmid.reason
    work = works[0]
    assert work.year == 2019  # from MedlineDate "2019 Jan-Feb"
    assert work.doi == "10.5555/fixture.pm.1"
    assert work.abstract == (
        "BACKGROUND: Carriers of CYP2C19*2 have reduced H2 response in vivo. "
        "CONCLUSIONS: Genotype matters."
    )
    assert [p.countries for p in work.contributors] == [("CN",), ("DE",), (), ()]
    assert work.contributors[3].name == "Fixture Study Group"
    assert [t.id for t in work.terms if t.scheme == "mesh"] == ["D000077144", "D065607"]
    empty = works[1]
    assert empty.contributors == () and empty.abstract is None and empty.year == 2021


def test_book_chapters_and_whole_books_from_the_bookshelf() -> None:
    # GeneReviews, the reference for hereditary conditions, reaches PubMed as PubmedBookArticle
    # records: no journal, the chapter's date in ContributionDate, the ids in PubmedBookData.
    chapter, book = list(parse_pubmed(FIXTURES / "pubmed_book.xml"))
    assert isinstance(chapter, Work) and isinstance(book, Work)
    assert chapter.pmid == "90000101"
    assert chapter.title == "Fixture Hereditary Cancer Syndrome"
    assert chapter.venue == "GeneReviews®"
    assert chapter.year == 2004  # the chapter's, not the series' 1993
    assert chapter.type == "review"
    assert chapter.doi == "10.5555/fixture.book.chapter"
    assert chapter.abstract is not None
    assert chapter.abstract.startswith("CLINICAL CHARACTERISTICS: A fixture syndrome")
    # the authors, with their countries; the book's and the chapter's editors are not authors
    assert [p.name for p in chapter.contributors] == ["Li Wang", "Marco Rossi"]
    assert [p.countries for p in chapter.contributors] == [("CN",), ("IT",)]
    assert ("keyword", "germline testing") in {(t.scheme, t.term) for t in chapter.terms}

    assert book.pmid == "90000102"
    assert book.title == "Pharmacogenomics in Clinical Practice"
    assert book.venue is None
    assert (book.year, book.type, book.doi) == (2021, "book", "10.5555/fixture.book")
    assert [p.countries for p in book.contributors] == [("AT",)]


def test_seasonal_dates_publication_types_and_orcid_forms() -> None:
    # MEDLINE writes a quarterly's date as it is printed: "Spring 2020" and "Winter 2019-2020"
    # begin with a season, "Dec 2021-Jan 2022" with a month; the year was lost for all three.
    works = list(parse_pubmed(FIXTURES / "pubmed_seasons_types.xml"))
    assert all(isinstance(w, Work) for w in works)
    years = {w.pmid: w.year for w in works if isinstance(w, Work)}
    assert years == {
        "90000201": 2020,
        "90000202": 2019,
        "90000203": 2021,
        "90000204": 2023,  # the year, not the electronic ArticleDate's 2022
        "90000205": 2024,
        "90000206": 2020,
        "90000207": 2022,
    }
    # OpenAlex's type names: a PubMed letter, editorial or erratum was stored as an "article"
    types = {w.pmid: w.type for w in works if isinstance(w, Work)}
    assert types == {
        "90000201": "letter",
        "90000202": "editorial",
        "90000203": "erratum",
        "90000204": "review",  # "Systematic Review" without "Review"
        "90000205": "preprint",
        "90000206": "retraction",
        "90000207": "article",
    }
    # ORCIDs in OpenAlex's form, whichever form the author gave PubMed
    letter, editorial = works[0], works[1]
    assert isinstance(letter, Work) and isinstance(editorial, Work)
    assert letter.contributors[0].orcid == "0000-0002-1825-009X"
    assert letter.contributors[0].countries == ("CZ",)
    assert editorial.contributors[0].orcid == "0000-0001-5109-3700"


def test_an_author_name_medline_marks_invalid_is_not_an_author() -> None:
    # ValidYN="N": a misspelt name kept beside the corrected one so that searches still
    # find it. Counted, the author and their country were there twice.
    letter = next(iter(parse_pubmed(FIXTURES / "pubmed_seasons_types.xml")))
    assert isinstance(letter, Work)
    assert [(p.position, p.name, p.countries) for p in letter.contributors] == [
        (1, "Jana Novak", ("CZ",)),
        (2, "Péter Horváth", ("HU",)),
    ]


def test_a_doi_medline_marks_invalid_is_not_the_articles() -> None:
    # An ELocationID with ValidYN="N" is a DOI the publisher gave wrongly (here another
    # article's): taken as the DOI, it merged this citation into that article's work.
    *_, last = parse_pubmed(FIXTURES / "pubmed_seasons_types.xml")
    assert isinstance(last, Work) and last.pmid == "90000207"
    assert last.doi == "10.5555/fixture.pm.207"
