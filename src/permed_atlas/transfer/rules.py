"""Rule files: one YAML file per law, read and checked field by field.

A file::

    law: GDPR
    title: Regulation (EU) 2016/679 (General Data Protection Regulation)
    title_zh: ...      # optional: the official Chinese title (Chinese laws), see docs/i18n.md
    version: OJ L 119, 4.5.2016, as corrected
    source: https://eur-lex.europa.eu/eli/reg/2016/679/oj
    date_checked: "2026-11-23"
    rules:
      - id: gdpr-art9-special-category
        title: ...
        title_zh: ...  # optional: the rule's title in Chinese
        when: {all: [{fact: special_category, is: true}, {fact: gdpr_applies, is: true}]}
        then: {effect: obligation, obligation: ..., evidence: [...], satisfied_by: [...]}
        reference: {law: GDPR, article: "Art. 9(1), 9(2)(a), 9(2)(j)"}
        explanation: ...

A rule may also set facts other rules test (``then.sets``). A later file's
rule with an existing id replaces it, so a deployment amends a rule by
writing a file, never by changing code. Every error names the file, the rule
id and the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from permed_atlas.filecache import cached_until_changed
from permed_atlas.transfer.engine import FACTS, TESTS
from permed_atlas.transfer.errors import RuleFileError
from permed_atlas.transfer.models import Condition, Effect, LegalReference, Rule, RuleSet

BUNDLED_RULES_DIR = Path(__file__).resolve().parents[1] / "data" / "transfer"
# The C loader reads the rule files ten times faster; same safe subset of YAML.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
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
            raise RuleFileError("rule folder not found", path=str(folder))
        for path in sorted(folder.glob("*.y*ml")):
            if path.name.startswith("_"):  # support files (jurisdictions), not rules
                continue
            try:
                raw.append((path, yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)))
            except yaml.YAMLError as exc:
                raise RuleFileError(f"not valid YAML: {exc}", path=str(path)) from exc
    derived = {
        str(name)
        for _, data in raw
        if isinstance(data, Mapping)
        for rule in data.get("rules") or []
        if isinstance(rule, Mapping) and isinstance(rule.get("then"), Mapping)
        for name in (rule["then"].get("sets") or {})
    }
    known = set(FACTS) | derived
    sets = [parse_rule_file(data, path=str(path), known_facts=known) for path, data in raw]
    return _apply_amendments(sets)


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
        raise RuleFileError("a rule file must be a mapping with law, title and rules", path=path)
    for key in ("law", "title", "version", "source", "date_checked"):
        if not isinstance(data.get(key), str | int) or not str(data.get(key)).strip():
            raise RuleFileError(f"missing or empty {key!r}", path=path, field=key)
    title_zh = _optional_text(data, "title_zh", path=path)
    rules_data = data.get("rules")
    if not isinstance(rules_data, list) or not rules_data:
        raise RuleFileError("'rules' must be a non-empty list", path=path, field="rules")
    facts = known_facts if known_facts is not None else set(FACTS)
    defaults = {"law": str(data["law"]), "source": str(data["source"]),
                "date_checked": str(data["date_checked"])}  # fmt: skip
    rules: list[Rule] = []
    ids: set[str] = set()
    for index, item in enumerate(rules_data):
        rule = _parse_rule(item, index=index, path=path, defaults=defaults, facts=facts)
        if rule.id in ids:
            raise RuleFileError("duplicate rule id", path=path, rule_id=rule.id, field="id")
        ids.add(rule.id)
        rules.append(rule)
    covers = data.get("covers") or []
    if not isinstance(covers, list) or not all(isinstance(c, str) for c in covers):
        raise RuleFileError("must be a list of jurisdiction set codes", path=path, field="covers")
    return RuleSet(
        law=defaults["law"], title=str(data["title"]), version=str(data["version"]),
        source=defaults["source"], date_checked=defaults["date_checked"],
        rules=tuple(rules), path=path, covers=tuple(covers), title_zh=title_zh,
    )  # fmt: skip


def _optional_text(data: Mapping[str, Any], key: str, *, path: str, rule_id: str = "") -> str:
    """An optional translated text: absent is "", anything but a text is an error."""
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise RuleFileError(f"{key!r} must be a non-empty text when given", path=path,
                            rule_id=rule_id or None, field=key)  # fmt: skip
    return " ".join(value.split())


def _parse_rule(
    item: Any, *, index: int, path: str, defaults: dict[str, str], facts: set[str]
) -> Rule:
    if not isinstance(item, Mapping):
        raise RuleFileError("a rule must be a mapping", path=path, field=f"rules[{index}]")
    rule_id = item.get("id")
    if not isinstance(rule_id, str) or not rule_id.strip():
        raise RuleFileError("every rule needs an 'id'", path=path, field=f"rules[{index}].id")

    def fail(message: str, field: str) -> RuleFileError:
        return RuleFileError(message, path=path, rule_id=rule_id, field=field)

    for key in ("title", "explanation"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise fail(f"missing or empty {key!r}", key)
    if "when" not in item:
        raise fail("missing 'when' (the conditions)", "when")
    when = _parse_condition(item["when"], where="when", fail=fail, facts=facts)
    then = item.get("then")
    if not isinstance(then, Mapping):
        raise fail("missing 'then' (the consequence)", "then")
    try:
        effect = Effect(str(then.get("effect")))
    except ValueError:
        allowed = ", ".join(e.value for e in Effect)
        raise fail(
            f"effect must be one of {allowed}, not {then.get('effect')!r}", "then.effect"
        ) from None
    obligation = then.get("obligation", "")
    if effect is not Effect.SCOPE and (not isinstance(obligation, str) or not obligation.strip()):
        raise fail("an obligation, prohibition or note needs its text", "then.obligation")
    lists = {}
    for key in ("evidence", "satisfied_by"):
        value = then.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail("must be a list of strings", f"then.{key}")
        lists[key] = tuple(value)
    sets = then.get("sets") or {}
    if not isinstance(sets, Mapping):
        raise fail("must map fact names to values", "then.sets")
    ref = item.get("reference")
    if not isinstance(ref, Mapping) or not ref.get("law") or not ref.get("article"):
        raise fail("needs law and article", "reference")
    also = []
    for index, extra in enumerate(ref.get("also") or []):
        if not isinstance(extra, Mapping) or not extra.get("law") or not extra.get("article"):
            raise fail("needs law and article", f"reference.also[{index}]")
        also.append(LegalReference(str(extra["law"]), str(extra["article"])))
    met_when = None
    if "met_when" in then:
        met_when = _parse_condition(then["met_when"], where="then.met_when", fail=fail,
                                    facts=facts)  # fmt: skip
    date_checked = str(item.get("date_checked") or defaults["date_checked"])
    return Rule(
        id=rule_id, law=defaults["law"], title=item["title"].strip(), when=when, effect=effect,
        obligation=str(obligation).strip(),
        reference=LegalReference(str(ref["law"]), str(ref["article"]), str(ref.get("title", ""))),
        explanation=" ".join(item["explanation"].split()),
        source=str(item.get("source") or defaults["source"]), date_checked=date_checked,
        evidence=lists["evidence"], satisfied_by=lists["satisfied_by"],
        sets=tuple((str(k), v) for k, v in sets.items()), path=path,
        met_when=met_when, also=tuple(also),
        title_zh=_optional_text(item, "title_zh", path=path, rule_id=rule_id),
    )  # fmt: skip


def _parse_condition(node: Any, *, where: str, fail: Any, facts: set[str]) -> Condition:
    if not isinstance(node, Mapping) or not node:
        raise fail("a condition must be a mapping", where)
    for group in ("all", "any"):
        if group in node:
            children = node[group]
            if not isinstance(children, list) or not children:
                raise fail(f"'{group}' needs a non-empty list", f"{where}.{group}")
            parsed = tuple(
                _parse_condition(c, where=f"{where}.{group}[{i}]", fail=fail, facts=facts)
                for i, c in enumerate(children)
            )
            return Condition(op=group, where=where, children=parsed)
    if "not" in node:
        child = _parse_condition(node["not"], where=f"{where}.not", fail=fail, facts=facts)
        return Condition(op="not", where=where, children=(child,))
    fact = node.get("fact")
    if not isinstance(fact, str):
        raise fail("needs 'fact' (or all/any/not)", f"{where}.fact")
    if fact not in facts:
        raise fail(f"unknown fact {fact!r}; known: {', '.join(sorted(facts))}", f"{where}.fact")
    tests = [key for key in node if key != "fact"]
    if len(tests) != 1 or tests[0] not in TESTS:
        raise fail(f"needs exactly one test of {', '.join(sorted(TESTS))}", where)
    op, value = tests[0], node[tests[0]]
    if op in _LIST_TESTS and not isinstance(value, list):
        raise fail(f"'{op}' needs a list", f"{where}.{op}")
    if op in _NUMBER_TESTS and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise fail(f"'{op}' needs a number", f"{where}.{op}")
    if op in {"is", "known"} and not isinstance(value, bool):
        raise fail(f"'{op}' needs true or false", f"{where}.{op}")
    return Condition(op=op, where=where, fact=fact, value=value)
