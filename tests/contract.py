"""The shared model contract, written once (NetBox-style): every domain model plugs in with one
class declaration and gets the API, filter, query-count, jurisdiction and history tests.

    class TestUnit(ModelContract):
        factory = UnitFactory
        basename = "unit"
        def create_payload(self, unit): ...
        def update_payload(self, obj): ...
        def filter_cases(self, unit): yield params, matching_obj, other_obj

Models with sensitive fields add MaskingContract.
"""

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgportal import access
from tests.factories import UserFactory


def ids(response) -> set:
    data = response.data
    rows = data["results"] if isinstance(data, dict) and "results" in data else data
    return {row["id"] for row in rows}


class ModelContract:
    factory = None
    basename: str = ""
    updatable = True  # False: written only through a service at creation (PUT/PATCH/DELETE → 405)

    # --- what a model declares -------------------------------------------------------------
    def create_payload(self, unit) -> dict:
        raise NotImplementedError

    def update_payload(self, obj) -> dict:
        raise NotImplementedError

    def filter_cases(self, unit):
        return ()

    # --- helpers ---------------------------------------------------------------------------
    @property
    def model(self):
        return self.factory._meta.model

    def perms(self, *actions) -> list[str]:
        meta = self.model._meta
        return [f"{meta.app_label}.{action}_{meta.model_name}" for action in actions]

    def staff(self, unit, *actions, sensitive=False, **kwargs):
        perms = self.perms(*(actions or ("view",)))
        if sensitive:
            perms.append(access.VIEW_SENSITIVE)
        return UserFactory(perms=perms, units=[unit], **kwargs)

    def make(self, unit, **kwargs):
        """A record placed in `unit` (through the model's declared jurisdiction path)."""
        path = self.model.jurisdiction
        if path == "self":
            kwargs.setdefault("parent", unit)
        elif path is not None:
            kwargs.setdefault(path, unit)
        return self.factory(**kwargs)

    def placing_field(self) -> str:
        path = self.model.jurisdiction
        return "parent" if path == "self" else path.split("__")[0]

    def list_url(self):
        return reverse(f"{self.basename}-list")

    def detail_url(self, obj):
        return reverse(f"{self.basename}-detail", args=[obj.pk])

    def admin_url(self, view, *args):
        meta = self.model._meta
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)

    @staticmethod
    def fresh(user):
        """The user as a new request sees it (no permission or jurisdiction caches)."""
        return get_user_model().objects.get(pk=user.pk)

    # --- API: list, detail, create, update, delete, with permissions ----------------------
    def test_api_list_requires_view_permission(self, county_a, api):
        self.make(county_a)
        user = UserFactory(units=[county_a])
        assert api.as_user(user).get(self.list_url()).status_code == 403

    def test_api_list_and_detail(self, county_a, api):
        obj = self.make(county_a)
        client = api.as_user(self.staff(county_a, "view"))
        response = client.get(self.list_url())
        assert response.status_code == 200, response.data
        assert obj.pk in ids(response)
        detail = client.get(self.detail_url(obj))
        assert detail.status_code == 200
        assert detail.data["id"] == obj.pk

    def test_api_create_records_history_with_acting_user(self, county_a, api):
        user = self.staff(county_a, "view", "add", sensitive=True)
        response = api.as_user(user).post(self.list_url(), self.create_payload(county_a), format="json")
        assert response.status_code == 201, response.data
        created = self.model.objects.get(pk=response.data["id"])
        assert created.history.latest().history_user == user

    def test_api_create_requires_add_permission(self, county_a, api):
        user = self.staff(county_a, "view")
        payload = self.create_payload(county_a)
        before = self.model.objects.count()
        assert api.as_user(user).post(self.list_url(), payload, format="json").status_code == 403
        assert self.model.objects.count() == before

    def test_api_update_records_history_with_acting_user(self, county_a, api):
        obj = self.make(county_a)
        user = self.staff(county_a, "view", "change", "delete", sensitive=True)
        before = obj.history.count()
        response = api.as_user(user).patch(self.detail_url(obj), self.update_payload(obj), format="json")
        if not self.updatable:
            assert response.status_code == 405
            assert api.as_user(user).delete(self.detail_url(obj)).status_code == 405
            assert obj.history.count() == before
            return
        assert response.status_code == 200, response.data
        assert obj.history.count() == before + 1
        assert obj.history.latest().history_user == user

    def test_api_update_requires_change_permission(self, county_a, api):
        obj = self.make(county_a)
        user = self.staff(county_a, "view")
        response = api.as_user(user).patch(self.detail_url(obj), self.update_payload(obj), format="json")
        assert response.status_code == 403  # permissions are checked before the method

    def test_api_delete(self, county_a, api):
        obj = self.make(county_a)
        client = api.as_user(self.staff(county_a, "view", "delete"))
        # 403: a model declaring hard_delete = False changes status instead (orgportal.access)
        deleted = 204 if self.model.hard_delete else 403
        expected = deleted if self.updatable else 405
        assert client.delete(self.detail_url(obj)).status_code == expected
        assert self.model.objects.filter(pk=obj.pk).exists() != (expected == 204)

    def test_api_rejects_malformed_json(self, county_a, api):
        user = self.staff(county_a, "view", "add")
        response = api.as_user(user).post(self.list_url(), "{not json", content_type="application/json")
        assert response.status_code == 400

    # --- filters ----------------------------------------------------------------------------
    def test_api_filters(self, county_a, county_b, api):
        cases = list(self.filter_cases(county_a))
        if self.model.jurisdiction is not None:
            cases.append(({"unit_subtree": county_a.pk}, self.make(county_a), self.make(county_b)))
        assert cases, "declare filter_cases for a global model"
        # A superuser, so that only the filter (not jurisdiction) can leave `other` out.
        client = api.as_user(UserFactory(is_superuser=True))
        for params, match, other in cases:
            response = client.get(self.list_url(), params)
            assert response.status_code == 200, (params, response.data)
            found = ids(response)
            assert match.pk in found, params
            assert other.pk not in found, params

    # --- constant query counts --------------------------------------------------------------
    def _count(self, fetch) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = fetch()
        assert response.status_code == 200
        return len(ctx.captured_queries)

    def test_api_list_query_count_is_constant(self, county_a, api):
        user = self.staff(county_a, "view")
        self.make(county_a)
        one = self._count(lambda: api.as_user(self.fresh(user)).get(self.list_url()))
        for _ in range(19):
            self.make(county_a)
        twenty = self._count(lambda: api.as_user(self.fresh(user)).get(self.list_url()))
        assert one == twenty

    def test_admin_changelist_query_count_is_constant(self, county_a, client):
        user = self.staff(county_a, "view")
        client.force_login(user)
        self.make(county_a)
        one = self._count(lambda: client.get(self.admin_url("changelist")))
        for _ in range(19):
            self.make(county_a)
        twenty = self._count(lambda: client.get(self.admin_url("changelist")))
        assert one == twenty

    # --- jurisdiction -----------------------------------------------------------------------
    def test_api_jurisdiction(self, county_a, county_b, api):
        mine, theirs = self.make(county_a), self.make(county_b)
        client = api.as_user(self.staff(county_a, "view", "add", "change", "delete"))
        found = ids(client.get(self.list_url(), {"page_size": 500}))
        if self.model.jurisdiction is None:  # declared global: the same for every unit
            assert {mine.pk, theirs.pk} <= found
            return
        assert mine.pk in found and theirs.pk not in found
        assert client.get(self.detail_url(theirs)).status_code == 404
        created = client.post(self.list_url(), self.create_payload(county_b), format="json")
        assert created.status_code == 400, created.data
        if not self.updatable:
            return
        patched = client.patch(self.detail_url(theirs), self.update_payload(theirs), format="json")
        assert patched.status_code == 404
        assert client.delete(self.detail_url(theirs)).status_code == 404
        field = self.placing_field()
        moved = client.patch(self.detail_url(mine), {field: getattr(theirs, field).pk}, format="json")
        assert moved.status_code == 400, moved.data
        assert field in moved.data
        mine.refresh_from_db()
        assert access.anchor_unit_path(mine).startswith(county_a.path)

    def test_admin_jurisdiction(self, county_a, county_b, client):
        mine, theirs = self.make(county_a), self.make(county_b)
        client.force_login(self.staff(county_a, "view", "change"))
        page = client.get(self.admin_url("changelist")).content.decode()
        assert self.admin_url("change", mine.pk) in page
        if self.model.jurisdiction is None:
            assert self.admin_url("change", theirs.pk) in page
            return
        assert self.admin_url("change", theirs.pk) not in page
        assert client.get(self.admin_url("change", theirs.pk)).status_code != 200
        assert client.get(self.admin_url("history", theirs.pk)).status_code == 404
        assert client.get(self.admin_url("history", mine.pk)).status_code == 200


