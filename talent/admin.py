from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from orgportal import access, codes
from orgportal.admin import (
    OrgAdmin,
    OrgInline,
    ReadOnlyInline,
    ReviewAdmin,
    ServiceCreatedAdmin,
    derived_list_filter,
    form_action,
    required_choice,
)
from orgportal.models import Unit
from orgportal.validators import format_year_month

from . import models, services
from .dashboard import expiring_cards
from .filters import DERIVED_FILTERS


def derived(parameter):
    return derived_list_filter(parameter, *DERIVED_FILTERS[parameter])


@admin.register(models.TalentProgramme)
class TalentProgrammeAdmin(OrgAdmin):
    list_display = ["name", "kind", "field", "year", "batch", "organiser", "quota", "status"]
    list_filter = ["kind", "field", "year", "status"]
    search_fields = ["name"]
    list_select_related = ["organiser"]
    autocomplete_fields = ["organiser"]

    def get_urls(self):
        """人才工作统计 (talent.reports), linked from this list's object tools."""
        from . import reports

        return [*reports.admin_urls(self), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        from . import reports

        links = reports.admin_links(request, self.admin_site)
        return super().changelist_view(request, {**(extra_context or {}), "report_links": links})


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


class PointEntryInline(OrgInline):
    """The talent's points ledger: entries added here are 待审核; reviewed ones are read-only."""

    model = models.PointEntry
    fields = ["item", "description", "points", "earned_on", "evidence", "status", "reviewed_on"]
    readonly_fields = ["status", "reviewed_on"]


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
    leave_reason = required_choice(_("流失原因"), codes.TalentDepartureReason.choices)
    destination = forms.CharField(label=_("流向"), required=False, max_length=100)


@admin.register(models.Talent)
class TalentAdmin(OrgAdmin):
    list_display = [
        "name",
        "gender",
        "birth_month",
        "category",
        "level",
        "points",
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
    inlines = [SelectionInline, CertificationInline, CardInline, PointEntryInline]
    actions = ["record_departure_selected", "certify_by_points_selected"]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), derived("points_proposed")]

    def get_queryset(self, request):
        return super().get_queryset(request).with_points()

    @admin.display(description=_("出生年月"), ordering="birth_date")
    def birth_month(self, obj):
        return format_year_month(obj.birth_date)

    @admin.display(description=_("乡土人才积分"), ordering="points_total")
    def points(self, obj):
        if not obj.points_total:
            return "—"
        level = f"（达{codes.TalentLevel(obj.points_level).label}）" if obj.points_level else ""
        return f"{models.format_points(obj.points_total)}{level}"

    @admin.action(description=_("按乡土人才积分认定…"), permissions=["change"])
    def certify_by_points_selected(self, request, queryset):
        if not request.user.has_perm("talent.add_certification"):
            self.message_user(request, _("您没有登记人才认定的权限"), messages.ERROR)
            return None
        return form_action(
            self,
            request,
            queryset,
            form_class=CertifyByPointsForm,
            action="certify_by_points_selected",
            title=_("按乡土人才积分认定"),
            intro=_("以下人才将按已认可积分对应的层次认定（证书编号按所填编号后加序号）："),
            submit=_("确认认定"),
            apply=self._certifier(request),
        )

    @staticmethod
    def _certifier(request):
        numbers = iter(range(1, 10_000))

        def apply(talent, number, on, valid_until):
            return services.certify_by_points(
                talent,
                number=f"{number}-{next(numbers):03d}",
                on=on,
                valid_until=valid_until,
                by=request.user,
            )

        return apply

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


