"""Schemathesis against the helpdesk's part of the OpenAPI spec: no 500s, responses match it.

The web helper's fuzz test covers its own prefixes; this one drives the helpdesk's
operations the same way (Hypothesis strategies from the schema, bounded examples).
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks

EXAMPLES = 6


def _operations(app):  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith("/api/v1/helpdesk"):
            yield operation


def _fuzz(operation, mode) -> None:  # type: ignore[no-untyped-def]
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def run(case) -> None:  # type: ignore[no-untyped-def]
        if mode is GenerationMode.POSITIVE:
            # The schema cannot say which countries, topics or entry ids exist: a 4xx is fine.
            case.call_and_validate(excluded_checks=[checks.positive_data_acceptance])
        else:
            response = case.call()
            assert response.status_code < 500, (case.as_curl_command(), response.text[:500])

    run()


def test_helpdesk_api_conforms_and_survives_invalid_input(read_only_client) -> None:  # type: ignore[no-untyped-def]
    operations = list(_operations(read_only_client.app))
    assert len(operations) == 5
    for operation in operations:
        _fuzz(operation, GenerationMode.POSITIVE)
        try:
            _fuzz(operation, GenerationMode.NEGATIVE)
        except Unsatisfiable:
            continue  # no parameters to make invalid (GET /topics)
