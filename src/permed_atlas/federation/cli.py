"""``permed node ...`` (run a biobank's node) and ``permed hub ...`` (ask all nodes)."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from permed_atlas.cli_state import cli_console, counted, group_app
from permed_atlas.federation.cellkey import build_perturbation_table, ptable_rows_text
from permed_atlas.federation.data_use import (
    UseField,
    data_use_from_values,
    purpose_choices,
    use_fields,
)
from permed_atlas.federation.errors import FilterError
from permed_atlas.federation.hub import run_hub_query
from permed_atlas.federation.mapping import load_node_config
from permed_atlas.federation.merge import result_to_json
from permed_atlas.federation.models import HubResult
from permed_atlas.federation.node_store import open_node_store
from permed_atlas.federation.query import build_simple_query
from permed_atlas.federation.registry import load_hub_config

console = cli_console()
node_app = group_app("node")
hub_app = group_app("hub")
groups = {"node": node_app, "hub": hub_app}

DataOpt = Annotated[Path, typer.Option("--data", help="The biobank's CSV or Parquet table.")]
ConfigOpt = Annotated[Path, typer.Option("--config", help="The node config (mapping) YAML.")]


CubeOpt = Annotated[
    bool,
    typer.Option(
        "--cube/--no-cube",
        help="Answer sample counts from a count cube built at load (--no-cube: scan the table).",
    ),
]
LatencyOpt = Annotated[
    str | None,
    typer.Option(
        help="Emulated wide-area delay, one way, in ms: N or LOW-HIGH (e.g. 150-250), drawn "
        "per request and per reply. For benchmarks and demos on one machine only.",
    ),
]


@node_app.command("serve")
def serve(
    data: DataOpt,
    config: ConfigOpt,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8701,
    k: Annotated[int | None, typer.Option(help="Suppression threshold (overrides config).")] = None,
    rounding: Annotated[int | None, typer.Option(help="Rounding base.")] = None,
    max_deviation: Annotated[
        int | None, typer.Option(help="Cell key method: the most a count is changed (0: off).")
    ] = None,
    variance: Annotated[
        float | None, typer.Option(help="Cell key method: variance of the change (0 < V < D²).")
    ] = None,
    noise_epsilon: Annotated[
        float | None, typer.Option(help="Laplace noise epsilon (replaces the cell key table).")
    ] = None,
    budget: Annotated[int | None, typer.Option(help="Queries per requester per day.")] = None,
    global_budget: Annotated[
        int | None, typer.Option(help="Queries per day from all requesters together.")
    ] = None,
    log: Annotated[Path | None, typer.Option(help="SQLite file keeping the query log.")] = None,
    threads: Annotated[int | None, typer.Option(help="DuckDB threads.")] = None,
    cube: CubeOpt = True,
    emulate_latency: LatencyOpt = None,
) -> None:
    """Load a biobank table and answer count queries over HTTP (Beacon v2 style).

    Example:

    permed node serve --data bb.csv --config bb.yaml --port 8701 --k 5
    """
    import uvicorn

    from permed_atlas.federation.latency import parse_latency
    from permed_atlas.federation.node_app import create_node_app

    try:
        # Seeded by the port: repeatable per node, different between nodes.
        latency = parse_latency(emulate_latency, seed=port) if emulate_latency else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--emulate-latency") from exc
    overrides = {
        "k": k,
        "rounding": rounding,
        "ckm_max_deviation": max_deviation,
        "ckm_variance": variance,
        "noise_epsilon": noise_epsilon,
        "daily_budget": budget,
        "global_daily_budget": global_budget,
    }
    node_store = open_node_store(
        load_node_config(config, overrides=overrides),
        data=data,
        log=log,
        threads=threads,
        cube=cube,
    )
    identity = node_store.config.identity
    cube_text = (
        f"count cube of {counted(node_store.cube.cells, 'cell')} "
        f"({node_store.cube.nbytes / 1e6:.1f} MB)"
        if node_store.cube
        else "no count cube"
    )
    console.print(
        f"node {identity.id}: {counted(node_store.sample_count(), 'sample')} in "
        f"{counted(len(node_store.datasets), 'collection')}, {cube_text}; "
        f"listening on http://{host}:{port}"
    )
    if latency is not None:
        console.print(f"emulating {latency.low_ms:g}-{latency.high_ms:g} ms one-way latency")
    uvicorn.run(
        create_node_app(node_store, latency=latency), host=host, port=port, log_level="warning"
    )


@node_app.command("check")
def check(data: DataOpt, config: ConfigOpt) -> None:
    """Load a table with its mapping and report what the node would hold (nothing is served).

    Example:

    permed node check --data bb.csv --config bb.yaml
    """
    node_store = open_node_store(load_node_config(config), data=data)
    console.print(
        f"{node_store.config.identity.id}: {counted(node_store.sample_count(), 'sample')}"
    )
    for dataset in node_store.datasets:
        console.print(f"  collection {dataset.id}: consent {', '.join(dataset.duo_codes) or '-'}")
    rules = node_store.config.rules
    if rules.ckm_max_deviation and rules.noise_epsilon is None:
        # The operator sees the transition probabilities the node will apply.
        console.print(
            f"cell key perturbation table (D={rules.ckm_max_deviation}, "
            f"V={rules.ckm_variance}), deviation: probability per true count i:"
        )
        table = build_perturbation_table(
            max_deviation=rules.ckm_max_deviation,
            variance=rules.ckm_variance,
            keep_zeros=rules.ckm_keep_zeros,
        )
        for line in ptable_rows_text(table):
            console.print(f"  {line}", markup=False)
    node_store.close()


def print_result(result: HubResult) -> None:
    """A table per node and the merged bounds."""
    table = Table(title="Federated count")
    for column in ("node", "region", "status", "count", "bounds", "reason"):
        table.add_column(column)
    for o in result.outcomes:
        count = o.count
        table.add_row(
            o.node_id,
            o.region,
            o.status,
            count.display if count else "-",
            f"[{count.lower}, {count.upper}]" if count else "-",
            o.reason[:80],
        )
    console.print(table)
    for region, bounds in result.regions.items():
        console.print(
            f"region {region}: {bounds.display} ({counted(bounds.nodes, 'node')} answered)"
        )
    console.print(
        f"total: {result.total.display}"
        + ("" if result.complete else " (incomplete: some nodes did not answer)")
    )


def query(
    nodes: Annotated[Path, typer.Option("--nodes", help="The hub's nodes.yaml registry.")],
    diagnosis: Annotated[list[str], typer.Option(help="ICD-10 code, range or chapter:N.")] = [],  # noqa: B006
    sex: Annotated[list[str], typer.Option(help="female, male, unknown.")] = [],  # noqa: B006
    material: Annotated[list[str], typer.Option(help="MIABIS material type.")] = [],  # noqa: B006
    age: Annotated[str | None, typer.Option(help="Age at collection: N or LOW-HIGH.")] = None,
    year: Annotated[str | None, typer.Option(help="Collection year: N or LOW-HIGH.")] = None,
    entity: Annotated[str, typer.Option(help="biosamples or individuals.")] = "biosamples",
    requester: Annotated[str, typer.Option(help="Who is asking (logged by nodes).")] = "cli",
    purpose: Annotated[str | None, typer.Option(help=_purpose_help())] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    **use: Any,
) -> None:
    r"""Send one count query to every node of a registry and merge the answers.

    The intended-use options are those of the DUO matcher: each fact a consent
    modifier can need (``--not-for-profit``, ``--genetic-study``, ...).

    Example:

    permed hub query --nodes nodes.yaml --diagnosis C50 --sex female \
      --purpose HMB
    """
    question = build_simple_query(
        diagnosis=diagnosis, sex=sex, material=material, age=age, year=year, entity=entity
    )
    try:
        data_use = data_use_from_values({"purpose": purpose, **use})
    except FilterError as exc:
        raise typer.BadParameter(str(exc), param_hint=f"--{exc.field or 'purpose'}") from exc
    result = run_hub_query(load_hub_config(nodes), question, requester=requester, use=data_use)
    if as_json:
        typer.echo(json.dumps(result_to_json(result), indent=2, ensure_ascii=False))
    else:
        print_result(result)


def _purpose_help() -> str:
    return "DUO purpose: " + ", ".join(c.shorthand for c in purpose_choices()) + "."


# A yes-or-no fact whose "no" reads better than "--no-...".
_NEGATIVE = {"commercial": "--non-commercial"}


def _use_parameter(item: UseField) -> inspect.Parameter:
    help_text = item.label + "."
    option: Any
    kind: Any
    default: Any = None
    if item.kind == "tristate":
        negative = _NEGATIVE.get(item.name, f"--no-{item.option[2:]}")
        option, kind = typer.Option(f"{item.option}/{negative}", help=help_text), bool | None
    elif item.kind == "flag":
        option, kind, default = typer.Option(item.option, help=help_text), bool, False
    elif item.kind == "number":
        option, kind = typer.Option(item.option, help=help_text), int | None
    elif item.kind == "list":
        option, kind, default = typer.Option(item.option, help=help_text), list[str], []
    else:
        option, kind = typer.Option(item.option, help=help_text), str | None
    return inspect.Parameter(
        item.name,
        inspect.Parameter.KEYWORD_ONLY,
        annotation=Annotated[kind, option],
        default=default,
    )


# The command's options: the fixed ones, then one per fact of the matcher's DataUseRequest.
_fixed = [
    p
    for p in inspect.signature(query, eval_str=True).parameters.values()
    if p.kind is not inspect.Parameter.VAR_KEYWORD
]
query.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in _fixed]
    + [_use_parameter(item) for item in use_fields()]
)
hub_app.command("query")(query)
