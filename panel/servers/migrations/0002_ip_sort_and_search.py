"""Sort the IP column as addresses, and search every address of a server.

Adds `primary_ip_sort` (a key that sorts like the numbers: .9 before .10) and `ips` (all
IPv4/IPv6 addresses, space-separated) and fills both from the rows already mirrored, so
the list is right before the next refresh. The helpers are copied here on purpose: a
migration must not change when the app's code does.
"""

import ipaddress

from django.db import migrations, models


def ip_sort_key(value):
    value = (value or "").strip()
    if not value:
        return ""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return ("9 " + value.lower())[:64]
    if address.version == 4:
        return "4 " + ".".join(f"{int(octet):03d}" for octet in str(address).split("."))
    return "6 " + address.exploded


def all_ips(primary, raw):
    found = [primary] if primary else []
    records = raw.get("ips") if isinstance(raw, dict) else None
    for record in records if isinstance(records, list) else []:
        address = record.get("ip_address") if isinstance(record, dict) else None
        if isinstance(address, str) and address.strip() and address.strip() not in found:
            found.append(address.strip())
    return " ".join(found)


def fill(apps, schema_editor):
    MirroredServer = apps.get_model("servers", "MirroredServer")
    batch = []
    rows = MirroredServer.objects.only("id", "primary_ip", "raw").order_by("pk")
    for row in rows.iterator(chunk_size=500):
        row.primary_ip_sort = ip_sort_key(row.primary_ip)
        row.ips = all_ips(row.primary_ip, row.raw)
        batch.append(row)
        if len(batch) == 500:
            MirroredServer.objects.bulk_update(batch, ["primary_ip_sort", "ips"])
            batch = []
    if batch:
        MirroredServer.objects.bulk_update(batch, ["primary_ip_sort", "ips"])


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0001_initial"),
        ("servers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="mirroredserver",
            name="ips",
            field=models.TextField(blank=True, verbose_name="IP addresses"),
        ),
        migrations.AddField(
            model_name="mirroredserver",
            name="primary_ip_sort",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="mirroredserver",
            name="primary_ip",
            field=models.CharField(blank=True, max_length=64, verbose_name="primary IP"),
        ),
        migrations.AddIndex(
            model_name="mirroredserver",
            index=models.Index(fields=["primary_ip_sort", "srv_id"], name="server_ip_sort"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
