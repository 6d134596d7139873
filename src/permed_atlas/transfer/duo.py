"""The GA4GH Data Use Ontology (DUO), parsed from its OWL (RDF/XML) release.

The hierarchy comes from the file's ``rdfs:subClassOf`` axioms, never from a
retyped list: "HMB is a subclass of GRU" is true here because the OWL says so.
``duo.csv`` of the same release, when it sits beside the OWL, is read to
cross-check shorthands and labels. Stdlib only (xml.etree, csv).
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import re
import xml.etree.ElementTree as ET
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from permed_atlas.datafiles import BUNDLED_DATA_DIR
from permed_atlas.filecache import cached_until_changed
from permed_atlas.i18n import Message, current_language, gettext
from permed_atlas.transfer.errors import DuoError, DuoTermError
from permed_atlas.types import DuoCode

BUNDLED_DUO_DIR = BUNDLED_DATA_DIR / "duo"

DATA_USE_PERMISSION = "DUO:0000001"
DATA_USE_MODIFIER = "DUO:0000017"
INVESTIGATION = "OBI:0000066"

_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "obo": "http://purl.obolibrary.org/obo/",
    "oboInOwl": "http://www.geneontology.org/formats/oboInOwl#",
}
_RDF_ABOUT = f"{{{_NS['rdf']}}}about"
_RDF_RESOURCE = f"{{{_NS['rdf']}}}resource"
_DUO_REF = re.compile(r"DUO[_:](\d{7})\b")
_CURIE = re.compile(r"^([A-Za-z][A-Za-z0-9]*)[:_](\w+)$")


@dataclass(frozen=True, slots=True)
class DuoTerm:
    """One DUO class.

    :param id: the CURIE, "DUO:0000042".
    :param kind: ``permission`` (under DUO:0000001), ``modifier`` (under
        DUO:0000017), ``investigation`` (under OBI:0000066), ``obsolete`` or ``other``.
    :param parents: direct superclasses (CURIEs) from ``rdfs:subClassOf``.
    :param restricted_to: classes named by ``is restricted to`` restrictions
        (e.g. MONDO:0000001 for DS, GAZ:00000448 for GS): the term needs a value.
    :param replaced_by: for obsolete terms, the terms the OWL names as replacements.
    """

    id: DuoCode
    label: str
    shorthand: str | None = None
    definition: str = ""
    kind: str = "other"
    parents: tuple[str, ...] = ()
    restricted_to: tuple[str, ...] = ()
    comments: tuple[str, ...] = ()
    deprecated: bool = False
    replaced_by: tuple[DuoCode, ...] = ()
    label_zh: str = ""
    label_zh_source: str = ""
    """Who wrote ``label_zh`` ("PerMed Atlas translation, unreviewed"): DUO has no Chinese."""

    @property
    def name(self) -> str:
        """``DUO:0000042 GRU (general research use)``, for reasons shown to people.

        The English as a ``str``; where a reason is shown translated, the Chinese label with
        DUO's own English beside it (see :class:`TermName`).
        """
        short = f" {self.shorthand}" if self.shorthand else ""
        return TermName(f"{self.id}{short}", self.label, self.label_zh)


class TermName(str):
    """A term's name: English as a ``str``; :meth:`translated` adds our label of the language.

    ``DUO:0000042 GRU (general research use)`` in English; on a Chinese page
    ``DUO:0000042 GRU（一般研究使用；general research use）``, so the reader sees DUO's own
    English label beside ours.
    """

    code: str
    label: str
    label_zh: str

    def __new__(cls, code: str, label: str, label_zh: str = "") -> TermName:
        name = super().__new__(cls, f"{code} ({label})")
        name.code, name.label, name.label_zh = code, label, label_zh
        return name

    def translated(self) -> str:
        """The name in the current language (English where there is no label of ours)."""
        if current_language() != "zh" or not self.label_zh:
            return str.__str__(self)
        return gettext("%(code)s (%(label)s; %(english)s)") % {
            "code": self.code, "label": self.label_zh, "english": self.label
        }  # fmt: skip

    def __reduce__(self) -> tuple[object, ...]:
        return (TermName, (self.code, self.label, self.label_zh))


@dataclass(frozen=True)
class DuoOntology:
    """The DUO classes of one release and their subclass hierarchy.

    :param version: the release's ``owl:versionIRI``.
    :param terms: DUO terms by CURIE.
    :param parents: direct superclasses of every class in the file (DUO or imported).
    :param purposes: investigation term -> (permission term, aspect), from purposes.csv.
    """

    version: str
    terms: dict[DuoCode, DuoTerm]
    parents: dict[str, tuple[str, ...]] = field(repr=False)
    purposes: dict[DuoCode, tuple[DuoCode, str]] = field(default_factory=dict, repr=False)

    def __iter__(self) -> Iterator[DuoTerm]:
        return iter(self.terms.values())

    def __len__(self) -> int:
        return len(self.terms)

    def of_kind(self, kind: str) -> tuple[DuoTerm, ...]:
        """Non-obsolete terms of one kind (``permission``, ``modifier``, ``investigation``)."""
        return tuple(t for t in self if t.kind == kind)

    def resolve(self, code: str, *, field: str | None = None) -> DuoTerm:
        """The term named by a CURIE, IRI, ``DUO_0000042`` form or shorthand ("GRU").

        :param code: what the user wrote.
        :param field: the input field, named in the error.
        :raises DuoTermError: when no term has that id or shorthand.
        """
        text = code.strip()
        match = _DUO_REF.search(text)
        if match and text.upper().replace("_", ":").endswith(f"DUO:{match.group(1)}"):
            curie = f"DUO:{match.group(1)}"
            if curie in self.terms:
                return self.terms[curie]
        by_short = self._by_shorthand.get(text.upper())
        if by_short is not None:
            return by_short
        where = f"{field}: " if field else ""
        raise DuoTermError(
            Message(
                "%(where)sunknown DUO term %(code)s (not in DUO release %(version)s)",
                where=where,
                code=repr(code),
                version=self.version,
            ),
            field=field,
        )

    @functools.cached_property
    def _by_shorthand(self) -> dict[str, DuoTerm]:
        return {t.shorthand.upper(): t for t in self.terms.values() if t.shorthand}

    def ancestors(self, curie: str) -> tuple[str, ...]:
        """All superclasses of ``curie`` (transitive, nearest first), excluding itself."""
        seen: list[str] = []
        frontier = list(self.parents.get(curie, ()))
        while frontier:
            nxt: list[str] = []
            for parent in frontier:
                if parent not in seen and parent != curie:
                    seen.append(parent)
                    nxt.extend(self.parents.get(parent, ()))
            frontier = nxt
        return tuple(seen)

    def is_a(self, child: str, parent: str) -> bool:
        """Whether ``child`` is ``parent`` or one of its subclasses."""
        return child == parent or parent in self.ancestors(child)

    def subclass_path(self, child: str, parent: str) -> list[str]:
        """The chain child ⊑ ... ⊑ parent through direct superclasses ([] when none)."""
        if child == parent:
            return [child]
        for direct in self.parents.get(child, ()):
            rest = self.subclass_path(direct, parent)
            if rest:
                return [child, *rest]
        return []

    def children(self, curie: str) -> tuple[DuoCode, ...]:
        """DUO terms whose direct superclass is ``curie``."""
        return tuple(t.id for t in self.terms.values() if curie in t.parents)


def _duo_files(path: Path | None = None) -> list[Path]:
    base = BUNDLED_DUO_DIR if path is None else Path(path)
    return [base] if base.is_dir() else [base, base.with_name("duo.csv")]


@cached_until_changed(_duo_files)
def load_duo_ontology(path: Path | None = None) -> DuoOntology:
    """Parse DUO from its OWL file (and cross-check with the CSV beside it, if present).

    :param path: ``duo.owl``, or a folder holding ``duo.owl`` (and optionally
        ``duo.csv``); the copy bundled in ``permed_atlas/data/duo`` when None.
    :raises DuoError: when the file is missing, is not RDF/XML, holds no DUO
        classes, or disagrees with the CSV.

    Example::

        duo = load_duo_ontology()
        duo.is_a("DUO:0000006", "DUO:0000042")  # HMB ⊑ GRU -> True
    """
    base = BUNDLED_DUO_DIR if path is None else Path(path)
    if base.is_dir():
        owl_path, csv_path = base / "duo.owl", base / "duo.csv"
    elif base.suffix.lower() == ".csv":
        raise DuoError(
            Message(
                "%(base)s: the DUO CSV carries no subclass hierarchy; give "
                "duo.owl (or the folder holding it)",
                base=base,
            )
        )
    else:
        owl_path, csv_path = base, base.with_name("duo.csv")
    if not owl_path.is_file():
        raise DuoError(Message("%(owl_path)s: DUO OWL file not found", owl_path=owl_path))
    version, terms, parents = _parse_owl(owl_path)
    if csv_path.is_file():
        terms = _cross_check_csv(csv_path, terms)
    labels_path = owl_path.with_name("labels_zh.csv")
    terms = _read_chinese_labels(
        labels_path if labels_path.is_file() else BUNDLED_DUO_DIR / "labels_zh.csv", terms
    )
    purposes_path = owl_path.with_name("purposes.csv")
    if not purposes_path.is_file():
        purposes_path = BUNDLED_DUO_DIR / "purposes.csv"
    purposes = _read_purposes(purposes_path, terms)
    return DuoOntology(version=version, terms=terms, parents=parents, purposes=purposes)


def _read_chinese_labels(path: Path, terms: dict[DuoCode, DuoTerm]) -> dict[DuoCode, DuoTerm]:
    """Terms with ``label_zh`` from ``labels_zh.csv`` (``id,label_zh[,label_zh_source]``;
    ours, not DUO's)."""
    if not path.is_file():
        return terms
    labelled = dict(terms)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if {"id", "label_zh"} - set(reader.fieldnames or ()):
            raise DuoError(Message("%(path)s: needs the columns id and label_zh", path=path))
        for line, row in enumerate(reader, start=2):
            code, label = (row.get("id") or "").strip(), (row.get("label_zh") or "").strip()
            if code not in terms:
                raise DuoError(
                    Message(
                        "%(path)s: line %(line)s: %(code)s is not a term of the ontology",
                        path=path,
                        line=line,
                        code=repr(code),
                    )
                )
            if not label:
                raise DuoError(
                    Message(
                        "%(path)s: line %(line)s: label_zh of %(code)s is empty",
                        path=path,
                        line=line,
                        code=code,
                    )
                )
            source = (row.get("label_zh_source") or "").strip()
            labelled[code] = replace(terms[code], label_zh=label, label_zh_source=source)
    return labelled


def _curie(iri: str) -> str:
    tail = iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    match = _CURIE.match(tail)
    return f"{match.group(1)}:{match.group(2)}" if match else tail


def _text(elem: ET.Element, tag: str) -> str | None:
    child = elem.find(tag, _NS)
    return child.text.strip() if child is not None and child.text else None


def _term_kind(elem: ET.Element, lineage: Collection[str], direct: Collection[str]) -> str:
    """obsolete, permission, modifier, investigation or other, by the class's ancestors."""
    deprecated = (_text(elem, "owl:deprecated") or "").lower() == "true"
    if deprecated or "ObsoleteClass" in lineage or "ObsoleteClass" in direct:
        return "obsolete"
    for ancestor, kind in (
        (DATA_USE_PERMISSION, "permission"),
        (DATA_USE_MODIFIER, "modifier"),
        (INVESTIGATION, "investigation"),
    ):
        if ancestor in lineage:
            return kind
    return "other"


def _parse_owl(path: Path) -> tuple[str, dict[DuoCode, DuoTerm], dict[str, tuple[str, ...]]]:
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as exc:
        raise DuoError(
            Message("%(path)s: cannot parse DUO as RDF/XML: %(exc)s", path=path, exc=exc)
        ) from exc
    version_elem = root.find("owl:Ontology/owl:versionIRI", _NS)
    version = version_elem.get(_RDF_RESOURCE, "") if version_elem is not None else ""
    release = re.search(r"releases/([\d-]+)/", version)
    version = release.group(1) if release else version or "unknown"

    iri_to_id: dict[str, str] = {}
    raw: list[tuple[str, ET.Element]] = []
    for tag in ("owl:Class", "rdf:Description"):
        for elem in root.findall(tag, _NS):
            iri = elem.get(_RDF_ABOUT)
            if not iri:
                continue
            # The id annotation wins over the IRI: NPOA's IRI has a typo (DUO_00000044).
            iri_to_id[iri] = _text(elem, "oboInOwl:id") or _curie(iri)
            raw.append((iri, elem))

    def ref(iri: str) -> str:
        return iri_to_id.get(iri) or _curie(iri)

    parents: dict[str, list[str]] = {}
    annotated: dict[str, tuple[ET.Element, list[str], list[str]]] = {}
    for iri, elem in raw:
        curie = iri_to_id[iri]
        direct = parents.setdefault(curie, [])
        restricted: list[str] = []
        for sub in elem.findall("rdfs:subClassOf", _NS):
            if sub.get(_RDF_RESOURCE):
                direct.append(ref(sub.get(_RDF_RESOURCE, "")))
                continue
            restriction = sub.find("owl:Restriction", _NS)
            if restriction is None:
                continue
            target = restriction.find("owl:someValuesFrom", _NS)
            if target is not None and target.get(_RDF_RESOURCE):
                restricted.append(ref(target.get(_RDF_RESOURCE, "")))
        if curie.startswith("DUO:") and elem.tag.endswith("Class"):
            annotated[curie] = (elem, direct, restricted)
    frozen_parents = {k: tuple(dict.fromkeys(v)) for k, v in parents.items()}
    probe = DuoOntology(version=version, terms={}, parents=frozen_parents)

    terms: dict[DuoCode, DuoTerm] = {}
    for curie, (elem, direct, restricted) in annotated.items():
        kind = _term_kind(elem, probe.ancestors(curie), direct)
        replaced = _text(elem, "obo:IAO_0100001") or ""
        terms[curie] = DuoTerm(
            id=curie,
            label=_text(elem, "rdfs:label") or curie,
            shorthand=_text(elem, "oboInOwl:shorthand"),
            definition=_text(elem, "obo:IAO_0000115") or "",
            kind=kind,
            parents=tuple(dict.fromkeys(direct)),
            restricted_to=tuple(restricted),
            comments=tuple(c.text.strip() for c in elem.findall("rdfs:comment", _NS) if c.text),
            deprecated=kind == "obsolete",
            replaced_by=tuple(f"DUO:{m}" for m in _DUO_REF.findall(replaced)),
        )
    if not terms:
        raise DuoError(
            Message(
                "%(path)s: no DUO classes found (is this the DUO OWL file?)",
                path=path,
            )
        )
    return version, terms, frozen_parents


def _cross_check_csv(path: Path, terms: dict[DuoCode, DuoTerm]) -> dict[DuoCode, DuoTerm]:
    checked = dict(terms)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"id", "shorthand", "label"} - set(reader.fieldnames or ())
        if missing:
            raise DuoError(
                Message(
                    "%(path)s: missing column(s) %(missing)s",
                    path=path,
                    missing=", ".join(sorted(missing)),
                )
            )
        for line, row in enumerate(reader, start=2):
            curie = (row["id"] or "").strip()
            term = checked.get(curie)
            if term is None:
                raise DuoError(
                    Message(
                        "%(path)s:%(line)s: %(curie)s is not a DUO class in the OWL file",
                        path=path,
                        line=line,
                        curie=repr(curie),
                    )
                )
            shorthand = (row["shorthand"] or "").strip() or None
            if term.shorthand and shorthand and term.shorthand != shorthand:
                raise DuoError(
                    Message(
                        "%(path)s:%(line)s: shorthand %(shorthand)s of %(curie)s "
                        "disagrees with the OWL's %(shorthand_again)s",
                        path=path,
                        line=line,
                        shorthand=repr(shorthand),
                        curie=curie,
                        shorthand_again=repr(term.shorthand),
                    )
                )
            if term.shorthand is None and shorthand:
                checked[curie] = dataclasses.replace(term, shorthand=shorthand)
    return checked


def _read_purposes(path: Path, terms: dict[DuoCode, DuoTerm]) -> dict[DuoCode, tuple[DuoCode, str]]:
    purposes: dict[DuoCode, tuple[DuoCode, str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            investigation, permission = row.get("investigation"), row.get("permission")
            if investigation not in terms or permission not in terms:
                raise DuoError(
                    Message(
                        "%(path)s:%(line)s: unknown DUO term in %(investigation)s/%(permission)s",
                        path=path,
                        line=line,
                        investigation=repr(investigation),
                        permission=repr(permission),
                    )
                )
            if terms[permission].kind != "permission":
                raise DuoTermError(
                    Message(
                        "%(path)s:%(line)s: %(permission)s is not a data use permission",
                        path=path,
                        line=line,
                        permission=permission,
                    )
                )
            purposes[investigation] = (permission, (row.get("aspect") or "").strip())
    return purposes
