from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from orgportal import rosters


class Command(BaseCommand):
    help = "导出花名册（.xlsx），供定时任务使用：export_roster 花名册 输出文件 [--user 用户名] [--filter 字段=值 …]；--list 列出花名册。"

    def add_arguments(self, parser):
        parser.add_argument("roster", nargs="?")
        parser.add_argument("outfile", nargs="?")
        parser.add_argument("--user", help="按该用户的管辖范围和敏感信息权限导出（默认：第一个超级用户）")
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="FIELD=VALUE",
            help="Django 查询条件，如 --filter status=serving --filter unit__name=红花岗区",
        )
        parser.add_argument("--list", action="store_true", help="列出所有花名册")

    def handle(self, *args, **options):
        if options["list"]:
            for roster in rosters.ROSTERS.values():
                self.stdout.write(f"{roster.name}\t{roster.title}\t{roster.model._meta.verbose_name}")
            return
        if not options["roster"] or not options["outfile"]:
            raise CommandError("用法：export_roster 花名册 输出文件（或 --list）")
        try:
            roster = rosters.get(options["roster"])
        except KeyError as error:
            raise CommandError(error.args[0]) from error
        user = user_for(options["user"])
        filters = {}
        for item in options["filter"]:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--filter 应写作 字段=值：{item}")
            filters[name] = value
        try:
            queryset = roster.model._default_manager.filter(**filters)
            count = rosters.export(
                roster,
                queryset,
                user,
                options["outfile"],
                channel="command",
                description=" ".join(options["filter"]),
            )
        except Exception as error:  # a bad field name in --filter
            if isinstance(error, CommandError):
                raise
            raise CommandError(f"导出失败：{error}") from error
        self.stdout.write(f"{roster.title}：{count} 行 → {options['outfile']}")


def user_for(username):
    User = get_user_model()
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户 {username}")
        return user
    user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError("请用 --user 指定用户（没有超级用户）")
    return user
