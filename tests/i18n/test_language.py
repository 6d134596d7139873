"""The language of code outside a request: the context variable, gettext, lazy strings."""

from __future__ import annotations

import pytest

from permed_atlas.i18n import (
    current_language,
    from_accept_language,
    gettext,
    lazy_gettext,
    ngettext,
    supported_language,
    use_language,
)


def test_gettext_follows_the_current_language() -> None:
    label = lazy_gettext("Search")
    assert gettext("Search") == "Search" and str(label) == "Search"
    with use_language("zh"):
        assert current_language() == "zh"
        assert gettext("Search") == "检索"
        assert str(label) == "检索"
        assert gettext("a message nobody translated") == "a message nobody translated"
    assert str(label) == "Search"


def test_ngettext_in_english_picks_by_count() -> None:
    assert ngettext("one work", "%(n)s works", 1) == "one work"
    assert ngettext("one work", "%(n)s works", 2) == "%(n)s works"


def test_an_unknown_language_is_refused() -> None:
    with (
        pytest.raises(ValueError, match="unknown language 'fr'; supported: en, zh"),
        use_language("fr"),
    ):
        pass


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("zh", "zh"),
        ("zh-CN", "zh"),
        ("zh-Hans", "zh"),
        ("ZH_cn", "zh"),
        ("zh-Hans-CN", "zh"),
        ("en-GB", "en"),
        ("fr", None),
        ("", None),
        (None, None),
    ],
)
def test_language_tags(tag, expected) -> None:
    assert supported_language(tag) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("fr-FR,fr;q=0.9,zh-Hans;q=0.5", "zh"),
        ("de;q=1.0, en;q=0.2, zh;q=0.7", "zh"),
        ("zh;q=0, en", "en"),
        ("fr, de", None),
        ("zh;q=bogus, en;q=0.1", "en"),
        ("", None),
    ],
)
def test_accept_language(header, expected) -> None:
    assert from_accept_language(header) == expected
