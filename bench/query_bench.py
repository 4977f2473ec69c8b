"""Combined-query benchmarks (issue 16), at the database's size.

1. A five-condition query across child records (age, a promotion within 10 years, 优秀 in the last
   5 years, no sanction in force, a practical posting), compiled from its JSON document by
   orgportal.query, against the same conditions hand-written as one Django queryset (goal ≤ 1.2×).
   Both return the matching ids, sorted; the compiled one includes validating and compiling the
   document. The two id lists must be equal.
2. Substring search (`LIKE '%…%'`) on 姓名, 现任职务 and 简历 with the pg_trgm GIN indexes and without
   them (`SET LOCAL enable_bitmapscan = off` in a transaction: a GIN index is read only through a
   bitmap scan). Patterns are taken from the data (a cadre's full name, a post, a resume line), so
   they are selective. Whether the index can serve Chinese depends on the database's LC_CTYPE: under
   `C` pg_trgm extracts no trigrams from CJK text, and migration cadres.0014 then creates no indexes
   (the note says which it is here; see docs/query.md). Also the admin's and the API's `search=`
   (icontains over 姓名, 公民身份号码 and 现任职务, OR): migration cadres.0015's indexes on UPPER(…).
"""

import datetime

from common import setup_django

DOCUMENT = {
    "op": "and",
    "conditions": [
        {"field": "age", "op": "between", "value": {"max": 45}},
        {"field": "movement", "op": "has", "value": {"kind": ["promotion"], "within_years": 10}},
        {"field": "assessment", "op": "has", "value": {"result": ["excellent"], "last_years": 5}},
        {"op": "not", "conditions": [{"field": "sanction", "op": "has", "value": {}}]},
        {"field": "posting", "op": "has", "value": {}},
    ],
}


def hand_written(on: datetime.date):
    from django.db.models import Exists, OuterRef

    from cadres.models import AnnualAssessment, Cadre, Movement, Posting, Sanction, birth_range_for_age

    start, end = birth_range_for_age(0, 45, on)
    return Cadre.objects.filter(
        Exists(
            Movement.objects.filter(
                cadre=OuterRef("pk"), kind="promotion", date__gte=on.replace(year=on.year - 10), date__lte=on
            )
        ),
        Exists(
            AnnualAssessment.objects.filter(
                cadre=OuterRef("pk"), result="excellent", year__gte=on.year - 5, year__lt=on.year
            )
        ),
        ~Exists(Sanction.objects.in_force(on).filter(cadre=OuterRef("pk"))),
        Exists(Posting.objects.filter(cadre=OuterRef("pk"))),
        birth_date__range=(start, end),
    )


def compiled(on: datetime.date):
    from cadres.models import Cadre
    from orgportal import query

    return query.apply(Cadre.objects.all(), DOCUMENT, on=on)


def ids(queryset) -> list[int]:
    return list(queryset.order_by("pk").values_list("pk", flat=True))


def trigram_works() -> bool | None:
    """Does pg_trgm extract trigrams from Chinese under this database's LC_CTYPE? None: not PostgreSQL."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT array_length(show_trgm('干部任免审批'), 1), current_setting('lc_ctype')")
        length, ctype = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname LIKE 'cadres_%%_trgm'")
        indexes = cursor.fetchone()[0]
    return bool(length), f"{ctype}; trigram indexes: {indexes}"


def plan(queryset) -> str:
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def rarest(model, field: str, samples) -> str:
    """The most selective 6-character piece of the sampled texts (counted before timing anything)."""
    pieces = {text[i : i + 6] for text in samples if len(text) >= 6 for i in range(0, len(text) - 5, 3)}
    counted = {p: model.objects.filter(**{f"{field}__contains": p}).count() for p in sorted(pieces)[:60]}
    return min(counted, key=lambda p: (counted[p], p))


def without_index(fn):
    """`fn()` with bitmap scans (so the GIN indexes) off, in a rolled-back transaction."""
    from django.db import connection, transaction

    def run():
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_bitmapscan = off")
            fn()

    return run


def run(report, args) -> None:
    setup_django()
    from django.db import connection
    from django.db.models import Q
    from django.utils import timezone

    from cadres.models import Cadre, ResumeEntry
    from orgportal import query

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    on = timezone.localdate()
    size = Cadre.objects.count()

    hand = ids(hand_written(on))
    assert ids(compiled(on)) == hand, "the compiled query and the hand-written one disagree"
    ours = report.measure(
        f"query: five conditions across child records, compiled ({size} cadres)",
        lambda: ids(compiled(on)),
        note=f"{len(hand)} found",
    )
    base = report.measure(
        f"query: the same hand-written as one queryset ({size} cadres)", lambda: ids(hand_written(on))
    )
    report.ratio("compiled / hand-written five-condition query", ours / base, "≤ 1.2×", ours / base <= 1.2)

    works = trigram_works()
    if works is None:
        return
    usable, ctype = works
    name = (
        Cadre.objects.filter(name__regex=r"^.{3}$").order_by("pk").values_list("name", flat=True)[size // 2]
    )
    step = max(1, size // 40)
    post = rarest(Cadre, "post", Cadre.objects.exclude(post="").values_list("post", flat=True)[:size:step])
    line = rarest(ResumeEntry, "text", ResumeEntry.objects.values_list("text", flat=True)[:size:step])
    searches = {
        f"姓名 contains “{name}”": query.apply(
            Cadre.objects.all(),
            {"op": "and", "conditions": [{"field": "name", "op": "contains", "value": name}]},
        ),
        f"姓名 contains “{name[1:]}” (2 characters)": Cadre.objects.filter(name__contains=name[1:]),
        f"现任职务 contains “{post}”": Cadre.objects.filter(post__contains=post),
        # the admin's and the API's search= over the cadre's search_fields (icontains, OR)
        f"search=“{name}” (姓名 / 身份号码 / 现任职务)": Cadre.objects.filter(
            Q(name__icontains=name) | Q(id_number__icontains=name) | Q(post__icontains=name)
        ),
        f"简历 has a line containing “{line}”": query.apply(
            Cadre.objects.all(),
            {"op": "and", "conditions": [{"field": "resume", "op": "has", "value": {"text": line}}]},
        ),
    }
    for label, queryset in searches.items():
        explained = plan(queryset)
        used = "trgm" in explained
        count = lambda qs=queryset: list(qs.values_list("pk", flat=True))  # noqa: E731
        with_index = report.measure(
            f"text search {label}, with index",
            count,
            note=f"lc_ctype={ctype}; trigrams from CJK: {'yes' if usable else 'no'}; plan uses index: {'yes' if used else 'no'}",
        )
        without = report.measure(f"text search {label}, without index", without_index(count))
        report.ratio(
            f"text search {label}: without / with index",
            without / with_index,
            "> 1 when the index is used",
            None,
        )


if __name__ == "__main__":
    import argparse

    from common import Report

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    report = Report(repeat=parser.parse_args().repeat)
    run(report, parser.parse_args())
    print(report.markdown("Combined-query benchmarks"))
