from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from orgportal import access, codes
from orgportal.admin import (
    OrgAdmin,
    OrgInline,
    ReadOnlyInline,
    RuleFlagsAdmin,
    ServiceCreatedAdmin,
    derived_list_filter,
    form_action,
    required_choice,
)
from orgportal.validators import format_date, format_year_month

from . import appointments, models, services, succession, teams
from .approval_admin import ApprovalFormAdminMixin, LrmxImportAdminMixin
from .filters import APPOINTMENT_FILTERS, DERIVED_FILTERS
from .query_admin import QUERY_FILTERS
from .timeline import timeline


def derived(parameter):
    return derived_list_filter(parameter, *DERIVED_FILTERS[parameter])


class ResumeInline(OrgInline):
    model = models.ResumeEntry


class FamilyInline(OrgInline):
    model = models.FamilyMember


class AssessmentInline(OrgInline):
    model = models.AnnualAssessment


class RewardInline(OrgInline):
    model = models.Reward


class MovementInline(ReadOnlyInline):
    model = models.Movement
    fields = ["kind", "date", "doc_number", "to_unit", "to_post", "to_level", "to_rank"]


class WarningInline(ReadOnlyInline):
    model = models.CadreWarning
    fields = ["level", "source", "raised_on", "closed_on"]


class SanctionInline(ReadOnlyInline):
    model = models.Sanction
    fields = ["sanction", "decided_on", "doc_number", "influence_months", "influence_until"]


class AdmitForm(forms.Form):
    source = required_choice(_("入库来源"), codes.PoolSource.choices)
    entered_on = forms.DateField(label=_("入库日期"), initial=timezone.localdate)
    programme = forms.ModelChoiceField(
        label=_("培养计划"), queryset=models.Programme.objects.all(), required=False
    )
    tier = forms.ChoiceField(
        label=_("培养层级"),
        choices=[("", _("（按计划或现职务层次）")), *codes.LeadershipLevel.choices],
        required=False,
    )


