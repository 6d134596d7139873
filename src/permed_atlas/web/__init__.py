"""The web app: ``create_app()`` assembles every capability's router, with auth, CSRF and errors."""

from permed_atlas.web.app import create_app
from permed_atlas.web.server import refuse_an_unusable_address, run_server

__all__ = ["create_app", "refuse_an_unusable_address", "run_server"]
