"""Dataclasses of federated discovery: queries, disclosure rules, node answers, merged results.

A query is a conjunction over dimensions; within one dimension the values are
alternatives (a sample has one diagnosis, so "C50 or C18" is the useful reading).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from permed_atlas.federation.icd10 import IcdPattern, any_covers

Entity = Literal["individuals", "biosamples"]
Granularity = Literal["boolean", "count"]
Precision = Literal["exact", "rounded", "imprecise"]
SEXES = ("female", "male", "unknown", "undifferentiated")
TERM_DIMENSIONS = ("sex", "material", "sample_type", "storage", "country")


@dataclass(frozen=True)
class Range:
    """An inclusive integer range; either end may be open."""

    low: int | None = None
    high: int | None = None

    def covers(self, other: Range) -> bool:
        """Whether every value in ``other`` lies in this range."""
        low_ok = self.low is None or (other.low is not None and other.low >= self.low)
        high_ok = self.high is None or (other.high is not None and other.high <= self.high)
        return low_ok and high_ok

    def text(self) -> str:
        return f"{'' if self.low is None else self.low}..{'' if self.high is None else self.high}"


@dataclass(frozen=True)
class CountQuery:
    """One aggregate question to a node. Empty tuples and open ranges mean "any".

    :param diagnosis: ICD-10 patterns, any of which may match.
    :param datasets: node dataset (collection) ids to count in; empty means all.
    """

    entity: Entity = "biosamples"
    granularity: Granularity = "count"
    diagnosis: tuple[IcdPattern, ...] = ()
    sex: tuple[str, ...] = ()
    material: tuple[str, ...] = ()
    sample_type: tuple[str, ...] = ()
    storage: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    age: Range = field(default_factory=Range)
    year: Range = field(default_factory=Range)
    datasets: tuple[str, ...] = ()

    def key(self) -> str:
        """A canonical text of the question (not of the granularity), equal for equal questions."""
        # Memoised on the instance (outside the dataclass fields, so equality is unchanged):
        # a node needs the key for its cache, noise, log and differencing history.
        cached: str | None = self.__dict__.get("_key")
        if cached is not None:
            return cached
        parts = [
            f"entity={self.entity}",
            "diagnosis=" + ",".join(sorted(p.text for p in self.diagnosis)),
            *(f"{dim}=" + ",".join(sorted(getattr(self, dim))) for dim in TERM_DIMENSIONS),
            f"age={self.age.text()}",
            f"year={self.year.text()}",
            "datasets=" + ",".join(sorted(self.datasets)),
        ]
        key = ";".join(parts)
        object.__setattr__(self, "_key", key)
        return key

    def within(self, other: CountQuery) -> bool:
        """Whether every record this query counts is also counted by ``other`` (by filters).

        Decided from the filters alone, so it errs on the safe side: two queries
        whose sets happen to be nested in the data but not by their filters are
        not compared.
        """
        if self.entity != other.entity:
            return False
        if not (other.age.covers(self.age) and other.year.covers(self.year)):
            return False
        for wide, narrow in zip(other._term_sets(), self._term_sets(), strict=True):
            if wide and not (narrow and narrow <= wide):
                return False
        return not other.diagnosis or bool(
            self.diagnosis and all(any_covers(other.diagnosis, p) for p in self.diagnosis)
        )

    def _term_sets(self) -> tuple[frozenset[str], ...]:
        # Memoised like key(): the differencing guard compares one question with many.
        cached: tuple[frozenset[str], ...] | None = self.__dict__.get("_term_sets_cache")
        if cached is None:
            cached = tuple(frozenset(getattr(self, dim)) for dim in (*TERM_DIMENSIONS, "datasets"))
            object.__setattr__(self, "_term_sets_cache", cached)
        return cached


@dataclass(frozen=True)
class Selection:
    """The records a question selects, as far as disclosure control needs them.

    :param entity: what was counted (samples or donors).
    :param count: how many records.
    :param key_sum: the sum of their record keys modulo 2**32 (see cellkey.py).
    """

    entity: Entity
    count: int
    key_sum: int

    @property
    def key(self) -> str:
        """Identifies the record set: equal for every phrasing that selects the same records.

        Two different sets share it only when count and 32-bit key sum both
        collide (about one pair in four billion), which at worst makes the
        differencing guard treat them as one question, with one count.
        """
        return f"{self.entity}:{self.count}:{self.key_sum:08x}"


@dataclass(frozen=True)
class DisclosureRules:
    """How a node turns a true count into what it says (see disclosure.py for the order).

    :param k: released counts from 1 to k-1 are never shown; they become "<k".
        The threshold applies to the perturbed count.
    :param rounding: shown counts are rounded half-up to this base (1 = none),
        and never to a value below k.
    :param show_zeros: a released 0 is shown as 0 (otherwise it is "<k" too).
    :param ckm_max_deviation: the cell key method's maximum deviation D: no
        released count differs from the true one by more (0 turns the method off).
    :param ckm_variance: the variance V of the deviation; larger hides more and
        blurs more. Must lie in (0, D²).
    :param ckm_keep_zeros: a positive count is never released as 0, so a 0 means
        none; False lets counts up to D be released as 0 (more protection near 0).
    :param noise_epsilon: when set, a rounded Laplace(0, sensitivity/epsilon)
        deviation replaces the perturbation table; it is seeded by the counted
        records, so every phrasing of a question gets the same noise.
    :param noise_sensitivity: the sensitivity of a count (1 per record).
    :param differencing_window_days: how far back the differencing guard (and
        its persisted history) looks.
    :param daily_budget: questions one requester may send per UTC day.
    :param global_daily_budget: questions all requesters together may send per UTC
        day; None: 40 times ``daily_budget`` (see :attr:`global_cap`).
    """

    k: int = 5
    rounding: int = 1
    show_zeros: bool = True
    ckm_max_deviation: int = 3
    ckm_variance: float = 2.0
    ckm_keep_zeros: bool = True
    noise_epsilon: float | None = None
    noise_sensitivity: float = 1.0
    differencing_window_days: int = 30
    daily_budget: int = 500
    global_daily_budget: int | None = None

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ValueError("k must be at least 1")
        if self.rounding < 1:
            raise ValueError("rounding must be at least 1")
        if self.ckm_max_deviation < 0:
            raise ValueError("ckm_max_deviation must be at least 0")
        if self.ckm_max_deviation and not (0 < self.ckm_variance < self.ckm_max_deviation**2):
            raise ValueError(
                f"ckm_variance must lie in (0, {self.ckm_max_deviation**2}) "
                f"(0 < V < D² for D = {self.ckm_max_deviation})"
            )
        if self.noise_epsilon is not None and self.noise_epsilon <= 0:
            raise ValueError("noise_epsilon must be positive")
        if self.daily_budget < 1:
            raise ValueError("daily_budget must be at least 1")
        if self.global_daily_budget is not None and self.global_daily_budget < 1:
            raise ValueError("global_daily_budget must be at least 1")

    @property
    def global_cap(self) -> int:
        """Questions all requesters together may send per UTC day."""
        if self.global_daily_budget is not None:
            return self.global_daily_budget
        return 40 * self.daily_budget


@dataclass(frozen=True)
class DisclosedCount:
    """What a node says about one count: the shown value and the true count's bounds.

    ``lower``/``upper`` bound the true count (with Laplace noise, which has no
    bound, the noisy count); ``display`` is "<5", "0" or a number.

    :param perturbation: how the count was perturbed: "cell key", "laplace" or "none".
    :param max_deviation: the most the released count can differ from the true one
        before rounding (None when unbounded).
    """

    display: str
    value: int | None
    lower: int
    upper: int
    suppressed: bool
    exists: bool
    precision: Precision
    perturbation: str = "none"
    max_deviation: int | None = 0


@dataclass(frozen=True)
class Dataset:
    """A collection of one node with one set of consent (DUO) codes."""

    id: str
    collection: str
    duo_codes: tuple[str, ...]


@dataclass(frozen=True)
class NodeEndpoint:
    """A node registered at the hub."""

    id: str
    name: str
    url: str
    region: str
    country: str
    secret: str
    timeout_s: float = 5.0
    managers: tuple[str, ...] = ()


NodeStatus = Literal[
    "ok",
    "timeout",
    "unreachable",
    "unauthorized",
    "forbidden",
    "refused",
    "over_budget",
    "excluded_by_consent",
    "error",
]


@dataclass(frozen=True)
class NodeOutcome:
    """One node's part of a hub query: its disclosed count or why there is none."""

    node_id: str
    name: str
    region: str
    country: str
    status: NodeStatus
    reason: str = ""
    count: DisclosedCount | None = None
    datasets_used: tuple[str, ...] = ()
    datasets_excluded: tuple[tuple[str, str], ...] = ()
    elapsed_ms: float = 0.0


@dataclass(frozen=True)
class CountBounds:
    """A sum of disclosed counts as bounds; exact when lower == upper."""

    lower: int
    upper: int
    nodes: int

    @property
    def display(self) -> str:
        return str(self.lower) if self.lower == self.upper else f"{self.lower}-{self.upper}"


@dataclass(frozen=True)
class HubResult:
    """Merged answer of a hub query: per node, per region and in total."""

    query: CountQuery
    purpose: tuple[str, ...]
    outcomes: tuple[NodeOutcome, ...]
    regions: dict[str, CountBounds]
    total: CountBounds
    complete: bool

    @property
    def missing(self) -> tuple[NodeOutcome, ...]:
        """The nodes that gave no count, each with its reason."""
        return tuple(o for o in self.outcomes if o.count is None)
