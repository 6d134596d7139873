"""The platform database: SQLAlchemy engine, sessions and Alembic migrations.

SQLite (WAL mode) in the data directory by default, PostgreSQL when
``PERMED_DATABASE_URL`` names one. Every capability's mapped classes derive
from :class:`Base`, so one metadata describes the whole platform schema.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    JSON,
    Column,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    mapped_column,
    sessionmaker,
)
from sqlalchemy.orm import object_mapper as _object_mapper

from permed_atlas.errors import DatabaseError, InvalidInputError
from permed_atlas.i18n import Message
from permed_atlas.limits import (
    COLUMN_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TextTooLongError,
    check_length,
)
from permed_atlas.settings import Settings

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_Model = TypeVar("_Model", bound="DataclassInstance")

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Named constraints keep Alembic's batch mode on SQLite able to drop and alter them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every platform table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def owned_by(table: str) -> Mapped[int]:
    """A key to the row this one belongs to: deleted with it, and indexed to look it up by.

    :param table: the owning table (its primary key is ``id``).
    """
    return mapped_column(Integer, ForeignKey(f"{table}.id", ondelete="CASCADE"), index=True)


def written_by() -> Mapped[int | None]:
    """A key to the user who wrote the row; the row outlives the account (the key is cleared)."""
    return mapped_column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True)


def model_from_row(model: type[_Model], row: object, **values: Any) -> _Model:
    """A store's core dataclass from a mapped row: each field is the row's column of that name.

    So the store names only what differs (a join, a conversion, a renamed column), and a
    field added to the model and the table needs no line here.

    :param model: the core dataclass.
    :param row: the mapped row (or any object with the fields as attributes).
    :param values: the fields the row does not hold as they are.
    :raises AttributeError: a field with no default that neither the row nor ``values`` has.
    """
    for field in dataclasses.fields(model):
        if not field.init or field.name in values:
            continue
        has_default = (
            field.default is not dataclasses.MISSING
            or field.default_factory is not dataclasses.MISSING
        )
        if not has_default or hasattr(row, field.name):
            values[field.name] = getattr(row, field.name)
    return model(**values)


def column_limit(table: Table, column: Column[Any]) -> int | None:
    """The most characters ``column`` stores (see :mod:`permed_atlas.limits`), or None."""
    name = f"{table.name}.{column.name}"
    if name in COLUMN_MAX_LENGTH:
        return COLUMN_MAX_LENGTH[name]
    if isinstance(column.type, String):
        return column.type.length or TEXT_MAX_LENGTH
    if isinstance(column.type, JSON):
        return TEXT_MAX_LENGTH
    return None


def _check(table: Table, values: dict[str, Any]) -> None:
    for key, value in values.items():
        column = table.columns.get(key)
        if column is None or value is None:
            continue
        try:
            check_length(f"{table.name}.{column.name}", value, limit=column_limit(table, column))
        except TextTooLongError as exc:
            raise InvalidInputError(str(exc), field=column.name) from exc
        # PostgreSQL refuses a NUL in any text (a 500 from psycopg's DataError, e.g. for a
        # login e-mail ending in %00), SQLite stores it: refused on both, naming the column.
        if _holds_nul(value):
            name = f"{table.name}.{column.name}"
            raise InvalidInputError(
                Message(
                    "%(column)s: contains a NUL character (0x00), which no text may hold",
                    column=name,
                ),
                field=column.name,
            )


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False


@event.listens_for(Session, "before_flush")
def _check_flushed_text(session: Session, _context: Any, _instances: Any) -> None:
    for instance in [*session.new, *session.dirty]:
        mapper = _object_mapper(instance)
        for table in mapper.tables:
            if not isinstance(table, Table):
                continue
            values = {}
            for column in table.columns:
                prop = mapper.get_property_by_column(column)
                values[column.name] = getattr(instance, prop.key, None)
            _check(table, values)


@event.listens_for(Session, "do_orm_execute")
def _check_executed_text(state: ORMExecuteState) -> None:
    # Core-style insert()/update() through a Session skip the flush: check their values too.
    statement = state.statement
    if not (state.is_insert or state.is_update):
        return
    table = getattr(statement, "table", None)
    if not isinstance(table, Table):
        return
    parameters: Any = state.parameters
    rows: list[Any] = parameters if isinstance(parameters, list) else [parameters or {}]
    bound = {
        getattr(key, "key", str(key)): getattr(value, "value", value)
        for key, value in (getattr(statement, "_values", None) or {}).items()
    }
    for row in rows:
        _check(table, {**bound, **{str(k): v for k, v in dict(row).items()}})


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while one writer commits; busy_timeout makes
    # concurrent writers wait their turn instead of failing with "locked".
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


DEFAULT_POOL_SIZE = 5


def make_engine(url: str, *, pool_size: int = DEFAULT_POOL_SIZE) -> Engine:
    """Build an engine for ``url``, configured for concurrent use on SQLite.

    :param url: a SQLAlchemy database URL.
    :param pool_size: connections kept open; the web app passes its worker thread
        count, because a request keeps its connection until FastAPI has serialised
        the response, which needs a free thread: with fewer connections than
        threads, threads waiting for a connection can starve the holders (a
        deadlock broken only by the pool timeout).
    """
    if url.startswith("sqlite"):
        if ":memory:" in url or url in {"sqlite://", "sqlite:///"}:
            from sqlalchemy.pool import StaticPool

            engine = create_engine(
                url, connect_args={"check_same_thread": False}, poolclass=StaticPool
            )
        else:
            path = url.split("///", 1)[-1]
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(
                url,
                connect_args={"check_same_thread": False, "timeout": 30},
                pool_size=pool_size,
                max_overflow=10,
            )
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=10)


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """One engine per database URL per process."""
    return make_engine(url)


def engine_for(settings: Settings) -> Engine:
    """The engine of the platform database named by ``settings``."""
    settings.ensure_data_dir()
    return get_engine(settings.platform_database_url)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine``; callers own their transactions."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back otherwise."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def migrated_engine(settings: Settings) -> Engine:
    """The engine of the platform database of ``settings``, migrated to the newest schema.

    What a command run from the shell needs: the database may be new or older than the code.

    :param settings: names the platform database.
    """
    engine = engine_for(settings)
    upgrade_database(engine)
    return engine


@contextmanager
def migrated_session(settings: Settings) -> Iterator[Session]:
    """A :func:`session_scope` on the platform database of ``settings``, migrated first.

    :param settings: names the platform database.
    """
    with session_scope(migrated_engine(settings)) as session:
        yield session


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection_engine"] = engine
    return config


def upgrade_database(engine: Engine) -> None:
    """Bring the platform database to the newest schema (``alembic upgrade heads``).

    :param engine: the engine of the database to migrate.
    """
    from alembic import command

    try:
        command.upgrade(_alembic_config(engine), "heads")
    except SQLAlchemyError as exc:
        raise DatabaseError(
            Message("cannot migrate the platform database: %(exc)s", exc=exc)
        ) from exc


def current_revisions(engine: Engine) -> set[str]:
    """The Alembic revisions the database is at."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def head_revisions() -> set[str]:
    """The newest revisions the code knows."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(make_engine("sqlite://")))
    return set(script.get_heads())
