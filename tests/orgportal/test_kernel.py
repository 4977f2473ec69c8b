"""The kernel's cross-cutting guarantees: registry, settings, schema, demo data, groups, history."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from orgportal import access
from orgportal.api import router
from orgportal.history import acting_as
from orgportal.models import Unit
from tests import factories
from tests.factories import UnitFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def test_every_domain_model_declares_jurisdiction_and_plugs_into_every_mechanism():
    api_models = {viewset.queryset.model for _prefix, viewset, _name in router.registry}
    admin_models = set(admin.site._registry)
    for model_admin in admin.site._registry.values():
        admin_models |= {inline.model for inline in model_admin.inlines}
    factory_models = {
        f._meta.model
        for f in vars(factories).values()
        if isinstance(getattr(f, "_meta", None), object) and hasattr(getattr(f, "_meta", None), "model")
    }
    problems = []
    for model in access.domain_models():
        label = model._meta.label
        if not hasattr(model, "jurisdiction"):
            problems.append(f"{label}: declare jurisdiction (a path to Unit, or None for global)")
        for name, registered in [("admin", admin_models), ("API", api_models), ("factory", factory_models)]:
            if model not in registered:
                problems.append(f"{label}: no {name}")
        if not hasattr(model._meta, "simple_history_manager_attribute"):
            problems.append(f"{label}: no history")
        if not any("\u4e00" <= ch <= "\u9fff" for ch in str(model._meta.verbose_name)):
            problems.append(f"{label}: verbose_name not Chinese")
    assert access.domain_models(), "the registry found no models"
    assert not problems, "\n".join(problems)


def test_jurisdiction_registry_lists_declared_paths():
    registry = access.jurisdiction_registry()
    assert registry[Unit] == "self"
    assert access.unit_path_field(Unit) == "path"


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("11010519491231002X", "110105********002X"),
        ("健康", "健*"),
        ("差", "*"),
        ("违反工作纪律，履职不力，造成不良影响", "******"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask(value, masked):
    assert access.mask(value) == masked


@pytest.mark.django_db
def test_user_without_units_sees_nothing(county_a):
    user = UserFactory(perms=["orgportal.view_unit"])
    assert not access.scope(Unit.objects.all(), user).exists()


@pytest.mark.django_db
def test_view_all_units_permission_sees_everything(county_a, county_b):
    user = UserFactory(perms=["orgportal.view_all_units"])
    assert set(access.scope(Unit.objects.all(), user)) == set(Unit.objects.all())


@pytest.mark.django_db
def test_user_with_two_units_sees_both_subtrees(city, county_a, county_b):
    other = UnitFactory(parent=city)
    user = UserFactory(units=[county_a, county_b])
    assert set(access.scope(Unit.objects.all(), user)) == {county_a, county_b}
    assert other not in access.scope(Unit.objects.all(), user)


@pytest.mark.django_db
def test_acting_as_records_the_user_outside_a_request(county_a):
    user = UserFactory()
    with acting_as(user):
        county_a.name = "改名"
        county_a.save()
    assert county_a.history.latest().history_user == user


@pytest.mark.django_db
def test_deleting_a_unit_with_children_answers_409_in_chinese(county_a, superuser, api):
    UnitFactory(parent=county_a)
    response = api.as_user(superuser).delete(reverse("unit-detail", args=[county_a.pk]))
    assert response.status_code == 409
    assert "不能删除" in response.data["detail"]
    assert Unit.objects.filter(pk=county_a.pk).exists()


@pytest.mark.django_db
def test_section_groups_exist_with_permissions():
    groups = {g.name: g for g in Group.objects.prefetch_related("permissions")}
    assert set(groups) >= {"干部科", "综干科", "干监科", "干档科", "培训办", "人才办", "县区组织部", "只读"}
    codenames = {p.codename for p in groups["干监科"].permissions.all()}
    assert {"view_unit", "view_sensitive"} <= codenames
    assert "view_sensitive" not in {p.codename for p in groups["只读"].permissions.all()}


@pytest.mark.django_db
def test_seed_demo_builds_tree_and_is_idempotent(django_user_model):
    call_command("seed_demo", "--cadres", "0", stdout=io.StringIO())
    units = Unit.objects.count()
    call_command("seed_demo", "--cadres", "0", stdout=io.StringIO())
    assert Unit.objects.count() == units
    counties = Unit.objects.filter(kind="county")
    assert 6 <= counties.count() <= 10
    assert Unit.objects.filter(kind="township", parent__in=counties).count() >= 6 * counties.count()
    assert (
        Unit.objects.filter(kind="institution").exists() and Unit.objects.filter(kind="enterprise").exists()
    )
    assert all(u.path == u.prospective_path() for u in Unit.objects.select_related("parent"))
    county_user = django_user_model.objects.get(username="county_hhg")
    assert county_user.check_password(factories.DEMO_PASSWORD)
    visible = access.scope(Unit.objects.all(), county_user)
    assert visible.filter(name="红花岗区").exists() and not visible.filter(name="汇川区").exists()


@pytest.mark.django_db
def test_schema_lists_units_and_docs_are_served_offline(client):
    schema = client.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "/api/v1/units/" in schema["paths"]
    assert "/api/v1/units/tree/" in schema["paths"]
    for name in ("swagger-ui", "redoc"):
        page = client.get(reverse(name)).content.decode()
        assert "drf_spectacular_sidecar" in page
        assert "cdn" not in page.lower()


def test_schema_generates_without_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", os.devnull],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "orgportal.settings"},
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_check_deploy_reports_only_what_the_reverse_proxy_owns():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x" * 60 + "-real-secret-Y7#kQ",
        "ALLOWED_HOSTS": "org.example",
    }
    env["DJANGO_SETTINGS_MODULE"] = "orgportal.settings"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, capture_output=True, text=True, env=env
    )
    reported = {line.split(":")[0].strip() for line in result.stderr.splitlines() if "security.W" in line}
    assert reported == {"?"} or reported <= {"?: (security.W004)", "?: (security.W008)"}, result.stderr
    assert "security.W004" in result.stderr and "security.W008" in result.stderr  # HSTS and HTTPS redirect


@pytest.mark.django_db
def test_english_is_selectable(client, superuser):
    client.force_login(superuser)
    zh = client.get(reverse("admin:index")).content.decode()
    en = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "组织部干部人才信息系统" in zh and "注销" in zh
    assert "Organization Department" in en and "Log out" in en


@pytest.mark.django_db
def test_export_log_is_for_administrators_only(city, superuser, api, client):
    from tests.factories import ExportLogFactory

    log = ExportLogFactory()
    staff = UserFactory(perms=["orgportal.view_unit"], units=[city])
    assert api.as_user(staff).get(reverse("exportlog-list")).status_code == 403
    assert len(api.as_user(superuser).get(reverse("exportlog-list")).data["results"]) == 1
    assert api.as_user(superuser).delete(reverse("exportlog-detail", args=[log.pk])).status_code == 405
    client.force_login(staff)
    assert client.get(reverse("admin:orgportal_exportlog_changelist")).status_code == 403


@pytest.mark.django_db
def test_estimated_count_paginator_keeps_every_row_reachable(county_a, monkeypatch):
    from django.db import connection

    from orgportal.admin import EstimatedCountPaginator

    for _ in range(10):
        UnitFactory(parent=county_a)
    monkeypatch.setattr(EstimatedCountPaginator, "exact_limit", 3)
    paginator = EstimatedCountPaginator(Unit.objects.order_by("pk"), per_page=2)
    if connection.vendor == "postgresql":
        assert (
            paginator.count >= 4 and paginator.estimated
        )  # the planner's estimate, never below what it counted
    else:
        assert paginator.count == 12  # the city, the county and its ten units
    last = list(Unit.objects.order_by("pk"))[-1]
    assert last in paginator.page(6).object_list  # whatever the estimate, page 6 holds the last row


def test_locked_reads_the_record_again_and_reports_one_that_is_gone(db):
    from django.core.exceptions import ValidationError

    from orgportal.models import Unit
    from tests.factories import UnitFactory

    unit = UnitFactory(name="旧名")
    Unit.objects.filter(pk=unit.pk).update(name="新名")
    assert unit.locked().name == "新名"
    Unit.objects.filter(pk=unit.pk).delete()
    with pytest.raises(ValidationError) as gone:
        unit.locked()
    assert gone.value.messages == ["该单位已不存在"]
    with pytest.raises(ValidationError) as named:
        unit.locked("该单位已被他人删除")
    assert named.value.messages == ["该单位已被他人删除"]


@pytest.mark.django_db
def test_a_body_nested_too_deep_is_a_400_not_a_500(superuser, api):
    response = api.as_user(superuser).post(
        reverse("unit-list"), data="[" * 100_000, content_type="application/json"
    )
    assert response.status_code == 400
    assert "嵌套层数过多" in str(response.data["detail"])


def test_the_demo_has_a_login_for_every_section_and_county_and_make_run_prints_them(db):
    import io

    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from orgportal import demo
    from orgportal.sections import ALL_SECTIONS

    demo.seed_units()
    out = io.StringIO()
    demo.seed_users(demo.DEMO_PASSWORD)
    call_command("demo_login", stdout=out)
    printed = out.getvalue()
    sections = {g for _u, _n, groups, _unit in demo.DEMO_USERS for g in groups}
    assert set(ALL_SECTIONS) | {"审计"} <= sections
    for username, _name, groups, _unit in demo.DEMO_USERS:
        assert username in printed
        assert set(Group.objects.filter(user__username=username).values_list("name", flat=True)) == set(
            groups
        )
