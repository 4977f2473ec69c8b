"""审核 (orgportal.review) once for every model that declares it: reviewed once, a reason to reject,
reviewed content fixed, the admin's actions and the API's POST …/review/ — parametrised over every
`Reviewed` model, so a new one is covered by declaring it."""

import datetime

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import get_resolver, reverse

from orgportal import access
from orgportal.admin import ReviewAdmin
from orgportal.api import ReviewActionMixin, exception_handler, router
from orgportal.codes import ReviewResult
from orgportal.review import Reviewed, review
from tests import factories

REVIEWED = [m for m in access.domain_models() if issubclass(m, Reviewed)]
FACTORIES = {
    cls._meta.model: cls
    for cls in vars(factories).values()
    if isinstance(cls, type)
    and issubclass(cls, factories.factory.django.DjangoModelFactory)
    and getattr(cls._meta, "model", None) in REVIEWED
}
models = pytest.mark.parametrize("model", REVIEWED, ids=lambda m: m._meta.label)
pytestmark = pytest.mark.django_db


def pending(model):
    return FACTORIES[model]()


def test_the_reviewed_models_are_the_ones_expected_and_each_has_a_factory():
    assert {m._meta.label for m in REVIEWED} == {"talent.PointEntry", "training.ExternalHours"}
    assert set(FACTORIES) == set(REVIEWED)


@models
def test_admin_and_api_use_the_kernel_mechanism(model):
    assert get_resolver().url_patterns  # the apps register their viewsets when the URLconf loads
    assert isinstance(admin.site._registry[model], ReviewAdmin)
    viewsets = [
        viewset for _p, viewset, _b in router.registry if getattr(viewset, "queryset", None) is not None
    ]
    assert any(issubclass(v, ReviewActionMixin) and v.queryset.model is model for v in viewsets)


@models
def test_reviewed_once_and_a_rejection_needs_a_reason(model, superuser):
    entry = pending(model)
    with pytest.raises(ValidationError) as refused:
        review(entry, approve=False, note="  ", by=superuser)
    assert "review_note" in refused.value.message_dict
    entry.refresh_from_db()
    assert entry.status == ReviewResult.PENDING
    done = review(entry, approve=False, note="材料不全", by=superuser)
    assert (done.status, done.review_note, done.reviewed_by) == (ReviewResult.REJECTED, "材料不全", superuser)
    assert done.history.latest().history_user == superuser
    with pytest.raises(ValidationError) as twice:
        review(entry, approve=True, by=superuser)
    assert str(model.review_noun) in twice.value.message_dict["status"][0]


@models
def test_reviewed_content_is_fixed_but_pending_content_is_not(model, superuser):
    entry = pending(model)
    entry.evidence = "补充的证明"
    entry.full_clean()  # pending: corrected freely
    entry.save()
    review(entry, approve=True, by=superuser)
    entry.refresh_from_db()
    entry.evidence = "审核后改动"
    with pytest.raises(ValidationError) as fixed:
        entry.full_clean()
    assert "已审核，不能修改" in fixed.value.messages[0]


@models
def test_admin_actions_ask_the_form_then_review_each_selected(model, superuser, client):
    entries = [pending(model), pending(model)]
    client.force_login(superuser)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    selected = [e.pk for e in entries]
    asked = client.post(url, {"action": "reject_selected", "_selected_action": selected})
    assert asked.status_code == 200 and "审核意见" in asked.content.decode()  # the form, nothing done
    assert not model.objects.filter(pk__in=selected).exclude(status=ReviewResult.PENDING).exists()
    on = datetime.date.today()
    client.post(
        url,
        {"action": "approve_selected", "_selected_action": selected, "confirm": "1", "note": "", "on": on},
    )
    assert set(model.objects.filter(pk__in=selected).values_list("status", flat=True)) == {
        ReviewResult.APPROVED
    }


@models
def test_api_review_action(model, superuser, api):
    entry = pending(model)
    url = reverse(f"{model._meta.model_name}-review", args=[entry.pk])
    client = api.as_user(superuser)
    too_long = client.post(url, {"approve": False, "note": "长" * 201}, format="json")
    assert too_long.status_code == 400 and "note" in too_long.data
    answered = client.post(url, {"approve": True}, format="json")
    assert answered.status_code == 200, answered.data
    assert answered.data["status"] == ReviewResult.APPROVED
    again = client.post(url, {"approve": True}, format="json")
    assert again.status_code == 400 and "status" in again.data


def test_an_error_body_is_always_an_object():
    from rest_framework.exceptions import ValidationError as DRFValidationError

    assert exception_handler(DRFValidationError("出错了"), {}).data == {"non_field_errors": ["出错了"]}
    assert exception_handler(DRFValidationError({"note": ["太长"]}), {}).data == {"note": ["太长"]}
