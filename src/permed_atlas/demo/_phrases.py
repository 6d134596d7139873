"""The words of a synthetic work's title and abstract, drawn from its topic's phrases."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple, TypeVar

from permed_atlas.demo import _vocab as vocab

T = TypeVar("T")
_MODERN_PM = (
    "precision medicine",
    "personalized medicine",
    "personalised medicine",
    "precision oncology",
)
# Capitalised fields start the title. The forms before _PM_FORMS may get a PM suffix; the
# others name the PM phrase (or a stand-in) themselves.
_TITLE_FORMS = (
    "{Approach} in {subject}: a {design}",
    "{Marker} and {outcome} in patients with {subject}",
    "Association between {marker} and {outcome} in {subject}: a {design}",
    "{Approach} guided by {marker} in {subject}",
    "{Design} of {approach} for {subject} in {where}",
    "Towards {pm_or_care} in {subject}: the role of {approach}",
    "{Approach} for {pm_or_risk} in {subject}",
)
_PM_FORMS = 5


def pick(r: Callable[[], float], seq: Sequence[T]) -> T:
    """One item of ``seq``, drawn with ``r``."""
    return seq[int(r() * len(seq))]


def cap(text: str) -> str:
    """``text`` with its first letter upper-case."""
    return text[:1].upper() + text[1:]


class Words(NamedTuple):
    """The phrases a work's title and abstract are made of."""

    subject: str
    approach: str
    marker: str
    outcome: str
    design: str
    where: str


def pm_phrase(r: Callable[[], float], year: int) -> str | None:
    """The personalised-medicine phrase a work uses, if any (more of them in later years)."""
    pm_share = 0.35 + 0.35 * min(1.0, max(0.0, (year - 2000) / 25))
    if r() >= pm_share:
        return None
    # "precision medicine" took over from older names after ~2011.
    phrases = _MODERN_PM if year >= 2012 and r() < 0.6 else vocab.PM_PHRASES
    return phrases[int(r() * len(phrases))]


def make_title(r: Callable[[], float], w: Words, pm: str | None) -> str | None:
    """One of the title forms; a few works have none, as in OpenAlex."""
    form = int(r() * len(_TITLE_FORMS))
    title: str | None = _TITLE_FORMS[form].format(
        **w._asdict(),
        Approach=cap(w.approach),
        Marker=cap(w.marker),
        Design=cap(w.design),
        pm_or_care=pm or "better care",
        pm_or_risk=pm or "risk stratification",
    )
    if pm and form < _PM_FORMS and r() < 0.3:
        title = f"{title}: implications for {pm}"
    if r() < 0.004:
        title = None
    return title


def make_abstract(r: Callable[[], float], w: Words, pm: str | None) -> dict[str, list[int]] | None:
    """A structured abstract as OpenAlex's inverted index; a fifth of works have none."""
    if r() < 0.2:
        return None
    hr = 0.45 + r() * 0.5
    sentences = [
        f"{cap(w.subject)} remains a major clinical challenge and "
        + (
            f"{pm} strategies promise to match treatment to the individual patient."
            if pm
            else "better tools are needed to guide treatment decisions."
        ),
        f"We performed a {w.design} of {40 + int(r() * 12000)} patients "
        f"from {1 + int(r() * 30)} "
        f"centres in {w.where} to evaluate {w.approach}.",
        f"{cap(w.marker)} was associated with {w.outcome} (hazard ratio {hr:.2f}; 95% CI "
        f"{hr - 0.12:.2f}-{hr + 0.15:.2f}).",
    ]
    if r() < 0.6:
        sentences.append(
            f"Patients treated with {w.approach} had better {w.outcome} "
            "than those receiving standard care."
        )
    sentences.append(
        f"These findings support {w.approach} in routine practice and the use of {w.marker} "
        + (f"for {pm}." if pm else "in future trials.")
    )
    index: dict[str, list[int]] = {}
    find = index.get
    for position, token in enumerate(" ".join(sentences).split()):
        slot = find(token)
        if slot is None:
            index[token] = [position]
        else:
            slot.append(position)
    return index
