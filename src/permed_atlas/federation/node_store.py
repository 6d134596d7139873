"""A node's local store: its samples (DuckDB, in memory) and its query log (SQLite).

The biobank's own table (CSV or Parquet) is read and mapped inside DuckDB, so a
table of millions of rows loads in seconds and a bad value is reported with its
line and column. Sample counts are then answered from a count cube built at
load (see _cube.py), donor counts by a scan of the table. Samples with the same
collection and consent codes form one dataset, which is what the hub matches DUO
codes against. Every query is logged with its requester in a SQLite file (many
small transactional writes, which DuckDB is slow at); the log also feeds the
daily budget and the differencing guard. The samples are reloaded from the
biobank's own file at each start.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import orjson

from permed_atlas.federation._cube import DEFAULT_MAX_ENTRIES, CountCube, build_count_cube
from permed_atlas.federation._loader import load_samples
from permed_atlas.federation.disclosure import QueryHistory, disclose
from permed_atlas.federation.errors import (
    BudgetExceededError,
    DifferencingRefusedError,
    MappingError,
)
from permed_atlas.federation.icd10 import pattern_sql
from permed_atlas.federation.mapping import NodeConfig
from permed_atlas.federation.models import CountQuery, Dataset, DisclosedCount
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
"""
_HISTORY_LIMIT = 2000
_COUNT_CACHE_SIZE = 20_000


@dataclass(frozen=True)
class LogEntry:
    """One line of the node's query log."""

    at: datetime
    requester: str
    issuer: str
    query_key: str
    shown: str | None
    outcome: str


