"""A county's own department (县区组织部) manages the full records of the cadres in its county — it
enters their 处分, corrects their ID numbers, exports their 任免审批表 — so it sees sensitive values
(of its jurisdiction only). See README “Who sees sensitive values”."""

from django.db import migrations

from orgportal.sections import grant


def grant_county(apps, schema_editor):
    grant(apps, ["县区组织部"], "orgportal", ["view_sensitive"])


class Migration(migrations.Migration):
    dependencies = [
        ("orgportal", "0006_idempotency_keys"),
    ]

    operations = [migrations.RunPython(grant_county, migrations.RunPython.noop)]
