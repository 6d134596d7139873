"""Pages answer a bad value in their query string inline, with what the user typed kept.

A page whose query string fails validation (a year of ``20x5``, an unknown topic) used to give
a full-page 422 quoting pydantic (``String should match pattern '^\\d{0,4}$'``). For pages, not
the JSON API, the error handlers now serve the same page again without the offending values,
and the page says in plain words what was wrong with each one next to the form, whose fields
still show what was typed. The JSON API keeps its 422 with ``loc``/``msg``/``type``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from permed_atlas.i18n import LazyString
from permed_atlas.i18n import gettext as _
from permed_atlas.i18n import lazy_gettext as _l

PROBLEMS_STATE = "form_problems"
# Each answer-again drops the values one validation pass refused; a page whose values fail in
# several passes (a bad year, then an unknown topic) is served again at most this often.
MAX_PASSES = 8

# What a person calls each query parameter; names not listed are humanised from the name.
FIELD_LABELS: dict[str, LazyString] = {
    "q": _l("Search text"),
    "year_from": _l("From year"),
    "year_to": _l("To year"),
    "eu_cn": _l("EU–China"),
    "pm_relevant": _l("PM-relevant"),
    "page_size": _l("Results per page"),
    "max_nodes": _l("Most nodes"),
    "min_weight": _l("Fewest shared works"),
    "icd10": _l("ICD-10 code"),
    "diagnosis": _l("Diagnosis (ICD-10)"),
    "age": _l("Age at collection"),
    "year": _l("Collection year"),
    "country": _l("Country"),
    "region": _l("Region"),
    "topic": _l("Topic"),
    "institution": _l("Institution"),
    "kind": _l("Kind"),
    "sort": _l("Sort"),
    "page": _l("Page"),
    "level": _l("Level"),
    "top": _l("How many"),
    "limit": _l("How many"),
    "sex": _l("Sex"),
    "purpose": _l("Purpose"),
    "method": _l("Method"),
    "from_region": _l("From region"),
    "to_region": _l("Partners in"),
    "recent_years": _l("Recent years"),
    "description": _l("Project description"),
    "regions": _l("Partner countries or regions"),
    "status": _l("Status"),
    "review": _l("Review"),
    "source": _l("Source"),
    "checked_on": _l("Checked on"),
    "note": _l("Note"),
    # the fields of the forms that write (a refused POST names them the same way)
    "email": _l("Email"),
    "password": _l("Password"),
    "current_password": _l("Current password"),
    "new_password": _l("New password"),
    "role": _l("Role"),
    "title": _l("Title"),
    "title_zh": _l("Chinese title"),
    "decision": _l("Decision"),
    "node_id": _l("Biobank"),
    "study": _l("Study"),
    "code": _l("Code"),
    "name": _l("Name"),
    "definition": _l("Definition"),
    "unit": _l("Unit"),
    "direction": _l("Direction"),
    "baseline_value": _l("Baseline value"),
    "baseline_date": _l("Baseline date"),
    "target_value": _l("Target value"),
    "target_date": _l("Target date"),
    "centre": _l("Centre"),
    "actions": _l("Actions"),
    "data_source": _l("Data source"),
    "observed_on": _l("Date"),
    "value": _l("Value"),
    "document": _l("Roadmap (YAML)"),
    "revision": _l("Revision"),
    "base_revision": _l("Revision"),
    "file": _l("File"),
    "days": _l("Valid for (days)"),
    "pillar": _l("Pillar"),
    "comment": _l("Comment"),
    "id": _l("Id"),
    "slug": _l("Short name (slug)"),
}

# Query parameters that make a page act rather than only show (the federation page's "run"
# asks every biobank and spends their budgets): a page served again without a value it
# could not use never acts, since the question it would ask is no longer the one the user
# asked.
ACTION_PARAMETERS = frozenset({"run"})

# Plain-words hints for the patterns pages use, keyed by the pattern itself so that every
# field with the same rule gets the same explanation.
PATTERN_HINTS: dict[str, LazyString] = {
    r"^\d{0,4}$": _l("give a four-digit year, such as 2015"),
    r"^(|yes|no|true|false)$": _l("choose yes or no"),
    r"^(|publication|patent)$": _l("choose publication or patent"),
    r"^(country|institution)$": _l("choose country or institution"),
    r"^(relevance|year|year_asc|citations)$": _l("choose relevance, newest, oldest or most cited"),
}


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One query parameter a page could not use: its name, what was typed, and why."""

    field: str
    value: str
    message: str


def field_label(name: str) -> str:
    """The label a person knows a query parameter by.

    :param name: the parameter's name.
    """
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else name.replace("_", " ").capitalize()


