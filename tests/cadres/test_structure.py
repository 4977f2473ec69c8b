"""梯次配备: structure counts on a known fixture, at the age boundary, within the jurisdiction, in a
constant number of queries; the pool's flow; the API and the admin pages."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres import services
from cadres.models import AGE_BANDS, Cadre
from cadres.structure import age_bands, cadres_structure, parse_age_bands, pool_structure
from orgportal import codes
from tests import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date
L, S, R = codes.LeadershipLevel, codes.PoolSource, codes.PoolExitReason
ON = D(2025, 6, 30)
VIEW_CADRE, VIEW_MEMBERS = "cadres.view_cadre", "cadres.view_poolmembership"
CADRES_URL, POOL_URL = "/api/v1/structure/cadres/", "/api/v1/structure/pool/"


def cadre(unit, born, gender="1", **kwargs):
    """A cadre with the birth date and gender given (no ID number, which would have to agree)."""
    return f.CadreFactory(unit=unit, birth_date=born, gender=gender, id_number="", **kwargs)


def counts(structure, key) -> dict:
    return {row["code"]: row["count"] for row in structure[key]}


def everyone():
    return Cadre.objects.all()


@pytest.fixture
def five(county_a):
    """Five serving cadres, aged 34, 36, 45, 50 and 56 on ON; and a retired one, not counted."""
    cadre(county_a, D(1960, 1, 1), status=codes.CadreStatus.RETIRED)
    return [
        cadre(county_a, D(1990, 7, 1), "2", ethnicity="03", political_status="01",
              ft_education="21", pt_education="14", level=L.TOWNSHIP_CHIEF),  # 研究生 (在职)
        cadre(county_a, D(1989, 6, 30), "1", ethnicity="01", political_status="13",
              ft_education="31", pt_education="21", level=L.COUNTY_DEPUTY),  # 36 today; 群众: 党外
        cadre(county_a, D(1980, 1, 1), "1", ethnicity="01", political_status="05",
              ft_education="21", pt_education="", level=L.COUNTY_CHIEF),  # 民盟: 党外
        cadre(county_a, D(1975, 3, 1), "2", ethnicity="01", political_status="01",
              ft_education="", pt_education="", level=""),
        cadre(county_a, D(1968, 12, 1), "1", ethnicity="08", political_status="03",
              ft_education="31", pt_education="", level=L.COUNTY_DEPUTY),  # 共青团员: not 党外
    ]  # fmt: skip


# --- counts ------------------------------------------------------------------------------------
def test_counts_on_a_known_fixture(five):
    s = cadres_structure(everyone(), on=ON)
    assert s["total"] == 5
    assert s["average_age"] == 44.2  # (34 + 36 + 45 + 50 + 56) / 5
    assert s["women"] == {"count": 2, "percent": 40.0}
    assert s["minority"] == {"count": 2, "percent": 40.0}
    assert s["non_party"] == {"count": 2, "percent": 40.0}
    assert counts(s, "age_bands") == {
        "35岁及以下": 1, "36-40岁": 1, "41-45岁": 1, "46-50岁": 1, "51-55岁": 0, "56岁及以上": 1
    }  # fmt: skip
    assert counts(s, "gender") == {"0": 0, "1": 3, "2": 2, "9": 0}
    education = counts(s, "education")
    assert {code: n for code, n in education.items() if n} == {"10": 1, "20": 2, "30": 1, "": 1}
    assert sum(education.values()) == 5
    level = counts(s, "level")
    assert {code: n for code, n in level.items() if n} == {
        L.TOWNSHIP_CHIEF: 1, L.COUNTY_DEPUTY: 2, L.COUNTY_CHIEF: 1, "": 1
    }  # fmt: skip
    education_labels = {row["code"]: row["label"] for row in s["education"]}
    level_labels = {row["code"]: row["label"] for row in s["level"]}
    assert education_labels["10"] == "研究生" and education_labels[""] == "未填写"
    assert level_labels[L.COUNTY_DEPUTY] == "县处级副职" and level_labels[""] == "未定职务层次"


def test_status_other_than_serving_is_counted_when_asked(five):
    assert cadres_structure(everyone(), on=ON, status=codes.CadreStatus.RETIRED)["total"] == 1
    assert cadres_structure(everyone(), on=ON, status=None)["total"] == 6


def test_counts_agree_with_the_cadre_list_filters(five):
    s = cadres_structure(everyone(), on=ON)
    serving = Cadre.objects.filter(status=codes.CadreStatus.SERVING)
    assert s["minority"]["count"] == serving.minority().count()
    assert s["non_party"]["count"] == serving.non_party().count()
    for row in s["education"]:
        if row["code"] not in ("", "90"):
            assert row["count"] == serving.highest_education_level(int(row["code"])).count(), row
    for row in s["age_bands"]:
        assert row["count"] == serving.aged(row["low"], row["high"], ON).count(), row


def test_empty_scope_has_no_average_age(db):
    s = cadres_structure(everyone(), on=ON)
    assert s["total"] == 0 and s["average_age"] is None and s["women"] == {"count": 0, "percent": 0.0}


@pytest.mark.parametrize(
    ("born", "on", "band", "age"),
    [
        (D(1989, 7, 15), D(2025, 7, 14), "35岁及以下", 35.0),  # the day before the 36th birthday
        (D(1989, 7, 15), D(2025, 7, 15), "36-40岁", 36.0),  # the birthday itself
        (D(1989, 7, 1), D(2025, 6, 30), "35岁及以下", 35.0),  # born 1989.07, stored as the 1st
        (D(1989, 7, 1), D(2025, 7, 1), "36-40岁", 36.0),
    ],
)
def test_age_band_boundary(county_a, born, on, band, age):
    cadre(county_a, born)
    s = cadres_structure(everyone(), on=on)
    assert {code for code, n in counts(s, "age_bands").items() if n} == {band}
    assert s["average_age"] == age


def test_default_bands_are_the_cadre_lists_and_bands_are_configurable(five):
    assert age_bands([35, 40, 45, 50, 55]) == AGE_BANDS
    s = cadres_structure(everyone(), on=ON, bands=parse_age_bands("40，50"))
    assert counts(s, "age_bands") == {"40岁及以下": 2, "41-50岁": 2, "51岁及以上": 1}
    with pytest.raises(ValueError):
        parse_age_bands("40,35")


# --- narrowing and jurisdiction ----------------------------------------------------------------
def test_unit_subtree_keeps_the_unit_and_the_units_under_it(county_a, county_b):
    town = f.UnitFactory(parent=county_a, kind=codes.UnitKind.TOWNSHIP)
    cadre(town, D(1990, 1, 1)), cadre(county_a, D(1980, 1, 1)), cadre(county_b, D(1970, 1, 1))
    assert cadres_structure(everyone(), on=ON, unit_subtree=town.pk)["total"] == 1
    county = cadres_structure(everyone(), on=ON, unit_subtree=county_a.pk)
    assert county["total"] == 2
    assert county["filters"]["unit"] == {"id": county_a.pk, "name": "甲县"}
    assert cadres_structure(everyone(), on=ON, unit_subtree=999_999)["total"] == 0


def test_level_narrows_to_one_leadership_level(five):
    s = cadres_structure(everyone(), on=ON, level=L.COUNTY_DEPUTY)
    assert s["total"] == 2
    assert s["filters"]["level"] == {"code": L.COUNTY_DEPUTY, "label": "县处级副职"}


def test_a_county_users_numbers_exclude_another_county(five, county_b, api):
    cadre(county_b, D(1985, 1, 1), "2")
    county_user = f.UserFactory(perms=[VIEW_CADRE], units=[five[0].unit])
    mine = api.as_user(county_user).get(CADRES_URL, {"on": ON}).data
    assert mine["total"] == 5 and mine["women"]["count"] == 2
    everything = api.as_user(f.UserFactory(is_superuser=True)).get(CADRES_URL, {"on": ON}).data
    assert everything["total"] == 6 and everything["women"]["count"] == 3
    # asking for the other county's subtree does not widen the jurisdiction
    other = api.as_user(county_user).get(CADRES_URL, {"unit_subtree": county_b.pk}).data
    assert other["total"] == 0
    assert other["filters"]["unit"] == {"id": county_b.pk, "name": ""}  # nor names the other county


# --- query counts ------------------------------------------------------------------------------
def _queries(fetch) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fetch()
    return len(ctx.captured_queries)


def _fill_pool(unit, how_many):
    for n in range(how_many):
        member = cadre(unit, D(1985 + n % 10, 1 + n % 12, 1), str(1 + n % 2))
        membership = services.admit_to_pool(
            member, source=S.values[n % 6], on=D(2020 + n % 5, 3, 1), tier=L.COUNTY_DEPUTY, by=None
        )
        if n % 3 == 0:
            services.exit_pool(membership, reason=R.values[n % 9], on=D(2025, 1, 1), by=None)


def test_query_counts_are_the_same_for_5_and_50_cadres(county_a, api):
    user = f.UserFactory(perms=[VIEW_CADRE, VIEW_MEMBERS], units=[county_a])

    def measure():
        fresh = get_user_model().objects.get(pk=user.pk)
        return (
            _queries(lambda: cadres_structure(everyone(), on=ON)),
            _queries(lambda: pool_structure(everyone(), on=ON)),
            _queries(lambda: api.as_user(fresh).get(CADRES_URL, {"unit_subtree": county_a.pk})),
            _queries(lambda: api.as_user(fresh).get(POOL_URL, {"tier": L.COUNTY_DEPUTY})),
        )

    _fill_pool(county_a, 5)
    five = measure()
    _fill_pool(county_a, 45)
    assert Cadre.objects.count() == 50
    assert measure() == five
    assert five[:2] == (5, 8)


# --- the pool ----------------------------------------------------------------------------------
@pytest.fixture
def pool(county_a, county_b):
    """In county_a: a, b (2023), c (2024); a promoted and b over-age in 2024; c transferred and
    re-admitted in 2025; d admitted in 2025 for 县处级正职. In county_b: one member."""
    a, b, c, d = (cadre(county_a, D(1990 + n, 1, 1), "2" if n % 2 else "1") for n in range(4))

    def admit(who, source, on, tier=L.COUNTY_DEPUTY):
        return services.admit_to_pool(who, source=source, on=on, tier=tier, by=None)

    def exit_(membership, reason, on):
        services.exit_pool(membership, reason=reason, on=on, by=None)

    exit_(admit(a, S.SELECTED_GRADUATE, D(2023, 3, 1)), R.PROMOTED, D(2024, 6, 1))
    exit_(admit(b, S.RECOMMENDATION, D(2023, 5, 1)), R.OVER_AGE, D(2024, 9, 1))
    exit_(admit(c, S.FRONT_LINE, D(2024, 2, 1)), R.TRANSFERRED, D(2025, 1, 10))
    admit(c, S.SURVEY, D(2025, 3, 1))
    admit(d, S.RECOMMENDATION, D(2025, 4, 1), tier=L.COUNTY_CHIEF)
    admit(cadre(county_b, D(1991, 1, 1)), S.OTHER, D(2025, 1, 1))
    return a, b, c, d


def test_pool_members_are_the_open_memberships(pool, county_a):
    s = pool_structure(everyone(), on=ON, unit_subtree=county_a.pk)
    assert s["total"] == 2  # c (re-admitted) and d
    assert s["average_age"] == 32.5  # c born 1992-01-01, d 1993-01-01
    assert s["women"]["count"] == 1  # d
    assert {code: n for code, n in counts(s, "by_tier").items() if n} == {
        L.COUNTY_DEPUTY: 1,
        L.COUNTY_CHIEF: 1,
    }
    assert pool_structure(everyone(), on=ON)["total"] == 3  # and the member in county_b


def test_pool_flow_per_year_reports_promotion_as_the_output(pool, county_a):
    flow = pool_structure(everyone(), on=ON, unit_subtree=county_a.pk)["flow"]
    years = {period["year"]: period for period in flow["years"]}
    assert list(years) == [2023, 2024, 2025]

    def entries(period):
        return {code: n for code, n in counts(period["entries"], "by_source").items() if n}

    def other_exits(period):
        return {code: n for code, n in counts(period["other_exits"], "by_reason").items() if n}

    assert entries(years[2023]) == {S.SELECTED_GRADUATE: 1, S.RECOMMENDATION: 1}
    assert years[2023]["output"]["count"] == 0 and years[2023]["net_change"] == 2
    assert entries(years[2024]) == {S.FRONT_LINE: 1}
    assert years[2024]["output"] == {"code": "promoted", "label": "提拔使用", "count": 1}
    assert other_exits(years[2024]) == {R.OVER_AGE: 1}  # 提拔使用 is not among the other exits
    assert years[2024]["net_change"] == -1
    assert entries(years[2025]) == {S.SURVEY: 1, S.RECOMMENDATION: 1}
    assert other_exits(years[2025]) == {R.TRANSFERRED: 1}
    total = flow["total"]
    assert (total["entries"]["total"], total["output"]["count"], total["other_exits"]["total"]) == (5, 1, 2)
    assert total["net_change"] == 2  # = the members now


def test_pool_tier_narrows_members_and_flow(pool, county_a):
    s = pool_structure(everyone(), on=ON, unit_subtree=county_a.pk, tier=L.COUNTY_CHIEF)
    assert s["total"] == 1
    assert s["flow"]["total"]["entries"]["total"] == 1
    assert s["filters"]["tier"] == {"code": L.COUNTY_CHIEF, "label": "县处级正职"}


def test_pool_jurisdiction(pool, county_a, api):
    user = f.UserFactory(perms=[VIEW_CADRE, VIEW_MEMBERS], units=[county_a])
    data = api.as_user(user).get(POOL_URL, {"on": ON}).data
    assert data["total"] == 2
    assert data["flow"]["total"]["entries"]["total"] == 5


# --- API ---------------------------------------------------------------------------------------
def test_api_requires_the_view_permissions(county_a, api):
    nobody = f.UserFactory(units=[county_a])
    assert api.as_user(nobody).get(CADRES_URL).status_code == 403
    assert api.as_user(nobody).get(POOL_URL).status_code == 403
    cadres_only = f.UserFactory(perms=[VIEW_CADRE], units=[county_a])
    assert api.as_user(cadres_only).get(CADRES_URL).status_code == 200
    assert api.as_user(cadres_only).get(POOL_URL).status_code == 403
    both = f.UserFactory(perms=[VIEW_CADRE, VIEW_MEMBERS], units=[county_a])
    assert api.as_user(both).get(POOL_URL).status_code == 200


def test_api_requires_authentication(db, api):
    assert api.get(CADRES_URL).status_code in (401, 403)


def test_api_answers_with_labels_next_to_codes(five, api):
    data = (
        api.as_user(f.UserFactory(is_superuser=True))
        .get(CADRES_URL, {"on": ON, "level": "county_deputy"})
        .data
    )
    assert data["total"] == 2
    assert data["on"] == "2025-06-30"
    assert data["filters"]["status"] == {"code": "serving", "label": "在职"}
    assert {"code": "1", "label": "男", "count": 2, "percent": 100.0} in data["gender"]


@pytest.mark.parametrize(
    "params", [{"unit_subtree": "甲县"}, {"on": "2025-13-01"}, {"bands": "40,35"}, {"level": "boss"}]
)
def test_api_rejects_bad_parameters_with_400(db, api, params):
    response = api.as_user(f.UserFactory(is_superuser=True)).get(CADRES_URL, params)
    assert response.status_code == 400
    assert set(response.data) == set(params)


# --- admin pages -------------------------------------------------------------------------------
def test_admin_pages_are_linked_from_the_programme_list(five, county_a, client):
    client.force_login(
        f.UserFactory(perms=["cadres.view_programme", VIEW_CADRE, VIEW_MEMBERS], units=[county_a])
    )
    page = client.get(reverse("admin:cadres_programme_changelist")).content.decode()
    assert reverse("admin:cadres_structure_cadres") in page
    assert reverse("admin:cadres_structure_pool") in page


def test_admin_cadres_page_shows_the_tables_for_the_users_units(five, county_a, county_b, client):
    client.force_login(f.UserFactory(perms=[VIEW_CADRE], units=[county_a]))
    response = client.get(reverse("admin:cadres_structure_cadres"), {"on": "2025-06-30"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "干部队伍结构" in page and "44.2岁" in page and "56岁及以上" in page
    assert f'value="{county_a.pk}"' in page and f'value="{county_b.pk}"' not in page
    assert response.context["structure"]["total"] == 5
    narrowed = client.get(
        reverse("admin:cadres_structure_cadres"), {"unit_subtree": county_a.pk, "level": "county_deputy"}
    )
    assert narrowed.context["structure"]["total"] == 2


def test_admin_pool_page(pool, county_a, client):
    client.force_login(f.UserFactory(perms=[VIEW_CADRE, VIEW_MEMBERS], units=[county_a]))
    response = client.get(reverse("admin:cadres_structure_pool"), {"on": "2025-06-30"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "年轻干部库结构" in page and "提拔使用" in page and "2024" in page
    assert response.context["structure"]["total"] == 2


def test_admin_page_shows_bad_input_as_a_form_error(county_a, client):
    client.force_login(f.UserFactory(perms=[VIEW_CADRE], units=[county_a]))
    response = client.get(reverse("admin:cadres_structure_cadres"), {"bands": "40,35"})
    assert response.status_code == 200
    assert response.context["structure"] is None
    assert "年龄段上限应为递增的正整数" in response.content.decode()


def test_admin_pages_require_the_view_permissions(county_a, client):
    client.force_login(f.UserFactory(perms=[VIEW_CADRE], units=[county_a]))
    assert client.get(reverse("admin:cadres_structure_pool")).status_code == 403
    client.force_login(f.UserFactory(perms=["cadres.view_programme"], units=[county_a]))
    assert client.get(reverse("admin:cadres_structure_cadres")).status_code == 403
    page = client.get(reverse("admin:cadres_programme_changelist")).content.decode()
    assert reverse("admin:cadres_structure_cadres") not in page
