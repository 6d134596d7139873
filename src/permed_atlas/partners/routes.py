"""Partner finder pages (/partners/...) and their JSON twins (/api/v1/partners/...).

Searching stores nothing, so the form is a GET and every result is a shareable link.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from starlette.responses import Response

from permed_atlas.i18n import Message
from permed_atlas.partners.embeddings import embeddings_available
from permed_atlas.partners.errors import (
    EmbeddingsNotReadyError,
    PartnersError,
    ProfilesNotBuiltError,
    UnknownAuthorError,
)
from permed_atlas.partners.finder import MAX_LIMIT
from permed_atlas.partners.models import QUERY_KINDS, FinderResult, Method, PartnerQuery
from permed_atlas.partners.schemas import (
    AuthorProfilePublic,
    FinderResultPublic,
    PartnersStatusPublic,
)
from permed_atlas.partners.store import (
    find_in_corpus,
    profile_of,
    profiles_summary,
    region_countries,
    result_to_dict,
    topic_labels,
)
from permed_atlas.settings import Settings
from permed_atlas.web.deps import CorpusDep, SettingsDep, capability_routers, render

__all__ = ["api_router", "router"]

router, api_router = capability_routers("partners")

_KIND = "^(author|institution|topic|text)$"
_METHOD = "^(tfidf|embeddings)$"
_REGION = r"^[A-Z][A-Z0-9_]{1,31}$"


Kind = Annotated[str, Query(pattern=_KIND, description="author, institution, topic or text")]
Text = Annotated[
    str,
    Query(max_length=5000, description="author id, institution, topic code or project description"),
]
MethodParam = Annotated[str, Query(pattern=_METHOD, description="tfidf or embeddings")]
FromRegion = Annotated[str, Query(pattern=_REGION, description="the searcher's region set")]
ToRegion = Annotated[str, Query(pattern=_REGION, description="the region set to search in")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="how many partners")]
Recent = Annotated[int, Query(ge=1, le=50, description="years that count as recent")]


@dataclass(frozen=True)
class _Options:
    """How to search, besides what for: the same query parameters on the page and its twin."""

    method: str
    from_region: str
    to_region: str
    limit: int
    recent_years: int
    include_coauthors: bool

    @property
    def chosen(self) -> Method:
        return "embeddings" if self.method == "embeddings" else "tfidf"

    def query(self, kind: str, q: str) -> PartnerQuery:
        return PartnerQuery(
            kind,  # type: ignore[arg-type]
            q,
            from_region=self.from_region,
            to_region=self.to_region,
            limit=self.limit,
            recent_years=self.recent_years,
            include_coauthors=self.include_coauthors,
        )


def _options(
    method: MethodParam = "tfidf",
    from_region: FromRegion = "EU27",
    to_region: ToRegion = "CN",
    limit: Limit = 20,
    recent_years: Recent = 5,
    include_coauthors: bool = False,
) -> _Options:
    return _Options(method, from_region, to_region, limit, recent_years, include_coauthors)


Options = Annotated[_Options, Depends(_options)]


def _find(corpus: Any, query: PartnerQuery, settings: Settings, method: Method) -> FinderResult:
    # Never encode every profile inside a request: that takes minutes of every core (893 s
    # for the demo's 3,106 profiles here) while holding a compute place, and any visitor
    # could start it after each rebuild. `permed partners build --embeddings` does it.
    return find_in_corpus(corpus, query, settings=settings, method=method, compute_embeddings=False)


def _find_on_page(
    corpus: Any, query: PartnerQuery, settings: Settings, method: Method, context: dict[str, Any]
) -> FinderResult:
    try:
        return _find(corpus, query, settings, method)
    except EmbeddingsNotReadyError:
        # as for embeddings not installed: a usable answer and why, not an error page
        context["values"]["method"] = "tfidf"
        context["notice"] = Message(
            "The semantic embeddings of this corpus are not computed yet, so these partners "
            "are ranked by TF-IDF terms."
        )
        return _find(corpus, query, settings, "tfidf")


@router.get("/")
def partners_page(
    request: Request,
    settings: SettingsDep,
    corpus: CorpusDep,
    kind: Annotated[str, Query(pattern=f"^(|{_KIND[2:-2]})$")] = "text",
    q: Annotated[str | None, Query(max_length=5000)] = None,
    *,
    options: Options,
) -> Response:
    """The finder form and, when a query is given, the ranked partners with their reasons."""
    summary = profiles_summary(corpus)
    context: dict[str, Any] = {
        "summary": summary, "kinds": QUERY_KINDS, "regions": sorted(region_countries(settings)),
        "topics": topic_labels(settings), "values": {
            "kind": kind or "text", "q": q or "", **asdict(options)},
        "result": None, "error": None, "json_link": None, "notice": None,
        "embeddings_ready": embeddings_available(),
    }  # fmt: skip
    if summary is None or q is None:
        return render(request, "partners/index.html", context)
    query = options.query(kind or "text", q)
    chosen = options.chosen
    if chosen == "embeddings" and not context["embeddings_ready"]:
        # An explanation and a usable answer, not an error page, for a link made elsewhere.
        chosen, context["values"]["method"] = "tfidf", "tfidf"
        context["notice"] = Message(
            "Semantic embeddings are not installed on this server, so these "
            "partners are ranked by TF-IDF terms."
        )
    try:
        context["result"] = _find_on_page(corpus, query, settings, chosen, context)
    except PartnersError as exc:
        from permed_atlas.web.errors import status_for

        context["error"] = exc
        # A list of researchers to choose from is an answer, not a missing page.
        status = 200 if isinstance(exc, UnknownAuthorError) and exc.candidates else status_for(exc)
        return render(request, "partners/index.html", context, status_code=status)
    context["json_link"] = "/api/v1/partners/find?" + urlencode(
        [(k, v) for k, v in request.query_params.multi_items()]
    )
    return render(request, "partners/index.html", context)


@router.get("/authors/{author_id}")
def author_page(
    request: Request, author_id: str, settings: SettingsDep, corpus: CorpusDep
) -> Response:
    """One researcher's profile: institutions, countries, topics, output per year, co-authors."""
    labels = topic_labels(settings)
    try:
        profile = profile_of(corpus, author_id, labels=labels)
    except UnknownAuthorError as exc:
        if not exc.candidates:
            raise
        return render(request, "partners/candidates.html", {"q": author_id, "error": exc})
    peak = max((n for _, n in profile.works_by_year), default=1)
    return render(request, "partners/author.html", {"p": profile, "peak": peak})


