import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from orgportal import tokens


class Command(BaseCommand):
    help = (
        "为系统账号创建 API 令牌并打印令牌（只显示这一次）。系统账号是“系统账号”组的用户，"
        "它的组、权限和管辖单位决定令牌能读写什么；--create 新建这样的账号（无密码、不能登录管理后台）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="系统账号的用户名")
        parser.add_argument("name", help="令牌名称（使用它的系统）")
        parser.add_argument("--days", type=int, help="有效天数（默认长期有效）")
        parser.add_argument("--create", action="store_true", help="账号不存在时新建为系统账号")

    def handle(self, *args, username, name, days=None, create=False, **options):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            if not create:
                raise CommandError(f"用户 {username} 不存在（--create 新建为系统账号）")
            user = User.objects.create(username=username, first_name=name[:150])
            tokens.make_system_account(user)
        if not tokens.is_system_account(user):
            raise CommandError(f"{username} 不是系统账号（“{tokens.SYSTEM_GROUP}”组）：令牌只发给系统账号")
        expires_at = timezone.now() + datetime.timedelta(days=days) if days else None
        try:
            token, key = tokens.create_token(user, name, expires_at=expires_at)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        self.stderr.write(f"已创建令牌 {token}（请求头 Authorization: Token <令牌>）；令牌只显示这一次：")
        self.stdout.write(key)
