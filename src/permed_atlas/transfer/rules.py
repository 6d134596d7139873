"""Rule files: one YAML file per law, read and checked field by field.

A file::

    law: GDPR
    title: Regulation (EU) 2016/679 (General Data Protection Regulation)
    title_zh: ...      # optional: the Chinese title (a Chinese law's official one), docs/i18n.md
    title_zh_source: ...  # optional: who wrote title_zh when it is not the law's own
    rules_zh_source: ...  # optional: who wrote the rules' Chinese texts
    version: OJ L 119, 4.5.2016, as corrected
    source: https://eur-lex.europa.eu/eli/reg/2016/679/oj
    date_checked: "2026-11-23"
    rules:
      - id: gdpr-art9-special-category
        title: ...
        title_zh: ...  # optional: the rule's title in Chinese
        when: {all: [{fact: special_category, is: true}, {fact: gdpr_applies, is: true}]}
        then: {effect: obligation, obligation: ..., evidence: [...], satisfied_by: [...],
               obligation_zh: ..., evidence_zh: [...]}  # optional: Chinese, item for item
        reference: {law: GDPR, article: "Art. 9(1), 9(2)(a), 9(2)(j)"}
        explanation: ...
        explanation_zh: ...  # optional: the explanation in Chinese

A rule may also set facts other rules test (``then.sets``). A later file's
rule with an existing id replaces it, so a deployment amends a rule by
writing a file, never by changing code. Every error names the file, the rule
id and the field.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from permed_atlas.datafiles import (
    BUNDLED_DATA_DIR,
    Where,
    entry_where,
    read_choice,
    read_date,
    read_mapping,
    read_text,
    read_texts,
    read_yaml,
)
from permed_atlas.filecache import cached_until_changed
from permed_atlas.i18n import Message
from permed_atlas.transfer.engine import FACTS, TESTS
from permed_atlas.transfer.errors import RuleFileError
from permed_atlas.transfer.models import Condition, Effect, LegalReference, Rule, RuleSet

BUNDLED_RULES_DIR = BUNDLED_DATA_DIR / "transfer"
_LIST_TESTS = {"in", "not_in", "contains_any", "contains_none"}
_NUMBER_TESTS = {"gt", "gte", "lt", "lte"}


def load_rule_sets(dirs: Iterable[Path] | None = None) -> list[RuleSet]:
    """Read every ``*.yaml`` rule file (not ``_*``) of the bundled folder, then of ``dirs``.

    :param dirs: further folders (a deployment's or a test's); their rules are
        added, and a rule whose id already exists replaces the earlier one.
    :raises RuleFileError: naming the file, rule id and field of the first problem.
    """
    return list(_read_rule_sets(tuple(Path(d) for d in dirs or ())))


def _rule_folders(dirs: tuple[Path, ...]) -> list[Path]:
    return [BUNDLED_RULES_DIR, *dirs]


@cached_until_changed(_rule_folders)
def _read_rule_sets(dirs: tuple[Path, ...]) -> list[RuleSet]:
    folders = _rule_folders(dirs)
    raw: list[tuple[Path, Any]] = []
    for folder in folders:
        if not folder.is_dir():
            raise RuleFileError(Message("rule folder not found"), path=str(folder))
        for path in sorted(folder.glob("*.y*ml")):
            if path.name.startswith("_"):  # support files (jurisdictions), not rules
                continue
            error = functools.partial(RuleFileError, path=str(path))
            raw.append((path, read_yaml(path, error=error)))
    known = set(FACTS) | {name for _, data in raw for name in _facts_set(data)}
    sets = [parse_rule_file(data, path=str(path), known_facts=known) for path, data in raw]
    return _apply_amendments(sets)


def _facts_set(data: Any) -> set[str]:
    """The facts a file's rules set (``then: sets:``), read leniently: a file in the wrong
    shape sets none here, and :func:`parse_rule_file` then says what is wrong with it."""
    rules = data.get("rules") if isinstance(data, Mapping) else None
    names: set[str] = set()
    for rule in rules if isinstance(rules, list) else ():
        then = rule.get("then") if isinstance(rule, Mapping) else None
        sets = then.get("sets") if isinstance(then, Mapping) else None
        if isinstance(sets, Mapping):
            names.update(str(name) for name in sets)
    return names


def _apply_amendments(sets: list[RuleSet]) -> list[RuleSet]:
    """Keep one rule per id: a later file's rule replaces the earlier in place."""
    latest: dict[str, Rule] = {}
    for rule_set in sets:
        for rule in rule_set.rules:
            latest[rule.id] = rule
    out: list[RuleSet] = []
    seen: set[str] = set()
    for rule_set in sets:
        kept = []
        for rule in rule_set.rules:
            if rule.id in seen:
                continue
            seen.add(rule.id)
            kept.append(latest[rule.id])
        if kept:
            out.append(RuleSet(**{**_fields(rule_set), "rules": tuple(kept)}))
    return out


