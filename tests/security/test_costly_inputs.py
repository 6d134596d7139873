"""Requests whose cost grows with what an anonymous client sends (real uvicorn, real HTTP).

A review's second round asked, route by route, which input makes one request expensive and
whether a gate or a cap bounds it. Each test here sends such a request and checks that it is
refused or answered at once while a cheap page still answers:

- ``POST /api/v1/transfer/duo-match`` checked every consent modifier against every region of
  the request outside any gate: 1,000 codes and 1,000 regions (a 10 kB body) held a worker
  thread for 6.5 s, 60,000 and 20,000 for more than 5 minutes;
- ``?method=embeddings`` of the partner finder encoded every researcher profile inside the
  request when the corpus's embeddings were not cached (after every rebuild): 10 minutes of
  every core, holding a compute place, started by any visitor;
- a JSON body is decoded and validated on the event loop before the route checks anything:
  four clients posting 7.8 MiB bodies to a Delphi link that does not exist slowed the login
  form from 13 ms to 0.5-1.8 s. JSON now has a limit of its own (1 MiB).
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import numpy as np
import pytest
from tests.security.burst import build_demo_corpus
from tests.security.load import serve

from permed_atlas.partners import embeddings as partner_embeddings
from permed_atlas.partners import load_index
from permed_atlas.partners.store import embeddings_for
from permed_atlas.settings import Settings
from permed_atlas.transfer.duo_match import MAX_CONSENT_TERMS, MAX_REQUEST_REGIONS
from permed_atlas.web.app import create_app

DUO_MATCH = "/api/v1/transfer/duo-match"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    """The app over the demo corpus (profiles built, no embeddings cached), served by uvicorn."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("costly") / "permed-data",
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        environment="test",
    )
    with contextlib.redirect_stdout(io.StringIO()):
        build_demo_corpus(settings)
    app = create_app(settings)
    try:
        with serve(app) as base_url:
            yield app, base_url
    finally:
        app.state.corpus.close()
        app.state.engine.dispose()


def _duo_request(consent: int, regions: int) -> dict[str, Any]:
    return {
        "consent": (["HMB", "NCU", "GS=EU27"] * consent)[:consent],
        "purpose": "DUO:0000006",
        "regions": (["DE", "FR", "CN", "EU27"] * regions)[:regions],
    }


def test_a_duo_match_with_thousands_of_codes_is_refused_before_it_runs(
    served: tuple[Any, str],
) -> None:
    _, base_url = served
    with httpx.Client(base_url=base_url, timeout=30) as http:
        at_caps = http.post(DUO_MATCH, json=_duo_request(MAX_CONSENT_TERMS, MAX_REQUEST_REGIONS))
        codes = http.post(DUO_MATCH, json=_duo_request(MAX_CONSENT_TERMS + 1, 1))
        regions = http.post(DUO_MATCH, json=_duo_request(1, MAX_REQUEST_REGIONS + 1))
        assert at_caps.status_code == 200, at_caps.text
        assert codes.status_code == 422 and codes.json()["field"] == "consent"
        assert regions.status_code == 422 and regions.json()["field"] == "regions"

        # a burst of the 6.5-second request, while the login form is asked for
        def attack(_: int) -> int:
            return http.post(DUO_MATCH, json=_duo_request(1000, 1000)).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(attack, range(16)))
            login = http.get("/login")
    assert statuses == [422] * 16
    assert login.status_code == 200


class _Encoder:
    """Stands in for the model: records what it is asked to encode, answers at once."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls.append(len(texts))
        return np.ones((len(texts), 384), dtype=np.float32) / np.sqrt(384)


def test_the_partner_finder_never_encodes_every_profile_inside_a_request(
    served: tuple[Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, base_url = served
    encoder = _Encoder()
    monkeypatch.setattr(partner_embeddings, "encode", encoder)
    monkeypatch.setattr("permed_atlas.partners.routes.embeddings_available", lambda: True)
    asked = {"kind": "text", "q": "pharmacogenomics of breast cancer", "method": "embeddings"}
    with httpx.Client(base_url=base_url, timeout=30) as http:
        api = http.get("/api/v1/partners/find", params=asked)
        page = http.get("/partners/", params=asked)
        assert encoder.calls == []  # not one profile encoded by a visitor's request
        assert api.status_code == 400
        assert "permed partners build --embeddings" in api.json()["detail"]
        # the page answers with TF-IDF and says why
        assert page.status_code == 200
        assert "are not computed yet, so these partners are ranked by TF-IDF" in page.text

        # once the operator has computed them, the request encodes the question alone
        with contextlib.contextmanager(app.state.corpus.cursor)() as connection:
            embeddings_for(connection, load_index(connection), settings=app.state.settings)
        encoder.calls.clear()
        ready = http.get("/api/v1/partners/find", params=asked)
    assert ready.status_code == 200 and ready.json()["method"] == "embeddings"
    assert encoder.calls == [1]


def _ratings_body(entries: int) -> bytes:
    return json.dumps(
        {
            "ratings": {str(k): 3 for k in range(entries)},
            "comments": {str(k): "x" for k in range(entries)},
        }
    ).encode()


def test_a_json_body_over_its_limit_is_refused_before_the_event_loop_decodes_it(
    served: tuple[Any, str],
) -> None:
    """FastAPI decodes and validates JSON on the event loop, before the link is checked."""
    app, base_url = served
    limit = app.state.settings.max_json_body_bytes
    huge = _ratings_body(300_000)  # 7.8 MiB: under the upload limit, 0.6 s of the loop each
    fits = _ratings_body(20_000)
    assert len(fits) < limit < len(huge) < app.state.settings.max_body_bytes
    json_type = {"content-type": "application/json"}
    with httpx.Client(base_url=base_url, timeout=60) as http:
        small = http.post("/api/v1/delphi/respond/not-a-token", content=fits, headers=json_type)

        def attack(_: int) -> int:
            return http.post(
                "/api/v1/delphi/respond/not-a-token", content=huge, headers=json_type
            ).status_code

        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = list(pool.map(attack, range(12)))
            login = http.get("/login")
        streamed = http.post(
            "/api/v1/delphi/respond/not-a-token",
            content=iter([huge[i : i + 65536] for i in range(0, len(huge), 65536)]),
            headers=json_type,
        )
    assert small.status_code == 404  # read, decoded, then the link is not found
    assert statuses == [413] * 12
    assert streamed.status_code == 413  # no Content-Length: counted as it streams in
    assert login.status_code == 200
