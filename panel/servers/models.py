from django.db import models


class RawRecordField(models.JSONField):
    """A JSONField that keeps bulk upserts on PostgreSQL fast.

    Django 5.2 bulk-inserts through UNNEST(arrays) on PostgreSQL; psycopg then quotes every
    JSON document inside a text array in Python, which took ~0.5 s per 500 servers. A
    placeholder of its own sends the field through the plain VALUES path instead.
    """

    def get_placeholder(self, value, compiler, connection):
        return "%s"


class MirroredServer(models.Model):
    """One server as GET /servers last listed it, for lists, search, sorting and grants.

    Terrahost stays the source of truth. A server absent from a refresh gets
    `missing_since` (the API hides live servers for a while) and is removed only after a
    long absence (PANEL_MIRROR_PURGE_AFTER). `raw` is the record with secrets redacted.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        STOPPED = "stopped", "Stopped"
        INSTALLING = "installing", "Installing"
        RESCUE = "rescue", "Rescue"
        SUSPENDED = "suspended", "Suspended"

    connection = models.ForeignKey(
        "connections.Connection", on_delete=models.CASCADE, related_name="servers"
    )
    srv_id = models.BigIntegerField("Terrahost server id")
    name = models.CharField(max_length=255, blank=True)
    label = models.CharField(max_length=255, blank=True)
    hostname = models.CharField(max_length=255, blank=True)
    display_name = models.CharField(max_length=255, blank=True, db_index=True)
    primary_ip = models.CharField("primary IP", max_length=64, blank=True, db_index=True)
    location = models.CharField(max_length=100, blank=True)
    type = models.CharField(max_length=50, blank=True)
    vps_type = models.CharField(max_length=50, blank=True)
    os_name = models.CharField("OS", max_length=255, blank=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.STOPPED)
    raw = RawRecordField(default=dict)
    # sha256 of the redacted record: a refresh rewrites only rows whose record changed.
    raw_hash = models.CharField(max_length=64, blank=True, editable=False)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    missing_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "srv_id"], name="server_unique_srv_id")
        ]
        indexes = [
            models.Index(fields=["connection", "last_seen_at"], name="server_conn_seen"),
            models.Index(fields=["missing_since"], name="server_missing"),
        ]

    def __str__(self) -> str:
        return self.display_name or f"#{self.srv_id}"

    @property
    def is_missing(self) -> bool:
        return self.missing_since is not None
