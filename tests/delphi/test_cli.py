"""``permed delphi ...`` end to end: study, panel, links, ratings, close, next round, export."""

from __future__ import annotations

import csv
from pathlib import Path

from permed_atlas.settings import Settings

STUDY = """
slug: cli-study
title: CLI study
consensus: {kind: share, agree_share: 0.7}
surveys:
  - pillar: P1
    title: Pillar one
    items:
      - {code: A, statement: "Agreeable."}
      - {code: B, statement: "Divisive."}
"""


def test_a_study_from_the_command_line(permed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    study = tmp_path / "study.yaml"
    study.write_text(STUDY, encoding="utf-8")
    panel = tmp_path / "panel.csv"
    panel.write_text(
        "name,email,country\n"
        + "".join(f"E{i},e{i}@example.org,{'DE' if i % 2 else 'CN'}\n" for i in range(10)),
        encoding="utf-8",
    )
    assert permed("delphi", "create-study", str(study), "--dry-run")[0] == 0
    code, out, _ = permed("delphi", "create-study", str(study))
    assert code == 0 and "2 items in round 1" in out
    code, _, err = permed("delphi", "create-study", str(study))
    assert code == 1 and "already exists" in err

    bad = tmp_path / "bad.csv"
    bad.write_text("name,email,country\nX,x@example.org,DE\nY,y@example.org,QQ\n", encoding="utf-8")
    code, _, err = permed("delphi", "import-panel", "cli-study", str(bad))
    assert code == 1 and "bad.csv:3: field 'country'" in err
    assert "imported 10 experts" in permed("delphi", "import-panel", "cli-study", str(panel))[1]

    assert permed("delphi", "open-round", "cli-study", "--pillar", "P1")[0] == 0
    links = tmp_path / "links.csv"
    code, out, _ = permed(
        "delphi",
        "invitations",
        "cli-study",
        "--pillar",
        "P1",
        "--base-url",
        "https://atlas.example.org",
        "-o",
        str(links),
    )
    assert code == 0 and "wrote 10 invitation links" in out
    rows = list(csv.DictReader(links.open(encoding="utf-8")))
    assert len(rows) == 10 and rows[0]["link"].startswith(
        "https://atlas.example.org/delphi/respond/"
    )

    # experts answer through their links
    from permed_atlas.db import engine_for, session_scope
    from permed_atlas.delphi.service import submit_ratings
    from permed_atlas.delphi.store import find_round, get_survey_by_pillar, list_items

    with session_scope(engine_for(Settings())) as session:
        survey = get_survey_by_pillar(session, 1, "P1")
        a, b = list_items(session, find_round(session, survey.id).id)
        for index, row in enumerate(rows):
            token = row["link"].rsplit("/", 1)[1]
            submit_ratings(session, token, ratings={a.id: 5, b.id: 2 + index % 3})

    code, out, _ = permed("delphi", "stats", "cli-study", "--pillar", "P1")
    assert code == 0 and "include" in out and "10/10 responded" in out
    assert (
        "would close"
        in permed("delphi", "close-round", "cli-study", "--pillar", "P1", "--dry-run")[1]
    )
    assert permed("delphi", "close-round", "cli-study", "--pillar", "P1")[0] == 0
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "decisions: {B: {statement: 'Divisive, reworded.', reason: comments}}\n"
        "new_items: [{code: C, statement: New one.}]\n",
        encoding="utf-8",
    )
    code, out, _ = permed(
        "delphi", "next-round", "cli-study", "--pillar", "P1", "--plan", str(plan)
    )
    assert code == 0 and "round 2 of P1 with 2 items: B, C" in out

    out_dir = tmp_path / "out"
    code, out, _ = permed(
        "delphi",
        "export",
        "cli-study",
        "-o",
        str(out_dir),
        "--format",
        "csv",
        "--format",
        "xlsx",
        "--format",
        "html",
    )
    assert code == 0
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "cli-study-ratings.csv",
        "cli-study-report.html",
        "cli-study-statistics.csv",
        "cli-study.xlsx",
    ]
    assert permed("delphi", "export", "cli-study", "-o", str(out_dir), "--format", "doc")[0] == 1
    # The report in Chinese (the language of the HTML and PDF, not of the CSV columns).
    zh_dir = tmp_path / "zh"
    code, _, _ = permed(
        "delphi", "export", "cli-study", "-o", str(zh_dir), "--format", "html", "--lang", "zh"
    )
    html = (zh_dir / "cli-study-report.html").read_text(encoding="utf-8")
    assert code == 0 and '<html lang="zh-Hans">' in html and "共识规则" in html
    # the sentences the Python composes are Chinese too: the rule and the methods
    assert "达成共识的条件" in html and "统计仅使用有效评分" in html
    # and why each item ended as it did, with the coordinator's own reason as written
    assert "延续至第 2 轮，措辞已修改：comments；第 1 轮未达成共识（同意比例 " in html
    assert "第 1 轮达成纳入共识（同意比例 100%，不同意比例 0%，中位数 5，" in html
    english = (out_dir / "cli-study-report.html").read_text(encoding="utf-8")
    assert "carried to round 2 reworded: comments; no consensus in round 1 (share agree " in english
    code, _, err = permed("delphi", "export", "cli-study", "-o", str(zh_dir), "--lang", "fr")
    assert code == 1 and "--lang 'fr': not a supported language; use one of en, zh" in err
    assert "cli-study" in permed("delphi", "list")[1]


def test_a_wrong_pillar_or_round_is_told_with_the_ones_there_are(permed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    study = tmp_path / "study.yaml"
    study.write_text(STUDY, encoding="utf-8")
    assert permed("delphi", "create-study", str(study))[0] == 0
    code, _, err = permed("delphi", "stats", "cli-study", "--pillar", "P9")
    assert code == 1 and "no survey for pillar 'P9'; its pillars: P1" in " ".join(err.split())
    code, _, err = permed("delphi", "stats", "cli-study", "--pillar", "P1", "--round", "7")
    assert code == 1 and "has no round 7; its rounds: 1" in " ".join(err.split())
