"""Clinical-trials regulatory and funding helpdesk: per-country knowledge, questions, comparisons.

Knowledge lives in data files (``data/helpdesk/*.yaml``), one per jurisdiction,
each entry with its legal references, source and date checked. Questions are
answered by BM25 retrieval filtered by the countries named, grouped per
country, with the transfer assessor's result for a sample or data flow and
the directory's funding programmes. Guidance, not legal advice.
"""

from permed_atlas.helpdesk.answer import answer_question, check_question
from permed_atlas.helpdesk.compare import check_country, check_topic, compare_topic, list_entries
from permed_atlas.helpdesk.countries import detect_countries
from permed_atlas.helpdesk.digest import (
    ChecklistItem,
    Digest,
    digest_answer,
    digest_to_markdown,
    plain_missing,
)
from permed_atlas.helpdesk.errors import (
    EntryNotFoundError,
    HelpdeskError,
    HelpdeskInputError,
    KnowledgeFileError,
)
from permed_atlas.helpdesk.flow import assess_flow, read_flow
from permed_atlas.helpdesk.funding import find_funding
from permed_atlas.helpdesk.glossary import GlossaryTerm, load_glossary, terms_in
from permed_atlas.helpdesk.knowledge import (
    FileReport,
    check_knowledge,
    check_knowledge_file,
    load_knowledge,
)
from permed_atlas.helpdesk.models import (
    EU,
    INTERNATIONAL,
    TOPICS,
    Answer,
    Comparison,
    CountryAnswer,
    Entry,
    Flow,
    FundingItem,
    Hit,
    KnowledgeBase,
    Reference,
    Step,
    TransferGuidance,
)
from permed_atlas.helpdesk.present import (
    answer_to_dict,
    comparison_to_dict,
    entry_to_dict,
    review_state,
)
from permed_atlas.helpdesk.store import Confirmation, confirm_entry, latest_confirmations

__all__ = [
    "ChecklistItem",
    "Confirmation",
    "Digest",
    "GlossaryTerm",
    "confirm_entry",
    "digest_answer",
    "digest_to_markdown",
    "latest_confirmations",
    "load_glossary",
    "plain_missing",
    "review_state",
    "terms_in",
    "EU",
    "INTERNATIONAL",
    "TOPICS",
    "Answer",
    "Comparison",
    "CountryAnswer",
    "Entry",
    "EntryNotFoundError",
    "FileReport",
    "Flow",
    "FundingItem",
    "HelpdeskError",
    "HelpdeskInputError",
    "Hit",
    "KnowledgeBase",
    "KnowledgeFileError",
    "Reference",
    "Step",
    "TransferGuidance",
    "answer_question",
    "answer_to_dict",
    "assess_flow",
    "check_country",
    "check_knowledge",
    "check_knowledge_file",
    "check_question",
    "check_topic",
    "compare_topic",
    "comparison_to_dict",
    "detect_countries",
    "entry_to_dict",
    "find_funding",
    "list_entries",
    "load_knowledge",
    "read_flow",
]
