from django.db import models
from django.db.models import F
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from panel.core import softcache


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

    Terrahost stays the source of truth. A server absent from a successful refresh gets
    `missing_since` (the API hides live servers for a while) and is removed only after it
    stayed absent through successful listings for PANEL_MIRROR_PURGE_AFTER (time without
    successful listings does not count: see mirror.store_servers and mirror.purge_missing).
    `raw` is the record with secrets redacted.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        STOPPED = "stopped", _("Stopped")
        INSTALLING = "installing", _("Installing")
        RESCUE = "rescue", _("Rescue")
        SUSPENDED = "suspended", _("Suspended")
        CANCELLED = "cancelled", _("Cancelled")

    connection = models.ForeignKey(
        "connections.Connection", on_delete=models.CASCADE, related_name="servers"
    )
    # The reseller's client company this server is assigned to (the panel's own fact;
    # the mirror never writes it). None: the reseller's own.
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="servers",
    )
    srv_id = models.BigIntegerField("Terrahost server id")
    name = models.CharField(max_length=255, blank=True)
    label = models.CharField(max_length=255, blank=True)
    hostname = models.CharField(max_length=255, blank=True)
    display_name = models.CharField(max_length=255, blank=True, db_index=True)
    primary_ip = models.CharField("primary IP", max_length=64, blank=True)
    # Sorts addresses as numbers: "4 192.000.002.009" < "4 192.000.002.010"; IPv6 exploded
    # after every IPv4 ("6 2001:0db8:..."); see mirror.ip_sort_key.
    primary_ip_sort = models.CharField(max_length=64, blank=True, editable=False)
    # Every address of the server (IPv4 and IPv6, primary first), space-separated: search.
    ips = models.TextField("IP addresses", blank=True)
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
    # Audit names of actions Terrahost answered 405 for ("power.on", "power.off"): their
    # buttons are no longer offered for this server. A refresh keeps this.
    unsupported = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "srv_id"], name="server_unique_srv_id")
        ]
        # One index per sort of the list (panel.servers.listing.SORTS, same expressions),
        # so a page, the last one included, reads its rows in order instead of sorting
        # every row (see migration 0005, also for why the search has no trigram index).
        indexes = [
            models.Index(fields=["connection", "last_seen_at"], name="server_conn_seen"),
            models.Index(fields=["missing_since"], name="server_missing"),
            models.Index(fields=["primary_ip_sort", "srv_id"], name="server_ip_sort"),
            models.Index(Lower("display_name"), F("srv_id"), name="server_name_sort"),
            models.Index(
                F("location"), Lower("display_name"), F("srv_id"), name="server_location_sort"
            ),
            models.Index(F("type"), Lower("display_name"), F("srv_id"), name="server_type_sort"),
            models.Index(F("os_name"), Lower("display_name"), F("srv_id"), name="server_os_sort"),
            models.Index(
                F("status"), Lower("display_name"), F("srv_id"), name="server_status_sort"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or f"#{self.srv_id}"

    @property
    def is_missing(self) -> bool:
        return self.missing_since is not None

    @property
    def addresses(self) -> list[str]:
        return self.ips.split()

    def changed(self, **fields) -> None:
        """Call after an action changed this server: its cached detail is dropped (the next
        page view reads it again), and `fields` the action knows changed (e.g. the name) are
        written to its row at once, so the list shows them without another upstream call."""
        softcache.delete(detail_cache_key(self))
        if fields:
            for name, value in fields.items():
                setattr(self, name, value)
            self.save(update_fields=list(fields))


def detail_cache_key(row: MirroredServer) -> str:
    """The server page's cached record of `row` (panel.servers.detail)."""
    return f"server-detail:{row.connection_id}:{row.srv_id}"
