"""Study reports: statistics and ratings as CSV/XLSX, a self-contained HTML report, PDF."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from permed_atlas import pdf
from permed_atlas.delphi.charts import (
    distribution_svg,
    share_over_rounds_svg,
    verdicts_over_rounds_svg,
)
from permed_atlas.delphi.consensus import describe_methods, describe_region_rule
from permed_atlas.delphi.errors import DelphiError
from permed_atlas.delphi.models import (
    REGION_GROUPS,
    Action,
    IssuedInvitation,
    Item,
    RoundResult,
    Study,
    Subtopic,
    Survey,
)
from permed_atlas.delphi.results import DEFAULT_MIN_GROUP_SIZE, compute_round_result
from permed_atlas.delphi.store import (
    get_study,
    list_actions,
    list_experts,
    list_final_items,
    list_items,
    list_ratings,
    list_rounds,
    list_subtopics,
    list_surveys,
)
from permed_atlas.i18n import gettext, gettext_noop, use_language
from permed_atlas.outputfiles import write_atomic, written_beside
from permed_atlas.spreadsheet import SafeDictWriter, neutralise_cell

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "web" / "templates"


@dataclass(frozen=True)
class SurveyReport:
    survey: Survey
    rounds: tuple[RoundResult, ...]
    final_items: tuple[Item, ...]


@dataclass(frozen=True)
class StudyReport:
    """Everything a study report shows, computed once."""

    study: Study
    surveys: tuple[SurveyReport, ...]
    actions: tuple[Action, ...]
    subtopics: tuple[Subtopic, ...]
    panel_regions: dict[str, int]
    rule_text: str
    region_rule_text: str
    methods_text: str = ""
    closed_only: bool = False
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE


def build_study_report(
    session: Session,
    study_id: int,
    *,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    closed_only: bool = False,
) -> StudyReport:
    """Compute every round's statistics, the final items and the synthesis of a study.

    :param session: the platform database session.
    :param study_id: the study.
    :param min_group_size: the smallest region group shown.
    :param closed_only: leave out rounds that are not closed (for readers who are not
        coordinators: an open round's figures would reveal each save).
    """
    study = get_study(session, study_id)
    surveys = []
    regions: Counter[str] = Counter()
    seen_panels: set[int] = set()
    for survey in list_surveys(session, study.id):
        rounds = tuple(
            compute_round_result(session, r.id, min_group_size=min_group_size)
            for r in list_rounds(session, survey.id)
            if r.status == "closed" or not closed_only
        )
        surveys.append(SurveyReport(survey, rounds, tuple(list_final_items(session, survey.id))))
        if survey.panel_id not in seen_panels:
            seen_panels.add(survey.panel_id)
            regions.update(e.region for e in list_experts(session, survey.panel_id))
    return StudyReport(
        study=study,
        surveys=tuple(surveys),
        actions=tuple(list_actions(session, study.id)),
        subtopics=tuple(list_subtopics(session, study.id)),
        panel_regions={g: regions.get(g, 0) for g in REGION_GROUPS},
        rule_text=study.rule.describe(),
        region_rule_text=describe_region_rule(study.rule),
        methods_text=describe_methods(study.rule, min_group_size=min_group_size),
        closed_only=closed_only,
        min_group_size=min_group_size,
    )


def _number(value: float | None, digits: int = 4) -> float | str:
    return "" if value is None else round(value, digits)


def statistics_rows(report: StudyReport) -> list[dict[str, Any]]:
    """One row per item per round with every statistic (the CSV/XLSX "statistics" table).

    :param report: the study report.
    """
    rows = []
    with use_language("en"):  # a data column: the same text whoever downloads it
        rule_text = report.study.rule.describe()
    for survey_report in report.surveys:
        for result in survey_report.rounds:
            for entry in result.items:
                s, st, rg = entry.summary, entry.stability, entry.regions
                row: dict[str, Any] = {
                    "pillar": survey_report.survey.pillar,
                    "round": result.round.number,
                    "item": entry.item.code,
                    "statement": entry.item.statement,
                    "statement_zh": entry.item.statement_zh,
                    "origin": entry.item.origin,
                    "outcome": entry.item.outcome,
                    "outcome_reason": entry.item.outcome_reason,
                    "n_responses": s.n_responses,
                    "n_valid": s.n_valid,
                    "n_no_opinion": s.n_no_opinion,
                    **{f"n_rating_{i + 1}": c for i, c in enumerate(s.counts)},
                    "share_agree": _number(s.share_agree),
                    "share_disagree": _number(s.share_disagree),
                    "median": _number(s.median),
                    "q1": _number(s.q1),
                    "q3": _number(s.q3),
                    "iqr": _number(s.iqr),
                    "mean": _number(s.mean),
                    "sd": _number(s.sd),
                    "verdict": s.verdict,
                    "valid_needed": s.valid_needed,
                    "n_paired": st.n_paired if st else "",
                    "share_changed": _number(st.share_changed) if st else "",
                    "wilcoxon_statistic": _number(st.wilcoxon.statistic) if st else "",
                    "wilcoxon_p": _number(st.wilcoxon.p_value, 6) if st else "",
                    "wilcoxon_method": st.wilcoxon.method if st else "",
                    "region_flag": bool(rg and rg.flagged),
                    "region_reasons": "; ".join(rg.reasons) if rg else "",
                }
                for group in REGION_GROUPS:
                    summary = rg.summaries.get(group) if rg else None
                    row[f"n_valid_{group}"] = summary.n_valid if summary else ""
                    row[f"share_agree_{group}"] = _number(summary.share_agree) if summary else ""
                row["kendall_w_round"] = _number(result.kendall.w)
                row["consensus_rule"] = rule_text
                row["quartile_method"] = report.study.rule.quartile_method
                rows.append(row)
    return rows


def ratings_rows(session: Session, study_id: int) -> list[dict[str, Any]]:
    """Every rating of a study, experts pseudonymised by their panel reference.

    :param study_id: the study.
    """
    rows = []
    for survey in list_surveys(session, study_id):
        experts = {e.id: e for e in list_experts(session, survey.panel_id)}
        for round_ in list_rounds(session, survey.id):
            codes = {i.id: i.code for i in list_items(session, round_.id)}
            for rating in list_ratings(session, round_.id):
                expert = experts[rating.expert_id]
                rows.append(
                    {
                        "pillar": survey.pillar,
                        "round": round_.number,
                        "item": codes[rating.item_id],
                        "expert": expert.ref,
                        "region": expert.region,
                        "country": expert.country,
                        "rating": "" if rating.value is None else rating.value,
                        "no_opinion": rating.value is None,
                        "comment": rating.comment,
                        "updated_at": rating.updated_at.isoformat(),
                    }
                )
    return rows


def write_csv(rows: Sequence[dict[str, Any]], path: Path | None = None) -> str:
    """Rows as CSV text (UTF-8, header first); also written to ``path`` when given.

    :param rows: dictionaries sharing the same keys.
    :param path: where to write, if anywhere.
    """
    buffer = io.StringIO(newline="")
    if rows:
        writer = SafeDictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    text = buffer.getvalue()
    if path is not None:
        write_atomic(path, text)
    return text


def write_xlsx(
    session: Session, study_id: int, path: Path, *, min_group_size: int = DEFAULT_MIN_GROUP_SIZE
) -> Path:
    """An Excel workbook: Statistics, Ratings, Panel agreement, Actions and Methods.

    :param study_id: the study.
    :param path: the .xlsx file to write.
    :param min_group_size: the smallest region group shown.
    """
    from openpyxl import Workbook

    with use_language("en"):  # sheets and their texts are data, in English
        report = build_study_report(session, study_id, min_group_size=min_group_size)
    workbook = Workbook()
    sheets: list[tuple[str, Iterable[dict[str, Any]]]] = [
        ("Statistics", statistics_rows(report)),
        ("Ratings", ratings_rows(session, study_id)),
        ("Panel agreement", _kendall_rows(report)),
        ("Actions", _action_rows(report)),
        (
            "Methods",
            [
                {"what": "consensus rule", "text": report.rule_text},
                {"what": "region comparison", "text": report.region_rule_text},
                {"what": "methods", "text": report.methods_text},
            ],
        ),
    ]
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        rows = list(rows)
        if rows:
            sheet.append(list(rows[0]))
            for row in rows:
                sheet.append([neutralise_cell(_cell(v)) for v in row.values()])
            sheet.freeze_panes = "A2"
    with written_beside(path) as temporary:  # openpyxl zips sheet by sheet into the file
        workbook.save(temporary)
    return path


def _cell(value: Any) -> Any:
    return value if isinstance(value, (int, float, str, bool)) or value is None else str(value)


def _kendall_rows(report: StudyReport) -> list[dict[str, Any]]:
    return [
        {
            "pillar": s.survey.pillar,
            "round": r.round.number,
            "kendall_w": _number(r.kendall.w),
            "raters": r.kendall.n_raters,
            "items": r.kendall.n_items,
            "chi2": _number(r.kendall.chi2),
            "df": r.kendall.df,
            "p_value": _number(r.kendall.p_value, 6),
            "invited": r.n_invited,
            "responded": r.n_responded,
        }
        for s in report.surveys
        for r in s.rounds
    ]


def _action_rows(report: StudyReport) -> list[dict[str, Any]]:
    return [
        {
            "action": a.code,
            "title": a.title,
            "pillar": a.pillar,
            "subtopic": a.subtopic_code,
            "items": " ".join(a.item_codes),
            "description": a.description,
        }
        for a in report.actions
    ]


def chart_context(report: StudyReport) -> dict[str, Any]:
    """SVG charts for a report, keyed by survey id: verdicts per round and shares per item."""
    charts: dict[int, dict[str, str]] = {}
    for survey_report in report.surveys:
        verdicts = [
            (
                r.round.number,
                sum(1 for i in r.items if i.summary.verdict == "include"),
                sum(1 for i in r.items if i.summary.verdict == "exclude"),
                sum(1 for i in r.items if i.summary.verdict == "none"),
            )
            for r in survey_report.rounds
        ]
        codes: list[str] = []
        shares: dict[str, list[float | None]] = {}
        n_valid: dict[str, list[int | None]] = {}
        for index, result in enumerate(survey_report.rounds):
            for entry in result.items:
                if entry.item.code not in shares:
                    codes.append(entry.item.code)
                    shares[entry.item.code] = [None] * len(survey_report.rounds)
                    n_valid[entry.item.code] = [None] * len(survey_report.rounds)
                shares[entry.item.code][index] = entry.summary.share_agree
                n_valid[entry.item.code][index] = entry.summary.n_valid
        charts[survey_report.survey.id] = {
            "verdicts": verdicts_over_rounds_svg(verdicts),
            "shares": share_over_rounds_svg(
                [(c, shares[c]) for c in codes],
                threshold=report.study.rule.agree_share,
                n_valid=n_valid,
            ),
        }
    return {"charts": charts, "distribution_svg": distribution_svg}


def render_report_html(report: StudyReport) -> str:
    """The self-contained HTML report (inline CSS and SVG; prints to PDF as it is).

    :param report: the study report.
    """
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from permed_atlas.i18n import install_jinja

    env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=select_autoescape())
    install_jinja(env)  # the report is written in the current language
    template = env.get_template("delphi/report_document.html")
    return template.render(report=report, **chart_context(report))


def find_chromium() -> str | None:
    """A Chromium executable for printing PDFs (PERMED_CHROMIUM, then the PATH)."""
    return pdf.find_chromium()


def write_pdf(html: str, path: Path, *, timeout: float = 120, shown_as: Path | None = None) -> Path:
    """Print the HTML report to PDF with headless Chromium (see :mod:`permed_atlas.pdf`).

    :param html: the report's HTML.
    :param path: the PDF file to write.
    :param timeout: seconds to wait for Chromium.
    :param shown_as: the file an error names, when ``path`` is a temporary one.
    """
    try:
        return pdf.write_pdf(html, path, timeout=timeout, shown_as=shown_as)
    except pdf.PdfError as exc:
        raise DelphiError(str(exc)) from exc


def invitation_rows(
    issued: Sequence[IssuedInvitation], *, survey: Survey, round_number: int
) -> list[dict[str, Any]]:
    """Mail-merge rows: one per expert with the personal link, its expiry, and the mail's
    subject and body in the expert's language (the column names stay English).

    :param issued: freshly issued invitations (the only moment the links are known).
    :param survey: the survey they are for.
    :param round_number: the round.
    """
    rows = []
    for i in issued:
        with use_language(i.expert.language):
            title = str(survey.title_in(i.expert.language))
            values = {
                "name": i.expert.name,
                "round": round_number,
                "survey": title,
                "until": i.invitation.expires_at.strftime("%Y-%m-%d"),
                "link": i.link,
            }
            subject = gettext("Delphi: %(survey)s, round %(round)s") % values
            body = gettext(INVITATION_BODY) % values
        rows.append(
            {
                "ref": i.expert.ref,
                "name": i.expert.name,
                "email": i.expert.email,
                "organisation": i.expert.organisation,
                "country": i.expert.country,
                "region": i.expert.region,
                "survey": title,
                "pillar": survey.pillar,
                "round": round_number,
                "link": i.link,
                "expires_at": i.invitation.expires_at.isoformat(timespec="minutes"),
                "expires_on": long_date(i.invitation.expires_at),
                "language": i.expert.language,
                "subject": subject,
                "body": body,
            }
        )
    return rows


_MONTH_NAMES = (
    gettext_noop("January"), gettext_noop("February"), gettext_noop("March"),
    gettext_noop("April"), gettext_noop("May"), gettext_noop("June"), gettext_noop("July"),
    gettext_noop("August"), gettext_noop("September"), gettext_noop("October"),
    gettext_noop("November"), gettext_noop("December"),
)  # fmt: skip


def long_date(day: date) -> str:
    """A date as a letter writes it, in the current language: "1 July 2026", "2026年7月1日".

    :param day: the date (a datetime's date is used).
    """
    return gettext("%(day)s %(month)s %(year)s") % {
        "day": day.day, "month": gettext(_MONTH_NAMES[day.month - 1]), "year": day.year
    }  # fmt: skip


INVITATION_BODY = gettext_noop(
    'Dear %(name)s,\n\nplease rate the items of round %(round)s of "%(survey)s" through '
    "your personal link (valid until %(until)s):\n%(link)s\n\nThe link is personal; please "
    "do not forward it."
)
