"""What the API reads and answers, for validation and for the OpenAPI document.

Input that a page's form checks is checked by that same form (`checked_by`), so the API
and the pages refuse the same values in the same words.
"""

from __future__ import annotations

from django import forms
from rest_framework import serializers

from panel.operations.models import Operation as OperationRow
from panel.servers.models import MirroredServer


def checked_by(form_class, data: dict, *, names=None, **kwargs) -> dict:
    """`data` cleaned by a page's form; its errors as the API's validation errors (`names`:
    the API's name of a form field that the API calls otherwise)."""
    form: forms.Form = form_class(data, **kwargs)
    if not form.is_valid():
        names = {"__all__": "non_field_errors", **(names or {})}
        errors = {
            names.get(name, name): [str(error) for error in messages]
            for name, messages in form.errors.items()
        }
        raise serializers.ValidationError(errors)
    return form.cleaned_data


# --- answers ---------------------------------------------------------------------------------


class Connection(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class Server(serializers.ModelSerializer):
    """A server as the mirror has it. Its connection (the provider account) is the panel's
    staff's business, as on the pages: null for anyone else's token (context "staff")."""

    provider_id = serializers.IntegerField(source="srv_id", help_text="The provider's id.")
    os = serializers.CharField(source="os_name")
    ips = serializers.ListField(child=serializers.CharField(), source="addresses")
    connection = Connection(allow_null=True, help_text="For the panel's staff only.")
    customer = serializers.IntegerField(source="customer_id", allow_null=True)
    updated_at = serializers.DateTimeField(
        source="last_seen_at", help_text="When the provider last listed it."
    )
    missing = serializers.BooleanField(
        source="is_missing", help_text="Missing from the provider's latest list for now."
    )

    class Meta:
        model = MirroredServer
        fields = [
            "id",
            "provider_id",
            "display_name",
            "name",
            "label",
            "hostname",
            "status",
            "primary_ip",
            "ips",
            "location",
            "type",
            "os",
            "connection",
            "customer",
            "updated_at",
            "missing",
        ]
        read_only_fields = fields

    def to_representation(self, row):
        data = super().to_representation(row)
        if not self.context.get("staff"):
            data["connection"] = None
        return data


class Operation(serializers.ModelSerializer):
    label = serializers.CharField(help_text="What it is, in plain words.")
    server = serializers.IntegerField(source="server_id", allow_null=True)
    initiator = serializers.CharField(source="initiator_name")
    password_waiting = serializers.BooleanField(
        source="has_password",
        help_text="A reinstall's new root password waits to be revealed (once).",
    )

    class Meta:
        model = OperationRow
        fields = [
            "id",
            "kind",
            "label",
            "server",
            "server_name",
            "status",
            "progress",
            "error",
            "initiator",
            "origin",
            "input",
            "result",
            "password_waiting",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class Message(serializers.Serializer):
    message = serializers.CharField(help_text="What was done, in plain words.")


class Console(Message):
    address = serializers.CharField(source="ip_address")
    username = serializers.CharField()
    password = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)


class RootPassword(Message):
    password = serializers.CharField()


class Snapshot(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    display_name = serializers.CharField()
    created_at = serializers.DateTimeField(allow_null=True)
    state = serializers.CharField()
    completed = serializers.BooleanField(source="is_completed")


class Iso(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    state = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)
    ready = serializers.BooleanField(source="is_ready")
    mounted = serializers.BooleanField(source="is_mounted")


class Package(serializers.Serializer):
    id = serializers.IntegerField(source="package.id", allow_null=True)
    name = serializers.CharField(source="package.name")
    cores = serializers.IntegerField(source="package.cores", allow_null=True)
    ram_mb = serializers.IntegerField(source="package.ram_mb", allow_null=True)
    disk_gb = serializers.DecimalField(
        source="package.disk_gb", max_digits=12, decimal_places=2, allow_null=True
    )
    orderable = serializers.BooleanField()
    reason = serializers.CharField(help_text="Why it cannot be ordered, if it cannot.")


class System(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    version = serializers.CharField()
    arch = serializers.CharField()


class Distro(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    systems = System(many=True)


class ReinstallChoices(serializers.Serializer):
    distros = Distro(many=True)
    languages = serializers.ListField(child=serializers.CharField())
    keyboards = serializers.ListField(child=serializers.CharField())


class ReverseDNS(serializers.Serializer):
    address = serializers.CharField(help_text="An IPv4 address, or an IPv6 subnet (CIDR).")
    version = serializers.IntegerField()
    value = serializers.CharField(
        help_text="The PTR host name of an IPv4 address; the name servers of an IPv6 subnet."
    )


# --- requests --------------------------------------------------------------------------------


class Rename(serializers.Serializer):
    name = serializers.CharField(max_length=100, allow_blank=True)


class Power(serializers.Serializer):
    action = serializers.ChoiceField(choices=["reboot", "on", "off"])


class SetReverseDNS(serializers.Serializer):
    address = serializers.CharField(
        max_length=64, help_text="An IPv4 address or IPv6 subnet of the server, as listed."
    )
    value = serializers.CharField(
        max_length=5 * 254,
        help_text="A host name for an IPv4 address; one to five name servers (separated by "
        "commas or spaces) for an IPv6 subnet.",
    )


class TakeSnapshot(serializers.Serializer):
    name = serializers.CharField(max_length=64, required=False)


class Reinstall(serializers.Serializer):
    distro_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    os_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    hostname = serializers.CharField(max_length=253)
    language = serializers.CharField(max_length=64, required=False)
    keyboard = serializers.CharField(max_length=64, required=False)
    timezone = serializers.CharField(max_length=64, required=False)


class UploadIso(serializers.Serializer):
    url = serializers.CharField(max_length=2048)


class MountIso(serializers.Serializer):
    iso_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class OrderUpgrade(serializers.Serializer):
    package_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class OrderIPv4(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=["l3", "l2"],
        help_text="l3: routed to the server's main address; l2: on the same network segment "
        "(dedicated servers only).",
    )
