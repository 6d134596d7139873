"""The local instance: its data directory, platform database and the demo that fills them."""

from permed_atlas.instance.setup import InstanceStatus, initialise_instance

__all__ = ["InstanceStatus", "initialise_instance"]
