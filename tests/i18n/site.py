"""A whole site to walk: every capability's data, three accounts and Delphi invitations.

Built once per test module by ``test_every_page_in_one_language.py``: the 120-work corpus
with researcher profiles, the bundled directory, roadmaps with the demo observations, the
Delphi demo study (two closed rounds, a synthesis) and a bilingual study with an open round
whose experts are invited in Chinese and in English.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tests.serving import serve_in_thread

from permed_atlas.settings import Settings

PASSWORD = "correct-horse-battery"
ROLES = ("admin", "editor", "member")


@dataclass
class Site:
    """The app and the ids a crawl needs to fill path parameters."""

    app: Any
    settings: Settings
    demo_study: int = 0
    open_study: int = 0
    open_round: int = 0
    closed_round: int = 0
    open_survey: int = 0
    open_items: list[int] = field(default_factory=list)
    temp_user: int = 0  # an account the walk may change (its role, its password, deactivate it)
    admin_user: int = 0  # the only admin: deactivating it is refused
    tokens: dict[str, str] = field(default_factory=dict)  # invitation language -> token
    nodes: list[Any] = field(default_factory=list)  # (server, thread, store) of running nodes

    def close(self) -> None:
        """Stop the federation nodes and close the app's databases."""
        for server, thread, store in self.nodes:
            server.should_exit = True
            thread.join(timeout=10)
            store.close()
        self.app.state.corpus.close()
        self.app.state.engine.dispose()


def build_site(data_dir: Path, platform_template: Path, corpus_template: Path) -> Site:
    """Fill ``data_dir`` and return the app on it.

    :param data_dir: an empty folder.
    :param platform_template: a migrated platform database to copy.
    :param corpus_template: the tagged, indexed 120-work corpus to copy.
    """
    from permed_atlas.landscape.store.corpus import open_corpus
    from permed_atlas.partners import ensure_profiles
    from permed_atlas.web.app import create_app

    settings = Settings(
        data_dir=data_dir,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        environment="test",
    )
    settings.ensure_data_dir()
    shutil.copyfile(platform_template, data_dir / "platform.sqlite")
    shutil.copyfile(corpus_template, settings.corpus_path)
    with open_corpus(settings.corpus_path) as connection:
        ensure_profiles(connection)
    nodes = _start_federation(settings)
    site = Site(app=create_app(settings), settings=settings, nodes=nodes)
    with site.app.state.session_factory() as session:
        _seed(session, site)
        session.commit()
    return site


def _seed(session: Any, site: Site) -> None:
    from permed_atlas.accounts import create_user
    from permed_atlas.delphi import load_demo_study
    from permed_atlas.delphi.store import list_rounds, list_surveys
    from permed_atlas.directory import load_seed_directory
    from permed_atlas.roadmap import load_demo_observations

    for role in ROLES:
        user = create_user(session, email=f"{role}@example.org", password=PASSWORD, role=role)
        if role == "admin":
            site.admin_user = user.id
    site.temp_user = create_user(session, email="temp@example.org", password=PASSWORD).id
    load_seed_directory(session, settings=site.settings)
    load_demo_observations(session)
    study = load_demo_study(session)
    site.demo_study = study.id
    site.closed_round = list_rounds(session, list_surveys(session, study.id)[0].id)[0].id
    _open_bilingual_round(session, site)


def _open_bilingual_round(session: Any, site: Site) -> None:
    """A study in English and Chinese, its round open, one expert invited in each language."""
    from tests.delphi.factories import bilingual_study_draft

    from permed_atlas.delphi.panel import ExpertDraft
    from permed_atlas.delphi.store import (
        create_study,
        get_panel,
        import_panel,
        issue_invitations,
        list_items,
        list_rounds,
        list_surveys,
        open_round,
    )

    draft = bilingual_study_draft("eu-cn-crawl")
    study = create_study(session, draft)
    expert = ExpertDraft(
        line=2, ref="X001", name="Li Wei", email="li@example.org", region="CN", country="CN",
        expertise="genomics", organisation="Fudan University", language="zh",
    )  # fmt: skip
    english = replace(
        expert, line=3, ref="X002", name="Anna Berg", email="anna@example.org", region="EU",
        country="DE", organisation="Heidelberg University", language="en",
    )  # fmt: skip
    experts = import_panel(session, [expert, english], panel_id=get_panel(session, study.id).id)
    round_ = list_rounds(session, list_surveys(session, study.id)[0].id)[0]
    open_round(session, round_.id)
    languages = {e.id: e.language for e in experts}
    for issued in issue_invitations(session, round_.id, base_url="http://testserver"):
        assert issued.invitation.token is not None
        site.tokens[languages[issued.expert.id]] = issued.invitation.token
    site.open_study, site.open_round = study.id, round_.id
    site.open_survey = round_.survey_id
    site.open_items = [item.id for item in list_items(session, round_.id)]


def _start_federation(settings: Settings) -> list[Any]:
    """Two demo biobanks (EU, CN) on loopback and one registered where nothing listens;
    the editor manages Berlin's, so the access requests have an inbox."""
    import socket

    import yaml

    from permed_atlas.federation import load_node_config, open_node_store
    from permed_atlas.federation.mapping import bundled_data_dir
    from permed_atlas.federation.node_app import create_node_app

    demo = bundled_data_dir()
    running, entries = [], []
    for node_id in ("de-berlin", "cn-shanghai", "fr-lyon"):
        config = load_node_config(demo / f"{node_id}.yaml")
        if node_id == "fr-lyon":
            with socket.socket() as sock:  # a port nothing listens on: the node is down
                sock.bind(("127.0.0.1", 0))
                port = int(sock.getsockname()[1])
        else:
            store = open_node_store(config, data=demo / f"{node_id}.csv", threads=1)
            server, thread, port = serve_in_thread(create_node_app(store))
            running.append((server, thread, store))
        entries.append({
            "id": node_id, "name": config.identity.name, "url": f"http://127.0.0.1:{port}",
            "region": config.identity.region, "country": config.identity.country,
            "secret": config.trusted_issuers["permed-hub"], "timeout_s": 15,
            "managers": ["editor@example.org"] if node_id == "de-berlin" else [],
        })  # fmt: skip
    folder = settings.data_dir / "federation"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nodes.yaml").write_text(
        yaml.safe_dump({"hub": {"issuer": "permed-hub"}, "nodes": entries}), encoding="utf-8"
    )
    return running
