from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from orgportal import access
from orgportal.management.commands.export_roster import user_for

from ... import lrmx
from ...models import Cadre


class Command(BaseCommand):
    help = (
        "导出干部任免审批表（.lrmx）：export_lrmx 干部编号 输出文件 [--case 任免事项编号] [--user 用户名]。"
    )

    def add_arguments(self, parser):
        parser.add_argument("cadre", type=int)
        parser.add_argument("outfile")
        parser.add_argument("--case", type=int, help="按该任免事项填写拟任、拟免职务、任免理由和呈报单位")
        parser.add_argument("--user", help="按该用户的管辖范围导出（默认：第一个超级用户）；须能查看敏感信息")

    def handle(self, *args, **options):
        user = user_for(options["user"])
        cadre = access.scope(Cadre.objects.select_related("unit"), user).filter(pk=options["cadre"]).first()
        if cadre is None:
            raise CommandError(f"没有编号为 {options['cadre']} 的干部，或不在该用户的管辖范围内")
        case = None
        if options["case"] is not None:
            case = (
                cadre.appointment_cases.select_related("submitting_unit").filter(pk=options["case"]).first()
            )
            if case is None:
                raise CommandError(f"该干部没有编号为 {options['case']} 的任免事项")
        try:
            data = lrmx.export(cadre, user=user, case=case, channel="command")
        except PermissionError as error:
            raise CommandError(str(error)) from error
        Path(options["outfile"]).write_bytes(data)
        self.stdout.write(f"{cadre.name}：任免审批表 → {options['outfile']}")
