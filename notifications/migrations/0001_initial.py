"""The outbox moves here from the audit app, keeping every row: the model's state is
created here and deleted from ``audit`` (its 0004), while the database only renames the
table and its index."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('participants', '0001_initial'),
        ('audit', '0003_outbox'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                # SQLite cannot rename an index: drop it and build it again under the new name.
                migrations.RunSQL(
                    "DROP INDEX audit_outbo_object__6bc63c_idx",
                    "CREATE INDEX audit_outbo_object__6bc63c_idx ON audit_outboundemail (object_type, object_id)",
                ),
                migrations.RunSQL(
                    "ALTER TABLE audit_outboundemail RENAME TO notifications_outboundemail",
                    "ALTER TABLE notifications_outboundemail RENAME TO audit_outboundemail",
                ),
                migrations.RunSQL(
                    "CREATE INDEX notificatio_object__5c9996_idx ON notifications_outboundemail (object_type, object_id)",
                    "DROP INDEX notificatio_object__5c9996_idx",
                ),
            ],
            state_operations=[
        migrations.CreateModel(
            name='OutboundEmail',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=200, unique=True)),
                ('created_at', models.DateTimeField(db_index=True)),
                ('status', models.CharField(choices=[('pending', 'Waiting to be sent'), ('sent', 'Sent'), ('failed', 'Failed (will be retried)')], db_index=True, default='pending', max_length=10)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('last_error', models.TextField(blank=True)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('to_email', models.EmailField(max_length=254)),
                ('subject', models.CharField(max_length=250)),
                ('body', models.TextField()),
                ('calendar', models.TextField(blank=True)),
                ('calendar_method', models.CharField(blank=True, max_length=10)),
                ('sequence', models.PositiveIntegerField(blank=True, null=True)),
                ('object_type', models.CharField(blank=True, max_length=100)),
                ('object_id', models.CharField(blank=True, max_length=64)),
                ('recipient', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='emails', to='participants.person')),
            ],
            options={
                'ordering': ['created_at', 'id'],
                'indexes': [models.Index(fields=['object_type', 'object_id'], name='notificatio_object__5c9996_idx')],
            },
        ),
            ],
        ),
    ]
