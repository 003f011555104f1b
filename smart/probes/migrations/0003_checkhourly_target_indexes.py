from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("probes", "0002_checkstate_rule_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="checkhourly",
            index=models.Index(fields=["installation", "check_type", "hour"], name="checkhourly_inst_idx"),
        ),
        migrations.AddIndex(
            model_name="checkhourly",
            index=models.Index(fields=["online_access", "check_type", "hour"], name="checkhourly_online_idx"),
        ),
    ]
