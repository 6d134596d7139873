"""PubMed/MEDLINE XML (``PubmedArticleSet``), plain or gzipped.

Each ``<PubmedArticle>`` is cut from the stream and parsed on its own, so a
broken article is reported with its line and the next ones are still read.
Countries come from the affiliation text (see :mod:`permed_atlas.landscape.countries`).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from permed_atlas.i18n import Message
from permed_atlas.landscape.countries import countries_from_affiliation
from permed_atlas.landscape.errors import IngestError, RecordError
from permed_atlas.landscape.ingest._common import (
    clean_text,
    iter_xml_chunks,
    normalise_doi,
    normalise_pmcid,
    read_head,
    year_of,
)
from permed_atlas.landscape.models import Contributor, Deletion, Term, Work

_STARTS = (
    b"<PubmedArticle>",
    b"<PubmedArticle ",
    b"<PubmedBookArticle>",
    b"<PubmedBookArticle ",
    b"<DeleteCitation>",
    b"<DeleteCitation ",
)
_ENDS = (b"</PubmedArticle>", b"</PubmedBookArticle>", b"</DeleteCitation>")
# Without it after the last article, the file was cut between two articles.
_CLOSING = b"</PubmedArticleSet>"
_LANGUAGES = {
    "eng": "en",
    "chi": "zh",
    "ger": "de",
    "fre": "fr",
    "spa": "es",
    "jpn": "ja",
    "ita": "it",
    "por": "pt",
    "rus": "ru",
    "kor": "ko",
    "dut": "nl",
    "pol": "pl",
}


def _text(element: ET.Element | None) -> str | None:
    """All text below ``element`` with inline markup (<sub>, <i>, ...) flattened."""
    if element is None:
        return None
    return clean_text("".join(element.itertext()))


def _abstract(article: ET.Element) -> str | None:
    parts: list[str] = []
    for node in article.iterfind("Abstract/AbstractText"):
        text = _text(node)
        if not text:
            continue
        label = node.get("Label")
        parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts) or None


def _year(article: ET.Element) -> int | None:
    # A book chapter (GeneReviews) has no journal issue: its own date is the
    # ContributionDate; the Book's PubDate is the whole book's (1993 for every GeneReviews
    # chapter), the last resort.
    for pub_date in (
        article.find("Journal/JournalIssue/PubDate"),
        article.find("ArticleDate"),
        article.find("ContributionDate"),
        article.find("Book/PubDate"),
    ):
        if pub_date is not None:
            year = year_of(pub_date.findtext("Year")) or _medline_year(
                pub_date.findtext("MedlineDate")
            )
            if year:
                return year
    return None


# The first year of a MedlineDate, wherever it stands: "2019 Dec-2020 Jan" but also
# "Spring 2020", "Winter 2019-2020", "Dec 2019-Jan 2020", which begin with a season or month.
_MEDLINE_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def _medline_year(text: str | None) -> int | None:
    match = _MEDLINE_YEAR.search(text or "")
    return year_of(int(match.group(1))) if match else None


def _contributors(article: ET.Element) -> tuple[Contributor, ...]:
    contributors: list[Contributor] = []
    authors = (
        author
        for author_list in article.iterfind("AuthorList")
        # a book's editors are not the chapter's authors
        if author_list.get("Type", "authors") == "authors"
        for author in author_list.iterfind("Author")
        # MEDLINE keeps a misspelt name, marked invalid, beside the corrected one
        if author.get("ValidYN", "Y") != "N"
    )
    for position, author in enumerate(authors, start=1):
        collective = _text(author.find("CollectiveName"))
        fore = _text(author.find("ForeName"))
        last = _text(author.find("LastName"))
        name = " ".join(p for p in (fore, last) if p) or collective
        affiliations = [
            text for node in author.iterfind("AffiliationInfo/Affiliation") if (text := _text(node))
        ]
        countries: list[str] = []
        for affiliation in affiliations:
            for code in countries_from_affiliation(affiliation):
                if code not in countries:
                    countries.append(code)
        orcid = None
        for identifier in author.iterfind("Identifier"):
            if (identifier.get("Source") or "").upper() == "ORCID" and identifier.text:
                orcid = _orcid(identifier.text)
        contributors.append(
            Contributor(
                position=position,
                name=name or None,
                role="author",
                orcid=orcid,
                countries=tuple(countries),
                raw_affiliation="; ".join(affiliations) or None,
            )
        )
    return tuple(contributors)


def _orcid(text: str) -> str:
    """ "https://orcid.org/0000-0002-1825-0097" or "000000021825009X" -> "0000-0002-1825-009X".

    PubMed gives ORCIDs as the author submitted them; OpenAlex always in the dashed form.
    """
    orcid = text.strip().rstrip("/").rsplit("/", 1)[-1].upper()
    if len(orcid) == 16 and orcid[:15].isdecimal():
        return "-".join(orcid[i : i + 4] for i in range(0, 16, 4))
    return orcid


def _terms(citation: ET.Element) -> tuple[Term, ...]:
    terms: list[Term] = []
    seen: set[tuple[str, str]] = set()
    for node in citation.iterfind("MeshHeadingList/MeshHeading/DescriptorName"):
        name = _text(node)
        ident = node.get("UI")
        if name and ("mesh", ident or name.lower()) not in seen:
            seen.add(("mesh", ident or name.lower()))
            terms.append(Term(scheme="mesh", term=name, id=ident))
    for node in citation.iterfind("KeywordList/Keyword"):
        name = _text(node)
        if name and ("keyword", name.lower()) not in seen:
            seen.add(("keyword", name.lower()))
            terms.append(Term(scheme="keyword", term=name))
    return tuple(terms)


def work_from_pubmed(element: ET.Element) -> Work:
    """Build a :class:`Work` from one ``<PubmedArticle>``; ValueError when it has no PMID.

    :param element: the parsed article element.
    """
    citation = element.find("MedlineCitation")
    if citation is None:
        citation = element.find("BookDocument")
    if citation is None:
        raise ValueError("record has no MedlineCitation")
    pmid = (citation.findtext("PMID") or "").strip()
    if not (pmid.isascii() and pmid.isdecimal()):
        raise ValueError("record has no PMID")
    article = citation.find("Article")
    if article is None:
        article = citation
    doi, pmcid = _ids(element, article)
    types = {
        (node.text or "").strip()
        for node in (
            *article.iterfind("PublicationTypeList/PublicationType"),
            *article.iterfind("PublicationType"),  # a BookDocument's, without the list
        )
    }
    language = (article.findtext("Language") or "").strip().lower()
    title = _text(article.find("ArticleTitle"))
    vernacular = _text(article.find("VernacularTitle"))
    book_title = _text(article.find("Book/BookTitle"))
    # PubMed's ArticleTitle is the English translation of a non-English article; the
    # original title (e.g. Chinese) is the VernacularTitle, kept as a term so that the
    # search finds the work by its own words.
    extra = (Term("vernacular_title", vernacular),) if vernacular and title else ()
    return Work(
        kind="publication",
        source="pubmed",
        # a whole book (no chapter) is known by its BookTitle
        title=title or vernacular or book_title,
        abstract=_abstract(article),
        year=_year(article),
        type=_type(types, book=book_title is not None, chapter=title is not None),
        venue=_text(article.find("Journal/Title")) or (book_title if title else None),
        language=_LANGUAGES.get(language, language or None),
        pmid=pmid,
        pmcid=pmcid,
        doi=doi,
        contributors=_contributors(article),
        terms=_terms(citation) + extra,
    )


def _ids(element: ET.Element, article: ET.Element) -> tuple[str | None, str | None]:
    """The record's own DOI and PMCID (a book's are in PubmedBookData or its BookDocument)."""
    doi = pmcid = None
    # Only the article's own ids: ReferenceList holds ArticleIdLists of cited works.
    for node in (
        *element.iterfind("PubmedData/ArticleIdList/ArticleId"),
        *element.iterfind("PubmedBookData/ArticleIdList/ArticleId"),
        *article.iterfind("ArticleIdList/ArticleId"),
    ):
        kind = node.get("IdType")
        if kind == "doi" and doi is None:
            doi = normalise_doi(node.text)
        elif kind == "pmc" and pmcid is None:
            pmcid = normalise_pmcid(node.text)
    if doi is None:
        for node in article.iterfind("ELocationID"):
            # ValidYN="N": a wrong DOI the publisher printed, often another article's
            if node.get("EIdType") == "doi" and node.get("ValidYN", "Y") != "N":
                doi = normalise_doi(node.text)
                break
    return doi, pmcid


# PubMed publication types with an OpenAlex work type of their own, first match wins: a
# notice (erratum, retraction) is one whatever else it is typed; a letter commenting on a
# review is a letter. Everything else a journal prints is an OpenAlex "article".
_TYPES = (
    ("Published Erratum", "erratum"),
    ("Retraction of Publication", "retraction"),
    ("Preprint", "preprint"),
    ("Letter", "letter"),
    ("Editorial", "editorial"),
    ("Review", "review"),
    ("Systematic Review", "review"),
)


def _type(types: set[str], *, book: bool, chapter: bool) -> str:
    # OpenAlex's type names, so both sources count them alike
    for publication_type, work_type in _TYPES:
        if publication_type in types:
            return work_type
    if book:
        return "book-chapter" if chapter else "book"
    return "article"


def _reason(exc: ET.ParseError) -> str:
    """The parser's message without its position, which counts from the article, not the file."""
    return str(exc).split(": line ", 1)[0]


