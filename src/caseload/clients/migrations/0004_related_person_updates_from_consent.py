"""'May receive updates' becomes a consent record.

Before consents were recorded, a related person carried a "may receive updates" box. Each person
with the box ticked gets a verbal consent to share progress updates and the care plan, dated the
day (in the organisation's time zone) they were added and recorded by whoever added them (from the audit trail; otherwise the
first administrator or superuser), so nobody loses the permission the box gave. Then the box
goes: the chart derives "may receive updates" from the consents in force.
"""

from django.db import migrations
from django.utils import timezone

NOTE = (
    "Carried over from the 'may receive updates' box on the family member's record, "
    "before consents were recorded."
)


def box_to_consent(apps, schema_editor):  # noqa: ANN001, ANN201 - migration signature
    RelatedPerson = apps.get_model("clients", "RelatedPerson")
    Consent = apps.get_model("consents", "Consent")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    User = apps.get_model("staff", "User")
    fallback = (
        User.objects.filter(is_administrator=True).order_by("date_joined").first()
        or User.objects.filter(is_superuser=True).order_by("date_joined").first()
        or User.objects.order_by("date_joined").first()
    )
    for person in RelatedPerson.objects.filter(may_receive_updates=True).select_related("client"):
        added = (
            AuditEvent.objects.filter(action="related_person.created", target_id=str(person.pk))
            .exclude(actor=None)
            .order_by("sequence")
            .first()
        )
        recorder_id = added.actor_id if added is not None else getattr(fallback, "pk", None)
        if recorder_id is None:  # no users at all: nothing can have been recorded
            continue
        Consent.objects.create(
            client_id=person.client_id,
            kind="share_related_person",
            related_person_id=person.pk,
            categories=["notes", "care_plan"],
            method="verbal",
            given_on=timezone.localdate(person.created_at),
            recorded_by_id=recorder_id,
            note=NOTE,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0003_entered_in_error"),
        ("consents", "0002_entered_in_error"),
        ("audit", "0003_chain_head"),
        ("staff", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(box_to_consent, migrations.RunPython.noop),
        migrations.RemoveField(model_name="relatedperson", name="may_receive_updates"),
    ]