def _shown(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "…"


def plain_message(error: Mapping[str, Any], value: str) -> str:
    """One pydantic validation error of a query parameter, in words a person understands.

    :param error: an item of ``RequestValidationError.errors()``.
    :param value: what was typed.
    """
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    shown = _shown(value)
    if kind == "string_pattern_mismatch":
        hint = PATTERN_HINTS.get(str(context.get("pattern", "")))
        return _("“%(value)s” is not a valid value here: %(hint)s.") % {
            "value": shown,
            "hint": str(hint) if hint is not None else _("check the value"),
        }
    if kind == "string_too_long":
        return _("is %(length)s characters long; at most %(limit)s are allowed.") % {
            "length": f"{len(value):,}",
            "limit": f"{context.get('max_length'):,}",
        }
    if kind in {"int_parsing", "int_from_float"}:
        return _("“%(value)s” is not a whole number.") % {"value": shown}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("must be at least %(bound)s, not %(value)s.") % {
            "bound": context.get("ge", context.get("gt")),
            "value": shown,
        }
    if kind in {"less_than_equal", "less_than"}:
        return _("must be at most %(bound)s, not %(value)s.") % {
            "bound": context.get("le", context.get("lt")),
            "value": shown,
        }
    if kind == "too_long":
        return _("takes at most %(limit)s values.") % {"limit": context.get("max_length")}
    return _("“%(value)s” cannot be used: %(reason)s.") % {
        "value": shown,
        "reason": error.get("msg", _("invalid value")),
    }


def is_download(path: str) -> bool:
    """Whether ``path`` names a file (``search.csv``, ``answer.pdf``) rather than a page.

    :param path: the request's path.
    """
    _, dot, suffix = path.rsplit("/", 1)[-1].rpartition(".")
    return bool(dot) and suffix != "html"


def is_page_request(request: Request) -> bool:
    """Whether ``request`` is for a page (GET, not the JSON API) not yet answered again.

    A download is not a page: served again without the refused values, ``search.csv?country=ZZ``
    would be the whole corpus under a name that says it was filtered, so it answers 422.
    """
    path = request.url.path
    return (
        request.method in {"GET", "HEAD"}
        and not path.startswith("/api/")
        and not path.endswith(".json")
        and not is_download(path)
        and len(problems_of(request)) < MAX_PASSES
    )


def problems_from_validation(
    request: Request, errors: Sequence[Mapping[str, Any]]
) -> list[FieldProblem] | None:
    """The problems of a failed validation, or None when one is not in the query string.

    :param request: the page request.
    :param errors: ``RequestValidationError.errors()``.
    """
    problems: list[FieldProblem] = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        if len(loc) < 2 or loc[0] != "query" or not isinstance(loc[1], str):
            return None
        name = loc[1]
        values = request.query_params.getlist(name)
        index = loc[2] if len(loc) > 2 and isinstance(loc[2], int) else 0
        value = values[index] if index < len(values) else ""
        problems.append(FieldProblem(name, value, plain_message(error, value)))
    return problems or None


def problem_for_domain_error(
    request: Request, field: str | None, message: str
) -> FieldProblem | None:
    """A domain error naming a query parameter of the page, as a problem; None otherwise.

    :param request: the page request.
    :param field: the error's field.
    :param message: the error's message.
    """
    if not field or field not in request.query_params:
        return None
    return FieldProblem(field, request.query_params.get(field, ""), message)


class _PageAgain(Response):
    """Serves the page again through the router, without the values it could not use."""

    def __init__(self, request: Request, problems: Iterable[FieldProblem]) -> None:
        super().__init__()
        self._request = request
        self._new = tuple(problems)
        self._problems = problems_of(request) + self._new

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        dropped = {(p.field, p.value) for p in self._new}
        kept = [
            (key, value)
            for key, value in self._request.query_params.multi_items()
            if (key, value) not in dropped and key not in ACTION_PARAMETERS
        ]
        inner = dict(self._request.scope)
        inner["query_string"] = urlencode(kept).encode()
        inner["state"] = {
            **self._request.scope.get("state", {}),
            PROBLEMS_STATE: self._problems,
        }
        await self._request.app.router(inner, receive, send)


def page_again(request: Request, problems: Iterable[FieldProblem]) -> Response:
    """The response that serves ``request``'s page again, saying what was wrong.

    :param request: the page request.
    :param problems: the values left out, with their messages.
    """
    return _PageAgain(request, problems)


def problems_of(request: Request) -> tuple[FieldProblem, ...]:
    """The problems the page is being served again for (none on a first answer)."""
    return tuple(request.scope.get("state", {}).get(PROBLEMS_STATE, ()))


def typed_value(request: Request, name: str, default: object = "") -> object:
    """What the user typed into field ``name`` if the page could not use it, else ``default``.

    :param request: the current request.
    :param name: the query parameter.
    :param default: the value the page would show.
    """
    for problem in problems_of(request):
        if problem.field == name:
            return problem.value
    return default
