"""A stable calendar UID per meeting, and the sequence each invitation was last sent.

The UID is added in three steps so that meetings already in a database each get their own.
"""

import uuid

from django.db import migrations, models


def give_each_meeting_a_uid(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    for meeting in Meeting.objects.filter(calendar_uid__isnull=True).only("pk").iterator():
        Meeting.objects.filter(pk=meeting.pk).update(calendar_uid=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="meeting", name="calendar_uid", field=models.UUIDField(null=True, editable=False)
        ),
        migrations.RunPython(give_each_meeting_a_uid, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="meeting",
            name="calendar_uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddField(
            model_name="historicalmeeting",
            name="calendar_uid",
            field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
        ),
        migrations.AddField(
            model_name="invitation",
            name="sent_sequence",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalinvitation",
            name="sent_sequence",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
    ]