def _fields(rule_set: RuleSet) -> dict[str, Any]:
    return {name: getattr(rule_set, name) for name in RuleSet.__slots__}


def parse_rule_file(data: Any, *, path: str, known_facts: set[str] | None = None) -> RuleSet:
    """Check one parsed rule file and build its RuleSet.

    :param data: the YAML document.
    :param path: the file name, named in every error.
    :param known_facts: facts rules may test; the engine's and the rules' own.
    """
    if not isinstance(data, Mapping):
        raise RuleFileError(
            Message("a rule file must be a mapping with law, title and rules"),
            path=path,
        )
    where = entry_where(RuleFileError, path=path)
    head: dict[str, str | None] = {key: read_text(data.get(key), where=where, field=key)
            for key in ("law", "title", "version")}  # fmt: skip
    head["source"] = read_text(data.get("source"), where=where, field="source")
    head["date_checked"] = read_date(data.get("date_checked"), where=where, field="date_checked")
    title_zh = _translation(data.get("title_zh"), where=where, field="title_zh")
    sources = {key: _translation(data.get(key), where=where, field=key)
               for key in ("title_zh_source", "rules_zh_source")}  # fmt: skip
    if sources["title_zh_source"] and not title_zh:
        raise where.fail("title_zh_source", Message("is given without title_zh"))
    rules_data = data.get("rules")
    if not isinstance(rules_data, list) or not rules_data:
        raise where.fail("rules", Message("must be a non-empty list"))
    facts = known_facts if known_facts is not None else set(FACTS)
    rules: list[Rule] = []
    ids: set[str] = set()
    for index, item in enumerate(rules_data):
        rule = _parse_rule(item, index=index, path=path, defaults=head, facts=facts)
        if rule.id in ids:
            raise RuleFileError(
                Message("duplicate rule id"), path=path, entry_id=rule.id, field="id"
            )
        ids.add(rule.id)
        rules.append(rule)
    covers = read_texts(data.get("covers"), where=where, field="covers")
    return RuleSet(
        law=head["law"] or "", title=head["title"] or "", version=head["version"] or "",
        source=head["source"] or "", date_checked=head["date_checked"] or "",
        rules=tuple(rules), path=path, covers=covers, title_zh=title_zh, **sources,
    )  # fmt: skip


def _parse_rule(
    item: Any, *, index: int, path: str, defaults: Mapping[str, str | None], facts: set[str]
) -> Rule:
    if not isinstance(item, Mapping):
        raise RuleFileError(Message("a rule must be a mapping"), path=path, field=f"rules[{index}]")
    rule_id = read_text(item.get("id"), where=entry_where(RuleFileError, path=path),
                        field=f"rules[{index}].id") or ""  # fmt: skip
    where = entry_where(RuleFileError, path=path, entry_id=rule_id)
    title = read_text(item.get("title"), where=where, field="title") or ""
    explanation = read_text(item.get("explanation"), where=where, field="explanation") or ""
    if "when" not in item:
        raise where.fail("when", Message("is missing (the conditions)"))
    when = _parse_condition(item["when"], at="when", where=where, facts=facts)
    then = item.get("then")
    if not isinstance(then, Mapping):
        raise where.fail("then", Message("is missing (the consequence)"))
    effect = Effect(read_choice(then.get("effect"), where=where, field="then.effect",
                                choices=[e.value for e in Effect]))  # fmt: skip
    obligation = read_text(then.get("obligation"), where=where, field="then.obligation",
                           required=effect is not Effect.SCOPE) or ""  # fmt: skip
    sets = read_mapping(then.get("sets"), where=where, field="then.sets")
    reference = _reference(item.get("reference"), where=where, field="reference")
    also = [_reference(extra, where=where, field=f"reference.also[{index}]")
            for index, extra in enumerate(item["reference"].get("also") or [])]  # fmt: skip
    evidence = read_texts(then.get("evidence"), where=where, field="then.evidence")
    met_when = None
    if "met_when" in then:
        met_when = _parse_condition(then["met_when"], at="then.met_when", where=where, facts=facts)
    return Rule(
        id=rule_id, law=defaults["law"] or "", title=title, when=when, effect=effect,
        obligation=obligation, reference=reference, explanation=explanation,
        source=str(item.get("source") or defaults["source"]),
        date_checked=str(item.get("date_checked") or defaults["date_checked"]),
        evidence=evidence,
        satisfied_by=read_texts(then.get("satisfied_by"), where=where, field="then.satisfied_by"),
        sets=tuple((str(k), v) for k, v in sets.items()), path=path,
        met_when=met_when, also=tuple(also),
        title_zh=_translation(item.get("title_zh"), where=where, field="title_zh"),
        explanation_zh=_translation(
            item.get("explanation_zh"), where=where, field="explanation_zh"
        ),
        obligation_zh=_translation(
            then.get("obligation_zh"), where=where, field="then.obligation_zh"
        ),
        evidence_zh=_evidence_zh(then.get("evidence_zh"), evidence=evidence, where=where),
    )  # fmt: skip


