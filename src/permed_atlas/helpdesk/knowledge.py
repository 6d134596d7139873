"""Knowledge files: one YAML file per jurisdiction, read and checked entry by entry.

A file::

    country: DE                    # ISO 3166-1 alpha-2, or EU / INT
    name: Germany
    entries:
      - id: de-trial-authorisation
        country: DE
        topic: trial_authorisation  # one of models.TOPICS
        title: ...
        authority: ...
        summary: ...
        procedure:                 # steps: text, or {text, ref, text_zh}
          - {text: Submit the application in CTIS, ref: "Regulation (EU) No 536/2014, Art. 5(1)"}
        references: [{law: ..., article: ...}]
        timeline: ...
        documents: [...]
        fees: varies               # "not public", "varies" or what the source publishes
        date_checked: "2026-11-23"
        source: https://...
        confirmed: false           # false when a fact could not be checked; say which in caveat
        caveat: ...
        keywords: [...]
        title_zh: ...              # optional: the title in Chinese, so Chinese questions find it
        summary_zh: ...            # optional: the summary in Chinese (shown and searched)
        keywords_zh: [...]         # optional: Chinese keywords (the terms the Chinese source uses)

``_jurisdictions.yaml`` (files starting with ``_`` are support data) names the
EU member states, the display names and the demonyms used to find countries
in questions. Every error names the file, the entry and the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from permed_atlas.countries import iso_name, localized_country_name
from permed_atlas.datafiles import (
    BUNDLED_DATA_DIR,
    Where,
    collect_problems,
    entry_where,
    read_bool,
    read_choice,
    read_date,
    read_list,
    read_mapping,
    read_text,
    read_texts,
    read_url,
    read_yaml,
)
from permed_atlas.filecache import cached_until_changed
from permed_atlas.helpdesk.errors import KnowledgeFileError
from permed_atlas.helpdesk.models import (
    EU,
    INTERNATIONAL,
    TOPICS,
    Entry,
    KnowledgeBase,
    Reference,
    Step,
)
from permed_atlas.i18n import LocalizedText, Message, localized

BUNDLED_DIR = BUNDLED_DATA_DIR / "helpdesk"
JURISDICTIONS_FILE = "_jurisdictions.yaml"
SPECIAL_JURISDICTIONS = {EU: "European Union (EU level)", INTERNATIONAL: "International"}
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_REQUIRED_TEXT = ("id", "country", "topic", "title", "authority", "summary", "timeline",
                  "fees", "date_checked", "source")  # fmt: skip
_OPTIONAL = {"caveat", "links", "directory_ids", "related", "title_zh", "keywords_zh",
             "summary_zh"}  # fmt: skip
_FIELDS = {*_REQUIRED_TEXT, "procedure", "references", "documents", "keywords", "confirmed",
           *_OPTIONAL}  # fmt: skip


# The KnowledgeFileErrors of one file; typed Any because the kit's Where.fail returns Exception.
_Problems = list[Any]


@dataclass(frozen=True)
class FileReport:
    """What checking one file found: its entries (when valid) and every problem."""

    path: str
    entries: tuple[Entry, ...]
    problems: tuple[KnowledgeFileError, ...]


def country_name(code: str) -> str | None:
    """The display name of a jurisdiction code, or None when the code is unknown.

    :param code: ISO 3166-1 alpha-2, ``EU`` or ``INT``.
    """
    if code in SPECIAL_JURISDICTIONS:
        return SPECIAL_JURISDICTIONS[code]
    if len(code) != 2 or not code.isalpha() or not code.isupper():
        return None
    return iso_name(code)


def display_name(knowledge: KnowledgeBase, code: str) -> str:
    """The name shown for a jurisdiction: the knowledge base's, else pycountry's, else the code.

    :param knowledge: the loaded knowledge.
    :param code: a jurisdiction code.
    """
    return knowledge.names.get(code) or country_name(code) or code


def localized_display_name(knowledge: KnowledgeBase, code: str) -> LocalizedText:
    """:func:`display_name` in the current language: the file's ``names_zh``, else ISO's.

    :param knowledge: the loaded knowledge.
    :param code: a jurisdiction code.
    """
    english = display_name(knowledge, code)
    zh = knowledge.names_zh.get(code)
    if zh is None and code not in SPECIAL_JURISDICTIONS and country_name(code) is not None:
        zh = str(localized_country_name(code, language="zh"))
    return localized(english, {"zh": zh or ""})


def check_knowledge_file(path: Path) -> FileReport:
    """Check one knowledge file and collect every problem (not just the first).

    :param path: a YAML file in the format of this module's docstring.
    """
    where = str(path)
    try:
        data = read_yaml(path, error=lambda message: KnowledgeFileError(message, path=where))
    except KnowledgeFileError as exc:
        return FileReport(where, (), (exc,))
    if not isinstance(data, Mapping):
        problem = KnowledgeFileError(
            Message("must be a mapping with country, name, entries"), path=where
        )
        return FileReport(where, (), (problem,))
    problems: list[KnowledgeFileError] = []
    file_country = data.get("country")
    if not isinstance(file_country, str) or country_name(file_country) is None:
        problems.append(
            KnowledgeFileError(
                Message(
                    "unknown country %(file_country)s: use an ISO 3166-1 alpha-2 code, EU or INT",
                    file_country=repr(file_country),
                ),
                path=where,
                field="country",
            )
        )
        file_country = None
    raw_entries = data.get("entries")
    if not isinstance(raw_entries, list) or not raw_entries:
        problems.append(
            KnowledgeFileError(Message("must be a non-empty list"), path=where, field="entries")
        )
        return FileReport(where, (), tuple(problems))
    entries: list[Entry] = []
    seen: set[str] = set()
    for position, raw in enumerate(raw_entries, start=1):
        label = str(raw.get("id")) if isinstance(raw, Mapping) and raw.get("id") else f"#{position}"
        entry_problems: list[KnowledgeFileError] = []
        entry = _parse_entry(raw, path=where, label=label, problems=entry_problems)
        if entry is not None and file_country is not None and entry.country != file_country:
            entry_problems.append(
                KnowledgeFileError(
                    Message(
                        "%(country)s differs from the file's country %(file_country)s",
                        country=repr(entry.country),
                        file_country=repr(file_country),
                    ),
                    path=where,
                    entry_id=label,
                    field="country",
                )
            )
        if entry is not None and entry.id in seen:
            entry_problems.append(
                KnowledgeFileError(
                    Message("duplicate id in this file"), path=where, entry_id=label, field="id"
                )
            )
        problems += entry_problems
        if entry is not None and not entry_problems:
            seen.add(entry.id)
            entries.append(entry)
    return FileReport(where, tuple(entries), tuple(problems))


def check_knowledge(paths: Iterable[Path]) -> list[FileReport]:
    """Check knowledge files or folders (every ``*.yaml`` not starting with ``_``).

    Ids must be unique across all files, and ``related`` must name existing ids.

    :param paths: files or folders.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += [p for p in sorted(path.glob("*.y*ml")) if not p.name.startswith("_")]
        elif path.exists():
            files.append(path)
        else:
            raise KnowledgeFileError(Message("no such file or folder"), path=str(path))
    reports = [check_knowledge_file(f) for f in files]
    owner: dict[str, str] = {}
    extra: dict[str, list[KnowledgeFileError]] = {}
    for report in reports:
        for entry in report.entries:
            if entry.id in owner:
                extra.setdefault(report.path, []).append(
                    KnowledgeFileError(
                        Message("id also used in %(owner)s", owner=owner[entry.id]),
                        path=report.path,
                        entry_id=entry.id,
                        field="id",
                    )
                )
            owner.setdefault(entry.id, report.path)
    for report in reports:
        for entry in report.entries:
            for other in entry.related:
                if other not in owner:
                    extra.setdefault(report.path, []).append(
                        KnowledgeFileError(
                            Message("names unknown entry %(other)s", other=repr(other)),
                            path=report.path,
                            entry_id=entry.id,
                            field="related",
                        )
                    )
    return [
        FileReport(r.path, r.entries, r.problems + tuple(extra.get(r.path, ()))) for r in reports
    ]