class CertifyByPointsForm(forms.Form):
    number = forms.CharField(label=_("证书编号（前缀）"), max_length=34)
    on = forms.DateField(label=_("认定日期"), initial=timezone.localdate)
    valid_until = forms.DateField(label=_("有效期至"), required=False)


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
    list_filter = [
        derived("card_state"),
        derived_list_filter("expiring", _("90天内到期"), [("1", _("是"))], lambda qs, _v: expiring_cards(qs)),
        "tier",
    ]
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
    to = required_choice(
        _("变更为"), [(c, label) for c, label in codes.ServiceRequestStatus.choices if c != "accepted"]
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

    @admin.display(description=_("逾期"))
    def is_overdue(self, obj):
        # words, not Django's boolean icons: a green tick read as "fine" on an overdue request
        return format_html('<strong style="color:#ba2121">{}</strong>', _("已逾期")) if obj.overdue else ""

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


# --- 乡土人才积分 ---------------------------------------------------------------------------------
@admin.register(models.PointsLevel)
class PointsLevelAdmin(OrgAdmin):
    list_display = ["level", "min_points", "note"]
    list_filter = ["level"]
    search_fields = ["note"]


@admin.register(models.PointEntry)
class PointEntryAdmin(ReviewAdmin, TalentChildAdmin):
    list_display = [
        "talent",
        "item",
        "description",
        "points",
        "earned_on",
        "evidence",
        "status",
        "reviewed_by",
        "reviewed_on",
    ]
    list_filter = ["status", "item"]
    list_select_related = ["talent", "talent__unit", "reviewed_by"]
    search_fields = ["talent__name", "description", "evidence"]
    fields = ["talent", "item", "description", "points", "earned_on", "evidence"]


# --- 工作室 -------------------------------------------------------------------------------------
class StudioMemberInline(OrgInline):
    model = models.StudioMember
    fields = ["talent", "role", "joined_on", "left_on"]
    autocomplete_fields = ["talent"]


class StudioEvaluationInline(OrgInline):
    model = models.StudioEvaluation
    fields = ["year", "grade", "score", "achievements"]


@admin.register(models.Studio)
class StudioAdmin(OrgAdmin):
    list_display = ["name", "kind", "field", "leader", "unit", "level", "founded_on", "status"]
    list_filter = ["kind", "field", "status", "level"]
    list_select_related = ["leader", "unit"]
    search_fields = ["name", "leader__name"]
    autocomplete_fields = ["leader", "unit"]
    inlines = [StudioMemberInline, StudioEvaluationInline]


@admin.register(models.StudioMember)
class StudioMemberAdmin(OrgAdmin):
    list_display = ["studio", "talent", "role", "joined_on", "left_on"]
    list_filter = ["role", derived("current"), "studio__kind"]
    list_select_related = ["studio", "studio__unit", "talent"]
    search_fields = ["talent__name", "studio__name"]
    autocomplete_fields = ["studio", "talent"]


@admin.register(models.StudioEvaluation)
class StudioEvaluationAdmin(OrgAdmin):
    list_display = ["studio", "year", "grade", "score"]
    list_filter = ["year", "grade", "studio__kind"]
    list_select_related = ["studio", "studio__unit"]
    search_fields = ["studio__name"]
    autocomplete_fields = ["studio"]


# --- 定向培养 -------------------------------------------------------------------------------------
class TrackingInline(OrgInline):
    model = models.TraineeTracking
    fields = ["year", "performance", "contacted_on", "note"]


class PlaceForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("就业单位"), queryset=Unit.objects.none())
    on = forms.DateField(label=_("就业日期"), initial=timezone.localdate)


class CompleteForm(forms.Form):
    on = forms.DateField(label=_("期满日期"), initial=timezone.localdate)


class EndForm(forms.Form):
    on = forms.DateField(label=_("日期"), initial=timezone.localdate)
    reason = forms.CharField(label=_("原因"), max_length=200)