class MaskingContract:
    """For models with sensitive fields: masked without orgportal.view_sensitive, full with it."""

    def sensitive_values(self, obj) -> dict:
        return {name: getattr(obj, name) for name in self.model.sensitive_fields}

    def test_api_masks_sensitive_fields(self, county_a, api):
        obj = self.make(county_a)
        values = self.sensitive_values(obj)
        assert all(values.values()), "the factory must fill every sensitive field"
        masked = api.as_user(self.staff(county_a, "view")).get(self.detail_url(obj)).data
        full = api.as_user(self.staff(county_a, "view", sensitive=True)).get(self.detail_url(obj)).data
        for name, value in values.items():
            assert masked[name] == access.mask(value) != str(value)
            assert full[name] == value

    def test_api_masked_value_sent_back_keeps_stored_value(self, county_a, api):
        obj = self.make(county_a)
        stored = self.sensitive_values(obj)
        client = api.as_user(self.staff(county_a, "view", "change"))
        shown = client.get(self.detail_url(obj)).data
        response = client.put(
            self.detail_url(obj), {k: v for k, v in shown.items() if v is not None}, format="json"
        )
        assert response.status_code == 200, response.data
        obj.refresh_from_db()
        assert self.sensitive_values(obj) == stored

    def test_admin_masks_sensitive_fields(self, county_a, client):
        obj = self.make(county_a)
        values = [str(v) for v in self.sensitive_values(obj).values()]
        client.force_login(self.staff(county_a, "view", "change"))
        pages = [
            client.get(self.admin_url(v, *a)).content.decode()
            for v, a in [("changelist", ()), ("change", (obj.pk,)), ("history", (obj.pk,))]
        ]
        for value in values:
            assert all(value not in page for page in pages)
        assert access.mask(values[0]) in pages[0]
        client.force_login(self.staff(county_a, "view", "change", sensitive=True))
        assert values[0] in client.get(self.admin_url("changelist")).content.decode()
