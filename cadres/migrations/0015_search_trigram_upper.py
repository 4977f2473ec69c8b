"""The admin's and the API's `search=` (Django's icontains: `UPPER(col::text) LIKE UPPER(%s)`) on the
cadre's 姓名, 公民身份号码 and 现任职务, served by pg_trgm GIN indexes on that expression — under the
same condition as 0014: PostgreSQL, and a LC_CTYPE that makes trigrams of Chinese (docs/query.md)."""

from django.db import migrations

INDEXES = [  # (index, table, column)
    ("cadres_cadre_name_upper_trgm", "cadres_cadre", "name"),
    ("cadres_cadre_id_number_upper_trgm", "cadres_cadre", "id_number"),
    ("cadres_cadre_post_upper_trgm", "cadres_cadre", "post"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(array_length(show_trgm('干部任免'), 1), 0)")
        if not cursor.fetchone()[0]:
            return  # no trigrams of Chinese under this ctype: see 0014
    for index, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


class Migration(migrations.Migration):
    dependencies = [("cadres", "0014_text_search_trigram")]

    operations = [migrations.RunPython(create, drop)]
