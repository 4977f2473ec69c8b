"""Backup and restore (manage.py backup / restore, around pg_dump -Fc and pg_restore): a seeded demo
database backed up and restored into a fresh database has every table's row count and a checksum of
every row equal. PostgreSQL only; on SQLite the commands refuse with the reason."""

import secrets
from urllib.parse import quote

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

ON_POSTGRES = connection.vendor == "postgresql"
needs_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="pg_dump/pg_restore: the PostgreSQL run only")

TABLES = (
    "SELECT table_name FROM information_schema.tables "
    "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
)


def table_sums(conn) -> dict[str, tuple[int, str]]:
    """Every table: (rows, md5 of every row's text in a fixed order)."""
    sums = {}
    for (table,) in conn.execute(TABLES).fetchall():
        quoted = '"' + table.replace('"', '""') + '"'
        sums[table] = conn.execute(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {quoted} t"
        ).fetchone()
    return sums


def libpq(settings_dict: dict, dbname: str) -> dict:
    params = {"dbname": dbname, "host": settings_dict["HOST"], "port": settings_dict["PORT"]}
    params.update(
        {k: settings_dict[K] for k, K in (("user", "USER"), ("password", "PASSWORD")) if settings_dict[K]}
    )
    return {k: v for k, v in params.items() if v}


def url(settings_dict: dict, dbname: str) -> str:
    auth = quote(settings_dict["USER"] or "")
    if settings_dict["PASSWORD"]:
        auth += ":" + quote(settings_dict["PASSWORD"])
    return (
        f"postgres://{auth}@{settings_dict['HOST'] or 'localhost'}:{settings_dict['PORT'] or 5432}/{dbname}"
    )


@pytest.fixture
def fresh_database():
    """An empty database beside the test database, dropped afterwards (pytest-django's own test
    database is left alone)."""
    settings_dict = connections["default"].settings_dict
    name = f"orgportal_restore_{secrets.token_hex(4)}"
    with psycopg.connect(**libpq(settings_dict, "postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(**libpq(settings_dict, "postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_equals_the_database_table_by_table(tmp_path, fresh_database, capsys):
    call_command("seed_demo", cadres=50, talents=20, classes=3)
    dump = tmp_path / "orgportal.dump"
    call_command("backup", str(dump))
    assert dump.stat().st_size > 0
    settings_dict = connections["default"].settings_dict
    call_command("restore", str(dump), target=url(settings_dict, fresh_database))

    with psycopg.connect(**libpq(settings_dict, settings_dict["NAME"])) as source:
        before = table_sums(source)
    with psycopg.connect(**libpq(settings_dict, fresh_database)) as restored:
        after = table_sums(restored)
    assert before["cadres_cadre"][0] >= 50 and before["django_migrations"][0] > 0
    assert set(after) == set(before)
    different = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
    assert not different


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_has_tables(tmp_path):
    dump = tmp_path / "orgportal.dump"
    call_command("backup", str(dump))
    settings_dict = connections["default"].settings_dict
    with pytest.raises(CommandError, match="只恢复到空库"):
        call_command("restore", str(dump), target=url(settings_dict, settings_dict["NAME"]))


@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite run: the commands say they need PostgreSQL")
@pytest.mark.django_db
@pytest.mark.parametrize("command", [("backup",), ("restore", "x.dump")])
def test_on_sqlite_the_commands_say_what_they_need(command):
    with pytest.raises(CommandError, match="需要 PostgreSQL"):
        call_command(*command)
