"""The hub: asks every registered node at once and merges what they say.

Each node gets its own token and its own time limit; a slow, down or refusing
node becomes an outcome with a reason, never an error of the whole query.
Counts are merged as bounds: a node's "<5" adds [1, 4] (or [0, 4]), a rounded
count adds the interval it stands for, so a region's or the total's bounds are
exact sums of what the nodes disclosed and nothing is guessed. When the
request states a data use, each node's collections are matched against their
DUO consent codes first and only the collections that allow the use are
counted; a node with none is excluded with the matcher's reasons.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import httpx
import orjson

from permed_atlas.datafiles import (
    Where,
    entry_where,
    read_list,
    read_mapping,
    read_text,
    read_texts,
    read_url,
    read_yaml,
)
from permed_atlas.federation.auth import issue_token
from permed_atlas.federation.beacon import consent_text
from permed_atlas.federation.errors import NodesConfigError
from permed_atlas.federation.models import (
    CountBounds,
    CountQuery,
    Dataset,
    DisclosedCount,
    HubResult,
    NodeEndpoint,
    NodeOutcome,
    NodeStatus,
)
from permed_atlas.federation.query import query_to_json
from permed_atlas.i18n import Message, gettext_noop, joined
from permed_atlas.settings import Settings
from permed_atlas.transfer import DataUseRequest, DuoOntology, load_duo_ontology, match_data_use

_HTTP_STATUS: dict[int, NodeStatus] = {
    401: "unauthorized",
    403: "forbidden",
    409: "refused",
    429: "over_budget",
}
DATASETS_TTL_S = 300.0


@dataclass(frozen=True)
class HubConfig:
    """The hub's name (token issuer) and its registered nodes."""

    issuer: str
    nodes: tuple[NodeEndpoint, ...]
    source: str = ""


def load_hub_config(path: Path) -> HubConfig:
    """Read a nodes.yaml registry.

    :param path: the YAML file (``hub: {issuer, default_timeout_s}``, ``nodes: [...]``).
    :raises NodesConfigError: naming the file, the node entry and the field that is wrong.
    """
    raw = read_yaml(path, error=partial(NodesConfigError, path=str(path)), what=" nodes registry")
    if not isinstance(raw, Mapping):
        raise NodesConfigError("expected 'nodes:' with a list of nodes", path=str(path))
    where = entry_where(NodesConfigError, path=str(path))
    if raw.get("nodes") is None:
        raise where.fail("nodes", "is missing (a list of nodes)")
    hub = read_mapping(raw.get("hub"), where=where, field="hub")
    default_timeout = _seconds(
        hub.get("default_timeout_s"), 5.0, where=where, field="hub.default_timeout_s"
    )
    nodes = [
        _read_node(item, index=index, path=str(path), default_timeout=default_timeout)
        for index, item in enumerate(read_list(raw["nodes"], where=where, field="nodes"))
    ]
    ids = [n.id for n in nodes]
    if len(set(ids)) != len(ids):
        raise where.fail("nodes", "node ids must be unique")
    issuer = read_text(hub.get("issuer"), where=where, field="hub.issuer", required=False)
    return HubConfig(issuer=issuer or "permed-hub", nodes=tuple(nodes), source=str(path))


def _read_node(item: Any, *, index: int, path: str, default_timeout: float) -> NodeEndpoint:
    if not isinstance(item, Mapping):
        raise NodesConfigError("must be a mapping of fields", path=path, entry_id=f"#{index + 1}")
    label = item.get("id") if isinstance(item.get("id"), str) else f"#{index + 1}"
    where = entry_where(NodesConfigError, path=path, entry_id=label)
    node_id = read_text(item.get("id"), where=where, field="id") or ""
    url = read_url(item.get("url"), where=where, field="url", required=True) or ""
    region = read_text(item.get("region"), where=where, field="region") or ""
    secret = read_text(item.get("secret"), where=where, field="secret", required=False)
    secret_env = read_text(item.get("secret_env"), where=where, field="secret_env", required=False)
    if secret_env:
        secret = os.environ.get(secret_env)
        if not secret:
            raise where.fail("secret_env", f": environment variable {secret_env} is not set")
    if not secret:
        raise where.fail("secret", "is missing (give secret or secret_env)")
    return NodeEndpoint(
        id=node_id,
        name=read_text(item.get("name"), where=where, field="name", required=False) or node_id,
        url=url.rstrip("/"),
        region=region,
        country=(
            read_text(item.get("country"), where=where, field="country", required=False) or ""
        ).upper(),  # fmt: skip
        secret=secret,
        timeout_s=_seconds(item.get("timeout_s"), default_timeout, where=where, field="timeout_s"),
        managers=tuple(
            m.lower() for m in read_texts(item.get("managers"), where=where, field="managers")
        ),  # fmt: skip
    )


