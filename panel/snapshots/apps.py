from django.apps import AppConfig


class SnapshotsConfig(AppConfig):
    name = "panel.snapshots"
    label = "snapshots"
    verbose_name = "Snapshots"

    def ready(self):
        # Registers the "snapshot_create" and "snapshot_delete" operation kinds.
        from . import operation  # noqa: F401
