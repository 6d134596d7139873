"""The messages the code and templates use, extracted with Babel, and what a catalog lacks.

Used by ``scripts/i18n.py`` (extract, update, check) and by the catalog completeness test, so
both read the one extraction configuration, ``babel.cfg`` at the repository's root.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

#: gettext's keywords plus the lazy and no-op ones module-level labels use, ``Message``,
#: ``not_one_of`` and ``require_one_of`` (composed texts: the first argument is the msgid),
#: and the transfer form's field helper ``_f(name, kind, group, label, ...)``, whose fourth
#: argument is a label.
KEYWORDS: Final[dict[str, Any]] = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "N_": None,
    "gettext_noop": None,
    "Message": None,
    "not_one_of": None,
    "require_one_of": None,
    "_f": (4,),
}


def extract(root: Path) -> Catalog:
    """Every message of the code and templates under ``root`` (the repository), as a template.

    :param root: the directory holding ``babel.cfg`` and ``src/``.
    """
    config = root / "babel.cfg"
    if not config.is_file():
        raise FileNotFoundError(f"no extraction configuration at {config}")
    with config.open(encoding="utf-8") as source:
        method_map, options_map = parse_mapping_cfg(  # type: ignore[no-untyped-call]
            source, filename=str(config)
        )
    catalog = Catalog(project="PerMed Atlas", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(
            message,
            None,
            [(filename, lineno)],
            auto_comments=comments,
            context=context,
        )
    # The CLI's help is written as plain English in each capability's cli.py (Typer reads
    # docstrings and help= at import): its texts are the msgids, found by walking the commands.
    from permed_atlas.cli_help import all_help_texts

    for text, where in all_help_texts():
        catalog.add(text, None, [(where, 0)])
    return catalog


@dataclass
class CatalogProblems:
    """What a language's catalog lacks against the extracted messages."""

    language: str
    untranslated: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.untranslated or self.fuzzy or self.stale)

    def report(self) -> str:
        """A list a translator can work from."""
        lines = [f"catalog {self.language!r}:"]
        for title, items in (
            ("messages with no translation", self.untranslated),
            ("fuzzy (unreviewed) translations", self.fuzzy),
            (
                "translations of messages no longer used (stale; run scripts/i18n.py update)",
                self.stale,
            ),
        ):
            if items:
                lines.append(f"  {len(items)} {title}:")
                lines.extend(f"    {item!r}" for item in items)
        return "\n".join(lines)


def _key(msgid: str | tuple[str, ...] | list[str]) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def check(template: Catalog, po_path: Path, language: str) -> CatalogProblems:
    """Compare the catalog at ``po_path`` with the extracted ``template``.

    :param template: from :func:`extract`.
    :param po_path: ``locale/<lang>/LC_MESSAGES/messages.po``.
    :param language: the catalog's language code.
    """
    with po_path.open("rb") as source:
        catalog = read_po(source, locale=language)
    problems = CatalogProblems(language)
    wanted = {_key(m.id) for m in template if m.id}
    for message in catalog:
        if not message.id:
            continue
        key = _key(message.id)
        if key not in wanted:
            problems.stale.append(key)
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            problems.untranslated.append(key)
        elif message.fuzzy:
            problems.fuzzy.append(key)
    present = {_key(m.id) for m in catalog if m.id}
    problems.untranslated.extend(sorted(wanted - present))
    return problems