def load_knowledge(dirs: Iterable[Path] = ()) -> KnowledgeBase:
    """Read the bundled knowledge files and those of ``dirs``; raise on the first problem.

    An entry in a later folder with an existing id replaces the earlier one, so a
    deployment corrects an entry by writing a file, not by changing code.

    :param dirs: further folders of knowledge files.
    :raises KnowledgeFileError: naming the file, entry and field.
    """
    return _load(tuple(Path(d).resolve() for d in dirs))


def _knowledge_folders(dirs: tuple[Path, ...]) -> list[Path]:
    return [BUNDLED_DIR, *dirs]


@cached_until_changed(_knowledge_folders, maxsize=4)
def _load(dirs: tuple[Path, ...]) -> KnowledgeBase:
    support = read_support_file(BUNDLED_DIR / JURISDICTIONS_FILE)
    by_id: dict[str, Entry] = {}
    files: list[str] = []
    for folder in (BUNDLED_DIR, *dirs):
        if not folder.is_dir():
            raise KnowledgeFileError(Message("knowledge folder not found"), path=str(folder))
        in_folder: dict[str, str] = {}
        for path in sorted(folder.glob("*.y*ml")):
            if path.name.startswith("_"):
                continue
            report = check_knowledge_file(path)
            if report.problems:
                raise report.problems[0]
            files.append(report.path)
            for entry in report.entries:
                # Within a folder an id is unique; a later folder's entry replaces an earlier one.
                if entry.id in in_folder:
                    raise KnowledgeFileError(
                        Message(
                            "id also used in %(other_file)s",
                            other_file=in_folder[entry.id],
                        ),
                        path=report.path,
                        entry_id=entry.id,
                        field="id",
                    )
                in_folder[entry.id] = report.path
                by_id[entry.id] = entry
    entries = tuple(by_id.values())
    for entry in entries:
        for other in entry.related:
            if other not in by_id:
                raise KnowledgeFileError(
                    Message("names unknown entry %(other)s", other=repr(other)),
                    path=entry.path,
                    entry_id=entry.id,
                    field="related",
                )
    names = {code: country_name(code) or code for code in {e.country for e in entries}}
    names.update(support["names"])
    return KnowledgeBase(
        entries=entries,
        eu_members=frozenset(support["eu_members"]),
        names=names,
        demonyms=support["demonyms"],
        abbreviations=support["abbreviations"],
        files=tuple(files),
        names_zh=support.get("names_zh", {}),
    )


