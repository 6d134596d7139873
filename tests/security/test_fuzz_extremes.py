"""The schemathesis run extended with huge integers and long strings (findings 1 and 2).

Schemathesis draws a valid request for every API operation; this test then replaces
every integer in it (path, query, JSON body) by values beyond 64 bits and every
string by a 100,000-character one, and asks again. Each must be refused or answered
with a 4xx (or served), never a 500: before, ``/api/v1/delphi/studies/99999999999999999999``
and six similar routes answered 500.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from tests.web.test_openapi_fuzz import CAPABILITY_APIS, _operations

HUGE_INTEGERS = (2**64 + 1, -(2**63) - 1, 10**30)
LONG_STRING = "A" * 100_000
CALLS: list[str] = []


def _replace(value: Any, *, number: int | None, text: str | None) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and number is not None:
        return number
    if isinstance(value, str) and text is not None:
        return text
    if isinstance(value, dict):
        return {k: _replace(v, number=number, text=text) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, number=number, text=text) for v in value]
    return value


def _numeric(value: Any) -> Any:
    # path and query values are generated as text; a digit string stands for an integer
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    if isinstance(value, dict):
        return {k: _numeric(v) for k, v in value.items()}
    return value


def _extremes(case: Any) -> list[str]:
    failures = []
    original = (case.path_parameters, case.query, case.body)
    variants = [{"number": n, "text": None} for n in HUGE_INTEGERS]
    variants.append({"number": None, "text": LONG_STRING})
    for variant in variants:
        path, query, body = (
            _replace(_numeric(part) if part is not original[2] else part, **variant)
            if isinstance(part, dict | list)
            else part
            for part in original
        )
        if path:
            case.path_parameters = {k: str(v) for k, v in path.items()}
        if query:
            case.query = {k: v if isinstance(v, list) else str(v) for k, v in query.items()}
        if isinstance(original[2], dict | list):
            case.body = body
        response = case.call()
        CALLS.append(f"{case.method} {case.formatted_path} {response.status_code}")
        if response.status_code >= 500:
            failures.append(
                f"{case.method} {case.formatted_path} {variant}: {response.status_code}"
            )
        case.path_parameters, case.query, case.body = original
    return failures


def test_huge_integers_and_long_strings_never_give_a_500(read_only_client) -> None:  # type: ignore[no-untyped-def]
    failures: list[str] = []
    reached: set[str] = set()
    for operation in _operations(read_only_client.app):

        @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
        @settings(
            max_examples=1,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            failures.extend(_extremes(case))

        try:
            run()
        except Unsatisfiable:
            continue
        reached.add(operation.path.split("/")[3])
    assert set(CAPABILITY_APIS) <= reached
    assert failures == []
    assert len(CALLS) > 150
    # the probe's example: a study id beyond 64 bits is refused, not a 500
    huge_study = [
        c for c in CALLS if c.startswith("GET /api/v1/delphi/studies/18446744073709551617")
    ]
    assert huge_study and all(c.endswith(("404", "422")) for c in huge_study)
