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
from permed_atlas.helpdesk.glossary import load_glossary
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
    gaps += [f"directory {e.id} summary: {e.summary[:60]}" for e in directory.entries
             if not e.summary_zh]  # fmt: skip
    for entry in load_knowledge([]).entries:
        if not entry.title_zh:
            gaps.append(f"helpdesk {entry.id} title: {entry.title}")
        if not entry.summary_zh:
            gaps.append(f"helpdesk {entry.id} summary: {entry.summary[:60]}")
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
    gaps += [f"glossary {t.term} explanation: {t.explanation[:60]}" for t in load_glossary()
             if not t.explanation_zh]  # fmt: skip
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


def test_every_bundled_item_has_its_chinese_and_says_whose(settings: Settings) -> None:
    # the list once held the GDPR, the EU's bodies and programmes and the member states' steps
    assert missing_chinese(settings) == []
    directory = load_directory_files(known_regions=set(region_countries(settings)))
    gdpr = next(e for e in directory.entries if e.id == "gdpr")
    assert gdpr.name_zh == "通用数据保护条例"
    assert gdpr.details["name_zh_source"].startswith("PerMed Atlas translation, unofficial")
    # a translated name says whose it is; an official one (a Chinese law's) needs no source
    sources = {e.id: str(e.details.get("name_zh_source", "")) for e in directory.entries}
    translations = [e for e in directory.entries if sources[e.id].startswith("PerMed Atlas")]
    assert all("unofficial, unreviewed" in e.details["name_zh_source"] for e in translations)
    assert not any(e.id in {"pipl", "nsfc", "most"} for e in translations)


def test_a_new_untranslated_entry_fails_the_comparison(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checked-in list is empty now: one new English-only rule file must fail the test."""
    (tmp_path / "local.yaml").write_text(
        'law: LOCAL\ntitle: Local Act\nversion: "1"\nsource: https://x\n'
        'date_checked: "2026-11-22"\nrules:\n  - id: local-scope\n    title: Local scope\n'
        "    when: {fact: genetic, is: true}\n    then: {effect: note, obligation: Note it.}\n"
        "    reference: {law: L, article: s. 1}\n    explanation: E\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(sys.modules[__name__], "load_rule_sets", lambda: _load_rules([tmp_path]))
    monkeypatch.delenv("PERMED_WRITE_MISSING_ZH", raising=False)  # never write these lines
    gaps = missing_chinese(settings)
    assert "transfer LOCAL title: Local Act" in gaps
    assert "transfer local-scope title: Local scope" in gaps
    assert "transfer local-scope explanation: E" in gaps
    with pytest.raises(AssertionError, match="new items without Chinese"):
        test_untranslated_items_equal_the_checked_in_list(settings)


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