def _translation(value: Any, *, where: Where, field: str) -> str:
    """An optional translated text: absent is "", a number (a slip in the file) an error."""
    if value is not None and not isinstance(value, str):
        raise where.fail(field, Message("must be text"))
    return read_text(value, where=where, field=field, required=False) or ""


def _evidence_zh(value: Any, *, evidence: tuple[str, ...], where: Where) -> tuple[str, ...]:
    """The evidence list in Chinese: absent, or one text per English item, in the same order."""
    if value is None:
        return ()
    texts = read_texts(value, where=where, field="then.evidence_zh")
    if len(texts) != len(evidence):
        raise where.fail(
            "then.evidence_zh",
            Message(
                "has %(count)s items, then.evidence has %(evidence)s: one per item, same order",
                count=len(texts),
                evidence=len(evidence),
            ),
        )
    return texts


def _reference(value: Any, *, where: Where, field: str) -> LegalReference:
    ref = read_mapping(value, where=where, field=field)
    if not ref:
        raise where.fail(field, Message("is missing (law and article)"))
    law = read_text(ref.get("law"), where=where, field=f"{field}.law") or ""
    article = read_text(ref.get("article"), where=where, field=f"{field}.article") or ""
    title = read_text(ref.get("title"), where=where, field=f"{field}.title", required=False)
    return LegalReference(law, article, title or "")


def _parse_condition(node: Any, *, at: str, where: Where, facts: set[str]) -> Condition:
    """The condition at ``at`` (a dotted path inside the rule, named in errors)."""
    if not isinstance(node, Mapping) or not node:
        raise where.fail(at, Message("must be a condition (a mapping)"))
    for group in ("all", "any"):
        if group in node:
            children = node[group]
            if not isinstance(children, list) or not children:
                raise where.fail(f"{at}.{group}", Message("must be a non-empty list"))
            parsed = tuple(
                _parse_condition(c, at=f"{at}.{group}[{i}]", where=where, facts=facts)
                for i, c in enumerate(children)
            )
            return Condition(op=group, where=at, children=parsed)
    if "not" in node:
        child = _parse_condition(node["not"], at=f"{at}.not", where=where, facts=facts)
        return Condition(op="not", where=at, children=(child,))
    fact = read_choice(node.get("fact"), where=where, field=f"{at}.fact", choices=sorted(facts))
    tests = [key for key in node if key != "fact"]
    if len(tests) != 1 or tests[0] not in TESTS:
        raise where.fail(
            at, Message("needs exactly one test of %(value)s", value=", ".join(sorted(TESTS)))
        )
    op, value = tests[0], node[tests[0]]
    if op in _LIST_TESTS and not isinstance(value, list):
        raise where.fail(f"{at}.{op}", Message("needs a list"))
    if op in _NUMBER_TESTS and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise where.fail(f"{at}.{op}", Message("needs a number"))
    if op in {"is", "known"} and not isinstance(value, bool):
        raise where.fail(f"{at}.{op}", Message("needs true or false"))
    return Condition(op=op, where=at, fact=fact, value=value)
