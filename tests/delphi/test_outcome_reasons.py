"""An item's outcome reason is stored as English plus a message key and its values, so a page
or report renders it in the reader's language with the same figures; a row written before the
keys shows its stored English (#18)."""

from __future__ import annotations

import dataclasses
import json

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from tests.delphi.factories import NOW, make_open_study

from permed_atlas.db import session_factory
from permed_atlas.delphi.consensus import compare_regions, item_outcome
from permed_atlas.delphi.definition import ItemDraft
from permed_atlas.delphi.models import CarryDecision, ConsensusRule, ItemSummary
from permed_atlas.delphi.reasons import (
    REASON_MESSAGES,
    OutcomeReason,
    carried_reason,
    dropped_reason,
    outcome_reason_shown,
    words_reason,
)
from permed_atlas.delphi.service import close_round, submit_ratings
from permed_atlas.delphi.store import (
    add_item,
    list_items,
    remove_item,
    start_next_round,
)
from permed_atlas.delphi.tables import ItemRow
from permed_atlas.i18n import translated, use_language

SPLIT = ItemSummary(
    n_responses=9, n_valid=8, n_no_opinion=1, counts=(1, 2, 1, 2, 2), share_agree=0.5,
    share_disagree=0.375, median=3.5, q1=2.0, q3=4.25, iqr=2.25, mean=3.25, sd=1.4,
    verdict="none",
)  # fmt: skip
AGREED = ItemSummary(
    n_responses=10, n_valid=10, n_no_opinion=0, counts=(0, 1, 1, 4, 4), share_agree=0.8,
    share_disagree=0.1, median=4.0, q1=4.0, q3=5.0, iqr=1.0, mean=4.1, sd=0.99,
    verdict="include",
)  # fmt: skip
REFUSED = ItemSummary(
    n_responses=10, n_valid=10, n_no_opinion=0, counts=(5, 3, 1, 1, 0), share_agree=0.1,
    share_disagree=0.8, median=1.5, q1=1.0, q3=2.0, iqr=1.0, mean=1.8, sd=1.0,
    verdict="exclude",
)  # fmt: skip
NOBODY = ItemSummary(
    n_responses=1, n_valid=0, n_no_opinion=1, counts=(0, 0, 0, 0, 0), share_agree=None,
    share_disagree=None, median=None, q1=None, q3=None, iqr=None, mean=None, sd=None,
    verdict="none",
)  # fmt: skip


def _zh(reason: OutcomeReason) -> str:
    """The reason as a Chinese page shows it, read back from what the store keeps."""
    with use_language("zh"):
        return translated(outcome_reason_shown(reason.english(), reason.to_json()))


def test_each_closing_reason_keeps_its_english_and_shows_in_chinese() -> None:
    cases = [
        (AGREED, "consensus_include", "consensus to include in round 1 (share agree 80%, "
         "share disagree 10%, median 4, IQR 1, n=10)",
         "第 1 轮达成纳入共识（同意比例 80%，不同意比例 10%，中位数 4，四分位距 1，n=10）"),
        (REFUSED, "consensus_exclude", "consensus to exclude in round 1 (share agree 10%, "
         "share disagree 80%, median 1.5, IQR 1, n=10)",
         "第 1 轮达成排除共识（同意比例 10%，不同意比例 80%，中位数 1.5，四分位距 1，n=10）"),
        (SPLIT, "pending", "no consensus in round 1 (share agree 50%, share disagree 38%, "
         "median 3.5, IQR 2.25, n=8)",
         "第 1 轮未达成共识（同意比例 50%，不同意比例 38%，中位数 3.5，四分位距 2.25，n=8）"),
    ]  # fmt: skip
    for summary, outcome, english, chinese in cases:
        got_outcome, reason = item_outcome(summary, round_number=1)
        assert got_outcome == outcome
        assert reason.english() == english  # the API's and the exports' text is unchanged
        assert _zh(reason) == chinese
    # too few valid ratings for a verdict (test_min_valid.py): without invitations, answers
    few = dataclasses.replace(SPLIT, n_responses=20, n_no_opinion=12, valid_needed=10)
    short = item_outcome(few, round_number=1)[1]
    assert short.english() == (
        "no verdict in round 1, too few valid ratings: 8 of 20 answers, the rule needs at "
        "least 10 (share agree 50%, share disagree 38%, median 3.5, IQR 2.25, n=8)"
    )
    assert _zh(short) == (
        "第 1 轮未作判定，有效评分过少：20 份回答中仅 8 份有效，规则要求至少 10 份（同意比例 50%，"
        "不同意比例 38%，中位数 3.5，四分位距 2.25，n=8）"
    )
    nobody = item_outcome(NOBODY, round_number=2)[1]
    assert nobody.english() == "no consensus in round 2 (no valid ratings)"
    assert _zh(nobody) == "第 2 轮未达成共识（无有效评分）"
    # stored as a key and numbers, not as a msgid: rewording the English changes no row
    data = json.loads(item_outcome(SPLIT, round_number=1)[1].to_json())
    assert data["key"] == "no_consensus" and data["values"]["round"] == 1
    assert data["values"]["figures"]["values"]["share_agree"] == 0.5


