"""The young-cadre pool: models through the shared contract, the admit/exit services, the
one-open-membership constraint, re-entry, the concurrent exit, and the review rules at their edges."""

import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres import services
from cadres.models import PoolMembership
from cadres.rules import review_pool
from orgportal import codes
from orgportal.models import Rule
from tests import factories as f
from tests.cadres.contract import CadreChildContract
from tests.contract import ModelContract

pytestmark = pytest.mark.django_db
D = datetime.date
L = codes.LeadershipLevel


class TestProgramme(ModelContract):
    factory = f.ProgrammeFactory
    basename = "programme"

    def create_payload(self, unit):
        return {"name": "第三轮蹲苗计划", "year": 2026, "tier": L.TOWNSHIP_CHIEF}

    def update_payload(self, obj):
        return {"status": codes.ProgrammeStatus.CLOSED}

    def filter_cases(self, unit):
        yield {"year": 2023}, self.make(unit, year=2023), self.make(unit, year=2024)


class TestPoolMembership(CadreChildContract):
    factory = f.PoolMembershipFactory
    basename = "poolmembership"
    updatable = False

    def create_payload(self, unit):
        cadre = f.CadreFactory(unit=unit, level=L.TOWNSHIP_DEPUTY)
        return {"cadre": cadre.pk, "entered_on": str(datetime.date.today()), "source": "selected_graduate"}

    def update_payload(self, obj):
        return {"source": "survey"}

    def filter_cases(self, unit):
        yield {"source": "survey"}, self.make(unit, source="survey"), self.make(unit, source="recommendation")


class TestDevelopmentPlan(ModelContract):
    factory = f.DevelopmentPlanFactory
    basename = "developmentplan"

    def make(self, unit, **kwargs):
        kwargs.setdefault("membership", f.PoolMembershipFactory(cadre__unit=unit))
        return self.factory(**kwargs)

    def create_payload(self, unit):
        return {"membership": f.PoolMembershipFactory(cadre__unit=unit).pk, "direction": "经济管理方向"}

    def update_payload(self, obj):
        return {"responsible_leader": "王书记"}


class TestPlanMeasure(ModelContract):
    factory = f.PlanMeasureFactory
    basename = "planmeasure"

    def make(self, unit, **kwargs):
        kwargs.setdefault("plan", f.DevelopmentPlanFactory(membership__cadre__unit=unit))
        return self.factory(**kwargs)

    def create_payload(self, unit):
        return {"plan": f.DevelopmentPlanFactory(membership__cadre__unit=unit).pk, "text": "到信访岗位历练"}

    def update_payload(self, obj):
        return {"done": True}

    def filter_cases(self, unit):
        yield {"done": "true"}, self.make(unit, done=True), self.make(unit, done=False)


class TestPlanReview(ModelContract):
    factory = f.PlanReviewFactory
    basename = "planreview"

    def make(self, unit, **kwargs):
        kwargs.setdefault("plan", f.DevelopmentPlanFactory(membership__cadre__unit=unit))
        return self.factory(**kwargs)

    def create_payload(self, unit):
        plan = f.DevelopmentPlanFactory(membership__cadre__unit=unit)
        return {"plan": plan.pk, "reviewed_on": "2025-06-30", "notes": "表现突出"}

    def update_payload(self, obj):
        return {"notes": "继续培养"}


class TestDossierEntry(CadreChildContract):
    factory = f.DossierEntryFactory
    basename = "dossierentry"

    def create_payload(self, unit):
        return {"cadre": self.cadre_in(unit), "date": "2025-05-01", "kind": "talk", "text": "任前谈话"}

    def update_payload(self, obj):
        return {"text": "年度谈话"}


class TestPosting(CadreChildContract):
    factory = f.PostingFactory
    basename = "posting"

    def create_payload(self, unit):
        return {
            "cadre": self.cadre_in(unit),
            "kind": "secondment",
            "host_kind": "developed_region",
            "host_name": "浙江省宁波市发展和改革委员会",
            "post": "副主任",
            "start": "2025-03-01",
            "planned_end": "2026-02-28",
        }

    def update_payload(self, obj):
        return {"evaluation": "优秀"}


# --- services -----------------------------------------------------------------------------------
def young(unit, **kwargs):
    defaults = {
        "birth_date": D(1992, 5, 1),
        "id_number": "",
        "work_start_date": D(2014, 7, 1),
        "party_join_date": None,
        "post_since": D(2022, 1, 1),
        "level": L.TOWNSHIP_DEPUTY,
        "rank": "",
    }
    return f.CadreFactory(unit=unit, **{**defaults, **kwargs})


