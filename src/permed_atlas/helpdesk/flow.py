"""Reading a sample or data flow from a question, and asking the transfer assessor about it.

Only what the question says is used. A country is the destination when "to",
"into" or "towards" comes just before it (or "in" after a verb such as
"analysed" or "sequenced"); the origin when "from" or "out of" does, or when a
demonym describes the samples or data ("Chinese samples"). When one end is
stated and exactly one other country is named, that country is taken as the
other end, and the answer says so. Without a verb of movement, a flow is read
only when the question names where the material is analysed, sequenced or
stored ("analysed in France"). Anything else stays unknown and is listed as
missing; the assessor then lists what its rules still need.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from permed_atlas.helpdesk.models import EU, INTERNATIONAL, CountryMention, Flow, TransferGuidance
from permed_atlas.i18n import Message, lazy_gettext

_MOVE = re.compile(
    r"\b(ship\w*|send\w*|sent|export\w*|transfer\w*|transport\w*|mov(?:e|ed|es|ing)|"
    r"provid\w*|shar(?:e|ed|es|ing)|upload\w*|carr(?:y|ied|ies)|bring\w*|brought|courier\w*|"
    r"outbound|leave|leaving|cross[- ]border)\b",
    re.IGNORECASE,
)
_SAMPLES = re.compile(
    r"\b(samples?|specimens?|biospecimens?|blood|tissues?|biops(?:y|ies)|serum|plasma|saliva|"
    r"urine|cells?|swabs?|biomaterials?|biological materials?|dna|rna|tumou?rs?)\b",
    re.IGNORECASE,
)
_GENETIC = re.compile(
    r"\b(genetic|genomic|genomes?|pharmacogenomics?|pharmacogenetics?|sequenc\w*|genotyp\w*|"
    r"exomes?|dna|wgs|wes|snps?|human genetic resources?|hgr)\b",
    re.IGNORECASE,
)
_DATA = re.compile(r"\b(data|datasets?|records?|databases?|images?|crfs?)\b", re.IGNORECASE)
_HEALTH_CONTEXT = re.compile(
    r"\b(health|clinical|patients?|medical|trial|personal|participants?|ehr)\b", re.IGNORECASE
)
_MARKERS = (
    ("anonymised", re.compile(r"\b(anonymi[sz]ed|anonymous)\b", re.IGNORECASE)),
    ("pseudonymised", re.compile(r"\b(pseudonymi[sz]ed|key[- ]coded|coded)\b", re.IGNORECASE)),
    ("aggregate", re.compile(r"\b(aggregated?|summary statistics)\b", re.IGNORECASE)),
)
# The markers' and consents' words inside a composed line (the flow keeps the codes).
_MARKER_WORDS = {
    "anonymised": lazy_gettext("anonymised"),
    "pseudonymised": lazy_gettext("pseudonymised"),
    "aggregate": lazy_gettext("aggregate"),
}
_CONSENT_WORDS = {
    "explicit": lazy_gettext("explicit"),
    "broad_research": lazy_gettext("broad research"),
    "none": lazy_gettext("none"),
}
_RESEARCH = re.compile(r"\b(trials?|stud(?:y|ies)|research|cohorts?|biobank)\b", re.IGNORECASE)
_COMMERCIAL = re.compile(r"\bcommercial\b", re.IGNORECASE)
_MA_TRIAL = re.compile(
    r"\b(marketing authori[sz]ation|registration trial|drug registration|to register the drug)\b",
    re.IGNORECASE,
)
_SEQUENCING = re.compile(
    r"\b(whole[- ]genome|whole[- ]exome|exome sequencing|wgs|wes)\b", re.IGNORECASE
)
# The whole number, not its last group: thousands grouped by commas, points or spaces
# ("12,000", "12.000", "12 000"), a decimal only with its word ("1.2 million"), "20k". The CAC
# thresholds (10,000 sensitive, 100,000 and 1,000,000 other) turn on it.
_SUBJECTS = re.compile(
    r"(?<![\d.,])(?P<n>\d{1,3}(?:[,.\u00a0\u202f' ]\d{3})+(?!\d)|\d+(?:\.\d+)?)\s*"
    r"(?P<scale>million|thousand|k|m)?\s+(?:[^\W\d_]+\s)?"
    r"(?:patients|participants|subjects|donors|individuals|people|persons)\b",
    re.IGNORECASE,
)
_SUBJECTS_ZH = re.compile(
    r"(?<![\d.])(?P<n>\d+(?:\.\d+)?)\s*(?P<scale>万)?\s*[名例位]?(?:患者|受试者|参与者|病人|个体|人)"
)
_SCALE = {"million": 1_000_000, "m": 1_000_000, "thousand": 1_000, "k": 1_000, "万": 10_000}
# "not anonymised" says the opposite of the marker it contains.
_NEGATED = re.compile(r"\b(?:not|non|never|isn't|aren't|un)[\s-]*(?:[^\W\d_]+\s+)?$", re.I)
_CONSENT = (
    ("explicit", re.compile(r"\b(explicit|specific|written) (informed )?consent\b", re.I)),
    ("broad_research", re.compile(r"\bbroad (research )?consent\b", re.IGNORECASE)),
    ("none", re.compile(r"\b(without|no) (informed )?consent\b", re.IGNORECASE)),
)
# Chinese is written without spaces, so its cues are matched without word boundaries.
_MOVE_ZH = re.compile(r"运|寄|送|传|出境|转移|提供给|共享|上传|带到|发往|出口|跨境")
_SAMPLES_ZH = re.compile(r"样本|标本|血液|血样|组织|血清|血浆|唾液|尿液|细胞|生物材料|遗传资源材料")
_GENETIC_ZH = re.compile(r"基因|遗传|测序|人类遗传资源")
_DATA_ZH = re.compile(r"数据|信息|资料|病历|记录")
_HEALTH_ZH = re.compile(r"临床|患者|病人|医疗|健康|试验|受试者|个人")
# The character just before a country name: 从德国 (from), 到/往/至/向/入中国 (to).
_FROM_ZH = "从自"
_TO_ZH = "到往至向入"
_TO = {"to", "into", "towards"}
_FROM = {"from"}
_PLACE_VERBS = re.compile(
    r"\b(analy[sz]ed|sequenced|stored|processed|tested|genotyped|kept|measured)\b", re.I
)
_NOT_MAINLAND = {"HK", "MO", "TW"}


def read_flow(question: str, mentions: Sequence[CountryMention]) -> Flow | None:
    """The flow a question describes, or None when it moves nothing across a border.

    :param question: plain words.
    :param mentions: the countries found in it (see :func:`detect_countries`).
    """
    move = _MOVE.search(question) or _MOVE_ZH.search(question)
    # "Chinese samples analysed in France" moves samples without a verb of movement.
    placed = _PLACE_VERBS.search(question)
    samples = _SAMPLES.search(question) or _SAMPLES_ZH.search(question)
    genetic = _GENETIC.search(question) or _GENETIC_ZH.search(question)
    data = _DATA.search(question) or _DATA_ZH.search(question)
    if (move is None and placed is None) or not (samples or genetic or data):
        return None
    derived: list[str] = []
    categories: list[str] = []
    if samples:
        categories.append("samples")
        derived.append(Message("samples: the question speaks of %(words)s",
                               words=repr(samples.group(0))))  # fmt: skip
    if genetic:
        categories.append("genetic")
        derived.append(Message("genetic data: the question speaks of %(words)s",
                               words=repr(genetic.group(0))))  # fmt: skip
    health_context = _HEALTH_CONTEXT.search(question) or _HEALTH_ZH.search(question)
    if data and (not genetic or health_context):
        categories.append("health")
        derived.append(
            Message(
                "health data: the question speaks of %(words)s; trial data about participants "
                "are taken as personal data concerning health",
                words=repr(data.group(0)),
            )
        )
    for marker, pattern in _MARKERS:
        found = pattern.search(question)
        before = question[max(0, found.start() - 20) : found.start()] if found else ""
        if found and _NEGATED.search(before):
            said = (before + found.group(0)).strip()
            derived.append(Message("not %(marker)s: the question says %(words)s",
                                   marker=_MARKER_WORDS[marker], words=repr(said)))  # fmt: skip
        elif found:
            categories.append(marker)
            said = repr(found.group(0))
            derived.append(Message("%(marker)s: the question says %(words)s",
                                   marker=_MARKER_WORDS[marker], words=said))  # fmt: skip
            break
    places = [m for m in mentions if m.code not in {EU, INTERNATIONAL}]
    origin, destination = _ends(question, places, derived)
    if move is None and destination is None:
        return None  # "analysed" alone, with no place it happens in, moves nothing
    missing: list[str] = []
    codes = list(dict.fromkeys(m.code for m in places))
    if destination is not None and origin is None:
        others = [c for c in codes if c != destination]
        if len(others) == 1:
            origin = others[0]
            derived.append(Message("origin %(code)s: the only other country named, so the "
                                   "flow starts there", code=origin))  # fmt: skip
    elif origin is not None and destination is None:
        others = [c for c in codes if c != origin]
        if len(others) == 1:
            destination = others[0]
            derived.append(Message("destination %(code)s: the only other country named",
                                   code=destination))  # fmt: skip
    if any(m.code == EU for m in mentions) and (origin is None or destination is None):
        missing.append(Message("the EU is not one country: name the member state for the assessor"))
    if origin is None:
        missing.append(Message("origin country (where the samples or data are) is not stated"))
    if destination is None:
        missing.append(Message("destination country (where they go) is not stated"))
    if origin is not None and origin == destination:
        return None
    facts = _other_facts(question, origin, destination, derived)
    return Flow(
        origin=origin, destination=destination, data_categories=tuple(categories),
        derived=tuple(derived), missing=tuple(missing), **facts,
    )  # fmt: skip


def _ends(
    question: str, places: Sequence[CountryMention], derived: list[str]
) -> tuple[str | None, str | None]:
    origin: str | None = None
    destination: str | None = None
    for mention in places:
        before = re.findall(r"[\w-]+", question[max(0, mention.start - 60) : mention.start].lower())
        window = before[-5:]
        role = None
        cue = question[mention.start - 1 : mention.start] if mention.start else ""
        if cue and cue in _FROM_ZH:
            role = "origin"
        elif cue and cue in _TO_ZH:
            role = "destination"
        for word in reversed(window if role is None else []):
            if word in _TO:
                role = "destination"
                break
            if word in _FROM or (word == "of" and window[-2:-1] == ["out"]):
                role = "origin"
                break
        in_after_verb = window and window[-1] == "in" and _PLACE_VERBS.search(" ".join(window))
        if role is None and in_after_verb:
            role = "destination"
        after = question[mention.end : mention.end + 40]
        if (
            role is None
            and mention.text[:1].isupper()
            and mention.text.lower().endswith(("an", "ese", "ish", "ch", "ic"))
            and (_SAMPLES.match(after.strip()) or _DATA.match(after.strip()))
        ):
            role = "origin"
        if role == "destination" and destination is None:
            destination = mention.code
            derived.append(Message("destination %(code)s: %(quote)s", code=mention.code,
                                   quote=_quote(question, mention)))  # fmt: skip
        elif role == "origin" and origin is None:
            origin = mention.code
            derived.append(Message("origin %(code)s: %(quote)s", code=mention.code,
                                   quote=_quote(question, mention)))  # fmt: skip
    return origin, destination


def _quote(question: str, mention: CountryMention) -> Message:
    start = max(0, mention.start - 25)
    head = question[start : mention.start].split(" ", 1)[-1] if start else question[: mention.start]
    words = "'…" + head + mention.text + "'"
    return Message("the question says %(words)s", words=words)


def _other_facts(
    question: str, origin: str | None, destination: str | None, derived: list[str]
) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    if _COMMERCIAL.search(question):
        facts["purpose"] = "commercial"
        derived.append(Message("purpose commercial: the question says %(words)s",
                               words="'commercial'"))  # fmt: skip
    else:
        found = _RESEARCH.search(question)
        if found:
            facts["purpose"] = "research"
            derived.append(Message("purpose research: the question speaks of %(words)s",
                                   words=repr(found.group(0))))  # fmt: skip
    if origin == "CN" and destination is not None and destination not in {"CN", *_NOT_MAINLAND}:
        facts["foreign_party"] = True
        derived.append(Message("foreign party: the recipient in %(code)s is outside China",
                               code=destination))  # fmt: skip
    if _SEQUENCING.search(question):
        facts["sequencing"] = True
        derived.append(Message("exome/genome sequencing: stated"))
    subjects = _SUBJECTS.search(question) or _SUBJECTS_ZH.search(question)
    count = _count(subjects.group("n"), subjects.group("scale")) if subjects else None
    if subjects and count is not None:
        facts["data_subjects"] = count
        counted = format(count, ",")
        derived.append(Message("individuals: %(words)s (%(count)s)",
                               words=repr(subjects.group(0)), count=counted))  # fmt: skip
    for value, pattern in _CONSENT:
        found = pattern.search(question)
        if found:
            facts["consent"] = value
            said = repr(found.group(0))
            derived.append(Message("consent %(value)s: the question says %(words)s",
                                   value=_CONSENT_WORDS[value], words=said))  # fmt: skip
            break
    found = _MA_TRIAL.search(question)
    if found:
        facts["marketing_authorisation_trial"] = True
        derived.append(Message("a trial for marketing authorisation: the question says %(words)s",
                               words=repr(found.group(0))))  # fmt: skip
    return facts


def _count(number: str, scale: str | None) -> int | None:
    """The number of individuals "12 000", "1.2" + "million" or "2" + "万" say; None if unclear."""
    if scale:
        value = float(re.sub(r"[,\u00a0\u202f' ]", "", number)) * _SCALE[scale.lower()]
    elif re.fullmatch(r"\d{1,3}(?:[,.\u00a0\u202f' ]\d{3})+", number):
        value = float(re.sub(r"\D", "", number))  # "12.000" is grouped: people come whole
    elif "." in number:
        return None  # "1.5 patients": a decimal without its word is no count of people
    else:
        value = float(number)
    return int(value) if value == int(value) else None


@lru_cache(maxsize=4)
def _rule_sets(dirs: tuple[Path, ...]) -> Any:
    # Reading the rule files takes longer than answering; they change only with a deployment.
    from permed_atlas.transfer import load_rule_sets

    return load_rule_sets(dirs)


def assess_flow(flow: Flow, *, rule_dirs: Sequence[Path] = ()) -> TransferGuidance:
    """Run the transfer assessor on a flow whose ends and data kind are known.

    :param flow: from :func:`read_flow`.
    :param rule_dirs: the deployment's extra transfer rule folders (as the assessor's pages use).
    """
    from permed_atlas.transfer import DISCLAIMER, ScenarioError, assess_transfer
    from permed_atlas.transfer import assessment_to_dict as to_dict

    if flow.origin is None or flow.destination is None or not flow.data_categories:
        return TransferGuidance(flow=flow, assessment=None, disclaimer=DISCLAIMER)
    try:
        rule_sets = _rule_sets(tuple(Path(d).resolve() for d in rule_dirs))
        assessment = assess_transfer(flow.scenario(), rule_sets=rule_sets)
    except ScenarioError as exc:
        problem = f"the assessor could not use the flow: {exc}"
        flow = Flow(**{**_flow_fields(flow), "missing": (*flow.missing, problem)})
        return TransferGuidance(flow=flow, assessment=None, disclaimer=DISCLAIMER)
    return TransferGuidance(flow=flow, assessment=to_dict(assessment), disclaimer=DISCLAIMER)


def _flow_fields(flow: Flow) -> dict[str, Any]:
    return {name: getattr(flow, name) for name in flow.__dataclass_fields__}
