"""The Delphi store on a fresh migrated SQLite database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from tests.delphi.factories import NOW, make_open_study

from permed_atlas.delphi.definition import ItemDraft
from permed_atlas.delphi.errors import (
    DuplicateSubmissionError,
    InvalidTokenError,
    PanelFileError,
    RatingError,
    RoundClosedError,
    RoundStateError,
)
from permed_atlas.delphi.files import import_panel_file
from permed_atlas.delphi.form import load_rating_form
from permed_atlas.delphi.models import CarryDecision
from permed_atlas.delphi.service import close_round, submit_ratings
from permed_atlas.delphi.store import (
    add_item,
    get_panel,
    hash_token,
    issue_invitations,
    list_experts,
    list_final_items,
    list_items,
    list_ratings,
    list_rounds,
    open_round,
    ratings_of_expert,
    remove_item,
    resolve_token,
    start_next_round,
    update_item,
    utcnow,
)
from permed_atlas.delphi.tables import ExpertRow, InvitationRow, ResponseRow


def test_invitations_store_only_a_hash(session: Session) -> None:
    s = make_open_study(session)
    stored = session.scalars(select(InvitationRow.token_hash)).all()
    assert len(stored) == 10
    for token in s.tokens.values():
        assert len(token) >= 40  # 32 random bytes, URL-safe
        assert token not in stored and hash_token(token) in stored
    dump = "\n".join(str(r) for r in session.execute(text("SELECT * FROM delphi_invitation")).all())
    assert not any(t in dump for t in s.tokens.values())
    # a second issue skips invited experts; reissue replaces the link
    assert issue_invitations(session, s.round.id, base_url="http://x", now=NOW) == []
    expert_id, old = next(iter(s.tokens.items()))
    fresh = issue_invitations(session, s.round.id, base_url="http://x/", reissue=True, now=NOW)
    assert fresh[0].link.startswith("http://x/delphi/respond/")
    with pytest.raises(InvalidTokenError):
        resolve_token(session, old, now=NOW)


def test_token_errors(session: Session) -> None:
    s = make_open_study(session)
    token = next(iter(s.tokens.values()))
    with pytest.raises(InvalidTokenError, match="not valid"):
        resolve_token(session, "nope", now=NOW)
    with pytest.raises(InvalidTokenError, match="expired"):
        resolve_token(session, token, now=utcnow() + timedelta(days=31))
    invitation, expert, round_ = resolve_token(session, token, now=NOW)
    assert round_.id == s.round.id and invitation.expert_id == expert.id


def test_partial_saves_and_edits_until_close(session: Session) -> None:
    s = make_open_study(session)
    expert = s.experts[0]
    token = s.tokens[expert.id]
    i1, i2, i3 = s.items[0].id, s.items[1].id, s.items[2].id
    first = submit_ratings(
        session, token, ratings={i1: "4"}, comments={i1: " good "}, revision=0, now=NOW
    )
    assert (first.saved, first.revision, first.duplicate) == (1, 1, False)
    second = submit_ratings(
        session, token, ratings={i1: 5, i2: "na", i3: None}, revision=1, now=NOW
    )
    assert second.saved == 3
    saved = ratings_of_expert(session, s.round.id, expert.id)
    assert {k: v.value for k, v in saved.items()} == {i1: 5, i2: None, i3: None}
    assert saved[i1].comment == "good"  # kept when not resubmitted
    blank = submit_ratings(session, token, ratings={}, comments={s.items[3].id: "  "}, now=NOW)
    assert blank.saved == 0  # an empty comment box on an unrated item stores nothing
    with pytest.raises(RatingError, match="I4: choose a rating"):
        submit_ratings(session, token, ratings={}, comments={s.items[3].id: "why?"}, now=NOW)
    form = load_rating_form(session, token, now=NOW)
    assert form.n_answered == 3 and form.items[0].rating == 5 and form.items[1].no_opinion
    close_round(session, s.round.id, now=NOW)
    with pytest.raises(RoundClosedError, match="closed"):
        submit_ratings(session, token, ratings={i1: 1}, now=NOW)
    assert ratings_of_expert(session, s.round.id, expert.id)[i1].value == 5


def test_bad_ratings_store_nothing(session: Session) -> None:
    s = make_open_study(session)
    token = s.tokens[s.experts[0].id]
    ok, bad = s.items[0].id, s.items[1].id
    for value in (0, 6, "7", "x", 2.5):
        with pytest.raises(RatingError) as caught:
            submit_ratings(session, token, ratings={ok: 4, bad: value}, now=NOW)
        assert caught.value.field == f"item_{bad}" and "I2" in str(caught.value)
    with pytest.raises(RatingError, match="not part of round"):
        submit_ratings(session, token, ratings={999_999: 4}, now=NOW)
    assert list_ratings(session, s.round.id) == []


def test_duplicate_submission(session: Session) -> None:
    s = make_open_study(session)
    token = s.tokens[s.experts[0].id]
    item = s.items[0].id
    submit_ratings(session, token, ratings={item: 4}, revision=0, now=NOW)
    again = submit_ratings(session, token, ratings={item: 4}, revision=0, now=NOW)
    assert again.duplicate and again.saved == 0
    with pytest.raises(DuplicateSubmissionError, match="reload"):
        submit_ratings(session, token, ratings={item: 2}, revision=0, now=NOW)
    assert session.scalar(select(func.count()).select_from(ResponseRow)) == 1
    assert ratings_of_expert(session, s.round.id, s.experts[0].id)[item].value == 4


def test_the_database_refuses_out_of_range_and_double_rows(session: Session) -> None:
    s = make_open_study(session)
    from sqlalchemy.exc import IntegrityError

    for values in ((s.items[0].id, s.experts[0].id, 9),):
        with pytest.raises(IntegrityError), session.begin_nested():
            session.add(
                ResponseRow(
                    item_id=values[0],
                    expert_id=values[1],
                    value=values[2],
                    comment="",
                    updated_at=NOW,
                )
            )
            session.flush()
    session.add(
        ResponseRow(
            item_id=s.items[0].id, expert_id=s.experts[0].id, value=3, comment="", updated_at=NOW
        )
    )
    session.flush()
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(
            ResponseRow(
                item_id=s.items[0].id,
                expert_id=s.experts[0].id,
                value=4,
                comment="",
                updated_at=NOW,
            )
        )
        session.flush()


def test_panel_import_is_all_or_nothing(session: Session, tmp_path) -> None:  # type: ignore[no-untyped-def]
    s = make_open_study(session, n_experts=3)
    panel = get_panel(session, s.study.id)
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email,country\nA,a@new.org,DE\nB,b@new.org,ZZ\n", encoding="utf-8")
    with pytest.raises(PanelFileError, match=r"bad.csv:3: field 'country'"):
        import_panel_file(session, bad, study_id=s.study.id)
    clash = tmp_path / "clash.csv"
    clash.write_text("name,email,country\nA,a@new.org,DE\nB,E1@example.org,FR\n", encoding="utf-8")
    with pytest.raises(PanelFileError, match=r"clash.csv:3: field 'email': already on this panel"):
        import_panel_file(session, clash, study_id=s.study.id)
    assert session.scalar(select(func.count()).select_from(ExpertRow)) == 3
    good = tmp_path / "good.csv"
    good.write_text("name,email,country\nA,a@new.org,DE\nB,b@new.org,CN\n", encoding="utf-8")
    assert len(import_panel_file(session, good, study_id=s.study.id)) == 2
    assert [e.region for e in list_experts(session, panel.id)][-2:] == ["EU", "CN"]


def _rate_all(session: Session, s, values_by_item: dict[int, list[int | None]]) -> None:  # type: ignore[no-untyped-def]
    for index, expert in enumerate(s.experts):
        ratings = {item_id: values[index] for item_id, values in values_by_item.items()}
        submit_ratings(session, s.tokens[expert.id], ratings=ratings, now=NOW)


def test_close_carry_and_feedback_in_round_two(session: Session) -> None:
    s = make_open_study(session, n_experts=10, n_items=4)
    i1, i2, i3, i4 = (i.id for i in s.items)
    _rate_all(
        session,
        s,
        {
            i1: [5, 5, 4, 4, 4, 4, 5, 4, 3, 2],  # 80% agree: include
            i2: [1, 2, 1, 2, 2, 1, 1, 3, 4, 2],  # 80% disagree: exclude
            i3: [3, 4, 3, 2, 4, 5, 3, 3, 4, None],  # no consensus: carried, reworded
            i4: [3, 3, 3, 4, 2, 3, 4, 3, 2, 3],  # no consensus: dropped
        },
    )
    result = close_round(session, s.round.id, now=NOW)
    assert [e.summary.verdict for e in result.items] == ["include", "exclude", "none", "none"]
    with pytest.raises(RoundStateError, match="only an open round"):
        close_round(session, s.round.id)
    nxt = start_next_round(
        session,
        s.round.id,
        decisions={
            "I3": CarryDecision(statement="Statement 3, clearer.", reason="ambiguous wording"),
            "I4": CarryDecision(drop=True, reason="out of scope"),
        },
        new_items=[ItemDraft(code="I5", statement="A new idea.")],
    )
    items = list_items(session, nxt.id)
    assert [(i.code, i.origin) for i in items] == [("I3", "edited"), ("I5", "new")]
    old = {i.code: i for i in list_items(session, s.round.id)}
    assert old["I1"].outcome == "consensus_include" and "80%" in old["I1"].outcome_reason
    assert old["I2"].outcome == "consensus_exclude"
    assert old["I3"].outcome == "carried" and "ambiguous wording" in old["I3"].outcome_reason
    assert old["I4"].outcome == "dropped" and "out of scope" in old["I4"].outcome_reason
    # the draft round is still editable; items can be added, edited and dropped
    extra = add_item(session, nxt.id, ItemDraft(code="I6", statement="Another."))
    update_item(session, extra.id, statement="Another, reworded.")
    remove_item(session, extra.id, reason="duplicate of I5")
    open_round(session, nxt.id)
    with pytest.raises(RoundStateError):
        add_item(session, nxt.id, ItemDraft(code="I7", statement="Too late."))
    tokens = {
        i.expert.id: i.invitation.token
        for i in issue_invitations(session, nxt.id, base_url="http://t", now=NOW)
    }
    expert = s.experts[1]
    form = load_rating_form(session, tokens[expert.id], now=NOW)
    carried = form.items[0]
    assert carried.feedback is not None and form.items[1].feedback is None
    assert carried.feedback.counts == (0, 1, 4, 3, 1)
    assert carried.feedback.own_rating == 4 and carried.feedback.own_rated
    assert form.previous_round_number == 1
    last = load_rating_form(session, tokens[s.experts[9].id], now=NOW).items[0].feedback
    assert last is not None and last.own_rated and last.own_rating is None  # said "no opinion"
    with pytest.raises(RoundStateError, match="already exists"):
        start_next_round(session, s.round.id)
    assert [i.code for i in list_final_items(session, s.survey.id)] == ["I1"]
    assert [r.number for r in list_rounds(session, s.survey.id)] == [1, 2]
