from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgportal import codes
from orgportal.admin import (
    OrgAdmin,
    OrgInline,
    ReadOnlyInline,
    ReviewAdmin,
    ServiceCreatedAdmin,
    derived_list_filter,
    form_action,
)

from . import models, services
from .class_sheets import ClassSheetsAdminMixin
from .dashboard import unfilled_quotas
from .enrolment_lists import EnrolmentListAdminMixin
from .filters import DERIVED_FILTERS


def derived(parameter):
    return derived_list_filter(parameter, *DERIVED_FILTERS[parameter])


class PlanQuotaInline(OrgInline):
    model = models.PlanQuota
    fields = ["training_class", "unit", "count"]
    autocomplete_fields = ["training_class", "unit"]


@admin.register(models.TrainingPlan)
class TrainingPlanAdmin(OrgAdmin):
    list_display = ["name", "year", "organiser", "status"]
    list_filter = ["year", "status"]
    search_fields = ["name"]
    list_select_related = ["organiser"]
    autocomplete_fields = ["organiser"]
    inlines = [PlanQuotaInline]


@admin.register(models.PlanQuota)
class PlanQuotaAdmin(OrgAdmin):
    list_display = ["training_class", "unit", "count", "plan"]
    list_filter = [
        "plan",
        derived_list_filter(
            "unfilled", _("名额未完成"), [("1", _("是"))], lambda qs, _v: unfilled_quotas(qs)
        ),
    ]
    search_fields = ["unit__name", "training_class__name"]
    list_select_related = ["training_class", "unit", "plan"]
    autocomplete_fields = ["plan", "training_class", "unit"]


@admin.register(models.Venue)
class VenueAdmin(OrgAdmin):
    list_display = ["name", "kind", "address"]
    list_filter = ["kind"]
    search_fields = ["name", "address"]


@admin.register(models.Teacher)
class TeacherAdmin(OrgAdmin):
    list_display = ["name", "kind", "employer", "field"]
    list_filter = ["kind"]
    search_fields = ["name", "employer", "field"]


class CourseInline(OrgInline):
    model = models.Course
    fields = ["title", "teacher", "date", "hours", "mode"]
    autocomplete_fields = ["teacher"]


class EnrolmentInline(ReadOnlyInline):
    """The class's trainees in one place: status, attendance, hours, certificate and their evaluation
    of the class (one query). Enrolments are written through the services (the enrolment list's
    actions); attendance and evaluations have their own pages."""

    model = models.Enrolment
    fields = ["cadre", "status", "attendance", "hours_credited", "certificate_number", "result", "evaluation"]

    def get_queryset(self, request):
        def attended(status):
            return Count("attendances", filter=Q(attendances__status=status), distinct=True)

        return (
            super()
            .get_queryset(request)
            .select_related("cadre", "class_evaluation")
            .annotate(
                present=attended(codes.AttendanceStatus.PRESENT),
                on_leave=attended(codes.AttendanceStatus.LEAVE),
                absent=attended(codes.AttendanceStatus.ABSENT),
            )
        )

    @admin.display(description=_("考勤（出勤/请假/缺勤）"))
    def attendance(self, obj):
        return f"{obj.present}/{obj.on_leave}/{obj.absent}"

    @admin.display(description=_("班次评估"))
    def evaluation(self, obj):
        evaluation = getattr(obj, "class_evaluation", None)
        return evaluation.score if evaluation is not None else "—"


