"""The main job on the embedded default: fill a data directory with the bundled demo data.

``permed demo`` runs :func:`load_demo` and then serves the web app. Every step is
idempotent, so running it twice stores nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from permed_atlas.db import engine_for, session_scope
from permed_atlas.instance.setup import initialise_instance
from permed_atlas.settings import Settings


@dataclass(frozen=True)
class DemoSummary:
    """What the demo loaded and where the report is."""

    works: int
    patents: int
    report: Path
    delphi_study: str
    roadmaps: int
    observations_stored: int
    directory_entries: int = 0
    # Whether anybody can sign in to edit yet: a fresh data directory has no account.
    admins: int = 0


def load_demo(settings: Settings, *, say: Callable[[str], None] = print) -> DemoSummary:
    """Migrate, ingest the bundled demo corpus, tag it, index it, write the report and
    load the Delphi and roadmap demo data.

    :param settings: the data directory and databases to fill.
    :param say: where progress lines go.
    """
    from permed_atlas.accounts import count_admins
    from permed_atlas.delphi import load_demo_study
    from permed_atlas.demo import bundled_demo_files
    from permed_atlas.directory import load_seed_directory
    from permed_atlas.landscape import (
        build_report,
        load_region_sets,
        load_rules,
        open_corpus,
        publish_snapshot,
        rules_path_for,
        run_ingest,
        summarise_corpus,
    )
    from permed_atlas.partners import ensure_profiles
    from permed_atlas.roadmap import load_bundled_roadmaps, load_demo_observations

    initialise_instance(settings)
    say(f"data directory: {settings.data_dir.resolve()}")
    for source, path in bundled_demo_files().items():
        say(f"ingesting the bundled {source} demo file {path.name}")
        run_ingest(
            [path],
            source=source,  # type: ignore[arg-type]
            settings=settings,
            tag_memory_limit=settings.corpus_memory_limit,
        )

    report_path = settings.reports_dir / "landscape.html"
    with open_corpus(settings.corpus_path, memory_limit=settings.corpus_memory_limit) as corpus:
        held = summarise_corpus(corpus)
        works, patents = held.publications, held.patents
        build_report(
            corpus,
            report_path,
            region_sets=load_region_sets(settings),
            rules=load_rules(rules_path_for(settings.data_dir)),
        )
        # Researcher profiles for the partner finder; skipped when built from this corpus.
        if ensure_profiles(corpus) is not None:
            say("built the researcher profiles for the partner finder")
            # The ingest published its snapshot before the profiles existed, and a snapshot's
            # fingerprint does not cover them: without this the web app says "not built".
            publish_snapshot(corpus, settings.corpus_path)
    say(f"report: {report_path.resolve()}")

    engine = engine_for(settings)
    with session_scope(engine) as session:
        roadmaps = load_bundled_roadmaps(session)
    with session_scope(engine) as session:
        observations = load_demo_observations(session)
    with session_scope(engine) as session:
        study = load_demo_study(session)
    with session_scope(engine) as session:
        directory = load_seed_directory(session, settings=settings)
        admins = count_admins(session)
    say(
        f"directory: {directory.total} entries ({len(directory.inserted)} new, "
        f"{len(directory.updated)} updated, {len(directory.kept)} kept as edited)"
    )
    return DemoSummary(
        works=works,
        patents=patents,
        report=report_path,
        delphi_study=study.title,
        roadmaps=len(roadmaps),
        observations_stored=observations.stored,
        directory_entries=directory.total,
        admins=admins,
    )
