"""Downloaded reports in the reader's language: the helpdesk's Markdown answer and the
transfer assessor's stand-alone HTML and Markdown reports."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from permed_atlas.cli import app
from permed_atlas.helpdesk.routes import EXAMPLE

runner = CliRunner()
FLAGS = ["transfer", "assess", "--from", "CN", "--to", "DE", "--data", "genetic",
         "--data", "pseudonymised", "--subjects", "800", "--purpose", "research",
         "--consent", "broad_research"]  # fmt: skip


def test_helpdesk_markdown_answer_is_chinese_with_lang_zh(client: TestClient) -> None:
    query = urlencode({"q": EXAMPLE, "lang": "zh"})
    body = client.get(f"/helpdesk/answer.md?{query}").text
    assert body.startswith(f"# 服务台答复：{EXAMPLE}")
    assert body.index("## 核对清单") < body.index("## 德国") < body.index("## 中国")
    assert "主管机构：" in body and "来源：<http" in body
    for english in ("## Checklist", "- Authority:", "Helpdesk answer", "## Germany"):
        assert english not in body
    english_body = client.get(f"/helpdesk/answer.md?{urlencode({'q': EXAMPLE, 'lang': 'en'})}").text
    assert english_body.startswith(f"# Helpdesk answer: {EXAMPLE}")
    assert "## Checklist" in english_body and "- Authority: " in english_body


def test_helpdesk_cli_markdown_answer_in_chinese() -> None:
    result = runner.invoke(
        app, ["helpdesk", "ask", EXAMPLE, "--format", "markdown", "--no-funding", "--lang", "zh"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# 服务台答复：") and "## 核对清单" in result.output
    refused = runner.invoke(app, ["helpdesk", "ask", EXAMPLE, "--format", "markdown",
                                  "--lang", "fr"])  # fmt: skip
    assert refused.exit_code != 0 and "not a supported language" in str(refused.exception)


def test_transfer_html_report_in_chinese(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(app, [*FLAGS, "--format", "html", "--lang", "zh", "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<html lang='zh-Hans'>" in html
    assert "<h1>数据出境评估：中国 (CN) → 德国 (DE)</h1>" in html
    for english in ("Transfer assessment", "Verdict:", "Rules last checked", "Why: ",
                    "Missing from the scenario</h2>"):  # fmt: skip
        assert english not in html
    english = tmp_path / "report-en.html"
    runner.invoke(app, [*FLAGS, "--format", "html", "-o", str(english)])
    text = english.read_text(encoding="utf-8")
    assert "<h1>Transfer assessment: China (CN) → Germany (DE)</h1>" in text
    assert "Rules last checked: " in text and "<html lang='en'>" in text
