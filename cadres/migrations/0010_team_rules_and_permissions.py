"""The team structure rules as shipped (staff edit them in the admin: 班子结构要求), and the sections'
permissions on post quotas, team analyses and 平时考核."""

from django.db import migrations

from orgportal.sections import ALL_SECTIONS, grant, model_perms

TEAMS = ["postquota", "teamanalysis", "memberassessment", "regularassessment"]
CONFIG = ["teamrule"]
ECONOMY = "经济,金融,财政,财会,财务,会计,审计,统计,税务"
# (unit kind, rule kind, name, minimum, max age, keywords)
RULES = [
    ("county", "woman", "县（市、区）党政班子至少配备1名女干部", 1, None, ""),
    ("county", "non_party", "县（市、区）党政班子（政府班子）至少配备1名党外干部", 1, None, ""),
    ("county", "young", "县（市、区）党政班子至少配备1名40岁及以下干部", 1, 40, ""),
    ("county", "background", "县（市、区）党政班子至少1名具有经济金融等专业背景的干部", 1, None, ECONOMY),
    ("township", "woman", "乡镇（街道）领导班子至少配备1名女干部", 1, None, ""),
    ("township", "young", "乡镇（街道）领导班子至少配备1名35岁及以下干部", 1, 35, ""),
]


def forwards(apps, schema_editor):
    TeamRule = apps.get_model("cadres", "TeamRule")
    for order, (unit_kind, kind, name, minimum, max_age, keywords) in enumerate(RULES, 1):
        TeamRule.objects.get_or_create(
            unit_kind=unit_kind,
            kind=kind,
            name=name,
            defaults={"minimum": minimum, "max_age": max_age, "keywords": keywords, "sort_order": order},
        )
    grant(apps, ALL_SECTIONS, "cadres", model_perms(TEAMS + CONFIG, ["view"]))
    grant(apps, ["干部科"], "cadres", model_perms(TEAMS + CONFIG))
    grant(apps, ["县区组织部"], "cadres", model_perms(TEAMS))


class Migration(migrations.Migration):
    dependencies = [("cadres", "0009_teams"), ("orgportal", "0002_section_groups")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
