"""Synthetic but realistic demo corpora: OpenAlex works and Lens patents in their real formats.

The generated records follow the current OpenAlex Work schema field by field,
so the real ingesters read them exactly as they read real records; nothing in
them is real apart from the institution, journal and MeSH names. Output is
deterministic for a seed: the same call writes the same bytes.

Structure that indicators and networks can find: a real country mix whose
Chinese share rises over 2000–2025, output growing ~7% a year, fixed research
groups per institution whose members co-author again and again, EU–China
co-publications rising from ~2% to ~6% of works, and the messiness of real data
(null abstracts and titles, no authors, institutions without a country, no DOI).
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import random
import zlib
from bisect import bisect
from collections import deque
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import orjson

from permed_atlas.datafiles import BUNDLED_DATA_DIR
from permed_atlas.demo import _vocab as vocab
from permed_atlas.demo._checks import check_count_and_seed
from permed_atlas.demo._io import write_jsonl
from permed_atlas.demo._lens import generate_lens_patents, write_lens_jsonl
from permed_atlas.demo._other_fields import OtherFields, is_pm_work
from permed_atlas.demo._text import TextMaker
from permed_atlas.demo._world import World, cumulative
from permed_atlas.errors import InvalidInputError
from permed_atlas.i18n import Message
from permed_atlas.outputfiles import written_beside

__all__ = [
    "bundled_demo_files",
    "demo_corpus_paths",
    "generate_lens_patents",
    "generate_openalex_works",
    "write_jsonl",
    "write_lens_jsonl",
    "write_demo_corpus",
    "write_openalex_jsonl",
]

DEMO_DIR = BUNDLED_DATA_DIR / "demo"
BUNDLED_FILES = {"openalex": "openalex_works.jsonl.gz", "patents": "lens_patents.jsonl.gz"}
_MAX_PER_SEED = 100_000_000  # work serials are seed * this + index, so seeds never collide
CHUNK = 2_000  # works per random stream and per gzip member


def _interpolate(pair: tuple[float, float], year: int) -> float:
    share = min(1.0, max(0.0, (year - 2000) / 25))
    return pair[0] + (pair[1] - pair[0]) * share


def generate_openalex_works(
    n: int,
    *,
    seed: int = 0,
    start_year: int = 2000,
    end_year: int = 2025,
    pm_share: float = 1.0,
) -> Iterator[dict[str, Any]]:
    """Yield ``n`` synthetic OpenAlex Work objects in the current API schema.

    :param n: how many works (0 to 100,000,000).
    :param seed: the same seed gives the same works; different seeds give distinct ids.
    :param start_year: first publication year.
    :param end_year: last publication year (output grows ~7% a year towards it).
    :param pm_share: the share of works about personalised medicine (all, by default); the
        others are works of other fields (``demo._other_fields``), as in a snapshot.
    """
    _check(n, seed, start_year, end_year, pm_share)
    plan = _Plan(n, start_year, end_year, pm_share=pm_share)
    for chunk in range(0, n, CHUNK):
        yield from plan.chunk(seed, chunk, min(n, chunk + CHUNK))


def _check(n: int, seed: int, start_year: int, end_year: int, pm_share: float = 1.0) -> None:
    check_count_and_seed(n, seed, most=_MAX_PER_SEED)
    if not 1900 <= start_year <= end_year <= 2100:
        raise InvalidInputError(
            Message(
                "need 1900 <= start_year <= end_year <= 2100, got %(start_year)s..%(end_year)s",
                start_year=start_year,
                end_year=end_year,
            ),
            field="start_year",
        )
    if not 0.0 <= pm_share <= 1.0:
        raise InvalidInputError(
            Message("pm_share must be 0 to 1, not %(pm_share)s", pm_share=pm_share),
            field="pm_share",
        )


class _Plan:
    """Everything drawn once per corpus: the world, and per-year country and year weights."""

    def __init__(
        self,
        n: int,
        start_year: int,
        end_year: int,
        *,
        fragments: bool = False,
        pm_share: float = 1.0,
    ) -> None:
        self.world = World(n)
        self.pm_share = pm_share
        self.others = OtherFields() if pm_share < 1.0 else None
        self.maker = TextMaker(self.world.topics, fragments=fragments)
        self.years = list(range(start_year, end_year + 1))
        self.year_cum = cumulative([1.07 ** (y - start_year) for y in self.years])
        self.countries = list(vocab.COUNTRY_WEIGHTS)
        self.eu_cn = [c for c in self.countries if c in vocab.EU27 or c == "CN"]
        self.per_year: dict[int, tuple[list[float], list[float], dict[str, float], float]] = {}
        for year in self.years:
            weights = [_interpolate(vocab.COUNTRY_WEIGHTS[c], year) for c in self.countries]
            by_country = dict(zip(self.countries, weights, strict=True))
            self.per_year[year] = (
                cumulative(weights),
                cumulative([by_country[c] for c in self.eu_cn]),
                by_country,
                0.02 + 0.04 * min(1.0, max(0.0, (year - 2000) / 25)),  # EU-CN share of works
            )

    def chunk(self, seed: int, start: int, stop: int) -> Iterator[dict[str, Any]]:
        """Works ``start`` to ``stop - 1``; each chunk has its own random stream so chunks
        can be made in any order, or in parallel, and still give the same corpus."""
        rng = random.Random(f"openalex:{seed}:{start}")
        # The other fields draw from a stream of their own: the PM works of a mix are
        # exactly the works of the same seed without one.
        other_rng = random.Random(f"openalex-other:{seed}:{start}")
        r = rng.random
        world, maker, countries, eu_cn = self.world, self.maker, self.countries, self.eu_cn
        for index in range(start, stop):
            year = self.years[bisect(self.year_cum, r() * self.year_cum[-1])]
            country_cum, eucn_cum, country_weight, eucn_share = self.per_year[year]
            eu_cn_work = r() < eucn_share
            if eu_cn_work:
                lead = eu_cn[bisect(eucn_cum, r() * eucn_cum[-1])]
            else:
                lead = countries[bisect(country_cum, r() * country_cum[-1])]
            topic_idx = maker.pick_topic(rng, year, lead)
            lab = world.pick_lab(rng, world.pick_institution(rng, lead), topic_idx)
            partners: list[tuple[int, int]] = []
            if eu_cn_work:
                other = "CN" if lead in vocab.EU27 else _weighted(rng, vocab.EU27, country_weight)
                partners.append(world.pick_lab(rng, world.pick_institution(rng, other), topic_idx))
            if r() < 0.3:
                partners.append(world.pick_lab(rng, world.pick_institution(rng, lead), topic_idx))
            if r() < 0.12 + 0.12 * (year - 2000) / 25:
                banned = _banned_partners(lead, eu_cn_work=eu_cn_work)
                options = {c for c in countries if c != lead and c not in banned}
                other = _weighted(rng, options, country_weight)
                partners.append(world.pick_lab(rng, world.pick_institution(rng, other), topic_idx))
            authorships = _authors(rng, world, lab, partners)
            work = maker.work(rng, _MAX_PER_SEED * seed + index, year, topic_idx, lead, authorships)
            if self.others is not None and not is_pm_work(index, self.pm_share):
                work = self.others.rewrite(other_rng, work)
            yield work


def _banned_partners(lead: str, *, eu_cn_work: bool) -> frozenset[str]:
    # Other international partners never pair the EU with China by accident,
    # so the EU-CN share is exactly the one planned per year.
    if eu_cn_work:
        return vocab.CHINA_SIDE | vocab.EU27
    if lead in vocab.EU27:
        return vocab.CHINA_SIDE
    if lead in vocab.CHINA_SIDE:
        return vocab.EU27
    return frozenset()


def _weighted(rng: random.Random, options: Collection[str], weights: dict[str, float]) -> str:
    ordered = [c for c in weights if c in options]
    cum = cumulative([weights[c] for c in ordered])
    return ordered[bisect(cum, rng.random() * cum[-1])]


def _authors(
    rng: random.Random, world: World, lab: tuple[int, int], partners: list[tuple[int, int]]
) -> list[tuple[dict[str, Any], str, bool]]:
    r = rng.random
    if not partners and r() < 0.03:  # real records: ~3% have no authorships at all
        return []
    members = world.members(lab)
    size = len(members)
    roll = r()
    wanted = 1 if roll < 0.05 else 2 + int(r() * 2) if roll < 0.25 else 4 + int(r() * 5)
    wanted = min(wanted, size)
    # A run of consecutive members: the same sub-teams publish together again and again.
    offset = 1 + int(r() * (size - 1)) if size > 1 else 0
    chosen = [members[1 + (offset + k) % (size - 1)] for k in range(wanted - 1)] if size > 1 else []
    pi = members[0]
    team = chosen + [pi] if r() < 0.8 else [pi] + chosen
    for partner in partners:
        others = world.members(partner)
        take = min(len(others), 1 + int(r() * 3))
        first = int(r() * len(others))
        guests = [others[(first + k) % len(others)] for k in range(take)]
        team[len(team) - 1 : len(team) - 1] = guests  # collaborators go between first and last
    unique = list({member["author"]["id"]: member for member in team}.values())
    last = len(unique) - 1
    return [
        (member, "first" if k == 0 else "last" if k == last else "middle", k == last)
        for k, member in enumerate(unique)
    ]


def write_openalex_jsonl(
    path: Path | str,
    n: int,
    *,
    seed: int = 0,
    start_year: int = 2000,
    end_year: int = 2025,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    compresslevel: int = 1,
    pm_share: float = 1.0,
) -> int:
    """Write ``n`` generated OpenAlex works as JSON Lines, one work per line; return ``n``.

    Each line is exactly ``orjson.dumps`` of what :func:`generate_openalex_works`
    yields for the same arguments, whatever the number of workers. A gzipped file
    is a series of gzip members (one per 2,000 works), which every gzip reader
    reads as one stream. The file appears only when complete.

    :param path: the output file; gzipped when its name ends in ``.gz``.
    :param n: how many works.
    :param seed: the same seed writes the same file.
    :param start_year: first publication year.
    :param end_year: last publication year.
    :param progress: called with the number written so far.
    :param workers: processes generating in parallel; default: up to 2 for 20,000 works or more.
    :param compresslevel: gzip level, 1 (fast, the default) to 9 (small).
    :param pm_share: the share of PM works, the others of other fields (see
        :func:`generate_openalex_works`).
    """
    _check(n, seed, start_year, end_year, pm_share)
    if not 1 <= compresslevel <= 9:
        raise InvalidInputError(
            Message(
                "compresslevel must be 1 to 9, not %(compresslevel)s",
                compresslevel=compresslevel,
            ),
            field="compresslevel",
        )
    target = Path(path)
    level = compresslevel if target.name.endswith(".gz") else None
    tasks = [(seed, start, min(n, start + CHUNK), level) for start in range(0, n, CHUNK)]
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if n >= 20_000 else 1
    target.parent.mkdir(parents=True, exist_ok=True)
    done = 0
    with written_beside(target) as partial, open(partial, "wb") as out, ExitStack() as stack:
        if workers > 1 and len(tasks) > 1:
            methods = multiprocessing.get_all_start_methods()
            # fork: no re-import of the caller's __main__, which may be an unguarded script.
            context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            pool = stack.enter_context(
                ProcessPoolExecutor(
                    workers,
                    mp_context=context,
                    initializer=_init_worker,
                    initargs=(n, start_year, end_year, pm_share),
                )
            )
            blobs: Iterator[bytes] = _in_order(pool, tasks, window=2 * workers)
        else:
            plan = _Plan(n, start_year, end_year, fragments=True, pm_share=pm_share)
            blobs = (_encode_chunk(plan, *task) for task in tasks)
        for task, blob in zip(tasks, blobs, strict=True):
            out.write(blob)
            done = task[2]
            if progress is not None:
                progress(done)
    if progress is not None and done == 0:
        progress(0)
    return n


def _in_order(
    pool: ProcessPoolExecutor, tasks: list[tuple[int, int, int, int | None]], *, window: int
) -> Iterator[bytes]:
    # Executor.map would submit every task at once and pile finished chunks up in memory
    # while the file is written; a small window keeps memory flat at any corpus size.
    pending: deque[Future[bytes]] = deque()
    remaining = iter(tasks)
    for task in itertools.islice(remaining, window):
        pending.append(pool.submit(_worker_chunk, task))
    while pending:
        blob = pending.popleft().result()
        following = next(remaining, None)
        if following is not None:
            pending.append(pool.submit(_worker_chunk, following))
        yield blob


_WORKER_PLAN: list[_Plan] = []


def _init_worker(n: int, start_year: int, end_year: int, pm_share: float) -> None:
    _WORKER_PLAN.append(_Plan(n, start_year, end_year, fragments=True, pm_share=pm_share))


def _worker_chunk(task: tuple[int, int, int, int | None]) -> bytes:
    return _encode_chunk(_WORKER_PLAN[0], *task)


def _encode_chunk(plan: _Plan, seed: int, start: int, stop: int, level: int | None) -> bytes:
    lines = b"\n".join([orjson.dumps(work) for work in plan.chunk(seed, start, stop)]) + b"\n"
    if level is None:
        return lines
    packer = zlib.compressobj(level, zlib.DEFLATED, 31)  # wbits 31: a gzip member, mtime 0
    return packer.compress(lines) + packer.flush()


def demo_corpus_paths(out: Path | str, *, patents: bool = True) -> dict[str, Path]:
    """Where :func:`write_demo_corpus` writes, by ingest source ("openalex", "patents").

    :param out: a directory (files get the bundled corpus's names), or a ``.jsonl`` or
        ``.jsonl.gz`` file for the works, with the patents beside it.
    :param patents: whether a patents file is wanted.
    """
    target = Path(out)
    if target.name.endswith((".jsonl", ".jsonl.gz")):
        suffix = ".jsonl.gz" if target.name.endswith(".gz") else ".jsonl"
        paths = {"openalex": target, "patents": target.with_name(f"lens_patents{suffix}")}
        if paths["patents"] == target:
            raise InvalidInputError(
                Message("%(target)s: name clashes with the patents file", target=target),
                field="out",
            )
    elif target.suffix:
        raise InvalidInputError(
            Message(
                "%(target)s: give a directory or a .jsonl / .jsonl.gz file for the works",
                target=target,
            ),
            field="out",
        )
    else:
        paths = {source: target / name for source, name in BUNDLED_FILES.items()}
    if not patents:
        del paths["patents"]
    return paths


def write_demo_corpus(
    out: Path | str,
    *,
    works: int,
    patents: int = 0,
    seed: int = 0,
    progress: Callable[[str, int], None] | None = None,
    workers: int | None = None,
    compresslevel: int = 1,
) -> dict[str, Path]:
    """Write a demo corpus (OpenAlex works, and Lens patents if asked); return the files by source.

    :param out: a directory, or the works' ``.jsonl``/``.jsonl.gz`` file
        (see :func:`demo_corpus_paths`).
    :param works: how many OpenAlex works.
    :param patents: how many Lens patents (0: no patents file).
    :param seed: the same seed writes the same files.
    :param progress: called with the source and the number written so far.
    :param workers: processes generating works in parallel (default: automatic).
    :param compresslevel: gzip level, 1 (fast) to 9 (small).
    """
    if patents < 0:
        raise InvalidInputError(
            Message("patents must be 0 or more, not %(patents)s", patents=patents),
            field="patents",
        )
    paths = demo_corpus_paths(out, patents=patents > 0)
    write_openalex_jsonl(
        paths["openalex"],
        works,
        seed=seed,
        workers=workers,
        compresslevel=compresslevel,
        progress=(lambda done: progress("openalex", done)) if progress else None,
    )
    if patents:
        write_lens_jsonl(
            paths["patents"],
            patents,
            seed=seed,
            compresslevel=compresslevel,
            progress=(lambda done: progress("patents", done)) if progress else None,
        )
    return paths


def bundled_demo_files() -> dict[str, Path]:
    """The synthetic demo corpus shipped with the package, by ingest source.

    ``{"openalex": <2,500 OpenAlex works>, "patents": <300 Lens patents>}``; each key is the
    ``source`` to give :func:`permed_atlas.landscape.ingest.ingest_file`. Regenerate with
    ``permed demo-corpus --works 2500 --patents 300 --seed 0 --compresslevel 9
    --out src/permed_atlas/data/demo``.
    """
    files = {source: DEMO_DIR / name for source, name in BUNDLED_FILES.items()}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise InvalidInputError(
            Message("bundled demo corpus missing: %(missing)s", missing=", ".join(missing)),
            field="demo",
        )
    return files
