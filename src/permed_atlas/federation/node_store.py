"""A node's local store: its samples (DuckDB, in memory) and its answers under the rules.

The biobank's own table (CSV or Parquet) is read and mapped inside DuckDB, so a
table of millions of rows loads in seconds and a bad value is reported with its
line and column. Sample counts are then answered from a count cube built at
load (see _cube.py), donor counts by a scan of the table. Samples with the same
collection and consent codes form one dataset, which is what the hub matches DUO
codes against. Every query is logged with its requester (query_log.py); the log
also feeds the daily budgets and the differencing guard, whose history covers
the whole window (persisted, read back after a restart), and the nonces of the
tokens already used, so that a token answers one request only. The samples are
reloaded from the biobank's own file at each start; their record keys (cell key
method) are derived from a random secret kept in the log file, so a reload keeps
every record's key.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from permed_atlas.federation._cube import DEFAULT_MAX_ENTRIES, CountCube, build_count_cube
from permed_atlas.federation._loader import load_samples
from permed_atlas.federation.auth import TokenClaims
from permed_atlas.federation.cellkey import KEY_MODULUS, cell_key
from permed_atlas.federation.disclosure import disclose_released, perturb, shown_interval
from permed_atlas.federation.errors import (
    AuthError,
    BudgetExceededError,
    DifferencingRefusedError,
    MappingError,
)
from permed_atlas.federation.icd10 import pattern_sql
from permed_atlas.federation.mapping import NodeConfig
from permed_atlas.federation.models import (
    TERM_DIMENSIONS,
    CountQuery,
    Dataset,
    DisclosedCount,
    DisclosureRules,
    Range,
    Selection,
)
from permed_atlas.federation.query_log import (
    EVERYONE,
    LogEntry,
    LoggedQuestion,
    QueryLog,
    naive_utc,
    open_log_database,
    record_key_secret,
)
from permed_atlas.i18n import Message

_COUNT_CACHE_SIZE = 20_000


class NodeStore:
    """The samples and query log of one node; safe to share between server threads."""

    def __init__(
        self,
        config: NodeConfig,
        connection: duckdb.DuckDBPyConnection,
        log: sqlite3.Connection,
        *,
        cube: CountCube | None = None,
    ) -> None:
        self.config = config
        self.cube = cube
        self._con = connection
        # The log file's connection; it also keeps the node's state (the record-key secret).
        self._db = log
        self._log = QueryLog(log)
        self._secret = config.noise_secret.encode("utf-8")
        self._selections: dict[str, Selection] = {}
        self._canonical: dict[str, CountQuery] = {}
        self.datasets = self._read_datasets()
        self._extent = self._read_extent()

    # -- reading ---------------------------------------------------------------------------

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        return self._con.cursor()

    def _read_datasets(self) -> tuple[Dataset, ...]:
        rows = (
            self._cursor()
            .execute("SELECT id, collection, duo_codes FROM datasets ORDER BY id")
            .fetchall()
        )
        return tuple(Dataset(r[0], r[1], tuple(r[2])) for r in rows)

    def _read_extent(self) -> dict[str, tuple[int, int] | None]:
        """The smallest and largest age and year the samples hold (None: all missing)."""
        row = (
            self._cursor()
            .execute("SELECT min(age), max(age), min(year), max(year) FROM samples")
            .fetchone()
        )
        assert row is not None
        return {
            dim: None if row[i] is None else (int(row[i]), int(row[i + 1]))
            for dim, i in (("age", 0), ("year", 2))
        }

    def sample_count(self) -> int:
        """How many samples the node holds (for its operator, never sent out)."""
        row = self._cursor().execute("SELECT count(*) FROM samples").fetchone()
        return int(row[0]) if row else 0

    def answers_quickly(self, entity: str) -> bool:
        """Whether questions about ``entity`` are answered from the count cube (no table scan)."""
        return self.cube is not None and entity == "biosamples"

    def true_count(self, query: CountQuery) -> int:
        """The exact count for a question: from the count cube, else from the samples table.

        :param query: the question.
        """
        return self.measure(query).count

    def measure(self, query: CountQuery) -> Selection:
        """The records a question selects: their count and key sum (cube, else table).

        Table answers are cached because the data do not change while serving.

        :param query: the question.
        """
        if self.cube is not None:
            from_cube = self.cube.measure(query)
            if from_cube is not None:
                return Selection(query.entity, *from_cube)
        key = query.key()
        cached = self._selections.get(key)
        if cached is not None:
            return cached
        selection = self.table_measure(query)
        self._selections[key] = selection
        if len(self._selections) > _COUNT_CACHE_SIZE:
            _drop_oldest(self._selections)
        return selection

    def table_count(self, query: CountQuery) -> int:
        """The exact count for a question by a scan of the samples table (no cube, no cache).

        :param query: the question.
        """
        return self.table_measure(query).count

    def table_measure(self, query: CountQuery) -> Selection:
        """Count and key sum of a question by a scan of the samples table (no cube, no cache).

        :param query: the question.
        """
        where, params = _where(query)
        if query.entity == "individuals":
            sql = (
                "SELECT count(*), coalesce(sum(donor_key), 0) FROM (SELECT DISTINCT "
                f"donor_id, donor_key FROM samples WHERE {where})"
            )
        else:
            sql = f"SELECT count(*), coalesce(sum(sample_key), 0) FROM samples WHERE {where}"
        row = self._cursor().execute(sql, params).fetchone()
        count, keys = (int(row[0]), int(row[1])) if row else (0, 0)
        return Selection(query.entity, count, keys % KEY_MODULUS)

    def release(self, query: CountQuery) -> DisclosedCount:
        """What the node says about a question, with how it was made (no budget, guard or log).

        The released count depends only on the records the question selects:
        perturbed by their cell key, then thresholded and rounded. :meth:`answer`
        gives the same value after its budget and guard checks.

        :param query: the question.
        """
        released, method = self._perturb(self.measure(query))
        return disclose_released(released, rules=self.config.rules, method=method)

    def _perturb(self, selection: Selection) -> tuple[int, str]:
        return perturb(
            selection.count,
            rules=self.config.rules,
            cell_key=cell_key(selection.key_sum),
            secret=self._secret,
            selection_key=selection.key,
        )

    def canonical(self, query: CountQuery, selection: Selection | None = None) -> CountQuery:
        """``query`` without the filters that restrict nothing (given its other filters).

        A filter is dropped when the question without it selects the same records
        (same :attr:`Selection.key`): "age >= 0" on a table without missing ages,
        the node's own country, every dataset, both sexes of a sex-specific
        diagnosis. So is a value of a filter that adds no records (a material none
        of the other filters' samples has), and an age or year bound moves in to
        the nearest value the records hold. The differencing guard compares
        these canonical filters, so a filter or a value that restricts or adds
        nothing cannot make a question that escapes it ("C50 with serum or urine"
        after "C50 with serum", when no C50 sample is urine).

        :param query: the question as asked.
        :param selection: its records, when already measured.
        """
        known = self._canonical.get(query.key())
        if known is not None:
            return known
        target = (selection or self.measure(query)).key
        reduced = query
        for dim in ("diagnosis", *TERM_DIMENSIONS, "datasets", "age", "year"):
            value = getattr(reduced, dim)
            if value == () or value == Range():
                continue
            cleared: dict[str, Any] = {dim: Range() if isinstance(value, Range) else ()}
            candidate = replace(reduced, **cleared)
            if self.measure(candidate).key == target:
                reduced = candidate
        if (selection or self.measure(query)).count:
            reduced = self._tighten(reduced, target)
        self._canonical[query.key()] = reduced
        if len(self._canonical) > _COUNT_CACHE_SIZE:
            _drop_oldest(self._canonical)
        return reduced

    def _tighten(self, query: CountQuery, target: str) -> CountQuery:
        """``query`` without the values that add no records, its range bounds moved in."""
        for dim in ("diagnosis", *TERM_DIMENSIONS, "datasets"):
            values = getattr(query, dim)
            for value in values if len(values) > 1 else ():
                kept = tuple(v for v in getattr(query, dim) if v != value)
                candidate = _with(query, dim, kept)
                if self.measure(candidate).key == target:
                    query = candidate
        for dim in ("age", "year"):
            rng: Range = getattr(query, dim)
            extent = self._extent[dim]
            if rng != Range() and extent is not None:
                # A bound left open already excludes missing values: the table's extreme
                # value selects the same records and lets the bound move in like the other.
                wide = Range(
                    extent[0] if rng.low is None else rng.low,
                    extent[1] if rng.high is None else rng.high,
                )
                query = _with(query, dim, self._closest(query, dim, wide, target))
        return query

    def _closest(self, query: CountQuery, dim: str, rng: Range, target: str) -> Range:
        """The narrowest range inside ``rng`` that keeps the records.

        Bisected with the count cube (a dozen lookups of microseconds each); otherwise
        one scan reads the records' extreme values, where a bisection would scan a dozen times.
        """
        assert rng.low is not None and rng.high is not None
        if not self.answers_quickly(query.entity):
            where, params = _where(_with(query, dim, rng))
            column = "age" if dim == "age" else "year"
            row = (
                self._cursor()
                .execute(f"SELECT min({column}), max({column}) FROM samples WHERE {where}", params)
                .fetchone()
            )
            return rng if row is None or row[0] is None else Range(int(row[0]), int(row[1]))

        def same(candidate: Range) -> bool:
            return self.measure(_with(query, dim, candidate)).key == target

        low, high = rng.low, rng.high
        while low < high:  # the largest low bound that passes no record
            middle = (low + high + 1) // 2
            low, high = (middle, high) if same(Range(middle, rng.high)) else (low, middle - 1)
        first, high = low, rng.high
        while low < high:  # the smallest high bound that passes no record
            middle = (low + high) // 2
            low, high = (low, middle) if same(Range(first, middle)) else (middle + 1, high)
        return Range(first, low)

    def term_counts(self, column: str) -> list[tuple[str, int]]:
        """Distinct values of a term column with their sample counts."""
        if column not in {"sex", "material", "sample_type", "storage", "country", "diagnosis3"}:
            raise ValueError(column)
        expr = "substr(diagnosis_key, 1, 3)" if column == "diagnosis3" else column
        rows = (
            self._cursor()
            .execute(
                f"SELECT {expr} AS v, count(*) FROM samples WHERE {expr} IS NOT NULL "
                "GROUP BY v ORDER BY v"
            )
            .fetchall()
        )
        return [(str(v), int(n)) for v, n in rows]

    # -- answering -------------------------------------------------------------------------

    def answer(
        self, query: CountQuery, *, requester: str, issuer: str, now: datetime
    ) -> DisclosedCount:
        """Perturb, guard, threshold and round the count of a question, and log it.

        :param query: the question.
        :param requester: the requester named by the verified token.
        :param issuer: the token's issuer.
        :param now: the current time (UTC).
        :raises BudgetExceededError: when the requester's or the node's budget for today is used.
        :raises DifferencingRefusedError: when the guard refuses the question.
        """
        rules = self.config.rules
        now = naive_utc(now)
        selection = self.measure(query)
        canonical = self.canonical(query, selection)
        released, method = self._perturb(selection)
        entry = LoggedQuestion(query, canonical, selection, released)
        # The guard compares what is shown, never the perturbed count a "<k" or a
        # rounding hides: a refusal must not depend on what the requester is not told.
        shown = disclose_released(released, rules=rules, method=method)
        interval = shown_interval(shown.display, rules=rules)
        # Budget, guard and log are one critical section so two concurrent
        # questions of one requester cannot both slip past the guard.
        refusal: Exception | None = None
        log = self._log
        with log.transaction():
            who = (issuer, requester)
            used = log.used_on(who, now)
            used_by_all = log.used_on(EVERYONE, now)
            since = now - timedelta(days=rules.differencing_window_days)
            over_budget = _over_budget(
                rules, requester=requester, used=used, used_by_all=used_by_all
            )
            if over_budget is not None:
                log.write(now, who, entry, None, "over_budget")
                refusal = over_budget
            else:
                log.count_use(who, now)
                history = log.history_of(who, since, rules=rules)
                conflict = history.conflict(
                    canonical, interval, k=rules.k, since=since, key=selection.key
                )
                if conflict is not None:
                    log.write(now, who, entry, None, "refused")
                    refusal = DifferencingRefusedError(
                        Message(
                            "refused by the differencing guard: this query nests with an "
                            "earlier one (%(key)s) and their difference is a cell below "
                            "k=%(k)s",
                            key=log.asked_as(who, conflict) or "?",
                            k=rules.k,
                        )
                    )
                else:
                    log.write(now, who, entry, shown.display, "answered")
                    history.add(canonical, interval, at=now, key=selection.key)
        # Raised only after the log entry is committed: refusals are logged too.
        if refusal is not None:
            raise refusal
        return shown

    def spend_token(self, claims: TokenClaims, *, now: int) -> None:
        """Accept a verified token's nonce once; a second use is a replay.

        Committed before the question is answered, so of two concurrent replays one gets in.

        :param claims: the verified token's claims.
        :param now: the current Unix time in seconds.
        :raises AuthError: when the token was used before.
        """
        if not self._log.spend_token(
            issuer=claims.issuer, nonce=claims.nonce, expires_at=claims.expires_at, now=now
        ):
            raise AuthError(
                Message("token already used: the hub issues a new token for every request")
            )

    def remembered_tokens(self) -> int:
        """How many used tokens the node remembers (each until it expires)."""
        return self._log.spent_tokens()

    def log_failure(self, *, requester: str, issuer: str, outcome: str, now: datetime) -> None:
        """Log a request refused before it became a question (bad token, not allowed, bad filter).

        :param requester: who asked, as far as known ("" when the token was unreadable).
        """
        self._log.write_failure(requester=requester, issuer=issuer, outcome=outcome, now=now)

    def query_log(self, *, limit: int = 100) -> list[LogEntry]:
        """The newest entries of the query log, newest first."""
        return self._log.newest(limit=limit)

    def close(self) -> None:
        self._con.close()
        self._log.close()


def _over_budget(
    rules: DisclosureRules, *, requester: str, used: int, used_by_all: int
) -> BudgetExceededError | None:
    """Why a question is over today's budget (the requester's, then the node's), or None."""
    if used >= rules.daily_budget:
        return BudgetExceededError(
            Message(
                "requester %(requester)s used today's budget of %(daily_budget)s queries",
                requester=repr(requester),
                daily_budget=rules.daily_budget,
            )
        )
    if used_by_all >= rules.global_cap:
        return BudgetExceededError(
            Message(
                "this node answers %(global_cap)s queries per day from all "
                "requesters together, and today's are used; try again "
                "tomorrow (UTC)",
                global_cap=rules.global_cap,
            )
        )
    return None


def _with(query: CountQuery, dim: str, value: Any) -> CountQuery:
    """``query`` with one dimension's filter replaced."""
    changes: dict[str, Any] = {dim: value}
    return replace(query, **changes)


def _drop_oldest(cache: dict[str, Any]) -> None:
    # Oldest first: dicts keep insertion order. Another server thread may be adding
    # to the cache at the same moment; then the trimming waits for the next call.
    with contextlib.suppress(RuntimeError, StopIteration):
        cache.pop(next(iter(cache)), None)


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
        differencing history) and the record-key secret across restarts; in memory
        when None (the record keys then derive from the config's noise secret).
    :param threads: DuckDB worker threads for answering (all cores when None).
    :param cube: pre-aggregate the samples into a count cube that answers biosample
        counts without a table scan (see _cube.py); False answers every count from the table.
    :param cube_max_entries: the largest cube to build; a larger one is skipped.
    :raises MappingError: naming the file, line and column of a value that cannot be mapped.
    """
    if not data.is_file():
        raise MappingError(Message("%(data)s: data file not found", data=data))
    db = open_log_database(log)
    key_secret = record_key_secret(db, config, persistent=log is not None)
    con = duckdb.connect(":memory:")
    try:
        load_samples(con, config, data, key_secret=key_secret)
        counts = build_count_cube(con, max_entries=cube_max_entries) if cube else None
        if threads:
            # Set after loading: the load uses every core, answering uses ``threads``.
            con.execute(f"SET threads = {int(threads)}")
    except duckdb.Error as exc:
        con.close()
        db.close()
        raise MappingError(Message("%(data)s: cannot load: %(exc)s", data=data, exc=exc)) from exc
    except MappingError:
        con.close()
        db.close()
        raise
    return NodeStore(config, con, db, cube=counts)
