"""The directory's data files: one YAML file per kind or group, validated strictly.

Each file holds ``entries:`` (a list) and may hold ``defaults:`` (fields every
entry of the file shares unless it sets them). Files whose name starts with
``_`` are skipped (support data). Regions are the landscape's region sets
(``data/regions/``). Every error names the file, the entry and the field.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pycountry
import yaml

from permed_atlas.directory.errors import DirectoryFileError
from permed_atlas.directory.funding import TopicRule
from permed_atlas.directory.models import (
    BBMRI_STATUSES,
    CONFIRMATION_FIELDS,
    ENTRY_FIELDS,
    GLOBAL_REGION,
    KINDS,
    PROGRAMME_STATUSES,
    TRANSLATION_FIELDS,
    DirectoryEntry,
)

BUNDLED_DIRECTORY_DIR = Path(__file__).resolve().parents[1] / "data" / "directory"
TRANSFER_RULES_DIR = Path(__file__).resolve().parents[1] / "data" / "transfer"

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_YEARS = re.compile(r"^(\d{4})(?:-(\d{4})?)?$")
# "note" is free text any entry may carry, and so are the translated names (``name_zh``)
# with where each comes from (``name_zh_source``); they are kept among the details.
_COMMON = frozenset((*ENTRY_FIELDS, *CONFIRMATION_FIELDS, "note", *TRANSLATION_FIELDS))
KIND_FIELDS: Mapping[str, frozenset[str]] = {
    "funder": frozenset({"country", "parent"}),
    "programme": frozenset({"funders", "years", "status"}),
    "call": frozenset({"programme", "funders", "years", "status", "deadline"}),
    "law": frozenset({"jurisdiction", "in_force", "transfer_rules", "reference"}),
    "standard": frozenset({"organisation"}),
    "initiative": frozenset({"organisation", "years"}),
    "biobank": frozenset({"country", "bbmri_eric", "organisation"}),
}
"""The fields each kind may add to the common ones."""

REQUIRED_KIND_FIELDS: Mapping[str, tuple[str, ...]] = {
    "programme": ("status",),
    "call": ("status",),
    "law": ("jurisdiction",),
    "biobank": ("country", "bbmri_eric"),
}
MAX_SUMMARY = 2000
# libyaml's loader is ten times faster than the pure-Python one; both are "safe".
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506


@dataclass(frozen=True)
class DirectoryFiles:
    """The validated entries of a folder of data files.

    :param entries: every entry, in file order.
    :param origins: each entry's file name.
    :param files: how many entry files were read.
    """

    entries: tuple[DirectoryEntry, ...]
    origins: Mapping[str, str]
    files: int


def transfer_rule_ids(folder: Path = TRANSFER_RULES_DIR) -> frozenset[str]:
    """The ids (file stems) of the data-transfer rule files an entry of kind law may name."""
    return frozenset(p.stem for p in folder.glob("*.yaml") if not p.name.startswith("_"))


def is_country(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 code (upper case)."""
    return len(code) == 2 and code.isupper() and pycountry.countries.get(alpha_2=code) is not None


