from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.admin import form_action
from orgportal import codes
from orgportal.admin import OrgAdmin, OrgInline, derived_list_filter

from . import models, services
from .filters import DERIVED_FILTERS


def derived(parameter):
    return derived_list_filter(parameter, *DERIVED_FILTERS[parameter])


class ReadOnlyInline(OrgInline):
    """Shown on the talent's page; written through its own page (a service)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class ServiceCreatedAdmin(OrgAdmin):
    """Records created through a service: the add form validates through the model, then `create`
    calls the service; an existing record changes only through the list's actions (services too)."""

    def create(self, request, data: dict):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        obj.pk = self.create(request, form.cleaned_data).pk

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else [*self.fields, *self.readonly_fields]


@admin.register(models.TalentProgramme)
class TalentProgrammeAdmin(OrgAdmin):
    list_display = ["name", "kind", "field", "year", "batch", "organiser", "quota", "status"]
    list_filter = ["kind", "field", "year", "status"]
    search_fields = ["name"]
    list_select_related = ["organiser"]
    autocomplete_fields = ["organiser"]


class SelectionInline(OrgInline):
    model = models.Selection
    fields = ["programme", "batch", "selected_on", "support", "amount", "status"]
    autocomplete_fields = ["programme"]


class CertificationInline(ReadOnlyInline):
    model = models.Certification
    fields = ["level", "certified_on", "certificate_number", "valid_until"]


class CardInline(ReadOnlyInline):
    model = models.TalentCard
    fields = ["number", "tier", "issued_on", "expires_on", "state", "commissioner"]

    @admin.display(description=_("卡状态"))
    def state(self, obj):
        return obj.state_label


class ProgrammeFilter(admin.SimpleListFilter):
    """入选人才计划: each talent once, whatever the batches (TalentQuerySet.in_programme, as the API)."""

    title = _("入选人才计划")
    parameter_name = "programme"

    def lookups(self, request, model_admin):
        return [(str(p.pk), str(p)) for p in models.TalentProgramme.objects.only("pk", "name", "year")]

    def queryset(self, request, queryset):
        return queryset.in_programme(self.value()) if self.value() else queryset


class DepartureForm(forms.Form):
    left_on = forms.DateField(label=_("流失日期"), initial=timezone.localdate)
    leave_reason = forms.ChoiceField(label=_("流失原因"), choices=codes.TalentDepartureReason.choices)
    destination = forms.CharField(label=_("流向"), required=False, max_length=100)


