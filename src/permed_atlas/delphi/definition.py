"""Pure: validate a study definition (parsed from YAML) into plain drafts.

Shape::

    slug: ic2permed-demo
    languages: [en, zh]        # or en, or zh; default en
    title: ...
    title_zh: ...              # the Chinese texts: needed for every language of the study
    description: ...
    description_zh: ...
    consensus: {kind: share, agree_share: 0.7, exclude_share: 0.7, region_gap: 0.2}
    panels: [Main panel]
    surveys:
      - pillar: P1
        title: ...
        panel: Main panel
        items:
          - {code: P1-01, statement: ..., statement_zh: ..., rationale: ..., subtopic: DATA}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any, get_args

from permed_atlas.delphi.errors import StudyFileError
from permed_atlas.delphi.models import (
    LANGUAGE_LABELS,
    STUDY_LANGUAGES,
    CarryDecision,
    ConsensusRule,
    QuartileMethod,
    RuleKind,
)
from permed_atlas.i18n import Message

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,78}$")
# the values a study file may give, read off the core's types so that a new kind is one edit
_RULE_KINDS: tuple[str, ...] = get_args(RuleKind)
QUARTILE_METHODS: tuple[str, ...] = get_args(QuartileMethod)


@dataclass(frozen=True)
class ItemDraft:
    code: str
    statement: str
    rationale: str = ""
    subtopic: str = ""
    statement_zh: str = ""
    rationale_zh: str = ""


@dataclass(frozen=True)
class SurveyDraft:
    pillar: str
    title: str
    panel: str
    items: tuple[ItemDraft, ...]
    title_zh: str = ""


@dataclass(frozen=True)
class StudyDraft:
    slug: str
    title: str
    description: str
    rule: ConsensusRule
    panels: tuple[str, ...]
    surveys: tuple[SurveyDraft, ...]
    languages: tuple[str, ...] = ("en",)
    title_zh: str = ""
    description_zh: str = ""


# the field holding each language's text: "statement" in English, "statement_zh" in Chinese
_TEXT_SUFFIX = {"en": "", "zh": "_zh"}


def parse_languages(raw: Any, *, where: str = "languages") -> tuple[str, ...]:
    """A study's languages from ``[en, zh]``, ``"en,zh"``, ``"both"``, ``"zh"`` ...

    :param raw: the value as given (None: English only).
    :param where: the field, for messages.
    """
    if raw is None or raw == "":
        return ("en",)
    if raw == "both":
        return STUDY_LANGUAGES
    parts = [str(p).strip() for p in (raw if isinstance(raw, list) else str(raw).split(","))]
    languages = tuple(dict.fromkeys(p for p in parts if p))
    unknown = [p for p in languages if p not in STUDY_LANGUAGES]
    if unknown or not languages:
        raise StudyFileError(
            Message(
                "%(where)s: %(value)s: use %(languages)s or both",
                where=where,
                value=", ".join(unknown) or "empty",
                languages=", ".join(STUDY_LANGUAGES),
            ),
            field="languages",
        )
    # English first when both: the order of the switch and the default invitation language
    return tuple(lang for lang in STUDY_LANGUAGES if lang in languages)


def missing_text(texts: Mapping[str, str], field: str, *, languages: tuple[str, ...]) -> str | None:
    """The first field of ``field`` (``statement``, ``statement_zh``) a study in
    ``languages`` needs and ``texts`` leaves empty, or None.

    :param texts: field name -> text, e.g. ``{"statement": ..., "statement_zh": ...}``.
    """
    for language in languages:
        name = field + _TEXT_SUFFIX[language]
        if not str(texts.get(name) or "").strip():
            return name
    return None


def _both(names: Iterable[object]) -> object:
    """ "English and Chinese", the "and" in the reader's language where shown."""
    listed = list(names)
    text = listed[0]
    for name in listed[1:]:
        text = Message("%(first)s and %(second)s", first=text, second=name)
    return text


