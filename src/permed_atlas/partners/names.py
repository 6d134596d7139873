"""Pure name and affiliation normalisation for author disambiguation.

A person's *block key* is the folded surname plus the first initial
("Henschke, Claudia I" and "C. I. Henschke" -> ``henschke|c``): records in one
block may be one person and need evidence to be merged. A co-author's *name
token* is stricter, surname plus the first given name spelt out
(``yankelevitz|david``), so that two unrelated "Wang W" rarely count as a
shared co-author. Institution keys from free affiliation text are the
comma-separated segments that name an organisation and carry at least one
distinctive word ("Faculty of Medicine" alone names nobody).
"""

from __future__ import annotations

import re
import unicodedata

_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "la", "le",
     "ten", "ter", "bin", "al", "el", "st"}
)  # fmt: skip
_ORG_WORDS = re.compile(
    r"universi|hospital|institut|college|centre|center|academy|school|clinic|foundation|"
    r"laborator|inserm|cnrs|charit|council|polytechn|hôpital|hopital|klinik|ospedale|"
    r"corporation|company|\bco\b|\bltd\b|\binc\b|gmbh|biobank|consortium",
    re.IGNORECASE,
)
_NOT_ORG_START = re.compile(r"^(department|dept|division|section|unit|program|programme|faculty)\b")
_GENERIC = frozenset(
    {"university", "universite", "universitat", "universita", "universidad", "universiteit",
     "hospital", "institute", "institut", "instituto", "istituto", "college", "centre", "center",
     "academy", "school", "clinic", "clinical", "foundation", "laboratory", "laboratories",
     "medical", "medicine", "research", "national", "state", "key", "science", "sciences",
     "health", "the", "and", "for", "general", "people", "peoples", "first", "second", "third",
     "affiliated", "faculty", "department", "hopital", "hôpital", "technology", "public",
     "china", "chinese", "republic", "cancer", "children", "childrens", "women", "central"}
)  # fmt: skip
_STOP = frozenset({"of", "the", "at", "and", "for", "in", "de", "du", "des", "la", "le", "di"})
_EMAIL = re.compile(r"\S+@\S+")
_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, accents removed, anything but letters, digits and spaces turned to spaces.

    :param text: any text.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return " ".join(_WORD.findall(plain.replace("ß", "ss")))


def split_name(name: str) -> tuple[str, list[str]]:
    """The folded surname and the given names of a display name.

    "Henschke, Claudia I" and "Claudia I Henschke" both give ``("henschke", ["claudia", "i"])``;
    particles stay with the surname ("Jan van der Berg" -> "van der berg").

    :param name: a display name as a source writes it.
    """
    if "," in name:
        last, _, given = name.partition(",")
        return fold(last), fold(given).split()
    words = fold(name.replace(".", ". ")).split()
    if not words:
        return "", []
    if any(word.isdigit() for word in words):
        # Not a person's name as people write them ("Person 12-3", "Group 4"): compare it whole.
        return " ".join(words), []
    cut = len(words) - 1
    while cut > 1 and words[cut - 1] in _PARTICLES:
        cut -= 1
    return " ".join(words[cut:]), words[:cut]


def block_key(name: str | None) -> str | None:
    """Surname and first initial (``henschke|c``); None when the name has no surname.

    :param name: a display name.
    """
    return _surname_key(name, initial=True)


def name_token(name: str | None) -> str | None:
    """Surname and first given name spelt out (``yankelevitz|david``), for co-author evidence.

    :param name: a display name.
    """
    return _surname_key(name, initial=False)


def _surname_key(name: str | None, *, initial: bool) -> str | None:
    if not name:
        return None
    surname, given = split_name(name)
    if not surname:
        return None
    first = given[0] if given else ""
    return f"{surname}|{first[:1] if initial else first}"


def institution_key(name: str) -> str | None:
    """A folded institution name without stop words, or None if it has no distinctive word.

    :param name: an institution name or one affiliation segment.
    """
    words = [w for w in fold(name).split() if w not in _STOP and not w.isdigit()]
    if not any(w not in _GENERIC and len(w) > 2 for w in words):
        return None
    return " ".join(words)


def institutions_from_affiliation(raw: str | None) -> list[str]:
    """The organisation segments named in a free affiliation text, in order.

    "Department of Radiology, Icahn School of Medicine, Mount Sinai Hospital, New York, NY"
    gives ``["Icahn School of Medicine", "Mount Sinai Hospital"]``.

    :param raw: an affiliation string; several may be joined by ``;``.
    """
    if not raw:
        return []
    found: list[str] = []
    for part in _EMAIL.sub(" ", raw).split(";"):
        for segment in part.split(","):
            text = re.sub(r"^\s*\d+\.?\s*", "", segment).strip().rstrip(".").strip()
            if not text or not _ORG_WORDS.search(text):
                continue
            if _NOT_ORG_START.match(fold(text)):
                continue
            if institution_key(text) and text not in found:
                found.append(text)
    return found
