"""Sync benchmarks (issue 15): what another system pays to keep a copy of the database's cadres.

- full list: every page of /api/v1/cadres/?page_size=500 with the full serializer (every field,
  derived ones, reminders), the baseline;
- fields=: every page with the ten payroll fields only (`only()` loads just those columns);
- updated_since: the next night's run, when 1 % of the cadres changed: one filtered fields= list;
- change feed: the same 1 % through /api/v1/changes/, then the changed cadres read 500 at a time
  (`?ids=…&fields=…`).

Requests go through Django's test Client as the city-level staff user (whole city, masked), like
web_bench; the API rate limits are lifted for the run. The changes it makes (1 % of the cadres
saved once, with history) are left in the throwaway database.
"""

import datetime

from common import setup_django

USER = "city_cadre"
FIELDS = "id,name,gender,birth_date,id_number,unit,unit_name,post,level,rank,updated_at"
PAGE = 500
CHANGED_SHARE = 0.01


def run(report, args):
    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from cadres.models import Cadre
    from orgportal import sync

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.ORGPORTAL_API_RATES = {"token": "1000000/min", "user": "1000000/min"}
    settings.ORGPORTAL_FEED_SKEW_SECONDS = 0  # nobody else writes to the bench database
    settings.ORGPORTAL_FEED_LAG_SECONDS = 0
    user = get_user_model().objects.get(username=USER)
    browser = Client()
    browser.force_login(user)

    def get(url, **params):
        response = browser.get(url, params)
        assert response.status_code == 200, (url, params, response.status_code, response.content[:300])
        return response.json()

    def all_pages(**params):
        rows, page = 0, 1
        while True:
            data = get("/api/v1/cadres/", page_size=PAGE, page=page, **params)
            rows += len(data["results"])
            if not data["next"]:
                return rows
            page += 1

    total = all_pages(fields="id")
    full = report.measure(
        "sync: full list, full serializer", lambda: all_pages(), repeat=3, note=f"{total} cadres, {PAGE}/page"
    )
    narrow = report.measure(
        "sync: full list, fields= (10 fields)",
        lambda: all_pages(fields=FIELDS),
        repeat=3,
        note=f"{total} cadres",
    )
    report.ratio(
        "sync: full serializer / fields= (whole list)",
        full / narrow,
        "> 1: fields= is cheaper",
        full > narrow,
    )

    # The next night: 1 % of the cadres changed (saved through the model: history rows, updated_at).
    cursor = sync.encode_cursor(timezone.now() - datetime.timedelta(microseconds=1), "", 0)
    since = timezone.now()
    changed = list(Cadre.objects.order_by("?")[: max(1, int(total * CHANGED_SHARE))])
    for cadre in changed:
        cadre.note = (cadre.note + " 同步基准").strip()
        cadre.save()

    def by_updated_since():
        return all_pages(fields=FIELDS, updated_since=since.isoformat())

    def by_feed():
        after, seen = cursor, 0
        while True:
            page = get("/api/v1/changes/", after=after, limit=1000)
            ids = sorted(
                {c["id"] for c in page["results"] if c["model"] == "cadres.cadre" and c["action"] != "delete"}
            )
            for start in range(0, len(ids), PAGE):
                batch = ",".join(map(str, ids[start : start + PAGE]))
                seen += len(get("/api/v1/cadres/", ids=batch, fields=FIELDS, page_size=PAGE)["results"])
            after = page["next"]
            if not page["more"]:
                return seen

    assert by_updated_since() == len(changed), "updated_since misses changes"
    assert by_feed() == len(changed), "the feed misses changes"
    note = f"{len(changed)} of {total} changed"
    incremental = report.measure("sync: next night by updated_since + fields=", by_updated_since, note=note)
    fed = report.measure("sync: next night by change feed + ids=&fields= list", by_feed, repeat=3, note=note)
    report.ratio(
        "sync: full serializer list / updated_since night", full / incremental, "≫ 1", full > incremental
    )
    report.ratio("sync: full serializer list / change-feed night", full / fed, "> 1", full > fed)
