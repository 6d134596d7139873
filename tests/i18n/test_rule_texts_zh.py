"""The texts rules carry or compose, in the reader's language: a transfer rule's explanation
and the conditions it fired on, a topic rule's "why", the DUO matcher's reasons. Where a
rule's Chinese is not written yet the page shows the English marked as untranslated."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from permed_atlas.i18n import translated, use_language
from permed_atlas.settings import Settings
from permed_atlas.transfer import DataUseRequest, load_duo_ontology, match_data_use

# China to Germany, genetic: HGR and GDPR rules, all with Chinese explanations.
SCENARIO = {"exporter_country": "CN", "importer_country": "DE", "purpose": "research",
            "data_categories": ["genetic", "pseudonymised"], "data_subjects": "800",
            "consent": "broad_research"}  # fmt: skip
ENGLISH_ONLY_RULE = """\
law: LOCAL
title: Local policy
version: "1"
source: https://example.org
date_checked: "2026-11-22"
rules:
  - id: local-genetic-review
    title: Genetic data go to the local board
    when: {fact: genetic, is: true}
    then: {effect: obligation, obligation: Ask the local data board first.}
    reference: {law: Local policy, article: "s. 3"}
    explanation: The local data board reviews every transfer of genetic data.
"""


def test_transfer_result_explains_rules_in_chinese(client: TestClient, settings: Settings) -> None:
    # A deployment's own rule, written in English only: its explanation has no Chinese yet.
    folder = settings.data_dir / "transfer_rules"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "local.yaml").write_text(ENGLISH_ONLY_RULE, encoding="utf-8")
    chinese = client.get("/transfer/assess", params={**SCENARIO, "lang": "zh"}).text
    assert "人类遗传资源包括人类遗传资源材料" in chinese  # hgr-scope's explanation_zh
    assert "Human genetic resources are materials" not in chinese
    # the conditions a rule fired on, worded in Chinese around the English fact names
    assert "exporter_in_cn 为是" in chinese and "exporter_in_cn is true" not in chinese
    assert "序言（Recital）第26段" in chinese  # a GDPR rule's explanation_zh
    # a rule without Chinese yet: its English shown, marked as untranslated
    untranslated = re.findall(r'<span lang="en" class="untranslated"[^>]*>([^<]*)</span>', chinese)
    assert "The local data board reviews every transfer of genetic data." in untranslated
    english = client.get("/transfer/assess", params={**SCENARIO, "lang": "en"}).text
    assert "Human genetic resources are materials" in english
    assert "exporter_in_cn is true" in english
    assert "人类遗传资源包括" not in english


def test_transfer_obligations_and_evidence_in_chinese(
    client: TestClient, settings: Settings
) -> None:
    folder = settings.data_dir / "transfer_rules"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "local.yaml").write_text(ENGLISH_ONLY_RULE, encoding="utf-8")
    chinese = client.get("/transfer/assess", params={**SCENARIO, "lang": "zh"}).text
    # hgr-art28-information-filing's obligation_zh and evidence_zh (HGR Regulations Art. 28)
    filing_zh = "向人类遗传资源主管部门备案人类遗传资源信息的对外提供并提交信息备份"
    assert filing_zh in chinese and "File the provision of HGR information" not in chinese
    assert "<li>依据：备案记录和信息备份（第二十八条第二款）</li>" in chinese
    assert "Filing record and information backup" not in chinese
    # a rule whose obligation has no Chinese yet: its English, marked untranslated
    untranslated = re.findall(r'<span lang="en" class="untranslated"[^>]*>([^<]*)</span>', chinese)
    assert "Ask the local data board first." in untranslated
    english = client.get("/transfer/assess", params={**SCENARIO, "lang": "en"}).text
    assert "File the provision of HGR information" in english and filing_zh not in english
    assert "Filing record and information backup (Art. 28(2))" in english
    report = client.get("/transfer/report.md", params={**SCENARIO, "lang": "zh"}).text
    assert filing_zh in report and "备案记录和信息备份（第二十八条第二款）" in report
    # the JSON keeps the English and adds the Chinese beside it
    answer = client.post("/api/v1/transfer/assess", json=SCENARIO).json()
    filing = {f["rule_id"]: f for f in answer["obligations"]}["hgr-art28-information-filing"]
    assert filing["obligation"].startswith("File the provision of HGR information")
    assert filing["obligation_zh"].startswith(filing_zh)
    assert filing["evidence"] == ["Filing record and information backup (Art. 28(2))"]
    assert filing["evidence_zh"] == ["备案记录和信息备份（第二十八条第二款）"]


def test_transfer_markdown_report_uses_the_chinese_explanations(client: TestClient) -> None:
    report = client.get("/transfer/report.md", params={**SCENARIO, "lang": "zh"}).text
    assert "人类遗传资源包括人类遗传资源材料" in report and "exporter_in_cn 为是" in report
    english = client.get("/transfer/report.md", params={**SCENARIO, "lang": "en"}).text
    assert "Human genetic resources are materials" in english


def test_transfer_api_keeps_english_conditions(client: TestClient) -> None:
    body = {**SCENARIO, "data_subjects": 800}
    api = client.post("/api/v1/transfer/assess?lang=zh", json=body)
    assert api.status_code == 200, api.text
    findings = {f["rule_id"]: f for value in api.json().values() if isinstance(value, list)
                for f in value if isinstance(f, dict) and "rule_id" in f}  # fmt: skip
    assert "exporter_in_cn is true" in findings["hgr-scope"]["matched_conditions"]
    assert findings["hgr-scope"]["explanation"].startswith("Human genetic resources")


def test_work_page_shows_topic_rules_why_in_chinese(client: TestClient, web_corpus) -> None:  # type: ignore[no-untyped-def]
    chinese = client.get("/landscape/works/1", params={"lang": "zh"}).text
    assert "标题或摘要中出现的癌症和肿瘤类型名称。" in chinese  # onc-kw-cancer's why_zh
    assert "Names of cancer and tumour types" not in chinese
    english = client.get("/landscape/works/1", params={"lang": "en"}).text
    assert "Names of cancer and tumour types in the title or abstract." in english


def test_duo_match_reasons_are_english_data_and_chinese_when_translated() -> None:
    match = match_data_use(
        ["DUO:0000007"], DataUseRequest(purpose="GRU"), ontology=load_duo_ontology()
    )
    assert match.outcome == "not_allowed"
    english = [str(r) for r in match.reasons]
    assert all(r.isascii() for r in english)
    with use_language("zh"):
        chinese = [translated(r) for r in match.reasons]
    assert chinese != english
    # the term named by our Chinese label with DUO's own English beside it
    name = "DUO:0000007 DS（特定疾病研究；disease specific research）"
    assert chinese == [f"{name} 未写明疾病，因此无法据此核查任何申请"]
    assert english == [
        "DUO:0000007 DS (disease specific research) names no disease, so no request can be "
        "checked against it"
    ]


def test_duo_labels_are_ours_marked_unreviewed_and_shown_beside_the_english(
    client: TestClient,
) -> None:
    duo = load_duo_ontology()
    gru = duo.terms["DUO:0000042"]
    assert gru.label == "general research use" and gru.label_zh == "一般研究使用"
    assert gru.label_zh_source == "PerMed Atlas translation, unreviewed"
    assert all(t.label_zh_source for t in duo.terms.values() if t.label_zh)
    assert str(gru.name) == "DUO:0000042 GRU (general research use)"
    terms = client.get("/api/v1/transfer/duo/terms").json()["terms"]
    listed = {t["id"]: t for t in terms}["DUO:0000042"]
    assert listed["label"] == "general research use" and listed["label_zh"] == "一般研究使用"
    assert listed["label_zh_source"] == "PerMed Atlas translation, unreviewed"
    chinese = client.get("/federation/", params={"lang": "zh"}).text
    assert "一般研究使用 (general research use)</option>" in chinese
    english = client.get("/federation/", params={"lang": "en"}).text
    assert "general research use</option>" in english and "一般研究使用" not in english


def test_duo_reasons_name_terms_and_requirements_in_chinese() -> None:
    ontology = load_duo_ontology()
    request = DataUseRequest(purpose="HMB", commercial=True)
    match = match_data_use(["DUO:0000042", "DUO:0000046"], request, ontology=ontology)
    english = [str(r) for r in match.reasons]
    assert english == [
        "DUO:0000042 GRU (general research use) permits DUO:0000006 HMB (health or medical or "
        "biomedical research) by the ontology's hierarchy (HMB ⊑ GRU)",
        "DUO:0000046 NCU (non-commercial use only) forbids this: commercial=true but it "
        "requires non-commercial use",
    ]
    with use_language("zh"):
        chinese = [translated(r) for r in match.reasons]
    assert chinese == [
        "DUO:0000042 GRU（一般研究使用；general research use） 通过本体的层级关系（HMB ⊑ GRU）"
        "允许 DUO:0000006 HMB（健康、医学或生物医学研究；"
        "health or medical or biomedical research）",
        "DUO:0000046 NCU（仅限非商业使用；non-commercial use only） 禁止此用途：commercial=true，"
        "但它要求 非商业使用",
    ]


def test_gdpr_titles_are_our_unofficial_translation_and_say_so(client: TestClient) -> None:
    """The EU publishes the GDPR in its official languages, not Chinese: the title is ours."""
    sets = {s["law"]: s for s in client.get("/api/v1/transfer/rules").json()["rule_sets"]}
    gdpr = sets["GDPR"]
    assert gdpr["title_zh"] == "欧盟第2016/679号条例（《通用数据保护条例》）"
    assert gdpr["title_zh_source"].startswith("PerMed Atlas translation, unofficial, unreviewed")
    assert "24 official languages" in gdpr["title_zh_source"]
    assert all(r["title_zh"] for r in gdpr["rules"])
    adequacy = {r["id"]: r for r in gdpr["rules"]}["gdpr-art45-adequacy"]
    assert adequacy["title_zh"] == "基于充分性决定的传输"
    # a Chinese law's title is its own official one: no translator to name
    assert sets["PIPL"]["title_zh"] == "中华人民共和国个人信息保护法"
    assert sets["PIPL"]["title_zh_source"] == ""
    assert all(s["rules_zh_source"].endswith("unreviewed") for s in sets.values())
    page = client.get("/transfer/rules", params={"lang": "zh"}).text
    assert "<h2>欧盟第2016/679号条例（《通用数据保护条例》）</h2>" in page
    # the note is ours too, so it is translated: the reader learns who wrote the title
    assert "中文标题：PerMed Atlas 翻译，非官方，未经审校" in page
    assert "基于充分性决定的传输" in page
    # every title is Chinese; only the versions and citations are English (marked so)
    titles = re.findall(r"<(?:h2|strong)>(.*?)</(?:h2|strong)>", page)
    assert titles and not any("untranslated" in title for title in titles)
