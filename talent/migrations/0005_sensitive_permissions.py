"""Sensitive values by section: 人才办 sees the ID numbers of the talents and targeted trainees it
manages (not the cadres'); see README “Who sees sensitive values”."""

from django.db import migrations

from orgportal.sections import grant


def grant_sections(apps, schema_editor):
    grant(apps, ["人才办"], "talent", ["view_sensitive_talent", "view_sensitive_targetedtrainee"])


class Migration(migrations.Migration):
    dependencies = [
        ("talent", "0004_points_levels_and_permissions"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="talent",
            options={
                "ordering": ["unit__path", "name", "id"],
                "permissions": [("view_sensitive_talent", "可查看人才的敏感信息（公民身份号码）")],
                "verbose_name": "人才",
                "verbose_name_plural": "人才",
            },
        ),
        migrations.AlterModelOptions(
            name="targetedtrainee",
            options={
                "ordering": ["unit__path", "-enrolled_on", "name", "id"],
                "permissions": [
                    ("view_sensitive_targetedtrainee", "可查看定向培养学生的敏感信息（公民身份号码）")
                ],
                "verbose_name": "定向培养学生",
                "verbose_name_plural": "定向培养学生",
            },
        ),
        migrations.RunPython(grant_sections, migrations.RunPython.noop),
    ]