def _text(value: Any, *, where: str, field: str, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise DirectoryFileError(f"{where}: field {field!r} is missing", field=field)
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise DirectoryFileError(f"{where}: field {field!r} must be text", field=field)
    return " ".join(str(value).split())


def _list(value: Any, *, where: str, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise DirectoryFileError(f"{where}: field {field!r} must be a list", field=field)
    items = []
    for index, item in enumerate(value):
        text = _text(item, where=where, field=f"{field}[{index}]")
        assert text is not None
        items.append(text)
    return tuple(items)


def _date(value: Any, *, where: str, field: str, required: bool = True) -> str | None:
    if value is None or value == "":
        if required:
            raise DirectoryFileError(f"{where}: field {field!r} is missing", field=field)
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError as exc:
        raise DirectoryFileError(
            f"{where}: field {field!r}: {value!r} is not a date (YYYY-MM-DD)", field=field
        ) from exc


def _region(code: str, *, where: str, field: str, known_regions: Collection[str]) -> str:
    value = code.strip()
    if value == GLOBAL_REGION or value in known_regions or is_country(value):
        return value
    known = ", ".join(sorted({*known_regions, GLOBAL_REGION}))
    raise DirectoryFileError(
        f"{where}: field {field!r}: unknown region {code!r} (an ISO 3166-1 alpha-2 country "
        f"code or one of {known})",
        field=field,
    )


def _details(
    kind: str,
    data: Mapping[str, Any],
    *,
    where: str,
    known_regions: Collection[str],
    rule_ids: Collection[str],
) -> dict[str, Any]:
    details: dict[str, Any] = {}
    for field in REQUIRED_KIND_FIELDS.get(kind, ()):
        if data.get(field) in (None, ""):
            raise DirectoryFileError(
                f"{where}: field {field!r} is missing (required for a {kind})", field=field
            )
    for field in sorted(KIND_FIELDS[kind]):
        value = data.get(field)
        # An emptied form field means "not given", so an unchanged form stores no revision.
        if value is None or value == "" or value == []:
            continue
        if field == "funders":
            details[field] = _list(value, where=where, field=field)
        elif field == "country":
            text = _text(value, where=where, field=field) or ""
            if not is_country(text):
                raise DirectoryFileError(
                    f"{where}: field 'country': {value!r} is not an ISO 3166-1 alpha-2 code",
                    field=field,
                )
            details[field] = text
        elif field == "jurisdiction":
            text = _text(value, where=where, field=field) or ""
            details[field] = _region(text, where=where, field=field, known_regions=known_regions)
        elif field in ("in_force", "deadline"):
            details[field] = _date(value, where=where, field=field)
        elif field == "years":
            text = _text(value, where=where, field=field) or ""
            match = _YEARS.match(text)
            if not match or (match.group(2) and match.group(2) < match.group(1)):
                raise DirectoryFileError(
                    f"{where}: field 'years': {value!r} must be YYYY, YYYY-YYYY or YYYY- (open)",
                    field=field,
                )
            details[field] = text
        elif field == "status":
            text = _text(value, where=where, field=field) or ""
            if text not in PROGRAMME_STATUSES:
                raise DirectoryFileError(
                    f"{where}: field 'status': {value!r} is not one of "
                    f"{', '.join(PROGRAMME_STATUSES)}",
                    field=field,
                )
            details[field] = text
        elif field == "bbmri_eric":
            text = _text(value, where=where, field=field) or ""
            if text not in BBMRI_STATUSES:
                raise DirectoryFileError(
                    f"{where}: field 'bbmri_eric': {value!r} is not one of "
                    f"{', '.join(repr(s) for s in BBMRI_STATUSES)} (say unknown rather than guess)",
                    field=field,
                )
            details[field] = text
        elif field == "transfer_rules":
            text = _text(value, where=where, field=field) or ""
            if text not in rule_ids:
                raise DirectoryFileError(
                    f"{where}: field 'transfer_rules': no rule file {text!r} in "
                    f"data/transfer (known: {', '.join(sorted(rule_ids))})",
                    field=field,
                )
            details[field] = text
        else:
            details[field] = _text(value, where=where, field=field)
    return details


def parse_entry(
    data: Any,
    *,
    where: str,
    known_regions: Collection[str],
    rule_ids: Collection[str] | None = None,
) -> DirectoryEntry:
    """Validate one entry's mapping (from a file, a form or a request) and build the entry.

    Checks the fields of the entry alone; ids it refers to are checked by
    :func:`check_references`.

    :param data: the entry's fields.
    :param where: the file and entry, for every error.
    :param known_regions: region-set codes besides ISO country codes and GLOBAL.
    :param rule_ids: the data-transfer rule files a law may name.
    """
    if not isinstance(data, Mapping):
        raise DirectoryFileError(f"{where}: an entry must be a mapping of fields")
    kind = _text(data.get("kind"), where=where, field="kind")
    if kind not in KINDS:
        raise DirectoryFileError(
            f"{where}: field 'kind': unknown kind {kind!r} (one of {', '.join(KINDS)})",
            field="kind",
        )
    unknown = sorted(set(data) - _COMMON - KIND_FIELDS[kind])
    if unknown:
        raise DirectoryFileError(
            f"{where}: unknown field {unknown[0]!r} for a {kind}", field=str(unknown[0])
        )
    entry_id = _text(data.get("id"), where=where, field="id") or ""
    if not SLUG.match(entry_id) or len(entry_id) > 80:
        raise DirectoryFileError(
            f"{where}: field 'id': {entry_id!r} must be a slug (a-z, 0-9, hyphens, ≤80)",
            field="id",
        )
    summary = _text(data.get("summary"), where=where, field="summary") or ""
    if len(summary) > MAX_SUMMARY:
        raise DirectoryFileError(
            f"{where}: field 'summary' is longer than {MAX_SUMMARY} characters", field="summary"
        )
    regions = _list(data.get("regions"), where=where, field="regions")
    if not regions:
        raise DirectoryFileError(f"{where}: field 'regions' is missing", field="regions")
    regions = tuple(
        _region(r, where=where, field="regions", known_regions=known_regions) for r in regions
    )
    url = _text(data.get("url"), where=where, field="url", required=False)
    if url and not url.startswith(("https://", "http://")):
        raise DirectoryFileError(f"{where}: field 'url' must start with https://", field="url")
    related = _list(data.get("related"), where=where, field="related")
    for index, other in enumerate(related):
        if other == entry_id:
            raise DirectoryFileError(
                f"{where}: field 'related[{index}]': an entry cannot be related to itself",
                field="related",
            )
    unconfirmed = _list(data.get("unconfirmed"), where=where, field="unconfirmed")
    confirmed = data.get("confirmed", True)
    if not isinstance(confirmed, bool):
        raise DirectoryFileError(f"{where}: field 'confirmed' must be true or false")
    allowed = _COMMON | KIND_FIELDS[kind] | {"entry"}
    for field in unconfirmed:
        if field not in allowed:
            raise DirectoryFileError(
                f"{where}: field 'unconfirmed' names unknown field {field!r}", field="unconfirmed"
            )
    if not confirmed and not unconfirmed:
        unconfirmed = ("entry",)
    if confirmed and unconfirmed and "confirmed" in data:
        raise DirectoryFileError(
            f"{where}: 'confirmed: true' contradicts 'unconfirmed: {list(unconfirmed)}'",
            field="confirmed",
        )
    details = _details(
        kind,
        data,
        where=where,
        known_regions=known_regions,
        rule_ids=transfer_rule_ids() if rule_ids is None else rule_ids,
    )
    for field in ("note", *TRANSLATION_FIELDS):
        text = _text(data.get(field), where=where, field=field, required=False)
        if text:
            details[field] = text
    if details.get("name_zh_source") and not details.get("name_zh"):
        raise DirectoryFileError(
            f"{where}: field 'name_zh_source' is given without 'name_zh'", field="name_zh_source"
        )
    return DirectoryEntry(
        id=entry_id,
        kind=kind,
        name=_text(data.get("name"), where=where, field="name") or "",
        acronym=_text(data.get("acronym"), where=where, field="acronym", required=False),
        summary=summary,
        regions=regions,
        url=url,
        source=_text(data.get("source"), where=where, field="source") or "",
        date_checked=_date(data.get("date_checked"), where=where, field="date_checked") or "",
        keywords=tuple(
            k.lower() for k in _list(data.get("keywords"), where=where, field="keywords")
        ),
        related=related,
        details=details,
        unconfirmed=unconfirmed,
    )


def referenced_ids(entry: DirectoryEntry) -> list[tuple[str, str]]:
    """``(field, id)`` for every entry this one names (related, funders, programme, parent)."""
    refs = [("related", other) for other in entry.related]
    refs += [("funders", other) for other in entry.details.get("funders", ())]
    for field in ("programme", "parent"):
        if entry.details.get(field):
            refs.append((field, str(entry.details[field])))
    return refs


_EXPECTED_KIND = {"funders": ("funder",), "programme": ("programme",), "parent": ("funder",)}


def check_references(entry: DirectoryEntry, *, where: str, kinds_by_id: Mapping[str, str]) -> None:
    """Refuse an entry naming an id that does not exist, or one of the wrong kind.

    :param entry: the entry.
    :param where: the file and entry, for the error.
    :param kinds_by_id: the kind of every entry that exists.
    """
    for field, other in referenced_ids(entry):
        if other not in kinds_by_id:
            raise DirectoryFileError(
                f"{where}: field {field!r}: no entry with id {other!r}", field=field
            )
        expected = _EXPECTED_KIND.get(field)
        if expected and kinds_by_id[other] not in expected:
            raise DirectoryFileError(
                f"{where}: field {field!r}: {other!r} is a {kinds_by_id[other]}, "
                f"not a {' or '.join(expected)}",
                field=field,
            )


def read_entry_file(
    path: Path, *, known_regions: Collection[str], rule_ids: Collection[str]
) -> list[DirectoryEntry]:
    """The entries of one data file, each validated on its own.

    :param path: a YAML file with ``entries:`` and optional ``defaults:``.
    :param known_regions: region-set codes besides country codes.
    :param rule_ids: the data-transfer rule files.
    """
    try:
        data = _read_yaml(path)
    except yaml.YAMLError as exc:
        raise DirectoryFileError(f"{path.name}: not valid YAML: {exc}") from exc
    except OSError as exc:
        raise DirectoryFileError(f"{path.name}: cannot read: {exc}") from exc
    if not isinstance(data, Mapping) or not isinstance(data.get("entries"), list):
        raise DirectoryFileError(f"{path.name}: a directory file needs a list under 'entries:'")
    extra = sorted(set(data) - {"entries", "defaults"})
    if extra:
        raise DirectoryFileError(f"{path.name}: unknown top-level key {extra[0]!r}")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        raise DirectoryFileError(f"{path.name}: 'defaults' must be a mapping of fields")
    entries = []
    for index, raw in enumerate(data["entries"]):
        label = raw.get("id") if isinstance(raw, Mapping) else None
        where = f"{path.name}: entry {index + 1}" + (f" ({label})" if label else "")
        merged = {**defaults, **raw} if isinstance(raw, Mapping) else raw
        entries.append(
            parse_entry(merged, where=where, known_regions=known_regions, rule_ids=rule_ids)
        )
    return entries


def load_directory_files(
    folder: Path = BUNDLED_DIRECTORY_DIR,
    *,
    known_regions: Collection[str],
    rule_ids: Collection[str] | None = None,
) -> DirectoryFiles:
    """Read and validate every entry file of ``folder``: fields, unique ids, references.

    :param folder: the folder of ``*.yaml`` files (the bundled one by default).
    :param known_regions: region-set codes besides ISO country codes and GLOBAL.
    :param rule_ids: the data-transfer rule files (the bundled ones by default).
    """
    if not folder.is_dir():
        raise DirectoryFileError(f"{folder}: no such folder of directory files")
    rules = transfer_rule_ids() if rule_ids is None else rule_ids
    entries: list[DirectoryEntry] = []
    origins: dict[str, str] = {}
    files = sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("_"))
    for path in files:
        for entry in read_entry_file(path, known_regions=known_regions, rule_ids=rules):
            if entry.id in origins:
                raise DirectoryFileError(
                    f"{path.name}: entry {entry.id!r} is also defined in {origins[entry.id]}",
                    field="id",
                )
            origins[entry.id] = path.name
            entries.append(entry)
    kinds = {e.id: e.kind for e in entries}
    for entry in entries:
        check_references(entry, where=f"{origins[entry.id]}: entry {entry.id!r}", kinds_by_id=kinds)
    return DirectoryFiles(entries=tuple(entries), origins=origins, files=len(files))


FUNDING_TOPICS_FILE = BUNDLED_DIRECTORY_DIR / "_funding_topics.yaml"


@functools.cache
def load_funding_topics(path: Path = FUNDING_TOPICS_FILE) -> tuple[TopicRule, ...]:
    """The funding match's topic rules (narrow topic word -> broader scope terms).

    :param path: the rules file (the bundled one by default).
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DirectoryFileError(f"{path.name}: cannot read the topic rules: {exc}") from exc
    rules: list[TopicRule] = []
    for position, item in enumerate((data or {}).get("rules") or [], start=1):
        where = f"{path.name}: rule {position}"
        if not isinstance(item, dict) or not item.get("id") or not item.get("pattern"):
            raise DirectoryFileError(f"{where}: needs an id, a pattern and terms", field="rules")
        try:
            pattern = re.compile(str(item["pattern"]), re.IGNORECASE)
        except re.error as exc:
            raise DirectoryFileError(
                f"{where}: pattern is not a regular expression: {exc}"
            ) from exc
        terms = item.get("terms")
        if not isinstance(terms, list) or not terms or not all(isinstance(t, str) for t in terms):
            raise DirectoryFileError(f"{where}: terms must be a list of words", field="terms")
        rules.append(TopicRule(id=str(item["id"]), pattern=pattern, terms=tuple(terms)))
    return tuple(rules)
