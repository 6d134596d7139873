"""A verdict rests on enough of the panel: the consensus rule's ``min_valid_share``.

An item that 10 experts answered, 9 with "no opinion" and 1 with a 5, had 100% agreement and
was included; so was an item only 1 of 10 invited experts rated. Now an item needs valid
ratings from at least ``min_valid_share`` (default half) of the experts invited to its round
(of those who answered it where the round has no invitations), and says why when it has not.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, update
from tests.delphi.factories import NOW, make_open_study

from permed_atlas.db import session_factory
from permed_atlas.delphi.consensus import (
    count_valid_needed,
    item_outcome,
    judge,
    summarise_ratings,
)
from permed_atlas.delphi.definition import parse_rule, study_draft_from_form
from permed_atlas.delphi.errors import StudyFileError
from permed_atlas.delphi.files import load_study_file
from permed_atlas.delphi.models import ConsensusRule
from permed_atlas.delphi.service import close_round, submit_ratings
from permed_atlas.delphi.store import get_study, list_items
from permed_atlas.delphi.tables import StudyRow
from permed_atlas.i18n import translated, use_language

RULE = ConsensusRule()
ONE_OF_TEN = [5] + [None] * 9  # one rating, nine "no opinion"
SHORT_ANSWERS = "too few valid ratings: 1 of 10 answers, the rule needs at least 5"
SHORT_INVITED = (
    "too few valid ratings: 1 of 10 invited experts (10 answered), the rule needs at least 5"
)


def test_one_valid_rating_of_ten_answers_gives_no_verdict() -> None:
    s = summarise_ratings(ONE_OF_TEN, rule=RULE)
    assert s.share_agree == 1.0 and s.n_valid == 1 and s.n_responses == 10
    assert s.verdict == "none" and s.valid_needed == 5 and s.too_few_valid
    shortfall = s.shortfall()
    assert shortfall is not None and shortfall.english() == SHORT_ANSWERS
    # the same figures under a rule that asks for one rating in ten: the one rating decides
    assert judge(s, rule=ConsensusRule(min_valid_share=0.1)) == "include"


def test_exactly_the_minimum_gets_a_verdict() -> None:
    assert summarise_ratings([5] * 5 + [None] * 5, rule=RULE).verdict == "include"
    assert summarise_ratings([1] * 5 + [None] * 5, rule=RULE).verdict == "exclude"
    assert summarise_ratings([5] * 4 + [None] * 6, rule=RULE).verdict == "none"
    enough = summarise_ratings([5] * 5 + [None] * 5, rule=RULE)
    assert not enough.too_few_valid and enough.shortfall() is None
    # half of 9 is 4.5: 5 are needed
    assert summarise_ratings([5] * 4 + [None] * 5, rule=RULE).verdict == "none"
    # 0.7 * 10 and 0.3 * 10 are not whole in floating point; the count is
    assert count_valid_needed(ConsensusRule(min_valid_share=0.7), n_asked=10) == 7
    assert count_valid_needed(ConsensusRule(min_valid_share=0.3), n_asked=10) == 3
    sixty = ConsensusRule(min_valid_share=0.6)
    assert summarise_ratings([5] * 6 + [None] * 4, rule=sixty).verdict == "include"
    assert summarise_ratings([5] * 5 + [None] * 5, rule=sixty).verdict == "none"
    # nobody valid: the same "no valid ratings" as before, no shortfall stated
    nobody = summarise_ratings([None] * 10, rule=RULE)
    assert nobody.verdict == "none" and nobody.shortfall() is None


def test_the_invited_panel_is_the_base() -> None:
    # 1 of 10 invited experts answered at all
    s = summarise_ratings([5], rule=RULE, n_invited=10)
    assert s.verdict == "none" and s.valid_needed == 5
    shortfall = s.shortfall()
    assert shortfall is not None and shortfall.english() == (
        "too few valid ratings: 1 of 10 invited experts (1 answered), the rule needs at least 5"
    )
    assert summarise_ratings([5] * 5, rule=RULE, n_invited=10).verdict == "include"
    assert summarise_ratings([5] * 4 + [None], rule=RULE, n_invited=10).verdict == "none"


def test_the_outcome_reason_says_why_in_both_languages() -> None:
    s = summarise_ratings(ONE_OF_TEN, rule=RULE, n_invited=10)
    outcome, reason = item_outcome(s, round_number=1)
    assert outcome == "pending"
    figures = "share agree 100%, share disagree 0%, median 5, IQR 0, n=1"
    assert reason.english() == f"no verdict in round 1, {SHORT_INVITED} ({figures})"
    with use_language("zh"):
        assert translated(reason.message()) == (
            "第 1 轮未作判定，有效评分过少：10 位受邀专家中仅 1 位给出有效评分（10 位作答），"
            "规则要求至少 5 位（同意比例 100%，不同意比例 0%，中位数 5，四分位距 0，n=1）"
        )


def test_the_rule_sentence_states_the_minimum() -> None:
    assert "at least 50% of the experts invited" in RULE.describe()
    assert "at least 60% of the experts invited" in ConsensusRule(min_valid_share=0.6).describe()
    with use_language("zh"):
        assert "至少 50% 的受邀专家" in RULE.describe()


def test_the_yaml_key_is_read_and_checked(tmp_path: Path) -> None:
    assert parse_rule(None).min_valid_share == 0.5 and parse_rule({}).min_valid_share == 0.5
    assert parse_rule({"min_valid_share": 0.6}).min_valid_share == 0.6
    for bad in (50, 0, -0.5, 1.5, "half", True, None):
        with pytest.raises(StudyFileError, match=r"consensus\.min_valid_share: ") as caught:
            parse_rule({"min_valid_share": bad})
        assert caught.value.field in ("min_valid_share", "consensus.min_valid_share")
    path = tmp_path / "study.yaml"
    path.write_text(
        "slug: s1\ntitle: T\nconsensus: {kind: share, min_valid_share: 0.75}\n"
        "surveys:\n  - {pillar: P1, title: One, items: [{code: A1, statement: S}]}\n",
        encoding="utf-8",
    )
    assert load_study_file(path).rule.min_valid_share == 0.75
    path.write_text(path.read_text().replace("0.75", "75"), encoding="utf-8")
    with pytest.raises(StudyFileError, match="min_valid_share: a share between 0 and 1"):
        load_study_file(path)


def test_the_form_field_is_read_and_checked() -> None:
    base = {"slug": "s1", "title": "T", "agree_share": "70", "exclude_share": "70"}
    assert study_draft_from_form(base).rule.min_valid_share == 0.5
    assert study_draft_from_form({**base, "min_valid_share": ""}).rule.min_valid_share == 0.5
    assert study_draft_from_form({**base, "min_valid_share": "60%"}).rule.min_valid_share == 0.6
    for bad in ("0", "150", "half"):
        with pytest.raises(StudyFileError, match="min_valid_share: ") as caught:
            study_draft_from_form({**base, "min_valid_share": bad})
        assert caught.value.field == "min_valid_share"


def test_the_new_study_form_offers_and_checks_the_minimum(client, make_user, login) -> None:  # type: ignore[no-untyped-def]
    make_user("ed@example.org", "editor")
    login(client, "ed@example.org")
    assert 'name="min_valid_share" value="50"' in client.get("/delphi/new").text
    form = {"slug": "m1", "title": "T", "agree_share": "70", "exclude_share": "70"}
    refused = client.post("/delphi/new", data={**form, "min_valid_share": "150"})
    assert refused.status_code == 422
    assert "min_valid_share: a percentage above 0 and at most 100" in refused.text
    created = client.post(
        "/delphi/new", data={**form, "min_valid_share": "60"}, follow_redirects=False
    )
    assert created.status_code == 303
    page = client.get(created.headers["location"]).text
    assert "at least 60% of the experts invited" in page


def _closed_one_of_ten(engine: Engine) -> tuple[int, int, int]:
    """A closed round of 10 invited experts: I1 rated 5 by one and "no opinion" by nine,
    I2 rated 5 by all. Returns (study id, round id, I1's id)."""
    with session_factory(engine)() as session:
        s = make_open_study(session, n_experts=10, n_items=2, slug="one-of-ten")
        first, second = (i.id for i in s.items)
        for index, expert in enumerate(s.experts):
            ratings = {first: 5 if index == 0 else None, second: 5}
            submit_ratings(session, s.tokens[expert.id], ratings=ratings, now=NOW)
        close_round(session, s.round.id, now=NOW)
        session.commit()
        return s.study.id, s.round.id, first


def test_the_round_page_report_and_exports_say_why(client, engine, make_user, login) -> None:  # type: ignore[no-untyped-def]
    study_id, round_id, first = _closed_one_of_ten(engine)
    with session_factory(engine)() as session:
        outcomes = {i.code: (i.outcome, i.outcome_reason) for i in list_items(session, round_id)}
    assert outcomes["I1"][0] == "pending" and SHORT_INVITED in outcomes["I1"][1]
    assert outcomes["I2"][0] == "consensus_include"
    make_user("ed@example.org", "editor")
    login(client, "ed@example.org")
    page = client.get(f"/delphi/rounds/{round_id}").text
    assert f'data-testid="too-few-valid">{SHORT_INVITED}<' in page
    report = client.get(f"/delphi/studies/{study_id}/report.html").text
    assert f'data-testid="too-few-valid">{SHORT_INVITED}<' in report
    assert "at least 50% of the experts invited" in report
    report_zh = client.get(f"/delphi/studies/{study_id}/report.html?lang=zh").text
    assert (
        "有效评分过少：10 位受邀专家中仅 1 位给出有效评分（10 位作答），规则要求至少 5 位"
        in report_zh
    )
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"/delphi/studies/{study_id}/statistics.csv").text))
    )
    assert [(r["item"], r["verdict"], r["valid_needed"]) for r in rows] == [
        ("I1", "none", "5"),
        ("I2", "include", "5"),
    ]
    api = client.get(f"/api/v1/delphi/rounds/{round_id}").json()
    assert api["rule"]["min_valid_share"] == 0.5
    summary = next(i["summary"] for i in api["items"] if i["item"]["id"] == first)
    assert (summary["verdict"], summary["valid_needed"], summary["n_invited"]) == ("none", 5, 10)


def test_a_study_stored_before_the_minimum_gets_the_default(engine: Engine) -> None:
    study_id, round_id, _ = _closed_one_of_ten(engine)
    before = {
        k: v for k, v in dataclasses.asdict(ConsensusRule()).items() if k != "min_valid_share"
    }
    with session_factory(engine)() as session:
        session.execute(
            update(StudyRow).where(StudyRow.id == study_id).values(rule_json=json.dumps(before))
        )
        session.commit()
        assert get_study(session, study_id).rule == ConsensusRule()
    from permed_atlas.delphi.results import compute_round_result

    with session_factory(engine)() as session:
        verdicts = [e.summary.verdict for e in compute_round_result(session, round_id).items]
    assert verdicts == ["none", "include"]
