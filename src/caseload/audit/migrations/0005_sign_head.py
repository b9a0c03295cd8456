"""The events written so far are the legacy ones; sign the head with the current key, so that no
later event can claim the unkeyed hash and the head cannot be moved without the key."""

from django.db import migrations

from caseload.audit.chain import head_signature, signing_key


def sign_head(apps, schema_editor):  # type: ignore[no-untyped-def]
    head_model = apps.get_model("audit", "AuditChainHead")
    head, _ = head_model.objects.get_or_create(pk=1)
    head.legacy_until = head.sequence
    head.key_id, key = signing_key()
    head.signature = head_signature(head, key)
    head.save(update_fields=["legacy_until", "key_id", "signature"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_keyed_hashes")]
    operations = [migrations.RunPython(sign_head, migrations.RunPython.noop)]
