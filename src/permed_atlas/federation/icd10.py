"""The federation's ICD-10 patterns: the shared module :mod:`permed_atlas.icd10`.

The DUO matcher (transfer) needs the same hierarchy for disease-specific
consent, and transfer cannot import the federation (the hub imports transfer).
"""

from permed_atlas.icd10 import (
    IcdPattern,
    any_covers,
    code_key,
    normalise_code,
    parse_pattern,
    pattern_sql,
)

__all__ = ["IcdPattern", "any_covers", "code_key", "normalise_code", "parse_pattern", "pattern_sql"]
