"""Names :mod:`permed_atlas.delphi.demo` imports from here, until the demo moves to
``permed_atlas/demo/`` (#13); everything else imports from ``delphi.store`` and
``delphi.service``."""

from permed_atlas.delphi.service import submit_ratings
from permed_atlas.delphi.store import issue_invitations

__all__ = ["issue_invitations", "submit_ratings"]
