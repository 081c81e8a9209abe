"""Audit rows gain the request id, and every action takes the one naming scheme,
`<object>.<verb>` (rows written before keep their meaning under the new names)."""

from django.db import migrations, models

RENAMES = {
    "launch_server": "server.launch", "delete_server": "server.delete",
    "server_start": "server.start", "server_stop": "server.stop",
    "server_reboot": "server.reboot", "server_hard_reboot": "server.hard_reboot",
    "create_keypair": "keypair.create", "import_keypair": "keypair.import",
    "delete_keypair": "keypair.delete",
    "login": "session.login", "logout": "session.logout",
    "switch_project": "session.switch_project",
    "pool.create": "floating_ip_pool.create", "pool.delete": "floating_ip_pool.delete",
    "pool.add_range": "floating_ip_pool.add_range",
    "pool.delete_range": "floating_ip_pool.delete_range",
    "quota.floating_ips": "floating_ip_quota.set",
}


def rename(apps, schema_editor, mapping=RENAMES):
    AuditEvent = apps.get_model("portal", "AuditEvent")
    for old, new in mapping.items():
        AuditEvent.objects.filter(action=old).update(action=new)


def unrename(apps, schema_editor):
    rename(apps, schema_editor, {new: old for old, new in RENAMES.items()})


class Migration(migrations.Migration):

    dependencies = [("portal", "0001_initial")]

    operations = [
        migrations.AddField(model_name="auditevent", name="request_id",
                            field=models.CharField(blank=True, max_length=64)),
        migrations.RunPython(rename, unrename),
    ]