def test_each_carried_and_dropped_reason_in_english_and_chinese() -> None:
    earlier = item_outcome(NOBODY, round_number=1)[1]
    tail_en, tail_zh = (
        "no consensus in round 1 (no valid ratings)",
        "第 1 轮未达成共识（无有效评分）",
    )
    carried = {
        (False, False): ("carried to round 2", "延续至第 2 轮"),
        (True, False): ("carried to round 2 for re-rating", "延续至第 2 轮重新评分"),
        (False, True): ("carried to round 2 reworded", "延续至第 2 轮，措辞已修改"),
        (True, True): (
            "carried to round 2 for re-rating reworded", "延续至第 2 轮重新评分，措辞已修改"
        ),
    }  # fmt: skip
    for (rerating, reworded), (english, chinese) in carried.items():
        reason = carried_reason(2, rerating=rerating, reworded=reworded, why="", earlier=earlier)
        assert reason.english() == f"{english}; {tail_en}"
        assert _zh(reason) == f"{chinese}；{tail_zh}"
    # the coordinator's words stay as written, "; " inside them too
    why = carried_reason(
        2, rerating=True, reworded=True, why="too broad; split it", earlier=earlier
    )
    assert (
        why.english()
        == f"carried to round 2 for re-rating reworded: too broad; split it; {tail_en}"
    )
    assert _zh(why) == f"延续至第 2 轮重新评分，措辞已修改：too broad; split it；{tail_zh}"
    dropped = {
        ("out of scope", False): ("out of scope", "out of scope"),
        ("", False): ("no reason given", "未说明理由"),
        ("", True): ("not selected for round 2", "未被选入第 2 轮"),
    }  # fmt: skip
    for (words, not_selected), (english, chinese) in dropped.items():
        reason = dropped_reason(2, why=words, not_selected=not_selected, earlier=earlier)
        assert reason.english() == f"dropped before round 2: {english}; {tail_en}"
        assert _zh(reason) == f"在第 2 轮之前删除：{chinese}；{tail_zh}"
    assert _zh(words_reason("duplicate of I5")) == "duplicate of I5"


def test_every_template_is_covered_and_translated() -> None:
    used = {"consensus_include", "consensus_exclude", "no_consensus", "figures",
            "no_valid_ratings", "carried", "carried_rerating", "carried_reworded",
            "carried_rerating_reworded", "dropped", "not_selected", "no_reason_given",
            "with_why", "then", "no_verdict", "too_few_valid", "too_few_valid_invited",
            }  # fmt: skip
    assert set(REASON_MESSAGES) == used  # a new template needs a case above
    with use_language("zh"):
        from permed_atlas.i18n import gettext

        assert all(gettext(message) != message for message in REASON_MESSAGES.values())


def test_a_row_written_before_the_keys_shows_its_stored_english() -> None:
    old = "no consensus in round 1 (share agree 50%, share disagree 38%, median 3.5, IQR 2.25, n=8)"
    for stored_json in (None, "", "{not json", '{"key": "from_a_newer_version", "values": {}}'):
        with use_language("zh"):
            shown = outcome_reason_shown(old, stored_json)
            assert str(shown) == old
            assert 'class="untranslated"' in shown.__html__()  # visibly not Chinese
        with use_language("en"):
            assert 'class="untranslated"' not in outcome_reason_shown(old, None).__html__()
    # a JSON that no longer says what the English says: the English is the record
    other = item_outcome(AGREED, round_number=1)[1].to_json()
    with use_language("zh"):
        assert str(outcome_reason_shown(old, other)) == old


def _rate_all(session: Session, s, values_by_item: dict[int, list[int | None]]) -> None:  # type: ignore[no-untyped-def]
    for index, expert in enumerate(s.experts):
        ratings = {item_id: values[index] for item_id, values in values_by_item.items()}
        submit_ratings(session, s.tokens[expert.id], ratings=ratings, now=NOW)


def _stored(session: Session, round_id: int) -> dict[str, tuple[str, str | None, str]]:
    """code -> (English, JSON, Chinese as a page shows it) of a round's items."""
    items = list_items(session, round_id)
    with use_language("zh"):
        return {
            i.code: (i.outcome_reason, i.outcome_reason_json, translated(i.outcome_reason_text))
            for i in items
        }