class LevelsField(forms.MultipleChoiceField):
    """The class's target 职务层次 as checkboxes, stored as the model's comma-separated codes."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=codes.LeadershipLevel.choices, **kwargs)

    def prepare_value(self, value):
        return models.split_levels(value) if isinstance(value, str) else value

    def has_changed(self, initial, data):
        return super().has_changed(self.prepare_value(initial or ""), data)

    def clean(self, value):
        return ",".join(super().clean(value))


class CompleteClassForm(forms.Form):
    on = forms.DateField(label=_("结业日期"), initial=timezone.localdate)


class StartClassForm(forms.Form):
    """开班 asks nothing but confirmation."""


@admin.register(models.TrainingClass)
class TrainingClassAdmin(ClassSheetsAdminMixin, EnrolmentListAdminMixin, OrgAdmin):
    """班次, with 调训名单导入 (training.enrolment_lists) and 科学调训 (training.candidates) on its page."""

    list_display = [
        "name",
        "cohort",
        "kind",
        "organiser",
        "venue",
        "start_date",
        "end_date",
        "hours",
        "capacity",
        "full_time",
        "status",
    ]
    list_filter = ["kind", "status", derived("target_level"), "full_time", "plan"]
    search_fields = ["name"]
    list_select_related = ["organiser", "venue"]
    autocomplete_fields = ["plan", "organiser", "venue"]
    date_hierarchy = "start_date"
    inlines = [CourseInline, EnrolmentInline]
    actions = ["start_selected", "complete_selected"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "target_levels":
            return LevelsField(label=db_field.verbose_name, required=False, help_text=_("不选表示不限"))
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.action(description=_("开班…"), permissions=["change"])
    def start_selected(self, request, queryset):
        return form_action(
            self,
            request,
            queryset,
            form_class=StartClassForm,
            action="start_selected",
            title=_("开班"),
            intro=_("以下班次将开班，已确认调训的学员转为在训："),
            submit=_("确认开班"),
            apply=lambda training_class: services.start_class(training_class, by=request.user),
        )

    @admin.action(description=_("班次结业…"), permissions=["change"])
    def complete_selected(self, request, queryset):
        return form_action(
            self,
            request,
            queryset,
            form_class=CompleteClassForm,
            action="complete_selected",
            title=_("班次结业"),
            intro=_("以下班次将结业：核定学员学时（扣除缺勤、请假课程学时）并颁发结业证书："),
            submit=_("确认结业"),
            apply=lambda training_class, on: services.complete_class(training_class, on=on, by=request.user),
        )


@admin.register(models.Course)
class CourseAdmin(OrgAdmin):
    list_display = ["title", "training_class", "teacher", "date", "hours", "mode"]
    list_filter = ["mode", "training_class__kind"]
    search_fields = ["title", "teacher__name", "training_class__name"]
    list_select_related = ["training_class", "teacher"]
    autocomplete_fields = ["training_class", "teacher"]


class ConfirmForm(forms.Form):
    """调训确认 asks nothing but confirmation."""


class EndForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)
    on = forms.DateField(label=_("日期"), initial=timezone.localdate)


SERVICE_OWNED = ["status", "ended_on", "end_reason", "hours_credited", "certificate_number"]


@admin.register(models.Enrolment)
class EnrolmentAdmin(OrgAdmin):
    """报名 through the add form (the enrol service); the status changes through the list's actions;
    the result (结业鉴定) and note are edited on the record's page."""

    list_display = [
        "cadre",
        "training_class",
        "status",
        "hours_credited",
        "certificate_number",
        "ended_on",
        "end_reason",
    ]
    list_filter = ["status", "training_class__kind", "training_class"]
    search_fields = ["cadre__name", "training_class__name", "certificate_number"]
    list_select_related = ["cadre", "cadre__unit", "training_class"]
    autocomplete_fields = ["cadre", "training_class"]
    actions = ["confirm_selected", "withdraw_selected", "absent_selected"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["cadre", "training_class"]
        return ["cadre", "training_class", *SERVICE_OWNED, "result", "note"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if obj is None else [*readonly, "cadre", "training_class", *SERVICE_OWNED]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        obj.pk = services.enrol(data["cadre"], data["training_class"], by=request.user).pk
        return None

    def _end(self, request, queryset, action, title, service):
        return form_action(
            self,
            request,
            queryset,
            form_class=EndForm,
            action=action,
            title=title,
            intro=_("以下调训记录："),
            submit=_("确认"),
            apply=lambda enrolment, reason, on: service(enrolment, reason=reason, on=on, by=request.user),
        )

    @admin.action(description=_("确认调训…"), permissions=["change"])
    def confirm_selected(self, request, queryset):
        return form_action(
            self,
            request,
            queryset,
            form_class=ConfirmForm,
            action="confirm_selected",
            title=_("确认调训"),
            intro=_("以下报名将确认调训（受班次计划人数和各单位调训名额限制）："),
            submit=_("确认"),
            apply=lambda enrolment: services.confirm_enrolment(enrolment, by=request.user),
        )

    @admin.action(description=_("退训…"), permissions=["change"])
    def withdraw_selected(self, request, queryset):
        return self._end(request, queryset, "withdraw_selected", _("退训"), services.withdraw)

    @admin.action(description=_("登记缺训…"), permissions=["change"])
    def absent_selected(self, request, queryset):
        return self._end(request, queryset, "absent_selected", _("登记缺训"), services.mark_absent)


@admin.register(models.Attendance)
class AttendanceAdmin(ServiceCreatedAdmin):
    """考勤 recorded through the add form (the record_attendance service: recording the same course
    again corrects it); existing records are read-only here."""

    list_display = ["enrolment", "course", "status"]
    list_filter = ["status", "course__mode"]
    search_fields = ["enrolment__cadre__name", "course__title"]
    list_select_related = ["enrolment__cadre", "enrolment__training_class", "course"]
    autocomplete_fields = ["enrolment", "course"]
    fields = ["enrolment", "course", "status"]

    def create(self, request, data):
        return services.record_attendance(
            data["enrolment"], data["course"], status=data["status"], by=request.user
        )


# --- 质效评估 (training.models.evaluation) -----------------------------------------------------------
@admin.register(models.EvaluationSetting)
class EvaluationSettingAdmin(OrgAdmin):
    list_display = ["training_class", "scale"]
    list_filter = ["scale"]
    search_fields = ["training_class__name"]
    list_select_related = ["training_class"]
    autocomplete_fields = ["training_class"]


@admin.register(models.ClassEvaluation)
class ClassEvaluationAdmin(ServiceCreatedAdmin):
    """班次评估, entered through the add form (the evaluate_class service) and not edited; the
    results page (质效评估结果) shows aggregates only."""

    list_display = ["enrolment", "score", "submitted_on"]
    list_filter = ["submitted_on", "enrolment__training_class__kind"]
    search_fields = ["enrolment__cadre__name", "enrolment__training_class__name"]
    list_select_related = ["enrolment__cadre", "enrolment__training_class"]
    autocomplete_fields = ["enrolment"]
    fields = ["enrolment", "score", "comment", "submitted_on"]

    def create(self, request, data):
        return services.evaluate_class(
            data["enrolment"],
            score=data["score"],
            comment=data.get("comment", ""),
            submitted_on=data.get("submitted_on"),
            by=request.user,
        )

    def get_urls(self):
        from . import evaluation_results

        return [*evaluation_results.admin_urls(self), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        from . import evaluation_results

        links = evaluation_results.admin_links(request, self.admin_site)
        return super().changelist_view(request, {**(extra_context or {}), "report_links": links})


@admin.register(models.CourseEvaluation)
class CourseEvaluationAdmin(ServiceCreatedAdmin):
    """课程评估, entered through the add form (the evaluate_course service) and not edited."""

    list_display = ["enrolment", "course", "score", "submitted_on"]
    list_filter = ["submitted_on", "course__mode"]
    search_fields = ["enrolment__cadre__name", "course__title", "course__teacher__name"]
    list_select_related = ["enrolment__cadre", "enrolment__training_class", "course"]
    autocomplete_fields = ["enrolment", "course"]
    fields = ["enrolment", "course", "score", "comment", "submitted_on"]

    def create(self, request, data):
        return services.evaluate_course(
            data["enrolment"],
            data["course"],
            score=data["score"],
            comment=data.get("comment", ""),
            submitted_on=data.get("submitted_on"),
            by=request.user,
        )


# --- 学时 (training.models.hours; pages in training.hours_admin) ------------------------------------
class RanksField(LevelsField):
    """The requirement's 职级 as checkboxes, stored as comma-separated codes."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.choices = codes.Rank.choices


@admin.register(models.HoursRequirement)
class HoursRequirementAdmin(OrgAdmin):
    """学时要求: rules as data, tried in 顺序 order; the shipped ones follow the 条例."""

    list_display = ["name", "hours", "window_years", "counting", "catch_up_years", "priority", "active"]
    list_filter = ["counting", "active"]
    search_fields = ["name", "basis"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "levels":
            return LevelsField(label=db_field.verbose_name, required=False, help_text=_("不选表示不限"))
        if db_field.name == "ranks":
            return RanksField(label=db_field.verbose_name, required=False, help_text=_("不选表示不限"))
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(models.ExternalHours)
class ExternalHoursAdmin(ReviewAdmin, OrgAdmin):
    """其他学时: recorded 待审核 and corrected while pending; reviewed with the list's actions. The
    学时统计, 调训覆盖 and 科学调训 pages hang under this admin's URLs."""

    list_display = ["cadre", "year", "kind", "provider", "hours", "status", "reviewed_by", "reviewed_on"]
    list_filter = ["status", "kind", "year"]
    list_select_related = ["cadre", "cadre__unit", "reviewed_by"]
    search_fields = ["cadre__name", "provider", "evidence"]
    autocomplete_fields = ["cadre"]
    fields = ["cadre", "year", "kind", "provider", "hours", "evidence"]

    def get_urls(self):
        from . import hours_admin

        return [*hours_admin.admin_urls(self), *super().get_urls()]
