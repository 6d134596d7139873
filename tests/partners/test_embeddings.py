"""``--method embeddings`` with the real all-MiniLM-L6-v2 model, loaded offline once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sentence_transformers", reason="the optional `embeddings` extra")

from permed_atlas.partners import PartnerQuery, build_profiles, find_partners, load_index  # noqa: E402
from permed_atlas.partners.embeddings import (  # noqa: E402
    MODEL_NAME,
    embeddings_available,
    encode,
    load_model,
    profile_embeddings,
)
from permed_atlas.partners.store import find_in_corpus, region_countries, topic_labels  # noqa: E402
from permed_atlas.settings import Settings  # noqa: E402

from ._corpus import FINDER_PAPERS, make_corpus  # noqa: E402


@pytest.fixture(scope="session")
def model():  # type: ignore[no-untyped-def]
    """The model, loaded once per test session (the slow part)."""
    return load_model()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, Settings]]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("embeddings"))
    connection = make_corpus(settings.corpus_path, FINDER_PAPERS, settings)
    build_profiles(connection)
    yield connection, settings
    connection.close()


def test_model_loads_offline_and_encodes(model) -> None:  # type: ignore[no-untyped-def]
    import os

    assert embeddings_available() and os.environ["HF_HUB_OFFLINE"] == "1"
    vectors = encode(
        [
            "warfarin dose genetics",
            "CYP2C9 pharmacogenomics of anticoagulants",
            "heart failure registry",
        ]
    )
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_profile_embeddings_are_cached_by_corpus_state(model, corpus, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    connection, _ = corpus
    index = load_index(connection)
    first = profile_embeddings(connection, index, cache_dir=tmp_path)
    files = list(tmp_path.glob(f"embeddings-{MODEL_NAME}-*.npz"))
    assert len(files) == 1 and index.state.partition("@")[0] in files[0].name
    assert first.vectors.shape == (len(index.keys), 384)
    again = profile_embeddings(connection, index, cache_dir=tmp_path)
    assert np.array_equal(first.vectors, again.vectors)


def test_semantic_finder_ranks_the_warfarin_researcher_first(model, corpus, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    connection, settings = corpus
    index = load_index(connection)
    vectors = profile_embeddings(connection, index, cache_dir=tmp_path)
    regions, labels = region_countries(settings), topic_labels(settings)
    by_author = find_partners(
        index,
        PartnerQuery("author", "A1"),
        regions=regions,
        topic_labels=labels,
        method="embeddings",
        embeddings=vectors,
    )
    assert by_author.method == "embeddings"
    assert by_author.matches[0].name == "Li Wei"
    assert "Wang Fang" not in [m.name for m in by_author.matches]
    # No word in common with any title: only the meaning connects it to warfarin.
    text = find_in_corpus(
        connection,
        PartnerQuery("text", "genetic tests to choose the anticoagulant dose"),
        settings=settings,
        method="embeddings",
    )
    assert text.matches[0].name in {"Li Wei", "Wang Fang"}
    assert text.matches[0].reasons[0].kind == "similarity"


def test_cli_builds_embeddings_and_finds_with_them(  # type: ignore[no-untyped-def]
    model, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from permed_atlas.cli import app

    monkeypatch.setenv("PERMED_DATA_DIR", str(settings.data_dir))
    settings.ensure_data_dir()
    make_corpus(settings.corpus_path, FINDER_PAPERS, settings).close()
    runner = CliRunner()
    built = runner.invoke(app, ["partners", "build", "--embeddings"])
    assert built.exit_code == 0, built.output
    assert list((settings.data_dir / "partners").glob("embeddings-*.npz"))
    found = runner.invoke(
        app, ["partners", "find", "--author", "A1", "--method", "embeddings", "--format", "json"]
    )
    assert found.exit_code == 0, found.output
    assert '"method": "embeddings"' in found.output and "Li Wei" in found.output