@admin.register(models.TargetedTrainee)
class TargetedTraineeAdmin(OrgAdmin):
    list_display = [
        "name",
        "gender",
        "school",
        "specialty",
        "unit",
        "enrolled_on",
        "expected_graduation",
        "service_years",
        "status",
        "placement_unit",
        "placed_on",
        "id_number",
    ]
    list_display_links = ["name"]
    list_filter = ["status", "field", derived("service_due"), "school"]
    list_select_related = ["unit", "placement_unit"]
    search_fields = ["name", "id_number", "school", "specialty", "agreement_number"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["status", "placement_unit", "placed_on", "service_until", "ended_on", "end_reason"]
    fieldsets = [
        (_("基本信息"), {"fields": [("name", "gender"), "birth_date", "id_number"]}),
        (
            _("定向培养协议"),
            {
                "fields": [
                    ("school", "specialty"),
                    "field",
                    "unit",
                    ("agreement_number", "agreement_signed_on"),
                    ("enrolled_on", "expected_graduation"),
                    "service_years",
                    "note",
                ]
            },
        ),
        (
            _("就业与履约"),
            {
                "fields": [
                    "status",
                    ("placement_unit", "placed_on"),
                    "service_until",
                    ("ended_on", "end_reason"),
                ]
            },
        ),
    ]
    inlines = [TrackingInline]
    actions = ["place_selected", "complete_selected", "breach_selected", "withdraw_selected"]

    @admin.display(description=_("服务期至"))
    def service_until(self, obj):
        return obj.service_until or "—"

    def _act(self, request, queryset, form_class, action, title, apply):
        if form_class is PlaceForm:  # the placement unit: one in the user's jurisdiction

            class ScopedPlaceForm(PlaceForm):
                def __init__(self, *args, **kwargs):
                    super().__init__(*args, **kwargs)
                    self.fields["unit"].queryset = access.scope(Unit.objects.all(), request.user)

            form_class = ScopedPlaceForm
        return form_action(
            self,
            request,
            queryset,
            form_class=form_class,
            action=action,
            title=title,
            intro=_("以下定向培养学生："),
            submit=_("确认"),
            apply=apply,
        )

    @admin.action(description=_("登记就业…"), permissions=["change"])
    def place_selected(self, request, queryset):
        return self._act(
            request,
            queryset,
            PlaceForm,
            "place_selected",
            _("登记就业"),
            lambda trainee, unit, on: services.place_trainee(trainee, unit=unit, on=on, by=request.user),
        )

    @admin.action(description=_("登记履约期满…"), permissions=["change"])
    def complete_selected(self, request, queryset):
        return self._act(
            request,
            queryset,
            CompleteForm,
            "complete_selected",
            _("登记履约期满"),
            lambda trainee, on: services.complete_service(trainee, on=on, by=request.user),
        )

    @admin.action(description=_("登记违约…"), permissions=["change"])
    def breach_selected(self, request, queryset):
        return self._act(
            request,
            queryset,
            EndForm,
            "breach_selected",
            _("登记违约"),
            lambda trainee, on, reason: services.record_breach(
                trainee, on=on, reason=reason, by=request.user
            ),
        )

    @admin.action(description=_("登记退学（终止培养）…"), permissions=["change"])
    def withdraw_selected(self, request, queryset):
        return self._act(
            request,
            queryset,
            EndForm,
            "withdraw_selected",
            _("登记退学"),
            lambda trainee, on, reason: services.withdraw_trainee(
                trainee, on=on, reason=reason, by=request.user
            ),
        )


@admin.register(models.TraineeTracking)
class TraineeTrackingAdmin(OrgAdmin):
    list_display = ["trainee", "year", "performance", "contacted_on"]
    list_filter = ["year", "performance"]
    list_select_related = ["trainee", "trainee__unit"]
    search_fields = ["trainee__name"]
    autocomplete_fields = ["trainee"]


# --- 集中推介签约 ---------------------------------------------------------------------------------
class AgreementInline(OrgInline):
    model = models.SigningAgreement
    fields = ["kind", "employer", "talent", "party", "project", "amount", "headcount"]
    autocomplete_fields = ["talent"]


@admin.register(models.SigningEvent)
class SigningEventAdmin(OrgAdmin):
    list_display = [
        "name",
        "kind",
        "held_on",
        "place",
        "unit",
        "agreement_count",
        "headcount_total",
        "amount_total",
    ]
    list_filter = ["kind"]
    list_select_related = ["unit"]
    search_fields = ["name", "place"]
    autocomplete_fields = ["unit"]
    date_hierarchy = "held_on"
    inlines = [AgreementInline]

    def get_queryset(self, request):
        # Meta.ordering does not apply to an aggregated (GROUP BY) query: ordered again, or the
        # autocomplete of 签约项目's 活动 pages an unordered list
        return super().get_queryset(request).with_totals().order_by(*models.SigningEvent._meta.ordering)

    @admin.display(description=_("签约项数"), ordering="agreement_count")
    def agreement_count(self, obj):
        return obj.agreement_count

    @admin.display(description=_("引进人数"), ordering="headcount_total")
    def headcount_total(self, obj):
        return obj.headcount_total

    @admin.display(description=_("签约金额（万元）"), ordering="amount_total")
    def amount_total(self, obj):
        return obj.amount_total if obj.amount_total is not None else "—"


@admin.register(models.SigningAgreement)
class SigningAgreementAdmin(OrgAdmin):
    list_display = ["event", "kind", "employer", "signatory", "project", "amount", "headcount"]
    list_filter = ["kind", "event__kind"]
    list_select_related = ["event", "event__unit", "talent"]
    search_fields = ["employer", "party", "talent__name", "project", "event__name"]
    autocomplete_fields = ["event", "talent"]

    @admin.display(description=_("签约人（团队）"))
    def signatory(self, obj):
        return obj.signatory


# --- 人才发展规划指标 ------------------------------------------------------------------------------
@admin.register(models.TalentPlanIndicator)
class TalentPlanIndicatorAdmin(OrgAdmin):
    list_display = ["unit", "year", "indicator", "measure", "target", "actual", "completion", "achieved"]
    list_filter = ["year", derived("achieved")]
    list_select_related = ["unit"]
    list_editable = ["actual"]
    search_fields = ["indicator", "unit__name"]
    autocomplete_fields = ["unit"]

    @admin.display(description=_("完成率"))
    def completion(self, obj):
        return f"{obj.completion}%" if obj.completion is not None else "—"

    @admin.display(description=_("完成"), boolean=True)
    def achieved(self, obj):
        return obj.achieved