@admin.register(models.Cadre)
class CadreAdmin(ApprovalFormAdminMixin, LrmxImportAdminMixin, RuleFlagsAdmin):
    rules_purpose = "reminder"
    rules_title = _("待提醒")

    list_display = [
        "name",
        "gender",
        "birth_date",
        "age",
        "ethnicity",
        "political_status",
        "unit",
        "post",
        "level",
        "rank",
        "highest_education",
        "id_number",
        "warning",
        "rule_flags",
    ]
    list_display_links = ["name"]
    list_filter = [
        "gender",
        derived("non_party"),
        derived("minority"),
        "political_status",
        derived("education_level"),
        "level",
        "rank",
        "management_category",
        "status",
        derived("age_band"),
        derived("warning_level"),
        derived("under_sanction"),
        derived("archive_status"),
        "ethnicity",
        *QUERY_FILTERS,  # ?q_saved=<id> / ?query=…: a combined query (cadres.query_admin)
    ]
    search_fields = ["name", "id_number", "post"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["status"]
    fieldsets = [
        (
            _("基本信息"),
            {
                "fields": [
                    ("name", "gender"),
                    ("birth_date", "ethnicity"),
                    ("native_place", "birthplace"),
                    "id_number",
                    ("political_status", "party_join_date"),
                    ("work_start_date", "health"),
                    "professional_title",
                    "expertise",
                    "photo",
                ]
            },
        ),
        (
            _("学历学位"),
            {
                "fields": [
                    ("ft_education", "ft_degree"),
                    "ft_school",
                    ("pt_education", "pt_degree"),
                    "pt_school",
                ]
            },
        ),
        (
            _("现任职务"),
            {
                "fields": [
                    "unit",
                    "post",
                    "post_since",
                    ("level", "rank"),
                    "rank_since",
                    "management_category",
                    "status",
                    "note",
                ]
            },
        ),
    ]
    actions = ["admit_selected"]
    inlines = [
        ResumeInline,
        FamilyInline,
        AssessmentInline,
        RewardInline,
        MovementInline,
        WarningInline,
        SanctionInline,
    ]

    # The change page's object tools: 成长档案时间轴 next to 历史 (a one-block override, kept here).
    def get_queryset(self, request):
        return super().get_queryset(request).with_warning_level()

    def changelist_view(self, request, extra_context=None):
        extra = {"query_builder_url": reverse("admin:cadres_savedquery_builder")}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def get_urls(self):
        view = self.admin_site.admin_view(self.timeline_view)
        return [path("<path:object_id>/timeline/", view, name="cadres_cadre_timeline"), *super().get_urls()]

    def timeline_view(self, request, object_id):
        """成长档案时间轴: the cadre's timeline (cadres.timeline) as a printable page."""
        cadre = self.get_object(request, unquote(object_id))  # scoped: outside the jurisdiction → None
        if cadre is None:
            raise Http404(_("该干部不存在或不在您的管辖范围内"))
        if not self.has_view_or_change_permission(request, cadre):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("干部成长档案"),
            "opts": self.opts,
            "cadre": cadre,
            "birth_month": format_year_month(cadre.birth_date),
            "events": [(format_date(event.date), event) for event in timeline(cadre, request.user)],
        }
        return TemplateResponse(request, "admin/cadres/cadre/timeline.html", context)

    @admin.action(description=_("纳入年轻干部库…"), permissions=["admit"])
    def admit_selected(self, request, queryset):
        return form_action(
            self,
            request,
            queryset,
            form_class=AdmitForm,
            action="admit_selected",
            title=_("纳入年轻干部库"),
            intro=_("以下干部将纳入优秀年轻干部库："),
            submit=_("确认纳入"),
            apply=lambda cadre, source, entered_on, programme, tier: services.admit_to_pool(
                cadre, source=source, on=entered_on, programme=programme, tier=tier or None, by=request.user
            ),
        )

    def has_admit_permission(self, request):
        return request.user.has_perm("cadres.add_poolmembership")

    def get_inlines(self, request, obj):
        inlines = super().get_inlines(request, obj)
        if not access.can_view_sensitive(request.user):  # discipline records are sensitive
            inlines = [i for i in inlines if i is not SanctionInline]
        return inlines

    @admin.display(description=_("出生年月"), ordering="birth_date")
    def birth_month(self, obj):
        return format_year_month(obj.birth_date)

    @admin.display(description=_("年龄"), ordering="-birth_date")
    def age(self, obj):
        return obj.age

    @admin.display(description=_("最高学历"))
    def highest_education(self, obj):
        return obj.highest_education_label

    @admin.display(description=_("预警"), ordering="warning_level")
    def warning(self, obj):
        level = obj.current_warning_level
        return models.codes.WarningLevel(level).label if level else ""


class CadreChildAdmin(OrgAdmin):
    list_select_related = ["cadre", "cadre__unit"]
    search_fields = ["cadre__name"]
    autocomplete_fields = ["cadre"]


@admin.register(models.ResumeEntry)
class ResumeEntryAdmin(CadreChildAdmin):
    list_display = ["cadre", "start", "end", "text"]


@admin.register(models.FamilyMember)
class FamilyMemberAdmin(CadreChildAdmin):
    list_display = ["cadre", "relation", "name", "birth_date", "political_status", "employer_post"]


@admin.register(models.AnnualAssessment)
class AnnualAssessmentAdmin(CadreChildAdmin):
    list_display = ["cadre", "year", "result"]
    list_filter = ["year", "result"]


@admin.register(models.Reward)
class RewardAdmin(CadreChildAdmin):
    list_display = ["cadre", "date", "name", "issuer", "doc_number"]


class ServiceAdmin(ServiceCreatedAdmin, CadreChildAdmin):
    """A cadre's record created through `service(cadre, by=…, **service_fields)`."""

    service = None
    service_fields: list[str] = []

    def create(self, request, data: dict):
        values = {name: data.get(name) for name in self.service_fields}
        return type(self).service(data["cadre"], by=request.user, **values)


@admin.register(models.Movement)
class MovementAdmin(ServiceAdmin):
    list_display = [
        "cadre",
        "kind",
        "date",
        "doc_number",
        "from_post",
        "to_unit",
        "to_post",
        "to_level",
        "to_rank",
    ]
    list_filter = ["kind", "to_level"]
    list_select_related = ["cadre", "cadre__unit", "to_unit"]
    autocomplete_fields = ["cadre", "to_unit"]
    fields = ["cadre", "kind", "date", "doc_number", "to_unit", "to_post", "to_level", "to_rank", "note"]
    service = staticmethod(services.record_movement)
    service_fields = ["kind", "date", "doc_number", "to_unit", "to_post", "to_level", "to_rank", "note"]


