"""A pre-aggregated count cube of a node's samples, built once at load time.

Every sample falls in one *cell*: its combination of dataset, diagnosis key,
sex, material, sample type, storage and country (a few hundred cells for a
typical biobank, however many samples it holds). Per cell the cube keeps a
dense age x collection-year table of sample counts as a 2-D prefix sum, so the
count of any age range and year range in a cell is four lookups. A biosample
count is then: pick the cells whose terms pass the filters (vectorised over the
cell attributes), add up their rectangles. It answers in tens of microseconds
what a scan of a million rows answers in milliseconds, and exactly the same
number: the filters are the ones ``node_store._where`` turns into SQL, with the
same NULL rules (a filter on a dimension never matches a missing value; no
filter matches everything).

Beside each count the cube keeps the sum of the counted samples' record keys
(see cellkey.py) modulo 2**32, in unsigned 32-bit prefix sums that wrap: the
arithmetic is modular, so differences of wrapped prefix sums are still exact,
and the cell key of any selection costs the same four lookups as its count.

Donor counts (``individuals``, a count of distinct donors) cannot be summed
from cells, because a donor's samples can sit in several cells; those stay
with DuckDB. A table whose cube would be larger than ``max_entries`` (many
distinct diagnoses times wide age and year spans) gets no cube either.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt

from permed_atlas.federation.cellkey import KEY_MODULUS
from permed_atlas.federation.models import TERM_DIMENSIONS, CountQuery, Range

# 16M entries of int32 counts and uint32 key sums: 128 MB, the most a node spends on its
# cube by default.
DEFAULT_MAX_ENTRIES = 16_000_000
_CELL_COLUMNS = ("dataset_id", "diagnosis_key", *TERM_DIMENSIONS)


class _Axis:
    """One range dimension (age or year): slot 0 holds missing values, 1.. the values lo..hi."""

    def __init__(self, low: int | None, high: int | None) -> None:
        self.low = 0 if low is None else low
        self.size = 0 if low is None or high is None else high - low + 1

    def span(self, rng: Range) -> tuple[int, int] | None:
        """The inclusive slot interval a range filter selects; None when it selects nothing."""
        if rng.low is None and rng.high is None:
            return 0, self.size  # no filter: missing values count too
        first = 1 if rng.low is None else max(1, rng.low - self.low + 1)
        last = self.size if rng.high is None else min(self.size, rng.high - self.low + 1)
        return (first, last) if first <= last else None


class CountCube:
    """Sample counts by cell, age and year, answering biosample count queries exactly."""

    def __init__(
        self,
        *,
        cells: dict[str, list[Any]],
        prefix: npt.NDArray[np.int64] | npt.NDArray[np.int32],
        key_prefix: npt.NDArray[np.uint32],
        age: _Axis,
        year: _Axis,
    ) -> None:
        self._prefix = prefix
        self._key_prefix = key_prefix
        self._age = age
        self._year = year
        diagnoses = sorted({d for d in cells["diagnosis_key"] if d is not None})
        self._diagnoses = diagnoses
        position = {d: i for i, d in enumerate(diagnoses)}
        self._diagnosis_code = np.array(
            [-1 if d is None else position[d] for d in cells["diagnosis_key"]], dtype=np.int32
        )
        # Per term column and value, the cells holding it: a filter ORs a few of these.
        self._members: dict[str, dict[str, npt.NDArray[np.bool_]]] = {}
        for column in ("dataset_id", *TERM_DIMENSIONS):
            values = np.array([v if v is not None else "" for v in cells[column]], dtype=object)
            present = np.array([v is not None for v in cells[column]], dtype=bool)
            self._members[column] = {
                value: (values == value) & present
                for value in {v for v in cells[column] if v is not None}
            }

    @property
    def cells(self) -> int:
        """How many cells the cube holds."""
        return int(self._prefix.shape[0])

    @property
    def nbytes(self) -> int:
        """The memory the prefix sums take."""
        return int(self._prefix.nbytes + self._key_prefix.nbytes)

    def count(self, query: CountQuery) -> int | None:
        """The number of samples matching ``query``; None for a question the cube cannot answer.

        :param query: the question; only ``biosamples`` questions are answered.
        """
        measured = self.measure(query)
        return None if measured is None else measured[0]

    def measure(self, query: CountQuery) -> tuple[int, int] | None:
        """The number of samples matching ``query`` and the sum of their keys mod 2**32.

        :param query: the question; only ``biosamples`` questions are answered (else None).
        """
        if query.entity != "biosamples":
            return None
        ages = self._age.span(query.age)
        years = self._year.span(query.year)
        if ages is None or years is None:
            return 0, 0
        mask = np.ones(self.cells, dtype=bool)
        if query.diagnosis:
            wanted = np.zeros(self.cells, dtype=bool)
            for pattern in query.diagnosis:
                # The SQL rule of icd10.pattern_sql: low <= key <= high + "~", on sorted keys.
                first = bisect_left(self._diagnoses, pattern.low)
                last = bisect_right(self._diagnoses, pattern.high + "~")
                wanted |= (self._diagnosis_code >= first) & (self._diagnosis_code < last)
            mask &= wanted
        for column, values in (
            *((dim, getattr(query, dim)) for dim in TERM_DIMENSIONS),
            ("dataset_id", query.datasets),
        ):
            if values:
                members = self._members[column]
                wanted = np.zeros(self.cells, dtype=bool)
                for value in values:
                    if value in members:
                        wanted |= members[value]
                mask &= wanted
        chosen = np.flatnonzero(mask)
        if chosen.size == 0:
            return 0, 0
        (a0, a1), (y0, y1) = ages, years
        # The four corners of the age x year rectangle in every chosen cell, in one gather.
        rows = chosen[:, None]
        a = np.array([a1 + 1, a0, a1 + 1, a0])
        y = np.array([y1 + 1, y1 + 1, y0, y0])
        counts = self._prefix[rows, a, y].sum(axis=0, dtype=np.int64)
        keys = self._key_prefix[rows, a, y].sum(axis=0, dtype=np.uint64)
        total = int(counts[0]) - int(counts[1]) - int(counts[2]) + int(counts[3])
        key_sum = int(keys[0]) - int(keys[1]) - int(keys[2]) + int(keys[3])
        return total, key_sum % KEY_MODULUS


def build_count_cube(
    con: duckdb.DuckDBPyConnection, *, max_entries: int = DEFAULT_MAX_ENTRIES
) -> CountCube | None:
    """Aggregate the ``samples`` table of ``con`` into a cube; None when it would be too large.

    :param con: the node's DuckDB connection holding ``samples``.
    :param max_entries: the largest cube (cells x age slots x year slots) to build.
    """
    bounds = con.execute(
        "SELECT min(age), max(age), min(year), max(year), count(*) FROM samples"
    ).fetchone()
    assert bounds is not None
    age, year = _Axis(bounds[0], bounds[1]), _Axis(bounds[2], bounds[3])
    cell_sql = ", ".join(
        f"CAST({c} AS VARCHAR) AS {c}" if c in TERM_DIMENSIONS else c for c in _CELL_COLUMNS
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE cube_groups AS
        WITH g AS (
            SELECT {cell_sql},
                   CASE WHEN age IS NULL THEN 0 ELSE age - {age.low} + 1 END AS a,
                   CASE WHEN year IS NULL THEN 0 ELSE year - {year.low} + 1 END AS y,
                   count(*) AS n,
                   CAST(sum(sample_key) % 4294967296 AS UBIGINT) AS key_sum
            FROM samples GROUP BY ALL
        )
        SELECT dense_rank() OVER (ORDER BY {", ".join(_CELL_COLUMNS)}) - 1 AS cell, *
        FROM g
        """
    )
    try:
        row = con.execute("SELECT coalesce(max(cell) + 1, 0) FROM cube_groups").fetchone()
        n_cells = int(row[0]) if row else 0
        entries = n_cells * (age.size + 2) * (year.size + 2)
        if entries > max_entries:
            return None
        listed = con.execute(
            f"SELECT DISTINCT cell, {', '.join(_CELL_COLUMNS)} FROM cube_groups ORDER BY cell"
        ).fetchall()
        cells = {c: [r[i + 1] for r in listed] for i, c in enumerate(_CELL_COLUMNS)}
        groups = con.execute("SELECT cell, a, y, n, key_sum FROM cube_groups").fetchnumpy()
    finally:
        con.execute("DROP TABLE cube_groups")
    dtype = np.int32 if int(bounds[4]) < 2**31 - 1 else np.int64
    counts = np.zeros((n_cells, age.size + 1, year.size + 1), dtype=dtype)
    where = (
        np.asarray(groups["cell"], dtype=np.int64),
        np.asarray(groups["a"], dtype=np.int64),
        np.asarray(groups["y"], dtype=np.int64),
    )
    counts[where] = np.asarray(groups["n"], dtype=dtype)
    prefix = np.zeros((n_cells, age.size + 2, year.size + 2), dtype=dtype)
    prefix[:, 1:, 1:] = counts.cumsum(axis=1, dtype=dtype).cumsum(axis=2, dtype=dtype)
    del counts
    key_sums = np.zeros((n_cells, age.size + 1, year.size + 1), dtype=np.uint32)
    key_sums[where] = np.asarray(groups["key_sum"], dtype=np.uint64).astype(np.uint32)
    # uint32 sums wrap modulo 2**32, which is the arithmetic the cell key needs.
    key_prefix = np.zeros((n_cells, age.size + 2, year.size + 2), dtype=np.uint32)
    key_prefix[:, 1:, 1:] = key_sums.cumsum(axis=1, dtype=np.uint32).cumsum(axis=2, dtype=np.uint32)
    return CountCube(cells=cells, prefix=prefix, key_prefix=key_prefix, age=age, year=year)
