"""The change feed (/api/v1/changes/): complete and without repeats across interleaved writes and
deletions, scoped to the caller's jurisdiction and model permissions, constant queries per page."""

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres.models import Cadre
from orgportal import access, sync
from tests.factories import CadreFactory, ResumeEntryFactory, UserFactory

URL = reverse("changes-list")


@pytest.fixture(autouse=True)
def no_lag(settings):
    settings.ORGPORTAL_FEED_LAG_SECONDS = 0
    settings.ORGPORTAL_FEED_SKEW_SECONDS = 0


def viewer(unit=None, *models, all_units=False):
    perms = [f"cadres.view_{m}" for m in (models or ("cadre",))]
    if all_units:
        perms.append(access.VIEW_ALL_UNITS)
    return UserFactory(perms=perms, units=[unit] if unit else [])


def read_all(client, after=None, limit=3):
    """Follow the feed to its end; every change seen, and the last cursor."""
    seen = []
    while True:
        params = {"limit": limit, **({"after": after} if after else {})}
        response = client.get(URL, params)
        assert response.status_code == 200, response.data
        seen += [(row["model"], row["id"], row["action"]) for row in response.data["results"]]
        after = response.data["next"]
        if not response.data["more"]:
            return seen, after


def cadre_changes(*cadres_or_ids):
    """The expected feed of these cadres, from their history (oldest first)."""
    ids = [getattr(c, "pk", c) for c in cadres_or_ids]
    rows = Cadre.history.filter(id__in=ids).order_by("history_date", "history_id")
    return [("cadres.cadre", row.id, sync.ACTIONS[row.history_type]) for row in rows]


def test_feed_misses_nothing_and_repeats_nothing_across_interleaved_writes(county_a, api):
    client = api.as_user(viewer(county_a))
    first = [CadreFactory(unit=county_a) for _ in range(4)]
    ids = [c.pk for c in first]
    seen, cursor = read_all(client, limit=3)
    # writes interleaved with reading: updates, deletions and new records after the stored cursor
    first[0].post = "新职务"
    first[0].save()
    first[1].delete()
    later = CadreFactory(unit=county_a)
    page = client.get(URL, {"after": cursor, "limit": 2}).data
    seen += [(r["model"], r["id"], r["action"]) for r in page["results"]]
    first[2].delete()
    later.post = "再改"
    later.save()
    more, cursor = read_all(client, after=page["next"], limit=2)
    seen += more
    assert seen == cadre_changes(*ids, later)
    assert ("cadres.cadre", ids[1], "delete") in seen
    assert ("cadres.cadre", ids[2], "delete") in seen
    # nothing new: the stored cursor answers an empty page and keeps itself
    empty = client.get(URL, {"after": cursor}).data
    assert empty["results"] == [] and empty["next"] == cursor and empty["more"] is False


def test_feed_row_cursors_resume_mid_page(county_a, api):
    client = api.as_user(viewer(county_a))
    cadres = [CadreFactory(unit=county_a) for _ in range(5)]
    rows = client.get(URL).data["results"]
    resumed = client.get(URL, {"after": rows[1]["cursor"]}).data["results"]
    assert [r["id"] for r in resumed] == [c.pk for c in cadres[2:]]


def test_feed_keeps_to_the_jurisdiction_including_deletions(county_a, county_b, api):
    mine = CadreFactory(unit=county_a)
    theirs = CadreFactory(unit=county_b)
    theirs_id = theirs.pk
    theirs.delete()
    mine_id = mine.pk
    mine.delete()
    seen, _cursor = read_all(api.as_user(viewer(county_a)))
    assert {(i, a) for _m, i, a in seen} == {(mine_id, "create"), (mine_id, "delete")}
    everything, _cursor = read_all(api.as_user(viewer(all_units=True)))
    assert ("cadres.cadre", theirs_id, "delete") in everything


def test_feed_shows_a_record_under_the_unit_it_had_at_that_time(county_a, county_b, api):
    cadre = CadreFactory(unit=county_a)
    cadre.unit = county_b
    cadre.save()
    seen_a, _ = read_all(api.as_user(viewer(county_a)))
    seen_b, _ = read_all(api.as_user(viewer(county_b)))
    assert seen_a == [("cadres.cadre", cadre.pk, "create")]
    assert seen_b == [("cadres.cadre", cadre.pk, "update")]