@admin.register(models.Sanction)
class SanctionAdmin(CadreChildAdmin):
    list_display = [
        "cadre",
        "kind",
        "sanction",
        "decided_on",
        "influence_months",
        "influence_until",
        "doc_number",
    ]
    list_filter = ["kind", "sanction"]
    readonly_fields = ["kind", "influence_until"]


@admin.register(models.CadreWarning)
class WarningAdmin(ServiceAdmin):
    list_display = ["cadre", "level", "source", "raised_on", "closed_on"]
    list_filter = ["level", "source", ("closed_on", admin.EmptyFieldListFilter)]
    fields = ["cadre", "level", "source", "raised_on", "note"]
    service = staticmethod(services.raise_warning)
    service_fields = ["level", "source", "raised_on", "note"]
    actions = ["close_selected"]

    @admin.action(description=_("解除所选预警（今天）"), permissions=["add"])
    def close_selected(self, request, queryset):
        closed = 0
        for warning in queryset.filter(closed_on__isnull=True):
            try:
                services.close_warning(warning, closed_on=timezone.localdate(), by=request.user)
                closed += 1
            except ValidationError as error:
                self.message_user(request, f"{warning}：{'；'.join(error.messages)}", messages.ERROR)
        self.message_user(request, _("已解除 %d 条预警") % closed)


@admin.register(models.SupervisionMeasure)
class SupervisionMeasureAdmin(CadreChildAdmin):
    list_display = ["cadre", "kind", "date", "reason", "handled_by"]
    list_filter = ["kind"]


@admin.register(models.PersonalMattersReport)
class PersonalMattersReportAdmin(CadreChildAdmin):
    list_display = ["cadre", "year", "submitted_on", "checked_on", "consistent", "discrepancy"]
    list_filter = ["year", "consistent", ("checked_on", admin.EmptyFieldListFilter)]


@admin.register(models.PromotionCheck)
class PromotionCheckAdmin(ServiceAdmin):
    list_display = [
        "cadre",
        "proposed_post",
        "checked_on",
        "archive",
        "personal_matters",
        "discipline",
        "petition",
        "result",
    ]
    list_filter = ["result"]
    fields = [
        "cadre",
        "proposed_post",
        "checked_on",
        "archive",
        "personal_matters",
        "discipline",
        "petition",
        "notes",
    ]
    service = staticmethod(services.record_promotion_check)
    service_fields = [
        "proposed_post",
        "checked_on",
        "archive",
        "personal_matters",
        "discipline",
        "petition",
        "notes",
    ]


class ArchiveFindingInline(OrgInline):
    model = models.ArchiveFinding


@admin.register(models.ArchiveReview)
class ArchiveReviewAdmin(CadreChildAdmin):
    list_display = ["cadre", "reviewed_on", "reviewer", "status"]
    list_filter = ["status"]
    inlines = [ArchiveFindingInline]


@admin.register(models.ArchiveFinding)
class ArchiveFindingAdmin(OrgAdmin):
    list_display = ["review", "item", "recorded_value", "archive_value", "resolved"]
    list_filter = ["item", "resolved"]
    list_select_related = ["review", "review__cadre"]
    search_fields = ["review__cadre__name"]
    autocomplete_fields = ["review"]


