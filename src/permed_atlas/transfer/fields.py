"""The facts a user states about a transfer, declared once.

The scenario parser, the pydantic schema of the JSON API, the web form, the
CLI options of ``permed transfer assess`` and the engine's list of facts are
all derived from :data:`FIELDS`; adding a fact here adds it everywhere. What a
rule does with a fact lives in the rule files, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from permed_atlas.i18n import LazyString, lazy_gettext
from permed_atlas.i18n import gettext_noop as N_

Kind = Literal["country", "categories", "count", "choice", "yesno", "names", "text"]

DATA_CATEGORIES = (
    "health",  # personal data concerning health (GDPR Art. 4(15)); PIPL medical health
    "genetic",  # genetic/genomic data (GDPR Art. 4(13)); HGR information
    "samples",  # human biological samples (HGR materials)
    "identified",  # carries direct identifiers
    "pseudonymised",  # GDPR Art. 4(5): still personal data (Recital 26)
    "anonymised",  # Recital 26 / PIPL Art. 4, 73(4): not personal information
    "aggregate",  # aggregate statistics (counts), not about one person unless cells are small
    "non_personal",  # non-personal scientific data
)
IDENTIFIABILITY_MARKERS = ("identified", "pseudonymised", "anonymised", "aggregate")
PURPOSES = ("research", "clinical_care", "commercial")
CONSENTS = ("explicit", "broad_research", "none")
PARTY_TYPES = ("public_research", "hospital", "university", "company", "other")
IMPORTER_ROLES = ("processor", "joint_controller", "independent_controller")
LEGAL_BASES = (
    "consent", "contract", "legal_obligation", "vital_interests", "public_task",
    "legitimate_interests",
)  # fmt: skip
PIPL_BASES = (
    "consent", "contract", "hr_management", "legal_duty", "public_health_emergency",
    "news_reporting", "published_information", "other_law",
)  # fmt: skip
ART49_DEROGATIONS = (
    "explicit_consent", "contract", "public_interest", "legal_claims", "vital_interests",
    "compelling_legitimate_interests",
)  # fmt: skip
CAC_EXEMPTIONS = (
    "contract_necessity", "hr_management", "emergency_life_health", "collected_abroad",
    "free_trade_zone_list",
)  # fmt: skip
ACCESS_MODES = ("copy", "remote_access")

# The words a page shows for the codes above (the scenario, the API and the CLI keep the codes).
VALUE_LABELS: dict[str, str] = {
    "health": N_("health data"), "genetic": N_("genetic data"),
    "samples": N_("human biological samples"), "identified": N_("identified (direct identifiers)"),
    "pseudonymised": N_("pseudonymised"), "anonymised": N_("anonymised"),
    "aggregate": N_("aggregate statistics"), "non_personal": N_("non-personal data"),
    "copy": N_("a copy"), "remote_access": N_("remote access"),
    "research": N_("research"), "clinical_care": N_("clinical care"),
    "commercial": N_("commercial"),
    "explicit": N_("explicit consent"), "broad_research": N_("broad research consent"),
    "none": N_("no consent"),
    "consent": N_("consent"), "contract": N_("contract"),
    "legal_obligation": N_("legal obligation"), "vital_interests": N_("vital interests"),
    "public_task": N_("public task"), "legitimate_interests": N_("legitimate interests"),
    "hr_management": N_("human-resources management"), "legal_duty": N_("legal duty"),
    "public_health_emergency": N_("public health emergency"),
    "news_reporting": N_("news reporting"), "published_information": N_("published information"),
    "other_law": N_("another law or regulation"),
    "explicit_consent": N_("explicit consent"),
    "public_interest": N_("important reasons of public interest"),
    "legal_claims": N_("legal claims"),
    "compelling_legitimate_interests": N_("compelling legitimate interests"),
    "public_research": N_("public research body"), "hospital": N_("hospital"),
    "university": N_("university"), "company": N_("company"), "other": N_("other"),
    "processor": N_("processor (entrusted processing)"),
    "joint_controller": N_("joint controller"),
    "independent_controller": N_("independent controller"),
    "contract_necessity": N_("necessary for a contract with the individual"),
    "emergency_life_health": N_("emergency: protecting life or health"),
    "collected_abroad": N_("collected abroad, not in China"),
    "free_trade_zone_list": N_("outside a free trade zone's negative list"),
}  # fmt: skip
"""Each category's and choice's words, for the form and the result page."""

MEASURE_LABELS: dict[str, str] = {
    "art46_2a_instrument": N_("binding instrument between public bodies (GDPR Art. 46(2)(a))"),
    "art49_last_resort_documented": N_(
        "last-resort derogation documented and notified (GDPR Art. 49(1), second subparagraph)"
    ),
    "art49_incapacity_documented": N_(
        "data subject's incapacity to consent recorded (GDPR Art. 49(1)(f))"
    ),
    "art49_public_interest_law": N_(
        "law recognising the public interest named (GDPR Art. 49(1)(d), 49(4))"
    ),
    "art89_safeguards": N_("research safeguards (GDPR Art. 89)"),
    "bcr": N_("binding corporate rules"),
    "cac_security_assessment": N_("CAC security assessment passed"),
    "cac_standard_contract_filed": N_("CAC standard contract filed"),
    "care_secrecy": N_("care team bound by professional secrecy"),
    "consent_records": N_("consent records"),
    "data_sharing_agreement": N_("data sharing agreement"),
    "dpia": N_("data protection impact assessment (DPIA)"),
    "dsl_risk_assessment": N_("risk assessment under the Data Security Law"),
    "explicit_consent_obtained": N_("explicit consent obtained"),
    "guardian_consent_records": N_("guardians' consent records"),
    "hgr_approval": N_("HGR international cooperation approval"),
    "hgr_collection_approval": N_("HGR collection approval"),
    "hgr_cooperation_agreement": N_("HGR cooperation agreement"),
    "hgr_export_certificate": N_("HGR material export certificate"),
    "hgr_filing": N_("HGR filing"),
    "hgr_preservation_approval": N_("HGR preservation approval"),
    "hgr_security_review": N_("HGR security review"),
    "information_notice": N_("information given to the individuals"),
    "joint_controller_arrangement": N_("joint controller arrangement"),
    "legal_basis_documented": N_("legal basis documented"),
    "minors_processing_rules": N_("rules for processing children's information"),
    "pi_certification": N_("personal information protection certification"),
    "piia": N_("personal information protection impact assessment (PIIA)"),
    "pipl_other_basis": N_("another PIPL legal basis"),
    "processor_contract": N_("processor contract"),
    "reconsent": N_("new consent obtained"),
    "scc": N_("standard contractual clauses (SCC)"),
    "scidata_approval": N_("scientific data approval"),
    "scidata_review": N_("scientific data review"),
    "scidata_submitted": N_("scientific data submitted to a national data centre"),
    "separate_consent_records": N_("separate consent records"),
    "small_cells_suppressed": N_("small cells suppressed"),
    "stored_in_china": N_("stored in China"),
    "tia": N_("transfer impact assessment (TIA)"),
    "transfer_consent_records": N_("consent to the transfer recorded"),
}  # fmt: skip
"""The bundled rules' measures (``satisfied_by``), as a page names them; a rule file's own
measure without a label here is shown as its name."""


ZH_SOURCE_NOTES: dict[str, str] = {
    text: text
    for text in (
        N_("PerMed Atlas translation, machine-assisted, unreviewed"),
        N_(
            "PerMed Atlas translation, unofficial, unreviewed: the EU publishes the GDPR in its "
            "24 official languages, not in Chinese; 《通用数据保护条例》 is the name in common "
            "Chinese use"
        ),
    )
}
"""The bundled rule files' ``title_zh_source`` and ``rules_zh_source`` notes, translated where
shown; a deployment's own note is shown as written."""


