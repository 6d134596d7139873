from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
import pytest
import xmlschema
from typer.testing import CliRunner

from permed_atlas.cli import app
from permed_atlas.landscape.network import (
    build_collaboration_graph,
    export_network,
    write_gexf,
    write_vosviewer,
)
from permed_atlas.landscape.store.indicators import LandscapeFilter

GEXF_SCHEMA = Path(__file__).parents[1] / "fixtures" / "gexf-1.2draft" / "gexf.xsd"


@pytest.fixture(scope="module")
def gexf_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(GEXF_SCHEMA))


def test_country_graph_weights_are_shared_works(tagged) -> None:
    graph = build_collaboration_graph(tagged)
    assert set(graph.nodes) == {"DE", "CN", "HK", "FR", "US"}
    weights = {tuple(sorted(edge)): data["weight"] for *edge, data in graph.edges(data=True)}
    # DE-CN: works 1 and 6; DE-FR: 3; CN-FR: 4; DE-HK, CN-HK: 1; HK-US: 7
    assert weights == {
        ("CN", "DE"): 2,
        ("DE", "FR"): 1,
        ("CN", "FR"): 1,
        ("DE", "HK"): 1,
        ("CN", "HK"): 1,
        ("HK", "US"): 1,
    }
    assert graph.nodes["CN"]["works"] == 4 and graph.nodes["DE"]["label"] == "Germany"
    assert all(1 <= data["cluster"] <= 1000 for _, data in graph.nodes(data=True))


def test_institution_graph_and_filters(tagged) -> None:
    graph = build_collaboration_graph(tagged, LandscapeFilter(year_to=2020), level="institution")
    assert set(graph.nodes) == {"I1", "I2", "I3", "I4"}
    assert graph.edges["I1", "I2"]["weight"] == 1
    assert graph.nodes["I4"]["label"] == "Fudan University" and graph.degree("I4") == 0
    assert build_collaboration_graph(tagged, min_weight=2).number_of_edges() == 1


def test_gexf_reads_back(tagged, tmp_path: Path) -> None:
    files = export_network(tagged, tmp_path / "countries.gexf")
    graph = nx.read_gexf(files.paths[0])
    assert graph.number_of_nodes() == 5 and graph.number_of_edges() == 6
    assert graph.edges["CN", "DE"]["weight"] == 2


@pytest.mark.parametrize("level", ["country", "institution"])
def test_gexf_is_valid_against_the_official_schema(
    tagged, tmp_path: Path, gexf_schema: xmlschema.XMLSchema, level: str
) -> None:
    files = export_network(tagged, tmp_path / f"{level}.gexf", level=level)  # type: ignore[arg-type]
    errors = list(gexf_schema.iter_errors(str(files.paths[0])))
    assert errors == []


def test_gexf_schema_check_catches_what_networkx_writes_unaided(
    tmp_path: Path, gexf_schema: xmlschema.XMLSchema
) -> None:
    # The check above is only worth something if the schema rejects networkx's own output,
    # which carries <graph name="">.
    graph = nx.Graph()
    graph.add_node("DE", label="Germany", works=1)
    raw = tmp_path / "raw.gexf"
    nx.write_gexf(graph, raw, version="1.2draft")
    assert not gexf_schema.is_valid(str(raw))
    ours = write_gexf(graph, tmp_path / "ours.gexf").paths[0]
    assert gexf_schema.is_valid(str(ours))


def test_vosviewer_map_and_network_files(tagged, tmp_path: Path) -> None:
    files = export_network(tagged, tmp_path / "vos", format="vosviewer")
    map_path, network_path = files.paths
    assert map_path.name == "vos_map.txt" and network_path.name == "vos_network.txt"
    with map_path.open(encoding="utf-8") as handle:
        items = list(csv.DictReader(handle, delimiter="\t"))
    assert list(items[0]) == [
        "id",
        "label",
        "cluster",
        "weight<Documents>",
        "weight<Links>",
        "weight<Total link strength>",
    ]
    by_label = {item["label"]: item for item in items}
    assert by_label["Germany"]["weight<Documents>"] == "3"
    assert by_label["Germany"]["weight<Total link strength>"] == "4"
    ids = {item["id"]: item["label"] for item in items}
    links = [line.split("\t") for line in network_path.read_text(encoding="utf-8").splitlines()]
    assert len(links) == 6 and all(len(link) == 3 for link in links)
    strengths = {frozenset((ids[a], ids[b])): int(s) for a, b, s in links}
    assert strengths[frozenset(("Germany", "China"))] == 2


def test_vosviewer_quotes_labels_with_commas_and_semicolons(tmp_path: Path) -> None:
    graph = nx.Graph()
    labels = {
        "KR": "Korea, Republic of",
        "X1": "Dept. of Genetics; Fudan University",
        "X2": 'The "Charité"',
        "CN": "China",
    }
    for node, label in labels.items():
        graph.add_node(node, label=label, works=2, cluster=1)
    graph.add_edge("KR", "CN", weight=1)
    map_path, _ = write_vosviewer(graph, tmp_path / "vos").paths
    lines = map_path.read_text(encoding="utf-8").splitlines()
    fields = [line.split("\t") for line in lines[1:]]
    assert all(len(row) == 6 for row in fields)
    raw_labels = [row[1] for row in fields]
    assert raw_labels == [
        '"Korea, Republic of"',
        '"Dept. of Genetics; Fudan University"',
        '"The ""Charité"""',
        "China",
    ]
    # A reader that splits on commas (as VOSviewer may) keeps each quoted label whole.
    for line in lines[1:]:
        row = next(csv.reader([line.replace("\t", ",")]))
        assert len(row) == 6 and row[1] in labels.values()


