"""A node's query log (SQLite) and the views of it that budgets and the differencing guard read.

Every question is logged with its requester: many small transactional writes, which
DuckDB is slow at, hence SQLite. The log is the record; the in-memory views of it
(today's use per requester, each requester's answered questions of the window) are
filled from it on first use, so they survive a restart and keep each answer's cost
flat as the log grows. The same file keeps the secret the record keys derive from,
and the nonces of the tokens the node has accepted, until they expire.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import orjson

from permed_atlas.federation.auth import MAX_CLOCK_SKEW_S
from permed_atlas.federation.disclosure import QueryHistory, shown_interval
from permed_atlas.federation.mapping import NodeConfig
from permed_atlas.federation.models import CountQuery, DisclosureRules, Selection
from permed_atlas.federation.query import query_from_json, query_to_json

_LOG_SCHEMA = """
CREATE TABLE IF NOT EXISTS query_log (
    id INTEGER PRIMARY KEY,
    asked_at TEXT NOT NULL,  -- UTC, ISO 8601
    requester TEXT NOT NULL,
    issuer TEXT NOT NULL,
    entity TEXT NOT NULL,
    query_key TEXT NOT NULL,
    query_json TEXT NOT NULL,
    true_count INTEGER,
    shown TEXT,
    outcome TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_query_log_who ON query_log (issuer, requester, asked_at);
CREATE INDEX IF NOT EXISTS ix_query_log_day ON query_log (asked_at);
CREATE TABLE IF NOT EXISTS node_state (name TEXT PRIMARY KEY, value TEXT NOT NULL);
-- A token's nonce, once accepted: the primary key lets one of two concurrent replays in.
CREATE TABLE IF NOT EXISTS spent_token (
    issuer TEXT NOT NULL,
    nonce TEXT NOT NULL,
    expires_at INTEGER NOT NULL,  -- the token's expiry, Unix seconds
    PRIMARY KEY (issuer, nonce)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_spent_token_expiry ON spent_token (expires_at);
"""
# Added after the first release: an older log file gets them on open.
_LOG_COLUMNS = {
    "selection": "TEXT",  # Selection.key: the records the question selected
    "canonical_json": "TEXT",  # the question without its filters that restricted nothing
    "released": "INTEGER",  # the perturbed count, before threshold and rounding
}
_INSERT = (
    "INSERT INTO query_log (id, asked_at, requester, issuer, entity, query_key, query_json, "
    "true_count, shown, outcome, selection, canonical_json, released) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
EVERYONE = ("*", "*")
"""The requester slot of the node's global daily cap: every issuer and requester together."""
# Refusals count against budgets (else refused probing would be free); over-budget ones do not.
_COUNTED = "('answered', 'refused', 'bad_request')"


@dataclass(frozen=True)
class LogEntry:
    """One line of the node's query log."""

    at: datetime
    requester: str
    issuer: str
    query_key: str
    shown: str | None
    outcome: str


@dataclass(frozen=True)
class LoggedQuestion:
    """A question as logged: as asked, canonical, its records and its perturbed count."""

    query: CountQuery
    canonical: CountQuery
    selection: Selection
    released: int


def open_log_database(path: Path | None) -> sqlite3.Connection:
    """The log file at ``path`` (in memory when None), created or brought up to date."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(_LOG_SCHEMA)
    present = {row[1] for row in db.execute("PRAGMA table_info(query_log)")}
    for column, kind in _LOG_COLUMNS.items():
        if column not in present:
            db.execute(f"ALTER TABLE query_log ADD COLUMN {column} {kind}")
    db.execute(
        "CREATE INDEX IF NOT EXISTS ix_query_log_selection "
        "ON query_log (issuer, requester, selection)"
    )
    return db


def record_key_secret(db: sqlite3.Connection, config: NodeConfig, *, persistent: bool) -> str:
    """The secret the record keys derive from: random once, then kept in the node's log file.

    A node without a log file derives it from its configured noise secret, so
    its keys too survive a reload (and change when that secret is rotated).
    """
    if not persistent:
        return hmac.new(
            config.noise_secret.encode("utf-8"), b"permed record keys", hashlib.sha256
        ).hexdigest()
    with db:
        row = db.execute("SELECT value FROM node_state WHERE name = 'record_key_secret'").fetchone()
        if row:
            return str(row[0])
        value = secrets.token_hex(32)
        db.execute("INSERT INTO node_state VALUES ('record_key_secret', ?)", [value])
        return value


def naive_utc(moment: datetime) -> datetime:
    """``moment`` as the log stores it: UTC without a time zone."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


class QueryLog:
    """The log and its views; safe to share between server threads.

    Reading a view and writing the entry it leads to belong in one :meth:`transaction`,
    so two concurrent questions of one requester cannot both slip past a check.
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._used: dict[tuple[tuple[str, str], date], int] = {}
        self._histories: dict[tuple[str, str], tuple[QueryHistory, date]] = {}
        self._last_id = int(db.execute("SELECT coalesce(max(id), 0) FROM query_log").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the log to this thread, and commit what was written (roll back on an error)."""
        with self._lock, self._db:
            yield

    def used_on(self, who: tuple[str, str], now: datetime) -> int:
        """How many questions of ``who`` (or :data:`EVERYONE`) count against today's budget."""
        slot = (who, now.date())
        if slot not in self._used:
            day_start = datetime.combine(now.date(), datetime.min.time())
            next_day = (day_start + timedelta(days=1)).isoformat()
            sql = (
                "SELECT count(*) FROM query_log WHERE asked_at >= ? AND asked_at < ? "
                f"AND outcome IN {_COUNTED}"
            )
            params = [day_start.isoformat(), next_day]
            if who != EVERYONE:
                sql += " AND issuer = ? AND requester = ?"
                params += [who[0], who[1]]
            self._used[slot] = int(self._db.execute(sql, params).fetchone()[0])
        return self._used[slot]

    def count_use(self, who: tuple[str, str], now: datetime) -> None:
        """One more question today for ``who`` and for everyone (after :meth:`used_on` of both)."""
        for slot in ((who, now.date()), (EVERYONE, now.date())):
            self._used[slot] += 1

    def history_of(
        self, who: tuple[str, str], since: datetime, *, rules: DisclosureRules
    ) -> QueryHistory:
        """The questions ``who`` got answered since ``since``, for the differencing guard.

        :param rules: the node's rules, to read each logged display as the interval of
            perturbed counts it stands for (the guard compares what was shown).
        """
        known = self._histories.get(who)
        if known is not None:
            history, pruned_on = known
            if pruned_on != since.date():
                # Once a day, forget what left the window, so memory follows the window.
                history.forget_before(since)
                self._histories[who] = (history, since.date())
            return history
        # Every answered question of the window, however many: a bounded history is
        # beaten by asking filler questions until the one to difference with is forgotten.
        rows = self._db.execute(
            "SELECT selection, min(canonical_json), min(shown), max(asked_at) "
            "FROM query_log WHERE issuer = ? AND requester = ? AND asked_at >= ? "
            "AND outcome = 'answered' AND selection IS NOT NULL AND shown IS NOT NULL "
            "GROUP BY selection ORDER BY min(id)",
            [who[0], who[1], since.isoformat()],
        ).fetchall()
        history = QueryHistory()
        for key, text, shown, at in rows:
            history.add(
                query_from_json(orjson.loads(text)),
                shown_interval(shown, rules=rules),
                at=datetime.fromisoformat(at),
                key=key,
            )
        self._histories[who] = (history, since.date())
        return history

    def write(
        self,
        now: datetime,
        who: tuple[str, str],
        question: LoggedQuestion,
        shown: str | None,
        outcome: str,
    ) -> None:
        """Log a question and what became of it (inside a :meth:`transaction`).

        :param who: the token's issuer and the requester it names.
        """
        query, selection = question.query, question.selection
        self._db.execute(
            _INSERT,
            [
                self._next_id(),
                now.isoformat(),
                who[1],
                who[0],
                query.entity,
                query.key(),
                _json(query),
                selection.count,
                shown,
                outcome,
                selection.key,
                _json(question.canonical),
                question.released,
            ],
        )

    def write_failure(self, *, requester: str, issuer: str, outcome: str, now: datetime) -> None:
        """Log a request refused before it became a question (bad token, not allowed, bad filter).

        :param requester: who asked, as far as known ("" when the token was unreadable).
        """
        with self.transaction():
            self._db.execute(
                _INSERT,
                [
                    self._next_id(),
                    naive_utc(now).isoformat(),
                    requester,
                    issuer,
                    "",
                    "",
                    "{}",
                    None,
                    None,
                    outcome,
                    None,
                    None,
                    None,
                ],
            )

    def spend_token(self, *, issuer: str, nonce: str, expires_at: int, now: int) -> bool:
        """Remember a token's nonce; False when it was spent before (a replay).

        Nonces are forgotten MAX_CLOCK_SKEW_S after their token expired: until then a node
        whose clock was set back could still accept the token. Pruned here, a few rows at a
        time, so the table holds about one lifetime of tokens.

        :param issuer: the token's issuer (nonces are unique per issuer).
        :param expires_at: the token's expiry, Unix seconds.
        :param now: the current Unix time in seconds.
        """
        with self.transaction():
            self._db.execute(
                "DELETE FROM spent_token WHERE expires_at < ?", [now - MAX_CLOCK_SKEW_S]
            )
            inserted = self._db.execute(
                "INSERT INTO spent_token (issuer, nonce, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                [issuer, nonce, expires_at],
            )
            return inserted.rowcount == 1

    def spent_tokens(self) -> int:
        """How many spent tokens' nonces the log remembers."""
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM spent_token").fetchone()[0])

    def _next_id(self) -> int:
        self._last_id += 1
        return self._last_id

    def asked_as(self, who: tuple[str, str], canonical: CountQuery) -> str | None:
        """How ``who`` first worded an answered question whose canonical form is ``canonical``.

        The differencing guard names the earlier question this way: its canonical form
        would tell which of the filters restricted nothing, e.g. that no sample lacks an age.
        """
        row = self._db.execute(
            "SELECT query_key FROM query_log WHERE issuer = ? AND requester = ? "
            "AND outcome = 'answered' AND canonical_json = ? ORDER BY id LIMIT 1",
            [who[0], who[1], _json(canonical)],
        ).fetchone()
        return str(row[0]) if row else None

    def newest(self, *, limit: int = 100) -> list[LogEntry]:
        """The newest entries, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT asked_at, requester, issuer, query_key, shown, outcome FROM query_log "
                "ORDER BY id DESC LIMIT ?",
                [limit],
            ).fetchall()
        return [
            LogEntry(datetime.fromisoformat(row[0]).replace(tzinfo=UTC), *row[1:]) for row in rows
        ]

    def close(self) -> None:
        self._db.close()


def _json(query: CountQuery) -> str:
    return orjson.dumps(query_to_json(query), option=orjson.OPT_SORT_KEYS).decode()
