"""Pydantic I/O of the partners JSON API, derived from the core records of models.py.

The answers are those records as plain data, so their models take the records' fields
(:func:`permed_atlas.api_schemas.schema_of`); their base :class:`~permed_atlas.api_schemas.Answer`
still makes a key the model does not know fail the response instead of vanishing from it.
"""

from __future__ import annotations

from pydantic import Field

from permed_atlas.api_schemas import Answer, schema_of
from permed_atlas.partners import models


class PartnersStatusPublic(Answer):
    built: bool = Field(description="whether researcher profiles have been built")
    meta: dict[str, str] = Field(description="the build's metadata (state, date, counts)")


# The answers are the records of models.py as plain data (dataclasses.asdict), so each
# model takes its fields from its record; only descriptions and the nested models are here.
InstitutionSharePublic = schema_of(models.InstitutionShare, name="InstitutionSharePublic")
CoauthorPublic = schema_of(models.Coauthor, name="CoauthorPublic")
AuthorWorkPublic = schema_of(
    models.AuthoredWork, name="AuthorWorkPublic", fields={"title": (str | None, ...)},
    doc="One work of a researcher, linking to the landscape's work page.",
)  # fmt: skip
AuthorProfilePublic = schema_of(
    models.AuthorProfile, name="AuthorProfilePublic",
    doc="One researcher as the corpus shows them.",
    nested={models.InstitutionShare: InstitutionSharePublic, models.Coauthor: CoauthorPublic,
            models.AuthoredWork: AuthorWorkPublic},
    fields={
        "topics": Field(description="[topic, works] pairs"),
        "top_terms": Field(description="[term, weight] pairs"),
        "works_by_year": Field(description="[year, works] pairs"),
        "works": Field(default_factory=list,
                       description="the person's works, newest first (at most 500)"),
    },
)  # fmt: skip
PartnerQueryPublic = schema_of(models.PartnerQuery, name="PartnerQueryPublic")
WeightsPublic = schema_of(models.Weights, name="WeightsPublic")
ReasonPublic = schema_of(
    models.Reason, name="ReasonPublic",
    fields={"kind": Field(description="terms, topics, activity, network or place")},
)  # fmt: skip
PartnerMatchPublic = schema_of(
    models.PartnerMatch, name="PartnerMatchPublic", nested={models.Reason: ReasonPublic}
)
FinderResultPublic = schema_of(
    models.FinderResult, name="FinderResultPublic",
    doc="The ranked matches of one query, with what was searched and how.",
    nested={models.PartnerQuery: PartnerQueryPublic, models.Weights: WeightsPublic,
            models.PartnerMatch: PartnerMatchPublic},
)  # fmt: skip
