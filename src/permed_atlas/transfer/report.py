"""An assessment as JSON-ready data, Markdown and stand-alone HTML."""

from __future__ import annotations

import html
from typing import Any

from permed_atlas.i18n import (
    HTML_LANG,
    current_language,
    gettext,
    gettext_noop,
    localized,
    translated,
)
from permed_atlas.transfer.assessor import PartyCountry
from permed_atlas.transfer.models import Assessment, Effect, Finding, RuleSet

_SECTIONS = (
    (Effect.PROHIBITION, gettext_noop("Not allowed as described")),
    (Effect.OBLIGATION, gettext_noop("Obligations")),
    (Effect.SCOPE, gettext_noop("Which laws apply")),
    (Effect.NOTE, gettext_noop("Notes")),
)
_VERDICTS = {
    "allowed as described": gettext_noop("allowed as described"),
    "allowed with listed steps": gettext_noop("allowed with listed steps"),
    "not allowed as described": gettext_noop("not allowed as described"),
    "not covered by the rule set": gettext_noop("not covered by the rule set"),
}


def assessment_to_dict(assessment: Assessment) -> dict[str, Any]:
    """The assessment as plain data (the JSON API's body and the CLI's ``--format json``).

    :param assessment: from :func:`assess_transfer`.
    """
    return {
        "verdict": assessment.verdict.value,
        "complete": assessment.complete,
        "only_questions_left": assessment.only_questions_left,
        "disclaimer": assessment.disclaimer,
        "rules_checked": assessment.rules_checked,
        "scenario": _scenario(assessment),
        "parties": list(assessment.parties),
        "not_covered": list(assessment.not_covered),
        "assumptions": list(assessment.assumptions),
        "obligations": [_finding(f) for f in assessment.of_effect(Effect.OBLIGATION)],
        "prohibitions": [_finding(f) for f in assessment.of_effect(Effect.PROHIBITION)],
        "scope": [_finding(f) for f in assessment.of_effect(Effect.SCOPE)],
        "notes": [_finding(f) for f in assessment.of_effect(Effect.NOTE)],
        "missing": list(assessment.missing),
        "missing_facts": [
            {"field": m.field, "question": m.question, "needed_for": list(m.needed_for)}
            for m in assessment.missing_facts
        ],
        "undecided": [
            {
                "rule_id": u.rule_id,
                "law": u.law,
                "title": u.title,
                "effect": u.effect.value,
                "reference": str(u.reference),
                "missing_facts": list(u.missing_facts),
            }
            for u in assessment.undecided
        ],  # fmt: skip
        "fired_rules": [f.rule_id for f in assessment.findings],
        "rule_sets": [
            {
                "law": rs.law,
                "title": rs.title,
                "version": rs.version,
                "source": rs.source,
                "date_checked": rs.date_checked,
                "rules": len(rs.rules),
                **rule_set_translations(rs),
            }
            for rs in assessment.rule_sets
        ],  # fmt: skip
        "facts": {k: v for k, v in assessment.facts.items()},
    }


def rule_set_translations(rule_set: RuleSet) -> dict[str, str]:
    """The file's Chinese title and who wrote its Chinese texts, for the JSON answers."""
    return {"title_zh": rule_set.title_zh, "title_zh_source": rule_set.title_zh_source,
            "rules_zh_source": rule_set.rules_zh_source}  # fmt: skip


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id, "law": f.law, "effect": f.effect.value, "title": f.title,
        "obligation": f.obligation, "reference": str(f.reference),
        "explanation": f.explanation, "evidence": list(f.evidence),
        "references": [str(r) for r in f.references],
        "matched_conditions": list(f.matched), "satisfied": f.satisfied,
        "satisfied_by": list(f.satisfied_by), "met_because": list(f.met_because),
        "source": f.source, "date_checked": f.date_checked,
        "title_zh": f.title_zh, "obligation_zh": f.obligation_zh,
        "explanation_zh": f.explanation_zh, "evidence_zh": list(f.evidence_zh),
    }  # fmt: skip


def _scenario(assessment: Assessment) -> dict[str, Any]:
    s = assessment.scenario
    return {"exporter_country": s.exporter_country, "importer_country": s.importer_country,
            "data_categories": list(s.data_categories), **s.as_dict(),
            "measures": list(s.measures), "title": s.title}  # fmt: skip


def route_of(assessment: Assessment) -> str:
    """ "Germany (DE) → China (CN)": the parties with their full names, in the current language.

    :param assessment: from :func:`assess_transfer`.
    """
    s = assessment.scenario
    exporter = PartyCountry(s.exporter_country).translated()
    return f"{exporter} → {PartyCountry(s.importer_country).translated()}"


def _checklist_line(f: Finding) -> str:
    refs = "; ".join(str(r) for r in f.references)
    asked = f.obligation_localized()
    if f.effect is not Effect.OBLIGATION:
        return f"- **{asked}** ({refs})"
    if f.satisfied:
        met = ", ".join(translated(m) for m in f.satisfied_by + f.met_because)
        return f"- [x] **{asked}** ({refs}) — " + gettext("met: %(what)s") % {"what": met}
    return f"- [ ] **{asked}** ({refs})"


