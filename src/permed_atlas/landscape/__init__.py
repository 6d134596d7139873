"""The PM science and technology landscape: publications and patents, tagged and counted."""

from permed_atlas.landscape.analysis_cli import tagged_corpus
from permed_atlas.landscape.countries import countries_from_affiliation, country_from_affiliation
from permed_atlas.landscape.errors import (
    CorpusBusyError,
    IngestError,
    LandscapeError,
    RecordError,
    RegionError,
    TaggingRuleError,
)
from permed_atlas.landscape.explain import (
    Explanation,
    WorkNotFoundError,
    explain_work,
    resolve_work_id,
)
from permed_atlas.landscape.ingest import (
    IngestSummary,
    detect_patent_format,
    ingest_file,
    ingest_files,
)
from permed_atlas.landscape.ingest._common import SYNTHETIC_MARKER
from permed_atlas.landscape.ingest_cli import run_ingest
from permed_atlas.landscape.models import Contributor, Institution, Term, Work
from permed_atlas.landscape.network import build_collaboration_graph, export_network
from permed_atlas.landscape.provenance import (
    SYNTHETIC_SOURCE,
    CorpusSummary,
    count_synthetic_works,
    is_synthetic,
    summarise_corpus,
)
from permed_atlas.landscape.regions import (
    RegionSet,
    add_region_set,
    load_region_sets,
    region_countries,
)
from permed_atlas.landscape.report import build_report
from permed_atlas.landscape.store.corpus import open_corpus, store_works
from permed_atlas.landscape.store.indicators import (
    INDICATOR_NAMES,
    NO_FILTER,
    CitedWork,
    CoPublicationYear,
    Indicators,
    LandscapeFilter,
    PatentCount,
    RankedCountry,
    RankedInstitution,
    RegionYearCount,
    TopicShare,
    TopicYear,
    compute_indicators,
    eu_cn_copublications,
    output_by_year_region,
    patents_by_applicant_region,
    tagged_regions,
    top_cited_eu_cn,
    top_countries,
    top_institutions,
    topic_mix,
    topic_trends,
)
from permed_atlas.landscape.store.search import build_search_index, search_index_is_current
from permed_atlas.landscape.store.snapshots import (
    current_marker,
    current_snapshot,
    publish_snapshot,
    snapshot_is_current,
)
from permed_atlas.landscape.store.tagging import (
    TaggingSummary,
    needs_tagging,
    tag_corpus,
    tag_untagged,
)
from permed_atlas.landscape.topics import Rule, RuleSet, load_rules, rules_path_for
from permed_atlas.landscape.upkeep import complete_corpus

__all__ = [
    "CorpusBusyError",
    "complete_corpus",
    "current_marker",
    "current_snapshot",
    "publish_snapshot",
    "snapshot_is_current",
    "INDICATOR_NAMES",
    "NO_FILTER",
    "CitedWork",
    "CoPublicationYear",
    "CorpusSummary",
    "Contributor",
    "Explanation",
    "Indicators",
    "IngestError",
    "IngestSummary",
    "Institution",
    "LandscapeError",
    "LandscapeFilter",
    "PatentCount",
    "RankedCountry",
    "RankedInstitution",
    "RecordError",
    "RegionError",
    "RegionSet",
    "SYNTHETIC_MARKER",
    "SYNTHETIC_SOURCE",
    "RegionYearCount",
    "Rule",
    "RuleSet",
    "TaggingRuleError",
    "TaggingSummary",
    "Term",
    "TopicShare",
    "TopicYear",
    "Work",
    "count_synthetic_works",
    "is_synthetic",
    "WorkNotFoundError",
    "add_region_set",
    "build_collaboration_graph",
    "build_report",
    "build_search_index",
    "compute_indicators",
    "countries_from_affiliation",
    "country_from_affiliation",
    "detect_patent_format",
    "eu_cn_copublications",
    "explain_work",
    "export_network",
    "ingest_file",
    "ingest_files",
    "load_region_sets",
    "load_rules",
    "needs_tagging",
    "open_corpus",
    "output_by_year_region",
    "patents_by_applicant_region",
    "region_countries",
    "resolve_work_id",
    "rules_path_for",
    "run_ingest",
    "search_index_is_current",
    "store_works",
    "summarise_corpus",
    "tag_corpus",
    "tag_untagged",
    "tagged_corpus",
    "tagged_regions",
    "top_cited_eu_cn",
    "top_countries",
    "top_institutions",
    "topic_mix",
    "topic_trends",
]
