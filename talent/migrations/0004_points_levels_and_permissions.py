"""The default 乡土人才积分认定标准 (edited in the admin afterwards) and the sections' permissions on
the talent office's other records."""

from decimal import Decimal

from django.db import migrations

from orgportal.sections import ALL_SECTIONS, grant, model_perms

# Approved points from which a rural talent is proposed for certification at a level (E lowest).
DEFAULT_LEVELS = [
    ("E", Decimal(100), "初级乡土人才"),
    ("D", Decimal(200), "中级乡土人才"),
    ("C", Decimal(300), "高级乡土人才"),
]
STANDARDS = ["pointslevel"]  # global
SCOPED = [
    "pointentry",
    "studio",
    "studiomember",
    "studioevaluation",
    "targetedtrainee",
    "traineetracking",
    "signingevent",
    "signingagreement",
    "talentplanindicator",
]


def forwards(apps, schema_editor):
    PointsLevel = apps.get_model("talent", "PointsLevel")
    for level, minimum, note in DEFAULT_LEVELS:
        PointsLevel.objects.get_or_create(level=level, defaults={"min_points": minimum, "note": note})
    everything = STANDARDS + SCOPED
    grant(apps, ALL_SECTIONS, "talent", model_perms(everything, ["view"]))
    grant(apps, ["人才办"], "talent", model_perms(everything))
    grant(apps, ["县区组织部"], "talent", model_perms(SCOPED))


class Migration(migrations.Migration):
    dependencies = [("talent", "0003_development"), ("orgportal", "0002_section_groups")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
