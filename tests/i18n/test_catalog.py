"""The Chinese catalog translates every message the code and templates use, and nothing else.

Extraction reads babel.cfg (Python and every Jinja2 template), as ``scripts/i18n.py`` does. A
new or changed string without a translation fails here with the list a translator needs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from permed_atlas.i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES, catalog_path, translations
from permed_atlas.i18n.extraction import check, extract

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "src" / "permed_atlas" / "web" / "templates"
TRANSLATED = [lang for lang in SUPPORTED_LANGUAGES if lang != DEFAULT_LANGUAGE]


@pytest.fixture(scope="module")
def template():  # type: ignore[no-untyped-def]
    return extract(ROOT)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_has_a_translation_and_none_is_stale(template, language) -> None:
    problems = check(template, catalog_path(language), language)
    assert not problems, problems.report() + "\n(fix: python scripts/i18n.py update, translate)"


def test_extraction_reaches_python_and_every_template(template) -> None:
    files = {Path(location).as_posix() for message in template for location, _ in message.locations}
    assert "src/permed_atlas/web/app.py" in files  # lazy_gettext in Python
    assert "src/permed_atlas/web/form_problems.py" in files
    templates = sorted(
        p.relative_to(ROOT).as_posix()
        for p in TEMPLATES.rglob("*")
        if p.suffix in {".html", ".j2"} and "_styles" not in p.name
    )
    # Partials that hold no words of their own (styles, pure macros) are the only exceptions.
    # The helpdesk disclaimer partial shows a message extracted from Python (gettext_noop).
    # A capability's page layout only puts its styles in the head.
    wordless = {
        "src/permed_atlas/web/templates/helpdesk/_disclaimer.html",
        "src/permed_atlas/web/templates/directory/_layout.html",
        "src/permed_atlas/web/templates/roadmap/_layout.html",
    }
    missing = [t for t in templates if t not in files and t not in wordless]
    assert missing == [], f"templates with no translatable message: {missing}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_survive_translation(language) -> None:
    """A translation that drops or renames %(name)s would fail at render time."""
    import re

    with catalog_path(language).open("rb") as source:
        catalog = read_po(source, locale=language)
    placeholder = re.compile(r"%\(\w+\)[sd]")
    wrong = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = sorted(placeholder.findall(ids[0]))
        wrong.extend(ids[0] for s in strings if sorted(placeholder.findall(s)) != wanted)
    assert wrong == []


def test_the_catalog_is_compiled_again_when_the_po_changes(tmp_path, monkeypatch) -> None:
    from permed_atlas.i18n import catalogs

    po = tmp_path / "xx" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n\nmsgid "Search"\nmsgstr "Suche"\n', encoding="utf-8")
    monkeypatch.setattr(catalogs, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(catalogs, "RECHECK_SECONDS", 0.0)
    assert translations("xx").gettext("Search") == "Suche"
    po.write_text('msgid ""\nmsgstr ""\n\nmsgid "Search"\nmsgstr "Recherche"\n', encoding="utf-8")
    import os

    stat = po.stat()
    os.utime(po, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert translations("xx").gettext("Search") == "Recherche"
