"""PerMed Atlas: an open platform for international cooperation in personalised medicine."""

from permed_atlas.errors import PermedError

__version__ = "0.1.0"

__all__ = ["PermedError", "__version__"]