def _seconds(value: Any, default: float, *, where: Where, field: str) -> float:
    """A positive number of seconds; ``default`` when absent."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise where.fail(field, f": {value!r} is not a positive number of seconds")
    return float(value)


def registry_path(data_dir: Path) -> Path:
    """The platform's nodes.yaml: ``<data dir>/federation/nodes.yaml``, else the bundled demo one.

    :param data_dir: the platform's data directory.
    """
    own = Settings.layout_of(data_dir).federation_dir / "nodes.yaml"
    if own.is_file():
        return own
    return Path(__file__).resolve().parent.parent / "data" / "federation" / "nodes.yaml"


@lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """httpx's default TLS context, made once per process.

    Building it reads the CA bundle (a third of a second on a busy machine); each
    AsyncClient would otherwise build its own, and the hub has one client per node.
    """
    return httpx.create_ssl_context()


@lru_cache(maxsize=1)
def default_ontology() -> DuoOntology:
    """The bundled DUO release, parsed once per process, with the matcher warmed up.

    The matcher reads its region sets (for GS, geographical restriction) on
    first use, which takes about a second; doing it here keeps that cost out
    of every node's time limit.
    """
    ontology = load_duo_ontology()
    match_data_use(
        ["DUO:0000022=EU27"], DataUseRequest(purpose="GRU", country="DE"), ontology=ontology
    )
    return ontology


class Hub:
    """Fans questions out to the nodes of one registry; reuse it to reuse connections.

    :param config: the registry.
    :param client: an httpx.AsyncClient to use for every node (otherwise the hub makes and
        owns one client per node).
    :param clock: the time source for tokens.
    :param ontology: the DUO ontology for consent matching (bundled one when None).
    """

    def __init__(
        self,
        config: HubConfig,
        *,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.time,
        ontology: DuoOntology | None = None,
    ) -> None:
        self.config = config
        self._shared_client = client
        # One client per node: httpx's pool scans all its connections on every
        # request, so one pool for N nodes costs O(N) per request and O(N^2) per fan-out.
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._clock = clock
        self._ontology = ontology
        self._datasets: dict[str, tuple[float, tuple[Dataset, ...]]] = {}

    async def __aenter__(self) -> Hub:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP clients the hub made."""
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()

    def _client_for(self, node: NodeEndpoint) -> httpx.AsyncClient:
        if self._shared_client is not None:
            return self._shared_client
        client = self._clients.get(node.id)
        if client is None:
            client = self._clients[node.id] = httpx.AsyncClient(
                limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
                verify=tls_context(),
            )
        return client

    def _headers(self, node: NodeEndpoint, requester: str) -> dict[str, str]:
        token = issue_token(
            node.secret,
            issuer=self.config.issuer,
            requester=requester,
            audience=node.id,
            now=int(self._clock()),
            ttl_s=120,
        )
        return {"Authorization": f"Bearer {token}"}

    async def query(
        self,
        query: CountQuery,
        *,
        requester: str,
        use: DataUseRequest | None = None,
        node_ids: Sequence[str] | None = None,
    ) -> HubResult:
        """Ask every node (or those named) and merge their answers.

        :param query: the question (its granularity is forced to count).
        :param requester: on whose behalf the hub asks; nodes log it and may refuse it.
        :param use: the intended data use; collections whose consent forbids it are left out.
        :param node_ids: ask only these nodes.
        """
        nodes = [n for n in self.config.nodes if node_ids is None or n.id in node_ids]
        counted = replace(query, granularity="count")
        if use is not None and self._ontology is None:
            # Parsed before the fan-out so that no node's time limit pays for it.
            self._ontology = default_ontology()
        outcomes = await asyncio.gather(
            *(self._ask_in_time(node, counted, requester, use) for node in nodes)
        )
        return merge_outcomes(counted, outcomes, use=use)

    async def _ask_in_time(
        self, node: NodeEndpoint, query: CountQuery, requester: str, use: DataUseRequest | None
    ) -> NodeOutcome:
        start = time.perf_counter()
        base = NodeOutcome(node.id, node.name, node.region, node.country, "error")
        try:
            # asyncio.timeout, not wait_for: no extra task per node and fan-out.
            async with asyncio.timeout(node.timeout_s):
                outcome = await self._ask(node, query, requester, use, base)
        except TimeoutError:
            # Reasons are Messages: English in the JSON and the CLI, translated on the page.
            waited = f"{node.timeout_s:g}"
            reason = Message(gettext_noop("no answer within %(seconds)s s"), seconds=waited)
            outcome = replace(base, status="timeout", reason=reason)
        except httpx.TimeoutException:
            outcome = replace(base, status="timeout", reason=Message(gettext_noop("HTTP timeout")))
        except httpx.TransportError as exc:
            # Said in words: the page shows the reason, and an exception's class
            # name (ConnectError) tells a user nothing.
            outcome = replace(base, status="unreachable", reason=_transport_reason(node, exc))
        except (ValueError, KeyError, TypeError) as exc:
            reason = Message(gettext_noop("unreadable answer: %(error)s"), error=str(exc))
            outcome = replace(base, status="error", reason=reason)
        return replace(outcome, elapsed_ms=(time.perf_counter() - start) * 1000.0)

    async def _node_datasets(self, node: NodeEndpoint, requester: str) -> tuple[Dataset, ...]:
        cached = self._datasets.get(node.id)
        if cached and time.monotonic() - cached[0] < DATASETS_TTL_S:
            return cached[1]
        response = await self._client_for(node).get(
            f"{node.url}/api/datasets", headers=self._headers(node, requester)
        )
        response.raise_for_status()
        found = tuple(
            Dataset(
                str(c["id"]),
                str(c.get("name", c["id"])),
                tuple(
                    consent_text(t)
                    for t in (c.get("dataUseConditions") or {}).get("duoDataUse", [])
                ),
            )
            for c in response.json()["response"]["collections"]
        )
        self._datasets[node.id] = (time.monotonic(), found)
        return found

    async def _ask(
        self,
        node: NodeEndpoint,
        query: CountQuery,
        requester: str,
        use: DataUseRequest | None,
        base: NodeOutcome,
    ) -> NodeOutcome:
        used: tuple[str, ...] = ()
        excluded: list[tuple[str, str]] = []
        if use is not None:
            try:
                datasets = await self._node_datasets(node, requester)
            except httpx.HTTPStatusError as exc:
                return _failed(base, exc.response)
            ontology = self._ontology or default_ontology()
            allowed: list[str] = []
            for dataset in datasets:
                verdict = match_data_use(list(dataset.duo_codes), use, ontology=ontology)
                if verdict.allowed:
                    allowed.append(dataset.id)
                else:
                    # A count is not a committee: a dataset that needs review stays out, saying so.
                    why = joined(verdict.reasons)
                    if verdict.outcome == "needs_review":
                        why = Message(gettext_noop("needs committee review: %(why)s"), why=why)
                    excluded.append((dataset.id, why))
            if not allowed:
                return replace(
                    base,
                    status="excluded_by_consent",
                    reason=Message(gettext_noop("no collection's consent allows this use")),
                    datasets_excluded=tuple(excluded),
                )
            used = tuple(allowed)
            if excluded:
                query = replace(query, datasets=used)
        headers = self._headers(node, requester)
        headers["Content-Type"] = "application/json"
        response = await self._client_for(node).post(
            f"{node.url}/api/{query.entity}",
            content=orjson.dumps(query_to_json(query)),
            headers=headers,
        )
        if response.status_code != 200:
            return replace(_failed(base, response), datasets_excluded=tuple(excluded))
        count = read_count(orjson.loads(response.content))
        return replace(
            base, status="ok", count=count, datasets_used=used, datasets_excluded=tuple(excluded)
        )


