"""ICD-10 codes and hierarchy patterns."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from permed_atlas.federation.icd10 import normalise_code, parse_pattern
from permed_atlas.federation.mapping import icd10_chapters

CHAPTERS = icd10_chapters()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("c501", "C50.1"),
        (" C50.1 ", "C50.1"),
        ("C50", "C50"),
        ("E119", "E11.9"),
        ("C50.91", "C50.91"),
        ("\uff23\uff15\uff10.\uff11", "C50.1"),  # full-width, as a Chinese input method types it
    ],
)
def test_normalise(raw: str, code: str) -> None:
    assert normalise_code(raw) == code


# Other scripts' digits are not read as 0-9: stored codes hold none, so they would match
# nothing and count 0 (Arabic-Indic, Devanagari).
@pytest.mark.parametrize(
    "bad", ["50", "CC50", "C5", "breast cancer", "", "C\u0665\u0660", "C\u096b\u0966"]
)
def test_normalise_refuses_non_codes(bad: str) -> None:
    with pytest.raises(ValueError):
        normalise_code(bad)


def test_category_matches_its_subcodes_only() -> None:
    c50 = parse_pattern("C50", chapters=CHAPTERS)
    assert all(c50.matches(c) for c in ("C50", "C50.1", "C50.91"))
    assert not any(c50.matches(c) for c in ("C5", "C51", "C05.0", "C49.9"))
    sub = parse_pattern("C50.1", chapters=CHAPTERS)
    assert sub.matches("C50.1") and sub.matches("C50.11") and not sub.matches("C50.2")


def test_ranges_and_chapters() -> None:
    rng = parse_pattern("C50-C58", chapters=CHAPTERS)
    assert rng.matches("C50.9") and rng.matches("C58") and rng.matches("C55.0")
    assert not rng.matches("C59") and not rng.matches("C49.9")
    neoplasms = parse_pattern("chapter:II", chapters=CHAPTERS)
    assert neoplasms.matches("C50.9") and neoplasms.matches("D48.7")
    assert not neoplasms.matches("D50") and not neoplasms.matches("E11.9")
    injuries = parse_pattern("chapter:xix", chapters=CHAPTERS)
    assert injuries.matches("S72.0") and injuries.matches("T98.3") and not injuries.matches("V01")
    with pytest.raises(ValueError):
        parse_pattern("chapter:XXX", chapters=CHAPTERS)
    with pytest.raises(ValueError):
        parse_pattern("C58-C50", chapters=CHAPTERS)


def test_covers_follows_the_hierarchy() -> None:
    p = {
        t: parse_pattern(t, chapters=CHAPTERS)
        for t in ("C50", "C50.1", "C50-C58", "chapter:II", "C51", "E11")
    }
    assert p["C50"].covers(p["C50.1"]) and not p["C50.1"].covers(p["C50"])
    assert p["C50-C58"].covers(p["C50"]) and p["C50-C58"].covers(p["C51"])
    assert p["chapter:II"].covers(p["C50-C58"]) and not p["C50-C58"].covers(p["chapter:II"])
    assert not p["C50"].covers(p["C51"]) and not p["chapter:II"].covers(p["E11"])


letters = st.sampled_from("CDEIQ")
digits2 = st.integers(0, 99).map(lambda n: f"{n:02d}")
codes = st.builds(
    lambda a, b, c: f"{a}{b}" + (f".{c}" if c is not None else ""),
    letters,
    digits2,
    st.one_of(st.none(), st.integers(0, 99).map(str)),
)
patterns = st.one_of(
    codes,
    st.tuples(codes, codes).map(lambda ab: "-".join(sorted(ab, key=lambda x: x.replace(".", "")))),
)


@settings(max_examples=300, deadline=None)
@given(wide=patterns, narrow=patterns, code=codes)
def test_covers_implies_every_match_is_a_match(wide: str, narrow: str, code: str) -> None:
    w, n = parse_pattern(wide, chapters=CHAPTERS), parse_pattern(narrow, chapters=CHAPTERS)
    if w.covers(n) and n.matches(code):
        assert w.matches(code)
