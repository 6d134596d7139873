"""Frozen dataclasses of the Delphi capability: what the store returns and the core computes on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, TypeAlias

from permed_atlas.delphi.reasons import OutcomeReason, outcome_reason_shown, too_few_valid_reason
from permed_atlas.i18n import LocalizedText, gettext, gettext_noop, lazy_gettext

RuleKind: TypeAlias = Literal["share", "median_iqr", "share_and_median_iqr"]
QuartileMethod: TypeAlias = Literal["linear", "spss"]
Verdict: TypeAlias = Literal["include", "exclude", "none"]
RoundStatus: TypeAlias = Literal["draft", "open", "closed"]
ItemOutcome: TypeAlias = Literal[
    "pending", "consensus_include", "consensus_exclude", "carried", "dropped"
]
ItemOrigin: TypeAlias = Literal["new", "carried", "edited"]

REGION_GROUPS: tuple[str, ...] = ("EU", "CN", "Other")

#: The languages a study can be run in; a study in several needs every text in each.
STUDY_LANGUAGES: tuple[str, ...] = ("en", "zh")
LANGUAGE_LABELS = {"en": lazy_gettext("English"), "zh": lazy_gettext("Chinese")}


def text_in(english: str, chinese: str, language: str) -> LocalizedText:
    """The text in ``language``, else the other one marked as a fallback (shown visibly).

    A study run in Chinese only may have no English text at all, so the fallback goes
    both ways, unlike curated data (always English first).
    """
    wanted = chinese if language == "zh" else english
    if wanted.strip():
        return LocalizedText(wanted, language, language)
    other, other_language = (english, "en") if language == "zh" else (chinese, "zh")
    if other.strip():
        return LocalizedText(other, other_language, language)
    return LocalizedText("", language, language)


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
    :param min_valid_share: an item gets a verdict only when its valid ratings are at least
        this share of the experts asked: those invited to the round, or where the round has
        no invitations (a study imported with its answers) those who answered the item,
        "no opinion" included. Below it the verdict is ``none``: one rating among ten
        answers must not decide for a panel.
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
    min_valid_share: float = 0.5

    def describe(self) -> str:
        """One sentence stating the rule, for reports (in the current language)."""
        agree, exclude = _percent(self.agree_share), _percent(self.exclude_share)
        if self.opposite_max is None:
            share = gettext(
                "at least %(agree)s of valid ratings are 4 or 5 (inclusion) or at least "
                "%(exclude)s are 1 or 2 (exclusion)"
            ) % {"agree": agree, "exclude": exclude}
        else:
            share = gettext(
                "at least %(agree)s of valid ratings are 4 or 5 and fewer than %(cap)s are 1 "
                "or 2 (inclusion) or at least %(exclude)s are 1 or 2 and fewer than %(cap)s "
                "are 4 or 5 (exclusion)"
            ) % {"agree": agree, "exclude": exclude, "cap": _percent(self.opposite_max)}
        median = gettext(
            "median >= %(median_min)s (inclusion) or <= %(median_max)s (exclusion) with IQR "
            "<= %(iqr)s"
        ) % {
            "median_min": f"{self.median_min:g}",
            "median_max": f"{self.median_max_exclude:g}",
            "iqr": f"{self.iqr_max:g}",
        }
        if self.kind == "share":
            body = share
        elif self.kind == "median_iqr":
            body = median
        else:
            body = gettext("%(share)s, and %(median)s") % {"share": share, "median": median}
        return gettext(
            "Consensus when %(rule)s; 'no opinion' is not a valid rating, and an item gets a "
            "verdict only when at least %(min_valid)s of the experts invited (or, without "
            "invitations, of those who answered it) gave a valid rating."
        ) % {"rule": body, "min_valid": _percent(self.min_valid_share)}


def _percent(share: float) -> str:
    # 0.125 must read 12.5%, not a rounded 12% that misstates the rule
    return f"{share * 100:.10g}%"


# English here (CLI, API); gettext() where a sentence is composed (describe_methods)
QUARTILE_METHOD_TEXT = {
    "linear": gettext_noop(
        "quartiles by linear interpolation at (n-1)p+1 (Hyndman-Fan type 7, the default "
        "of numpy, R and Excel's QUARTILE.INC)"
    ),
    "spss": gettext_noop(
        "quartiles by SPSS's weighted average at (n+1)p (HAVERAGE, Hyndman-Fan type 6, "
        "the default of SPSS FREQUENCIES and EXAMINE)"
    ),
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
    languages: tuple[str, ...] = ("en",)
    title_zh: str = ""
    description_zh: str = ""

    @property
    def bilingual(self) -> bool:
        """Whether experts answer in more than one language (then items have both texts)."""
        return len(self.languages) > 1

    def title_in(self, language: str) -> LocalizedText:
        """The title in ``language`` (the other one, marked, when missing)."""
        return text_in(self.title, self.title_zh, language)

    def description_in(self, language: str) -> LocalizedText:
        """The description in ``language`` (the other one, marked, when missing)."""
        return text_in(self.description, self.description_zh, language)

    def language_for(self, language: str | None) -> str:
        """``language`` when the study runs in it, else the study's first language."""
        return language if language in self.languages else self.languages[0]

    @property
    def published(self) -> bool:
        """Whether the coordinators have published the study's results."""
        return self.published_at is not None