@admin.register(models.Talent)
class TalentAdmin(OrgAdmin):
    list_display = [
        "name",
        "gender",
        "birth_date",
        "category",
        "level",
        "field",
        "employer",
        "title",
        "source",
        "unit",
        "status",
        "id_number",
    ]
    list_display_links = ["name"]
    list_filter = [
        "category",
        "level",
        "field",
        "source",
        "status",
        ProgrammeFilter,
        "education",
        "gender",
    ]
    search_fields = ["name", "id_number", "employer", "specialty"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit", "cadre"]
    readonly_fields = ["status", "left_on", "leave_reason", "destination"]
    fieldsets = [
        (
            _("基本信息"),
            {"fields": [("name", "gender"), ("birth_date", "education"), "id_number", "unit", "cadre"]},
        ),
        (
            _("人才信息"),
            {
                "fields": [
                    ("category", "level"),
                    ("field", "specialty"),
                    ("employer", "title"),
                    ("source", "arrived_on"),
                    "note",
                ]
            },
        ),
        (_("流失"), {"fields": ["status", ("left_on", "leave_reason"), "destination"]}),
    ]
    inlines = [SelectionInline, CertificationInline, CardInline]
    actions = ["record_departure_selected"]

    @admin.action(description=_("登记流失…"), permissions=["change"])
    def record_departure_selected(self, request, queryset):
        return form_action(
            self,
            request,
            queryset,
            form_class=DepartureForm,
            action="record_departure_selected",
            title=_("登记流失"),
            intro=_("以下人才将登记为流失（记录保留）："),
            submit=_("确认登记"),
            apply=lambda talent, left_on, leave_reason, destination: services.record_departure(
                talent, on=left_on, reason=leave_reason, destination=destination, by=request.user
            ),
        )


class TalentChildAdmin(OrgAdmin):
    list_select_related = ["talent", "talent__unit"]
    search_fields = ["talent__name"]
    autocomplete_fields = ["talent"]


@admin.register(models.Selection)
class SelectionAdmin(TalentChildAdmin):
    list_display = ["talent", "programme", "batch", "selected_on", "amount", "status"]
    list_filter = ["programme", "status"]
    list_select_related = ["talent", "talent__unit", "programme"]
    search_fields = ["talent__name", "programme__name"]
    autocomplete_fields = ["talent", "programme"]


@admin.register(models.Certification)
class CertificationAdmin(ServiceCreatedAdmin, TalentChildAdmin):
    list_display = ["talent", "level", "certified_on", "certificate_number", "valid_until"]
    list_filter = ["level", derived("validity")]
    search_fields = ["talent__name", "certificate_number"]
    fields = ["talent", "level", "certified_on", "certificate_number", "valid_until", "basis"]

    def create(self, request, data):
        return services.certify(
            data["talent"],
            level=data["level"],
            on=data["certified_on"],
            number=data["certificate_number"],
            valid_until=data["valid_until"],
            basis=data["basis"],
            by=request.user,
        )


class RenewForm(forms.Form):
    expires_on = forms.DateField(label=_("新的有效期至"))


class LostForm(forms.Form):
    on = forms.DateField(label=_("挂失日期"), initial=timezone.localdate)


class CancelForm(forms.Form):
    on = forms.DateField(label=_("注销日期"), initial=timezone.localdate)
    reason = forms.CharField(label=_("注销原因"), max_length=200)


@admin.register(models.TalentCard)
class TalentCardAdmin(ServiceCreatedAdmin, TalentChildAdmin):
    list_display = ["number", "talent", "tier", "issued_on", "expires_on", "state", "commissioner"]
    list_display_links = ["number"]
    list_filter = [derived("card_state"), "tier"]
    list_select_related = ["talent", "talent__unit", "commissioner"]
    search_fields = ["number", "talent__name"]
    fields = ["talent", "number", "tier", "issued_on", "expires_on", "commissioner"]
    readonly_fields = ["status", "lost_on", "cancelled_on", "cancel_reason"]
    actions = ["renew_selected", "report_lost_selected", "cancel_selected"]

    def create(self, request, data):
        return services.issue_card(
            data["talent"],
            number=data["number"],
            tier=data["tier"],
            on=data["issued_on"],
            expires_on=data["expires_on"],
            commissioner=data["commissioner"],
            by=request.user,
        )

    @admin.display(description=_("卡状态"), ordering="status")
    def state(self, obj):
        return obj.state_label

    def _card_action(self, request, queryset, form_class, action, title, submit, apply):
        return form_action(
            self,
            request,
            queryset,
            form_class=form_class,
            action=action,
            title=title,
            intro=_("以下英才卡："),
            submit=submit,
            apply=apply,
        )

    @admin.action(description=_("续期…"), permissions=["change"])
    def renew_selected(self, request, queryset):
        return self._card_action(
            request,
            queryset,
            RenewForm,
            "renew_selected",
            _("英才卡续期"),
            _("确认续期"),
            lambda card, expires_on: services.renew_card(card, expires_on=expires_on, by=request.user),
        )

    @admin.action(description=_("挂失…"), permissions=["change"])
    def report_lost_selected(self, request, queryset):
        return self._card_action(
            request,
            queryset,
            LostForm,
            "report_lost_selected",
            _("英才卡挂失"),
            _("确认挂失"),
            lambda card, on: services.report_card_lost(card, on=on, by=request.user),
        )

    @admin.action(description=_("注销…"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        return self._card_action(
            request,
            queryset,
            CancelForm,
            "cancel_selected",
            _("英才卡注销"),
            _("确认注销"),
            lambda card, on, reason: services.cancel_card(card, on=on, reason=reason, by=request.user),
        )


class AdvanceForm(forms.Form):
    to = forms.ChoiceField(
        label=_("变更为"),
        choices=[(c, label) for c, label in codes.ServiceRequestStatus.choices if c != "accepted"],
    )
    reason = forms.CharField(
        label=_("不予办理理由"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    on = forms.DateField(label=_("办结日期"), initial=timezone.localdate, required=False)
    satisfaction = forms.ChoiceField(
        label=_("满意度"), choices=[("", "—"), *codes.Satisfaction.choices], required=False
    )
    handled_by = forms.CharField(label=_("承办单位（人）"), required=False, max_length=100)


@admin.register(models.ServiceRequest)
class ServiceRequestAdmin(ServiceCreatedAdmin):
    list_display = [
        "card_talent",
        "card",
        "kind",
        "opened_on",
        "due_on",
        "handled_by",
        "status",
        "is_overdue",
        "closed_on",
        "satisfaction",
    ]
    list_filter = [derived("overdue"), "kind", "status", "satisfaction"]
    list_select_related = ["card", "card__talent", "card__talent__unit"]
    search_fields = ["card__talent__name", "card__number", "handled_by"]
    autocomplete_fields = ["card"]
    fields = ["card", "kind", "detail", "opened_on", "due_on", "handled_by"]
    readonly_fields = ["status", "closed_on", "reason", "satisfaction"]
    actions = ["advance_selected"]

    def create(self, request, data):
        return services.open_request(
            data["card"],
            kind=data["kind"],
            on=data["opened_on"],
            due_on=data["due_on"],
            detail=data["detail"],
            handled_by=data["handled_by"],
            by=request.user,
        )

    @admin.display(description=_("人才"), ordering="card__talent__name")
    def card_talent(self, obj):
        return obj.card.talent

    @admin.display(description=_("逾期"), boolean=True)
    def is_overdue(self, obj):
        return obj.overdue

    @admin.action(description=_("变更办理状态…"), permissions=["change"])
    def advance_selected(self, request, queryset):
        return form_action(
            self,
            request,
            queryset,
            form_class=AdvanceForm,
            action="advance_selected",
            title=_("变更办理状态"),
            intro=_("以下服务事项："),
            submit=_("确认变更"),
            apply=lambda service_request, **data: services.advance_request(
                service_request, by=request.user, **data
            ),
        )
