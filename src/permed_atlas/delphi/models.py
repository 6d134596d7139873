"""Frozen dataclasses of the Delphi capability: what the store returns and the core computes on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, TypeAlias

RuleKind: TypeAlias = Literal["share", "median_iqr", "share_and_median_iqr"]
QuartileMethod: TypeAlias = Literal["linear", "spss"]
Verdict: TypeAlias = Literal["include", "exclude", "none"]
RoundStatus: TypeAlias = Literal["draft", "open", "closed"]
ItemOutcome: TypeAlias = Literal[
    "pending", "consensus_include", "consensus_exclude", "carried", "dropped"
]
ItemOrigin: TypeAlias = Literal["new", "carried", "edited"]

REGION_GROUPS: tuple[str, ...] = ("EU", "CN", "Other")


@dataclass(frozen=True)
class ConsensusRule:
    """A study's consensus rule.

    :param kind: ``share`` (share of 4-5 among valid ratings), ``median_iqr``
        (median and interquartile range), or both at once.
    :param agree_share: minimum share of 4-5 ratings for consensus on inclusion.
    :param exclude_share: minimum share of 1-2 ratings for consensus on exclusion.
    :param median_min: median at or above which an item is included (median rules).
    :param median_max_exclude: median at or below which an item is excluded (median rules).
    :param iqr_max: largest interquartile range that still counts as agreement.
    :param region_gap: a difference in share agree between two regions at or above
        this is flagged; so is consensus in one region but not the other.
    :param min_region_n: regions with fewer valid ratings than this are not compared.
    :param opposite_max: the cap on disagreement of COMET-style rules: inclusion also needs
        fewer than this share rating 1-2, exclusion fewer than this share rating 4-5
        (None: no cap).
    :param quartile_method: ``linear`` (Hyndman-Fan type 7, numpy's and R's default) or
        ``spss`` (SPSS's HAVERAGE weighted average at (n+1)p, Hyndman-Fan type 6).
    """

    kind: RuleKind = "share"
    agree_share: float = 0.70
    exclude_share: float = 0.70
    median_min: float = 4.0
    median_max_exclude: float = 2.0
    iqr_max: float = 1.0
    region_gap: float = 0.20
    min_region_n: int = 5
    opposite_max: float | None = None
    quartile_method: QuartileMethod = "linear"

    def describe(self) -> str:
        """One sentence stating the rule, for reports."""
        cap_in = cap_out = ""
        if self.opposite_max is not None:
            cap_in = f" and fewer than {_percent(self.opposite_max)} are 1 or 2"
            cap_out = f" and fewer than {_percent(self.opposite_max)} are 4 or 5"
        share = (
            f"at least {_percent(self.agree_share)} of valid ratings are 4 or 5{cap_in} "
            f"(inclusion) or at least {_percent(self.exclude_share)} are 1 or 2{cap_out} "
            "(exclusion)"
        )
        median = (
            f"median >= {self.median_min:g} (inclusion) or <= {self.median_max_exclude:g} "
            f"(exclusion) with IQR <= {self.iqr_max:g}"
        )
        body = {"share": share, "median_iqr": median}.get(self.kind, f"{share}, and {median}")
        return f"Consensus when {body}; 'no opinion' is not a valid rating."


def _percent(share: float) -> str:
    # 0.125 must read 12.5%, not a rounded 12% that misstates the rule
    return f"{share * 100:.10g}%"


QUARTILE_METHOD_TEXT = {
    "linear": "quartiles by linear interpolation at (n-1)p+1 (Hyndman-Fan type 7, the default "
    "of numpy, R and Excel's QUARTILE.INC)",
    "spss": "quartiles by SPSS's weighted average at (n+1)p (HAVERAGE, Hyndman-Fan type 6, "
    "the default of SPSS FREQUENCIES and EXAMINE)",
}


@dataclass(frozen=True)
class Study:
    """A Delphi study; its results are public only once ``published_at`` is set."""

    id: int
    slug: str
    title: str
    description: str
    rule: ConsensusRule
    created_at: datetime
    published_at: datetime | None = None

    @property
    def published(self) -> bool:
        """Whether the coordinators have published the study's results."""
        return self.published_at is not None


@dataclass(frozen=True)
class Panel:
    id: int
    study_id: int
    name: str


@dataclass(frozen=True)
class Expert:
    """A panel member; needs no platform account."""

    id: int
    panel_id: int
    ref: str
    name: str
    email: str
    region: str
    country: str
    expertise: str
    organisation: str


@dataclass(frozen=True)
class Survey:
    id: int
    study_id: int
    panel_id: int
    pillar: str
    title: str


@dataclass(frozen=True)
class Round:
    id: int
    survey_id: int
    number: int
    status: RoundStatus
    closes_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True)
