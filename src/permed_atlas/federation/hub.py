"""The hub: asks every registered node at once and merges what they say.

Each request to a node gets its own token, bound to that request and good once
(request_auth.py), and each node its own time limit; a slow, down or refusing
node becomes an outcome with a reason, never an error of the whole query.
Counts are merged as bounds (merge.py); the registry of nodes is registry.py.
When the request states a data use, each node's collections are matched against
their DUO consent codes first and only the collections that allow the use are
counted; a node with none is excluded with the matcher's reasons.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import lru_cache

import httpx
import orjson

from permed_atlas.federation.beacon import consent_text
from permed_atlas.federation.merge import merge_outcomes, read_count
from permed_atlas.federation.models import (
    CountQuery,
    Dataset,
    HubResult,
    NodeEndpoint,
    NodeOutcome,
    NodeStatus,
)
from permed_atlas.federation.query import query_to_json
from permed_atlas.federation.registry import HubConfig
from permed_atlas.federation.request_auth import NodeRequestAuth
from permed_atlas.i18n import Message, joined
from permed_atlas.transfer import DataUseRequest, DuoOntology, load_duo_ontology, match_data_use

_HTTP_STATUS: dict[int, NodeStatus] = {
    401: "unauthorized",
    403: "forbidden",
    409: "refused",
    429: "over_budget",
}
DATASETS_TTL_S = 300.0


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

    def _auth(self, node: NodeEndpoint, requester: str) -> NodeRequestAuth:
        # A token per request, made from the bytes httpx sends: the node takes each once.
        return NodeRequestAuth(
            node.secret,
            issuer=self.config.issuer,
            requester=requester,
            audience=node.id,
            base_url=node.url,
            clock=self._clock,
            ttl_s=120,
        )

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
            reason = Message("no answer within %(seconds)s s", seconds=waited)
            outcome = replace(base, status="timeout", reason=reason)
        except httpx.TimeoutException:
            outcome = replace(base, status="timeout", reason=Message("HTTP timeout"))
        except httpx.TransportError as exc:
            # Said in words: the page shows the reason, and an exception's class
            # name (ConnectError) tells a user nothing.
            outcome = replace(base, status="unreachable", reason=_transport_reason(node, exc))
        except (ValueError, KeyError, TypeError) as exc:
            reason = Message("unreadable answer: %(error)s", error=str(exc))
            outcome = replace(base, status="error", reason=reason)
        return replace(outcome, elapsed_ms=(time.perf_counter() - start) * 1000.0)

    async def _node_datasets(self, node: NodeEndpoint, requester: str) -> tuple[Dataset, ...]:
        cached = self._datasets.get(node.id)
        if cached and time.monotonic() - cached[0] < DATASETS_TTL_S:
            return cached[1]
        response = await self._client_for(node).get(
            f"{node.url}/api/datasets", auth=self._auth(node, requester)
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
                        why = Message("needs committee review: %(why)s", why=why)
                    excluded.append((dataset.id, why))
            if not allowed:
                return replace(
                    base,
                    status="excluded_by_consent",
                    reason=Message("no collection's consent allows this use"),
                    datasets_excluded=tuple(excluded),
                )
            used = tuple(allowed)
            if excluded:
                query = replace(query, datasets=used)
        response = await self._client_for(node).post(
            f"{node.url}/api/{query.entity}",
            content=orjson.dumps(query_to_json(query)),
            headers={"Content-Type": "application/json"},
            auth=self._auth(node, requester),
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
            "nothing answers at %(url)s: the node is not running or not reachable",
            url=node.url,
        )
    if isinstance(exc, httpx.RemoteProtocolError):
        return Message(
            "the node at %(url)s closed the connection without an answer",
            url=node.url,
        )
    return Message("the connection to %(url)s failed", url=node.url)


def _failed(base: NodeOutcome, response: httpx.Response) -> NodeOutcome:
    try:
        message = str(response.json()["error"]["errorMessage"])
    except (ValueError, KeyError, TypeError):
        message = response.text[:200]
    status = _HTTP_STATUS.get(response.status_code, "error")
    return replace(base, status=status, reason=f"HTTP {response.status_code}: {message}")


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
