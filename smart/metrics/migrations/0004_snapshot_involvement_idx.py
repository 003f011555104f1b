from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("metrics", "0003_session_last_seen_idx"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="snapshot",
            index=models.Index(condition=models.Q(("seats_total__gt", 0), ("users_active_month__isnull", False)),
                               fields=["installation", "month", "report_time"], name="snapshot_involvement_idx"),
        ),
    ]
