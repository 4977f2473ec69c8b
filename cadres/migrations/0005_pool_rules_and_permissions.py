"""The pool's review rules as shipped, and the sections' permissions on the pool."""

from django.db import migrations

from orgportal.sections import ALL_SECTIONS, grant, model_perms

POOL = ["programme", "poolmembership", "developmentplan", "planmeasure", "planreview", "dossierentry", "posting"]
RULES = [
    ("pool_over_age", "超过培养层级的年龄门槛",
     {"thresholds": {"county_chief": 45, "county_deputy": 40, "township_chief": 35}}),
    ("pool_sanction", "处分或组织处理影响期内", {}),
    ("pool_red_warning", "有未解除的红色预警", {}),
    ("pool_not_serving", "已退休、调出、去世等", {}),
]


def forwards(apps, schema_editor):
    Rule = apps.get_model("orgportal", "Rule")
    for order, (kind, name, params) in enumerate(RULES, 1):
        Rule.objects.get_or_create(purpose="pool", kind=kind, defaults={"name": name, "params": params,
                                                                        "sort_order": order})
    grant(apps, ALL_SECTIONS, "cadres", model_perms(POOL, ["view"]))
    grant(apps, ["综干科"], "cadres", model_perms(POOL))
    grant(apps, ["县区组织部"], "cadres", model_perms([m for m in POOL if m != "programme"]))


class Migration(migrations.Migration):
    dependencies = [("cadres", "0004_pool"), ("orgportal", "0003_rules")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
