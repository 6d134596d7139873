"""Frozen dataclasses of the roadmap capability: roadmaps, indicators, observations.

What the store returns and the pure modules (projection, status, scorecard,
chart) compute on. No I/O here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, TypeAlias

from permed_atlas.i18n import Message, with_translations

Direction: TypeAlias = Literal["increase", "decrease"]
ScopeLevel: TypeAlias = Literal["region", "country", "centre"]
StatusLabel: TypeAlias = Literal["on track", "at risk", "off track", "insufficient data"]

DIRECTIONS: tuple[str, ...] = ("increase", "decrease")
STATUS_LABELS: tuple[StatusLabel, ...] = ("on track", "at risk", "off track", "insufficient data")


@dataclass(frozen=True)
class Source:
    """Where a roadmap's content comes from and when that was checked."""

    title: str
    url: str | None = None
    published: str | None = None
    checked: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Action:
    """A sub-topic action under a priority.

    :param delphi_items: references ``"<study-slug>/<item-id>"`` to the Delphi
        items the action was synthesised from, when there are any.
    """

    code: str
    title: str
    description: str
    delphi_items: tuple[str, ...] = ()
    title_zh: str = ""


@dataclass(frozen=True)
class Priority:
    code: str
    title: str
    actions: tuple[Action, ...] = ()
    title_zh: str = ""


@dataclass(frozen=True)
class Pillar:
    code: str
    title: str
    priorities: tuple[Priority, ...] = ()
    title_zh: str = ""


@dataclass(frozen=True)
class Roadmap:
    """A roadmap: pillars, priorities under them, actions under those.

    Every title has an optional Chinese twin (``title_zh``; an indicator's ``name_zh``),
    "" until translated (docs/i18n-data.md).
    """

    slug: str
    title: str
    description: str
    source: Source
    pillars: tuple[Pillar, ...] = ()
    bundled: bool = False
    title_zh: str = ""

    def actions(self) -> list[tuple[Pillar, Priority, Action]]:
        """Every action with the pillar and priority it sits under, in order."""
        return [
            (pillar, priority, action)
            for pillar in self.pillars
            for priority in pillar.priorities
            for action in priority.actions
        ]

    def action_codes(self) -> set[str]:
        return {action.code for _, _, action in self.actions()}


@dataclass(frozen=True)
class RoadmapSummary:
    slug: str
    title: str
    source_title: str
    bundled: bool
    actions: int
    indicators: int
    title_zh: str = ""


@dataclass(frozen=True)
class Scope:
    """Where an indicator is measured: a region set, optionally a country, optionally a centre."""

    region: str
    country: str | None = None
    centre: str | None = None

    @property
    def level(self) -> ScopeLevel:
        if self.centre:
            return "centre"
        if self.country:
            return "country"
        return "region"

    def label(self) -> str:
        parts = [self.region]
        if self.country and self.country != self.region:
            parts.append(self.country)
        if self.centre:
            parts.append(self.centre)
        return " / ".join(parts)


@dataclass(frozen=True)
class Indicator:
    """A monitoring indicator of one roadmap, for one scope.

    :param direction: ``increase`` when higher values are better, ``decrease`` otherwise.
    :param action_codes: the roadmap actions whose uptake the indicator tracks.
    """

    code: str
    roadmap: str
    name: str
    definition: str
    unit: str
    direction: Direction
    baseline_value: float
    baseline_date: date
    target_value: float
    target_date: date
    scope: Scope
    action_codes: tuple[str, ...] = ()
    data_source: str = ""
    note: str | None = None
    name_zh: str = ""
    unit_zh: str = ""

    def amount(self, value: str) -> Message:
        """``value`` with the unit ("6 programmes"): English as data, "6 个项目" on a Chinese
        page when the unit has its Chinese (``unit_zh``).

        :param value: the number as written.
        """
        chinese = f"{value} {self.unit_zh}" if self.unit_zh else ""
        return with_translations(f"{value} {self.unit}", {"zh": chinese})


@dataclass(frozen=True)
class ObservationInput:
    """An observation as entered or read from a file, before it is stored.

    :param unit: None takes the indicator's unit (forms and the API choose it from the
        indicator rather than asking for it to be retyped); a unit given must be the indicator's.
    :param line: the file line it came from (CSV import), for error messages.
    """

    indicator: str
    observed_on: date
    value: float
    unit: str | None
    source: str
    line: int | None = None


_EMAIL = re.compile(r"<?[^\s<>@]+@[^\s<>@]+>?")
EDITOR_ROLE_LABEL = "editor"


def public_editor_label(entered_by: str) -> str:
    """``entered_by`` with any email address removed; the role when nothing else is left.

    Observations stored before this rule carry the editor's email; the public sees a name
    ("Jane Doe <jane@x.org>" gives "Jane Doe") or the role, never the address.

    :param entered_by: as stored (a name, an email, "demo data", ...).
    """
    kept = " ".join(_EMAIL.sub(" ", entered_by).split()).strip(" ,;:()")
    return kept or EDITOR_ROLE_LABEL


@dataclass(frozen=True)
class Observation:
    id: int
    indicator: str
    observed_on: date
    value: float
    source: str
    entered_by: str
    entered_at: datetime

    @property
    def public_entered_by(self) -> str:
        """Who entered it, as shown to anyone who is not an editor: never an email."""
        return public_editor_label(self.entered_by)


@dataclass(frozen=True)
class ImportReport:
    """What an observation import read, stored, or (in a dry run) would store."""

    path: str
    read: int
    stored: int
    skipped_existing: int
    dry_run: bool
