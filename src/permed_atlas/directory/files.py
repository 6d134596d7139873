"""The directory's data files: one YAML file per kind or group, validated strictly.

Each file holds ``entries:`` (a list) and may hold ``defaults:`` (fields every
entry of the file shares unless it sets them). Files whose name starts with
``_`` are skipped (support data). Regions are the landscape's region sets
(``data/regions/``). Every error names the file, the entry and the field.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeAlias

import yaml

from permed_atlas.countries import is_iso_code
from permed_atlas.datafiles import (
    BUNDLED_DATA_DIR,
    Where,
    read_choice,
    read_date,
    read_text,
    read_texts,
    read_url,
    read_yaml,
)
from permed_atlas.directory.errors import DirectoryFileError
from permed_atlas.directory.funding import TopicRule
from permed_atlas.directory.models import (
    BBMRI_STATUSES,
    CONFIRMATION_FIELDS,
    ENTRY_FIELDS,
    GLOBAL_REGION,
    KINDS,
    PROGRAMME_STATUSES,
    REVIEW_FIELD,
    TRANSLATION_FIELDS,
    DirectoryEntry,
)
from permed_atlas.directory.translations import read_to_review
from permed_atlas.i18n import Message, not_one_of, require_one_of
from permed_atlas.userfiles import load_yaml, read_text_file

BUNDLED_DIRECTORY_DIR = BUNDLED_DATA_DIR / "directory"
TRANSFER_RULES_DIR = BUNDLED_DATA_DIR / "transfer"

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_YEARS = re.compile(r"^(\d{4})(?:-(\d{4})?)?$")
# "note" is free text any entry may carry, and so are the translated names (``name_zh``)
# with where each comes from (``name_zh_source``) and the translated summary
# (``summary_zh``), and which of them await review (``zh_to_review``); they are kept among
# the details.
_COMMON = frozenset(
    (*ENTRY_FIELDS, *CONFIRMATION_FIELDS, "note", *TRANSLATION_FIELDS, REVIEW_FIELD)
)
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


def _read_yaml(path: Path) -> Any:
    return load_yaml(read_text_file(path, error=DirectoryFileError))


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
    return len(code) == 2 and code.isupper() and is_iso_code(code)


def _where(label: str) -> Where:
    return Where(label, lambda message, field: DirectoryFileError(message, field=field))


def _region(code: str, *, where: Where, field: str, known_regions: Collection[str]) -> str:
    value = code.strip()
    if value == GLOBAL_REGION or value in known_regions or is_country(value):
        return value
    raise where.fail(
        field,
        not_one_of(
            "unknown region %(value)s (an ISO 3166-1 alpha-2 country code or one of %(options)s)",
            value=code,
            options=sorted({*known_regions, GLOBAL_REGION}),
        ),
        stated=True,
    )


@dataclass(frozen=True)
class _KindContext:
    """What a kind-specific field is checked against."""

    where: Where
    known_regions: Collection[str]
    rule_ids: Collection[str]


def _country(value: Any, field: str, ctx: _KindContext) -> str:
    text = read_text(value, where=ctx.where, field=field) or ""
    if not is_country(text):
        raise ctx.where.fail(
            field,
            Message("%(value)s is not an ISO 3166-1 alpha-2 code", value=repr(value)),
            stated=True,
        )
    return text


def _jurisdiction(value: Any, field: str, ctx: _KindContext) -> str:
    text = read_text(value, where=ctx.where, field=field) or ""
    return _region(text, where=ctx.where, field=field, known_regions=ctx.known_regions)


def _years(value: Any, field: str, ctx: _KindContext) -> str:
    text = read_text(value, where=ctx.where, field=field) or ""
    match = _YEARS.match(text)
    if not match or (match.group(2) and match.group(2) < match.group(1)):
        raise ctx.where.fail(
            field,
            Message("%(value)s must be YYYY, YYYY-YYYY or YYYY- (open)", value=repr(value)),
            stated=True,
        )
    return text


def _bbmri(value: Any, field: str, ctx: _KindContext) -> str:
    shown = ", ".join(repr(s) for s in BBMRI_STATUSES) + " (say unknown rather than guess)"
    return read_choice(value, where=ctx.where, field=field, choices=BBMRI_STATUSES, shown=shown)


def _transfer_rules(value: Any, field: str, ctx: _KindContext) -> str:
    text = read_text(value, where=ctx.where, field=field) or ""
    require_one_of(
        "no rule file %(value)s in data/transfer (known: %(options)s)",
        value=text,
        options=sorted(ctx.rule_ids),
        error=partial(ctx.where.fail, field, stated=True),
    )
    return text


def _funders(value: Any, field: str, ctx: _KindContext) -> tuple[str, ...]:
    return read_texts(value, where=ctx.where, field=field)


def _day(value: Any, field: str, ctx: _KindContext) -> str | None:
    return read_date(value, where=ctx.where, field=field)


def _status(value: Any, field: str, ctx: _KindContext) -> str:
    return read_choice(value, where=ctx.where, field=field, choices=PROGRAMME_STATUSES)


_Reader: TypeAlias = Callable[[Any, str, _KindContext], Any]
# How each kind-specific field is read; a field not named here is optional text.
_KIND_READERS: Mapping[str, _Reader] = {
    "funders": _funders,
    "country": _country,
    "jurisdiction": _jurisdiction,
    "in_force": _day,
    "deadline": _day,
    "years": _years,
    "status": _status,
    "bbmri_eric": _bbmri,
    "transfer_rules": _transfer_rules,
}


def _read_optional_text(value: Any, field: str, ctx: _KindContext) -> str | None:
    return read_text(value, where=ctx.where, field=field)


def _details(kind: str, data: Mapping[str, Any], ctx: _KindContext) -> dict[str, Any]:
    for field in REQUIRED_KIND_FIELDS.get(kind, ()):
        if data.get(field) in (None, ""):
            raise ctx.where.fail(field, Message("is missing (required for a %(kind)s)", kind=kind))
    details: dict[str, Any] = {}
    for field in sorted(KIND_FIELDS[kind]):
        value = data.get(field)
        # An emptied form field means "not given", so an unchanged form stores no revision.
        if value is None or value == "" or value == []:
            continue
        reader: _Reader = _KIND_READERS.get(field) or _read_optional_text
        details[field] = reader(value, field, ctx)
    return details


def _kind(data: Mapping[str, Any], where: Where) -> str:
    kind = read_text(data.get("kind"), where=where, field="kind")
    if kind not in KINDS:
        raise where.fail(
            "kind",
            not_one_of("unknown kind %(value)s (one of %(options)s)", value=kind, options=KINDS),
            stated=True,
        )
    unknown = sorted(set(data) - _COMMON - KIND_FIELDS[kind])
    if unknown:
        raise where.error(f"{where.label}: unknown field {unknown[0]!r} for a {kind}", unknown[0])
    return kind


def _entry_id(data: Mapping[str, Any], where: Where) -> str:
    entry_id = read_text(data.get("id"), where=where, field="id") or ""
    if not SLUG.match(entry_id) or len(entry_id) > 80:
        raise where.fail(
            "id",
            Message(
                "%(entry_id)s must be a slug (a-z, 0-9, hyphens, ≤80)", entry_id=repr(entry_id)
            ),
            stated=True,
        )
    return entry_id


def _summary(data: Mapping[str, Any], where: Where) -> str:
    summary = read_text(data.get("summary"), where=where, field="summary") or ""
    if len(summary) > MAX_SUMMARY:
        raise where.fail(
            "summary", Message("is longer than %(value)s characters", value=MAX_SUMMARY)
        )
    return summary


def _regions(
    data: Mapping[str, Any], where: Where, known_regions: Collection[str]
) -> tuple[str, ...]:
    regions = read_texts(data.get("regions"), where=where, field="regions")
    if not regions:
        raise where.fail("regions", Message("is missing"))
    return tuple(
        _region(r, where=where, field="regions", known_regions=known_regions) for r in regions
    )


def _related(data: Mapping[str, Any], where: Where, entry_id: str) -> tuple[str, ...]:
    related = read_texts(data.get("related"), where=where, field="related")
    for index, other in enumerate(related):
        if other == entry_id:
            message = (
                f"{where.label}: field 'related[{index}]': an entry cannot be related to itself"
            )
            raise where.error(message, "related")
    return related


def _unconfirmed(data: Mapping[str, Any], where: Where, kind: str) -> tuple[str, ...]:
    """The fields an editor has not confirmed; ``("entry",)`` for a wholly unconfirmed one."""
    unconfirmed = read_texts(data.get("unconfirmed"), where=where, field="unconfirmed")
    confirmed = data.get("confirmed", True)
    if not isinstance(confirmed, bool):
        raise where.error(f"{where.label}: field 'confirmed' must be true or false", None)
    allowed = _COMMON | KIND_FIELDS[kind] | {"entry"}
    for field in unconfirmed:
        if field not in allowed:
            raise where.fail(
                "unconfirmed", Message("names unknown field %(field)s", field=repr(field))
            )
    if not confirmed and not unconfirmed:
        return ("entry",)
    if confirmed and unconfirmed and "confirmed" in data:
        message = f"{where.label}: 'confirmed: true' contradicts 'unconfirmed: {list(unconfirmed)}'"
        raise where.error(message, "confirmed")
    return unconfirmed


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
        raise DirectoryFileError(
            Message("%(where)s: an entry must be a mapping of fields", where=where)
        )
    at = _where(where)
    kind = _kind(data, at)
    entry_id = _entry_id(data, at)
    summary = _summary(data, at)
    regions = _regions(data, at, known_regions)
    url = read_url(data.get("url"), where=at, field="url")
    related = _related(data, at, entry_id)
    unconfirmed = _unconfirmed(data, at, kind)
    rules = transfer_rule_ids() if rule_ids is None else rule_ids
    details = _details(kind, data, _KindContext(at, known_regions, rules))
    for field in ("note", *TRANSLATION_FIELDS):
        text = read_text(data.get(field), where=at, field=field, required=False)
        if text:
            details[field] = text
    if len(details.get("summary_zh", "")) > MAX_SUMMARY:
        raise at.fail(
            "summary_zh", Message("is longer than %(value)s characters", value=MAX_SUMMARY)
        )
    to_review = read_to_review(data, where=at, details=details)
    if to_review:
        details[REVIEW_FIELD] = to_review
    if details.get("name_zh_source") and not details.get("name_zh"):
        raise DirectoryFileError(
            Message(
                "%(where)s: field 'name_zh_source' is given without 'name_zh'",
                where=where,
            ),
            field="name_zh_source",
        )
    return DirectoryEntry(
        id=entry_id,
        kind=kind,
        name=read_text(data.get("name"), where=at, field="name") or "",
        acronym=read_text(data.get("acronym"), where=at, field="acronym", required=False),
        summary=summary,
        regions=regions,
        url=url,
        source=read_text(data.get("source"), where=at, field="source") or "",
        date_checked=read_date(data.get("date_checked"), where=at, field="date_checked") or "",
        keywords=tuple(
            k.lower() for k in read_texts(data.get("keywords"), where=at, field="keywords")
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
                Message(
                    "%(where)s: field %(field)s: no entry with id %(other)s",
                    where=where,
                    field=repr(field),
                    other=repr(other),
                ),
                field=field,
            )
        expected = _EXPECTED_KIND.get(field)
        if expected and kinds_by_id[other] not in expected:
            raise DirectoryFileError(
                Message(
                    "%(where)s: field %(field)s: %(other)s is a %(kinds)s, not a %(expected)s",
                    where=where,
                    field=repr(field),
                    other=repr(other),
                    kinds=kinds_by_id[other],
                    expected=" or ".join(expected),
                ),
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
        raise DirectoryFileError(
            Message("%(name)s: not valid YAML: %(exc)s", name=path.name, exc=exc)
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise DirectoryFileError(
            Message("%(name)s: cannot read: %(exc)s", name=path.name, exc=exc)
        ) from exc
    if not isinstance(data, Mapping) or not isinstance(data.get("entries"), list):
        raise DirectoryFileError(
            Message(
                "%(name)s: a directory file needs a list under 'entries:'",
                name=path.name,
            )
        )
    extra = sorted(set(data) - {"entries", "defaults"})
    if extra:
        raise DirectoryFileError(
            Message(
                "%(name)s: unknown top-level key %(extra)s",
                name=path.name,
                extra=repr(extra[0]),
            )
        )
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        raise DirectoryFileError(
            Message("%(name)s: 'defaults' must be a mapping of fields", name=path.name)
        )
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
        raise DirectoryFileError(
            Message("%(folder)s: no such folder of directory files", folder=folder)
        )
    rules = transfer_rule_ids() if rule_ids is None else rule_ids
    entries: list[DirectoryEntry] = []
    origins: dict[str, str] = {}
    files = sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("_"))
    for path in files:
        for entry in read_entry_file(path, known_regions=known_regions, rule_ids=rules):
            if entry.id in origins:
                raise DirectoryFileError(
                    Message(
                        "%(name)s: entry %(id)s is also defined in %(origins)s",
                        name=path.name,
                        id=repr(entry.id),
                        origins=origins[entry.id],
                    ),
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
    data = read_yaml(
        path,
        error=lambda message: DirectoryFileError(
            Message("%(name)s: %(message)s", name=path.name, message=message)
        ),
        what=" the topic rules",
    )
    listed = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(listed, list):
        raise DirectoryFileError(
            Message("%(name)s: needs a list of rules under 'rules:'", name=path.name),
            field="rules",
        )
    rules: list[TopicRule] = []
    for position, item in enumerate(listed, start=1):
        where = f"{path.name}: rule {position}"
        if not isinstance(item, dict) or not item.get("id") or not item.get("pattern"):
            raise DirectoryFileError(
                Message("%(where)s: needs an id, a pattern and terms", where=where),
                field="rules",
            )
        try:
            pattern = re.compile(str(item["pattern"]), re.IGNORECASE)
        except re.error as exc:
            raise DirectoryFileError(
                Message(
                    "%(where)s: pattern is not a regular expression: %(exc)s",
                    where=where,
                    exc=exc,
                )
            ) from exc
        terms = item.get("terms")
        if not isinstance(terms, list) or not terms or not all(isinstance(t, str) for t in terms):
            raise DirectoryFileError(
                Message("%(where)s: terms must be a list of words", where=where),
                field="terms",
            )
        rules.append(TopicRule(id=str(item["id"]), pattern=pattern, terms=tuple(terms)))
    return tuple(rules)
