"""Pydantic I/O of the partners JSON API, derived from the core records of models.py.

The answers are those records as plain data, so their models take the records' fields
(:func:`permed_atlas.dataclass_schemas.schema_of`); ``extra="forbid"`` still makes a key
the model does not know fail the response instead of vanishing from it silently.
"""

from __future__ import annotations

from functools import partial

from pydantic import BaseModel, ConfigDict, Field

from permed_atlas.dataclass_schemas import schema_of
from permed_atlas.partners import models


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PartnersStatusPublic(_Answer):
    built: bool = Field(description="whether researcher profiles have been built")
    meta: dict[str, str] = Field(description="the build's metadata (state, date, counts)")


# The answers are the records of models.py as plain data (dataclasses.asdict), so each
# model takes its fields from its record; only descriptions and the nested models are here.
_derive = partial(schema_of, base=_Answer)
InstitutionSharePublic = _derive(models.InstitutionShare, name="InstitutionSharePublic")
CoauthorPublic = _derive(models.Coauthor, name="CoauthorPublic")
AuthorWorkPublic = _derive(
    models.AuthoredWork, name="AuthorWorkPublic", fields={"title": (str | None, ...)},
    doc="One work of a researcher, linking to the landscape's work page.",
)  # fmt: skip
AuthorProfilePublic = _derive(
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
PartnerQueryPublic = _derive(models.PartnerQuery, name="PartnerQueryPublic")
WeightsPublic = _derive(models.Weights, name="WeightsPublic")
ReasonPublic = _derive(
    models.Reason, name="ReasonPublic",
    fields={"kind": Field(description="terms, topics, activity, network or place")},
)  # fmt: skip
PartnerMatchPublic = _derive(
    models.PartnerMatch, name="PartnerMatchPublic", nested={models.Reason: ReasonPublic}
)
FinderResultPublic = _derive(
    models.FinderResult, name="FinderResultPublic",
    doc="The ranked matches of one query, with what was searched and how.",
    nested={models.PartnerQuery: PartnerQueryPublic, models.Weights: WeightsPublic,
            models.PartnerMatch: PartnerMatchPublic},
)  # fmt: skip
