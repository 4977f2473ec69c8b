from django.core.management.base import BaseCommand, CommandError

from orgportal import rosters
from orgportal.management.commands.export_roster import user_for
from orgportal.models import Unit


class Command(BaseCommand):
    help = "导入花名册（.xlsx）：先逐行校验；有任何错误则不写入并以非零状态退出，打印逐行报告。"

    def add_arguments(self, parser):
        parser.add_argument("roster")
        parser.add_argument("file")
        parser.add_argument("--unit", type=int, help="文件没有单位列时，记录放入的单位（编号）")
        parser.add_argument("--user", help="以该用户的身份和管辖范围导入（默认：第一个超级用户）")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")

    def handle(self, *args, **options):
        try:
            roster = rosters.get(options["roster"])
        except KeyError as error:
            raise CommandError(error.args[0]) from error
        user = user_for(options["user"])
        unit = None
        if options["unit"] is not None:
            unit = Unit.objects.filter(pk=options["unit"]).first()
            if unit is None:
                raise CommandError(f"没有编号为 {options['unit']} 的单位")
        try:
            handle = open(options["file"], "rb")  # noqa: SIM115 (closed below)
        except OSError as error:
            raise CommandError(f"无法打开文件：{error}") from error
        with handle:
            report = rosters.import_file(roster, handle, user, unit=unit, dry_run=options["dry_run"])
        self.stdout.write(report.as_text())
        if not report.ok:
            raise CommandError("文件有错误，未写入任何数据")
