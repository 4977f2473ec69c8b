"""`manage.py backup [FILE]`: the whole PostgreSQL database (DATABASE_URL) as a pg_dump custom-format
archive (-Fc: compressed, restored by `manage.py restore`). See README "Backup and restore"."""

import os
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone


def pg_env(database: dict) -> dict[str, str]:
    """libpq's environment for a Django database setting (the password never on a command line)."""
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise CommandError("备份与恢复需要 PostgreSQL（SQLite 的备份是复制 db.sqlite3 文件）")
    env = {**os.environ, "PGDATABASE": database["NAME"]}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if database.get(key):
            env[variable] = str(database[key])
    return env


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CommandError(f"找不到 {name}（请安装 PostgreSQL 客户端，版本不低于服务器）")
    return path


def run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        raise CommandError(f"{Path(command[0]).name} 失败：{done.stderr.strip()}")


class Command(BaseCommand):
    help = "备份 PostgreSQL 数据库（DATABASE_URL）为 pg_dump 自定义格式文件（-Fc），用 restore 命令恢复。"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="备份文件（默认 backups/orgportal-<日期时间>.dump）")

    def handle(self, *args, file=None, **options):
        env = pg_env(connections["default"].settings_dict)
        target = Path(
            file or Path(settings.BASE_DIR) / "backups" / f"orgportal-{timezone.now():%Y%m%d-%H%M%S}.dump"
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        run([pg_tool("pg_dump"), "-Fc", "--no-owner", "--no-privileges", "-f", str(target)], env)
        target.chmod(0o600)  # personal information: readable by its owner only
        self.stdout.write(f"已备份到 {target}（{target.stat().st_size / 1024 / 1024:.1f} MB）")
