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
from pathlib import Path
from typing import Any

import yaml

from permed_atlas.filecache import cached_until_changed
from permed_atlas.landscape.errors import TaggingRuleError
from permed_atlas.settings import Settings

BUNDLED_RULES_FILE = Path(__file__).resolve().parents[1] / "data" / "topics" / "rules.yaml"
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
    """

    id: str
    topic: str
    kind: str
    pattern: str
    why: str

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
        raise TaggingRuleError(f"{self.path or 'rules'}: no rule with id {rule_id!r}")

    @property
    def subject_topics(self) -> tuple[Topic, ...]:
        """The topics other than the PM-relevance marker."""
        return tuple(topic for topic in self.topics if topic.code != PM_TOPIC)


def normalise_class(code: str) -> str:
    """A CPC/IPC class without spaces, upper case: "C12Q 1/6886" -> "C12Q1/6886"."""
    return re.sub(r"\s+", "", code).upper()


def _field(rule: Mapping[str, Any], name: str, where: str) -> str:
    value = rule.get(name)
    if not isinstance(value, str) or not value.strip():
        raise TaggingRuleError(f"{where}: field '{name}' is missing or not a non-empty string")
    return value.strip() if name != "pattern" else value


def parse_rules(data: Any, *, path: str) -> RuleSet:
    """Build a RuleSet from a parsed rule file, validating every field.

    :param data: the parsed YAML document.
    :param path: the file name, used in every error.
    """
    if not isinstance(data, Mapping):
        raise TaggingRuleError(f"{path}: a rule file must be a mapping with 'topics' and 'rules'")
    raw_topics = data.get("topics")
    if not isinstance(raw_topics, Mapping) or not raw_topics:
        raise TaggingRuleError(f"{path}: field 'topics' must map topic codes to labels")
    topics = []
    for code, spec in raw_topics.items():
        if not isinstance(code, str) or not _TOPIC.match(code):
            raise TaggingRuleError(f"{path}: topics.{code}: topic codes are lower_snake_case")
        label = spec.get("label") if isinstance(spec, Mapping) else spec
        if not isinstance(label, str) or not label:
            raise TaggingRuleError(f"{path}: topics.{code}: field 'label' is missing")
        label_zh = spec.get("label_zh", "") if isinstance(spec, Mapping) else ""
        if not isinstance(label_zh, str):
            raise TaggingRuleError(f"{path}: topics.{code}: field 'label_zh' must be a text")
        topics.append(Topic(code=code, label=label, label_zh=label_zh.strip()))
    if PM_TOPIC not in {topic.code for topic in topics}:
        raise TaggingRuleError(f"{path}: topics: the reserved topic '{PM_TOPIC}' is missing")
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise TaggingRuleError(f"{path}: field 'rules' must be a non-empty list")
    known_topics = {topic.code for topic in topics}
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_rules):
        where = f"{path}: rules[{index}]"
        if not isinstance(raw, Mapping):
            raise TaggingRuleError(f"{where}: a rule must be a mapping")
        rule_id = _field(raw, "id", where)
        where = f"{path}: rule {rule_id}"
        if not _ID.match(rule_id):
            raise TaggingRuleError(f"{where}: field 'id' must be lower-case letters, digits, -_.")
        if rule_id in seen:
            raise TaggingRuleError(f"{where}: field 'id' is used twice")
        seen.add(rule_id)
        topic = _field(raw, "topic", where)
        if topic not in known_topics:
            raise TaggingRuleError(f"{where}: field 'topic' names unknown topic {topic!r}")
        kind = _field(raw, "kind", where)
        if kind not in RULE_KINDS:
            kinds = ", ".join(sorted(RULE_KINDS))
            raise TaggingRuleError(f"{where}: field 'kind' is {kind!r}, expected one of {kinds}")
        pattern = _field(raw, "pattern", where)
        if kind in PREFIX_KINDS:
            pattern = normalise_class(pattern)
            if not re.fullmatch(r"[A-Z][0-9]{2}[A-Z]?[0-9/]*", pattern):
                raise TaggingRuleError(
                    f"{where}: field 'pattern' {pattern!r} is not a {kind} prefix"
                )
        else:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise TaggingRuleError(
                    f"{where}: field 'pattern' is not a valid regex: {exc}"
                ) from exc
        why = _field(raw, "why", where)
        rules.append(Rule(id=rule_id, topic=topic, kind=kind, pattern=pattern, why=why))
    return RuleSet(
        topics=tuple(topics), rules=tuple(rules), source=str(data.get("source") or ""), path=path
    )


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
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TaggingRuleError(f"{file}: not valid YAML: {exc}") from exc
    except OSError as exc:
        raise TaggingRuleError(f"{file}: cannot read: {exc}") from exc
    return parse_rules(data, path=str(file))
