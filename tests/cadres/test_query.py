"""Combined queries (组合查询) over cadres: each condition kind at its boundaries, nesting, refusal of
bad documents with the path and reason, jurisdiction and masking of results, constant query counts,
saved queries (API and admin) and the query builder's endpoints."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres.models import Cadre, SavedQuery, retirement_month
from orgportal import access, codes, query
from tests import factories as f
from tests.contract import ModelContract

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 6, 15)
QUERY_URL = "/api/v1/cadres/query/"


def leaf(field, op, value=None):
    node = {"field": field, "op": op}
    if value is not None:
        node["value"] = value
    return node


def doc(*conditions, op="and"):
    return {"op": op, "conditions": list(conditions)}


def found(document, *, on=ON, user=None, among=None) -> set:
    queryset = Cadre.objects.all() if among is None else Cadre.objects.filter(pk__in=[c.pk for c in among])
    return set(query.apply(queryset, document, user=user, on=on).values_list("pk", flat=True))


def ids(*cadres) -> set:
    return {c.pk for c in cadres}


# --- fields ---------------------------------------------------------------------------------------
def test_code_field_in_and_not_in():
    woman, man = f.CadreFactory(gender="2"), f.CadreFactory(gender="1")
    assert found(doc(leaf("gender", "in", ["2"])), among=[woman, man]) == ids(woman)
    assert found(doc(leaf("gender", "not_in", ["2"])), among=[woman, man]) == ids(man)


def test_text_field_contains_a_chinese_substring():
    economist = f.CadreFactory(expertise="经济管理、财政金融")
    other = f.CadreFactory(expertise="农业技术推广")
    assert found(doc(leaf("expertise", "contains", "财政")), among=[economist, other]) == ids(economist)
    assert found(doc(leaf("expertise", "not_contains", "财政")), among=[economist, other]) == ids(other)


def test_date_range_is_inclusive_at_both_ends():
    early, first, last, late = (
        f.CadreFactory(birth_date=datetime.date(1984, 12, 1)),
        f.CadreFactory(birth_date=datetime.date(1985, 1, 1)),
        f.CadreFactory(birth_date=datetime.date(1990, 12, 1)),
        f.CadreFactory(birth_date=datetime.date(1991, 1, 1)),
    )
    document = doc(leaf("birth_date", "between", {"min": "1985-01-01", "max": "1990-12-01"}))
    assert found(document, among=[early, first, last, late]) == ids(first, last)


def test_age_counts_full_years_on_the_reference_day():
    forty = f.CadreFactory(birth_date=datetime.date(1986, 6, 1))  # 40 since 2026-06-01
    thirty_nine = f.CadreFactory(birth_date=datetime.date(1986, 7, 1))  # 40 only from 2026-07-01
    document = doc(leaf("age", "between", {"max": 39}))
    assert found(document, among=[forty, thirty_nine]) == ids(thirty_nine)
    assert found(document, on=datetime.date(2026, 5, 31), among=[forty, thirty_nine]) == ids(
        forty, thirty_nine
    )


def test_unit_condition_takes_the_subtree(county_a, county_b):
    town = f.UnitFactory(parent=county_a)
    inside, below, outside = (
        f.CadreFactory(unit=county_a),
        f.CadreFactory(unit=town),
        f.CadreFactory(unit=county_b),
    )
    assert found(doc(leaf("unit", "in", [county_a.pk])), among=[inside, below, outside]) == ids(inside, below)


def test_derived_filters_are_conditions():
    party, non_party = f.CadreFactory(political_status="01"), f.CadreFactory(political_status="13")
    assert found(doc(leaf("non_party", "in", ["1"])), among=[party, non_party]) == ids(non_party)


# --- child records --------------------------------------------------------------------------------
def test_resume_contains():
    township = f.CadreFactory()
    f.ResumeEntryFactory(cadre=township, text="某某镇党委书记")
    office = f.CadreFactory()
    f.ResumeEntryFactory(cadre=office, text="市政府办公室科员")
    document = doc(leaf("resume", "has", {"text": "党委书记"}))
    assert found(document, among=[township, office]) == ids(township)
    assert found(doc(leaf("resume", "has_not", {"text": "党委书记"})), among=[township, office]) == ids(
        office
    )


def test_movement_within_n_years_includes_the_same_day_n_years_before():
    on_boundary, day_before = f.CadreFactory(), f.CadreFactory()
    f.MovementFactory(
        cadre=on_boundary, kind="promotion", date=datetime.date(2023, 6, 15), to_level="county_deputy"
    )
    f.MovementFactory(
        cadre=day_before, kind="promotion", date=datetime.date(2023, 6, 14), to_level="county_deputy"
    )
    document = doc(leaf("movement", "has", {"kind": ["promotion"], "within_years": 3}))
    assert found(document, among=[on_boundary, day_before]) == ids(on_boundary)


def test_movement_level_post_and_count():
    twice, once, other_level = f.CadreFactory(), f.CadreFactory(), f.CadreFactory()
    for cadre, n, level in (
        (twice, 2, "township_chief"),
        (once, 1, "township_chief"),
        (other_level, 2, "county_deputy"),
    ):
        for i in range(n):
            f.MovementFactory(
                cadre=cadre,
                kind="appointment",
                date=datetime.date(2020 + i, 3, 1),
                to_level=level,
                to_post="某镇镇长",
            )
    document = doc(leaf("movement", "has", {"level": ["township_chief"], "post": "镇", "at_least": 2}))
    assert found(document, among=[twice, once, other_level]) == ids(twice)


def test_posting_kind_host_kind_and_current():
    current = f.CadreFactory()
    f.PostingFactory(
        cadre=current, kind="secondment", host_kind="grassroots", start=datetime.date(2026, 1, 1)
    )
    finished = f.CadreFactory()
    f.PostingFactory(
        cadre=finished,
        kind="secondment",
        host_kind="grassroots",
        start=datetime.date(2020, 1, 1),
        actual_end=datetime.date(2021, 1, 1),
    )
    elsewhere = f.CadreFactory()
    f.PostingFactory(
        cadre=elsewhere, kind="secondment", host_kind="state_enterprise", start=datetime.date(2026, 1, 1)
    )
    among = [current, finished, elsewhere]
    assert found(doc(leaf("posting", "has", {"host_kind": ["grassroots"]})), among=among) == ids(
        current, finished
    )
    assert found(
        doc(leaf("posting", "has", {"host_kind": ["grassroots"], "current": True})), among=among
    ) == ids(current)
    assert found(
        doc(leaf("posting", "has", {"host_kind": ["grassroots"], "within_years": 3})), among=among
    ) == ids(current)


def test_assessment_last_n_years_are_the_completed_years():
    def cadre_with(*years):
        cadre = f.CadreFactory(
            birth_date=datetime.date(1980, 5, 1), work_start_date=datetime.date(2002, 7, 1)
        )
        for year in years:
            f.AnnualAssessmentFactory(cadre=cadre, year=year, result="excellent")
        return cadre

    window_edges, too_old, this_year, once = (
        cadre_with(2023, 2025),
        cadre_with(2022, 2025),
        cadre_with(2024, 2026),
        cadre_with(2024),
    )
    among = [window_edges, too_old, this_year, once]
    twice = doc(leaf("assessment", "has", {"result": ["excellent"], "last_years": 3, "at_least": 2}))
    assert found(twice, among=among) == ids(window_edges)
    any_ = doc(leaf("assessment", "has", {"result": ["excellent"], "last_years": 3}))
    assert found(any_, among=among) == ids(window_edges, too_old, this_year, once)


def test_sanction_in_force_through_the_last_day_of_its_influence_period():
    cadre = f.CadreFactory()
    sanction = f.SanctionFactory(
        cadre=cadre, sanction=codes.Sanction.ADMONITION, decided_on=datetime.date(2026, 1, 15)
    )
    assert sanction.influence_until == datetime.date(2026, 7, 14)
    document = doc(leaf("sanction", "has", {}))
    assert found(document, on=datetime.date(2026, 1, 15), among=[cadre]) == ids(cadre)
    assert found(document, on=datetime.date(2026, 7, 14), among=[cadre]) == ids(cadre)
    assert found(document, on=datetime.date(2026, 7, 15), among=[cadre]) == set()
    assert found(document, on=datetime.date(2026, 1, 14), among=[cadre]) == set()
    ever = doc(leaf("sanction", "has", {"in_force": False, "kind": ["admonition"]}))
    assert found(ever, on=datetime.date(2027, 1, 1), among=[cadre]) == ids(cadre)


def test_warning_open_at_level():
    red, closed, yellow = f.CadreFactory(), f.CadreFactory(), f.CadreFactory()
    f.WarningFactory(cadre=red, level="red", raised_on=datetime.date(2026, 1, 1))
    f.WarningFactory(
        cadre=closed, level="red", raised_on=datetime.date(2025, 1, 1), closed_on=datetime.date(2025, 6, 1)
    )
    f.WarningFactory(cadre=yellow, level="yellow", raised_on=datetime.date(2026, 1, 1))
    document = doc(leaf("warning", "has", {"level": ["red"]}))
    assert found(document, among=[red, closed, yellow]) == ids(red)


def test_pool_membership_open_programme_and_source():
    programme = f.ProgrammeFactory()
    member = f.PoolMembershipFactory(programme=programme, source="selected_graduate").cadre
    exited = f.PoolMembershipFactory(exited=True, source="selected_graduate").cadre
    other_source = f.PoolMembershipFactory(source="recommendation").cadre
    among = [member, exited, other_source]
    assert found(doc(leaf("pool", "has", {"source": ["selected_graduate"]})), among=among) == ids(member)
    assert found(
        doc(leaf("pool", "has", {"open": False, "source": ["selected_graduate"]})), among=among
    ) == ids(member, exited)
    assert found(doc(leaf("pool", "has", {"programme": [str(programme.pk)]})), among=among) == ids(member)


@pytest.mark.parametrize("months", [0, 6, 18])
def test_retirement_within_agrees_with_the_statutory_schedule(months):
    cadres = [
        f.CadreFactory(gender=gender, birth_date=datetime.date(year, month, 1))
        for gender in ("1", "2")
        for year, month in [
            (y, m) for y in (range(1964, 1969) if gender == "1" else range(1969, 1974)) for m in (1, 4, 7, 10)
        ]
    ]
    last = ON.year * 12 + ON.month - 1 + months
    expected = {
        c.pk
        for c in cadres
        if (lambda r: r.year * 12 + r.month - 1)(retirement_month(c.birth_date, c.gender)) <= last
    }
    assert expected and expected != ids(*cadres)  # the boundary falls inside the sample
    assert found(doc(leaf("retirement_within", "is", months)), among=cadres) == expected


def test_years_in_post_boundary():
    exactly, short = (
        f.CadreFactory(post_since=datetime.date(2021, 6, 15)),
        f.CadreFactory(post_since=datetime.date(2021, 6, 16)),
    )
    assert found(doc(leaf("years_in_post", "is", 5)), among=[exactly, short]) == ids(exactly)


# --- combining ------------------------------------------------------------------------------------
def test_nested_and_or_not():
    a = f.CadreFactory(gender="2", political_status="01", expertise="财政")
    b = f.CadreFactory(gender="2", political_status="13", expertise="农业")
    c = f.CadreFactory(gender="1", political_status="13", expertise="财政")
    d = f.CadreFactory(gender="2", political_status="01", expertise="农业")
    f.SanctionFactory(cadre=d, decided_on=ON - datetime.timedelta(days=10))
    document = doc(
        leaf("gender", "in", ["2"]),
        doc(leaf("expertise", "contains", "财政"), leaf("non_party", "in", ["1"]), op="or"),
        doc(leaf("sanction", "has", {}), op="not"),
    )
    assert found(document, among=[a, b, c, d]) == ids(a, b)
    assert found(doc(document, op="not"), among=[a, b, c, d]) == ids(c, d)


def test_empty_document_finds_everyone():
    cadres = [f.CadreFactory(), f.CadreFactory()]
    assert found(doc(), among=cadres) == ids(*cadres)


# --- refusing bad documents -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("document", "path", "words"),
    [
        (doc(leaf("gender", "in", ["2"]), leaf("shoe_size", "in", [1])), "conditions[1].field", "shoe_size"),
        (doc(leaf("gender", "contains", "2")), "conditions[0].op", "不支持运算符"),
        (doc(leaf("gender", "in", ["7"])), "conditions[0].value", "7"),
        (
            doc(doc(leaf("movement", "has", {"within_years": "三"}), op="or")),
            "conditions[0].conditions[0].value.within_years",
            "整数",
        ),
        (doc(leaf("movement", "has", {"colour": "red"})), "conditions[0].value.colour", "colour"),
        (doc(leaf("assessment", "has", {})), "conditions[0].value.result", "考核结果"),
        (
            doc(leaf("birth_date", "between", {"min": "1990-01-01", "max": "1980-01-01"})),
            "conditions[0].value",
            "最小值",
        ),
        ({"op": "xor", "conditions": []}, "op", "and"),
        ([1, 2], "document", "JSON 对象"),
        (doc(leaf("age", "between")), "conditions[0].value", "请填写"),
    ],
)
def test_bad_document_is_refused_with_its_path_and_reason(document, path, words):
    with pytest.raises(query.QueryError) as error:
        query.compile_document(Cadre, document)
    assert error.value.path == path
    assert words in error.value.messages[0]


def test_too_deep_nesting_is_refused():
    document = doc()
    for _ in range(20):
        document = doc(document)
    with pytest.raises(query.QueryError):
        query.compile_document(Cadre, document)


def test_unit_outside_the_jurisdiction_is_refused(county_a, county_b):
    user = f.UserFactory(perms=["cadres.view_cadre"], units=[county_a])
    with pytest.raises(query.QueryError) as error:
        query.compile_document(Cadre, doc(leaf("unit", "in", [county_b.pk])), user=user)
    assert error.value.path == "conditions[0].value" and "管辖范围" in error.value.messages[0]


def test_querying_a_sensitive_value_needs_the_permission(county_a):
    user = f.UserFactory(perms=["cadres.view_cadre"], units=[county_a])
    for document, path in (
        (doc(leaf("id_number", "contains", "5203")), "conditions[0].field"),
        (doc(leaf("sanction", "has", {"sanction": ["admonition"]})), "conditions[0].value.sanction"),
    ):
        with pytest.raises(query.QueryError) as error:
            query.compile_document(Cadre, document, user=user)
        assert error.value.path == path and "敏感" in error.value.messages[0]
    sensitive = f.UserFactory(perms=["cadres.view_cadre", access.VIEW_SENSITIVE], units=[county_a])
    query.compile_document(Cadre, doc(leaf("id_number", "contains", "5203")), user=sensitive)


# --- the API --------------------------------------------------------------------------------------
def staff(unit, *perms, sensitive=False):
    return f.UserFactory(
        perms=["cadres.view_cadre", *perms, *([access.VIEW_SENSITIVE] if sensitive else [])], units=[unit]
    )


def result_ids(response) -> set:
    return {row["id"] for row in response.data["results"]}


def test_api_query_scoped_and_masked(county_a, county_b, api):
    mine = f.CadreFactory(unit=county_a, gender="2")
    f.CadreFactory(unit=county_a, gender="1")
    theirs = f.CadreFactory(unit=county_b, gender="2")
    response = api.as_user(staff(county_a)).post(QUERY_URL, doc(leaf("gender", "in", ["2"])), format="json")
    assert response.status_code == 200, response.data
    assert result_ids(response) == {mine.pk} and theirs.pk not in result_ids(response)
    row = response.data["results"][0]
    assert row["id_number"] == access.mask(mine.id_number) != mine.id_number
    assert row["unit_name"] == county_a.name and "reminders" in row  # the list's fields


def test_api_query_honours_list_filters_and_pagination(county_a, api):
    cadres = [f.CadreFactory(unit=county_a, gender="2") for _ in range(3)]
    client = api.as_user(staff(county_a))
    response = client.post(
        f"{QUERY_URL}?page_size=2&ordering=id", doc(leaf("gender", "in", ["2"])), format="json"
    )
    assert response.data["count"] == 3 and len(response.data["results"]) == 2 and response.data["next"]
    filtered = client.post(
        f"{QUERY_URL}?name={cadres[0].name}", doc(leaf("gender", "in", ["2"])), format="json"
    )
    assert cadres[0].pk in result_ids(filtered)


def test_api_query_and_saved_results_honour_fields(county_a, api):
    cadre = f.CadreFactory(unit=county_a, gender="2")
    client = api.as_user(staff(county_a, "cadres.view_savedquery"))
    response = client.post(f"{QUERY_URL}?fields=id,name", doc(leaf("gender", "in", ["2"])), format="json")
    assert response.data["results"] == [{"id": cadre.pk, "name": cadre.name}]
    saved = f.SavedQueryFactory(owner=client.handler._force_user, document=doc(leaf("gender", "in", ["2"])))
    response = client.get(f"/api/v1/saved-queries/{saved.pk}/results/?fields=id,name")
    assert response.data["results"] == [{"id": cadre.pk, "name": cadre.name}]


@pytest.mark.parametrize(
    "body",
    [
        doc(leaf("nonsense", "in", ["1"])),
        {"op": "and", "conditions": "gender"},
        [],
        "not json at all",
        doc(leaf("age", "between", {"min": "forty"})),
        doc(leaf("unit", "in", ["x"])),
        doc(leaf("training_hours", "is", {"state": ["nope"]})),
    ],
)
def test_api_bad_document_is_400_with_the_reason(county_a, api, body):
    response = api.as_user(staff(county_a)).post(QUERY_URL, body, format="json")
    assert response.status_code == 400
    assert "query" in response.data
    assert all(isinstance(messages, list) and messages for messages in response.data["query"].values())


def test_api_malformed_json_is_400(county_a, api):
    response = api.as_user(staff(county_a)).post(QUERY_URL, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_api_query_needs_the_view_permission(county_a, api):
    user = f.UserFactory(units=[county_a])
    assert api.as_user(user).post(QUERY_URL, doc(), format="json").status_code == 403


def test_api_query_exports_the_roster(county_a, api):
    from io import BytesIO

    import openpyxl

    women = [f.CadreFactory(unit=county_a, gender="2") for _ in range(2)]
    f.CadreFactory(unit=county_a, gender="1")
    response = api.as_user(staff(county_a)).post(
        f"{QUERY_URL}?format=xlsx", doc(leaf("gender", "in", ["2"])), format="json"
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content))).active
    names = {cell.value for row in sheet.iter_rows() for cell in row}
    assert {c.name for c in women} <= names


def _count_queries(fetch) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
    assert response.status_code == 200, getattr(response, "data", None)
    return len(ctx.captured_queries)


def test_api_query_count_is_constant(county_a, api):
    user = staff(county_a)
    document = doc(
        leaf("gender", "in", ["1", "2"]),
        leaf("movement", "has", {"within_years": 30}),
        doc(leaf("assessment", "has", {"result": ["competent"]}), leaf("sanction", "has_not", {}), op="or"),
        leaf("retirement_within", "is", 600),
        leaf("pool", "has_not", {}),
    )

    def add_cadre():
        cadre = f.CadreFactory(unit=county_a, birth_date=datetime.date(1975, 1, 1))
        f.MovementFactory(cadre=cadre, date=datetime.date(2020, 1, 1))

    add_cadre()
    one = _count_queries(
        lambda: api.as_user(ModelContract.fresh(user)).post(QUERY_URL, document, format="json")
    )
    for _ in range(19):
        add_cadre()
    response = api.as_user(ModelContract.fresh(user)).post(QUERY_URL, document, format="json")
    assert response.data["count"] == 20
    twenty = _count_queries(
        lambda: api.as_user(ModelContract.fresh(user)).post(QUERY_URL, document, format="json")
    )
    assert one == twenty


# --- saved queries --------------------------------------------------------------------------------
def test_saved_query_results_run_for_the_caller(county_a, county_b, api):
    owner = staff(f.UnitFactory(), "cadres.view_savedquery")
    saved = f.SavedQueryFactory(owner=owner, document=doc(leaf("gender", "in", ["2"])))
    mine, theirs = f.CadreFactory(unit=county_a, gender="2"), f.CadreFactory(unit=county_b, gender="2")
    caller = staff(county_a, "cadres.view_savedquery")
    response = api.as_user(caller).get(f"/api/v1/saved-queries/{saved.pk}/results/")
    assert response.status_code == 200, response.data
    assert mine.pk in result_ids(response) and theirs.pk not in result_ids(response)


def test_saved_query_visibility(county_a, api):
    group = f.UserFactory().groups.model.objects.create(name="干监科测试")
    viewer = staff(county_a, "cadres.view_savedquery")
    viewer.groups.add(group)
    owner = f.UserFactory()
    shared = f.SavedQueryFactory(owner=owner, sharing="group", group=group)
    private = f.SavedQueryFactory(owner=owner, sharing="private")
    other_group = f.SavedQueryFactory(
        owner=owner, sharing="group", group=group.__class__.objects.create(name="别的科")
    )
    own = f.SavedQueryFactory(owner=viewer, sharing="private")
    response = api.as_user(viewer).get("/api/v1/saved-queries/", {"page_size": 500})
    visible = {row["id"] for row in response.data["results"]}
    assert {shared.pk, own.pk} <= visible
    assert not {private.pk, other_group.pk} & visible
    assert api.as_user(viewer).get(f"/api/v1/saved-queries/{private.pk}/results/").status_code == 404


def test_saved_query_refuses_a_bad_document(county_a, api):
    user = staff(county_a, "cadres.view_savedquery", "cadres.add_savedquery")
    response = api.as_user(user).post(
        "/api/v1/saved-queries/",
        {"name": "坏查询", "sharing": "private", "document": doc(leaf("x", "in", [1]))},
        format="json",
    )
    assert response.status_code == 400
    assert "conditions[0].field" in str(response.data["document"])


def test_saved_query_shared_with_a_group_needs_the_group():
    saved = SavedQuery(name="q", sharing="group", document=doc())
    with pytest.raises(Exception) as error:
        saved.full_clean()
    assert "group" in error.value.message_dict


def test_saved_query_created_through_the_api_belongs_to_the_caller(county_a, api):
    user = staff(county_a, "cadres.view_savedquery", "cadres.add_savedquery")
    response = api.as_user(user).post(
        "/api/v1/saved-queries/",
        {"name": "女干部", "document": doc(leaf("gender", "in", ["2"]))},
        format="json",
    )
    assert response.status_code == 201, response.data
    assert SavedQuery.objects.get(pk=response.data["id"]).owner == user


def test_conditions_endpoint_lists_the_registry(county_a, api):
    response = api.as_user(staff(county_a)).get("/api/v1/saved-queries/conditions/")
    assert response.status_code == 200
    codes_ = {c["code"] for c in response.data}
    assert {"gender", "movement", "assessment", "training_hours", "talent"} <= codes_


# --- the admin ------------------------------------------------------------------------------------
def test_admin_changelist_opens_a_saved_query(county_a, client):
    user = staff(county_a, "cadres.view_savedquery")
    saved = f.SavedQueryFactory(document=doc(leaf("gender", "in", ["2"])))
    woman, man = f.CadreFactory(unit=county_a, gender="2"), f.CadreFactory(unit=county_a, gender="1")
    client.force_login(user)
    response = client.get(reverse("admin:cadres_cadre_changelist"), {"q_saved": saved.pk})
    assert response.status_code == 200
    shown = {c.pk for c in response.context["cl"].result_list}
    assert shown == {woman.pk}
    assert man.pk not in shown
    export = client.get(
        reverse("admin:cadres_cadre_roster_export", args=["cadres.standard"]), {"q_saved": saved.pk}
    )
    assert export.status_code == 200


def test_admin_changelist_opens_an_unsaved_query_and_reports_a_bad_one(county_a, client):
    user = staff(county_a)
    woman, man = f.CadreFactory(unit=county_a, gender="2"), f.CadreFactory(unit=county_a, gender="1")
    client.force_login(user)
    url = reverse("admin:cadres_cadre_changelist")
    response = client.get(url, {"query": query.encode(doc(leaf("gender", "in", ["1"])))})
    assert {c.pk for c in response.context["cl"].result_list} == {man.pk}
    bad = client.get(url, {"query": query.encode(doc(leaf("nope", "in", ["1"])))})
    assert bad.status_code == 200
    assert list(bad.context["cl"].result_list) == []
    assert any("nope" in str(m) for m in bad.context["messages"])
    assert woman.pk


def test_admin_builder_count_and_save(county_a, client):
    user = staff(county_a, "cadres.view_savedquery", "cadres.add_savedquery")
    f.CadreFactory(unit=county_a, gender="2")
    f.CadreFactory(gender="2")  # outside the jurisdiction
    client.force_login(user)
    assert client.get(reverse("admin:cadres_savedquery_builder")).status_code == 200
    conditions = client.get(reverse("admin:cadres_savedquery_conditions")).json()["conditions"]
    assert "id_number" not in {c["code"] for c in conditions}  # sensitive, and the user may not see it
    document = doc(leaf("gender", "in", ["2"]))
    counted = client.post(
        reverse("admin:cadres_savedquery_count"), json.dumps(document), content_type="application/json"
    )
    assert counted.json()["count"] == 1
    bad = client.post(
        reverse("admin:cadres_savedquery_count"),
        json.dumps(doc(leaf("x", "in", []))),
        content_type="application/json",
    )
    assert bad.status_code == 400 and "conditions[0].field" in bad.json()["error"]
    by_get = client.get(reverse("admin:cadres_savedquery_count"), {"query": query.encode(document)})
    assert by_get.json()["count"] == 1
    assert client.get(reverse("admin:cadres_savedquery_count")).json()["count"] == 1  # everyone in reach
    saved = client.post(
        reverse("admin:cadres_savedquery_builder"),
        {"name": "女干部", "sharing": "private", "document": json.dumps(document)},
    )
    assert saved.status_code == 302
    assert SavedQuery.objects.get(name="女干部").owner == user


def test_admin_add_form_validates_the_document_for_its_owner(county_a, client):
    user = staff(county_a, "cadres.view_savedquery", "cadres.add_savedquery")
    client.force_login(user)
    url = reverse("admin:cadres_savedquery_add")
    refused = client.post(
        url,
        {
            "name": "身份证查询",
            "sharing": "private",
            "document": json.dumps(doc(leaf("id_number", "contains", "5203"))),
        },
    )
    assert refused.status_code == 200 and "敏感" in str(refused.context["adminform"].form.errors)
    added = client.post(
        url,
        {"name": "女干部", "sharing": "private", "document": json.dumps(doc(leaf("gender", "in", ["2"])))},
    )
    assert added.status_code == 302
    saved = SavedQuery.objects.get(name="女干部")
    assert saved.owner == user and saved.history.latest().history_user == user


def test_admin_changelist_on_a_saved_query_has_a_constant_query_count(county_a, client):
    user = staff(county_a, "cadres.view_savedquery")
    saved = f.SavedQueryFactory(document=doc(leaf("movement", "has", {}), leaf("gender", "in", ["1", "2"])))
    client.force_login(user)
    url = f"{reverse('admin:cadres_cadre_changelist')}?q_saved={saved.pk}"

    def add():
        f.MovementFactory(cadre=f.CadreFactory(unit=county_a))

    add()
    one = _count_queries(lambda: client.get(url))
    for _ in range(19):
        add()
    assert len(client.get(url).context["cl"].result_list) == 20
    assert _count_queries(lambda: client.get(url)) == one


def test_a_saved_query_needs_the_view_permission_in_the_admin(county_a, client):
    saved = f.SavedQueryFactory()
    f.CadreFactory(unit=county_a, gender="1")
    client.force_login(staff(county_a))  # may view cadres, not saved queries
    response = client.get(reverse("admin:cadres_cadre_changelist"), {"q_saved": saved.pk})
    assert list(response.context["cl"].result_list) == []


def test_trigram_indexes_exist_where_the_locale_makes_trigrams_of_chinese():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite searches with a plain LIKE")
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(array_length(show_trgm('干部任免'), 1), 0)")
        chinese_trigrams = cursor.fetchone()[0] > 0
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname LIKE 'cadres_%%_trgm'")
        indexes = cursor.fetchone()[0]
    assert indexes == (7 if chinese_trigrams else 0)  # 0014: 4 for contains; 0015: 3 for search=


def test_a_chinese_substring_search_uses_the_trigram_index():
    """The test cluster is initialised with C.UTF-8 (scripts/with-postgres) so that this runs."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite searches with a plain LIKE")
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(array_length(show_trgm('干部任免'), 1), 0)")
        if not cursor.fetchone()[0]:
            pytest.skip("this cluster's locale makes no trigrams of Chinese (docs/query.md)")
        # an empty table: the planner would scan it, or walk another index in the default ordering's
        # order; without those, and 3+ characters (trigrams), a bitmap scan of the trigram index
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = (
            Cadre.objects.filter(name__contains="王小明").order_by().values("pk").query.sql_with_params()
        )
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "cadres_cadre_name_trgm" in plan, plan