def require_texts(
    texts: Mapping[str, str], field: str, *, languages: tuple[str, ...], what: str, where: str
) -> None:
    """Refuse a text missing in one of the study's languages, naming the thing and field.

    :param what: the thing, e.g. ``item 'P1-03'``.
    :param where: the prefix of the field in messages, e.g. ``surveys[0].items[2].``.
    """
    name = missing_text(texts, field, languages=languages)
    if name is None:
        return
    language = "zh" if name.endswith("_zh") else "en"
    raise StudyFileError(
        Message(
            "%(where)s%(name)s: %(what)s has no %(language)s "
            "%(field)s; a study in %(value)s needs it",
            where=where,
            name=name,
            what=what,
            language=LANGUAGE_LABELS[language],
            field=field,
            value=_both(LANGUAGE_LABELS[lang] for lang in languages),
        ),
        field=name,
    )


def check_item_texts(item: ItemDraft, *, languages: tuple[str, ...], where: str = "") -> None:
    """Refuse an item without its statement in one of the study's languages."""
    require_texts(
        {"statement": item.statement, "statement_zh": item.statement_zh},
        "statement",
        languages=languages,
        what=f"item {item.code!r}",
        where=where,
    )


def _rule_value_problem(key: str, value: Any) -> tuple[Message, str] | None:
    """What is wrong with one setting of a consensus rule and the field to name; None if fine."""
    if key in ("kind", "quartile_method"):
        choices = _RULE_KINDS if key == "kind" else QUARTILE_METHODS
        if value in choices:
            return None
        one_of = Message("must be one of %(choices)s", choices=", ".join(choices))
        return one_of, f"consensus.{key}"
    if key == "opposite_max" and value is None:
        return None
    if key == "min_region_n":
        if isinstance(value, int) and value >= 1:
            return None
        return Message("must be a positive integer"), key
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return Message("must be a number"), f"consensus.{key}"
    if key.endswith("share") or key in ("region_gap", "opposite_max"):
        if 0 < value <= 1:
            return None
        return Message("a share between 0 and 1 (0.7 for 70%)"), key
    if 0 <= value <= 5:
        return None
    return Message("must be between 0 and 5"), key


