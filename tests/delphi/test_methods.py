"""Consensus rules and methods a COMET-style study states: the disagreement cap, the
quartile method (checked against numpy), the method sentences and natural code order."""

from __future__ import annotations

import random

import numpy as np
import pytest

from permed_atlas.delphi._likert import quantile
from permed_atlas.delphi._natural import natural_key
from permed_atlas.delphi.consensus import describe_methods, summarise_ratings
from permed_atlas.delphi.definition import parse_rule, study_draft_from_form
from permed_atlas.delphi.errors import StudyFileError
from permed_atlas.delphi.models import ConsensusRule

COMET = ConsensusRule(agree_share=0.70, exclude_share=0.70, opposite_max=0.15)


def test_quartile_methods_match_numpy() -> None:
    rng = random.Random(17)
    for _ in range(500):
        values = sorted(rng.randint(1, 5) for _ in range(rng.randint(1, 40)))
        for q in (0.25, 0.5, 0.75):
            assert quantile(values, q) == pytest.approx(np.quantile(values, q))
            # SPSS HAVERAGE is Hyndman-Fan type 6, numpy's "weibull"
            assert quantile(values, q, method="spss") == pytest.approx(
                np.quantile(values, q, method="weibull")
            )
    with pytest.raises(ValueError, match="unknown quartile method"):
        quantile([1, 2], 0.5, method="tukey")


def test_the_quartile_method_can_change_an_iqr_verdict() -> None:
    ratings = [3, 4, 4, 4, 5, 5]
    linear = ConsensusRule(kind="median_iqr")
    spss = ConsensusRule(kind="median_iqr", quartile_method="spss")
    by_linear, by_spss = (summarise_ratings(ratings, rule=r) for r in (linear, spss))
    assert (by_linear.q1, by_linear.q3, by_linear.iqr) == (4.0, 4.75, 0.75)
    assert (by_spss.q1, by_spss.q3, by_spss.iqr) == (3.75, 5.0, 1.25)
    assert by_linear.median == by_spss.median == 4.0
    assert (by_linear.verdict, by_spss.verdict) == ("include", "none")


def test_comet_cap_on_disagreement() -> None:
    # 80% rate 4-5 but 20% rate 1-2: consensus by share alone, not under the cap
    split = [5] * 8 + [1] * 2
    assert summarise_ratings(split, rule=ConsensusRule()).verdict == "include"
    assert summarise_ratings(split, rule=COMET).verdict == "none"
    # the cap is strict: 3 of 20 (exactly 15%) at the other end fails it, 2 of 20 passes
    assert summarise_ratings([5] * 17 + [1] * 3, rule=COMET).verdict == "none"
    assert summarise_ratings([5] * 18 + [2] * 2, rule=COMET).verdict == "include"
    # exclusion is capped by the share rating 4-5
    assert summarise_ratings([1] * 8 + [5] * 2, rule=COMET).verdict == "none"
    assert summarise_ratings([1] * 9 + [4], rule=COMET).verdict == "exclude"


def test_rule_and_method_sentences() -> None:
    assert COMET.describe() == (
        "Consensus when at least 70% of valid ratings are 4 or 5 and fewer than 15% are 1 or 2 "
        "(inclusion) or at least 70% are 1 or 2 and fewer than 15% are 4 or 5 (exclusion); "
        "'no opinion' is not a valid rating, and an item gets a verdict only when at least 50% "
        "of the experts invited (or, without invitations, of those who answered it) gave a "
        "valid rating."
    )
    assert "12.5%" in ConsensusRule(opposite_max=0.125).describe()
    text = describe_methods(ConsensusRule(quartile_method="spss"), min_group_size=7)
    assert "(n+1)p" in text and "SPSS" in text and "fewer than 7 valid ratings" in text
    assert "Wilcoxon" in text and "4 decimals" in text


def test_rule_fields_are_checked() -> None:
    assert parse_rule({"opposite_max": 0.15, "quartile_method": "spss"}).opposite_max == 0.15
    with pytest.raises(StudyFileError, match="quartile_method"):
        parse_rule({"quartile_method": "excel"})
    with pytest.raises(StudyFileError, match="opposite_max"):
        parse_rule({"opposite_max": 15})
    draft = study_draft_from_form(
        {
            "slug": "s1",
            "title": "T",
            "agree_share": "75%",
            "exclude_share": "70",
            "opposite_max": "",
            "quartile_method": "linear",
        }
    )
    assert draft.rule.agree_share == 0.75 and draft.rule.opposite_max is None
    with pytest.raises(StudyFileError, match="agree_share: 'many' is not a number"):
        study_draft_from_form({"slug": "s1", "title": "T", "agree_share": "many"})


def test_codes_sort_naturally() -> None:
    codes = ["A10", "A2", "A1", "A11", "P1-10", "P1-9", "a3"]
    assert sorted(codes, key=natural_key) == ["A1", "A2", "a3", "A10", "A11", "P1-9", "P1-10"]
