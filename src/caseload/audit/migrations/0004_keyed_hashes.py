"""Keyed hashes: each event names the key it was signed with; the head is signed.

Events already written keep their plain SHA-256 and are marked "sha256-legacy"."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_chain_head")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(default="sha256-legacy", max_length=40),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="key_id",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="legacy_until",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="signature",
            field=models.CharField(blank=True, max_length=64),
        ),
    ]