def value_label(code: str) -> LazyString | str:
    """A choice's, category's or measure's words, translated when shown (English in ``str()``
    outside a request); a code without words here (a rule file's own measure) is itself,
    underscores as spaces.

    :param code: ``broad_research``, ``dpia`` ...
    """
    words = VALUE_LABELS.get(code) or MEASURE_LABELS.get(code)
    return lazy_gettext(words) if words else code.replace("_", " ")


GROUPS = {
    "direction": N_("Direction and access"),
    "data": N_("Data and people counted"),
    "basis": N_("Purpose, consent and legal bases"),
    "parties": N_("Parties and their roles"),
    "china": N_("China: designations and CAC exemptions"),
    "hgr": N_("China: human genetic resources"),
    "measures": N_("Steps already taken"),
}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One fact a user states.

    :param label: the question, shown in the form and as CLI help.
    :param choices: allowed values of a ``choice``.
    :param aliases: other input names (``from`` for ``exporter_country``).
    :param option: the CLI option, ``--name-with-dashes`` when empty.
    :param value_aliases: older or friendlier values mapped to allowed ones.
    :param designation: a status only an authority confers; "not stated" is read as "no"
        and the assumption is printed.
    """

    name: str
    kind: Kind
    group: str
    label: str
    choices: tuple[str, ...] = ()
    required: bool = False
    aliases: tuple[str, ...] = ()
    option: str = ""
    value_aliases: tuple[tuple[str, str], ...] = ()
    designation: str = ""

    @property
    def cli_option(self) -> str:
        """The option name on the command line."""
        return self.option or "--" + self.name.replace("_", "-")


def _f(name: str, kind: Kind, group: str, label: str, **extra: object) -> FieldSpec:
    return FieldSpec(name, kind, group, label, **extra)  # type: ignore[arg-type]


FIELDS: tuple[FieldSpec, ...] = (
    _f("exporter_country", "country", "direction",
       "From: where the data or samples are (country name, ISO code or EU/EEA)",
       required=True, aliases=("from",), option="--from"),
    _f("importer_country", "country", "direction",
       "To: where the recipient is (country name, ISO code or EU/EEA)",
       required=True, aliases=("to",), option="--to"),
    _f("subjects_country", "country", "direction",
       "Where the data subjects are (country name, ISO code or EU/EEA)"),
    _f("access_mode", "choice", "direction",
       "How the recipient gets the data: a copy, or remote access to data that stay put",
       choices=ACCESS_MODES),
    _f("data_categories", "categories", "data", "Kinds of data", required=True,
       aliases=("data",), option="--data", choices=DATA_CATEGORIES),
    _f("small_cells", "yesno", "data",
       "Aggregate tables contain small cells (counts low enough to single people out)"),
    _f("sequencing", "yesno", "data", "The genetic data are exome or whole-genome sequences"),
    _f("large_scale", "yesno", "data", "The processing is large scale (GDPR Art. 35(3)(b))"),
    _f("data_subjects", "count", "data",
       "Individuals in this transfer (counted as sensitive when health or genetic data, or "
       "children under 14)",
       aliases=("subjects",), option="--subjects"),
    _f("sensitive_subjects", "count", "data",
       "Individuals whose sensitive personal information has left China since 1 January, "
       "this transfer included"),
    _f("non_sensitive_subjects", "count", "data",
       "Individuals whose other personal information has left China since 1 January, "
       "this transfer included"),
    _f("minors_under_14", "yesno", "data",
       "The data include personal information of children under 14 (sensitive under PIPL)"),
    _f("purpose", "choice", "basis", "Purpose", choices=PURPOSES),
    _f("consent", "choice", "basis", "Consent the data subjects gave", choices=CONSENTS),
    _f("consent_names_recipient", "yesno", "basis",
       "The consent names the recipient and its country"),
    _f("separate_consent", "yesno", "basis",
       "Separate consent obtained for the sensitive data and the transfer abroad (PIPL)"),
    _f("legal_basis", "choice", "basis", "GDPR Art. 6(1) legal basis relied on",
       choices=LEGAL_BASES),
    _f("pipl_basis", "choice", "basis", "PIPL Art. 13(1) basis relied on", choices=PIPL_BASES),
    _f("art49_derogation", "choice", "basis", "GDPR Art. 49(1) derogation relied on",
       choices=ART49_DEROGATIONS),
    _f("occasional_transfer", "yesno", "basis", "The transfer is occasional, not systematic"),
    _f("exporter_type", "choice", "parties", "Exporter type", choices=PARTY_TYPES),
    _f("importer_type", "choice", "parties", "Importer type", choices=PARTY_TYPES),
    _f("importer_role", "choice", "parties",
       "The importer processes on the exporter's behalf (processor, entrusted processing), "
       "decides jointly (joint controller, joint handling) or on its own",
       choices=IMPORTER_ROLES,
       value_aliases=(("stores_only", "processor"), ("processes", "joint_controller"),
                      ("entrusted", "processor"), ("joint_handling", "joint_controller"))),
    _f("importer_in_adequacy_scope", "yesno", "parties",
       "The importer is within its country's partial EU adequacy decision (e.g. certified "
       "under the EU-US Data Privacy Framework)"),
    _f("foreign_party", "yesno", "parties",
       "A foreign organisation (or one it controls) takes part"),
    _f("exporter_foreign_controlled", "yesno", "parties",
       "The party in China holding the HGR is foreign or foreign-controlled"),
    _f("chinese_party_participates", "yesno", "hgr",
       "The Chinese party takes part substantively throughout and sees all records and data"),
    _f("government_funded", "yesno", "parties", "Government funding produced the data"),
    _f("exporter_ciio", "yesno", "china",
       "The exporter is designated a critical information infrastructure operator",
       designation=N_("CIIO status is designated by the sector's protection "
                                "authority (CII Security Protection Regulations Art. 9-10)")),
    _f("important_data", "yesno", "china",
       "The data have been notified or announced as important data",
       designation=N_("data are important data only once a region or sector "
                                "authority notifies or announces it (CAC Provisions 2024 Art. 2)")),
    _f("cac_exemption", "choice", "china", "CAC Provisions (2024) exemption relied on",
       choices=CAC_EXEMPTIONS),
    _f("hgr_collection", "yesno", "hgr", "The project collects human genetic resources in China"),
    _f("hgr_special_collection", "yesno", "hgr",
       "Collection from important genetic families or specific regions, or a population "
       "study of more than 3,000 people"),
    _f("hgr_families_or_regions", "yesno", "hgr",
       "The genetic information comes from important genetic families or specific regions"),
    _f("hgr_preservation", "yesno", "hgr",
       "Human genetic resources are preserved in China as a research resource (biobank)"),
    _f("marketing_authorisation_trial", "yesno", "hgr",
       "An international clinical trial for a marketing authorisation in China"),
    _f("measures", "names", "measures", "Steps already taken", aliases=("measures_in_place",),
       option="--measure"),
    _f("title", "text", "measures", "A title for the report"),
)  # fmt: skip

FIELDS_BY_NAME = {spec.name: spec for spec in FIELDS}
ALIASES = {alias: spec.name for spec in FIELDS for alias in spec.aliases}
DESIGNATIONS = tuple(spec for spec in FIELDS if spec.designation)


def fields_in(group: str) -> list[FieldSpec]:
    """The fields of one form group, in declaration order."""
    return [spec for spec in FIELDS if spec.group == group]