def render_markdown(assessment: Assessment) -> str:
    """A Markdown report: verdict, obligations with references, missing facts, provenance.

    Written in the current language (``use_language``); the rules' own texts are English.

    :param assessment: from :func:`assess_transfer`.
    """
    s = assessment.scenario
    verdict = gettext(_VERDICTS.get(assessment.verdict.value, assessment.verdict.value))
    lines = [
        "# " + gettext("Transfer assessment: %(route)s") % {"route": route_of(assessment)},
        "",
        f"> **{gettext(assessment.disclaimer)}** "
        + gettext("Rules last checked: %(date)s.") % {"date": assessment.rules_checked},
        "",
        "**" + gettext("Verdict: %(verdict)s") % {"verdict": verdict} + "**"
        + ("" if assessment.complete
           else " " + gettext("(provisional: some rules could not be decided)")),
        "",
        *(
            [
                gettext(
                    "Every duty that applies is met; the remaining steps are the questions "
                    "under 'Missing from the scenario'."
                ),
                "",
            ]
            if assessment.only_questions_left
            else []
        ),
        *[f"- {translated(item)}" for item in assessment.not_covered],
        *(
            ["", gettext("Assumptions:"), *[f"- {translated(a)}" for a in assessment.assumptions],
             ""]
            if assessment.assumptions
            else []
        ),
        gettext("Data: %(data)s; subjects: %(subjects)s; purpose: %(purpose)s; "
                "consent: %(consent)s.")
        % {"data": ", ".join(s.data_categories), "subjects": _show(s.data_subjects),
           "purpose": _show(s.purpose), "consent": _show(s.consent)},
    ]  # fmt: skip
    for effect, heading in _SECTIONS:
        found = assessment.of_effect(effect)
        if not found:
            continue
        lines += ["", f"## {gettext(heading)}", ""]
        for f in found:
            lines.append(_checklist_line(f))
            lines.append("  - " + gettext("Why: %(why)s") % {"why": _explanation(f)})
            for item in f.evidence_localized():
                lines.append("  - " + gettext("Evidence: %(item)s") % {"item": item})
            matched = "; ".join(translated(m) for m in f.matched)
            lines.append(
                "  - " + gettext("Rule `%(rule)s` fired on: %(why)s") % {
                    "rule": f.rule_id, "why": matched
                }
            )  # fmt: skip
    if assessment.missing:
        lines += ["", "## " + gettext("Missing from the scenario"), ""]
        lines += [f"- {translated(m)}" for m in assessment.missing]
    lines += ["", "## " + gettext("Rule files"), ""]
    for rs in assessment.rule_sets:
        lines.append(
            "- " + gettext("%(title)s (%(version)s); source %(source)s; checked %(date)s") % {
                "title": localized(rs.title, {"zh": rs.title_zh}), "version": rs.version,
                "source": rs.source,
                "date": rs.date_checked,
            }
        )  # fmt: skip
    return "\n".join(lines) + "\n"


def render_html(assessment: Assessment) -> str:
    """A stand-alone HTML report (the Markdown's content, escaped), in the current language.

    :param assessment: from :func:`assess_transfer`.
    """
    e = html.escape
    route = route_of(assessment)
    verdict = gettext(_VERDICTS.get(assessment.verdict.value, assessment.verdict.value))
    checked = gettext("Rules last checked: %(date)s.") % {"date": assessment.rules_checked}
    parts = [
        f"<!doctype html><html lang='{HTML_LANG[current_language()]}'><meta charset='utf-8'>",
        f"<title>{e(gettext('Transfer assessment: %(route)s') % {'route': route})}</title>",
        f"<h1>{e(gettext('Transfer assessment: %(route)s') % {'route': route})}</h1>",
        f"<p class='disclaimer'><strong>{e(gettext(assessment.disclaimer))}</strong> "
        f"{e(checked)}</p>",
        f"<p class='verdict'><strong>{e(gettext('Verdict: %(verdict)s') % {'verdict': verdict})}"
        "</strong></p>",
        *[f"<p class='not-covered'>{e(translated(item))}</p>" for item in assessment.not_covered],
    ]
    if assessment.assumptions:
        parts.append(f"<h2>{e(gettext('Assumptions:').rstrip(':：'))}</h2><ul>")
        parts += [f"<li>{e(translated(a))}</li>" for a in assessment.assumptions]
        parts.append("</ul>")
    for effect, heading in _SECTIONS:
        found = assessment.of_effect(effect)
        if found:
            parts.append(f"<h2>{e(gettext(heading))}</h2><ul>")
            parts += [_finding_html(f) for f in found]
            parts.append("</ul>")
    if assessment.missing:
        parts.append(f"<h2>{e(gettext('Missing from the scenario'))}</h2><ul>")
        parts += [f"<li>{e(translated(m))}</li>" for m in assessment.missing]
        parts.append("</ul>")
    return "\n".join(parts) + "\n</html>\n"


def _finding_html(f: Finding) -> str:
    e = html.escape
    # a fallback to English keeps its "untranslated" mark, as on the result page
    evidence = "".join(
        f"<li>{e(gettext('Evidence: %(item)s')) % {'item': x.__html__()}}</li>"
        for x in f.evidence_localized()
    )
    refs = "; ".join(str(r) for r in f.references)
    met = ", ".join(translated(m) for m in f.satisfied_by + f.met_because)
    said_met = " — " + e(gettext("met: %(what)s") % {"what": met}) if f.satisfied else ""
    why = gettext("Why: %(why)s") % {"why": _explanation(f)}
    fired = gettext("Rule `%(rule)s` fired on: %(why)s") % {
        "rule": f.rule_id, "why": "; ".join(translated(m) for m in f.matched)
    }  # fmt: skip
    return (
        f"<li><strong>{f.obligation_localized().__html__()}</strong> ({e(refs)}){said_met}"
        f"<ul><li>{e(why)}</li>{evidence}<li>{e(fired)}</li></ul></li>"
    )


def _explanation(f: Finding) -> str:
    # the rule's own Chinese where written, else its English (missing-zh.txt lists those)
    return str(localized(f.explanation, {"zh": f.explanation_zh}))


def _show(value: object) -> str:
    return gettext("not stated") if value is None else str(value)
