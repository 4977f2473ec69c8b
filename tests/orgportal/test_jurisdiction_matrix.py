"""The jurisdiction matrix: every scoped model × every way in × users of two sibling counties and
the city above them. A county sees none of the other county's records through any way in, the
city sees both, and a county cannot move a record into the other county nor create one there.

Nothing here is listed by hand: the models come from the kernel (access.jurisdiction_registry),
each model's factory and `make(unit)` from its ModelContract class (tests/*/test_*.py), the ways in
from the admin site's registry and URLs and from the API router — a model, admin view, report or
roster added later is in the matrix without a line here, and a scoped model without a contract
fails loudly. API create, update, delete and moving a record into the other county are each
model's contract tests (ModelContract.test_api_jurisdiction), not repeated here. The masking matrix (users with and without orgportal.view_sensitive) is
tests/orgportal/test_masking_matrix.py, on the same discovery.
"""

import importlib
import io
import json
import re
import zipfile
from functools import cache
from pathlib import Path

import factory
import pytest
from django import forms as django_forms
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.urls import URLPattern, reverse
from django.urls.exceptions import NoReverseMatch
from django.utils.html import escape

import orgportal.urls  # noqa: F401 (mounts every app's API routes on the router, as a request would)
from orgportal import access
from orgportal import rosters as roster_engine
from orgportal.api import router
from tests import factories
from tests.contract import ModelContract, ids
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TESTS = Path(__file__).resolve().parents[1]