def test_cli_network(corpus_file, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "net.gexf"
    result = runner.invoke(app, ["network", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert nx.read_gexf(out).number_of_nodes() == 5
    result = runner.invoke(
        app,
        [
            "network",
            "--level",
            "institution",
            "--format",
            "vosviewer",
            "--out",
            str(tmp_path / "inst"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "inst_map.txt").is_file() and (tmp_path / "inst_network.txt").is_file()


def test_cli_network_onto_a_directory_names_it_and_leaves_no_half_written_copy(
    corpus_file, tmp_path: Path
) -> None:
    from permed_atlas.errors import PermedError

    out = tmp_path / "out" / "net.gexf"
    out.mkdir(parents=True)
    result = CliRunner().invoke(app, ["network", "--out", str(out)])
    assert result.exit_code != 0
    assert isinstance(result.exception, PermedError)
    assert str(result.exception).startswith(f"{out}: ")
    assert sorted(p.name for p in out.parent.iterdir()) == ["net.gexf"]


def _vosviewer_pair(base: Path) -> dict[str, str]:
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(base.parent.iterdir())
        if path.is_file()
    }


def test_a_vosviewer_write_that_fails_half_way_leaves_the_old_files_and_no_half_file(
    tagged, tmp_path: Path
) -> None:
    base = tmp_path / "vos"
    write_vosviewer(build_collaboration_graph(tagged), base)
    before = _vosviewer_pair(base)
    assert sorted(before) == ["vos_map.txt", "vos_network.txt"]

    class CtrlC:
        def __str__(self) -> str:
            raise KeyboardInterrupt

    graph = build_collaboration_graph(tagged, level="institution")
    last = list(graph.nodes)[-1]  # the map's other lines are written first
    graph.nodes[last]["label"] = CtrlC()
    with pytest.raises(KeyboardInterrupt):
        write_vosviewer(graph, base)
    assert _vosviewer_pair(base) == before


def test_a_refused_vosviewer_write_replaces_neither_file(tagged, tmp_path: Path) -> None:
    base = tmp_path / "vos"
    (tmp_path / "vos_map.txt").write_text("old map\n", encoding="utf-8")
    (tmp_path / "vos_network.txt").mkdir()  # the second file cannot be renamed into place
    with pytest.raises(IsADirectoryError) as refused:
        write_vosviewer(build_collaboration_graph(tagged), base)
    assert refused.value.filename == str(tmp_path / "vos_network.txt")
    assert (tmp_path / "vos_map.txt").read_text(encoding="utf-8") == "old map\n"
    assert sorted(p.name for p in tmp_path.glob("vos*")) == ["vos_map.txt", "vos_network.txt"]


def test_cli_vosviewer_onto_a_directory_names_it_and_keeps_the_map(
    corpus_file, tmp_path: Path
) -> None:
    from permed_atlas.errors import PermedError

    (tmp_path / "vos_map.txt").write_text("old map\n", encoding="utf-8")
    (tmp_path / "vos_network.txt").mkdir()
    result = CliRunner().invoke(
        app, ["network", "--format", "vosviewer", "--out", str(tmp_path / "vos")]
    )
    assert isinstance(result.exception, PermedError)
    assert str(result.exception).startswith(f"{tmp_path / 'vos_network.txt'}: ")
    assert (tmp_path / "vos_map.txt").read_text(encoding="utf-8") == "old map\n"
    assert sorted(p.name for p in tmp_path.glob("vos*")) == ["vos_map.txt", "vos_network.txt"]


def test_an_institution_has_one_name_in_the_network_and_the_rankings(
    corpus, region_sets, rules
) -> None:
    from permed_atlas.landscape.store.indicators import top_institutions
    from permed_atlas.landscape.store.tagging import tag_corpus

    # Charité (I1) is "Charité" in works 1 and 3, the first stored; three later works, each
    # with Inserm, name it in full: most of its works do, so the full name is shown everywhere.
    full = "Charité – Universitätsmedizin Berlin"
    for work_id in (8, 9, 10):
        corpus.execute(
            "INSERT INTO works (work_id, kind, sources, title, year) "
            "VALUES (?, 'publication', ['openalex'], 'x', 2021)",
            [work_id],
        )
        corpus.execute(
            "INSERT INTO affiliations (work_id, position, institution_id, institution_name, "
            "country_code) VALUES (?, 1, 'I1', ?, 'DE'), (?, 2, 'I5', 'Inserm', 'FR')",
            [work_id, full, work_id],
        )
    tag_corpus(corpus, regions=region_sets, rules=rules)
    graph = build_collaboration_graph(corpus, level="institution")
    ranked = {r.institution_id: r.institution for r in top_institutions(corpus, limit=50)}
    assert graph.nodes["I1"]["label"] == ranked["I1"] == full
    assert graph.nodes["I1"]["works"] == 5
