"""``permed transfer ...`` through the assembled CLI."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from tests.outputs import disk_fills_up, files_in
from typer.testing import CliRunner

from permed_atlas.cli import app

runner = CliRunner()


def test_assess_from_flags_prints_verdict_references_and_disclaimer() -> None:
    result = runner.invoke(app, [
        "transfer", "assess", "--from", "DE", "--to", "CN", "--data", "genetic",
        "--data", "pseudonymised", "--subjects", "800", "--purpose", "research",
        "--consent", "broad_research",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "Guidance, not legal advice" in out
    assert "Rules last checked: 2026-11-23" in out
    assert "Verdict: allowed with listed steps" in out
    assert "Art. 46(1), 46(2)(c)" in out and "2021/914" in out


def test_assess_json_and_markdown_export(tmp_path: Path) -> None:
    result = runner.invoke(app, [
        "transfer", "assess", "--from", "CN", "--to", "DE", "--data", "genetic", "--data",
        "samples", "--subjects", "20000", "--purpose", "research", "--consent", "explicit",
        "--foreign-party", "--format", "json",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["disclaimer"].startswith("Guidance, not legal advice")
    assert data["rules_checked"] == "2026-11-23"
    ids = {o["rule_id"] for o in data["obligations"]}
    assert {"hgr-art27-materials-export", "cac-security-assessment-sensitive"} <= ids
    # Important-data status is a designation: "not stated" is read as "not designated", said so.
    assert any("important_data = yes to override" in a for a in data["assumptions"])

    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(
        "from: CN\nto: DE\ndata: [genetic, pseudonymised]\nsubjects: 100\npurpose: research\n"
        "consent: explicit\nforeign_party: true\nmarketing_authorisation_trial: false\n",
        encoding="utf-8",
    )
    report = tmp_path / "report.md"
    result = runner.invoke(app, ["transfer", "assess", "--scenario", str(scenario),
                                 "--format", "markdown", "-o", str(report)])  # fmt: skip
    assert result.exit_code == 0, result.output
    text = report.read_text(encoding="utf-8")
    assert text.startswith("# Transfer assessment: China (CN) → Germany (DE)")
    assert "Guidance, not legal advice" in text and "## Obligations" in text
    assert "HGR Regulations, Art. 22(1)" in text
    html_out = tmp_path / "report.html"
    result = runner.invoke(app, ["transfer", "assess", "--scenario", str(scenario),
                                 "--format", "html", "-o", str(html_out)])  # fmt: skip
    assert "<h1>Transfer assessment: China (CN) → Germany (DE)</h1>" in html_out.read_text(
        encoding="utf-8"
    )


def test_rules_and_duo_match_commands() -> None:
    result = runner.invoke(app, ["transfer", "rules"])
    assert result.exit_code == 0 and "gdpr-art46-sccs" in result.output
    result = runner.invoke(app, ["transfer", "duo-match", "--consent", "GRU", "--purpose", "HMB"])
    assert result.exit_code == 0 and "HMB ⊑ GRU" in result.output
    result = runner.invoke(app, ["transfer", "duo-match", "--consent", "HMB", "--consent", "NCU",
                                 "--purpose", "HMB", "--commercial"])  # fmt: skip
    assert result.exit_code == 2 and "not allowed" in result.output


def test_duo_match_has_an_option_for_every_modifier_fact() -> None:
    from permed_atlas.transfer import load_duo_ontology
    from permed_atlas.transfer._duo_modifiers import MODIFIER_RULES, request_fields_by_modifier

    duo = load_duo_ontology()
    modifiers = {t.shorthand for t in duo.of_kind("modifier")} - {"CC"}  # CC: --clinical-care
    assert modifiers <= set(MODIFIER_RULES), modifiers - set(MODIFIER_RULES)
    help_text = runner.invoke(app, ["transfer", "duo-match", "--help"],
                              env={"COLUMNS": "200", "NO_COLOR": "1"}).output  # fmt: skip
    for field_name in request_fields_by_modifier():
        option = "--region" if field_name == "regions" else "--" + field_name.replace("_", "-")
        assert option in help_text, option
    for short in ("COL", "MOR", "GSO", "NMDS", "RTN", "US", "PS", "IS", "TS"):
        assert short in help_text, short


def test_duo_match_three_outcomes_and_exit_codes() -> None:
    base = ["transfer", "duo-match", "--consent", "GRU", "--purpose", "HMB"]
    review = runner.invoke(app, [*base, "--consent", "COL", "--collaboration"])
    assert review.exit_code == 3 and "needs committee review" in review.output
    assert "DUO:0000020" in review.output
    refused = runner.invoke(app, [*base, "--consent", "COL", "--no-collaboration"])
    assert refused.exit_code == 2 and "not allowed" in refused.output
    timed = runner.invoke(app, [*base, "--consent", "TS=12", "--duration-months", "24"])
    assert timed.exit_code == 2 and "exceeds the 12-month limit" in timed.output
    nmds = runner.invoke(app, [*base, "--consent", "NMDS", "--no-methods-development"])
    assert nmds.exit_code == 0 and "allowed" in nmds.output
    gso = runner.invoke(app, [*base, "--consent", "GSO", "--genetic-study"])
    assert gso.exit_code == 0
    region = runner.invoke(app, [*base, "--consent", "GS=EU27", "--region", "eu27"])
    assert region.exit_code == 3
    named = runner.invoke(app, [*base, "--consent", "GS=EU", "--country", "Germany"])
    assert named.exit_code == 3 and "DE is in region EU" in named.output


def test_bad_input_is_one_line_naming_the_field_and_exits_non_zero(monkeypatch, capsys) -> None:
    import pytest

    from permed_atlas.cli import main

    monkeypatch.setattr(sys, "argv", ["permed", "transfer", "assess", "--from", "DE", "--to",
                                      "CN", "--data", "genetic", "--subjects", "-3"])  # fmt: skip
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "data_subjects: cannot be negative" in err
    assert "Traceback" not in err


def test_duo_match_refuses_a_requester_country_it_cannot_place(monkeypatch, capsys) -> None:
    import pytest

    from permed_atlas.cli import main

    monkeypatch.setattr(sys, "argv", ["permed", "transfer", "duo-match", "--consent", "GRU",
                                      "--consent", "GS=EU27", "--purpose", "GRU",
                                      "--country", "Atlantis"])  # fmt: skip
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "country: unknown country 'Atlantis'" in err and "Traceback" not in err


def test_assess_takes_country_names_and_new_facts_and_shows_met_duties() -> None:
    result = runner.invoke(app, [
        "transfer", "assess", "--from", "China", "--to", "Germany", "--data", "health",
        "--data", "pseudonymised", "--subjects", "300", "--purpose", "research", "--consent",
        "explicit", "--separate-consent", "--consent-names-recipient", "--importer-role",
        "independent_controller", "--legal-basis", "consent", "--no-government-funded",
        "--measure", "piia",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "Transfer from China (CN) to Germany (DE)" in out
    assert "MET Tell the individuals the foreign recipient's name" in out  # PIPL Art. 39
    assert "(PIPL, Art. 39)" in out and "met by: separate_consent is true" in out
    assert "ASSUMED The exporter is designated a critical information infrastructure" in out
    assert "STEP Conclude the CAC standard contract" in out


def test_a_cut_country_name_is_refused_naming_the_option(monkeypatch, capsys) -> None:
    import pytest

    from permed_atlas.cli import main

    monkeypatch.setattr(sys, "argv", ["permed", "transfer", "assess", "--from", "Ge", "--to",
                                      "Ch", "--data", "genetic"])  # fmt: skip
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "exporter_country: 'Ge' looks like a shortened name" in err


def test_errors_in_the_language_of_root_lang_or_permed_lang(monkeypatch, capsys) -> None:
    import pytest

    from permed_atlas.cli import main
    from permed_atlas.i18n import current_language

    assess = ["transfer", "assess", "--from", "DE", "--to", "CN", "--data", "genetic",
              "--subjects", "-3"]  # fmt: skip
    errors = {}
    for name, argv, env in [("en", assess, None), ("root", ["--lang", "zh", *assess], None),
                            ("env", assess, "zh-CN")]:  # fmt: skip
        if env:
            monkeypatch.setenv("PERMED_LANG", env)
        monkeypatch.setattr(sys, "argv", ["permed", *argv])
        with pytest.raises(SystemExit) as info:
            main()
        assert info.value.code == 1
        errors[name] = " ".join(capsys.readouterr().err.split())
    assert "data_subjects: cannot be negative" in errors["en"]
    assert "data_subjects" in errors["root"] and "cannot be negative" not in errors["root"]
    assert errors["env"] == errors["root"]
    assert current_language() == "en"  # the run's language ended with the run
    monkeypatch.setattr(sys, "argv", ["permed", "--lang", "fr", *assess])
    with pytest.raises(SystemExit):
        main()
    assert "--lang" in capsys.readouterr().err


SCENARIO_FLAGS = [
    "--from", "DE", "--to", "CN", "--data", "genetic", "--data", "pseudonymised",
    "--subjects", "800", "--purpose", "research", "--consent", "broad_research",
]  # fmt: skip


@pytest.mark.parametrize("fmt", ["markdown", "json", "html"])
def test_a_report_that_fills_the_disk_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    out = folder / f"de-cn.{fmt}"
    out.write_bytes(b"last month's assessment\n")
    assess = ["transfer", "assess", *SCENARIO_FLAGS, "--format", fmt]
    with monkeypatch.context() as patch:
        disk_fills_up(patch, folder)
        result = runner.invoke(app, [*assess, "-o", str(out)])
    assert result.exit_code != 0
    assert str(result.exception).startswith(f"{out}: No space left")
    assert files_in(folder) == {out.name: b"last month's assessment\n"}
    assert runner.invoke(app, [*assess, "-o", str(out)]).exit_code == 0
    printed = runner.invoke(app, assess).stdout
    assert files_in(folder) == {out.name: printed.removesuffix("\n").encode()}
