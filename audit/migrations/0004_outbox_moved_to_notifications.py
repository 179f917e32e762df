"""The outbox now belongs to the notifications app (its 0001 renames the table): here it
leaves the audit app's state only; no row is touched."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_outbox"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="outboundemail", name="audit_outbo_object__6bc63c_idx"),
                migrations.DeleteModel(name="OutboundEmail"),
            ],
        ),
    ]
