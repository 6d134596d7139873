"""Names :mod:`permed_atlas.delphi.demo` imports from here, until the demo moves to
``permed_atlas/demo/`` (#13); everything else imports from ``delphi.store`` and
``delphi.service``."""

from permed_atlas.delphi.store import save_action, save_subtopic

__all__ = ["save_action", "save_subtopic"]
