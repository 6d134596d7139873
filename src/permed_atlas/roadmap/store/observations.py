"""Observations of the roadmap's indicators: read, looked up by date, stored."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from permed_atlas.i18n import Message
from permed_atlas.roadmap.errors import ObservationError
from permed_atlas.roadmap.models import Observation, ObservationInput
from permed_atlas.roadmap.store.rows import indicator_row, to_observation, utcnow
from permed_atlas.roadmap.tables import IndicatorRow, ObservationRow


def list_observations(session: Session, code: str) -> list[Observation]:
    """An indicator's observations in date order.

    :param session: the platform database session.
    :param code: the indicator's code.
    """
    row, _ = indicator_row(session, code)
    rows = session.scalars(
        select(ObservationRow)
        .where(ObservationRow.indicator_id == row.id)
        .order_by(ObservationRow.observed_on)
    )
    return [to_observation(observation, code) for observation in rows]


def find_observation(session: Session, code: str, observed_on: date) -> Observation | None:
    """The observation of indicator ``code`` on a date, if one is stored."""
    row, _ = indicator_row(session, code)
    stored = session.scalar(
        select(ObservationRow).where(
            ObservationRow.indicator_id == row.id, ObservationRow.observed_on == observed_on
        )
    )
    return None if stored is None else to_observation(stored, code)


def observations_by_indicator(
    session: Session, codes: Sequence[str]
) -> dict[str, list[Observation]]:
    """The observations of several indicators, by indicator code (one query for all)."""
    ids = {
        row.code: row.id
        for row in session.scalars(select(IndicatorRow).where(IndicatorRow.code.in_(list(codes))))
    }
    found: dict[str, list[Observation]] = {code: [] for code in ids}
    if ids:
        code_of = {v: k for k, v in ids.items()}
        for row in session.scalars(
            select(ObservationRow).where(ObservationRow.indicator_id.in_(list(ids.values())))
        ):
            found[code_of[row.indicator_id]].append(to_observation(row, code_of[row.indicator_id]))
    return found


def add_observations(
    session: Session,
    observations: Iterable[ObservationInput],
    *,
    actor_id: int | None,
    entered_by: str,
) -> list[Observation]:
    """Store checked observations (the caller checks them and records the audit entry).

    :param observations: each names its indicator by code.
    :param actor_id: the editor's user id (None for the CLI or the system).
    :param entered_by: who entered them, as shown on pages.
    :raises ObservationError: another writer stored one of the same indicator and date first.
    """
    now = utcnow()
    stored: list[tuple[ObservationRow, str]] = []
    for observation in observations:
        row, _ = indicator_row(session, observation.indicator)
        stored.append(
            (
                ObservationRow(
                    indicator_id=row.id,
                    observed_on=observation.observed_on,
                    value=observation.value,
                    source=observation.source.strip(),
                    entered_by_id=actor_id,
                    entered_by=entered_by,
                    entered_at=now,
                ),
                observation.indicator,
            )
        )
    session.add_all(row for row, _ in stored)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent writer got there first
        codes = ", ".join(sorted({code for _, code in stored}))
        raise ObservationError(
            Message("observation for %(codes)s: date: already stored", codes=codes),
            field="date",
        ) from exc
    return [to_observation(row, code) for row, code in stored]
