"""Configuration: environment variables ``PERMED_*`` and one data directory.

Nothing is read at import time; :func:`get_settings` builds the settings once
per process and tests build their own :class:`Settings` directly.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any, overload

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as EnvParseError

from permed_atlas.errors import SettingsError
from permed_atlas.i18n import Message, gettext_noop

_DEV_SECRET_FILE = "secret_key"


class _InDataDir(property):
    """A path inside the data directory, read as an attribute: ``settings.reports_dir``.

    A ``property`` so that pydantic leaves it alone and the layout can be listed from
    the class; typed so that reading it on settings gives a :class:`~pathlib.Path`.

    :param name: the file or folder name inside ``data_dir``.
    :param doc: what the path holds.
    """

    def __init__(self, name: str, doc: str) -> None:
        super().__init__(lambda settings: settings.data_dir / name)
        # property(doc=...) keeps a subclass's docstring instead (Python 3.11); help() reads this.
        self.__doc__ = doc

    @overload
    def __get__(self, instance: None, owner: type | None = None, /) -> _InDataDir: ...

    @overload
    def __get__(self, instance: Settings, owner: type | None = None, /) -> Path: ...

    def __get__(self, instance: Settings | None, owner: type | None = None, /) -> Any:
        return super().__get__(instance, owner)


def existing_dirs(*folders: Path) -> list[Path]:
    """Those of ``folders`` that exist, in order.

    A deployment's optional folders (extra transfer rules, extra helpdesk knowledge) are
    read only once someone has made them; the loaders refuse a folder that is missing.

    :param folders: folders, usually the settings' data-directory layout.
    """
    return [folder for folder in folders if folder.is_dir()]


# DuckDB's memory cap for every process that writes the corpus (an ingest's tagging and
# index, `permed tag`, a snapshot sync, the demo, the web app finishing tags). Uncapped
# (DuckDB's default, 80% of RAM) tagging 1M works peaked at 5.5 GiB RSS; issue #19 asks for
# <= 1.5 GiB at 5M. The process holds 300-450 MiB beyond the cap (Python, jieba's dictionary,
# DuckDB's allocations outside its buffer pool), hence less than 1 GiB; beyond it DuckDB
# spills to <corpus>.tmp.
CORPUS_MEMORY_LIMIT = "800MiB"
_MEMORY_SIZE = re.compile(r"\d+(\.\d+)?\s*([KMGT]i?B|B)", re.IGNORECASE)


def parse_memory_limit(value: str | None, *, name: str) -> str | None:
    """A DuckDB memory cap as given (``"800MiB"``, ``"2GB"``), or None for ``none``/empty.

    :param value: what the user wrote.
    :param name: the setting or option, named in the error.
    :raises SettingsError: ``value`` is not a size.
    """
    if value is None or value.strip().lower() in {"", "none"}:
        return None
    if not _MEMORY_SIZE.fullmatch(value.strip()):
        raise SettingsError(
            Message(
                "%(name)s: %(value)s is not a memory size such as 800MiB or "
                "2GB (or none for no cap)",
                name=name,
                value=repr(value),
            )
        )
    return value.strip()


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_heavy_queries() -> int:
    """The CPU cores this process may use, at most 8: how many heavy queries run at once.

    A DuckDB query already uses every core, so more at once only makes each slower.
    """
    return max(1, min(_cores(), 8))


def default_pdf_renders() -> int:
    """Half the CPU cores, 1 to 4: how many PDFs are printed at once.

    A headless Chromium runs ~10 processes and wants more than one core while it prints.
    """
    return max(1, min(_cores() // 2, 4))


class Settings(BaseSettings):
    """All settings of the platform.

    :param data_dir: the one directory holding the corpus (DuckDB), the SQLite
        platform database, reports and exports.
    :param database_url: SQLAlchemy URL of the platform database; SQLite in the
        data directory when not given, PostgreSQL when it names one.
    :param secret_key: signs session cookies and CSRF tokens; generated once
        and kept in the data directory when not given.
    :param include_hk_mo_in_china: whether Hong Kong and Macao count as China
        in the "CN" region.
    :param environment: ``local`` or ``production``; production refuses unsafe
        defaults.
    :param delphi_min_group_size: the smallest group (e.g. a region) whose Delphi
        figures are shown; smaller groups are withheld so no expert can be singled out.
    :param web_threads: worker threads that run the web routes; the database
        pool holds as many connections, so a route never waits for one while
        another route holding one waits for a thread.
    :param heavy_queries: web requests reading the corpus (landscape, partner finder),
        drawing a chart image, answering a helpdesk question, searching the directory or
        assessing a transfer that run at once; more wait (see ``busy_wait_seconds``).
    :param pdf_renders: web requests printing a PDF (a Chromium each) that run at once.
    :param hub_queries: web requests asking the federation's biobank nodes that run at once.
    :param busy_wait_seconds: how long a request waits for one of those places before it
        gets 503 with ``Retry-After``.
    :param max_body_bytes: the largest request body (uploads included); larger
        bodies get 413, counted as they stream in.
    :param max_json_body_bytes: the largest JSON request body (decoded and validated on the
        event loop, so smaller than ``max_body_bytes``); larger ones get 413.
    :param session_idle_timeout: seconds without a request after which a login ends.
    :param session_absolute_timeout: seconds after logging in at which a login ends.
    :param trusted_proxies: addresses or networks of reverse proxies whose
        ``X-Forwarded-For`` and ``X-Forwarded-Proto`` headers are believed.
    :param openalex_api_key: the OpenAlex API key ``permed fetch openalex`` sends; never
        printed or logged.
    :param openalex_email: the e-mail sent as ``mailto`` (OpenAlex's polite pool).
    :param openalex_url: the OpenAlex API's base URL.
    :param ncbi_api_key: the NCBI E-utilities API key (10 instead of 3 requests a second).
    :param ncbi_email: the e-mail NCBI asks every E-utilities client to send.
    :param ncbi_tool: the tool name sent to NCBI with the e-mail.
    :param eutils_url: the E-utilities base URL.
    :param fetch_max_retries: retries of one request after a 429, a 5xx, a dropped
        connection or a cut response, before a fetch gives up (it can be resumed).
    :param fetch_backoff_seconds: the first wait before a retry; each next one doubles,
        with random jitter.
    :param fetch_backoff_max_seconds: the longest wait before a retry (a server's
        ``Retry-After`` included).
    :param fetch_timeout_seconds: how long one request may wait for the server.
    :param openalex_snapshot_url: the OpenAlex snapshot bucket's HTTPS address
        (``permed sync openalex-snapshot``); tests point it at a local server.
    :param corpus_memory_limit: DuckDB's memory cap while the corpus is tagged, indexed
        and published, and for all the web app's corpus queries together (``none``: DuckDB's
        default, 80% of RAM); work beyond it spills to ``<corpus>.tmp``, so a larger cap is
        faster, not needed.
    """

    model_config = SettingsConfigDict(env_prefix="PERMED_", extra="ignore")

    data_dir: Path = Field(default=Path("permed-data"))
    database_url: str | None = None
    secret_key: str | None = None
    include_hk_mo_in_china: bool = True
    environment: str = "local"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    delphi_min_group_size: int = Field(default=5, ge=1)
    web_threads: int = Field(default=40, ge=1, le=1000)
    heavy_queries: int = Field(default_factory=default_heavy_queries, ge=1, le=1000)
    pdf_renders: int = Field(default_factory=default_pdf_renders, ge=1, le=1000)
    hub_queries: int = Field(default=8, ge=1, le=1000)
    busy_wait_seconds: float = Field(default=5.0, ge=0.0, le=600.0)
    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    max_json_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    session_idle_timeout: int = Field(default=2 * 3600, ge=60)
    session_absolute_timeout: int = Field(default=24 * 3600, ge=60)
    trusted_proxies: list[str] = Field(default_factory=list)
    openalex_api_key: SecretStr | None = None
    openalex_email: str | None = None
    openalex_url: str = "https://api.openalex.org"
    ncbi_api_key: SecretStr | None = None
    ncbi_email: str | None = None
    ncbi_tool: str = "permed-atlas"
    eutils_url: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    fetch_max_retries: int = Field(default=8, ge=0, le=100)
    fetch_backoff_seconds: float = Field(default=1.0, ge=0.0)
    fetch_backoff_max_seconds: float = Field(default=120.0, ge=0.0)
    fetch_timeout_seconds: float = Field(default=60.0, gt=0.0)
    openalex_snapshot_url: str = "https://openalex.s3.amazonaws.com"
    corpus_memory_limit: str | None = CORPUS_MEMORY_LIMIT

    def __init__(self, **values: Any) -> None:
        # pydantic's own report is a multi-line traceback naming the field, not the
        # variable the user set: `permed` would print it whole (PERMED_PORT=abc)
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise _invalid_setting(exc) from exc
        except EnvParseError as exc:
            raise _unparsable_setting(exc) from exc

    @field_validator("trusted_proxies", mode="after")
    @classmethod
    def _parse_proxies(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError as exc:
                raise SettingsError(
                    Message(
                        "PERMED_TRUSTED_PROXIES: %(entry)s is not an IP address or network",
                        entry=repr(entry),
                    )
                ) from exc
        return value

    @field_validator("corpus_memory_limit", mode="after")
    @classmethod
    def _parse_corpus_memory_limit(cls, value: str | None) -> str | None:
        return parse_memory_limit(value, name="PERMED_CORPUS_MEMORY_LIMIT")

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment not in {"local", "production", "test"}:
            raise SettingsError(
                Message(
                    "PERMED_ENVIRONMENT must be local, production or test, not %(environment)s",
                    environment=repr(self.environment),
                )
            )
        if self.environment == "production" and not self.secret_key:
            raise SettingsError(
                Message("PERMED_SECRET_KEY must be set when PERMED_ENVIRONMENT=production")
            )
        if self.secret_key is not None and len(self.secret_key) < 32:
            raise SettingsError(Message("PERMED_SECRET_KEY must be at least 32 characters long"))
        heavy = self.heavy_queries + self.pdf_renders + self.hub_queries
        if 2 * heavy > self.web_threads:
            # heavy work that can take most threads makes the cheap pages wait for one
            raise SettingsError(
                Message(
                    "PERMED_HEAVY_QUERIES + PERMED_PDF_RENDERS + PERMED_HUB_QUERIES (%(heavy)s) "
                    "may take at most half of PERMED_WEB_THREADS (%(threads)s), so that the "
                    "other pages always find a free thread",
                    heavy=heavy,
                    threads=self.web_threads,
                )
            )
        return self

    @property
    def platform_database_url(self) -> str:
        """The platform database URL, SQLite in the data directory by default."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'platform.sqlite').resolve()}"

    # The data directory's layout: one attribute per folder, the only place its names are spelt.

    corpus_path = _InDataDir("corpus.duckdb", "The DuckDB file holding the landscape corpus.")
    reports_dir = _InDataDir("reports", "Reports written by ``permed report`` and ``permed demo``.")
    regions_dir = _InDataDir(
        "regions", "The user's own region set files (``<CODE>.yaml``), beside the bundled ones."
    )
    topics_dir = _InDataDir(
        "topics", "The user's tagging rules (``rules.yaml``), which replace the bundled ones."
    )
    transfer_rules_dir = _InDataDir(
        "transfer_rules", "The deployment's extra or amended transfer rule files."
    )
    helpdesk_knowledge_dir = _InDataDir(
        "helpdesk_knowledge", "The deployment's extra or corrected helpdesk knowledge files."
    )
    federation_dir = _InDataDir("federation", "The hub's node registry (``nodes.yaml``).")
    partners_dir = _InDataDir("partners", "The partner finder's cache of profile embeddings.")
    fetch_dir = _InDataDir(
        "fetch",
        "``permed fetch``: per source (``openalex/``, ``pubmed/``), one folder of pages and "
        "resume state per query.",
    )
    demo_corpus_dir = _InDataDir(
        "demo-corpus", "Where ``permed demo-corpus`` writes when given no ``--out``."
    )
    openalex_snapshot_dir = _InDataDir(
        "openalex-snapshot",
        "Where ``permed sync openalex-snapshot`` keeps the bucket's files when given no "
        "``--dest``.",
    )

    @classmethod
    def layout_of(cls, data_dir: Path) -> Settings:
        """The folders of ``data_dir``, for helpers given a bare path (reads no environment).

        :param data_dir: a data directory.
        """
        return cls.model_construct(data_dir=data_dir)

    def ensure_data_dir(self) -> Path:
        """Create the data directory (and its sub-folders) if missing and return it.

        :raises SettingsError: the directory cannot be made (a file is in the way, no
            permission): the error names ``PERMED_DATA_DIR``, the one place to change it.
        """
        for folder in (self.data_dir, self.reports_dir):
            if folder.exists() and not folder.is_dir():
                raise SettingsError(
                    Message(
                        "PERMED_DATA_DIR: %(path)s is a file, not a directory",
                        path=str(folder),
                    )
                )
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise SettingsError(
                    Message(
                        "PERMED_DATA_DIR: cannot create %(path)s: %(reason)s",
                        path=str(folder),
                        reason=exc.strerror or str(exc),
                    )
                ) from exc
        return self.data_dir

    def resolved_secret_key(self) -> str:
        """The configured secret key, or one generated once and kept in the data directory.

        A generated key is kept in a file (mode 0600) so that sessions survive a
        restart; it is never logged.
        """
        if self.secret_key:
            return self.secret_key
        self.ensure_data_dir()
        path = self.data_dir / _DEV_SECRET_FILE
        if path.exists():
            return _read_secret_key(path)
        return _create_secret_key(path)


