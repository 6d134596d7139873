"""Schemathesis against the OpenAPI spec, in process (ASGI): no 500s, responses match the spec.

Schemathesis's pytest plugin does not load under this pytest, so the test walks the
operations itself and drives each one's Hypothesis strategy, positive and negative.
Bounded (a few examples per operation) so it stays well under a minute. It covers every
capability's API: a new router is fuzzed the day it is assembled into the app.
"""

from __future__ import annotations

import re

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks

FUZZED_PREFIXES = ("/api/v1/",)
# Each capability with an API must be reached, so a broken spec cannot shrink the test.
CAPABILITY_APIS = (
    "landscape", "auth", "accounts", "roadmap", "federation", "delphi", "transfer",
    "partners", "directory", "helpdesk",
)  # fmt: skip
EXAMPLES = 8


def _operations(app):  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    pattern = re.compile("^(" + "|".join(re.escape(p) for p in FUZZED_PREFIXES) + ")")
    for result in schema.get_all_operations():
        operation = result.ok()
        if pattern.match(operation.path):
            yield operation


def _fuzz(operation, mode) -> None:  # type: ignore[no-untyped-def]
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:  # type: ignore[no-untyped-def]
        if mode is GenerationMode.POSITIVE:
            # A schema cannot say which facet values exist in the corpus or that year_from
            # <= year_to, so schema-valid requests may rightly get a 422: skip that check.
            case.call_and_validate(excluded_checks=[checks.positive_data_acceptance])
        else:
            response = case.call()
            # Invalid input must be refused with a 4xx, never crash.
            assert response.status_code < 500, (case.as_curl_command(), response.text[:500])

    run()


def test_api_conforms_to_its_schema(read_only_client) -> None:  # type: ignore[no-untyped-def]
    operations = list(_operations(read_only_client.app))
    reached = {operation.path.split("/")[3] for operation in operations}
    assert set(CAPABILITY_APIS) <= reached, set(CAPABILITY_APIS) - reached
    for operation in operations:
        _fuzz(operation, GenerationMode.POSITIVE)


def test_api_survives_invalid_input(read_only_client) -> None:  # type: ignore[no-untyped-def]
    fuzzed = 0
    for operation in _operations(read_only_client.app):
        try:
            _fuzz(operation, GenerationMode.NEGATIVE)
        except Unsatisfiable:
            continue  # no parameters to make invalid (e.g. GET /health)
        fuzzed += 1
    assert fuzzed >= 30  # 36 of the 58 operations take parameters that can be made invalid