class NodeStore:
    """The samples and query log of one node; safe to share between server threads."""

    def __init__(
        self, config: NodeConfig, connection: duckdb.DuckDBPyConnection, log: sqlite3.Connection,
        *, cube: CountCube | None = None,
    ) -> None:
        self.config = config
        self.cube = cube
        self._con = connection
        self._db = log
        self._lock = threading.Lock()
        self._secret = config.noise_secret.encode("utf-8")
        self._counts: dict[str, int] = {}
        self._used: dict[tuple[tuple[str, str], date], int] = {}
        self._histories: dict[tuple[str, str], QueryHistory] = {}
        self._last_id = int(log.execute("SELECT coalesce(max(id), 0) FROM query_log").fetchone()[0])
        self.datasets = self._read_datasets()

    # -- reading ---------------------------------------------------------------------------

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        return self._con.cursor()

    def _read_datasets(self) -> tuple[Dataset, ...]:
        rows = self._cursor().execute(
            "SELECT id, collection, duo_codes FROM datasets ORDER BY id"
        ).fetchall()
        return tuple(Dataset(r[0], r[1], tuple(r[2])) for r in rows)

    def sample_count(self) -> int:
        """How many samples the node holds (for its operator, never sent out)."""
        row = self._cursor().execute("SELECT count(*) FROM samples").fetchone()
        return int(row[0]) if row else 0

    def answers_quickly(self, entity: str) -> bool:
        """Whether questions about ``entity`` are answered from the count cube (no table scan)."""
        return self.cube is not None and entity == "biosamples"

    def true_count(self, query: CountQuery) -> int:
        """The exact count for a question: from the count cube, else from the samples table.

        Table answers are cached because the data do not change while serving.

        :param query: the question.
        """
        if self.cube is not None:
            from_cube = self.cube.count(query)
            if from_cube is not None:
                return from_cube
        key = query.key()
        cached = self._counts.get(key)
        if cached is not None:
            return cached
        count = self.table_count(query)
        self._counts[key] = count
        if len(self._counts) > _COUNT_CACHE_SIZE:
            # Oldest first: dicts keep insertion order.
            self._counts.pop(next(iter(self._counts)), None)
        return count

    def table_count(self, query: CountQuery) -> int:
        """The exact count for a question by a scan of the samples table (no cube, no cache).

        :param query: the question.
        """
        where, params = _where(query)
        what = "count(DISTINCT donor_id)" if query.entity == "individuals" else "count(*)"
        row = self._cursor().execute(f"SELECT {what} FROM samples WHERE {where}", params).fetchone()
        return int(row[0]) if row else 0

    def term_counts(self, column: str) -> list[tuple[str, int]]:
        """Distinct values of a term column with their sample counts."""
        if column not in {"sex", "material", "sample_type", "storage", "country", "diagnosis3"}:
            raise ValueError(column)
        expr = "substr(diagnosis_key, 1, 3)" if column == "diagnosis3" else column
        rows = self._cursor().execute(
            f"SELECT {expr} AS v, count(*) FROM samples WHERE {expr} IS NOT NULL "
            "GROUP BY v ORDER BY v"
        ).fetchall()
        return [(str(v), int(n)) for v, n in rows]

    # -- answering -------------------------------------------------------------------------

    def answer(
        self, query: CountQuery, *, requester: str, issuer: str, now: datetime
    ) -> DisclosedCount:
        """Apply budget, differencing guard and disclosure rules to a question, and log it.

        :param query: the question.
        :param requester: the requester named by the verified token.
        :param issuer: the token's issuer.
        :param now: the current time (UTC).
        :raises BudgetExceededError: when today's budget is used up.
        :raises DifferencingRefusedError: when the guard refuses the question.
        """
        rules = self.config.rules
        now = _naive_utc(now)
        count = self.true_count(query)
        # Budget, guard and log are one critical section so two concurrent
        # questions of one requester cannot both slip past the guard.
        refusal: Exception | None = None
        shown: DisclosedCount | None = None
        with self._lock, self._db:
            cur = self._db
            who = (issuer, requester)
            used = self._used_on(cur, who, now)
            since = now - timedelta(days=rules.differencing_window_days)
            if used >= rules.daily_budget:
                self._log(cur, now, requester, issuer, query, count, None, "over_budget")
                refusal = BudgetExceededError(
                    f"requester {requester!r} used today's budget of {rules.daily_budget} queries"
                )
            else:
                self._used[(who, now.date())] = used + 1
                history = self._history_of(cur, who, since)
                conflict = history.conflict(query, count, k=rules.k, since=since)
                if conflict is not None:
                    self._log(cur, now, requester, issuer, query, count, None, "refused")
                    refusal = DifferencingRefusedError(
                        "refused by the differencing guard: this query nests with an earlier "
                        f"one ({conflict.key()}) and their difference is a cell below "
                        f"k={rules.k}"
                    )
                else:
                    shown = disclose(count, rules=rules, secret=self._secret,
                                     query_key=query.key())
                    self._log(cur, now, requester, issuer, query, count, shown.display,
                              "answered")
                    history.add(query, count, at=now)
        # Raised only after the log entry is committed: refusals are logged too.
        if refusal is not None:
            raise refusal
        assert shown is not None
        return shown

    # The log table is the record; these in-memory views of it (filled from the
    # log on first use, so they survive a restart) keep each answer's cost flat
    # as the log grows.

    def _used_on(self, cur: sqlite3.Connection, who: tuple[str, str],
                 now: datetime) -> int:
        slot = (who, now.date())
        if slot not in self._used:
            day_start = datetime.combine(now.date(), datetime.min.time())
            next_day = (day_start + timedelta(days=1)).isoformat()
            self._used[slot] = int(cur.execute(
                "SELECT count(*) FROM query_log WHERE issuer = ? AND requester = ? "
                "AND asked_at >= ? AND asked_at < ? AND outcome <> 'over_budget'",
                [who[0], who[1], day_start.isoformat(), next_day],
            ).fetchone()[0])
        return self._used[slot]

    def _history_of(
        self, cur: sqlite3.Connection, who: tuple[str, str], since: datetime
    ) -> QueryHistory:
        history = self._histories.get(who)
        if history is None:
            rows = cur.execute(
                "SELECT query_key, min(query_json), min(true_count), max(asked_at) "
                "FROM query_log WHERE issuer = ? AND requester = ? AND asked_at >= ? "
                "AND outcome = 'answered' GROUP BY query_key ORDER BY max(id) DESC LIMIT ?",
                [who[0], who[1], since.isoformat(), _HISTORY_LIMIT],
            ).fetchall()
            history = QueryHistory(limit=_HISTORY_LIMIT)
            for _key, text, n, at in reversed(rows):
                history.add(query_from_json(orjson.loads(text)), int(n),
                            at=datetime.fromisoformat(at))
            self._histories[who] = history
        return history

    def _log(
        self, cur: sqlite3.Connection, now: datetime, requester: str, issuer: str,
        query: CountQuery, count: int, shown: str | None, outcome: str,
    ) -> None:
        cur.execute(
            "INSERT INTO query_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [self._next_id(), now.isoformat(), requester, issuer, query.entity, query.key(),
             orjson.dumps(query_to_json(query), option=orjson.OPT_SORT_KEYS).decode(), count,
             shown, outcome],
        )

    def _next_id(self) -> int:
        self._last_id += 1
        return self._last_id

    def log_failure(self, *, requester: str, issuer: str, outcome: str, now: datetime) -> None:
        """Log a request refused before it became a question (bad token, not allowed, bad filter).

        :param requester: who asked, as far as known ("" when the token was unreadable).
        """
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO query_log VALUES (?, ?, ?, ?, '', '', '{}', NULL, NULL, ?)",
                [self._next_id(), _naive_utc(now).isoformat(), requester, issuer, outcome],
            )

    def query_log(self, *, limit: int = 100) -> list[LogEntry]:
        """The newest entries of the query log, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT asked_at, requester, issuer, query_key, shown, outcome FROM query_log "
                "ORDER BY id DESC LIMIT ?", [limit],
            ).fetchall()
        return [LogEntry(datetime.fromisoformat(row[0]).replace(tzinfo=UTC), *row[1:])
                for row in rows]

    def close(self) -> None:
        self._con.close()
        self._db.close()


def _naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _where(query: CountQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = ["TRUE"]
    params: list[Any] = []
    if query.diagnosis:
        parts = []
        for pattern in query.diagnosis:
            sql, values = pattern_sql(pattern)
            parts.append(sql)
            params.extend(values)
        clauses.append("(" + " OR ".join(parts) + ")")
    for dim in ("sex", "material", "sample_type", "storage", "country"):
        values = getattr(query, dim)
        if values:
            clauses.append(f"{dim} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
    for column, rng in (("age", query.age), ("year", query.year)):
        if rng.low is not None:
            clauses.append(f"{column} >= ?")
            params.append(rng.low)
        if rng.high is not None:
            clauses.append(f"{column} <= ?")
            params.append(rng.high)
    if query.datasets:
        clauses.append(f"dataset_id IN ({', '.join('?' for _ in query.datasets)})")
        params.extend(query.datasets)
    return " AND ".join(clauses), params


def open_node_store(
    config: NodeConfig,
    *,
    data: Path,
    log: Path | None = None,
    threads: int | None = None,
    cube: bool = True,
    cube_max_entries: int = DEFAULT_MAX_ENTRIES,
) -> NodeStore:
    """Load a biobank table with its mapping into a node store.

    :param config: the node config (mapping and rules).
    :param data: the biobank's CSV or Parquet file.
    :param log: a SQLite file keeping the query log (and so budgets and the
        differencing history) across restarts; in memory when None.
    :param threads: DuckDB worker threads for answering (all cores when None).
    :param cube: pre-aggregate the samples into a count cube that answers biosample
        counts without a table scan (see _cube.py); False answers every count from the table.
    :param cube_max_entries: the largest cube to build; a larger one is skipped.
    :raises MappingError: naming the file, line and column of a value that cannot be mapped.
    """
    if not data.is_file():
        raise MappingError(f"{data}: data file not found")
    con = duckdb.connect(":memory:")
    try:
        load_samples(con, config, data)
        counts = build_count_cube(con, max_entries=cube_max_entries) if cube else None
        if threads:
            # Set after loading: the load uses every core, answering uses ``threads``.
            con.execute(f"SET threads = {int(threads)}")
    except duckdb.Error as exc:
        con.close()
        raise MappingError(f"{data}: cannot load: {exc}") from exc
    except MappingError:
        con.close()
        raise
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(log) if log else ":memory:", check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(_LOG_SCHEMA)
    return NodeStore(config, con, db, cube=counts)
