"""Researcher profiles derived from the corpus, and a partner finder across two regions."""

from permed_atlas.partners.build import BuildSummary, build_profiles, corpus_state, ensure_profiles
from permed_atlas.partners.disambiguation import Assignment, AuthorRecord, assign_authors
from permed_atlas.partners.errors import (
    EmbeddingsNotReadyError,
    EmbeddingsUnavailableError,
    InvalidQueryError,
    PartnersError,
    ProfilesNotBuiltError,
    UnknownAuthorError,
    UnknownInstitutionError,
    UnknownTopicError,
)
from permed_atlas.partners.evaluation import Evaluation, evaluate_holdout, recall_at_k
from permed_atlas.partners.finder import ProfileEmbeddings, find_partners
from permed_atlas.partners.index import PartnerIndex, load_index
from permed_atlas.partners.models import (
    AuthorProfile,
    Coauthor,
    FinderResult,
    InstitutionShare,
    PartnerMatch,
    PartnerQuery,
    Reason,
    Weights,
)
from permed_atlas.partners.store import find_in_corpus, profile_of, profiles_summary

__all__ = [
    "Assignment",
    "AuthorProfile",
    "AuthorRecord",
    "BuildSummary",
    "Coauthor",
    "EmbeddingsNotReadyError",
    "EmbeddingsUnavailableError",
    "Evaluation",
    "FinderResult",
    "InstitutionShare",
    "InvalidQueryError",
    "PartnerIndex",
    "PartnerMatch",
    "PartnerQuery",
    "PartnersError",
    "ProfileEmbeddings",
    "ProfilesNotBuiltError",
    "Reason",
    "UnknownAuthorError",
    "UnknownInstitutionError",
    "UnknownTopicError",
    "Weights",
    "assign_authors",
    "build_profiles",
    "corpus_state",
    "ensure_profiles",
    "evaluate_holdout",
    "find_in_corpus",
    "find_partners",
    "load_index",
    "profile_of",
    "profiles_summary",
    "recall_at_k",
]
