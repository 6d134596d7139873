"""Keep the message catalogs in step with the code: extract, update, check, compile.

    python scripts/i18n.py update        # new messages into every catalog, unused ones out
    python scripts/i18n.py check         # what each catalog lacks (exit 1 if anything)
    python scripts/i18n.py init fr       # a catalog for a new language
    python scripts/i18n.py compile       # .mo files beside the .po (optional: the app compiles)

The extraction configuration is babel.cfg; see docs/i18n.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from permed_atlas.i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES, catalog_path
from permed_atlas.i18n.extraction import check, extract

ROOT = Path(__file__).resolve().parents[1]


def _write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        # sorted, without line numbers: a moved line does not churn every catalog
        write_po(
            out,
            catalog,
            width=100,
            sort_output=True,
            omit_header=False,
            include_lineno=False,
            ignore_obsolete=True,
        )


def _translated_languages() -> list[str]:
    return [lang for lang in SUPPORTED_LANGUAGES if lang != DEFAULT_LANGUAGE]


def update(languages: list[str]) -> None:
    template = extract(ROOT)
    for language in languages:
        path = catalog_path(language)
        if path.exists():
            with path.open("rb") as source:
                catalog = read_po(source, locale=language)
        else:
            catalog = Catalog(locale=language, project="PerMed Atlas")
        created = catalog.creation_date
        catalog.update(template, no_fuzzy_matching=True)
        # The template is stamped with the time of each run: kept, the header would differ
        # in every branch that updated the catalog and conflict in every merge.
        catalog.creation_date = created
        _write(catalog, path)
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages")


def run_check(languages: list[str]) -> int:
    template = extract(ROOT)
    failed = 0
    for language in languages:
        problems = check(template, catalog_path(language), language)
        if problems:
            print(problems.report())
            failed = 1
        else:
            print(f"catalog {language!r}: all {len(template)} messages translated")
    return failed


def compile_mo(languages: list[str]) -> None:
    for language in languages:
        path = catalog_path(language)
        with path.open("rb") as source:
            catalog = read_po(source, locale=language)
        with path.with_suffix(".mo").open("wb") as out:
            write_mo(out, catalog)
        print(f"{path.with_suffix('.mo').relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["update", "check", "init", "compile"])
    parser.add_argument("languages", nargs="*", help="default: every translated language")
    args = parser.parse_args(argv)
    languages = args.languages or _translated_languages()
    if args.command == "init":
        if not args.languages:
            parser.error("init needs a language code, e.g. `init fr`")
        update(languages)
        print(f"now add {languages} to SUPPORTED_LANGUAGES in permed_atlas/i18n/languages.py")
        return 0
    if args.command == "update":
        update(languages)
        return 0
    if args.command == "compile":
        compile_mo(languages)
        return 0
    return run_check(languages)


if __name__ == "__main__":
    sys.exit(main())