def test_feed_leaves_out_models_without_view_permission(county_a, api):
    cadre = CadreFactory(unit=county_a)
    ResumeEntryFactory(cadre=cadre)
    only_cadres, _ = read_all(api.as_user(viewer(county_a)))
    assert {m for m, _i, _a in only_cadres} == {"cadres.cadre"}
    both, _ = read_all(api.as_user(viewer(county_a, "cadre", "resumeentry")))
    assert {m for m, _i, _a in both} == {"cadres.cadre", "cadres.resumeentry"}


def test_feed_names_the_acting_user_and_the_resource(county_a, api):
    author = UserFactory(perms=["cadres.add_cadre", "cadres.view_cadre"], units=[county_a])
    from orgportal.history import acting_as

    with acting_as(author):
        cadre = CadreFactory(unit=county_a)
    row = api.as_user(viewer(county_a)).get(URL).data["results"][0]
    assert (row["id"], row["user"], row["resource"], row["action"]) == (
        cadre.pk,
        author.username,
        "cadres",
        "create",
    )


def test_feed_rejects_a_malformed_cursor(county_a, api):
    response = api.as_user(viewer(county_a)).get(URL, {"after": "not-a-cursor"})
    assert response.status_code == 400
    assert "after" in response.data


def test_feed_requires_authentication(api):
    assert api.get(URL).status_code in (401, 403)


def test_feed_serves_only_settled_changes(county_a, api, settings):
    settings.ORGPORTAL_FEED_LAG_SECONDS = 3600
    settings.ORGPORTAL_FEED_SKEW_SECONDS = 3600
    CadreFactory(unit=county_a)
    assert api.as_user(viewer(county_a)).get(URL).data["results"] == []


@pytest.mark.parametrize("size", [1, 30])
def test_feed_page_has_constant_queries(county_a, api, size, django_assert_max_num_queries):
    user = viewer(county_a, "cadre", "resumeentry", "familymember")
    for _ in range(size):
        ResumeEntryFactory(cadre=CadreFactory(unit=county_a))
    client = api.as_user(user)
    client.get(URL)  # warm the user's permission cache as a token request would not: count the worst
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"limit": 1000})
    assert len(response.data["results"]) == 2 * size
    assert len(captured) <= 6, [q["sql"][:120] for q in captured]


def test_feed_page_queries_do_not_grow(county_a, api):
    user = viewer(county_a, "cadre", "resumeentry")
    client = api.as_user(user)

    def count():
        with CaptureQueriesContext(connection) as captured:
            client.get(URL, {"limit": 1000})
        return len(captured)

    CadreFactory(unit=county_a)
    count()  # the user's permissions are cached after the first request
    small = count()
    for _ in range(20):
        ResumeEntryFactory(cadre=CadreFactory(unit=county_a))
    assert count() == small


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the settled bound uses pg_stat_activity")
@pytest.mark.django_db(transaction=True)
def test_feed_does_not_pass_a_transaction_still_running(city, api, settings):
    """A transaction that wrote a history row and has not committed holds the feed back, so a
    cursor stored meanwhile never skips its row once it commits (PostgreSQL)."""
    settings.ORGPORTAL_FEED_SKEW_SECONDS = 0
    client = api.as_user(viewer(city))
    CadreFactory(unit=city)
    written, release = threading.Event(), threading.Event()
    pending = {}

    def slow_writer():
        try:
            with transaction.atomic():
                pending["cadre"] = CadreFactory(unit=city)
                written.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    written.wait(10)
    quick = CadreFactory(unit=city)  # committed after the slow one started, before it commits
    seen, cursor = read_all(client)
    assert ("cadres.cadre", quick.pk, "create") not in seen  # held back behind the running transaction
    release.set()
    thread.join()
    more, _ = read_all(client, after=cursor)
    assert ("cadres.cadre", pending["cadre"].pk, "create") in more
    assert ("cadres.cadre", quick.pk, "create") in more


def test_changes_at_the_same_instant_in_two_tables_are_each_served_once(county_a, api):
    entry = ResumeEntryFactory(cadre=CadreFactory(unit=county_a))
    instant = Cadre.history.latest().history_date
    Cadre.history.update(history_date=instant)
    type(entry).history.update(history_date=instant)
    expected = Cadre.history.count() + type(entry).history.count()
    seen, _cursor = read_all(api.as_user(viewer(county_a, "cadre", "resumeentry")), limit=1)
    assert len(seen) == expected == len(set(seen))