@dataclass(frozen=True)
class Panel:
    id: int
    study_id: int
    name: str


@dataclass(frozen=True, kw_only=True)
class ExpertDetails:
    """What a panel file or the add-an-expert form says of an expert, and what is stored."""

    ref: str
    name: str
    email: str
    region: str
    country: str
    expertise: str
    organisation: str


@dataclass(frozen=True, kw_only=True)
class Expert(ExpertDetails):
    """A panel member; needs no platform account."""

    id: int
    panel_id: int
    language: str = "en"  # the invitation's and the rating form's language


@dataclass(frozen=True)
class Survey:
    id: int
    study_id: int
    panel_id: int
    pillar: str
    title: str
    title_zh: str = ""

    def title_in(self, language: str) -> LocalizedText:
        """The pillar's title in ``language`` (the other one, marked, when missing)."""
        return text_in(self.title, self.title_zh, language)


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
    statement_zh: str = ""
    rationale_zh: str = ""
    outcome_reason_json: str | None = None  # the reason's key and values (delphi.reasons)

    def statement_in(self, language: str) -> LocalizedText:
        """The statement in ``language`` (the other one, marked, when missing)."""
        return text_in(self.statement, self.statement_zh, language)

    def rationale_in(self, language: str) -> LocalizedText:
        """The rationale in ``language`` (the other one, marked, when missing)."""
        return text_in(self.rationale, self.rationale_zh, language)

    @property
    def outcome_reason_text(self) -> object:
        """The outcome reason for a page or report, in the current language."""
        return outcome_reason_shown(self.outcome_reason, self.outcome_reason_json)


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
    n_invited: int = 0  # experts invited to the round; 0 where unknown (a region, an import)
    valid_needed: int = 0  # valid ratings the rule's min_valid_share asks for a verdict

    @property
    def too_few_valid(self) -> bool:
        """Some valid ratings, but fewer than the rule needs for a verdict."""
        return 0 < self.n_valid < self.valid_needed

    def shortfall(self) -> OutcomeReason | None:
        """Why the item has no verdict for want of valid ratings; None when it has enough."""
        if not self.too_few_valid:
            return None
        return too_few_valid_reason(
            n_valid=self.n_valid,
            n_responses=self.n_responses,
            n_invited=self.n_invited,
            valid_needed=self.valid_needed,
        )


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
    :param statement_zh: new Chinese wording (None keeps it).
    """

    drop: bool = False
    statement: str | None = None
    reason: str = ""
    statement_zh: str | None = None


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
    study: Study | None = None

    @property
    def language(self) -> str:
        """The invitation's language: the expert's, if the study runs in it."""
        if self.study is None:
            return self.expert.language
        return self.study.language_for(self.expert.language)

    @property
    def n_answered(self) -> int:
        """Items with a saved rating or "no opinion"."""
        return sum(1 for i in self.items if i.rating is not None or i.no_opinion)
