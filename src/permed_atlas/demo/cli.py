"""``permed demo-corpus``: write a synthetic OpenAlex (and Lens) corpus for demos and benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from permed_atlas.cli_state import cli_console, settings_from
from permed_atlas.demo.corpus import demo_corpus_paths, write_demo_corpus

console = cli_console()


def demo_corpus(
    ctx: typer.Context,
    works: Annotated[int, typer.Option("--works", min=0, help="How many OpenAlex works.")] = 5000,
    patents: Annotated[int, typer.Option("--patents", min=0, help="How many Lens patents.")] = 0,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Same seed, same files.")] = 0,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="A directory, or the works' .jsonl / .jsonl.gz file (patents go beside it). "
            "Default: <data dir>/demo-corpus.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Generating processes (default: automatic)."),
    ] = None,
    compresslevel: Annotated[
        int, typer.Option("--compresslevel", min=1, max=9, help="gzip level: 1 fast, 9 small.")
    ] = 1,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only say what would be written.")
    ] = False,
) -> None:
    """Write a synthetic, realistic OpenAlex works corpus (and Lens patents) as JSON Lines.

    Example:

    permed demo-corpus --works 200000 --patents 2000 --seed 1 --out bench/
    """
    target = out if out is not None else settings_from(ctx).demo_corpus_dir
    paths = demo_corpus_paths(target, patents=patents > 0)
    counts = {"openalex": works, "patents": patents}
    if dry_run:
        for source, path in paths.items():
            console.print(
                f"would write {counts[source]:,} {_label(source)} to {path}", soft_wrap=True
            )
        return
    started = time.perf_counter()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as bar:
        tasks = {
            source: bar.add_task(_label(source), total=counts[source], rate="") for source in paths
        }
        begun = {"openalex": time.perf_counter()}

        def advance(source: str, done: int) -> None:
            now = time.perf_counter()
            elapsed = max(now - begun.setdefault(source, now), 1e-9)
            bar.update(tasks[source], completed=done, rate=f"{done / elapsed:,.0f}/s")
            if source == "openalex" and done >= works:
                begun["patents"] = now  # patents are written after the works

        written = write_demo_corpus(
            target,
            works=works,
            patents=patents,
            seed=seed,
            progress=advance,
            workers=workers,
            compresslevel=compresslevel,
        )
    elapsed = time.perf_counter() - started
    for source, path in written.items():
        size = path.stat().st_size / 1e6
        console.print(
            f"wrote {counts[source]:,} {_label(source)} to {path} ({size:,.1f} MB)", soft_wrap=True
        )
    console.print(f"seed {seed}, {elapsed:,.1f} s")


def _label(source: str) -> str:
    return {"openalex": "OpenAlex works", "patents": "Lens patents"}[source]


commands: list[Callable[..., Any]] = [demo_corpus]