def test_admit_defaults_the_tier_from_the_programme_then_the_level(county_a, superuser):
    programme = f.ProgrammeFactory(tier=L.COUNTY_DEPUTY)
    with_programme = services.admit_to_pool(
        young(county_a), source="survey", on=D(2025, 1, 1), by=superuser, programme=programme
    )
    without = services.admit_to_pool(young(county_a), source="survey", on=D(2025, 1, 1), by=superuser)
    assert (with_programme.tier, without.tier) == (L.COUNTY_DEPUTY, L.TOWNSHIP_DEPUTY)
    assert with_programme.history.latest().history_user == superuser


def test_admit_refuses_retired_and_already_admitted(county_a, superuser):
    cadre = young(county_a)
    services.admit_to_pool(cadre, source="survey", on=D(2025, 1, 1), by=superuser)
    with pytest.raises(ValidationError, match="已在库中"):
        services.admit_to_pool(cadre, source="survey", on=D(2025, 2, 1), by=superuser)
    retired = young(county_a, status=codes.CadreStatus.RETIRED)
    with pytest.raises(ValidationError, match="退休"):
        services.admit_to_pool(retired, source="survey", on=D(2025, 2, 1), by=superuser)


def test_exit_needs_a_reason_and_a_date_after_entry(county_a, superuser):
    membership = services.admit_to_pool(young(county_a), source="survey", on=D(2025, 1, 10), by=superuser)
    with pytest.raises(ValidationError):
        services.exit_pool(membership, reason="", on=D(2025, 2, 1), by=superuser)
    with pytest.raises(ValidationError) as error:
        services.exit_pool(membership, reason="promoted", on=D(2025, 1, 9), by=superuser)
    assert "exited_on" in error.value.message_dict
    services.exit_pool(membership, reason="promoted", on=D(2025, 1, 10), by=superuser, note="提拔为镇长")
    membership.refresh_from_db()
    assert (membership.status, membership.exit_reason, membership.exit_note) == (
        "out",
        "promoted",
        "提拔为镇长",
    )
    assert membership.history.latest().history_user == superuser


def test_re_entry_is_a_new_membership_and_the_old_one_is_kept(county_a, superuser):
    cadre = young(county_a)
    first = services.admit_to_pool(cadre, source="survey", on=D(2023, 1, 1), by=superuser)
    services.exit_pool(first, reason="transferred", on=D(2024, 1, 1), by=superuser)
    with pytest.raises(ValidationError):
        services.admit_to_pool(cadre, source="survey", on=D(2023, 12, 31), by=superuser)
    second = services.admit_to_pool(cadre, source="recommendation", on=D(2024, 6, 1), by=superuser)
    assert second.pk != first.pk
    assert list(cadre.memberships.order_by("entered_on").values_list("status", flat=True)) == ["out", "in"]


def test_the_database_allows_one_open_membership_per_cadre(county_a):
    cadre = young(county_a)
    f.PoolMembershipFactory(cadre=cadre)
    with pytest.raises(IntegrityError), transaction.atomic():
        PoolMembership.objects.create(
            cadre=cadre, tier=L.TOWNSHIP_CHIEF, entered_on=D(2025, 1, 1), source="survey"
        )


def test_api_admit_and_exit(county_a, superuser, api):
    cadre = young(county_a)
    client = api.as_user(superuser)
    created = client.post(
        reverse("poolmembership-list"),
        {"cadre": cadre.pk, "entered_on": "2025-01-01", "source": "survey"},
        format="json",
    )
    assert created.status_code == 201, created.data
    assert created.data["tier"] == L.TOWNSHIP_DEPUTY
    url = reverse("poolmembership-exit-pool", args=[created.data["id"]])
    assert client.post(url, {"on": "2025-03-01"}, format="json").status_code == 400  # no reason
    response = client.post(url, {"reason": "promoted", "on": "2025-03-01"}, format="json")
    assert response.status_code == 200 and response.data["status"] == "out"
    again = client.post(url, {"reason": "promoted", "on": "2025-03-02"}, format="json")
    assert again.status_code == 400 and "不能重复出库" in str(again.data)


def test_admin_exit_action_asks_for_a_reason_then_exits(county_a, superuser, client):
    membership = f.PoolMembershipFactory(cadre__unit=county_a)
    client.force_login(superuser)
    url = reverse("admin:cadres_poolmembership_changelist")
    form = client.post(url, {"action": "exit_selected", "_selected_action": [membership.pk]})
    assert form.status_code == 200 and "出库原因" in form.content.decode()
    done = client.post(
        url,
        {
            "action": "exit_selected",
            "_selected_action": [membership.pk],
            "confirm": "1",
            "exit_reason": "promoted",
            "exited_on": str(datetime.date.today()),
            "exit_note": "",
        },
    )
    assert done.status_code == 302
    membership.refresh_from_db()
    assert membership.status == "out"


