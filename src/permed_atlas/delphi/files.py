"""Reading the Delphi capability's files: study YAML, panel CSV and the region groups."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from permed_atlas.countries import iso_codes
from permed_atlas.datafiles import BUNDLED_DATA_DIR
from permed_atlas.delphi.definition import StudyDraft, parse_study_definition
from permed_atlas.delphi.errors import StudyFileError
from permed_atlas.delphi.models import Expert
from permed_atlas.delphi.panel import ExpertDraft, RegionGroups, parse_expert, parse_panel_csv
from permed_atlas.delphi.store import get_panel, import_panel
from permed_atlas.errors import InvalidInputError
from permed_atlas.i18n import Message, gettext
from permed_atlas.userfiles import load_yaml, read_text_file


def data_path(name: str) -> Path:
    """A file of the bundled Delphi data folder."""
    return BUNDLED_DATA_DIR / "delphi" / name


# The platform-wide setting decides, as it does for the landscape's China set, so that a
# Hong Kong expert is counted with China in a Delphi breakdown exactly when a Hong Kong
# paper is counted with China in the landscape.
_SPECIAL_ADMINISTRATIVE_REGIONS = frozenset({"HK", "MO"})


@lru_cache(maxsize=2)
def load_region_groups(*, include_hk_mo_in_china: bool = True) -> RegionGroups:
    """The region groups (EU-27, China) from ``data/delphi/region_groups.yaml``.

    :param include_hk_mo_in_china: when False, Hong Kong and Macao experts fall in
        "Other" instead of "CN" (the ``PERMED_INCLUDE_HK_MO_IN_CHINA`` setting).
    """
    data = yaml.safe_load(data_path("region_groups.yaml").read_text(encoding="utf-8"))
    countries = {code: group for group, codes in data["groups"].items() for code in codes}
    if not include_hk_mo_in_china:
        for code in _SPECIAL_ADMINISTRATIVE_REGIONS:
            if countries.get(code) == "CN":
                del countries[code]
    return RegionGroups(countries=countries, aliases=dict(data.get("aliases", {})))


@lru_cache(maxsize=1)
def known_countries() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code."""
    return iso_codes()


def read_yaml(path: Path) -> Any:
    """A YAML document, or a StudyFileError naming the file and line."""
    text = read_text_file(path, error=lambda message: StudyFileError(message, field=None))
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise StudyFileError(
            Message(
                "%(where)s: not valid YAML (%(problem)s)",
                where=where,
                problem=getattr(exc, "problem", exc),
            )
        ) from exc


def load_study_file(path: Path) -> StudyDraft:
    """Read and validate a study definition file.

    :param path: the YAML file.
    """
    return parse_study_definition(read_yaml(path), path=str(path))


def read_panel_file(path: Path, *, include_hk_mo_in_china: bool = True) -> list[ExpertDraft]:
    """Read and validate a whole panel CSV (UTF-8); any bad row fails the file.

    :param path: the CSV file.
    :param include_hk_mo_in_china: whether HK and MO experts count as China.
    """
    text = read_text_file(path, error=lambda message: InvalidInputError(message, field="path"))
    return parse_panel_csv(
        text,
        path=str(path),
        known_countries=known_countries(),
        regions=load_region_groups(include_hk_mo_in_china=include_hk_mo_in_china),
    )


def import_panel_file(
    session: Session,
    path: Path,
    *,
    study_id: int,
    panel: str | None = None,
    include_hk_mo_in_china: bool = True,
) -> list[Expert]:
    """Read a panel CSV and add its experts to a study's panel, all or nothing.

    :param session: the platform database session (the caller commits).
    :param path: the CSV file.
    :param study_id: the study.
    :param panel: the panel's name; the study's first panel when not given.
    :param include_hk_mo_in_china: whether HK and MO experts count as China.
    """
    drafts = read_panel_file(path, include_hk_mo_in_china=include_hk_mo_in_china)
    target = get_panel(session, study_id, name=panel)
    return import_panel(session, drafts, panel_id=target.id, path=str(path))


def add_expert(
    session: Session,
    fields: dict[str, str],
    *,
    study_id: int,
    panel: str | None = None,
    include_hk_mo_in_china: bool = True,
) -> Expert:
    """Add one expert from the web form's fields (the columns of a panel CSV).

    :param session: the platform database session (the caller commits).
    :param fields: name and/or ref, country and/or region, optionally email, expertise,
        organisation.
    :param study_id: the study.
    :param panel: the panel's name; the study's first panel when not given.
    :param include_hk_mo_in_china: whether HK and MO experts count as China.
    """
    from dataclasses import replace

    draft = parse_expert(
        {k: v.strip() for k, v in fields.items()},
        line=None,
        path=gettext("new expert"),
        known=known_countries(),
        regions=load_region_groups(include_hk_mo_in_china=include_hk_mo_in_china),
    )
    if not draft.ref:
        draft = replace(draft, ref="E001", ref_given=False)  # the store takes the next free one
    target = get_panel(session, study_id, name=panel)
    return import_panel(session, [draft], panel_id=target.id, path=gettext("new expert"))[0]
