from importlib import import_module
from importlib.util import find_spec
from time import perf_counter

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from orgportal import access, demo
from orgportal.demo import DEMO_PASSWORD
from orgportal.history import record_initial_history
from orgportal.models import Unit


def app_demo_modules():
    """The apps' demo modules (`<app>/demo.py`), in settings order."""
    for app in settings.ORGPORTAL_APPS:
        if app in settings.INSTALLED_APPS and find_spec(app) and find_spec(f"{app}.demo"):
            yield import_module(f"{app}.demo")


DEMO_REASON = "演示数据（批量载入）"


class Command(BaseCommand):
    help = "建立演示数据：单位树、各科室演示用户（密码相同），以及各应用的演示记录。可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="只在数据库中还没有单位时执行")
        parser.add_argument("--password", default=DEMO_PASSWORD, help="演示用户的密码")
        for module in app_demo_modules():
            module.add_arguments(parser)

    def handle(self, *args, **options):
        if options["if_empty"] and Unit.objects.exists():
            self.stdout.write("seed_demo: 数据库已有数据，跳过。")
            return
        started = perf_counter()
        created = demo.seed_units()
        self.stdout.write(f"seed_demo: 单位 {created} 个新建（共 {Unit.objects.count()} 个）")
        for username, name, unit in demo.seed_users(options["password"]):
            self.stdout.write(f"  演示用户 {username:14} {name}（{unit}）")
        for module in app_demo_modules():
            module.seed(options, self.stdout)
        # history of every record: a "created" row for what the apps bulk-loaded without save()
        started_history = perf_counter()
        added = sum(
            record_initial_history(model, reason=DEMO_REASON)
            for model in access.domain_models()
            if hasattr(model._meta, "simple_history_manager_attribute")
        )
        self.stdout.write(
            f"seed_demo: 历史记录 {added} 条（批量载入的记录的新增记录）；用时 {perf_counter() - started_history:.1f} 秒"
        )
        if connection.vendor == "postgresql":  # planner statistics for the freshly bulk-loaded tables
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"seed_demo: 完成，用时 {perf_counter() - started:.1f} 秒；演示用户密码：{options['password']}"
        )
