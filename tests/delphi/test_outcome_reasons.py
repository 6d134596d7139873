"""An item's outcome reason is stored in English and read back into its templates, so a page
or report shows it in the reader's language with the same figures (#18)."""

from __future__ import annotations

from permed_atlas.delphi.consensus import item_outcome
from permed_atlas.delphi.models import ItemSummary
from permed_atlas.delphi.reasons import outcome_reason_message
from permed_atlas.i18n import translated, use_language

SPLIT = ItemSummary(
    n_responses=9, n_valid=8, n_no_opinion=1, counts=(1, 2, 1, 2, 2), share_agree=0.5,
    share_disagree=0.375, median=3.5, q1=2.0, q3=4.25, iqr=2.25, mean=3.25, sd=1.4,
    verdict="none",
)  # fmt: skip
NOBODY = ItemSummary(
    n_responses=1, n_valid=0, n_no_opinion=1, counts=(0, 0, 0, 0, 0), share_agree=None,
    share_disagree=None, median=None, q1=None, q3=None, iqr=None, mean=None, sd=None,
    verdict="none",
)  # fmt: skip


def _zh(text: str) -> str:
    with use_language("zh"):
        return translated(outcome_reason_message(text))


def test_a_closing_reason_shows_in_chinese_with_its_figures() -> None:
    outcome, reason = item_outcome(SPLIT, round_number=1)
    assert outcome == "pending"
    assert reason == (
        "no consensus in round 1 (share agree 50%, share disagree 38%, median 3.5, IQR 2.25, n=8)"
    )
    assert str(outcome_reason_message(reason)) == reason  # the English is unchanged
    assert _zh(reason) == (
        "第 1 轮未达成共识（同意比例 50%，不同意比例 38%，中位数 3.5，四分位距 2.25，n=8）"
    )
    assert _zh(item_outcome(NOBODY, round_number=2)[1]) == "第 2 轮未达成共识（无有效评分）"


def test_the_coordinators_words_stay_as_written_inside_a_translated_reason() -> None:
    figures = item_outcome(NOBODY, round_number=1)[1]
    # the store's wording for an item carried with a reason that itself holds "; "
    carried = f"carried to round 2 for re-rating reworded: too broad; split it; {figures}"
    assert str(outcome_reason_message(carried)) == carried
    assert _zh(carried) == (
        "延续至第 2 轮重新评分，措辞已修改：too broad; split it；第 1 轮未达成共识（无有效评分）"
    )
    dropped = f"dropped before round 2: no reason given; {figures}"
    assert _zh(dropped) == "在第 2 轮之前删除：未说明理由；第 1 轮未达成共识（无有效评分）"


def test_a_reason_no_template_fits_is_shown_as_stored() -> None:
    for text in ["Merged with A3 by the steering group", "carried to round 2: no figures"]:
        assert outcome_reason_message(text) == text
        assert _zh(text) == text
