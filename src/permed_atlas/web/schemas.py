"""Pydantic answers of the platform's own JSON routes (not of one capability)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class HealthPublic(BaseModel):
    """Liveness: the app answers, with the version it runs."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["ok"]
    version: str = Field(examples=["0.1.0"])