def test_admin_exit_offers_no_reason_and_refuses_all_when_one_is_refused(county_a, superuser, client):
    """No 出库原因 is chosen for the clerk; a batch with one member the service refuses does nothing
    and comes back with the clerk's input and that member's reason — never a “完成 0 条”."""
    active = f.PoolMembershipFactory(cadre__unit=county_a)
    gone = f.PoolMembershipFactory(cadre__unit=county_a)
    services.exit_pool(gone, reason="promoted", on=gone.entered_on, by=superuser)
    client.force_login(superuser)
    url = reverse("admin:cadres_poolmembership_changelist")
    form = client.post(url, {"action": "exit_selected", "_selected_action": [active.pk]})
    assert 'value="" selected' in form.content.decode()  # the reason is the clerk's choice
    note = "年龄超出本层级"
    page = client.post(
        url,
        {
            "action": "exit_selected",
            "_selected_action": [active.pk, gone.pk],
            "confirm": "1",
            "exit_reason": "over_age",
            "exited_on": str(datetime.date.today()),
            "exit_note": note,
        },
    )
    text = page.content.decode()
    assert page.status_code == 200 and "全部未执行" in text and "不能重复出库" in text
    assert note in text and "完成" not in text  # the input kept, no success message
    active.refresh_from_db()
    assert active.status == "in"


def test_admin_admit_action_from_the_cadre_list(county_a, superuser, client):
    cadre = young(county_a)
    client.force_login(superuser)
    url = reverse("admin:cadres_cadre_changelist")
    response = client.post(
        url,
        {
            "action": "admit_selected",
            "_selected_action": [cadre.pk],
            "confirm": "1",
            "source": "survey",
            "entered_on": "2025-01-01",
            "tier": "",
        },
    )
    assert response.status_code == 302
    assert cadre.memberships.get().status == "in"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite locks the file)"
)
def test_two_staff_exiting_the_same_member_at_once_one_wins(county_a, superuser):
    membership = f.PoolMembershipFactory(cadre__unit=county_a)
    outcome = {}

    def first():
        with transaction.atomic():
            PoolMembership.objects.select_for_update().get(pk=membership.pk)
            time.sleep(0.5)  # the second exit starts while this transaction holds the row
            services.exit_pool(membership, reason="promoted", on=datetime.date.today(), by=superuser)
        outcome["first"] = "ok"
        connection.close()

    def second():
        time.sleep(0.1)
        try:
            services.exit_pool(membership, reason="over_age", on=datetime.date.today(), by=superuser)
            outcome["second"] = "ok"
        except ValidationError as error:
            outcome["second"] = " ".join(error.messages)
        connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    membership.refresh_from_db()
    assert outcome["first"] == "ok"
    assert "不能重复出库" in outcome["second"]
    assert membership.exit_reason == "promoted"


# --- the review rules -----------------------------------------------------------------------------
def flagged_ids(on):
    return {m.pk: reasons for m, reasons in review_pool(on)}


def test_over_age_from_the_day_after_the_threshold_year(county_a):
    member = f.PoolMembershipFactory(
        cadre=young(county_a, birth_date=D(1980, 5, 2)), tier=L.COUNTY_CHIEF, entered_on=D(2020, 1, 1)
    )
    assert member.pk not in flagged_ids(D(2026, 5, 1))  # 45 until the day before the 46th birthday
    reasons = flagged_ids(D(2026, 5, 2))[member.pk]
    assert reasons == ["超龄：1980.05.02 生，2026.05.02 满 46 周岁，县处级正职门槛 45"]


def test_thresholds_are_data(county_a):
    member = f.PoolMembershipFactory(
        cadre=young(county_a, birth_date=D(1990, 1, 1)), tier=L.TOWNSHIP_CHIEF, entered_on=D(2020, 1, 1)
    )
    assert member.pk not in flagged_ids(D(2025, 6, 1))
    rule = Rule.objects.get(purpose="pool", kind="pool_over_age")
    rule.params = {"thresholds": {L.TOWNSHIP_CHIEF: 34}}
    rule.save()
    assert member.pk in flagged_ids(D(2025, 6, 1))


