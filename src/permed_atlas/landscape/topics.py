"""PM relevance and topic rules, read from a transparent YAML file.

Each rule has an id, a topic, a kind (what it looks at), a pattern and a "why"
a reader can check. The rules are evaluated in DuckDB by :mod:`tagging`; this
module only reads and validates them, so a malformed file fails before any tag
is touched, with the file, rule and field named.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from permed_atlas.datafiles import (
    BUNDLED_DATA_DIR,
    Where,
    entry_where,
    read_choice,
    read_list,
    read_mapping,
    read_text,
    read_yaml,
)
from permed_atlas.filecache import cached_until_changed
from permed_atlas.i18n import Message
from permed_atlas.landscape.errors import TaggingRuleError, TopicRuleFileError
from permed_atlas.settings import Settings

BUNDLED_RULES_FILE = BUNDLED_DATA_DIR / "topics" / "rules.yaml"
PM_TOPIC = "pm"
"""The reserved topic whose rules make a work PM-relevant."""

KEYWORD_KINDS = frozenset({"keyword"})
TERM_KINDS = {"mesh": "mesh", "concept": "concept", "topic": "topic", "keyword_term": "keyword"}
"""Rule kinds matched by regex against one term scheme of the ``terms`` table."""
PREFIX_KINDS = frozenset({"cpc", "ipc"})
RULE_KINDS = KEYWORD_KINDS | set(TERM_KINDS) | PREFIX_KINDS
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_TOPIC = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic code and its label, with the label in Chinese when translated ("" until then)."""

    code: str
    label: str
    label_zh: str = ""


@dataclass(frozen=True, slots=True)
class Rule:
    """One explainable tagging rule.

    :param id: unique rule id, stored in ``work_topics.rule_id``.
    :param topic: the topic code it assigns (``pm`` marks PM relevance).
    :param kind: keyword, mesh, concept, topic, keyword_term, cpc or ipc.
    :param pattern: an RE2 regex (case-insensitive) or, for cpc/ipc, a class prefix.
    :param why: the reason a reader is shown.
    :param why_zh: the reason in Chinese, if written (PerMed Atlas's own translation).
    """

    id: str
    topic: str
    kind: str
    pattern: str
    why: str
    why_zh: str = ""

    @property
    def scheme(self) -> str | None:
        """The ``terms.scheme`` this rule looks at, or None for title/abstract keywords."""
        if self.kind in TERM_KINDS:
            return TERM_KINDS[self.kind]
        if self.kind in PREFIX_KINDS:
            return self.kind
        return None


