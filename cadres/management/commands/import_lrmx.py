from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from orgportal.management.commands.export_roster import user_for
from orgportal.models import Unit

from ... import lrmx


class Command(BaseCommand):
    help = (
        "导入干部任免审批表（.lrmx，或装有多个 .lrmx 的 .zip）：先逐个文件、逐项校验；"
        "有任何错误则不写入并以非零状态退出，打印报告。"
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument(
            "--unit",
            type=int,
            help="新增干部放入的单位（编号）；无公民身份号码的文件在此单位中按姓名和出生年月匹配",
        )
        parser.add_argument("--user", help="以该用户的身份和管辖范围导入（默认：第一个超级用户）")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")

    def handle(self, *args, **options):
        user = user_for(options["user"])
        unit = None
        if options["unit"] is not None:
            unit = Unit.objects.filter(pk=options["unit"]).first()
            if unit is None:
                raise CommandError(f"没有编号为 {options['unit']} 的单位")
        files = []
        for name in options["files"]:
            try:
                files.append((Path(name).name, Path(name).read_bytes()))
            except OSError as error:
                raise CommandError(f"无法打开文件：{error}") from error
        report = lrmx.import_files(files, user, unit=unit, dry_run=options["dry_run"])
        self.stdout.write(lrmx.report_text(report))
        if not report.ok:
            raise CommandError("文件有错误，未写入任何数据")