def parse_rule(data: Mapping[str, Any] | None, *, path: str = "consensus") -> ConsensusRule:
    """A consensus rule from a mapping; unknown keys and bad values name the field.

    :param data: e.g. ``{"kind": "share", "agree_share": 0.7}``; None gives the default rule.
    :param path: where the mapping came from, for messages.
    """
    if data is None:
        return ConsensusRule()
    if not isinstance(data, Mapping):
        raise StudyFileError(Message("%(path)s: must be a mapping", path=path), field="consensus")
    known = {f.name for f in fields(ConsensusRule)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise StudyFileError(
                Message("%(path)s.%(key)s: unknown setting", path=path, key=key),
                field=f"consensus.{key}",
            )
        problem = _rule_value_problem(key, value)
        if problem is not None:
            reason, field = problem
            raise StudyFileError(
                Message("%(path)s.%(key)s: %(reason)s", path=path, key=key, reason=reason),
                field=field,
            )
        values[key] = value
    return ConsensusRule(**values)


def parse_study_definition(data: Any, *, path: str) -> StudyDraft:
    """Validate a study definition.

    :param data: the parsed YAML document.
    :param path: the file name, for messages.
    """

    def fail(where: str, message: str) -> StudyFileError:
        return StudyFileError(
            Message("%(path)s: %(where)s: %(message)s", path=path, where=where, message=message),
            field=where,
        )

    if not isinstance(data, Mapping):
        raise StudyFileError(
            Message("%(path)s: the document must be a mapping", path=path), field=None
        )
    slug = str(data.get("slug", ""))
    if not _SLUG.match(slug):
        raise fail("slug", Message("lower-case letters, digits and dashes, 2-79 characters"))
    languages = parse_languages(data.get("languages"), where=f"{path}: languages")
    title, title_zh = (str(data.get(k, "") or "").strip() for k in ("title", "title_zh"))
    if not title and not title_zh:
        raise fail("title", Message("is missing"))
    require_texts(
        {"title": title, "title_zh": title_zh},
        "title",
        languages=languages,
        what="the study",
        where=f"{path}: ",
    )
    panels_raw = data.get("panels") or ["Panel"]
    if isinstance(panels_raw, str):
        panels_raw = [panels_raw]
    if not isinstance(panels_raw, list):
        raise fail("panels", Message("must be a list of panel names"))
    panels = tuple(str(p) for p in panels_raw)
    surveys_raw = data.get("surveys")
    if not isinstance(surveys_raw, list) or not surveys_raw:
        raise fail("surveys", Message("a non-empty list of surveys is needed"))
    surveys: list[SurveyDraft] = []
    pillars: set[str] = set()
    for i, raw in enumerate(surveys_raw):
        where = f"surveys[{i}]"
        if not isinstance(raw, Mapping):
            raise fail(where, Message("must be a mapping"))
        pillar = str(raw.get("pillar", "")).strip()
        if not pillar:
            raise fail(f"{where}.pillar", Message("is missing"))
        if pillar in pillars:
            raise fail(f"{where}.pillar", Message("%(pillar)s appears twice", pillar=repr(pillar)))
        pillars.add(pillar)
        panel = str(raw.get("panel", panels[0]))
        if panel not in panels:
            raise fail(f"{where}.panel", Message("%(panel)s is not in panels", panel=repr(panel)))
        items = _parse_items(raw.get("items"), where=where, fail=fail)
        for j, item in enumerate(items):
            check_item_texts(item, languages=languages, where=f"{path}: {where}.items[{j}].")
        surveys.append(
            SurveyDraft(
                pillar=pillar,
                title=str(raw.get("title", pillar)),
                panel=panel,
                items=items,
                title_zh=str(raw.get("title_zh", "") or "").strip(),
            )
        )
    return StudyDraft(
        slug=slug,
        title=title,
        description=str(data.get("description", "")),
        rule=parse_rule(data.get("consensus"), path=f"{path}: consensus"),
        panels=panels,
        surveys=tuple(surveys),
        languages=languages,
        title_zh=title_zh,
        description_zh=str(data.get("description_zh", "") or "").strip(),
    )


def _parse_items(raw_items: Any, *, where: str, fail: Any) -> tuple[ItemDraft, ...]:
    if not isinstance(raw_items, list) or not raw_items:
        raise fail(f"{where}.items", Message("a non-empty list of items is needed"))
    items: list[ItemDraft] = []
    codes: set[str] = set()
    for j, item in enumerate(raw_items):
        at = f"{where}.items[{j}]"
        if not isinstance(item, Mapping):
            raise fail(at, Message("must be a mapping"))
        code = str(item.get("code", "")).strip()
        statement = str(item.get("statement", "") or "").strip()
        statement_zh = str(item.get("statement_zh", "") or "").strip()
        if not code:
            raise fail(f"{at}.code", Message("is missing"))
        if code in codes:
            raise fail(f"{at}.code", Message("%(code)s appears twice", code=repr(code)))
        if not statement and not statement_zh:
            raise fail(f"{at}.statement", Message("is missing"))
        codes.add(code)
        items.append(
            ItemDraft(
                code=code,
                statement=statement,
                rationale=str(item.get("rationale", "") or ""),
                subtopic=str(item.get("subtopic", "") or ""),
                statement_zh=statement_zh,
                rationale_zh=str(item.get("rationale_zh", "") or ""),
            )
        )
    return tuple(items)


def parse_round_plan(
    data: Any, *, path: str
) -> tuple[dict[str, CarryDecision], tuple[ItemDraft, ...]]:
    """Validate the plan for the next round: decisions on non-consensus items, and new items.

    Shape: ``{decisions: {P1-06: {statement: ..., reason: ...}, P1-10: {drop: true,
    reason: ...}}, new_items: [{code: ..., statement: ...}]}``; an empty plan carries
    every non-consensus item unchanged.

    :param data: the parsed YAML document (None for an empty plan).
    :param path: the file name, for messages.
    """

    def fail(where: str, message: str) -> StudyFileError:
        return StudyFileError(
            Message("%(path)s: %(where)s: %(message)s", path=path, where=where, message=message),
            field=where,
        )

    if data is None:
        return {}, ()
    if not isinstance(data, Mapping):
        raise StudyFileError(Message("%(path)s: the plan must be a mapping", path=path), field=None)
    unknown = set(data) - {"decisions", "new_items"}
    if unknown:
        raise fail(sorted(unknown)[0], Message("unknown key (use decisions and new_items)"))
    decisions: dict[str, CarryDecision] = {}
    for code, raw in (data.get("decisions") or {}).items():
        where = f"decisions.{code}"
        if not isinstance(raw, Mapping):
            raise fail(where, Message("must be a mapping"))
        drop = raw.get("drop", False)
        if not isinstance(drop, bool):
            raise fail(f"{where}.drop", Message("must be true or false"))
        statement = raw.get("statement")
        if statement is not None and not str(statement).strip():
            raise fail(f"{where}.statement", Message("is empty"))
        reason = str(raw.get("reason", "") or "").strip()
        if drop and not reason:
            raise fail(f"{where}.reason", Message("say why the item is dropped"))
        statement_zh = raw.get("statement_zh")
        decisions[str(code)] = CarryDecision(
            drop=drop,
            statement=None if statement is None else str(statement),
            reason=reason,
            statement_zh=None if statement_zh is None else str(statement_zh),
        )
    new_items: tuple[ItemDraft, ...] = ()
    if data.get("new_items"):
        new_items = _parse_items(data["new_items"], where="new_items", fail=fail)
    return decisions, new_items


def _percent_field(fields: Mapping[str, str], name: str, *, required: bool) -> float | None:
    raw = fields.get(name, "").strip().rstrip("%").strip()
    if not raw:
        if required:
            raise StudyFileError(
                Message("%(name)s: give a percentage, e.g. 70", name=name), field=name
            )
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise StudyFileError(
            Message(
                "%(name)s: %(raw)s is not a number (e.g. 70 for 70%%)",
                name=name,
                raw=repr(raw),
            ),
            field=name,
        ) from exc
    if not 0 < value <= 100:
        raise StudyFileError(
            Message("%(name)s: a percentage above 0 and at most 100", name=name),
            field=name,
        )
    return value / 100


def study_draft_from_form(fields: Mapping[str, str]) -> StudyDraft:
    """A new study (no pillars yet) from the web form; percentages as typed (70 for 70%).

    :param fields: slug, languages (en, zh or "en,zh"), title, title_zh, description,
        description_zh, kind, agree_share, exclude_share, opposite_max (blank for no cap),
        quartile_method, min_valid_share (blank for the default, 50).
    """
    slug = fields.get("slug", "").strip()
    if not _SLUG.match(slug):
        raise StudyFileError(
            Message("slug: lower-case letters, digits and dashes, 2-79 characters"),
            field="slug",
        )
    languages = parse_languages(fields.get("languages", "en"))
    title, title_zh = fields.get("title", "").strip(), fields.get("title_zh", "").strip()
    if not title and not title_zh:
        raise StudyFileError(Message("title: is missing"), field="title")
    require_texts(
        {"title": title, "title_zh": title_zh},
        "title",
        languages=languages,
        what="the study",
        where="",
    )
    rule: dict[str, Any] = {
        "kind": fields.get("kind", "share") or "share",
        "agree_share": _percent_field(fields, "agree_share", required=True),
        "exclude_share": _percent_field(fields, "exclude_share", required=True),
        "opposite_max": _percent_field(fields, "opposite_max", required=False),
        "quartile_method": fields.get("quartile_method", "linear") or "linear",
    }
    min_valid_share = _percent_field(fields, "min_valid_share", required=False)
    if min_valid_share is not None:
        rule["min_valid_share"] = min_valid_share
    return StudyDraft(
        slug=slug,
        title=title,
        description=fields.get("description", "").strip(),
        rule=parse_rule(rule, path="consensus"),
        panels=("Panel",),
        surveys=(),
        languages=languages,
        title_zh=title_zh,
        description_zh=fields.get("description_zh", "").strip(),
    )
