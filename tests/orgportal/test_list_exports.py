"""Every API list exports to Excel (`?format=xlsx`): its roster where one is declared, else its own
columns — scoped like the list, in a constant number of queries; a read with no Excel form is 406 and
an error stays JSON: never a body labelled .xlsx that is not one. By discovery from the router."""

import io

import openpyxl
import pytest
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgportal import access
from orgportal import rosters as roster_engine
from orgportal.api import XLSX, router
from tests.contract import ModelContract
from tests.orgportal.test_jurisdiction_matrix import contract, is_model_resource
from tests.orgportal.test_jurisdiction_matrix import staff as staff

pytestmark = pytest.mark.django_db

RESOURCES = [
    (basename, viewset.queryset.model)
    for _prefix, viewset, basename in router.registry
    if is_model_resource(viewset, basename) and viewset.queryset.model._meta.app_label != "testapp"
]
SCOPED = [(b, m) for b, m in RESOURCES if access.unit_path_field(m) is not None]


def sheet_text(response) -> str:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return "\n".join(
        " ".join(str(v) for v in row if v is not None)
        for row in book.worksheets[0].iter_rows(values_only=True)
    )


@pytest.mark.parametrize(("basename", "model"), SCOPED, ids=[b for b, _m in SCOPED])
def test_every_list_exports_what_the_county_may_see_in_constant_queries(
    basename, model, county_a, county_b, staff, api
):
    kit = contract(model)
    client = api.as_user(ModelContract.fresh(staff["a"]))
    url = reverse(f"{basename}-list")
    kit.make(county_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            sheet_text(client.get(url, {"format": "xlsx"}))
        return len(ctx.captured_queries)

    queries()  # the user's permissions and units are read once, then kept on the user
    one = queries()
    for _ in range(3):
        kit.make(county_a)
    assert queries() == one, f"{basename}: the export's queries grow with its rows"
    before = sheet_text(client.get(url, {"format": "xlsx"}))
    kit.make(county_b)
    after = sheet_text(client.get(url, {"format": "xlsx"}))
    strip = lambda text: "\n".join(text.splitlines()[1:])  # noqa: E731 (the title row holds the date)
    assert strip(after) == strip(before), f"{basename}: county A's export changed with county B's record"


def test_a_read_without_an_excel_form_is_406_and_an_error_stays_json(county_a, staff, api):
    kit = contract(next(m for b, m in SCOPED if b == "cadre"))
    mine = kit.make(county_a)
    client = api.as_user(ModelContract.fresh(staff["a"]))
    detail = client.get(reverse("cadre-detail", args=[mine.pk]), {"format": "xlsx"})
    assert detail.status_code == 406 and detail["Content-Type"].startswith("application/json")
    missing = client.get(reverse("cadre-detail", args=[10**8]))
    assert missing.status_code == 404 and missing.json()["detail"].startswith("未找到该记录")  # in Chinese
    unknown = client.get(reverse("cadre-list"), {"format": "xlsx", "roster": "nope"})
    assert unknown.status_code == 404 and unknown["Content-Type"].startswith("application/json")


ADMIN_LISTS = sorted(
    (
        model
        for model in admin.site._registry
        if access.unit_path_field(model) is not None
        and not roster_engine.for_model(model)
        and model._meta.app_label != "testapp"
    ),
    key=lambda m: m._meta.label,
)


@pytest.mark.parametrize("model", ADMIN_LISTS, ids=lambda m: m._meta.label)
def test_every_admin_list_without_a_roster_exports_its_columns(model, county_a, county_b, staff, client):
    kit = contract(model)
    mine, theirs = kit.make(county_a), kit.make(county_b)
    client.force_login(ModelContract.fresh(staff["a"]))
    meta = model._meta
    page = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")).content.decode()
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_list_export")
    assert url in page, "the list offers its export"
    response = client.get(url)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    site_admin = admin.site._registry[model]
    user = ModelContract.fresh(staff["a"])
    visible = access.scope(model._default_manager.all(), user)
    assert visible.filter(pk=mine.pk).exists() and not visible.filter(pk=theirs.pk).exists()
    assert len(rows) == 2 + visible.count(), rows  # the title, the header, every record the list holds
    shown = [c for c in site_admin.list_display if c != "action_checkbox"]
    assert rows[1][1] == str(label_for_field(shown[0], model, site_admin))


def test_a_write_asked_for_as_xlsx_is_refused_before_it_writes(county_a, staff, api):
    client = api.as_user(ModelContract.fresh(staff["a"]))
    kit = contract(next(m for b, m in SCOPED if b == "cadre"))
    mine = kit.make(county_a)
    history = mine.history.count()
    response = client.patch(
        reverse("cadre-detail", args=[mine.pk]) + "?format=xlsx", {"note": "改"}, format="json"
    )
    assert response.status_code == 406 and response["Content-Type"].startswith("application/json")
    mine.refresh_from_db()
    assert mine.note != "改" and mine.history.count() == history


def test_an_export_link_with_a_stale_filter_goes_back_to_the_list(county_a, staff, client):
    client.force_login(ModelContract.fresh(staff["a"]))
    for name in ("admin:cadres_cadrewarning_list_export", "admin:cadres_cadre_roster_export"):
        args = ["cadres.standard"] if "roster" in name else []
        response = client.get(reverse(name, args=args), {"id__exact": "abc"})
        assert response.status_code == 302 and response.url.endswith("?e=1")
