"""Importing a study run elsewhere: a pseudonymous panel, a long responses CSV replayed into
rounds, and ``permed delphi stats --format json`` at full precision."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import numpy as np
import pytest

from permed_atlas.delphi.errors import ResponsesFileError
from permed_atlas.delphi.importing import parse_responses_csv

STUDY = """
slug: elsewhere
title: A study run in LimeSurvey
consensus: {kind: share, agree_share: 0.7, opposite_max: 0.15, quartile_method: spss}
surveys:
  - pillar: P1
    title: Outcomes
    items:
      - {code: O1, statement: "Survival."}
      - {code: O2, statement: "Quality of life."}
      - {code: O3, statement: "Cost."}
"""
REFS = [f"P{i:02d}" for i in range(1, 11)]
ROUND_ONE = {
    "O1": [5, 5, 4, 4, 5, 4, 5, 4, 3, None],
    "O2": [1, 2, 3, 4, 5, 4, 3, 2, 1, 4],
    "O3": [2, 1, 1, 2, 1, 1, 2, 5, 1, 1],
}
ROUND_TWO = {"O2": [2, 3, 3, 4, 4, 4, 3, 3, 2, 4], "O4": [4, 4, 4, 5, 5, 4, 4, 4, 3, 4]}


def _responses() -> str:
    lines = ["expert,round,item,rating,comment,statement"]
    for number, block in ((1, ROUND_ONE), (2, ROUND_TWO)):
        for code, ratings in block.items():
            for ref, rating in zip(REFS, ratings, strict=True):
                wording = '"Time to return to work, in weeks."' if code == "O4" else ""
                value = "NA" if rating is None else str(rating)
                comment = '"yes, but costly"' if (ref, code) == ("P01", "O1") else ""
                lines.append(f"{ref},{number},{code},{value},{comment},{wording}")
    return "\n".join(lines) + "\n"


def _setup(permed, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    study = tmp_path / "study.yaml"
    study.write_text(STUDY, encoding="utf-8")
    panel = tmp_path / "panel.csv"
    # pseudonymous: references and regions only, no names, no e-mail
    panel.write_text(
        "ref,region\n" + "".join(f"{r},{'EU' if i < 6 else 'CN'}\n" for i, r in enumerate(REFS)),
        encoding="utf-8",
    )
    assert permed("delphi", "create-study", str(study))[0] == 0
    code, out, err = permed("delphi", "import-panel", "elsewhere", str(panel))
    assert code == 0, err
    return tmp_path


def test_bad_rows_name_line_and_field_and_store_nothing(permed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _setup(permed, tmp_path)
    bad = tmp_path / "bad.csv"
    text = _responses().replace("P03,1,O2,3,", "P03,1,O2,7,")
    bad.write_text(text, encoding="utf-8")
    line = text.splitlines().index("P03,1,O2,7,,") + 1
    code, _, err = permed("delphi", "import-responses", "elsewhere", str(bad))
    assert code == 1 and f"bad.csv:{line}: field 'rating'" in err and "1-5" in err
    stranger = tmp_path / "stranger.csv"
    stranger.write_text("expert,round,item,rating\nP01,1,O1,5\nZZ9,1,O1,4\n", encoding="utf-8")
    code, _, err = permed("delphi", "import-responses", "elsewhere", str(stranger))
    assert code == 1 and "stranger.csv:3: field 'expert'" in err and "not on the panel" in err
    gap = tmp_path / "gap.csv"
    gap.write_text("expert,round,item,rating\nP01,1,O1,5\nP01,3,O1,4\n", encoding="utf-8")
    code, _, err = permed("delphi", "import-responses", "elsewhere", str(gap))
    assert code == 1 and "no responses in round 2" in err
    # round 1 replays fine, then a new round-2 item has no wording: round 1 is undone too
    halfway = tmp_path / "halfway.csv"
    halfway.write_text(_responses().replace('"Time to return to work, in weeks."', ""))
    code, _, err = permed("delphi", "import-responses", "elsewhere", str(halfway))
    assert code == 1 and "field 'statement'" in err and "first appears in round 2" in err
    # nothing of the refused files was stored: the round is still a draft
    code, out, _ = permed("delphi", "stats", "elsewhere", "--pillar", "P1", "--format", "json")
    assert json.loads(out)["round"]["status"] == "draft"


def test_duplicate_answers_are_refused() -> None:
    with pytest.raises(ResponsesFileError, match=r"x.csv:3: field 'item'.*on line 2"):
        parse_responses_csv("expert,round,item,rating\nP1,1,A,4\nP1,1,A,5\n", path="x.csv")


def test_replayed_rounds_and_full_precision_json(permed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _setup(permed, tmp_path)
    responses = tmp_path / "responses.csv"
    responses.write_text(_responses(), encoding="utf-8")
    assert (
        "would import 50"
        in permed("delphi", "import-responses", "elsewhere", str(responses), "--dry-run")[1]
    )
    code, out, err = permed("delphi", "import-responses", "elsewhere", str(responses))
    assert code == 0, err
    assert "imported 50 responses in 2 rounds of P1" in out

    code, out, _ = permed(
        "delphi", "stats", "elsewhere", "--pillar", "P1", "--round", "1", "--format", "json"
    )
    first = json.loads(out)
    assert first["round"]["status"] == "closed"
    assert first["rule_text"].startswith("Consensus when at least 70%")
    assert "SPSS" in first["methods_text"]
    by_code = {i["item"]["code"]: i for i in first["items"]}
    o1 = by_code["O1"]["summary"]
    valid = [r for r in ROUND_ONE["O1"] if r is not None]
    assert o1["share_agree"] == 8 / 9  # 0.8888888888888888, not a rounded 0.8889
    assert o1["mean"] == statistics.fmean(valid)
    assert o1["sd"] == pytest.approx(float(np.std(valid, ddof=1)), abs=1e-15)
    assert o1["q1"] == float(np.quantile(valid, 0.25, method="weibull"))
    assert o1["verdict"] == "include" and o1["n_no_opinion"] == 1
    # O3: 90% rate 1-2 but 10% rate 5: exclusion under the 15% cap
    assert by_code["O3"]["summary"]["verdict"] == "exclude"
    assert by_code["O2"]["item"]["outcome"] == "carried"
    assert by_code["O1"]["item"]["outcome"] == "consensus_include"

    code, out, _ = permed("delphi", "stats", "elsewhere", "--pillar", "P1", "--format", "json")
    second = {i["item"]["code"]: i for i in json.loads(out)["items"]}
    assert list(second) == ["O2", "O4"]
    assert second["O2"]["item"]["previous_item_id"] == by_code["O2"]["item"]["id"]
    assert second["O2"]["stability"]["n_paired"] == 10
    assert second["O4"]["item"]["origin"] == "new"
    assert second["O4"]["item"]["statement"] == "Time to return to work, in weeks."

    code, out, _ = permed("delphi", "stats", "elsewhere", "--pillar", "P1", "--round", "1")
    assert "fewer than 15% are 1 or 2" in out
    code, out, _ = permed("delphi", "publish", "elsewhere")
    assert code == 0 and "results of 'elsewhere' published" in out
    assert "withdrawn" in permed("delphi", "publish", "elsewhere", "--withdraw")[1]


def test_import_through_the_web_form(client, engine, make_user, login) -> None:  # type: ignore[no-untyped-def]
    import yaml

    from permed_atlas.db import session_factory
    from permed_atlas.delphi.definition import parse_study_definition
    from permed_atlas.delphi.panel import ExpertDraft
    from permed_atlas.delphi.store import (
        create_study,
        get_panel,
        import_panel,
        list_rounds,
        list_surveys,
    )

    with session_factory(engine)() as session:
        study = create_study(session, parse_study_definition(yaml.safe_load(STUDY), path="s"))
        import_panel(
            session,
            [
                ExpertDraft(
                    line=i,
                    ref=r,
                    name=r,
                    email="",
                    region="EU",
                    country="",
                    expertise="",
                    organisation="",
                )
                for i, r in enumerate(REFS)
            ],
            panel_id=get_panel(session, study.id).id,
        )
        session.commit()
    url = f"/delphi/studies/{study.id}/responses"
    upload = {"file": ("responses.csv", _responses().encode(), "text/csv")}
    assert client.post(url, files=upload).status_code == 401
    make_user("coord@example.org", "editor")
    login(client, "coord@example.org")
    bad = {"file": ("bad.csv", _responses().replace(",1,O1,5,", ",1,O1,x,").encode(), "text/csv")}
    refused = client.post(url, files=bad)
    assert refused.status_code == 422 and "bad.csv:2: field &#39;rating&#39;" in refused.text
    done = client.post(url, files=upload, follow_redirects=False)
    assert done.status_code == 303
    with session_factory(engine)() as session:
        rounds = list_rounds(session, list_surveys(session, study.id)[0].id)
    assert [(r.number, r.status) for r in rounds] == [(1, "closed"), (2, "closed")]


def test_a_bilingual_study_replayed_needs_the_chinese_wording_of_new_items(
    permed, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    bilingual = STUDY.replace(
        "title: A study", "languages: [en, zh]\ntitle_zh: 别处的研究\ntitle: A study"
    )
    for code, zh in (("O1", "生存"), ("O2", "生活质量"), ("O3", "费用")):
        bilingual = bilingual.replace(
            f'{{code: {code}, statement: "', f'{{code: {code}, statement_zh: {zh}, statement: "'
        )
    (tmp_path / "study.yaml").write_text(bilingual, encoding="utf-8")
    panel = tmp_path / "panel.csv"
    panel.write_text(
        "ref,region,language\n" + "".join(f"{r},EU,zh\n" for r in REFS), encoding="utf-8"
    )
    assert permed("delphi", "create-study", str(tmp_path / "study.yaml"))[0] == 0
    assert permed("delphi", "import-panel", "elsewhere", str(panel))[0] == 0
    responses = tmp_path / "responses.csv"
    responses.write_text(_responses(), encoding="utf-8")
    code, _, err = permed("delphi", "import-responses", "elsewhere", str(responses))
    # O4 first appears in round 2 with an English wording only: named, nothing stored
    assert code == 1 and "field 'statement_zh'" in err and "'O4'" in err
    assert "responses.csv:" in err
    text = _responses().replace(",statement\n", ",statement,statement_zh\n", 1)
    text = "\n".join(
        line + (",返工时间（周）" if ",O4," in line else ",") if i else line
        for i, line in enumerate(text.splitlines())
    )
    responses.write_text(text + "\n", encoding="utf-8")
    code, out, err = permed("delphi", "import-responses", "elsewhere", str(responses))
    assert code == 0, err
    assert "imported 50 responses in 2 rounds of P1" in out