def test_the_store_writes_english_and_key_for_every_step(session: Session) -> None:
    s = make_open_study(session, n_experts=10, n_items=4)
    i1, i2, i3, i4 = (i.id for i in s.items)
    _rate_all(session, s, {
        i1: [5, 5, 4, 4, 4, 4, 5, 4, 3, 2],  # include
        i2: [3, 4, 3, 2, 4, 5, 3, 3, 4, None],  # no consensus: carried, reworded
        i3: [3, 3, 3, 4, 2, 3, 4, 3, 2, 3],  # no consensus: not selected
        i4: [3, 3, 3, 4, 2, 3, 4, 3, 2, 3],  # no consensus: dropped with words
    })  # fmt: skip
    close_round(session, s.round.id, now=NOW)
    closed = _stored(session, s.round.id)
    assert closed["I1"][0].startswith("consensus to include in round 1 (share agree 80%")
    assert closed["I1"][2].startswith("第 1 轮达成纳入共识（同意比例 80%")
    assert all(json_text is not None for _, json_text, _ in closed.values())
    nxt = start_next_round(
        session,
        s.round.id,
        carry="selected",
        selected=["I2"],
        decisions={
            "I2": CarryDecision(statement="Statement 2, clearer.", reason="ambiguous"),
            "I4": CarryDecision(drop=True, reason="out of scope"),
        },
    )
    moved = _stored(session, s.round.id)
    assert moved["I2"][0] == f"carried to round 2 reworded: ambiguous; {closed['I2'][0]}"
    assert moved["I2"][2] == f"延续至第 2 轮，措辞已修改：ambiguous；{closed['I2'][2]}"
    assert moved["I3"][0] == f"dropped before round 2: not selected for round 2; {closed['I3'][0]}"
    assert moved["I3"][2] == f"在第 2 轮之前删除：未被选入第 2 轮；{closed['I3'][2]}"
    assert moved["I4"][2] == f"在第 2 轮之前删除：out of scope；{closed['I4'][2]}"
    assert moved["I1"] == closed["I1"]  # a consensus item not carried stays final
    # an item added to the draft round with an earlier code carries that item on
    i3_row = session.get(ItemRow, i3)
    assert i3_row is not None
    i3_row.outcome, i3_row.outcome_reason_json = "pending", None  # as if written before keys
    i3_row.outcome_reason = "no consensus in round 1 (stored before keys)"
    again = add_item(session, nxt.id, ItemDraft(code="I3", statement="Statement 3"))
    added = _stored(session, s.round.id)["I3"]
    assert added[0] == "carried to round 2; no consensus in round 1 (stored before keys)"
    # the step is Chinese, the older English inside it is kept as written
    assert added[2] == "延续至第 2 轮；no consensus in round 1 (stored before keys)"
    remove_item(session, again.id, reason="duplicate of I2")
    assert _stored(session, s.round.id)["I3"][::2] == ("duplicate of I2", "duplicate of I2")
    keys = session.scalars(
        select(ItemRow.outcome_reason_json).where(ItemRow.round_id == s.round.id)
    )
    assert all(json.loads(k)["key"] for k in keys if k is not None)


def test_region_comparison_reasons_in_chinese() -> None:
    ratings = {"CN": [2] * 6, "EU": [5] * 6}
    comparison = compare_regions(ratings, rule=ConsensusRule())
    assert comparison.reasons == (
        "share agree CN 0% vs EU 100% (100 points)",
        "consensus in EU only",
    )
    with use_language("zh"):
        assert [translated(r) for r in comparison.reasons] == [
            "同意比例：CN 0%，EU 100%（相差 100 个百分点）",
            "仅 EU 达成共识",
        ]


def test_round_page_and_report_show_reasons_in_chinese(
    client, engine: Engine, make_user, login
) -> None:  # type: ignore[no-untyped-def]
    with session_factory(engine)() as session:
        s = make_open_study(session, n_experts=25, n_items=1)
        regions = [e.region for e in s.experts]
        values = [5 if r == "EU" else 2 if r == "CN" else 3 for r in regions]
        _rate_all(session, s, {s.items[0].id: values})
        close_round(session, s.round.id, now=NOW)
        session.commit()
    # the reason carries the figures: hidden with them from who may not see them; the key and
    # values are how pages translate it, never part of the API's answer
    hidden = client.get(f"/api/v1/delphi/rounds/{s.round.id}").json()["items"][0]["item"]
    assert hidden["outcome_reason"] == "" and "outcome_reason_json" not in hidden
    make_user("ed@example.org", "editor")
    login(client, "ed@example.org")
    shown = client.get(f"/api/v1/delphi/rounds/{s.round.id}").json()["items"][0]["item"]
    assert shown["outcome_reason"].startswith("no consensus in round 1 (share agree 40%")
    assert "outcome_reason_json" not in shown
    for url in (f"/delphi/rounds/{s.round.id}", f"/delphi/studies/{s.study.id}/report"):
        zh = client.get(f"{url}?lang=zh").text
        assert "第 1 轮未达成共识（同意比例" in zh, url
        assert "仅 EU 达成共识" in zh and "同意比例：CN 0%，EU 100%" in zh, url
        en = client.get(f"{url}?lang=en").text
        assert "no consensus in round 1 (share agree" in en and "consensus in EU only" in en, url