def test_the_admin_and_api_search_uses_the_upper_trigram_indexes():
    """`search=` is icontains (UPPER(col) LIKE UPPER(pattern)): 0015's expression indexes serve it."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite searches with a plain LIKE")
    from django.db.models import Q

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(array_length(show_trgm('干部任免'), 1), 0)")
        if not cursor.fetchone()[0]:
            pytest.skip("this cluster's locale makes no trigrams of Chinese (docs/query.md)")
        cursor.execute("SET LOCAL enable_seqscan = off")  # as above
        cursor.execute("SET LOCAL enable_indexscan = off")
        # the OR Django's SearchFilter and the admin build over the cadre's search_fields
        term = "王小明"
        found = Q(name__icontains=term) | Q(id_number__icontains=term) | Q(post__icontains=term)
        sql, params = Cadre.objects.filter(found).order_by().values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for index in ("name", "id_number", "post"):
        assert f"cadres_cadre_{index}_upper_trgm" in plan, plan
    assert "Seq Scan" not in plan, plan


# --- the docs list every condition ----------------------------------------------------------------
def test_docs_list_every_registered_condition():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "query.md").read_text()
    missing = [code for code in query.conditions_for(Cadre) if f"`{code}`" not in text]
    assert not missing, f"docs/query.md lacks {missing} (manage.py query_conditions prints the table)"
