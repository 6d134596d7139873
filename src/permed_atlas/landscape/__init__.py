"""The PM science and technology landscape: publications and patents, tagged and counted."""

from permed_atlas.landscape.countries import countries_from_affiliation, country_from_affiliation
from permed_atlas.landscape.errors import (
    CorpusBusyError,
    CorpusUnavailableError,
    IngestError,
    IngestInterruptedError,
    LandscapeError,
    RecordError,
    RegionError,
    TaggingRuleError,
)
from permed_atlas.landscape.explain import Explanation, WorkNotFoundError
from permed_atlas.landscape.ingest import (
    IngestSummary,
    detect_patent_format,
    ingest_file,
    ingest_files,
)
from permed_atlas.landscape.ingest._common import SYNTHETIC_MARKER
from permed_atlas.landscape.ingest.openalex import rebuild_abstract, work_from_openalex
from permed_atlas.landscape.ingest.runs import IngestRun, RunCounts
from permed_atlas.landscape.models import Contributor, Institution, Term, Work
from permed_atlas.landscape.network import build_collaboration_graph, export_network
from permed_atlas.landscape.regions import (
    RegionSet,
    add_region_set,
    load_region_sets,
    region_countries,
)
from permed_atlas.landscape.report import build_report
from permed_atlas.landscape.service import (
    complete_and_publish,
    complete_corpus,
    latest_ingest_runs,
    recorded_run,
    run_ingest,
    tagged_corpus,
)
from permed_atlas.landscape.store._duck import corpus_transaction
from permed_atlas.landscape.store.corpus import open_corpus, store_row_batch, store_works
from permed_atlas.landscape.store.explain import explain_work, resolve_work_id
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
from permed_atlas.landscape.store.merges import any_merged, record_merges
from permed_atlas.landscape.store.provenance import (
    SYNTHETIC_SOURCE,
    CorpusSummary,
    count_synthetic_works,
    is_synthetic,
    summarise_corpus,
)
from permed_atlas.landscape.store.search import build_search_index, search_index_is_current
from permed_atlas.landscape.store.snapshots import (
    current_marker,
    current_snapshot,
    open_corpus_for_reading,
    open_current_snapshot,
    publish_snapshot,
    snapshot_is_current,
)
from permed_atlas.landscape.store.tagging import (
    TaggingSummary,
    needs_tagging,
    tag_corpus,
    tag_untagged,
)
from permed_atlas.landscape.store.withdrawals import withdraw_records
from permed_atlas.landscape.store.work_rows import RowBatch
from permed_atlas.landscape.topics import Rule, RuleSet, load_rules, rules_path_for

__all__ = [
    "CorpusBusyError",
    "CorpusUnavailableError",
    "complete_and_publish",
    "open_corpus_for_reading",
    "open_current_snapshot",
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
    "IngestInterruptedError",
    "IngestRun",
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
    "RunCounts",
    "TaggingRuleError",
    "TaggingSummary",
    "Term",
    "TopicShare",
    "TopicYear",
    "Work",
    "corpus_transaction",
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
    "latest_ingest_runs",
    "load_rules",
    "needs_tagging",
    "open_corpus",
    "output_by_year_region",
    "patents_by_applicant_region",
    "any_merged",
    "record_merges",
    "recorded_run",
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
    "RowBatch",
    "rebuild_abstract",
    "store_row_batch",
    "withdraw_records",
    "work_from_openalex",
]
