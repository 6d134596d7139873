"""Every curated-data loader reads the optional Chinese fields and exposes them (#18)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from permed_atlas.directory.errors import DirectoryFileError
from permed_atlas.directory.files import load_directory_files, parse_entry
from permed_atlas.helpdesk.errors import KnowledgeFileError
from permed_atlas.helpdesk.knowledge import check_knowledge_file, load_knowledge
from permed_atlas.landscape.errors import RegionError, TaggingRuleError
from permed_atlas.landscape.regions import load_region_sets, parse_region_set, region_countries
from permed_atlas.landscape.topics import load_rules, parse_rules
from permed_atlas.settings import Settings
from permed_atlas.transfer.duo import load_duo_ontology
from permed_atlas.transfer.errors import RuleFileError
from permed_atlas.transfer.rules import load_rule_sets, parse_rule_file


def test_regions_have_chinese_names(settings: Settings) -> None:
    regions = load_region_sets(settings)
    assert regions["CN"].name_zh == "中国"
    assert regions["EU27"].name_zh.startswith("欧洲联盟")
    with pytest.raises(RegionError, match="name_zh"):
        parse_region_set({"code": "X1", "countries": ["DE"], "name_zh": 3}, path="x.yaml")


def test_topics_have_chinese_labels() -> None:
    labels = {topic.code: topic.label_zh for topic in load_rules().topics}
    assert labels["pharmacogenomics"] == "药物基因组学" and labels["tcm"] == "中医药"
    bad = {"topics": {"pm": {"label": "PM", "label_zh": ["x"]}}, "rules": []}
    with pytest.raises(TaggingRuleError, match="label_zh"):
        parse_rules(bad, path="rules.yaml")


def test_directory_laws_carry_their_official_chinese_titles() -> None:
    files = load_directory_files(known_regions=set(region_countries()))
    names = {entry.id: entry.name_zh for entry in files.entries}
    assert names["pipl"] == "中华人民共和国个人信息保护法"
    assert names["dsl"] == "中华人民共和国数据安全法"
    assert names["hgr-regulations"] == "中华人民共和国人类遗传资源管理条例"
    assert names["standard-contract-measures"] == "个人信息出境标准合同办法"
    assert names["nsfc"] == "国家自然科学基金委员会"
    # no official Chinese text: our translation, marked as one, never passed off as official
    assert names["gdpr"] == "通用数据保护条例"
    gdpr = next(e for e in files.entries if e.id == "gdpr")
    assert gdpr.details["name_zh_source"].startswith("PerMed Atlas translation, unofficial")
    assert not next(e for e in files.entries if e.id == "pipl").details.get("name_zh_source")
    commission = next(e for e in files.entries if e.id == "european-commission")
    assert commission.details["name_zh_source"].startswith("Delegation of the European Union")
    assert commission.to_dict()["name_zh"] == "欧盟委员会"


def test_directory_refuses_a_source_without_a_name() -> None:
    entry = {"id": "x-law", "kind": "law", "name": "X", "summary": "S.", "regions": ["CN"],
             "source": "https://example.org", "date_checked": "2026-11-23", "jurisdiction": "CN",
             "name_zh_source": "somewhere"}  # fmt: skip
    with pytest.raises(DirectoryFileError, match="name_zh_source"):
        parse_entry(entry, where="laws.yaml", known_regions={"CN"})


def test_helpdesk_titles_and_steps_in_chinese() -> None:
    knowledge = load_knowledge([])
    assert all(entry.title_zh for entry in knowledge.entries)
    ind = knowledge.get("cn-nmpa-ind")
    assert ind is not None and ind.procedure[3].text_zh.startswith("自受理之日起60个工作日")


def test_helpdesk_refuses_a_step_translation_that_is_not_text(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "src/permed_atlas/data/helpdesk/hk.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["entries"][0]["procedure"][0] = {"text": "Apply", "text_zh": ["申请"]}
    path = tmp_path / "hk.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    report = check_knowledge_file(path)
    assert any("text_zh" in str(problem) for problem in report.problems), report.problems
    assert all(isinstance(problem, KnowledgeFileError) for problem in report.problems)


def test_transfer_rule_files_have_official_chinese_titles() -> None:
    by_law = {rule_set.law: rule_set for rule_set in load_rule_sets()}
    assert by_law["PIPL"].title_zh == "中华人民共和国个人信息保护法"
    assert by_law["HGR"].title_zh == "中华人民共和国人类遗传资源管理条例"
    # the EU has no Chinese text of the GDPR: ours, and the file says so
    assert by_law["GDPR"].title_zh == "欧盟第2016/679号条例（《通用数据保护条例》）"
    assert by_law["GDPR"].title_zh_source.startswith("PerMed Atlas translation, unofficial")
    assert by_law["PIPL"].title_zh_source == ""
    assert all(rule.title_zh for rule in by_law["GDPR"].rules)
    assert all(rule.title_zh for rule in by_law["PIPL"].rules)
    data = {"law": "X", "title": "X", "title_zh": 5, "version": "1", "source": "s",
            "date_checked": "2026-11-23", "rules": [{"id": "x"}]}  # fmt: skip
    with pytest.raises(RuleFileError, match="title_zh"):
        parse_rule_file(data, path="x.yaml")


def test_duo_terms_have_chinese_labels(tmp_path: Path) -> None:
    duo = load_duo_ontology()
    assert duo.terms["DUO:0000042"].label_zh == "一般研究使用"
    assert duo.terms["DUO:0000006"].label_zh.startswith("健康")
    assert duo.terms["DUO:0000005"].label_zh == ""  # obsolete: not translated
    bundled = Path(__file__).resolve().parents[2] / "src/permed_atlas/data/duo"
    for name in ("duo.owl", "purposes.csv"):
        (tmp_path / name).write_bytes((bundled / name).read_bytes())
    (tmp_path / "labels_zh.csv").write_text("id,label_zh\nDUO:9999999,无\n", encoding="utf-8")
    from permed_atlas.transfer.errors import DuoError

    with pytest.raises(DuoError, match="line 2"):
        load_duo_ontology(tmp_path)