def test_sanction_flags_through_the_last_day_of_its_influence(county_a):
    member = f.PoolMembershipFactory(cadre=young(county_a), entered_on=D(2020, 1, 1))
    f.SanctionFactory(
        cadre=member.cadre,
        sanction=codes.Sanction.ADMONITION,
        decided_on=D(2025, 1, 15),
        influence_months=None,
    )
    assert member.pk not in flagged_ids(D(2025, 1, 14))
    assert member.pk in flagged_ids(D(2025, 7, 14))
    assert member.pk not in flagged_ids(D(2025, 7, 15))


def test_open_red_warning_and_not_serving(county_a, superuser):
    red = f.PoolMembershipFactory(cadre=young(county_a), entered_on=D(2020, 1, 1))
    services.raise_warning(red.cadre, level="red", source="petition", raised_on=D(2025, 1, 1), by=superuser)
    yellow = f.PoolMembershipFactory(cadre=young(county_a), entered_on=D(2020, 1, 1))
    services.raise_warning(
        yellow.cadre, level="yellow", source="petition", raised_on=D(2025, 1, 1), by=superuser
    )
    gone = f.PoolMembershipFactory(
        cadre=young(county_a, status=codes.CadreStatus.TRANSFERRED_OUT), entered_on=D(2020, 1, 1)
    )
    flags = flagged_ids(D(2025, 2, 1))
    assert flags[red.pk] == ["有未解除的红色预警"]
    assert yellow.pk not in flags
    assert flags[gone.pk] == ["干部状态为「调出」"]


def test_exited_members_are_not_reviewed(county_a, superuser, api):
    member = f.PoolMembershipFactory(
        cadre=young(county_a, status=codes.CadreStatus.RETIRED), entered_on=D(2020, 1, 1)
    )
    services.exit_pool(member, reason="other", on=D(2024, 1, 1), by=superuser)
    assert member.pk not in flagged_ids(D(2025, 1, 1))
    rows = api.as_user(superuser).get(reverse("poolmembership-list")).data["results"]  # the list's flags too
    assert [row["flags"] for row in rows if row["id"] == member.pk] == [[]]


def test_review_pool_runs_a_constant_number_of_queries(county_a):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            review_pool(D(2026, 1, 1))
        return len(ctx.captured_queries)

    f.PoolMembershipFactory(cadre=young(county_a, birth_date=D(1970, 1, 1)), tier=L.TOWNSHIP_CHIEF)
    one = count()
    for _ in range(10):
        f.PoolMembershipFactory(cadre=young(county_a, birth_date=D(1970, 1, 1)), tier=L.TOWNSHIP_CHIEF)
    assert count() == one == 2


def test_admin_member_list_shows_flags_and_filters(county_a, superuser, client):
    old = f.PoolMembershipFactory(
        cadre=young(county_a, birth_date=D(1970, 1, 1), name="老成员"), tier=L.TOWNSHIP_CHIEF
    )
    f.PoolMembershipFactory(cadre=young(county_a, name="新成员"), tier=L.TOWNSHIP_CHIEF)
    client.force_login(superuser)
    page = client.get(reverse("admin:cadres_poolmembership_changelist"), {"rule": "any"}).content.decode()
    assert "老成员" in page and "新成员" not in page and "超过培养层级的年龄门槛" in page
    assert old.pk


def test_api_lists_flags(county_a, superuser, api):
    old = f.PoolMembershipFactory(cadre=young(county_a, birth_date=D(1970, 1, 1)), tier=L.TOWNSHIP_CHIEF)
    f.PoolMembershipFactory(cadre=young(county_a), tier=L.TOWNSHIP_CHIEF)  # not flagged: filtered out
    data = api.as_user(superuser).get(reverse("poolmembership-list"), {"rule": "any"}).data["results"]
    assert [row["id"] for row in data] == [old.pk]
    assert data[0]["flags"][0].startswith("超龄")


def test_review_pool_command_prints_the_flagged_members(county_a, county_b):
    import io

    from django.core.management import call_command

    f.PoolMembershipFactory(
        cadre=young(county_a, birth_date=D(1970, 1, 1), name="甲县老成员"), tier=L.TOWNSHIP_CHIEF
    )
    f.PoolMembershipFactory(
        cadre=young(county_b, birth_date=D(1970, 1, 1), name="乙县老成员"), tier=L.TOWNSHIP_CHIEF
    )
    user = f.UserFactory(units=[county_a])
    out = io.StringIO()
    call_command(
        "review_pool", "--on", "2026-01-01", "--user", user.username, stdout=out, stderr=io.StringIO()
    )
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("姓名\t单位")
    assert len(lines) == 2 and lines[1].startswith("甲县老成员\t甲县") and "超龄" in lines[1]
