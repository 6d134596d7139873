"""Pure: read observation CSV text and check an observation against its indicator.

The roadmap document itself is read by :mod:`permed_atlas.roadmap.spec`; observations come
later, from a file, a form or the API, and each is checked against the indicator it is for.
"""

from __future__ import annotations

import math
from datetime import date

from permed_atlas.csvfiles import read_csv
from permed_atlas.i18n import Message
from permed_atlas.roadmap.errors import InvalidRoadmapError, ObservationError
from permed_atlas.roadmap.models import Indicator, ObservationInput
from permed_atlas.roadmap.spec import fail, is_percent, parse_date, parse_number, units_match

CSV_COLUMNS: tuple[str, ...] = ("indicator", "date", "value", "unit", "source")


def read_observation_rows(
    text: str, *, where: str
) -> tuple[list[ObservationInput], list[tuple[int, str, str]]]:
    """Read observation rows from CSV text; return the good rows and ``(line, field, problem)``.

    Columns: indicator, date, value, unit, source (header required, order free).

    :param text: the CSV text.
    :param where: the file name, for messages.
    """
    header, csv_rows = read_csv(text)
    missing = [column for column in CSV_COLUMNS if column not in header]
    if missing:
        return [], [
            (
                1,
                missing[0],
                f"the header has no column {missing[0]!r} (expected {', '.join(CSV_COLUMNS)})",
            )
        ]
    extra = [column for column in header if column not in CSV_COLUMNS]
    if extra:
        return [], [
            (1, extra[0], f"unknown column {extra[0]!r} (expected {', '.join(CSV_COLUMNS)})")
        ]
    rows: list[ObservationInput] = []
    problems: list[tuple[int, str, str]] = []
    for row in csv_rows:
        line, record = row.line, row.cells
        if row.ragged:
            problems.append((line, "value", "more fields than the header has"))
            continue
        try:
            for column in CSV_COLUMNS:
                if not record.get(column):
                    raise fail(where, column, "missing")
            rows.append(
                ObservationInput(
                    indicator=record["indicator"],
                    observed_on=parse_date(record["date"], where=where, field="date"),
                    value=parse_number(record["value"], where=where, field="value"),
                    unit=record["unit"],
                    source=record["source"],
                    line=line,
                )
            )
        except InvalidRoadmapError as exc:
            message = str(exc).split(": ", 2)[-1]
            problems.append((line, exc.field or "?", message))
    if not rows and not problems:
        problems.append((1, "indicator", "the file has no observation rows"))
    return rows, problems


def check_observation(
    indicator: Indicator, observation: ObservationInput, *, today: date | None = None
) -> list[tuple[str, str]]:
    """What is wrong with an observation for this indicator, as ``(field, problem)``.

    :param indicator: the indicator it is for.
    :param observation: the observation.
    :param today: observations after this date are refused.
    """
    problems: list[tuple[str, str]] = []
    if observation.unit is not None and not units_match(indicator.unit, observation.unit):
        problems.append(
            (
                "unit",
                f"{observation.unit!r} is not the unit of {indicator.code} ({indicator.unit!r}); "
                f"enter the value in {indicator.unit} (no conversion between units is defined)",
            )
        )
    if observation.observed_on < indicator.baseline_date:
        problems.append(
            (
                "date",
                f"{observation.observed_on.isoformat()} is before the baseline date "
                f"{indicator.baseline_date.isoformat()} of {indicator.code}",
            )
        )
    if today is not None and observation.observed_on > today:
        problems.append(("date", f"{observation.observed_on.isoformat()} is in the future"))
    if not math.isfinite(observation.value):
        problems.append(("value", "is not a finite number"))
    elif is_percent(indicator.unit) and not 0.0 <= observation.value <= 100.0:
        problems.append(("value", f"{observation.value:g} is not a percentage (0-100)"))
    if not observation.source.strip():
        problems.append(("source", "missing"))
    return problems


def raise_for_observation(
    indicator: Indicator, observation: ObservationInput, *, today: date | None = None
) -> None:
    """Raise :class:`ObservationError` naming the first bad field, if any.

    :param indicator: the indicator it is for.
    :param observation: the observation.
    :param today: observations after this date are refused.
    """
    problems = check_observation(indicator, observation, today=today)
    if problems:
        field, message = problems[0]
        raise ObservationError(
            Message(
                "observation for %(code)s: %(field)s: %(message)s",
                code=indicator.code,
                field=field,
                message=message,
            ),
            field=field,
        )
