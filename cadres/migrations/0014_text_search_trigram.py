"""Substring search on 姓名, 现任职务, 熟悉专业有何专长 and 简历 through pg_trgm GIN indexes (PostgreSQL only;
SQLite keeps its plain LIKE), and only where the database's LC_CTYPE makes trigrams of Chinese text.
See docs/query.md for what the database's locale must be."""

from django.db import migrations

INDEXES = [  # (index, table, column)
    ("cadres_cadre_name_trgm", "cadres_cadre", "name"),
    ("cadres_cadre_post_trgm", "cadres_cadre", "post"),
    ("cadres_cadre_expertise_trgm", "cadres_cadre", "expertise"),
    ("cadres_resume_text_trgm", "cadres_resumeentry", "text"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(array_length(show_trgm('干部任免'), 1), 0)")
        if not cursor.fetchone()[0]:
            # LC_CTYPE C/POSIX: no trigrams from Chinese, and the planner would still pick these
            # indexes for a Chinese LIKE and read them whole — slower than the table scan (measured
            # 2.3× on 简历 at 100 000 cadres). Recreate the database with a UTF-8 ctype, then run
            # `manage.py migrate cadres 0013 && manage.py migrate` to add them (docs/query.md).
            return
    for index, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin ({column} gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


class Migration(migrations.Migration):
    dependencies = [("cadres", "0013_saved_queries")]

    operations = [migrations.RunPython(create, drop)]
