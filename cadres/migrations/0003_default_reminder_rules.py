"""The reminder rules as shipped; staff edit them in the admin (规则)."""

from django.db import migrations

DEFAULTS = [
    ("retirement_due", "临近法定退休年龄（6个月内）", {"months": 6}),
    ("long_in_post", "任现职满5年", {"years": 5}),
    ("long_in_post", "任现职满8年", {"years": 8}),
    ("long_in_post", "任现职满10年（应交流）", {"years": 10}),
    ("rank_promotion_eligible", "符合职级晋升年限（2年）", {"years": 2}),
    ("probation_ending", "任职试用期30天内届满", {"days": 30}),
]


def create_rules(apps, schema_editor):
    Rule = apps.get_model("orgportal", "Rule")
    for order, (kind, name, params) in enumerate(DEFAULTS, 1):
        Rule.objects.get_or_create(purpose="reminder", kind=kind, name=name,
                                   defaults={"params": params, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("cadres", "0002_section_permissions"), ("orgportal", "0003_rules")]

    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]