# --- discovery ---------------------------------------------------------------------------------------
@cache
def contracts() -> dict[type[models.Model], type[ModelContract]]:
    """Model → its ModelContract class, from every test module of the project; a model without one
    gets a plain contract around its factory (tests/factories.py or an app's), if it has one."""
    for path in sorted(TESTS.rglob("test_*.py")):
        importlib.import_module(".".join(path.relative_to(TESTS.parent).with_suffix("").parts))
    found, pending = {}, list(ModelContract.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.factory is not None:
            found.setdefault(cls.factory._meta.model, cls)
    for module in [factories, *(importlib.import_module(p) for p in app_factory_modules())]:
        for candidate in vars(module).values():
            if not (isinstance(candidate, type) and issubclass(candidate, factory.django.DjangoModelFactory)):
                continue
            model = candidate._meta.model
            if model is not None and model not in found and viewset_of(model) is not None:
                attrs = {"factory": candidate, "basename": viewset_of(model)[2], "__test__": False}
                found[model] = type(f"{model.__name__}Contract", (ModelContract,), attrs)
    return found


def app_factory_modules() -> list[str]:
    return [
        ".".join(path.relative_to(TESTS.parent).with_suffix("").parts)
        for path in sorted(TESTS.rglob("factories.py"))
        if path.parent != TESTS
    ]


def scoped_models() -> list[type[models.Model]]:
    return [m for m, path in access.jurisdiction_registry().items() if path is not None]


def label(model) -> str:
    return model._meta.label


SCOPED = scoped_models()


def contract(model) -> ModelContract:
    cls = contracts().get(model)
    assert cls is not None, f"{label(model)} is scoped but has no ModelContract (factory, make(unit))"
    return cls()


def model_admin(model):
    return admin.site._registry.get(model)


def sensitive_permissions() -> list[str]:
    """orgportal.view_sensitive and every model's own `sensitive_permission`."""
    declared = {getattr(m, "sensitive_permission", None) for m in access.domain_models()}
    return [access.VIEW_SENSITIVE, *sorted(p for p in declared if p)]


def perm_objects(*, sensitive: bool):
    """Every permission of the project's apps, as a broad member of staff has them — but never
    view_all_units (jurisdiction decides), and the permissions that unmask sensitive values only when
    asked."""
    apps = {m._meta.app_label for m in access.domain_models()}
    leave_out = [access.VIEW_ALL_UNITS, *(() if sensitive else sensitive_permissions())]
    found = Permission.objects.filter(content_type__app_label__in=apps)
    for permission in leave_out:
        app_label, codename = permission.split(".")
        found = found.exclude(codename=codename, content_type__app_label=app_label)
    return found


@pytest.fixture
def staff(city, county_a, county_b):
    """Broad staff of county A, of county B and of the city (every permission but view_all_units),
    through one group."""
    broad = Group.objects.create(name="matrix")
    broad.permissions.set(perm_objects(sensitive=True))
    users = {"a": county_a, "b": county_b, "city": city}
    for who, unit in users.items():
        users[who] = UserFactory(units=[unit])
        users[who].groups.add(broad)
    return users


@pytest.fixture
def web(client):
    """Admin client logged in as whom the test says: web(user).get(...)."""

    def as_user(user):
        client.force_login(user)
        return client

    return as_user


# --- what a response shows ---------------------------------------------------------------------------
def content(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def text_of(response) -> str:
    """Everything a response shows, as text: an .xlsx or .docx is its XML parts unzipped."""
    raw = content(response)
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as book:
            return "\n".join(
                book.read(name).decode("utf-8", "replace")
                for name in book.namelist()
                if name.endswith(".xml")
            )
    return raw.decode("utf-8", "replace")


VOLATILE = re.compile(
    r"csrfmiddlewaretoken\" value=\"[^\"]*\"|csrftoken[^;\s]*|\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:?\d\d)?"
    r"|\d{1,2}:\d\d(:\d\d)?|_version=[^\"&]*|user\d+"
)


def snapshot(response) -> str:
    """A response with what changes between two identical requests (tokens, clock) left out."""
    assert response.status_code == 200, (response.status_code, text_of(response)[:500])
    return VOLATILE.sub("", text_of(response))


def page_ids(response) -> set[int]:
    """The records a changelist (or its popup) links to."""
    html = response.content.decode()
    found = {int(pk) for pk in re.findall(r'data-popup-opener="(\d+)"', html)}
    found |= {int(pk) for pk in re.findall(r"/(\d+)/change/", html)}
    return found


# --- admin: changelist, change form, history, search, popups ---------------------------------------
@pytest.mark.parametrize("model", SCOPED, ids=label)
def test_every_scoped_model_has_a_contract_and_an_admin(model):
    contract(model)
    assert model_admin(model) is not None, f"{label(model)} is not in the admin"


@pytest.mark.parametrize("model", SCOPED, ids=label)
def test_city_sees_both_counties_and_each_county_only_its_own(model, county_a, county_b, staff, api, web):
    kit = contract(model)
    mine, theirs = kit.make(county_a), kit.make(county_b)
    basename = kit.basename
    for who, sees, hidden in [
        ("a", {mine}, {theirs}),
        ("b", {theirs}, {mine}),
        ("city", {mine, theirs}, set()),
    ]:
        user = ModelContract.fresh(staff[who])
        found = ids(api.as_user(user).get(reverse(f"{basename}-list"), {"page_size": 500}))
        assert {o.pk for o in sees} <= found and not {o.pk for o in hidden} & found, (who, "api list")
        for obj in sees | hidden:
            status = api.as_user(user).get(reverse(f"{basename}-detail", args=[obj.pk])).status_code
            assert status == (200 if obj in sees else 404), (who, "api detail", obj.pk)
        listed = page_ids(web(user).get(kit.admin_url("changelist"), {"all": ""}))
        popup = page_ids(web(user).get(kit.admin_url("changelist"), {"_to_field": "id", "_popup": "1"}))
        for name, shown in [("changelist", listed), ("raw-id popup", popup)]:
            assert {o.pk for o in sees} <= shown and not {o.pk for o in hidden} & shown, (who, name)
        for obj in hidden:
            assert web(user).get(kit.admin_url("change", obj.pk)).status_code in (302, 404), (who, "change")
            assert web(user).get(kit.admin_url("history", obj.pk)).status_code == 404, (who, "history")


def search_terms(model_admin_, request, obj) -> list[str]:
    """Values of `obj` that the admin's search fields look in (plain field paths only)."""
    terms = []
    for field in model_admin_.get_search_fields(request):
        path = field.lstrip("^=@")
        value = obj
        for part in path.split("__"):
            value = getattr(value, part, None)
            if value is None:
                break
        if isinstance(value, str) and value.strip():
            terms.append(value)
    return terms


@pytest.mark.parametrize("model", SCOPED, ids=label)
def test_admin_search_finds_nothing_of_the_other_county(model, county_a, county_b, staff, web, rf):
    kit = contract(model)
    theirs = kit.make(county_b)
    site_admin = model_admin(model)
    request = rf.get("/")
    request.user = staff["city"]
    terms = search_terms(site_admin, request, theirs)
    if not terms:
        pytest.skip(f"{label(model)}: no text search field with a value to search for")
    city_found = False
    for term in terms:
        assert theirs.pk not in page_ids(web(staff["a"]).get(kit.admin_url("changelist"), {"q": term})), term
        city_found |= theirs.pk in page_ids(web(staff["city"]).get(kit.admin_url("changelist"), {"q": term}))
    assert city_found, "the city finds the record by one of these terms (the search works)"


# --- admin: autocomplete, relation choices on forms --------------------------------------------------
def autocomplete_pairs():
    """(source model, field) of every autocomplete field, in every admin and inline, that points at a
    scoped model."""
    pairs = set()
    for source, site_admin in admin.site._registry.items():
        holders = [(source, site_admin)] + [(i.model, i) for i in site_admin.inlines]
        for model, holder in holders:
            for name in getattr(holder, "autocomplete_fields", ()):
                target = model._meta.get_field(name).remote_field.model
                if access.unit_path_field(target) is not None:
                    pairs.add((model, name))
    return sorted(pairs, key=lambda p: (label(p[0]), p[1]))


def raw_id_pairs():
    pairs = set()
    for source, site_admin in admin.site._registry.items():
        for model, holder in [(source, site_admin)] + [(i.model, i) for i in site_admin.inlines]:
            for name in getattr(holder, "raw_id_fields", ()):
                target = model._meta.get_field(name).remote_field.model
                if access.unit_path_field(target) is not None:
                    pairs.add((model, name))
    return sorted(pairs, key=lambda p: (label(p[0]), p[1]))


@pytest.mark.parametrize(
    ("source", "field"), autocomplete_pairs(), ids=lambda v: v if isinstance(v, str) else label(v)
)
def test_autocomplete_offers_nothing_of_the_other_county(source, field, county_a, county_b, staff, web):
    target = source._meta.get_field(field).remote_field.model
    kit = contract(target)
    mine, theirs = kit.make(county_a), kit.make(county_b)
    params = {"app_label": source._meta.app_label, "model_name": source._meta.model_name, "field_name": field}

    def offered(user, term=""):
        response = web(user).get(reverse("admin:autocomplete"), {**params, "term": term})
        assert response.status_code == 200, response.content[:300]
        return {int(row["id"]) for row in json.loads(response.content)["results"]}

    assert mine.pk in offered(staff["a"]) and theirs.pk not in offered(staff["a"])
    assert theirs.pk in offered(staff["city"])
    for term in search_terms(model_admin(target), type("R", (), {"user": staff["city"]})(), theirs):
        assert theirs.pk not in offered(staff["a"], term), term


@pytest.mark.parametrize(
    ("source", "field"), raw_id_pairs(), ids=lambda v: v if isinstance(v, str) else label(v)
)
def test_raw_id_popup_lists_nothing_of_the_other_county(source, field, county_a, county_b, staff, web):
    remote = source._meta.get_field(field).remote_field
    kit = contract(remote.model)
    mine, theirs = kit.make(county_a), kit.make(county_b)
    popup = {"_to_field": remote.field_name or "id", "_popup": "1"}
    shown = page_ids(web(staff["a"]).get(kit.admin_url("changelist"), popup))
    assert mine.pk in shown and theirs.pk not in shown


def choice_fields(form):
    for name, field in form.fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and access.unit_path_field(queryset.model) is not None:
            yield name, queryset


@pytest.mark.parametrize("model", SCOPED, ids=label)
def test_admin_forms_offer_no_record_of_the_other_county(model, county_a, county_b, staff, web):
    kit = contract(model)
    mine, _theirs = kit.make(county_a), kit.make(county_b)
    user = staff["a"]
    pages = [web(user).get(kit.admin_url("change", mine.pk))]
    if model_admin(model).has_add_permission(type("R", (), {"user": user})()):
        pages.append(web(user).get(kit.admin_url("add")))
    checked = 0
    for page in pages:
        assert page.status_code == 200
        forms = [page.context["adminform"].form]
        forms += [f for inline in page.context["inline_admin_formsets"] for f in inline.formset.forms]
        for form in forms:
            for name, queryset in choice_fields(form):
                visible = access.scope(queryset.model._default_manager.all(), user)
                outside = set(queryset.values_list("pk", flat=True)) - set(
                    visible.values_list("pk", flat=True)
                )
                assert not outside, f"{name} offers {queryset.model._meta.label} {sorted(outside)}"
                checked += 1
    if not checked:
        pytest.skip(f"{label(model)}: its forms choose no scoped record")


def admin_form_data(page) -> dict:
    """What a browser posts back from an admin add/change form as it was rendered (files left out)."""
    data = {}
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None or value is False or isinstance(field, django_forms.FileField):
                continue
            key = form.add_prefix(name)
            if value is True:
                data[key] = "on"
            elif isinstance(value, (list, tuple)):
                data[key] = [str(v) for v in value]
            else:
                shown = field.widget.format_value(value)
                data[key] = "" if shown is None else shown
    return data


@pytest.mark.parametrize("model", SCOPED, ids=label)
def test_admin_post_cannot_move_or_create_a_record_in_the_other_county(model, county_a, county_b, staff, web):
    kit = contract(model)
    mine, theirs = kit.make(county_a), kit.make(county_b)
    field = kit.placing_field()
    elsewhere = getattr(theirs, field).pk
    client = web(staff["a"])
    before = access.anchor_unit_path(mine)
    tried = 0
    page = client.get(kit.admin_url("change", mine.pk))
    if field in page.context["adminform"].form.fields:
        data = admin_form_data(page)
        data[field] = str(elsewhere)
        response = client.post(kit.admin_url("change", mine.pk) + page.context.get("form_url", ""), data)
        assert response.status_code in (200, 403), response.status_code  # the form again, with the error
        if response.status_code == 200:
            assert field in response.context["adminform"].form.errors
        tried += 1
    mine.refresh_from_db()
    assert access.anchor_unit_path(mine) == before
    add = client.get(kit.admin_url("add"))
    if add.status_code == 200 and field in add.context["adminform"].form.fields:
        count = model._default_manager.count()
        data = admin_form_data(add)
        data[field] = str(elsewhere)
        response = client.post(kit.admin_url("add"), data)
        assert response.status_code == 200
        assert field in response.context["adminform"].form.errors
        assert model._default_manager.count() == count
        tried += 1
    if not tried:
        pytest.skip(f"{label(model)}: the admin form does not place the record")


# --- API and admin views of one record (actions, timeline, forms, files) ---------------------------
def is_model_resource(viewset, basename) -> bool:
    """A model's own resource (router basename = model name), not a report built on a queryset."""
    queryset = getattr(viewset, "queryset", None)
    return queryset is not None and basename == queryset.model._meta.model_name


def viewset_of(model):
    for prefix, viewset, basename in router.registry:
        if is_model_resource(viewset, basename) and viewset.queryset.model is model:
            return prefix, viewset, basename
    return None


def detail_actions(model) -> list[tuple[str, str, str]]:
    """(url name, method, action) of the extra actions on one record of the model's viewset."""
    found = viewset_of(model)
    if found is None:
        return []
    _prefix, viewset, basename = found
    return [
        (f"{basename}-{action.url_name}", method, action.__name__)
        for action in viewset.get_extra_actions()
        if action.detail
        for method in sorted(action.mapping)
    ]


def admin_object_views(model) -> list[str]:
    """The model admin's own views of one record (beyond change, delete and history)."""
    site_admin = model_admin(model)
    if site_admin is None:
        return []
    standard = {"change", "delete", "history", "simple_history", "add", "changelist"}
    meta = model._meta
    names = []
    for pattern in site_admin.get_urls():
        name = getattr(pattern, "name", None)
        if not name:
            continue
        view = name.removeprefix(f"{meta.app_label}_{meta.model_name}_")
        if view in standard or "object_id" not in str(pattern.pattern):
            continue
        names.append(name)
    return names


OBJECT_WAYS = [
    (model, kind, way)
    for model in SCOPED
    for kind, way in [("api", a) for a in detail_actions(model)]
    + [("admin", v) for v in admin_object_views(model)]
]


@pytest.mark.parametrize(
    ("model", "kind", "way"),
    OBJECT_WAYS,
    ids=[f"{label(m)}-{k}-{w if isinstance(w, str) else w[0] + ':' + w[1]}" for m, k, w in OBJECT_WAYS],
)
def test_views_of_one_record_refuse_the_other_county(model, kind, way, county_a, county_b, staff, api, web):
    kit = contract(model)
    theirs = kit.make(county_b)
    history = theirs.history.count()
    stamp = model._default_manager.filter(pk=theirs.pk).values_list("updated_at", flat=True).first()
    if kind == "api":
        name, method, _action = way
        url = reverse(name, args=[theirs.pk])
        response = getattr(api.as_user(staff["a"]), method)(url, {}, format="json")
        if response.status_code == 400:  # the body is checked first: the same answer as for no record at all
            missing = getattr(api.as_user(staff["a"]), method)(reverse(name, args=[10**8]), {}, format="json")
            assert (missing.status_code, missing.data) == (400, response.data), url
        else:
            assert response.status_code in (403, 404, 405), (
                url,
                response.status_code,
                text_of(response)[:300],
            )
    else:
        url = reverse(f"admin:{way}", args=[theirs.pk])
        response = web(staff["a"]).get(url)
        assert response.status_code in (302, 403, 404), (url, response.status_code)
    assert theirs.history.count() == history
    assert model._default_manager.filter(pk=theirs.pk).values_list("updated_at", flat=True).first() == stamp


# --- rosters: export and import ----------------------------------------------------------------------
ROSTER_MODELS = [r for r in roster_engine.ROSTERS.values() if access.unit_path_field(r.model) is not None]


def roster_rows(raw: bytes) -> list[tuple]:
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(raw), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def exports(roster, user, api, web) -> list[tuple[str, list]]:
    """The roster as `user` exports it: from the admin changelist and from the API list."""
    model, out = roster.model, []
    meta = model._meta
    try:
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_roster_export", args=[roster.name])
    except NoReverseMatch:
        url = None
    if url and model_admin(model) is not None:
        response = web(user).get(url)
        assert response.status_code == 200
        out.append(("admin", roster_rows(content(response))))
    found = viewset_of(model)
    if found and getattr(found[1], "roster", None):
        response = api.as_user(user).get(
            reverse(f"{found[2]}-list"), {"format": "xlsx", "roster": roster.name}
        )
        assert response.status_code == 200, text_of(response)[:300]
        out.append(("api", roster_rows(content(response))))
    return out


@pytest.mark.parametrize("roster", ROSTER_MODELS, ids=lambda r: r.name)
def test_roster_exports_hold_only_the_county_records(roster, county_a, county_b, staff, api, web):
    kit = contract(roster.model)
    for _ in range(2):
        kit.make(county_a)
    before = {who: exports(roster, staff[who], api, web) for who in ("a", "city")}
    for _ in range(2):
        kit.make(county_b)
    after = {who: exports(roster, staff[who], api, web) for who in ("a", "city")}
    assert before["a"], f"{roster.name}: no way to export it"
    assert after["a"] == before["a"], "county A's export changed when county B's records were added"
    grew = [len(rows) for _w, rows in after["city"]] != [len(rows) for _w, rows in before["city"]]
    if not grew:  # the comparison above proves something only if the new records would be exported
        pytest.xfail(f"{roster.name} leaves out the records its contract makes")


IMPORTABLE = [r for r in ROSTER_MODELS if r.importable]


@pytest.mark.parametrize("roster", IMPORTABLE, ids=lambda r: r.name)
def test_roster_import_cannot_touch_the_other_county(roster, county_a, county_b, staff):
    """A file of county B's records (exported by the city) imported by county A: every row refused,
    nothing written."""
    kit = contract(roster.model)
    theirs = kit.make(county_b)
    buffer = io.BytesIO()
    roster_engine.export(roster, roster.model._default_manager.filter(pk=theirs.pk), staff["city"], buffer)
    buffer.seek(0)
    history = theirs.history.count()
    count = roster.model._default_manager.count()
    report = roster_engine.import_file(roster, buffer, staff["a"], dry_run=False, allow_update=True)
    assert not report.written
    assert report.rows or report.file_errors, report.as_text()
    assert all(r.outcome == "error" for r in report.rows), report.as_text()
    assert theirs.history.count() == history
    assert roster.model._default_manager.count() == count


# --- reports, statistics, dashboards ------------------------------------------------------------------
def api_report_urls() -> list[str]:
    """Router URL names of the viewsets that are not a model's (reports, statistics, ledgers)."""
    names = []
    for _prefix, viewset, basename in router.registry:
        if is_model_resource(viewset, basename):
            continue
        for pattern in router.urls:
            name = getattr(pattern, "name", "") or ""
            if (
                name.startswith(basename + "-")
                and "(?P<pk>" not in str(pattern.pattern)
                and "format" not in str(pattern.pattern)
                and "import" not in name
                and name not in names
            ):
                names.append(name)
    return names


def admin_report_urls() -> list[str]:
    """Admin views beyond a model's standard ones that take no record: reports, stats, dashboards."""
    names = []
    standard = {
        "index",
        "login",
        "logout",
        "password_change",
        "password_change_done",
        "jsi18n",
        "view_on_site",
        "autocomplete",
        "app_list",
        None,
    }
    for pattern in admin_patterns():
        name = pattern.name
        route = str(pattern.pattern)
        if name in standard or "^(" in route or not set(route_kwargs(route)) <= set(ROUTE_OBJECTS):
            continue
        if (
            re.search(r"_(changelist|add|roster_import)$", name or "")
            or "roster" in (name or "")
            or "import" in (name or "")
            or (name or "").endswith("_list_export")  # a changelist's own export: test_list_exports.py
        ):
            continue
        if name not in names:
            names.append(name)
    return names


def route_kwargs(route: str) -> list[str]:
    return re.findall(r"\(\?P<(\w+)>", route) + re.findall(r"<(?:\w+:)?(\w+)>", route)


# What a report's URL names (a kwarg of its route) and the query parameters it needs to answer 200:
# a new report needing more fails here until it is added.
ROUTE_OBJECTS = {"class_pk": factories.TrainingClassFactory, "class_id": factories.TrainingClassFactory}
REPORT_PARAMS = {"training-reports-quotas": {"plan": factories.TrainingPlanFactory}}


def report_request(kind: str, name: str) -> tuple[str, dict]:
    """The URL and query parameters of a report, with the records they name made now."""
    pattern = next(
        p
        for p in (router.urls if kind == "api" else admin_patterns())
        if p.name == name and "format" not in str(p.pattern)
    )
    kwargs = {k: ROUTE_OBJECTS[k]().pk for k in route_kwargs(str(pattern.pattern))}
    url = reverse(name if kind == "api" else f"admin:{name}", kwargs=kwargs)
    return url, {k: make().pk for k, make in REPORT_PARAMS.get(name, {}).items()}


def admin_patterns() -> list[URLPattern]:
    site = [p for p in admin.site.get_urls() if isinstance(p, URLPattern)]
    return site + [
        p for a in admin.site._registry.values() for p in a.get_urls() if isinstance(p, URLPattern)
    ]


REPORTS = [("api", n) for n in api_report_urls()] + [("admin", n) for n in admin_report_urls()]


GLOBAL = [m for m, path in access.jurisdiction_registry().items() if path is None]


def without_choices(text: str, records: list) -> str:
    for record in records:
        text = re.sub(rf'<option value="{record.pk}">{re.escape(escape(str(record)))}</option>', "", text)
    return re.sub(r"\s+", " ", text)


def world(unit) -> None:
    """One record of every scoped model, placed in `unit`."""
    for model in SCOPED:
        contract(model).make(unit)


@pytest.mark.parametrize(("kind", "name"), REPORTS, ids=[f"{k}:{n}" for k, n in REPORTS])
def test_reports_show_a_county_nothing_of_the_other_county(kind, name, county_a, county_b, staff, api, web):
    """What a county's report shows does not change when the other county gets records; the city's does."""
    url, params = report_request(kind, name)

    def fetch(who):
        user = ModelContract.fresh(staff[who])
        response = (api.as_user(user) if kind == "api" else web(user)).get(url, params)
        if response.status_code == 405:
            pytest.skip(f"{name} is not read with GET")
        return snapshot(response)

    world(county_a)
    before = {who: without_choices(fetch(who), []) for who in ("a", "city")}
    known = {m: set(m._default_manager.values_list("pk", flat=True)) for m in GLOBAL}
    world(county_b)
    # Global records (plans, classes, teachers …) that B's records brought along are everyone's: the
    # report forms may offer them as choices.
    offered = [obj for m in GLOBAL for obj in m._default_manager.exclude(pk__in=known[m])]
    after = {who: without_choices(fetch(who), offered) for who in ("a", "city")}
    assert after["a"] == before["a"], "county A's report changed when county B got records"
    if after["city"] == before["city"]:
        pytest.xfail("the city's report did not change either: this report does not count these records")


def test_the_matrix_covers_every_way_in():
    """The figures of the matrix (reported in the closing note); at least what exists today."""
    assert len(SCOPED) >= 50
    assert autocomplete_pairs() and OBJECT_WAYS and ROSTER_MODELS and REPORTS  # raw-id: none scoped today
    print(
        f"matrix: {len(SCOPED)} scoped models; {len(autocomplete_pairs())} autocomplete and {len(raw_id_pairs())}"
        f" raw-id fields; {len(OBJECT_WAYS)} views of one record; {len(ROSTER_MODELS)} rosters"
        f" ({len(IMPORTABLE)} importable); {len(REPORTS)} reports"
    )


# --- the browsable API (HTML) and OPTIONS -------------------------------------------------------------
def api_pages(mine: dict) -> list[tuple[str, str]]:
    """(what, URL) of every API list and report, and of a detail of each model resource (county A's
    record of a scoped model, any record of a global one): all by discovery from the router."""
    pages = []
    for _prefix, viewset, basename in router.registry:
        if is_model_resource(viewset, basename):
            pages.append((f"{basename} list", reverse(f"{basename}-list")))
            obj = mine.get(viewset.queryset.model) or viewset.queryset.model._default_manager.first()
            if obj is not None:
                pages.append((f"{basename} detail", reverse(f"{basename}-detail", args=[obj.pk])))
            for action in viewset.get_extra_actions():  # the browsable API renders their forms too
                name = f"{basename}-{action.url_name}"
                if action.detail and obj is not None:
                    pages.append((name, reverse(name, args=[obj.pk])))
                elif not action.detail and "format" not in action.url_path:
                    pages.append((name, reverse(name)))
    for name in api_report_urls():
        url, params = report_request("api", name)
        query = "&".join(f"{k}={v}" for k, v in params.items())
        pages.append((name, f"{url}?{query}" if query else url))
    return pages


def leaks(text: str, theirs: list) -> list[str]:
    """Each record of `theirs` the answer offers as a choice, links to or names in a JSON choice."""
    found = []
    options = set(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', text))
    choices = set(re.findall(r'"value":\s*"?([^",}]*)"?,\s*"display_name":\s*"([^"]*)"', text))
    for obj in theirs:
        shown = (str(obj.pk), escape(str(obj)))
        if shown in options or (str(obj.pk), str(obj)) in choices:
            found.append(f"{label(type(obj))} {obj.pk} {obj} (choice)")
        found_viewset = viewset_of(type(obj))
        if found_viewset and reverse(f"{found_viewset[2]}-detail", args=[obj.pk]) in text:
            found.append(f"{label(type(obj))} {obj.pk} {obj} (link)")
    return found


def test_browsable_api_and_options_show_nothing_of_the_other_county(county_a, county_b, staff, api):
    """Every API list, detail and report rendered as HTML (the browsable API: its filter form, its
    create/update forms, its links) and answered to OPTIONS offers county A's staff no record of county B."""
    mine = {model: contract(model).make(county_a) for model in SCOPED}
    world(county_b)
    theirs = [obj for model in SCOPED for obj in access.scope(model._default_manager.all(), staff["b"])]
    theirs = [obj for obj in theirs if obj not in access.scope(type(obj)._default_manager.all(), staff["a"])]
    assert len({type(o) for o in theirs}) == len(SCOPED)
    user = ModelContract.fresh(staff["a"])
    client = api.as_user(user)
    problems, checked = [], 0
    for what, url in api_pages(mine):
        for method, extra in [("get", {"HTTP_ACCEPT": "text/html"}), ("options", {})]:
            response = getattr(client, method)(url, **({"format": "api"} if method == "get" else {}), **extra)
            assert response.status_code < 500, (what, method, response.status_code, text_of(response)[:300])
            problems += [f"{method.upper()} {what}: {leak}" for leak in leaks(text_of(response), theirs)]
            checked += 1
    assert checked > 300, checked
    assert not problems, "\n".join(problems)
    # The check sees a leak where there is one: the city is offered county B's cadres, units, talents.
    city = api.as_user(ModelContract.fresh(staff["city"]))
    offered = {
        leak.split()[0]
        for what, url in api_pages(mine)
        if what.endswith(" list")
        for leak in leaks(text_of(city.get(url, format="api", HTTP_ACCEPT="text/html")), theirs)
    }
    assert {"cadres.Cadre", "orgportal.Unit", "talent.Talent"} <= offered, offered


def project_serializers() -> list[type]:
    """Every serializer class the project defines (model serializers and action bodies)."""
    from rest_framework import serializers

    found, pending = [], [serializers.Serializer]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in {"orgportal", "cadres", "talent", "training"}:
            found.append(cls)
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__qualname__}")


def test_every_relation_a_serializer_offers_is_scoped(county_a, county_b, staff, rf):
    """Every relation field of every serializer — the API's input, the browsable API's forms —
    chooses among the requesting user's records only."""
    from rest_framework.relations import ManyRelatedField, RelatedField

    request = rf.get("/")
    request.user = ModelContract.fresh(staff["a"])
    checked = 0
    for cls in project_serializers():
        try:
            fields = cls(context={"request": request}).fields
        except (TypeError, AssertionError, AttributeError):  # needs arguments of its own
            continue
        for name, field in fields.items():
            related = field.child_relation if isinstance(field, ManyRelatedField) else field
            queryset = getattr(related, "queryset", None) if isinstance(related, RelatedField) else None
            if queryset is None or access.unit_path_field(queryset.model) is None:
                continue
            theirs = contract(queryset.model).make(county_b)
            assert not queryset.filter(pk=theirs.pk).exists(), f"{cls.__qualname__}.{name} offers county B's"
            checked += 1
    assert checked > 20, checked


def test_admin_relation_list_filters_are_scoped(county_a, county_b, staff, rf):
    """A list filter on a relation to a scoped model (any admin naming one in list_filter) offers only
    the user's records: checked on every relation of every admin's model to a scoped model."""
    from django.contrib.admin import FieldListFilter

    checked = 0
    for model, site_admin in admin.site._registry.items():
        for field in model._meta.get_fields():
            if (
                not (field.is_relation and field.many_to_one)
                or access.unit_path_field(field.related_model) is None
            ):
                continue
            mine, theirs = (contract(field.related_model).make(u) for u in (county_a, county_b))
            request = rf.get("/")
            request.user = ModelContract.fresh(staff["a"])
            spec = FieldListFilter.create(field, request, {}, model, site_admin, field_path=field.name)
            offered = {pk for pk, _label in spec.lookup_choices}
            assert mine.pk in offered and theirs.pk not in offered, f"{label(model)}.{field.name}"
            checked += 1
            break  # one relation per model is enough: the filter class is chosen by the field
    assert checked > 30, checked
