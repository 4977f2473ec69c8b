"""The cadre record's rules, at their boundaries, through the model, the services, the API and the admin."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres import services
from cadres.models import Cadre, Movement, Sanction, add_months
from orgportal import codes
from tests import factories as f

pytestmark = pytest.mark.django_db
L, M = codes.LeadershipLevel, codes.MovementKind
D = datetime.date


def errors_of(obj) -> dict:
    with pytest.raises(ValidationError) as error:
        obj.full_clean()
    return error.value.message_dict


def test_wrong_id_checksum_is_an_error_on_the_id_field(county_a):
    cadre = f.CadreFactory.build(unit=county_a, id_number="520302198503150018")
    assert "校验码" in errors_of(cadre)["id_number"][0]


def test_lower_case_x_is_normalised(county_a):
    cadre = f.CadreFactory(
        unit=county_a, gender="2", birth_date=D(1949, 12, 1), id_number="11010519491231002x"
    )
    cadre.full_clean()
    assert cadre.id_number == "11010519491231002X"


def test_id_number_must_agree_with_gender_and_birth(county_a):
    cadre = f.CadreFactory.build(
        unit=county_a, id_number="520302198503150017", gender="2", birth_date=D(1985, 4, 1)
    )
    errors = errors_of(cadre)
    assert "gender" in errors and "birth_date" in errors


def test_id_number_is_unique_among_cadres(county_a, superuser, api):
    existing = f.CadreFactory(unit=county_a)
    payload = {
        "name": "重号",
        "gender": existing.gender,
        "birth_date": str(existing.birth_date),
        "id_number": existing.id_number,
        "unit": county_a.pk,
    }
    response = api.as_user(superuser).post(reverse("cadre-list"), payload, format="json")
    assert response.status_code == 400
    assert "已存在" in str(response.data["id_number"])
    assert Cadre.objects.filter(id_number=existing.id_number).count() == 1


def test_work_starts_at_14_at_the_earliest(county_a):
    born = D(1990, 6, 1)
    ok = f.CadreFactory.build(
        unit=county_a,
        birth_date=born,
        id_number="",
        work_start_date=D(2004, 6, 1),
        party_join_date=None,
        post_since=None,
    )
    ok.full_clean()
    early = f.CadreFactory.build(
        unit=county_a,
        birth_date=born,
        id_number="",
        work_start_date=D(2004, 5, 31),
        party_join_date=None,
        post_since=None,
    )
    assert "work_start_date" in errors_of(early)


def test_party_membership_at_18_at_the_earliest(county_a):
    born = D(1990, 6, 1)
    early = f.CadreFactory.build(
        unit=county_a,
        birth_date=born,
        id_number="",
        party_join_date=D(2008, 5, 31),
        political_status="01",
        work_start_date=None,
        post_since=None,
    )
    assert "party_join_date" in errors_of(early)
    ok = f.CadreFactory.build(
        unit=county_a,
        birth_date=born,
        id_number="",
        party_join_date=D(2008, 6, 1),
        political_status="01",
        work_start_date=None,
        post_since=None,
    )
    ok.full_clean()


def test_current_post_not_before_starting_work(county_a):
    cadre = f.CadreFactory.build(unit=county_a, work_start_date=D(2010, 7, 1), post_since=D(2010, 6, 1))
    assert "post_since" in errors_of(cadre)


def test_resume_entry_ends_after_it_starts(county_a):
    entry = f.ResumeEntryFactory.build(
        cadre=f.CadreFactory(unit=county_a), start=D(2010, 7, 1), end=D(2010, 6, 1)
    )
    assert "end" in errors_of(entry)


# --- sanctions and their influence period -------------------------------------------------------
def test_sanction_defaults_its_influence_period_from_the_table(county_a):
    sanction = f.SanctionFactory(
        cadre__unit=county_a,
        sanction=codes.Sanction.ADMONITION,
        decided_on=D(2024, 1, 15),
        influence_months=None,
    )
    assert sanction.kind == codes.SanctionKind.ADMONITION
    assert sanction.influence_months == 6
    assert sanction.influence_until == D(2024, 7, 14)


def test_under_sanction_from_decision_date_through_last_day_of_influence(county_a):
    sanction = f.SanctionFactory(
        cadre__unit=county_a,
        sanction=codes.Sanction.ADMONITION,
        decided_on=D(2024, 1, 15),
        influence_months=None,
    )
    cadre = sanction.cadre
    assert not Cadre.objects.under_sanction(D(2024, 1, 14)).filter(pk=cadre.pk).exists()
    assert Cadre.objects.under_sanction(D(2024, 1, 15)).filter(pk=cadre.pk).exists()
    assert Cadre.objects.under_sanction(D(2024, 7, 14)).filter(pk=cadre.pk).exists()
    assert not Cadre.objects.under_sanction(D(2024, 7, 15)).filter(pk=cadre.pk).exists()


def test_expulsion_is_permanent(county_a):
    sanction = f.SanctionFactory(
        cadre__unit=county_a,
        sanction=codes.Sanction.PARTY_EXPULSION,
        decided_on=D(2000, 1, 1),
        influence_months=None,
    )
    assert sanction.influence_until is None
    assert Sanction.objects.in_force(D(2099, 1, 1)).filter(pk=sanction.pk).exists()


def test_edited_influence_period_moves_the_end(county_a):
    sanction = f.SanctionFactory(
        cadre__unit=county_a,
        sanction=codes.Sanction.ADMONITION,
        decided_on=D(2024, 1, 15),
        influence_months=None,
    )
    sanction.influence_months = 12
    sanction.save()
    assert sanction.influence_until == D(2025, 1, 14)


def test_a_period_ending_in_a_shorter_month_runs_to_its_end(county_a):
    sanction = f.SanctionFactory(
        cadre__unit=county_a,
        sanction=codes.Sanction.ADMONITION,
        decided_on=D(2024, 8, 31),
        influence_months=None,
    )
    assert sanction.influence_until == D(2025, 2, 28)
    assert add_months(D(2024, 8, 31), 6) == D(2025, 2, 28)


def test_changing_the_sanction_type_takes_the_new_default_period(county_a):
    sanction = f.SanctionFactory(
        cadre__unit=county_a,
        sanction=codes.Sanction.ADMONITION,
        decided_on=D(2024, 1, 15),
        influence_months=None,
    )
    sanction = Sanction.objects.get(pk=sanction.pk)
    sanction.sanction = codes.Sanction.PARTY_EXPULSION
    sanction.save()
    assert (sanction.kind, sanction.influence_months, sanction.influence_until) == ("party", None, None)


def test_an_edited_period_survives_a_type_change(county_a):
    sanction = f.SanctionFactory(
        cadre__unit=county_a,
        sanction=codes.Sanction.ADMONITION,
        decided_on=D(2024, 1, 15),
        influence_months=9,
    )
    sanction = Sanction.objects.get(pk=sanction.pk)
    sanction.sanction = codes.Sanction.PARTY_WARNING
    sanction.save()
    assert sanction.influence_months == 9


def test_no_party_join_date_for_the_masses(county_a):
    cadre = f.CadreFactory.build(unit=county_a, political_status="13", party_join_date=D(2010, 1, 1))
    assert "party_join_date" in errors_of(cadre)


def test_current_post_date_not_in_the_future(county_a):
    cadre = f.CadreFactory.build(unit=county_a, post_since=datetime.date.today() + datetime.timedelta(days=1))
    assert "post_since" in errors_of(cadre)


def test_only_one_open_ended_resume_line(county_a):
    cadre = f.CadreFactory(unit=county_a)
    f.ResumeEntryFactory(cadre=cadre, start=D(2010, 1, 1), end=None)
    second = f.ResumeEntryFactory.build(cadre=cadre, start=D(2015, 1, 1), end=None)
    assert "end" in errors_of(second)


def test_personal_report_check_result_needs_a_date_and_agrees_with_discrepancy(county_a):
    cadre = f.CadreFactory(unit=county_a)
    report = f.PersonalMattersReportFactory.build(
        cadre=cadre, checked_on=None, consistent=True, discrepancy=""
    )
    assert "checked_on" in errors_of(report)
    report = f.PersonalMattersReportFactory.build(
        cadre=cadre,
        checked_on=D(2025, 3, 1),
        submitted_on=D(2025, 1, 1),
        consistent=True,
        discrepancy="房产未报",
    )
    assert "consistent" in errors_of(report)


# --- movements -----------------------------------------------------------------------------------
def deputy(unit):
    return f.CadreFactory(
        unit=unit,
        level=L.COUNTY_DEPUTY,
        post="副县长",
        rank="",
        birth_date=D(1975, 5, 1),
        id_number="",
        work_start_date=D(1997, 7, 1),
        party_join_date=None,
        post_since=D(2020, 1, 1),
    )


def test_promotion_updates_current_post_and_is_in_history(county_a, county_b, superuser):
    cadre = deputy(county_a)
    movement = services.record_movement(
        cadre,
        kind=M.PROMOTION,
        date=D(2025, 3, 1),
        by=superuser,
        to_unit=county_b,
        to_post="县长",
        to_level=L.COUNTY_CHIEF,
    )
    cadre.refresh_from_db()
    assert (cadre.unit, cadre.post, cadre.post_since, cadre.level) == (
        county_b,
        "县长",
        D(2025, 3, 1),
        L.COUNTY_CHIEF,
    )
    assert (movement.from_unit, movement.from_post, movement.from_level) == (
        county_a,
        "副县长",
        L.COUNTY_DEPUTY,
    )
    latest = cadre.history.latest()
    assert latest.history_user == superuser and latest.post == "县长"


def test_a_removal_without_a_new_post_leaves_no_current_post(county_a, superuser):
    cadre = deputy(county_a)
    services.record_movement(cadre, kind=M.REMOVAL, date=D(2025, 3, 1), by=superuser)
    cadre.refresh_from_db()
    assert (cadre.post, cadre.post_since, cadre.status) == ("", None, "serving")
    services.record_movement(
        cadre, kind=M.REMOVAL, date=D(2025, 4, 1), by=superuser, to_post="县政府党组成员"
    )
    cadre.refresh_from_db()
    assert (cadre.post, cadre.post_since) == ("县政府党组成员", D(2025, 4, 1))


def test_promotion_to_a_lower_or_equal_level_is_refused_and_writes_nothing(county_a, superuser):
    cadre = deputy(county_a)
    for level in (L.COUNTY_DEPUTY, L.TOWNSHIP_CHIEF):
        with pytest.raises(ValidationError) as error:
            services.record_movement(
                cadre, kind=M.PROMOTION, date=D(2025, 3, 1), by=superuser, to_level=level
            )
        assert "to_level" in error.value.message_dict
    cadre.refresh_from_db()
    assert cadre.level == L.COUNTY_DEPUTY and not Movement.objects.exists()


def test_movement_dated_before_the_cadre_started_work_is_a_date_error(county_a, superuser, client):
    cadre = deputy(county_a)
    with pytest.raises(ValidationError) as error:
        services.record_movement(
            cadre, kind=M.LATERAL, date=D(1996, 1, 1), by=superuser, to_post="某局副局长"
        )
    assert "date" in error.value.message_dict
    client.force_login(superuser)
    response = client.post(
        reverse("admin:cadres_movement_add"),
        {
            "cadre": cadre.pk,
            "kind": M.LATERAL,
            "date": "1996-01-01",
            "to_post": "某局副局长",
        },
    )
    assert response.status_code == 200 and "任现职时间不能早于参加工作时间" in response.content.decode()
    assert not Movement.objects.exists()


def test_demotion_must_lower_the_level(county_a, superuser):
    cadre = deputy(county_a)
    with pytest.raises(ValidationError):
        services.record_movement(
            cadre, kind=M.DEMOTION, date=D(2025, 3, 1), by=superuser, to_level=L.COUNTY_CHIEF
        )
    services.record_movement(
        cadre, kind=M.DEMOTION, date=D(2025, 3, 1), by=superuser, to_level=L.TOWNSHIP_CHIEF
    )
    cadre.refresh_from_db()
    assert cadre.level == L.TOWNSHIP_CHIEF


def test_rank_promotion_must_raise_the_rank(county_a, superuser):
    cadre = deputy(county_a)  # fixed dates: a drawn cadre may start work after the movement's date
    cadre.rank, cadre.rank_since = codes.Rank.PRINCIPAL_STAFF_2, D(2020, 1, 1)
    cadre.save()
    with pytest.raises(ValidationError) as error:
        services.record_movement(
            cadre,
            kind=M.RANK_PROMOTION,
            date=D(2025, 3, 1),
            by=superuser,
            to_rank=codes.Rank.PRINCIPAL_STAFF_3,
        )
    assert "to_rank" in error.value.message_dict
    services.record_movement(
        cadre, kind=M.RANK_PROMOTION, date=D(2025, 3, 1), by=superuser, to_rank=codes.Rank.PRINCIPAL_STAFF_1
    )
    cadre.refresh_from_db()
    assert (cadre.rank, cadre.rank_since) == (codes.Rank.PRINCIPAL_STAFF_1, D(2025, 3, 1))


def test_retirement_changes_status_and_then_only_re_entry_is_possible(county_a, superuser):
    cadre = deputy(county_a)
    services.record_movement(cadre, kind=M.RETIREMENT, date=D(2025, 3, 1), by=superuser)
    cadre.refresh_from_db()
    assert cadre.status == codes.CadreStatus.RETIRED
    with pytest.raises(ValidationError):
        services.record_movement(cadre, kind=M.LATERAL, date=D(2025, 4, 1), by=superuser)


def test_api_movement_to_lower_level_is_a_field_error_and_writes_nothing(county_a, superuser, api):
    cadre = deputy(county_a)
    payload = {"cadre": cadre.pk, "kind": M.PROMOTION, "date": "2025-03-01", "to_level": L.TOWNSHIP_CHIEF}
    response = api.as_user(superuser).post(reverse("movement-list"), payload, format="json")
    assert response.status_code == 400
    assert "必须高于" in str(response.data["to_level"])
    assert not Movement.objects.exists()


def test_api_movement_promotion_moves_the_cadre(county_a, superuser, api):
    cadre = deputy(county_a)
    payload = {
        "cadre": cadre.pk,
        "kind": M.PROMOTION,
        "date": "2025-03-01",
        "to_level": L.COUNTY_CHIEF,
        "to_post": "县长",
    }
    response = api.as_user(superuser).post(reverse("movement-list"), payload, format="json")
    assert response.status_code == 201, response.data
    assert response.data["from_level"] == L.COUNTY_DEPUTY
    detail = api.as_user(superuser).get(reverse("cadre-detail", args=[cadre.pk])).data
    assert detail["level"] == L.COUNTY_CHIEF and detail["post"] == "县长"
    assert [m["kind"] for m in detail["movements"]] == [M.PROMOTION]


def test_api_county_user_cannot_move_a_cadre_out_of_jurisdiction(county_a, county_b, api):
    cadre = deputy(county_a)
    user = f.UserFactory(perms=["cadres.view_movement", "cadres.add_movement"], units=[county_a])
    payload = {"cadre": cadre.pk, "kind": M.LATERAL, "date": "2025-03-01", "to_unit": county_b.pk}
    response = api.as_user(user).post(reverse("movement-list"), payload, format="json")
    assert response.status_code == 400 and "to_unit" in response.data
    cadre.refresh_from_db()
    assert cadre.unit == county_a


def test_admin_movement_refuses_promotion_to_lower_level(county_a, superuser, client):
    cadre = deputy(county_a)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:cadres_movement_add"),
        {
            "cadre": cadre.pk,
            "kind": M.PROMOTION,
            "date": "2025-03-01",
            "to_level": L.TOWNSHIP_CHIEF,
        },
    )
    assert response.status_code == 200
    assert "必须高于" in response.content.decode()
    assert not Movement.objects.exists()


def test_admin_movement_goes_through_the_service(county_a, superuser, client):
    cadre = deputy(county_a)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:cadres_movement_add"),
        {
            "cadre": cadre.pk,
            "kind": M.PROMOTION,
            "date": "2025-03-01",
            "to_level": L.COUNTY_CHIEF,
            "to_post": "县长",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    cadre.refresh_from_db()
    assert cadre.level == L.COUNTY_CHIEF
    assert Movement.objects.get().from_level == L.COUNTY_DEPUTY


# --- warnings and 凡提必核 -------------------------------------------------------------------------
def test_current_warning_level_is_the_highest_open_one(county_a, superuser):
    cadre = f.CadreFactory(unit=county_a)
    red = services.raise_warning(cadre, level="red", source="inquiry", raised_on=D(2025, 1, 1), by=superuser)
    services.raise_warning(cadre, level="yellow", source="petition", raised_on=D(2025, 1, 2), by=superuser)
    services.raise_warning(cadre, level="orange", source="petition", raised_on=D(2025, 1, 3), by=superuser)
    assert Cadre.objects.with_warning_level().get(pk=cadre.pk).warning_level == "red"
    services.close_warning(red, closed_on=D(2025, 2, 1), by=superuser)
    assert Cadre.objects.with_warning_level().get(pk=cadre.pk).warning_level == "orange"
    assert Cadre.objects.get(pk=cadre.pk).current_warning_level == "orange"


def test_closing_a_warning_twice_is_refused(county_a, superuser):
    warning = f.WarningFactory(cadre__unit=county_a, raised_on=D(2025, 1, 1))
    services.close_warning(warning, closed_on=D(2025, 2, 1), by=superuser)
    with pytest.raises(ValidationError):
        services.close_warning(warning, closed_on=D(2025, 3, 1), by=superuser)


def test_warning_cannot_close_before_it_was_raised(county_a, superuser, api):
    warning = f.WarningFactory(cadre__unit=county_a, raised_on=D(2025, 1, 10))
    url = reverse("cadrewarning-close", args=[warning.pk])
    response = api.as_user(superuser).post(url, {"closed_on": "2025-01-09"}, format="json")
    assert response.status_code == 400 and "closed_on" in response.data
    assert api.as_user(superuser).post(url, {"closed_on": "2025-01-10"}, format="json").status_code == 200


def test_promotion_check_discipline_follows_the_records(county_a, superuser):
    clean = f.CadreFactory(unit=county_a)
    check = services.record_promotion_check(
        clean,
        proposed_post="局长",
        checked_on=D(2025, 5, 1),
        by=superuser,
        archive="passed",
        personal_matters="passed",
        petition="passed",
    )
    assert (check.discipline, check.result) == ("passed", "passed")
    sanctioned = f.SanctionFactory(
        cadre__unit=county_a,
        sanction=codes.Sanction.ADMONITION,
        decided_on=D(2025, 1, 1),
        influence_months=None,
    ).cadre
    check = services.record_promotion_check(
        sanctioned,
        proposed_post="局长",
        checked_on=D(2025, 5, 1),
        by=superuser,
        archive="passed",
        personal_matters="passed",
        petition="passed",
    )
    assert (check.discipline, check.result) == ("failed", "failed")


def test_promotion_check_refuses_passed_under_a_sanction_or_an_open_orange_warning(county_a, superuser, api):
    """凡提必核 may not be marked 通过 while the records stand in the way — through the service, the
    admin's form or the API alike (the model's rule) — and says why."""
    sanctioned = f.SanctionFactory(
        cadre__unit=county_a,
        sanction=codes.Sanction.ADMONITION,
        decided_on=D(2025, 1, 1),
        influence_months=None,
    ).cadre
    warned = f.CadreFactory(unit=county_a)
    f.WarningFactory(cadre=warned, level=codes.WarningLevel.ORANGE, raised_on=D(2025, 2, 1), closed_on=None)
    for cadre, reason in ((sanctioned, "处分影响期"), (warned, "橙色预警")):
        with pytest.raises(ValidationError) as error:
            services.record_promotion_check(
                cadre, proposed_post="局长", checked_on=D(2025, 5, 1), by=superuser, discipline="passed"
            )
        assert reason in error.value.message_dict["discipline"][0]
    response = api.as_user(superuser).post(
        "/api/v1/promotion-checks/",
        {"cadre": warned.pk, "proposed_post": "局长", "checked_on": "2025-05-01", "discipline": "passed"},
        format="json",
    )
    assert response.status_code == 400 and "橙色预警" in str(response.data["discipline"])
    assert services.discipline_check(warned, D(2025, 5, 1)) == "failed"


def test_cadre_detail_includes_children_and_derived_values(county_a, superuser, api):
    cadre = f.CadreFactory(
        unit=county_a, ft_education="21", pt_education="14", ethnicity="03", political_status="13"
    )
    f.ResumeEntryFactory(cadre=cadre)
    f.FamilyMemberFactory(cadre=cadre)
    data = api.as_user(superuser).get(reverse("cadre-detail", args=[cadre.pk])).data
    assert len(data["resume"]) == 1 and len(data["family"]) == 1
    assert data["highest_education"] == "14" and data["highest_education_label"] == "硕士研究生毕业"
    assert data["is_minority"] and data["is_non_party"]
    assert data["age"] == cadre.age


def test_sanction_details_are_hidden_from_users_without_permission(county_a, api):
    sanction = f.SanctionFactory(cadre__unit=county_a)
    user = f.UserFactory(perms=["cadres.view_cadre"], units=[county_a])
    data = api.as_user(user).get(reverse("cadre-detail", args=[sanction.cadre_id])).data
    shown = data["sanctions"][0]
    assert (
        shown["sanction"] != sanction.sanction
        and shown["sanction_display"] != sanction.get_sanction_display()
    )


def test_admin_cadre_page_shows_every_child_record(county_a, superuser, client):
    cadre = f.CadreFactory(unit=county_a)
    for factory in (
        f.ResumeEntryFactory,
        f.FamilyMemberFactory,
        f.AnnualAssessmentFactory,
        f.RewardFactory,
        f.SanctionFactory,
        f.MovementFactory,
        f.WarningFactory,
    ):
        factory(cadre=cadre)
    client.force_login(superuser)
    page = client.get(reverse("admin:cadres_cadre_change", args=[cadre.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert cadre.sanctions.get().doc_number in html and cadre.warnings.get().get_level_display() in html


def test_api_ordering_breaks_ties_by_id(county_a, superuser, api):
    same = [f.CadreFactory(unit=county_a, birth_date=D(1985, 3, 1), id_number="") for _ in range(5)]
    with CaptureQueriesContext(connection) as ctx:
        api.as_user(superuser).get(reverse("cadre-list"), {"ordering": "-birth_date", "page_size": 2})
    listed = [q["sql"] for q in ctx.captured_queries if "ORDER BY" in q["sql"] and "cadres_cadre" in q["sql"]]
    assert listed and listed[-1].rstrip().split("ORDER BY")[1].count("id") >= 1
    pages = [
        api.as_user(superuser)
        .get(reverse("cadre-list"), {"ordering": "-birth_date", "page_size": 2, "page": p})
        .data["results"]
        for p in (1, 2, 3)
    ]
    assert sorted(row["id"] for page in pages for row in page) == sorted(c.pk for c in same)


def test_closing_a_warning_needs_change_permission(county_a, api):
    warning = f.WarningFactory(cadre__unit=county_a)
    adder = f.UserFactory(perms=["cadres.view_cadrewarning", "cadres.add_cadrewarning"], units=[county_a])
    url = reverse("cadrewarning-close", args=[warning.pk])
    assert (
        api.as_user(adder).post(url, {"closed_on": str(datetime.date.today())}, format="json").status_code
        == 403
    )
    warning.refresh_from_db()
    assert warning.closed_on is None


def test_masked_id_numbers_are_found_only_by_the_exact_value(county_a, api, client):
    cadre = f.CadreFactory(unit=county_a)
    user = f.UserFactory(perms=["cadres.view_cadre"], units=[county_a])
    client_api = api.as_user(user)
    assert client_api.get(reverse("cadre-list"), {"search": cadre.id_number[6:12]}).data["results"] == []
    exact = client_api.get(reverse("cadre-list"), {"search": cadre.id_number}).data["results"]
    assert [row["id"] for row in exact] == [cadre.pk]
    client.force_login(user)
    page = client.get(reverse("admin:cadres_cadre_changelist"), {"q": cadre.id_number[6:12]}).content.decode()
    assert reverse("admin:cadres_cadre_change", args=[cadre.pk]) not in page


def test_bad_ids_in_admin_urls_are_not_errors(county_a, superuser, client):
    client.force_login(superuser)
    assert client.get(reverse("admin:cadres_cadre_changelist"), {"unit_subtree": "abc"}).status_code == 200
    assert client.get("/admin/cadres/cadre/abc/history/").status_code in (302, 404)