def deletion_from_pubmed(element: ET.Element) -> Deletion:
    """The PMIDs a ``<DeleteCitation>`` block withdraws.

    :param element: the parsed block.
    """
    pmids = tuple(
        text
        for node in element.iterfind("PMID")
        if (text := (node.text or "").strip()).isascii() and text.isdecimal()
    )
    return Deletion(source="pubmed", id_type="pmid", ids=pmids)


def parse_pubmed(path: Path | str) -> Iterator[Work | Deletion | RecordError]:
    """Yield a Work, or a RecordError naming the line, for each article of a PubMed XML file,
    and a Deletion for each ``<DeleteCitation>`` block (update files end with one).

    Raises :class:`~permed_atlas.landscape.errors.TruncatedFileError` after the
    last whole article when the file ends inside an article or without
    ``</PubmedArticleSet>``.

    :param path: a PubmedArticleSet file, .xml or .xml.gz.
    """
    name = str(path)
    if b"<PubmedArticleSet" not in read_head(path, 16384):
        raise IngestError(
            Message(
                "%(name)s: not PubMed XML (no <PubmedArticleSet> at its start)",
                name=name,
            )
        )
    for line, chunk in iter_xml_chunks(path, _STARTS, _ENDS, closing=_CLOSING):
        try:
            element = ET.fromstring(chunk)
        except ET.ParseError as exc:
            where = line + exc.position[0] - 1
            yield RecordError(
                Message(
                    "broken XML in the article starting on line %(line)s: %(value)s",
                    line=line,
                    value=_reason(exc),
                ),
                path=name,
                line=where,
            )
            continue
        if element.tag == "DeleteCitation":
            yield deletion_from_pubmed(element)
            continue
        try:
            yield work_from_pubmed(element)
        except ValueError as exc:
            yield RecordError(str(exc), path=name, line=line)