@dataclass(frozen=True, slots=True)
class RuleSet:
    """All topics and rules of one rule file."""

    topics: tuple[Topic, ...]
    rules: tuple[Rule, ...]
    source: str = ""
    path: str | None = None

    def topic_label(self, code: str) -> str:
        """The label of topic ``code`` (the code itself when unknown)."""
        for topic in self.topics:
            if topic.code == code:
                return topic.label
        return code

    def rule(self, rule_id: str) -> Rule:
        """The rule with id ``rule_id``."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise TaggingRuleError(
            Message(
                "%(value)s: no rule with id %(rule_id)s",
                value=self.path or "rules",
                rule_id=repr(rule_id),
            )
        )

    @property
    def subject_topics(self) -> tuple[Topic, ...]:
        """The topics other than the PM-relevance marker."""
        return tuple(topic for topic in self.topics if topic.code != PM_TOPIC)


def normalise_class(code: str) -> str:
    """A CPC/IPC class without spaces, upper case: "C12Q 1/6886" -> "C12Q1/6886"."""
    return re.sub(r"\s+", "", code).upper()


def parse_rules(data: Any, *, path: str) -> RuleSet:
    """Build a RuleSet from a parsed rule file, validating every field.

    :param data: the parsed YAML document.
    :param path: the file name, used in every error.
    :raises TopicRuleFileError: naming the file, the rule and the field.
    """
    if not isinstance(data, Mapping):
        raise TopicRuleFileError(Message("must be a mapping with 'topics' and 'rules'"), path=path)
    where = entry_where(TopicRuleFileError, path=path)
    raw_topics = read_mapping(data.get("topics"), where=where, field="topics", required=True)
    topics = [_read_topic(code, spec, where=where) for code, spec in raw_topics.items()]
    if PM_TOPIC not in {topic.code for topic in topics}:
        raise where.fail(
            "topics",
            Message("the reserved topic '%(value)s' is missing", value=PM_TOPIC),
            stated=True,
        )
    raw_rules = read_list(data.get("rules"), where=where, field="rules")
    if not raw_rules:
        raise where.fail("rules", Message("must be a non-empty list"))
    known_topics = sorted(topic.code for topic in topics)
    rules: list[Rule] = []
    for index, raw in enumerate(raw_rules):
        rule = _read_rule(raw, index=index, path=path, known_topics=known_topics)
        if rule.id in {r.id for r in rules}:
            raise TopicRuleFileError(
                Message("is used twice"), path=path, entry_id=rule.id, field="id"
            )
        rules.append(rule)
    return RuleSet(
        topics=tuple(topics), rules=tuple(rules), source=str(data.get("source") or ""), path=path
    )


def _read_topic(code: Any, spec: Any, *, where: Where) -> Topic:
    field = f"topics.{code}"
    if not isinstance(code, str) or not _TOPIC.match(code):
        raise where.fail(field, Message("topic codes are lower_snake_case"), stated=True)
    if not isinstance(spec, Mapping):
        spec = {"label": spec}
    label = read_text(spec.get("label"), where=where, field=f"{field}.label") or ""
    label_zh = read_text(spec.get("label_zh"), where=where, field=f"{field}.label_zh",
                         required=False)  # fmt: skip
    return Topic(code=code, label=label, label_zh=label_zh or "")


def _read_rule(raw: Any, *, index: int, path: str, known_topics: list[str]) -> Rule:
    if not isinstance(raw, Mapping):
        raise TopicRuleFileError(Message("must be a mapping"), path=path, field=f"rules[{index}]")
    rule_id = read_text(raw.get("id"), where=entry_where(TopicRuleFileError, path=path),
                        field=f"rules[{index}].id") or ""  # fmt: skip
    where = entry_where(TopicRuleFileError, path=path, entry_id=rule_id)
    if not _ID.match(rule_id):
        raise where.fail("id", Message("must be lower-case letters, digits, -_."))
    topic = read_choice(raw.get("topic"), where=where, field="topic", choices=known_topics)
    kind = read_choice(raw.get("kind"), where=where, field="kind", choices=sorted(RULE_KINDS))
    read_text(raw.get("pattern"), where=where, field="pattern")
    # the pattern as written: folding its white space would change what a regex matches
    pattern = str(raw["pattern"])
    if kind in PREFIX_KINDS:
        pattern = normalise_class(pattern)
        if not re.fullmatch(r"[A-Z][0-9]{2}[A-Z]?[0-9/]*", pattern):
            raise where.fail(
                "pattern",
                Message("%(pattern)s is not a %(kind)s prefix", pattern=repr(pattern), kind=kind),
                stated=True,
            )
    else:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise where.fail(
                "pattern", Message("not a valid regex: %(exc)s", exc=exc), stated=True
            ) from exc
    why = read_text(raw.get("why"), where=where, field="why") or ""
    why_zh = read_text(raw.get("why_zh"), where=where, field="why_zh", required=False) or ""
    return Rule(id=rule_id, topic=topic, kind=kind, pattern=pattern, why=why, why_zh=why_zh)


def rules_path_for(data_dir: Path) -> Path:
    """The rule file in force: ``<data_dir>/topics/rules.yaml`` if the user has one, else ours.

    :param data_dir: the platform's data directory.
    """
    user_file = Settings.layout_of(data_dir).topics_dir / "rules.yaml"
    return user_file if user_file.is_file() else BUNDLED_RULES_FILE


def _rules_file(path: Path | str | None = None) -> list[Path]:
    return [Path(path) if path is not None else BUNDLED_RULES_FILE]


@cached_until_changed(_rules_file)
def load_rules(path: Path | str | None = None) -> RuleSet:
    """Read and validate a rule file (the bundled one by default).

    :param path: a YAML rule file; None for ``permed_atlas/data/topics/rules.yaml``.
    """
    file = Path(path) if path is not None else BUNDLED_RULES_FILE
    data = read_yaml(file, error=partial(TopicRuleFileError, path=str(file)))
    return parse_rules(data, path=str(file))
