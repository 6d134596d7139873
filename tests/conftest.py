"""Shared fixtures: a fresh data directory and platform database per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from permed_atlas.db import make_engine, session_factory, upgrade_database
from permed_atlas.errors import DatabaseError
from permed_atlas.settings import Settings

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def realdata() -> Path:
    """The shared folder of real sample records (../shared/realdata beside the repo)."""
    path = Path(os.environ.get("PERMED_REALDATA", REALDATA))
    if not path.is_dir():
        pytest.fail(f"real sample data not found at {path}; set PERMED_REALDATA")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at a fresh data directory, with a fixed test secret."""
    return Settings(
        data_dir=tmp_path / "permed-data",
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        environment="test",
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """A migrated SQLite platform database in the test's data directory."""
    settings.ensure_data_dir()
    engine = make_engine(settings.platform_database_url)
    upgrade_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def race_engine(request: pytest.FixtureRequest, engine: Engine) -> Iterator[Engine]:
    """For races between two transactions (tests/races.py): the test's SQLite engine, then
    a freshly migrated PostgreSQL database."""
    if request.param == "sqlite":
        yield engine
        return
    from tests.security.pg import fresh_postgres_database

    with fresh_postgres_database() as url:
        pg = make_engine(url)
        upgrade_database(pg)
        yield pg
        pg.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the migrated database; the test owns the transaction."""
    with session_factory(engine)() as session:
        yield session


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, each worker sees the terminal and a PostgreSQL database of its own.

    A worker starts with COLUMNS=80 and LINES=24 in its environment; Rich consoles made at
    import would keep that width for good and ignore the COLUMNS a test sets, as in a serial run.
    The tests marked ``postgres`` migrate and empty the tables of the database
    PERMED_TEST_POSTGRES_URL names; two workers on one database would see each
    other's rows and race on the migrations. Each worker creates ``<database>_<worker>``
    (anew, on the same server) and points the variable at it.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    os.environ.pop("COLUMNS", None)
    os.environ.pop("LINES", None)
    url = os.environ.get("PERMED_TEST_POSTGRES_URL")
    if not url:
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = make_url(url)
    name = f"{server.database}_{worker}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    os.environ["PERMED_TEST_POSTGRES_URL"] = server.set(database=name).render_as_string(
        hide_password=False
    )


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """The migrated PostgreSQL server scripts/start-postgres.sh provided; skips without one.

    The test empties the tables it wrote: the server outlives the test run.
    """
    url = os.environ.get("PERMED_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PERMED_TEST_POSTGRES_URL not set: scripts/start-postgres.sh found no server")
    engine = make_engine(url)
    try:
        upgrade_database(engine)
    except DatabaseError as exc:
        engine.dispose()
        if "character varying(32)" in str(exc):
            pytest.skip(f"migrations fail on this server (tests/test_db.py reports it): {exc}")
        raise
    yield engine
    engine.dispose()


# --- web fixtures (owned by the web helper) -------------------------------------------------


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing():  # type: ignore[no-untyped-def]
    """argon2id with tiny costs in tests: the default (64 MiB, 3 passes) takes ~0.5 s a hash."""
    from permed_atlas.accounts.passwords import set_hash_parameters

    set_hash_parameters(time_cost=1, memory_cost=1024, parallelism=1)
    yield


@pytest.fixture(scope="session")
def _migrated_platform_template(tmp_path_factory):  # type: ignore[no-untyped-def]
    """One migrated SQLite platform database per test session, copied by ``app``."""
    path = tmp_path_factory.mktemp("platform-template") / "platform.sqlite"
    template_engine = make_engine(f"sqlite:///{path}")
    upgrade_database(template_engine)
    template_engine.dispose()
    return path


@pytest.fixture
def app(settings: Settings, _migrated_platform_template):  # type: ignore[no-untyped-def]
    """The web app on the test's data directory (platform database migrated, corpus lazy).

    The database starts as a copy of a template migrated once per session, which
    saves a full migration per test; ``engine`` and ``session`` work on the same file.
    """
    import shutil

    from permed_atlas.web.app import create_app

    settings.ensure_data_dir()
    target = settings.data_dir / "platform.sqlite"
    if settings.database_url is None and not target.exists():
        shutil.copyfile(_migrated_platform_template, target)
    application = create_app(settings)
    yield application
    application.state.corpus.close()
    application.state.engine.dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    """A TestClient on ``app`` (cookies kept between requests, like a browser)."""
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def make_user(app):  # type: ignore[no-untyped-def]
    """Create an account: ``make_user("ed@example.org", "editor", "a-password")`` -> User."""
    from permed_atlas.accounts import create_user

    def _make(email: str, role: str = "member", password: str = "correct-horse-battery"):  # type: ignore[no-untyped-def]
        with app.state.session_factory() as session:
            user = create_user(session, email=email, password=password, role=role)
            session.commit()
        return user

    return _make


@pytest.fixture
def login():  # type: ignore[no-untyped-def]
    """Log a TestClient in: ``token = login(client, email, password)``.

    Returns the session's CSRF token and also sets it as the client's default
    ``X-CSRF-Token`` header, so later form posts and JSON writes pass the CSRF check.
    """

    def _login(client, email: str, password: str = "correct-horse-battery") -> str:  # type: ignore[no-untyped-def]
        token = client.get("/api/v1/auth/session").json()["csrf_token"]
        response = client.post(
            "/api/v1/auth/login",
            json={"email": email, "password": password},
            headers={"X-CSRF-Token": token},
        )
        assert response.status_code == 200, response.text
        new_token = response.json()["csrf_token"]
        client.headers["X-CSRF-Token"] = new_token
        return new_token

    return _login


# --- a small tagged and indexed corpus for web, landscape-route and browser tests ---------------

_INSTITUTIONS = {
    "DE": ["Charité Berlin", "Heidelberg University"],
    "FR": ["Inserm", "Institut Curie"],
    "IT": ["University of Milan"],
    "NL": ["Erasmus MC"],
    "ES": ["University of Barcelona"],
    "CN": ["Peking University", "Fudan University", "Sun Yat-sen University"],
    "US": ["Harvard University"],
    "GB": ["University of Oxford"],
    "JP": ["Kyoto University"],
}
_PHRASES = [
    "precision oncology",
    "pharmacogenomics of warfarin",
    "lung cancer",
    "machine learning",
    "rare disease registry",
    "cancer biomarkers",
    "whole genome sequencing",
    "breast cancer",
    "heart failure",
    "gene therapy",
    "polygenic risk scores",
    "depression and acupuncture",
]
FIRST_WORK_TITLE = "Precision medicine in lung cancer: a Sino-European cohort"


def fill_web_corpus(connection) -> int:  # type: ignore[no-untyped-def]
    """Fill a corpus with 120 deterministic works (work 1 is a known EU–China lung cancer paper)."""
    import random

    rng = random.Random(7)
    works, contributors, affiliations, ids = [], [], [], []
    countries = list(_INSTITUTIONS)
    for work_id in range(1, 121):
        kind = "patent" if work_id % 10 == 0 else "publication"
        if work_id == 1:
            title = FIRST_WORK_TITLE
            abstract = (
                "We applied whole-genome sequencing to tumours of patients in Germany and China."
            )
            chosen = ["DE", "CN"]
        else:
            a, b = rng.sample(_PHRASES, 2)
            title = f"{a.capitalize()} and {b} in a multicentre study {work_id}"
            abstract = None if work_id % 7 == 0 else f"Results on {a} with {b}. Cohort {work_id}."
            chosen = rng.sample(countries, rng.choice([1, 1, 2, 2, 3]))
        year = 2000 + work_id % 24
        doi = None if kind == "patent" else f"10.5555/web.{work_id}"
        works.append(
            (
                work_id,
                kind,
                ["openalex" if kind == "publication" else "lens"],
                f"W{9000 + work_id}" if kind == "publication" else None,
                doi,
                str(30000000 + work_id) if work_id % 3 == 0 and kind != "patent" else None,
                f"{work_id:03d}-000-000-000-000" if kind == "patent" else None,
                f"EP{3000000 + work_id}A1" if kind == "patent" else None,
                title,
                abstract,
                year,
                (work_id * 37) % 200,
            )
        )
        for position, country in enumerate(chosen, start=1):
            role = "applicant" if kind == "patent" else "author"
            contributors.append((work_id, position, role, f"Person {work_id}-{position}"))
            institution = rng.choice(_INSTITUTIONS[country])
            affiliations.append((work_id, position, f"I-{institution}", institution, country))
        if doi:
            ids.append(("doi", doi, work_id))
    # One multi-row INSERT per table: DuckDB's executemany is slow row by row.
    for table, columns, rows in (
        (
            "works",
            "work_id, kind, sources, openalex_id, doi, pmid, lens_id, publication_number, "
            "title, abstract, year, cited_by_count",
            works,
        ),
        ("contributors", "work_id, position, role, name", contributors),
        (
            "affiliations",
            "work_id, position, institution_id, institution_name, country_code",
            affiliations,
        ),
        ("work_ids", "id_type, id_value, work_id", ids),
        (
            "terms",
            "work_id, scheme, term",
            [(1, "mesh", "Precision Medicine"), (1, "mesh", "Lung Neoplasms")],
        ),
    ):
        width = len(rows[0])
        placeholders = ", ".join("(" + ", ".join("?" * width) + ")" for _ in rows)
        connection.execute(
            f"INSERT INTO {table} ({columns}) VALUES {placeholders}",
            [value for row in rows for value in row],
        )
    return len(works)


@pytest.fixture(scope="session")
def _web_corpus_template(tmp_path_factory):  # type: ignore[no-untyped-def]
    from permed_atlas.landscape.regions import load_region_sets
    from permed_atlas.landscape.store.corpus import open_corpus
    from permed_atlas.landscape.store.search import build_search_index
    from permed_atlas.landscape.store.tagging import tag_corpus
    from permed_atlas.landscape.topics import load_rules

    folder = tmp_path_factory.mktemp("web-corpus")
    path = folder / "corpus.duckdb"
    with open_corpus(path) as connection:
        fill_web_corpus(connection)
        regions = load_region_sets(Settings(data_dir=folder))
        tag_corpus(connection, regions=regions, rules=load_rules())
        build_search_index(connection)
    return path


@pytest.fixture
def web_corpus(settings: Settings, _web_corpus_template):  # type: ignore[no-untyped-def]
    """A tagged, search-indexed corpus of 120 works at ``settings.corpus_path``."""
    import shutil

    settings.ensure_data_dir()
    shutil.copyfile(_web_corpus_template, settings.corpus_path)
    return settings.corpus_path


@pytest.fixture(scope="module")
def read_only_client(tmp_path_factory, _migrated_platform_template, _web_corpus_template):  # type: ignore[no-untyped-def]
    """One TestClient per test module on an app over the 120-work corpus.

    For tests that only read (no logins, no writes): building the app once per
    module instead of once per test keeps the suite fast.
    """
    import shutil

    from fastapi.testclient import TestClient

    from permed_atlas.web.app import create_app

    data_dir = tmp_path_factory.mktemp("read-only-app") / "permed-data"
    shared = Settings(
        data_dir=data_dir,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        environment="test",
    )
    shared.ensure_data_dir()
    shutil.copyfile(_migrated_platform_template, data_dir / "platform.sqlite")
    shutil.copyfile(_web_corpus_template, shared.corpus_path)
    application = create_app(shared)
    with TestClient(application, base_url="http://testserver") as test_client:
        yield test_client