def read_support_file(path: Path) -> dict[str, Any]:
    """The helpdesk's support data: EU members, display names, demonyms and abbreviations.

    :param path: a file in the shape of ``data/helpdesk/_jurisdictions.yaml``.
    :raises KnowledgeFileError: naming the file and the field (``demonyms.german``).
    """
    data = read_yaml(path, error=partial(KnowledgeFileError, path=str(path)))
    if not isinstance(data, Mapping):
        raise KnowledgeFileError(Message("must be a mapping"), path=str(path))
    where = entry_where(KnowledgeFileError, path=str(path))
    if data.get("eu_members") is None:
        raise where.fail("eu_members", Message("is missing"))
    members = read_list(data["eu_members"], where=where, field="eu_members")
    codes = {
        name: {str(key): _read_jurisdiction(code, where=where, field=f"{name}.{key}")
               for key, code in read_mapping(data.get(name), where=where, field=name).items()}
        for name in ("demonyms", "abbreviations")
    }  # fmt: skip
    names = {
        name: {str(key): read_text(text, where=where, field=f"{name}.{key}") or ""
               for key, text in read_mapping(data.get(name), where=where, field=name).items()}
        for name in ("names", "names_zh")
    }  # fmt: skip
    return {
        "eu_members": [_read_jurisdiction(code, where=where, field=f"eu_members[{index}]")
                       for index, code in enumerate(members)],
        "demonyms": {word.lower(): code for word, code in codes["demonyms"].items()},
        "abbreviations": codes["abbreviations"],
        **names,
    }  # fmt: skip


def _read_jurisdiction(value: Any, *, where: Where, field: str) -> str:
    code = read_text(value, where=where, field=field) or ""
    if country_name(code) is None:
        raise where.fail(
            field,
            Message(
                "unknown country %(code)s: use an ISO 3166-1 alpha-2 code, EU or INT",
                code=repr(code),
            ),
            stated=True,
        )
    return code


