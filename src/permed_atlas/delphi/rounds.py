"""Names :mod:`permed_atlas.delphi.demo` imports from here, until the demo moves to
``permed_atlas/demo/`` (#13); everything else imports from ``delphi.store`` and
``delphi.service``."""

from permed_atlas.delphi.service import close_round
from permed_atlas.delphi.store import list_final_items, start_next_round

__all__ = ["close_round", "list_final_items", "start_next_round"]