# --- the young-cadre pool ------------------------------------------------------------------------
@admin.register(models.Programme)
class ProgrammeAdmin(OrgAdmin):
    list_display = ["name", "year", "tier", "organiser", "status"]
    list_filter = ["year", "tier", "status"]
    search_fields = ["name"]
    list_select_related = ["organiser"]
    autocomplete_fields = ["organiser"]

    def get_urls(self):
        """The 梯次配备 pages (cadres.structure), linked from this list's object tools."""
        from . import structure

        def page(kind):
            def view(request):
                return structure.admin_page(request, model_admin=self, kind=kind)

            return self.admin_site.admin_view(view)

        return [
            path("structure/cadres/", page("cadres"), name="cadres_structure_cadres"),
            path("structure/pool/", page("pool"), name="cadres_structure_pool"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        from . import structure

        links = structure.admin_links(request, self.admin_site)
        return super().changelist_view(request, {**(extra_context or {}), "structure_links": links})


class ExitForm(forms.Form):
    exit_reason = required_choice(_("出库原因"), codes.PoolExitReason.choices)
    exited_on = forms.DateField(label=_("出库日期"), initial=timezone.localdate)
    exit_note = forms.CharField(label=_("出库说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PlanInline(OrgInline):
    model = models.DevelopmentPlan
    extra = 0
    show_change_link = True


@admin.register(models.PoolMembership)
class PoolMembershipAdmin(ServiceAdmin, RuleFlagsAdmin):
    rules_purpose = "pool"
    rules_title = _("待调整")

    list_display = [
        "cadre",
        "cadre_unit",
        "tier",
        "programme",
        "status",
        "entered_on",
        "source",
        "exited_on",
        "exit_reason",
        "rule_flags",
    ]
    list_filter = ["status", "tier", "source", "exit_reason", "programme"]
    list_select_related = ["cadre", "cadre__unit", "programme"]
    autocomplete_fields = ["cadre", "programme", "recommending_unit"]
    fields = ["cadre", "programme", "tier", "entered_on", "source", "recommending_unit"]
    readonly_fields = ["status", "exited_on", "exit_reason", "exit_note"]
    service = staticmethod(services.admit_to_pool)
    service_fields = ["programme", "tier", "source", "recommending_unit"]
    actions = ["exit_selected"]
    inlines = [PlanInline]

    def save_model(self, request, obj, form, change):
        saved = services.admit_to_pool(
            form.cleaned_data["cadre"],
            on=form.cleaned_data["entered_on"],
            by=request.user,
            **{name: form.cleaned_data.get(name) for name in self.service_fields},
        )
        obj.pk = saved.pk

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else [*self.fields, *self.readonly_fields]

    @admin.display(description=_("工作单位"), ordering="cadre__unit__path")
    def cadre_unit(self, obj):
        return obj.cadre.unit

    @admin.action(description=_("调整出库…"), permissions=["change"])
    def exit_selected(self, request, queryset):
        return form_action(
            self,
            request,
            queryset,
            form_class=ExitForm,
            action="exit_selected",
            title=_("调整出库"),
            intro=_("以下成员将调整出库（出库记录保留，以后可再次入库）："),
            submit=_("确认出库"),
            apply=lambda membership, exit_reason, exited_on, exit_note: services.exit_pool(
                membership, reason=exit_reason, on=exited_on, note=exit_note, by=request.user
            ),
        )

    def has_change_permission(self, request, obj=None):  # exits go through the action (the service)
        return OrgAdmin.has_change_permission(self, request, obj) if obj is None else False


class MeasureInline(OrgInline):
    model = models.PlanMeasure


class ReviewInline(OrgInline):
    model = models.PlanReview


@admin.register(models.DevelopmentPlan)
class DevelopmentPlanAdmin(OrgAdmin):
    list_display = ["membership", "direction", "responsible_leader", "next_review_on"]
    search_fields = ["membership__cadre__name", "direction"]
    list_select_related = ["membership", "membership__cadre"]
    autocomplete_fields = ["membership"]
    inlines = [MeasureInline, ReviewInline]


@admin.register(models.PlanMeasure)
class PlanMeasureAdmin(OrgAdmin):
    list_display = ["plan", "text", "due_on", "done"]
    list_filter = ["done"]
    list_select_related = ["plan", "plan__membership", "plan__membership__cadre"]
    search_fields = ["plan__membership__cadre__name", "text"]
    autocomplete_fields = ["plan"]


@admin.register(models.PlanReview)
class PlanReviewAdmin(OrgAdmin):
    list_display = ["plan", "reviewed_on", "notes"]
    list_select_related = ["plan", "plan__membership", "plan__membership__cadre"]
    search_fields = ["plan__membership__cadre__name"]
    autocomplete_fields = ["plan"]


@admin.register(models.DossierEntry)
class DossierEntryAdmin(CadreChildAdmin):
    list_display = ["cadre", "date", "kind", "text"]
    list_filter = ["kind"]


class PostingStateFilter(admin.SimpleListFilter):
    title = _("锻炼状态")
    parameter_name = "posting_state"

    def lookups(self, request, model_admin):
        return [("current", _("正在锻炼")), ("ending", _("30天内期满"))]

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.current()
        if self.value() == "ending":
            return queryset.ending_within(30)
        return queryset


@admin.register(models.Posting)
class PostingAdmin(CadreChildAdmin):
    list_display = ["cadre", "kind", "host_kind", "host", "post", "start", "planned_end", "actual_end"]
    list_filter = [PostingStateFilter, "kind", "host_kind"]
    list_select_related = ["cadre", "cadre__unit", "host_unit"]
    autocomplete_fields = ["cadre", "host_unit"]


# --- 任免事项 (cadres.appointments) ---------------------------------------------------------------


@admin.register(models.StepRequirement)
class StepRequirementAdmin(OrgAdmin):
    list_display = ["__str__", "case_kind", "step", "order", "min_share"]
    list_editable = ["order", "min_share"]
    list_filter = ["case_kind", "step"]
    search_fields = ["case_kind", "step"]


class StepInline(ReadOnlyInline):
    model = models.AppointmentStep
    fields = [
        "step",
        "started_on",
        "ended_on",
        "participants",
        "outcome",
        "votes_for",
        "votes_against",
        "votes_abstain",
        "doc_number",
        "notes",
    ]


class StepForm(forms.Form):
    step = required_choice(_("步骤"), models.AppointmentStepKind.choices)
    started_on = forms.DateField(label=_("日期（公示为开始日期）"), initial=timezone.localdate)
    ended_on = forms.DateField(label=_("截止日期（公示）"), required=False)
    participants = forms.CharField(
        label=_("参加人员"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    outcome = forms.ChoiceField(
        label=_("结果"),
        choices=[
            ("", _("（民主推荐、讨论决定、凡提必核由记录得出）")),
            *models.AppointmentStepOutcome.choices,
        ],
        required=False,
    )
    votes_for = forms.IntegerField(label=_("同意票"), required=False, min_value=0)
    votes_against = forms.IntegerField(label=_("不同意票"), required=False, min_value=0)
    votes_abstain = forms.IntegerField(label=_("弃权票"), required=False, min_value=0)
    members_expected = forms.IntegerField(label=_("应到会成员（讨论决定）"), required=False, min_value=1)
    meeting = forms.CharField(label=_("会议"), required=False)
    team = forms.CharField(label=_("考察组"), required=False)
    findings = forms.CharField(label=_("考察情况"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    doc_number = forms.CharField(label=_("任职文号"), required=False)
    notes = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CompleteForm(forms.Form):
    on = forms.DateField(label=_("办结日期"), initial=timezone.localdate)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), widget=forms.Textarea(attrs={"rows": 3}))
    on = forms.DateField(label=_("撤销日期"), initial=timezone.localdate)


def appointment_filter(parameter):
    return derived_list_filter(parameter, *APPOINTMENT_FILTERS[parameter])


@admin.register(models.AppointmentCase)
class AppointmentCaseAdmin(ApprovalFormAdminMixin, ServiceAdmin):
    list_display = [
        "cadre",
        "cadre_unit",
        "kind",
        "proposed_post",
        "proposed_level",
        "removed_post",
        "opened_on",
        "status",
        "completed_on",
    ]
    list_filter = ["status", "kind", appointment_filter("step"), appointment_filter("in_publicity")]
    search_fields = ["cadre__name", "proposed_post", "removed_post", "reason"]
    list_select_related = ["cadre", "cadre__unit"]
    autocomplete_fields = ["cadre", "proposed_unit", "submitting_unit"]
    fields = [
        "cadre",
        "kind",
        "opened_on",
        "proposed_unit",
        "proposed_post",
        ("proposed_level", "proposed_rank"),
        "removed_post",
        "reason",
        "submitting_unit",
    ]
    readonly_fields = ["status", "completed_on", "movement", "withdrawn_on", "withdraw_reason"]
    service = staticmethod(appointments.open_case)
    service_fields = [
        "kind",
        "opened_on",
        "proposed_unit",
        "proposed_post",
        "proposed_level",
        "proposed_rank",
        "removed_post",
        "reason",
        "submitting_unit",
    ]
    inlines = [StepInline]
    actions = ["record_step_selected", "complete_selected", "withdraw_selected"]

    @admin.display(description=_("工作单位"), ordering="cadre__unit__path")
    def cadre_unit(self, obj):
        return obj.cadre.unit

    @admin.action(description=_("记录程序步骤…"), permissions=["change"])
    def record_step_selected(self, request, queryset):
        return form_action(
            self,
            request,
            queryset,
            form_class=StepForm,
            action="record_step_selected",
            title=_("记录程序步骤"),
            intro=_("为以下任免事项记录一个程序步骤（须按配置的顺序）："),
            submit=_("确认记录"),
            apply=lambda case, **data: appointments.record_step(case, by=request.user, **data),
        )

    @admin.action(description=_("办结（记录任免）…"), permissions=["change"])
    def complete_selected(self, request, queryset):
        return form_action(
            self,
            request,
            queryset,
            form_class=CompleteForm,
            action="complete_selected",
            title=_("办结任免事项"),
            intro=_("以下任免事项将办结，并记录任免（现职务、职务层次、职级随之更新）："),
            submit=_("确认办结"),
            apply=lambda case, on: appointments.complete_case(case, on=on, by=request.user),
        )

    @admin.action(description=_("撤销…"), permissions=["change"])
    def withdraw_selected(self, request, queryset):
        return form_action(
            self,
            request,
            queryset,
            form_class=WithdrawForm,
            action="withdraw_selected",
            title=_("撤销任免事项"),
            intro=_("以下任免事项将撤销（事项保留，记录撤销原因）："),
            submit=_("确认撤销"),
            apply=lambda case, reason, on: appointments.withdraw_case(
                case, reason=reason, on=on, by=request.user
            ),
        )


class ObjectionInline(ReadOnlyInline):
    model = models.PublicityObjection
    fields = ["received_on", "content", "handling", "resolved", "resolved_on"]


@admin.register(models.AppointmentStep)
class AppointmentStepAdmin(ServiceCreatedAdmin):
    list_display = ["case", "step", "started_on", "ended_on", "outcome", "doc_number"]
    list_filter = ["step", "outcome"]
    search_fields = ["case__cadre__name"]
    list_select_related = ["case", "case__cadre", "case__cadre__unit"]
    autocomplete_fields = ["case", "promotion_check"]
    fields = [
        "case",
        "step",
        ("started_on", "ended_on"),
        "participants",
        "outcome",
        ("votes_for", "votes_against", "votes_abstain", "members_expected"),
        "meeting",
        "team",
        "findings",
        "material",
        "promotion_check",
        "doc_number",
        "notes",
    ]
    inlines = [ObjectionInline]

    def get_inlines(self, request, obj):
        # the reports received during 公示 are sensitive (masked on their own list)
        return super().get_inlines(request, obj) if access.can_view_sensitive(request.user) else []

    def create(self, request, data: dict):
        values = {name: value for name, value in data.items() if name != "case"}
        return appointments.record_step(data["case"], by=request.user, **values)


@admin.register(models.PublicityObjection)
class PublicityObjectionAdmin(OrgAdmin):
    list_display = ["step", "received_on", "content", "resolved", "resolved_on"]
    list_filter = ["resolved"]
    search_fields = ["step__case__cadre__name"]
    list_select_related = ["step", "step__case", "step__case__cadre", "step__case__cadre__unit"]
    autocomplete_fields = ["step"]


# --- 领导班子: 职数, 结构要求, 综合研判, 平时考核 (cadres.teams) -----------------------------------------


@admin.register(models.PostQuota)
class PostQuotaAdmin(OrgAdmin):
    list_display = ["unit", "level", "post_kind", "approved", "serving", "doc_number", "approved_on"]
    list_filter = ["level", "post_kind"]
    search_fields = ["unit__name", "doc_number"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(serving_count=teams.serving_count())

    @admin.display(description=_("实配（该单位该层次，各类别合计）"))
    def serving(self, obj):
        return obj.serving_count

    def get_urls(self):
        """The team report page (cadres.teams), linked from this list's object tools."""

        def view(request):
            return teams.admin_page(request, model_admin=self)

        return [
            path("teams/", self.admin_site.admin_view(view), name="cadres_team_report"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        link = teams.admin_link(request, self.admin_site)
        return super().changelist_view(request, {**(extra_context or {}), "team_report_link": link})


@admin.register(models.TeamRule)
class TeamRuleAdmin(OrgAdmin):
    list_display = ["name", "unit_kind", "kind", "minimum", "max_age", "keywords", "active", "sort_order"]
    list_editable = ["active", "sort_order"]
    list_filter = ["unit_kind", "kind", "active"]
    search_fields = ["name", "keywords"]


class MemberAssessmentInline(OrgInline):
    model = models.MemberAssessment
    autocomplete_fields = ["cadre"]


@admin.register(models.TeamAnalysis)
class TeamAnalysisAdmin(OrgAdmin):
    list_display = ["unit", "year", "rating", "analysed_on"]
    list_filter = ["year", "rating"]
    search_fields = ["unit__name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    inlines = [MemberAssessmentInline]


@admin.register(models.MemberAssessment)
class MemberAssessmentAdmin(OrgAdmin):
    list_display = ["analysis", "cadre", "assessment"]
    search_fields = ["cadre__name", "analysis__unit__name"]
    list_select_related = ["analysis", "analysis__unit", "cadre"]
    autocomplete_fields = ["analysis", "cadre"]


@admin.register(models.RegularAssessment)
class RegularAssessmentAdmin(CadreChildAdmin):
    list_display = ["cadre", "year", "quarter", "rating"]
    list_filter = ["year", "quarter", "rating"]


# --- 换届 planning (cadres.succession) --------------------------------------------------------------
class SuccessionProposalInline(OrgInline):
    model = models.SuccessionProposal
    fields = ["kind", "cadre", "team", "level", "post", "reason", "status", "note", "case"]
    readonly_fields = ["case"]
    autocomplete_fields = ["cadre", "team"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cadre", "team", "case", "case__cadre")


@admin.register(models.SuccessionPlan)
class SuccessionPlanAdmin(OrgAdmin):
    list_display = ["name", "unit", "on_date", "status", "preview_link"]
    list_filter = ["status"]
    search_fields = ["name", "unit__name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit", "teams"]
    readonly_fields = ["preview_link"]
    inlines = [SuccessionProposalInline]

    @admin.display(description=_("预览"))
    def preview_link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        url = reverse("admin:cadres_successionplan_preview", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("换届前后对比"))

    def get_urls(self):
        """The plan's preview page (cadres.succession.preview): teams before and after, read-only."""

        def view(request, object_id):
            return self.preview_view(request, object_id)

        return [
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(view),
                name="cadres_successionplan_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, object_id):
        if not (self.has_view_permission(request) and request.user.has_perms(teams.REQUIRED_PERMS)):
            raise PermissionDenied
        plan = self.get_object(request, unquote(object_id))
        if plan is None:
            raise Http404
        cadres, quotas = (
            access.scope(m.objects.all(), request.user) for m in (models.Cadre, models.PostQuota)
        )
        preview = succession.preview(plan, cadres=cadres, quotas=quotas)
        for team in preview["teams"]:  # the template shows both states with one row layout
            team["columns"] = [(_("现状"), team["before"]), (_("调整后"), team["after"])]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("换届方案预览：%s") % plan,
            "plan": plan,
            "preview": preview,
        }
        return TemplateResponse(request, "admin/cadres/succession_preview.html", context)


class OpenCaseForm(forms.Form):
    opened_on = forms.DateField(label=_("动议日期"), initial=timezone.localdate)


@admin.register(models.SuccessionProposal)
class SuccessionProposalAdmin(OrgAdmin):
    list_display = ["cadre", "kind", "team", "level", "post", "reason", "status", "plan", "case"]
    list_filter = ["kind", "status", "reason"]
    search_fields = ["cadre__name", "post", "plan__name"]
    list_select_related = ["cadre", "team", "plan", "case", "case__cadre"]
    autocomplete_fields = ["plan", "cadre", "team"]
    readonly_fields = ["case"]
    actions = ["open_case_selected"]

    @admin.action(description=_("启动任免事项…"), permissions=["change"])
    def open_case_selected(self, request, queryset):
        if not request.user.has_perm("cadres.add_appointmentcase"):
            self.message_user(request, _("没有新增任免事项的权限"), messages.ERROR)
            return None
        return form_action(
            self,
            request,
            queryset,
            form_class=OpenCaseForm,
            action="open_case_selected",
            title=_("启动任免事项"),
            intro=_("以下已采纳的换届建议将各自启动一个任免事项（动议）："),
            submit=_("确认启动"),
            apply=lambda proposal, opened_on: succession.open_case(
                proposal, by=request.user, opened_on=opened_on
            ),
        )