def _parse_entry(raw: Any, *, path: str, label: str, problems: _Problems) -> Entry | None:
    where = entry_where(KnowledgeFileError, path=path, entry_id=label)
    read = collect_problems(problems, KnowledgeFileError)
    if not isinstance(raw, Mapping):
        problems.append(
            KnowledgeFileError(Message("must be a mapping of fields"), path=path, entry_id=label)
        )
        return None
    for key in raw:
        if key not in _FIELDS:
            problems.append(
                where.fail(
                    str(key),
                    Message(
                        "unknown field; known fields: %(value)s", value=", ".join(sorted(_FIELDS))
                    ),
                    stated=True,
                )
            )
    plain = [name for name in _REQUIRED_TEXT if name not in {"topic", "date_checked", "source"}]
    text = {name: read(read_text, raw.get(name), where=where, field=name) for name in plain}
    text["topic"] = read(read_choice, raw.get("topic"), where=where, field="topic", choices=TOPICS)
    text["date_checked"] = read(read_date, raw.get("date_checked"), where=where,
                                field="date_checked")  # fmt: skip
    text["source"] = read(read_url, raw.get("source"), where=where, field="source", required=True)
    if text["id"] and not _ID.match(text["id"]):
        problems.append(
            where.fail("id", Message("must be a lower-case slug (letters, digits, hyphens)"))
        )
    if text["country"] and country_name(text["country"]) is None:
        problems.append(
            where.fail(
                "country",
                Message(
                    "unknown country %(country)s: use an ISO 3166-1 alpha-2 code, EU or INT",
                    country=repr(text["country"]),
                ),
                stated=True,
            )
        )
    procedure = _steps(raw.get("procedure"), where, problems)
    references = _references(raw.get("references"), where, problems)
    lists = {name: read(read_texts, raw.get(name), where=where, field=name) or ()
             for name in ("documents", "keywords", "links", "keywords_zh", "directory_ids",
                          "related")}  # fmt: skip
    for name in ("documents", "keywords", "confirmed"):
        if raw.get(name) is None:
            problems.append(where.fail(name, Message("is missing")))
    if raw.get("keywords") is not None and not lists["keywords"]:
        problems.append(where.fail("keywords", Message("must not be empty")))
    for index, link in enumerate(lists["links"]):
        read(read_url, link, where=where, field=f"links[{index}]")
    confirmed = read(read_bool, raw.get("confirmed"), where=where, field="confirmed", default=True)
    caveat = read(read_text, raw.get("caveat"), where=where, field="caveat", required=False)
    title_zh = read(read_text, raw.get("title_zh"), where=where, field="title_zh", required=False)
    summary_zh = read(read_text, raw.get("summary_zh"), where=where, field="summary_zh",
                      required=False)  # fmt: skip
    if confirmed is False and not caveat:
        problems.append(
            where.fail(
                "caveat", Message("must say what could not be checked when confirmed is false")
            )
        )
    if problems:
        return None
    return Entry(
        id=text["id"], country=text["country"], topic=text["topic"], title=text["title"],
        authority=text["authority"], summary=text["summary"], procedure=procedure,
        references=references, timeline=text["timeline"], documents=lists["documents"],
        fees=text["fees"], date_checked=text["date_checked"], source=text["source"],
        keywords=lists["keywords"], confirmed=bool(confirmed), caveat=caveat or "",
        links=lists["links"], directory_ids=lists["directory_ids"], title_zh=title_zh or "",
        keywords_zh=lists["keywords_zh"], related=lists["related"], path=path,
        summary_zh=summary_zh or "",
    )  # fmt: skip


def _steps(value: Any, where: Where, problems: _Problems) -> tuple[Step, ...]:
    if not isinstance(value, list) or not value:
        problems.append(where.fail("procedure", Message("is missing (a non-empty list of steps)")))
        return ()
    steps: list[Step] = []
    for number, item in enumerate(value, start=1):
        field = f"procedure[{number - 1}]"
        if isinstance(item, str) and item.strip():
            steps.append(Step(" ".join(item.split())))
        elif isinstance(item, Mapping) and isinstance(item.get("text"), str) and item["text"]:
            ref = item.get("ref") or ""
            text_zh = item.get("text_zh") or ""
            if (not isinstance(ref, str) or not isinstance(text_zh, str)
                    or set(item) - {"text", "ref", "text_zh"}):  # fmt: skip
                problems.append(
                    where.fail(
                        field,
                        Message(
                            "step %(number)s: only text, ref and text_zh (texts) are allowed",
                            number=number,
                        ),
                        stated=True,
                    )
                )
                continue
            steps.append(
                Step(
                    " ".join(item["text"].split()), " ".join(ref.split()), " ".join(text_zh.split())
                )
            )
        else:
            problems.append(
                where.fail(
                    field,
                    Message(
                        "step %(number)s: must be a text or {text, ref, text_zh}", number=number
                    ),
                    stated=True,
                )
            )
    return tuple(steps)


def _references(value: Any, where: Where, problems: _Problems) -> tuple[Reference, ...]:
    if not isinstance(value, list) or not value:
        problems.append(
            where.fail("references", Message("is missing: at least one {law, article}"))
        )
        return ()
    read = collect_problems(problems, KnowledgeFileError)
    refs: list[Reference] = []
    for index, item in enumerate(value):
        field = f"references[{index}]"
        if not isinstance(item, Mapping) or set(item) - {"law", "article"}:
            problems.append(where.fail(field, Message("must be {law, article}")))
            continue
        law = read(read_text, item.get("law"), where=where, field=f"{field}.law")
        article = read(read_text, item.get("article"), where=where, field=f"{field}.article")
        if law and article:
            refs.append(Reference(law, article))
    return tuple(refs)
