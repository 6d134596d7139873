"""Every curated item without a Chinese translation, listed; the list is checked in (#18).

A new untranslated item is a visible diff to ``src/permed_atlas/i18n/missing-zh.txt``, not a
silent English fallback. After translating (or knowingly adding an untranslated item),
rewrite the file with ``PERMED_WRITE_MISSING_ZH=1 python -m pytest tests/i18n/test_missing_zh.py``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pycountry
import pytest

from permed_atlas.countries import localized_country_name
from permed_atlas.directory.files import load_directory_files
from permed_atlas.helpdesk.knowledge import load_knowledge
from permed_atlas.landscape.regions import load_region_sets, region_countries
from permed_atlas.landscape.topics import load_rules
from permed_atlas.roadmap.store import BUNDLED_DIR, read_roadmap_text
from permed_atlas.settings import Settings
from permed_atlas.transfer.duo import load_duo_ontology
from permed_atlas.transfer.rules import load_rule_sets
from permed_atlas.transfer.rules import load_rule_sets as _load_rules

MISSING_FILE = Path(__file__).resolve().parents[2] / "src/permed_atlas/i18n/missing-zh.txt"


def missing_chinese(settings: Settings) -> list[str]:
    """One line per curated item lacking Chinese: ``<area> <id> <field>: <English>``."""
    gaps = [f"country {c.alpha_2} name: {c.name}" for c in pycountry.countries
            if localized_country_name(c.alpha_2, language="zh").is_fallback]  # fmt: skip
    gaps += [f"region {r.code} name: {r.name}" for r in load_region_sets(settings).values()
             if not r.name_zh and not r.user_defined]  # fmt: skip
    gaps += [f"topic {t.code} label: {t.label}" for t in load_rules().topics if not t.label_zh]
    gaps += [f"topic-rule {r.id} why: {r.why}" for r in load_rules().rules if not r.why_zh]
    directory = load_directory_files(known_regions=set(region_countries(settings)))
    gaps += [f"directory {e.id} name: {e.name}" for e in directory.entries if not e.name_zh]
    for entry in load_knowledge([]).entries:
        if not entry.title_zh:
            gaps.append(f"helpdesk {entry.id} title: {entry.title}")
        steps = enumerate(entry.procedure, start=1)
        gaps += [f"helpdesk {entry.id} step {n}: {s.text}" for n, s in steps if not s.text_zh]
    for rule_set in load_rule_sets():
        if not rule_set.title_zh:
            gaps.append(f"transfer {rule_set.law} title: {rule_set.title}")
        gaps += [f"transfer {r.id} title: {r.title}" for r in rule_set.rules if not r.title_zh]
        gaps += [f"transfer {r.id} explanation: {r.explanation[:60]}" for r in rule_set.rules
                 if not r.explanation_zh]  # fmt: skip
        gaps += [f"transfer {r.id} obligation: {r.obligation[:60]}" for r in rule_set.rules
                 if r.obligation and not r.obligation_zh]  # fmt: skip
        gaps += [f"transfer {r.id} evidence {n}: {text[:60]}" for r in rule_set.rules
                 if not r.evidence_zh for n, text in enumerate(r.evidence, start=1)]  # fmt: skip
    for path in sorted(BUNDLED_DIR.glob("*.yaml")):
        roadmap, indicators = read_roadmap_text(path.read_text(encoding="utf-8"), where=str(path))
        nodes = [roadmap, *roadmap.pillars]
        nodes += [q for p in roadmap.pillars for q in p.priorities]
        nodes += [a for _, _, a in roadmap.actions()]
        gaps += [f"roadmap {roadmap.slug} {getattr(n, 'code', '')} title: {n.title}"
                 for n in nodes if not n.title_zh]  # fmt: skip
        gaps += [f"roadmap {i.code} name: {i.name}" for i in indicators if not i.name_zh]
    gaps += [f"duo {t.id} label: {t.label}" for t in load_duo_ontology().terms.values()
             if not t.label_zh and not t.deprecated]  # fmt: skip
    return sorted(gaps)


def test_untranslated_items_equal_the_checked_in_list(settings: Settings) -> None:
    gaps = missing_chinese(settings)
    text = "".join(f"{line}\n" for line in gaps)
    print(f"{len(gaps)} curated items lack Chinese:\n{text}")
    if os.environ.get("PERMED_WRITE_MISSING_ZH"):
        MISSING_FILE.write_text(text, encoding="utf-8")
    known = MISSING_FILE.read_text(encoding="utf-8").splitlines()
    new = sorted(set(gaps) - set(known))
    translated = sorted(set(known) - set(gaps))
    assert not new, f"new items without Chinese (translate them or add to {MISSING_FILE}): {new}"
    assert not translated, f"translated now, remove from {MISSING_FILE.name}: {translated}"


def test_the_list_names_what_is_really_missing(settings: Settings) -> None:
    gaps = missing_chinese(settings)
    assert "directory gdpr name: General Data Protection Regulation" in gaps
    assert not any(line.startswith("directory pipl ") for line in gaps)
    assert not any(" title: " in line and line.startswith("helpdesk ") for line in gaps)
    assert any(line.startswith("transfer gdpr-scope-anonymised title: ") for line in gaps)
    assert not any(" explanation: " in line and line.startswith("transfer ") for line in gaps)
    assert not any(line.startswith("transfer hgr-") and " explanation: " in line for line in gaps)
    # every bundled rule's obligation and evidence list has its Chinese (awaiting review)
    assert not any(" obligation: " in line or " evidence " in line for line in gaps)


def test_an_obligation_and_evidence_without_chinese_are_listed(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "local.yaml").write_text(
        'law: LOCAL\ntitle: Local\ntitle_zh: 本地\nversion: "1"\nsource: https://x\n'
        'date_checked: "2026-11-22"\nrules:\n  - id: local-board\n    title: T\n'
        "    title_zh: 标题\n    when: {fact: genetic, is: true}\n"
        "    then: {effect: obligation, obligation: Ask the board., evidence: [Board minutes]}\n"
        "    reference: {law: L, article: s. 3}\n    explanation: E\n    explanation_zh: 说明\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(sys.modules[__name__], "load_rule_sets", lambda: _load_rules([tmp_path]))
    gaps = missing_chinese(settings)
    assert "transfer local-board obligation: Ask the board." in gaps
    assert "transfer local-board evidence 1: Board minutes" in gaps
