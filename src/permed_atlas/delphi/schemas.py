"""Pydantic I/O of the Delphi JSON API (built from the core dataclasses)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class _FromCore(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ConsensusRulePublic(_FromCore):
    kind: str
    agree_share: float
    exclude_share: float
    median_min: float
    median_max_exclude: float
    iqr_max: float
    region_gap: float
    min_region_n: int
    opposite_max: float | None
    quartile_method: str


class StudyPublic(_FromCore):
    id: int
    slug: str
    title: str
    description: str
    rule: ConsensusRulePublic
    created_at: datetime
    published_at: datetime | None
    languages: tuple[str, ...] = ("en",)
    title_zh: str = ""
    description_zh: str = ""


class RoundPublic(_FromCore):
    id: int
    survey_id: int
    number: int
    status: str
    closes_at: datetime | None
    closed_at: datetime | None


class SurveyPublic(_FromCore):
    id: int
    pillar: str
    title: str
    title_zh: str = ""
    rounds: list[RoundPublic] = []


class StudyDetailPublic(BaseModel):
    study: StudyPublic
    surveys: list[SurveyPublic]


class ItemPublic(_FromCore):
    id: int
    round_id: int
    code: str
    statement: str
    rationale: str
    subtopic: str
    position: int
    origin: str
    previous_item_id: int | None
    outcome: str
    outcome_reason: str
    statement_zh: str = ""
    rationale_zh: str = ""


class ItemSummaryPublic(_FromCore):
    n_responses: int
    n_valid: int
    n_no_opinion: int
    counts: tuple[int, int, int, int, int]
    share_agree: float | None
    share_disagree: float | None
    median: float | None
    q1: float | None
    q3: float | None
    iqr: float | None
    mean: float | None
    sd: float | None
    verdict: str


class WilcoxonPublic(_FromCore):
    statistic: float | None
    p_value: float | None
    n_nonzero: int
    method: str


class StabilityPublic(_FromCore):
    n_paired: int
    n_changed: int
    share_changed: float | None
    mean_change: float | None
    wilcoxon: WilcoxonPublic


class RegionComparisonPublic(_FromCore):
    summaries: dict[str, ItemSummaryPublic]
    flagged: bool
    reasons: tuple[str, ...]


class ItemResultPublic(_FromCore):
    """An item with its figures; ``summary`` is null where the viewer may not see them."""

    item: ItemPublic
    summary: ItemSummaryPublic | None
    stability: StabilityPublic | None
    regions: RegionComparisonPublic | None


class KendallWPublic(_FromCore):
    w: float | None
    n_raters: int
    n_items: int
    chi2: float | None
    df: int
    p_value: float | None


class RoundResultPublic(_FromCore):
    """A round's figures, or (``results_visible`` false) only its items and why.

    Figures of an open round are for the study's coordinators only; others see them
    once the round is closed and the study published.
    """

    round: RoundPublic
    rule: ConsensusRulePublic
    rule_text: str = ""
    methods_text: str = ""
    results_visible: bool = True
    hidden_reason: str | None = None
    items: list[ItemResultPublic]
    kendall: KendallWPublic | None
    n_invited: int
    n_responded: int | None


class ActionPublic(_FromCore):
    id: int
    study_id: int
    code: str
    title: str
    description: str
    pillar: str
    subtopic_code: str
    item_ids: tuple[int, ...]
    item_codes: tuple[str, ...]


class ItemFeedbackPublic(_FromCore):
    previous_code: str
    counts: tuple[int, int, int, int, int]
    n_no_opinion: int
    share_agree: float | None
    median: float | None
    own_rating: int | None
    own_rated: bool
    withheld: bool = False


class FormItemPublic(BaseModel):
    item: ItemPublic
    rating: int | None
    no_opinion: bool
    comment: str
    feedback: ItemFeedbackPublic | None


class RatingFormPublic(BaseModel):
    """``language`` is the invitation's: the one the expert answers in."""

    round: RoundPublic
    language: str = "en"
    survey_title: str
    survey_title_zh: str = ""
    expert_name: str
    revision: int
    expires_at: datetime
    items: list[FormItemPublic]


class RatingsCreate(BaseModel):
    """A save of the rating form: item id -> 1-5 or null ("no opinion")."""

    ratings: dict[int, int | None] = Field(default_factory=dict)
    comments: dict[int, str] = Field(default_factory=dict)
    revision: int | None = None


class SubmissionPublic(_FromCore):
    saved: int
    unchanged: int
    revision: int
    duplicate: bool
