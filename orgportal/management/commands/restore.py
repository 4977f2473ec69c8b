"""`manage.py restore FILE [--target URL]`: a `backup` archive into an empty PostgreSQL database
(default: DATABASE_URL's), all or nothing (pg_restore --single-transaction). Refuses a database that
already has tables: restore into a fresh one, check it, then point DATABASE_URL at it."""

import dj_database_url
import psycopg
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from .backup import pg_env, pg_tool, run

TABLES = "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"


class Command(BaseCommand):
    help = "把 backup 生成的备份文件恢复到一个空的 PostgreSQL 数据库（--target，默认 DATABASE_URL）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="backup 生成的 .dump 文件")
        parser.add_argument("--target", help="目标数据库 URL（postgres://…，须为空库；默认 DATABASE_URL）")

    def handle(self, *args, file, target=None, **options):
        database = dj_database_url.parse(target) if target else connections["default"].settings_dict
        env = pg_env(database)
        params = {
            k.lower(): env[v]
            for k, v in (
                ("dbname", "PGDATABASE"),
                ("host", "PGHOST"),
                ("port", "PGPORT"),
                ("user", "PGUSER"),
                ("password", "PGPASSWORD"),
            )
            if v in env
        }
        try:
            with psycopg.connect(**params) as connection:
                tables = connection.execute(TABLES).fetchone()[0]
        except psycopg.Error as error:
            raise CommandError(f"无法连接目标数据库：{error}") from None
        if tables:
            raise CommandError(
                f"目标数据库 {database['NAME']} 已有 {tables} 张表：只恢复到空库（先 createdb 一个新库）"
            )
        run(
            [
                pg_tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "-d",
                database["NAME"],
                file,
            ],
            env,
        )
        self.stdout.write(f"已恢复到 {database['NAME']}")
