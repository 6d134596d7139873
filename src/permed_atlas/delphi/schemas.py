"""Pydantic I/O of the Delphi JSON API (built from the core dataclasses).

Where an answer is a record of models.py as it is, its model takes the record's fields
(:func:`permed_atlas.api_schemas.schema_of`); given here are only the fields the API
states otherwise: the records' ``Literal`` kinds go out as plain strings (a hidden item's
outcome is ``hidden``, no kind of the core's), and some defaults are not the record's.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from permed_atlas.api_schemas import schema_of
from permed_atlas.delphi import models


class _FromCore(BaseModel):
    model_config = ConfigDict(from_attributes=True)


ConsensusRulePublic = schema_of(
    models.ConsensusRule,
    name="ConsensusRulePublic",
    base=_FromCore,
    fields={"kind": (str, ...), "quartile_method": (str, ...)},
)
StudyPublic = schema_of(
    models.Study,
    name="StudyPublic",
    base=_FromCore,
    defaults=True,
    nested={models.ConsensusRule: ConsensusRulePublic},
    fields={"published_at": (datetime | None, ...)},
)
RoundPublic = schema_of(
    models.Round, name="RoundPublic", base=_FromCore, fields={"status": (str, ...)}
)


class SurveyPublic(_FromCore):
    id: int
    pillar: str
    title: str
    title_zh: str = ""
    rounds: list[RoundPublic] = []  # type: ignore[valid-type]


class StudyDetailPublic(BaseModel):
    study: StudyPublic  # type: ignore[valid-type]
    surveys: list[SurveyPublic]


ItemPublic = schema_of(
    models.Item,
    name="ItemPublic",
    base=_FromCore,
    defaults=True,
    fields={"origin": (str, ...), "outcome": (str, ...)},
    # the reason's message key and values are how pages translate it: the API keeps its English
    omit=frozenset({"outcome_reason_json"}),
)
ItemSummaryPublic = schema_of(
    models.ItemSummary, name="ItemSummaryPublic", base=_FromCore, fields={"verdict": (str, ...)}
)
WilcoxonPublic = schema_of(
    models.WilcoxonResult, name="WilcoxonPublic", base=_FromCore, fields={"method": (str, ...)}
)
StabilityPublic = schema_of(
    models.Stability,
    name="StabilityPublic",
    base=_FromCore,
    nested={models.WilcoxonResult: WilcoxonPublic},
)
RegionComparisonPublic = schema_of(
    models.RegionComparison,
    name="RegionComparisonPublic",
    base=_FromCore,
    nested={models.ItemSummary: ItemSummaryPublic},
)
ItemResultPublic = schema_of(
    models.ItemResult,
    name="ItemResultPublic",
    base=_FromCore,
    doc="An item with its figures; ``summary`` is null where the viewer may not see them.",
    nested={
        models.Item: ItemPublic,
        models.Stability: StabilityPublic,
        models.RegionComparison: RegionComparisonPublic,
    },
    fields={"summary": (ItemSummaryPublic | None, ...)},
)
KendallWPublic = schema_of(models.KendallW, name="KendallWPublic", base=_FromCore)


class RoundResultPublic(_FromCore):
    """A round's figures, or (``results_visible`` false) only its items and why.

    Figures of an open round are for the study's coordinators only; others see them
    once the round is closed and the study published.
    """

    round: RoundPublic  # type: ignore[valid-type]
    rule: ConsensusRulePublic  # type: ignore[valid-type]
    rule_text: str = ""
    methods_text: str = ""
    results_visible: bool = True
    hidden_reason: str | None = None
    items: list[ItemResultPublic]  # type: ignore[valid-type]
    kendall: KendallWPublic | None  # type: ignore[valid-type]
    n_invited: int
    n_responded: int | None


ActionPublic = schema_of(models.Action, name="ActionPublic", base=_FromCore)
ItemFeedbackPublic = schema_of(
    models.ItemFeedback, name="ItemFeedbackPublic", base=_FromCore, defaults=True
)
FormItemPublic = schema_of(
    models.FormItem,
    name="FormItemPublic",
    base=BaseModel,
    nested={models.Item: ItemPublic, models.ItemFeedback: ItemFeedbackPublic},
)


class ItemUpdate(BaseModel):
    """An edit of a draft round's item: each text given changes, each left out is kept.

    ``other_language_matches`` confirms that a statement left as it was still says what the
    other, reworded one now says (a typo fix); without it such an edit is refused (422).
    """

    statement: str | None = None
    statement_zh: str | None = None
    rationale: str | None = None
    rationale_zh: str | None = None
    subtopic: str | None = None
    other_language_matches: bool = False


class SurveyUpdate(BaseModel):
    """A pillar's new title(s): each given changes, each left out is kept.

    ``other_language_matches`` confirms that a title left as it was still says what the
    other, reworded one now says; without it such an edit is refused (422).
    """

    title: str | None = None
    title_zh: str | None = None
    other_language_matches: bool = False


class RatingFormPublic(BaseModel):
    """``language`` is the invitation's: the one the expert answers in."""

    round: RoundPublic  # type: ignore[valid-type]
    language: str = "en"
    survey_title: str
    survey_title_zh: str = ""
    expert_name: str
    revision: int
    expires_at: datetime
    items: list[FormItemPublic]  # type: ignore[valid-type]


class RatingsCreate(BaseModel):
    """A save of the rating form: item id -> 1-5 or null ("no opinion")."""

    # strict: pydantic's lax mode stored JSON true as a rating of 1 and 4.0 as 4, answers
    # no expert gave (the rating parser refuses booleans; it never saw them)
    ratings: dict[int, StrictInt | None] = Field(default_factory=dict)
    comments: dict[int, str] = Field(default_factory=dict)
    revision: StrictInt | None = None


SubmissionPublic = schema_of(models.SubmissionResult, name="SubmissionPublic", base=_FromCore)
