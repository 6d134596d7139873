"""Writing generated records as JSON Lines, plain or gzipped, all or nothing."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson

from permed_atlas.outputfiles import written_beside

_BATCH = 1000


def write_jsonl(
    path: Path | str,
    records: Iterable[dict[str, Any]],
    *,
    progress: Callable[[int], None] | None = None,
    compresslevel: int = 6,
) -> int:
    """Write records as JSON Lines (gzipped when the name ends in .gz); return how many.

    The file appears only when complete: it is written beside the target and renamed,
    so an interrupted run leaves no half-written corpus behind.

    :param path: the output file.
    :param records: the records, one per line.
    :param progress: called with the number written so far, every 1,000 records and at the end.
    :param compresslevel: gzip level when gzipped.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with written_beside(target) as partial, open(partial, "wb") as raw:
        # mtime=0 and no file name in the header: the same records give the same bytes.
        out = (
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=compresslevel, mtime=0)
            if target.name.endswith(".gz")
            else raw
        )
        batch: list[bytes] = []
        for record in records:
            batch.append(orjson.dumps(record))
            count += 1
            if len(batch) == _BATCH:
                batch.append(b"")
                out.write(b"\n".join(batch))
                batch.clear()
                if progress is not None:
                    progress(count)
        if batch:
            batch.append(b"")
            out.write(b"\n".join(batch))
        if out is not raw:
            out.close()
    if progress is not None:
        progress(count)
    return count
