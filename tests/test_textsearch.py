"""The shared text-search core: words, stems, stop words, BM25 with weighted fields."""

from __future__ import annotations

import itertools
import math
import string
import sys
import threading

from permed_atlas.textsearch import (
    STOP_WORDS,
    Bm25Index,
    fold,
    has_terms,
    stem,
    stop_words_with,
    surface_forms,
    tokenize,
)


def test_words_are_folded_split_at_hyphens_and_stripped_of_stop_words() -> None:
    assert fold("Ethikprüfung São Paulo") == "ethikprufung sao paulo"
    assert tokenize("Ethikprüfung") == ["ethikprufung"]
    assert tokenize("The Biobanks of the Studies") == ["biobank", "studi"]
    assert tokenize("Sino-EU PerMed") == ["sinoeu", "sino", "eu", "permed"]
    assert tokenize("ICPerMed and ERA PerMed") == ["icpermed", "era", "permed"]
    assert tokenize("the patient's consent") == ["patient", "consent"]
    assert tokenize("the patient\u2019s consent") == ["patient", "consent"]
    assert tokenize("2016/679") == ["2016", "679"]
    assert tokenize("") == [] and not has_terms("the of and") and has_terms("the GDPR")


def test_each_caller_adds_its_own_stop_words() -> None:
    asking = stop_words_with("Please need")
    assert asking > STOP_WORDS and "please" in asking
    assert tokenize("please we need ethics") == ["pleas", "need", "ethic"]
    assert tokenize("please we need ethics", stop_words=asking) == ["ethic"]
    assert stop_words_with(["Please", "need"]) == asking
    assert surface_forms("Ethical ethics needs", stop_words=asking) == {
        "ethic": "ethical",
        "need": "needs",
    }


def test_stemmer_folds_spellings_and_inflections_but_keeps_concepts_apart() -> None:
    assert stem("personalised") == stem("personalized") == stem("personalisation")
    assert stem("personalization") == stem("personalise") == stem("personalize")
    assert stem("organization") == stem("organisation")
    assert stem("approval") == stem("approve") == stem("approved") == stem("approves")
    assert stem("trials") == stem("trial") and stem("registries") == stem("registry")
    assert stem("funded") == stem("funding") == "fund" and stem("planning") == "plan"
    assert stem("genetic") != stem("gene") and stem("genetics") == stem("genetic")
    assert stem("permed") == "permed" and stem("icpermed") == "icpermed"
    assert stem("2016") == "2016" and stem("hgr") == "hgr"


def _index(*texts: str) -> Bm25Index:
    return Bm25Index([[(text, 1.0)] for text in texts])


def test_a_rare_term_outranks_a_common_one() -> None:
    index = _index(
        "ethics committee review of the protocol",
        "ethics committee opinion",
        "ethics review and sample export certificate",
        "ethics of data sharing",
    )
    hits = index.search("ethics export")
    assert hits[0].index == 2 and hits[0].matched == ("export", "ethics")
    assert {h.index for h in hits} == {0, 1, 2, 3}
    assert index.search("nothing matches") == [] and index.search("the of") == []
    alone = _index("ethics committee", "export permit", "ethics review").search("ethics export")
    assert alone[0].index == 1 and alone[0].score > alone[1].score


def test_weighted_fields_count_more_and_idf_is_lucenes() -> None:
    index = Bm25Index(
        [
            [("Biobank network", 1.0), ("rare disease registry", 1.0)],
            [("Rare disease network", 3.0), ("biobank", 1.0)],
            [("something else", 1.0)],
        ]
    )
    hits = index.search("rare biobank")
    assert [h.index for h in hits] == [1, 0]
    assert hits[0].matched == ("rare", "biobank")  # strongest contribution first
    assert hits[1].matched == ("biobank", "rare")  # equal contributions: alphabetical
    assert math.isclose(index.idf("rare"), math.log(1 + (3 - 2 + 0.5) / (2 + 0.5)))
    assert index.idf("zzz") == 0.0
    assert index.lengths[1] == 3 * 3 + 1  # a weight-3 field counts each word three times


def test_matched_terms_keep_the_query_s_spelling() -> None:
    hits = _index("personalised medicine trials").search("Personalized Trial")
    assert hits[0].matched == ("personalized", "trial")


def test_ties_keep_document_order_every_time() -> None:
    texts = ["cohort study", "study cohort", "cohort and study", "an unrelated text"]
    first = [(h.index, h.score) for h in _index(*texts).search("cohort study")]
    assert [i for i, _ in first] == [0, 1, 2]
    assert len({score for _, score in first}) == 1
    for _ in range(3):
        assert [(h.index, h.score) for h in _index(*texts).search("study cohort")] == first


def test_chinese_text_is_segmented_into_words_and_their_parts() -> None:
    from permed_atlas.textsearch import tokenize

    terms = tokenize("我们需要人类遗传资源出境审批吗？Ethics review")
    assert {"人类", "遗传", "资源", "出境", "审批", "ethic", "review"} <= set(terms)
    assert "我们" not in terms and "吗" not in terms  # function words are stop words
    assert "？" not in terms


def test_a_chinese_query_finds_the_chinese_document() -> None:
    from permed_atlas.textsearch import Bm25Index

    index = Bm25Index([[("Ethics review 伦理审查", 1.0)], [("人类遗传资源出境审批", 1.0)],
                       [("Sample shipping", 1.0)]])  # fmt: skip
    hits = index.search("遗传资源材料出境需要审批吗")
    assert [h.index for h in hits] == [1]
    assert set(hits[0].matched) >= {"出境", "审批", "遗传"}


def test_threads_stemming_at_once_get_the_stems_one_thread_gets() -> None:
    # Two requests building the helpdesk's index at once shared one snowball stemmer, which
    # keeps its word in itself: wrong stems (then cached) and IndexError, a 500.
    words = ["".join(p) + "izations" for p in itertools.product(string.ascii_lowercase, repeat=3)]
    stem.cache_clear()
    expected = {word: stem(word) for word in words[:6000]}
    stem.cache_clear()
    found: dict[str, str] = {}
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        for word in list(expected)[offset::4]:
            try:
                found[word] = stem(word)
            except Exception as exc:  # noqa: BLE001 - the race's IndexError is the failure
                errors.append(exc)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so a shared state shows at once
    try:
        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
        stem.cache_clear()
    assert errors == [] and found == expected