def _read_secret_key(path: Path) -> str:
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < 32:
        # Signing cookies with an empty or short key would let anyone forge a session.
        raise SettingsError(
            Message(
                "%(path)s holds no usable secret key (under 32 characters): delete it to "
                "generate a new one (everyone is logged out), or set PERMED_SECRET_KEY",
                path=str(path),
            )
        )
    return key


def _create_secret_key(path: Path) -> str:
    """Write a new key to ``path`` unless another process got there first; the key in force.

    The file is created whole with mode 0600 and then linked into place: written in place, it
    was readable by all until a chmod, could be left empty by a crash, and two processes
    starting together (web workers, the CLI) could each keep a different key.
    """
    key = secrets.token_urlsafe(48)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(key)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(draft, path)
        except FileExistsError:
            return _read_secret_key(path)
    finally:
        draft.unlink(missing_ok=True)
    return key


# pydantic's error types -> what the value should be, and which bound of its ctx fills it in
_REASONS: dict[str, tuple[str, str]] = {
    "int_parsing": (gettext_noop("not a whole number"), ""),
    "int_from_float": (gettext_noop("not a whole number"), ""),
    "float_parsing": (gettext_noop("not a number"), ""),
    "bool_parsing": (gettext_noop("not true or false"), ""),
    "greater_than_equal": (gettext_noop("must be at least %(limit)s"), "ge"),
    "greater_than": (gettext_noop("must be greater than %(limit)s"), "gt"),
    "less_than_equal": (gettext_noop("must be at most %(limit)s"), "le"),
    "less_than": (gettext_noop("must be less than %(limit)s"), "lt"),
}


def _variable(field: object) -> str:
    return f"PERMED_{str(field).upper()}"


def _invalid_setting(exc: ValidationError) -> SettingsError:
    """One line naming the variable, its value and what it should be (the first problem)."""
    error = exc.errors()[0]
    known = _REASONS.get(error["type"])
    if known is None:
        reason: object = error["msg"]  # a rarer check: pydantic's own (English) words
    else:
        template, bound = known
        limits = {"limit": (error.get("ctx") or {})[bound]} if bound else {}
        reason = Message(template, **limits)
    return SettingsError(
        Message(
            "%(name)s: %(value)s: %(reason)s",
            name=_variable(error["loc"][0] if error["loc"] else "?"),
            value=repr(error.get("input")),
            reason=reason,
        )
    )


def _unparsable_setting(exc: EnvParseError) -> SettingsError:
    """A list setting whose value is not JSON (pydantic-settings names only the field)."""
    import os

    match = re.search(r'field "(\w+)"', str(exc))
    name = _variable(match.group(1) if match else "?")
    return SettingsError(
        Message(
            '%(name)s: %(value)s is not a JSON list such as ["127.0.0.1"]',
            name=name,
            value=repr(os.environ.get(name, "")),
        )
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()
