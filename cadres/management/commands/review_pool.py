import csv

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cadres.models import PoolMembership
from cadres.rules import review_pool
from orgportal import access
from orgportal.validators import parse_partial_date


class Command(BaseCommand):
    help = "年轻干部库月度研判：列出违反库规则（超龄、处分影响期、红色预警、已退休调出等）的在库成员及原因（制表符分隔）。"

    def add_arguments(self, parser):
        parser.add_argument("--on", help="研判日期（默认今天），如 2026-11-25")
        parser.add_argument("--user", help="按该用户的管辖范围筛选（默认全部）")

    def handle(self, *args, **options):
        try:
            on = parse_partial_date(options["on"]) if options["on"] else None
        except ValueError as error:
            raise CommandError(str(error)) from error
        members = PoolMembership.objects.all()
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"没有用户 {options['user']}")
            members = access.scope(members, user)
        rows = review_pool(on, queryset=members)
        writer = csv.writer(self.stdout, delimiter="\t", lineterminator="\n")
        writer.writerow(["姓名", "单位", "培养层级", "入库日期", "原因"])
        for membership, reasons in rows:
            writer.writerow(
                [
                    membership.cadre.name,
                    membership.cadre.unit.name,
                    membership.get_tier_display(),
                    membership.entered_on,
                    "；".join(reasons),
                ]
            )
        self.stderr.write(f"待调整 {len(rows)} 人")
