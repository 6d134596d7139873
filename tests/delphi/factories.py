"""Builders for Delphi tests: a study with a panel, an open first round and issued links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from permed_atlas.delphi.definition import ItemDraft, StudyDraft, SurveyDraft
from permed_atlas.delphi.models import ConsensusRule, Expert, Item, Round, Study, Survey
from permed_atlas.delphi.panel import ExpertDraft
from permed_atlas.delphi.store import (
    create_study,
    get_panel,
    import_panel,
    issue_invitations,
    list_items,
    list_rounds,
    list_surveys,
    open_round,
)

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)

# Two statements in English and Chinese, for a study run in both languages.
BILINGUAL_ITEMS = (
    (
        "B1",
        "Share genomic data under a common consent model",
        "在统一的知情同意模式下共享基因组数据",
    ),
    ("B2", "Fund joint biobank audits", "资助联合生物样本库审计"),
)


def bilingual_study_draft(slug: str) -> StudyDraft:
    """A one-survey study in English and Chinese (English first) with :data:`BILINGUAL_ITEMS`."""
    return StudyDraft(
        slug=slug,
        title="EU-China data sharing",
        title_zh="中欧数据共享",
        description="",
        rule=ConsensusRule(),
        panels=("Panel",),
        languages=("en", "zh"),
        surveys=(
            SurveyDraft(
                pillar="P1",
                title="Data",
                title_zh="数据",
                panel="Panel",
                items=tuple(
                    ItemDraft(code=c, statement=en, statement_zh=zh)
                    for c, en, zh in BILINGUAL_ITEMS
                ),
            ),
        ),
    )


@dataclass
class OpenStudy:
    study: Study
    survey: Survey
    round: Round
    items: list[Item]
    experts: list[Expert]
    tokens: dict[int, str]  # expert id -> token


def expert_drafts(n: int) -> list[ExpertDraft]:
    """n experts, alternating EU and China, with a few from elsewhere."""
    drafts = []
    for i in range(n):
        region, country = [("EU", "DE"), ("CN", "CN"), ("EU", "FR"), ("CN", "CN"), ("Other", "US")][
            i % 5
        ]
        drafts.append(
            ExpertDraft(
                line=i + 2,
                ref=f"X{i + 1:03d}",
                name=f"Expert {i + 1}",
                email=f"e{i + 1}@example.org",
                region=region,
                country=country,
                expertise="genomics",
                organisation="Institute",
            )
        )
    return drafts


def make_open_study(
    session: Session,
    *,
    n_experts: int = 10,
    n_items: int = 4,
    rule: ConsensusRule | None = None,
    slug: str = "test-study",
    open_first: bool = True,
) -> OpenStudy:
    """A study with one survey, n experts, an open first round and a link per expert."""
    draft = StudyDraft(
        slug=slug,
        title="Test study",
        description="for tests",
        rule=rule or ConsensusRule(),
        panels=("Panel",),
        surveys=(
            SurveyDraft(
                pillar="P1",
                title="Pillar one",
                panel="Panel",
                items=tuple(
                    ItemDraft(
                        code=f"I{i + 1}",
                        statement=f"Statement {i + 1}",
                        rationale="because",
                        subtopic="T",
                    )
                    for i in range(n_items)
                ),
            ),
        ),
    )
    study = create_study(session, draft, now=NOW)
    panel = get_panel(session, study.id)
    experts = import_panel(session, expert_drafts(n_experts), panel_id=panel.id)
    survey = list_surveys(session, study.id)[0]
    round_ = list_rounds(session, survey.id)[0]
    tokens: dict[int, str] = {}
    if open_first:
        round_ = open_round(session, round_.id, closes_at=NOW + timedelta(days=14))
        # links are issued at the real current time so that web tests can use them
        for issued in issue_invitations(session, round_.id, base_url="http://testserver"):
            assert issued.invitation.token is not None
            tokens[issued.expert.id] = issued.invitation.token
    return OpenStudy(study, survey, round_, list_items(session, round_.id), experts, tokens)
