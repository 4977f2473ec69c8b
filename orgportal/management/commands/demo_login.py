import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from orgportal.demo import DEMO_PASSWORD, DEMO_USERS, seed_users
from orgportal.models import Unit

LOGIN_FILE = Path(settings.BASE_DIR) / "admin-login.txt"


class Command(BaseCommand):
    help = "确保存在超级管理员 admin，并打印其登录信息（密码首次生成后保存在 admin-login.txt）。"

    def handle(self, *args, **options):
        User = get_user_model()
        password = LOGIN_FILE.read_text().strip() if LOGIN_FILE.exists() else ""
        user = User.objects.filter(username="admin").first()
        if user is None or not password or not user.check_password(password):
            password = password or secrets.token_urlsafe(12)
            if user is None:
                user = User(username="admin", is_staff=True, is_superuser=True, first_name="系统管理员")
            user.set_password(password)
            user.save()
            LOGIN_FILE.write_text(password + "\n")
            LOGIN_FILE.chmod(0o600)
        self.stdout.write(
            f"\n管理后台 http://127.0.0.1:8000/{settings.ORGPORTAL_ADMIN_URL}   用户名 admin   密码 "
            f"{password}\nAPI 文档  http://127.0.0.1:8000/api/docs/\n"
        )
        # A demo database (seed_demo made its users): a login for every section and county, the ones a
        # newer demo adds created now. Any other database is left alone.
        if Unit.objects.exists() and User.objects.filter(username=DEMO_USERS[0][0]).exists():
            self.stdout.write(f"演示用户（密码 {DEMO_PASSWORD}）：")
            for username, name, unit in seed_users(DEMO_PASSWORD):
                self.stdout.write(f"  {username:16} {name}，{unit}")
