"""The BM25 index and the light stemmer."""

from __future__ import annotations

import math

from permed_atlas.helpdesk._bm25 import BM25Index, stem, tokenize


def test_tokenize_stems_and_drops_stop_words() -> None:
    assert tokenize("The authorization of shipped samples") == ["authoris", "ship", "sampl"]
    assert tokenize("Authorisation, authorised, authorises") == ["authoris"] * 3
    assert stem("approval") == stem("approves") == stem("approved") == "approv"
    assert stem("registries") == "registry"
    assert tokenize("Ethikprüfung") == ["ethikprufung"]  # accents folded
    assert tokenize("") == []


def test_bm25_ranks_rarer_and_more_frequent_terms_higher() -> None:
    docs = [
        tokenize("ethics committee review of the protocol"),
        tokenize("sample export certificate for blood samples"),
        tokenize("ethics committee and ethics review of ethics"),
    ]
    index = BM25Index(docs)
    results = index.search(tokenize("ethics review"))
    assert [r.index for r in results] == [2, 0]
    assert results[0].matched == ("ethic", "review")
    assert index.search(tokenize("export"))[0].index == 1
    assert index.search(tokenize("nothing matches")) == []


def test_idf_is_the_lucene_form() -> None:
    index = BM25Index([["a"], ["a", "b"], ["c"]])
    assert math.isclose(index.idf("a"), math.log(1 + (3 - 2 + 0.5) / (2 + 0.5)))
    assert index.idf("zzz") == 0.0
