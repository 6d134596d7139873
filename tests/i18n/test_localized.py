"""The localized-data API: the current language's text, English marked where missing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from jinja2 import Environment

from permed_atlas.countries import localized_country_name
from permed_atlas.i18n import (
    UNTRANSLATED_CLASS,
    LocalizedText,
    field_translations,
    localized,
    localized_field,
    use_language,
)


@dataclass(frozen=True)
class _Law:
    name: str
    name_zh: str = ""


def test_english_pages_get_english_unmarked() -> None:
    text = localized("Data Security Law", {"zh": "数据安全法"})
    assert text == LocalizedText("Data Security Law", "en", "en")
    assert not text.is_fallback and text.__html__() == "Data Security Law"


def test_chinese_pages_get_the_translation() -> None:
    with use_language("zh"):
        text = localized("Data Security Law", {"zh": " 数据安全法 "})
    assert str(text) == "数据安全法" and text.lang == "zh" and not text.is_fallback
    assert text.__html__() == "数据安全法"


@pytest.mark.parametrize("translations", [None, {}, {"zh": ""}, {"zh": "  "}, {"zh": None}])
def test_missing_translation_falls_back_to_marked_english(translations) -> None:  # type: ignore[no-untyped-def]
    with use_language("zh"):
        text = localized("GDPR & <co>", translations)
    assert text.is_fallback and str(text) == "GDPR & <co>"
    assert text.__html__() == (
        f'<span lang="en" class="{UNTRANSLATED_CLASS}" title="not translated yet">'
        "GDPR &amp; &lt;co&gt;</span>"
    )


def test_empty_english_is_empty_not_an_untranslated_span() -> None:
    with use_language("zh"):
        assert localized("", {}).__html__() == ""


def test_field_convention_reads_objects_and_mappings() -> None:
    law = _Law("Personal Information Protection Law", "个人信息保护法")
    assert field_translations(law, "name") == {"zh": "个人信息保护法"}
    assert field_translations({"title": "x", "title_zh": "标题"}, "title") == {"zh": "标题"}
    with use_language("zh"):
        assert str(localized_field(law, "name")) == "个人信息保护法"
        assert localized_field(_Law("GDPR"), "name").is_fallback
        assert str(localized_field({"label": "Oncology"}, "label")) == "Oncology"


def test_jinja_renders_the_marker_under_autoescape() -> None:
    env = Environment(autoescape=True)
    env.filters["localized"] = localized_field
    template = env.from_string('<h1>{{ law | localized("name") }}</h1>')
    with use_language("zh"):
        assert template.render(law=_Law("GDPR")) == (
            '<h1><span lang="en" class="untranslated" title="not translated yet">GDPR</span></h1>'
        )
        assert template.render(law=_Law("PIPL", "个人信息保护法")) == "<h1>个人信息保护法</h1>"


def test_country_names_come_from_the_iso_catalog() -> None:
    with use_language("zh"):
        assert str(localized_country_name("CN")) == "中国"
        assert str(localized_country_name("DE")) == "德国"
        assert str(localized_country_name("EU")) == "欧盟/欧洲经济区（未指明成员国）"
    assert str(localized_country_name("CN")) == "China"
    assert str(localized_country_name("CN", language="zh")) == "中国"
