"""A report printed in Chinese: the PDF carries the Chinese text (a CJK font is embedded).

The PDF machinery (Chromium printing the report's HTML) renders whatever the current language
gives; these tests read the text back out of real PDFs with pypdf.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from permed_atlas.i18n import use_language
from permed_atlas.pdf import find_chromium

pytestmark = pytest.mark.slow
HAN = re.compile(r"[\u4e00-\u9fff]")


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    # Chromium may put a space between glyphs of a CJK run; the words are what matter.
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))


def _fonts(pdf: bytes) -> set[str]:
    """The fonts embedded in the PDF (BaseFont names, subset prefix dropped)."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object().get("/BaseFont", "")).split("+")[-1])
    return names


@pytest.fixture
def chromium() -> str:
    found = find_chromium()
    if found is None:
        pytest.skip("no Chromium: run scripts/install-chromium.sh")
    return found


def test_the_delphi_report_prints_in_chinese(chromium, session: Session, tmp_path: Path) -> None:
    from permed_atlas.delphi import load_demo_study
    from permed_atlas.delphi.report import build_study_report, render_report_html, write_pdf

    study = load_demo_study(session)
    session.commit()
    report = build_study_report(session, study.id)
    with use_language("zh"):
        html = render_report_html(report)
    assert '<html lang="zh-Hans">' in html
    printed = write_pdf(html, tmp_path / "zh.pdf").read_bytes()
    chinese = _text(printed)
    # the glyphs come from a CJK font (Debian's fonts-wqy-microhei, scripts/install-chromium.sh)
    assert any("WenQuanYi" in f or "CJK" in f or "Hei" in f for f in _fonts(printed)), _fonts(
        printed
    )
    for words in ("由PerMedAtlas生成的德尔菲报告", "共识规则", "各轮共识情况", "结论"):
        assert words in chinese, words
    english = _text(write_pdf(render_report_html(report), tmp_path / "en.pdf").read_bytes())
    assert "Consensusoverrounds" in english and not HAN.search(english.split("Pillar")[0])


def test_the_helpdesk_answer_pdf_follows_the_page_language(chromium, client) -> None:
    question = "We want to run a pharmacogenomic trial in Germany and China"
    response = client.get("/helpdesk/answer.pdf", params={"q": question, "lang": "zh"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = _text(response.content)
    assert "咨询台回答" in text and "核对清单" in text and "仅供指导，不构成法律意见" in text