def _transport_reason(node: NodeEndpoint, exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return Message(
            gettext_noop("nothing answers at %(url)s: the node is not running or not reachable"),
            url=node.url,
        )
    if isinstance(exc, httpx.RemoteProtocolError):
        return Message(
            gettext_noop("the node at %(url)s closed the connection without an answer"),
            url=node.url,
        )
    return Message(gettext_noop("the connection to %(url)s failed"), url=node.url)


def _failed(base: NodeOutcome, response: httpx.Response) -> NodeOutcome:
    try:
        message = str(response.json()["error"]["errorMessage"])
    except (ValueError, KeyError, TypeError):
        message = response.text[:200]
    status = _HTTP_STATUS.get(response.status_code, "error")
    return replace(base, status=status, reason=f"HTTP {response.status_code}: {message}")


def read_count(body: dict[str, Any]) -> DisclosedCount:
    """A node's count response as a disclosed count with bounds.

    :param body: the Beacon count response.
    """
    summary = body["responseSummary"]
    disclosure = (body.get("info") or {}).get("disclosure")
    shown = summary.get("numTotalResults")
    precision = str(
        (disclosure or {}).get("countPrecision") or summary.get("countPrecision", "exact")
    )
    exists = bool(summary["exists"])
    if disclosure and disclosure.get("suppressed"):
        # "<k" stands for 1..k-1 when the node said the cell is not empty, else 0..k-1.
        # A perturbing node states the upper bound of the true count (k-1+D).
        k = int(disclosure["k"])
        upper = int(disclosure.get("upper", k - 1))
        return DisclosedCount(
            str(disclosure["display"]),
            None,
            1 if exists else 0,
            upper,
            True,
            exists,
            precision,  # type: ignore[arg-type]
            **_perturbation_of(disclosure),
        )
    if disclosure:
        return DisclosedCount(
            display=str(disclosure["display"]),
            value=shown if isinstance(shown, int) else None,
            lower=int(disclosure["lower"]),
            upper=int(disclosure["upper"]),
            suppressed=False,
            exists=exists,
            precision=precision,  # type: ignore[arg-type]
            **_perturbation_of(disclosure),
        )
    if isinstance(shown, int):
        return DisclosedCount(str(shown), shown, shown, shown, False, shown > 0, "exact")
    if shown is None:
        raise ValueError("the node said only whether records exist, with no count or threshold")
    # A beacon without our disclosure block: "<k" stands for 0..k-1.
    text = str(shown)
    k = int(text.lstrip("<"))
    return DisclosedCount(text, None, 0, k - 1, True, bool(summary.get("exists")), "imprecise")


def _perturbation_of(disclosure: dict[str, Any]) -> dict[str, Any]:
    # Nodes state {"method": ..., "maxDeviation": ...}; older nodes a bare method name.
    stated = disclosure.get("perturbation", "none")
    if isinstance(stated, dict):
        method, deviation = stated.get("method", "none"), stated.get("maxDeviation", 0)
    else:
        method, deviation = stated, disclosure.get("maxDeviation", 0)
    return {
        "perturbation": str(method),
        "max_deviation": None if deviation is None else int(deviation),
    }


def merge_outcomes(
    query: CountQuery, outcomes: Sequence[NodeOutcome], *, use: DataUseRequest | None = None
) -> HubResult:
    """Sum the nodes' bounds per region and in total.

    :param query: the question asked.
    :param outcomes: one per node.
    :param use: the data use the request stated, if any.
    """
    regions: dict[str, list[int]] = {}
    total = [0, 0, 0]
    for outcome in outcomes:
        slot = regions.setdefault(outcome.region, [0, 0, 0])
        if outcome.count is None:
            continue
        for acc in (slot, total):
            acc[0] += outcome.count.lower
            acc[1] += outcome.count.upper
            acc[2] += 1
    complete = all(o.status in {"ok", "excluded_by_consent"} for o in outcomes)
    return HubResult(
        query=query,
        purpose=(use.purpose,) if use else (),
        outcomes=tuple(outcomes),
        regions={r: CountBounds(*v) for r, v in sorted(regions.items())},
        total=CountBounds(*total),
        complete=complete,
    )


def run_hub_query(
    config: HubConfig,
    query: CountQuery,
    *,
    requester: str,
    use: DataUseRequest | None = None,
) -> HubResult:
    """Ask the nodes once from synchronous code (the CLI).

    :param config: the registry.
    :param query: the question.
    :param requester: on whose behalf the hub asks.
    :param use: the intended data use, for consent matching.
    """

    async def go() -> HubResult:
        async with Hub(config) as hub:
            return await hub.query(query, requester=requester, use=use)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(go())
    # A loop already runs in this thread (a notebook, a synchronous wrapper of async
    # code): the query gets its own loop in a worker thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(go())).result()


def result_to_json(result: HubResult) -> dict[str, object]:
    """A hub result as plain JSON (per node, per region, total)."""
    return {
        "query": result.query.key(),
        "purpose": list(result.purpose),
        "complete": result.complete,
        "total": {**asdict(result.total), "display": result.total.display},
        "regions": {r: {**asdict(b), "display": b.display} for r, b in result.regions.items()},
        "nodes": [
            {
                "id": o.node_id,
                "name": o.name,
                "region": o.region,
                "country": o.country,
                "status": o.status,
                "reason": o.reason,
                "count": asdict(o.count) if o.count else None,
                "datasets_used": list(o.datasets_used),
                "datasets_excluded": [{"id": i, "reason": r} for i, r in o.datasets_excluded],
                "elapsed_ms": round(o.elapsed_ms, 1),
            }
            for o in result.outcomes
        ],
    }