@api_router.get("/status", response_model=PartnersStatusPublic)
def api_status(corpus: CorpusDep) -> dict[str, Any]:
    """Whether profiles are built, and the build's metadata."""
    summary = profiles_summary(corpus)
    return {"built": summary is not None, "meta": summary or {}}


@api_router.get("/find", response_model=FinderResultPublic)
def api_find(
    settings: SettingsDep,
    corpus: CorpusDep,
    kind: Kind,
    q: Text,
    options: Options,
) -> dict[str, Any]:
    """Ranked partners in the other region, each with its score parts and reasons.

    404 for an unknown author, institution or topic; 422 for empty text or a limit out of
    range; 400 when profiles are not built yet.
    """
    if profiles_summary(corpus) is None:
        raise ProfilesNotBuiltError(
            Message("researcher profiles are not built yet: run `permed partners build`")
        )
    query = options.query(kind, q)
    return result_to_dict(_find(corpus, query, settings, options.chosen))


@api_router.get("/authors/{author_id}", response_model=AuthorProfilePublic)
def api_author(author_id: str, settings: SettingsDep, corpus: CorpusDep) -> dict[str, Any]:
    """One researcher's profile (404 when no profile has this id)."""
    return asdict(profile_of(corpus, author_id, labels=topic_labels(settings)))
