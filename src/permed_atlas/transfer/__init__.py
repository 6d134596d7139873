"""Cross-border data-transfer assessor (GDPR, PIPL, DSL, HGR, Scientific Data) and GA4GH DUO.

Guidance, not legal advice: the rules are data files written from the legal
texts as of their stated versions, each with its reference and date checked.
"""

from permed_atlas.transfer.assessor import assess_transfer, known_measures
from permed_atlas.transfer.duo import DuoOntology, DuoTerm, load_duo_ontology
from permed_atlas.transfer.duo_match import (
    ConsentTerm,
    DataUseRequest,
    DuoMatch,
    match_data_use,
    parse_consent_term,
)
from permed_atlas.transfer.errors import (
    DuoError,
    DuoTermError,
    RuleFileError,
    ScenarioError,
    TransferError,
)
from permed_atlas.transfer.fields import value_label
from permed_atlas.transfer.models import (
    DISCLAIMER,
    Assessment,
    Effect,
    Finding,
    MissingFact,
    Rule,
    RuleSet,
    Scenario,
    Verdict,
)
from permed_atlas.transfer.report import assessment_to_dict, render_html, render_markdown
from permed_atlas.transfer.rules import load_rule_sets, parse_rule_file
from permed_atlas.transfer.scenario import parse_scenario, read_scenario_file

__all__ = [
    "DISCLAIMER",
    "Assessment",
    "Effect",
    "Finding",
    "MissingFact",
    "Rule",
    "RuleSet",
    "Scenario",
    "Verdict",
    "assess_transfer",
    "assessment_to_dict",
    "known_measures",
    "load_rule_sets",
    "parse_rule_file",
    "parse_scenario",
    "read_scenario_file",
    "render_html",
    "render_markdown",
    "value_label",
    "ConsentTerm",
    "DataUseRequest",
    "DuoError",
    "DuoMatch",
    "DuoOntology",
    "DuoTerm",
    "DuoTermError",
    "RuleFileError",
    "ScenarioError",
    "TransferError",
    "load_duo_ontology",
    "match_data_use",
    "parse_consent_term",
]