class Item:
    """One statement to rate in one round; ``code`` stays the same across rounds."""

    id: int
    round_id: int
    code: str
    statement: str
    rationale: str
    subtopic: str
    position: int
    origin: ItemOrigin
    previous_item_id: int | None
    outcome: ItemOutcome
    outcome_reason: str


@dataclass(frozen=True)
class Rating:
    """One expert's answer to one item: 1-5, or None for "no opinion"."""

    item_id: int
    expert_id: int
    value: int | None
    comment: str
    updated_at: datetime


@dataclass(frozen=True)
class Invitation:
    """An expert's access to one round. ``token`` is only set when just issued."""

    id: int
    round_id: int
    expert_id: int
    expires_at: datetime
    revision: int
    last_saved_at: datetime | None
    token: str | None = None


@dataclass(frozen=True)
class IssuedInvitation:
    """A freshly issued invitation with its link, for the mail-merge export."""

    expert: Expert
    invitation: Invitation
    link: str


@dataclass(frozen=True)
class ItemSummary:
    """Descriptive statistics of one item's ratings in one round (SD with ddof=1)."""

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
    verdict: Verdict


@dataclass(frozen=True)
class WilcoxonResult:
    statistic: float | None
    p_value: float | None
    n_nonzero: int
    method: Literal["exact", "permutation", "normal", "none"]


@dataclass(frozen=True)
class Stability:
    """How one item's ratings moved between two rounds, over experts who rated both."""

    n_paired: int
    n_changed: int
    share_changed: float | None
    mean_change: float | None
    wilcoxon: WilcoxonResult


@dataclass(frozen=True)
class KendallW:
    """Kendall's coefficient of concordance of complete raters across items."""

    w: float | None
    n_raters: int
    n_items: int
    chi2: float | None
    df: int
    p_value: float | None


@dataclass(frozen=True)
class RegionComparison:
    """Per-region summaries of one item and whether they differ enough to flag."""

    summaries: dict[str, ItemSummary]
    flagged: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ItemFeedback:
    """What an expert sees beside an item in round two and later."""

    previous_code: str
    counts: tuple[int, int, int, int, int]
    n_no_opinion: int
    share_agree: float | None
    median: float | None
    own_rating: int | None
    own_rated: bool
    withheld: bool = False  # fewer valid ratings than the minimum group size: no figures


@dataclass(frozen=True)
class ItemResult:
    """An item of a round with its statistics, stability and region comparison."""

    item: Item
    summary: ItemSummary
    stability: Stability | None
    regions: RegionComparison | None


@dataclass(frozen=True)
class RoundResult:
    round: Round
    survey: Survey
    rule: ConsensusRule
    items: tuple[ItemResult, ...]
    kendall: KendallW
    n_invited: int
    n_responded: int


@dataclass(frozen=True)
class Subtopic:
    id: int
    study_id: int
    code: str
    label: str


@dataclass(frozen=True)
class Action:
    """A synthesised action: final Delphi items merged by coders (read by the roadmap)."""

    id: int
    study_id: int
    code: str
    title: str
    description: str
    pillar: str
    subtopic_code: str
    item_ids: tuple[int, ...] = field(default_factory=tuple)
    item_codes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SubmissionResult:
    """What one save of the rating form did."""

    saved: int
    unchanged: int
    revision: int
    duplicate: bool


@dataclass(frozen=True)
class CarryDecision:
    """What happens to one non-consensus item at the end of a round.

    :param drop: leave it out of the next round.
    :param statement: new wording for the next round (None keeps it).
    :param reason: why; recorded on the item.
    """

    drop: bool = False
    statement: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class FormItem:
    """One item on an expert's rating form with what is saved and the feedback to show."""

    item: Item
    rating: int | None
    no_opinion: bool
    comment: str
    feedback: ItemFeedback | None


@dataclass(frozen=True)
class RatingForm:
    """Everything the rating form shows to one expert for one round."""

    invitation: Invitation
    expert: Expert
    round: Round
    survey: Survey
    items: tuple[FormItem, ...]
    previous_round_number: int | None

    @property
    def n_answered(self) -> int:
        """Items with a saved rating or "no opinion"."""
        return sum(1 for i in self.items if i.rating is not None or i.no_opinion)
