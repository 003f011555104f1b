from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("metrics", "0002_spp_up"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="sessionevent",
            index=models.Index(fields=["installation", "last_seen"], name="session_last_seen_idx"),
        ),
    ]
