"""质效评估结果: per class, per course and per teacher — count, average and distribution of the scores.

Each result is a function of querysets the caller has already scoped to the user's jurisdiction
(the trainee's unit): a county sees what its own cadres said. One grouped query per result (by the
score, so the distribution and the exact average come from the same rows), however many
evaluations. Results are aggregates only: no trainee is named, nor is any comment shown.

Scores of classes on different scales are never mixed: a teacher who taught on a five-point and a
hundred-point class has a row for each scale.
"""

from collections.abc import Iterable, Mapping

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Value
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from orgportal import access
from orgportal.api import router
from orgportal.models import Unit
from orgportal.reports import (
    ReportForm,
    ReportQuerySerializer,
    ReportViewSet,
    in_subtree,
    percent,
    report_form,
    report_page,
    subtree_unit,
    unit_ref,
    validated,
)

from .models import ClassEvaluation, CourseEvaluation
from .models.evaluation import DEFAULT_SCALE, EvaluationScale

REQUIRED_PERMS = {
    "classes": ("training.view_classevaluation",),
    "courses": ("training.view_courseevaluation",),
    "teachers": ("training.view_courseevaluation",),
}
TITLE = _("质效评估结果")
TITLES = {"classes": _("班次评估"), "courses": _("课程评估"), "teachers": _("师资评估")}
# Distribution bands, highest first: (low, high, label)
BANDS = {
    EvaluationScale.FIVE: [(s, s, f"{s}分") for s in (5, 4, 3, 2, 1)],
    EvaluationScale.HUNDRED: [
        (90, 100, "90–100分"),
        (80, 89, "80–89分"),
        (70, 79, "70–79分"),
        (60, 69, "60–69分"),
        (0, 59, "60分以下"),
    ],
}


def _scale(prefix: str):
    return Coalesce(f"{prefix}__evaluation_setting__scale", Value(DEFAULT_SCALE))


def summary(scale: str, counts: Mapping[int, int]) -> dict:
    """Count, average (two decimals; None without scores) and distribution over the scale's bands."""
    total = sum(counts.values())
    average = round(sum(score * n for score, n in counts.items()) / total, 2) if total else None
    distribution = []
    for low, high, label in BANDS[scale]:
        n = sum(c for score, c in counts.items() if low <= score <= high)
        distribution.append({"label": label, "count": n, "percent": percent(n, total)})
    return {
        "scale": scale,
        "scale_display": str(EvaluationScale(scale).label),
        "count": total,
        "average": average,
        "distribution": distribution,
    }


def _narrowed(queryset, *, units, unit_subtree=None, training_class=None, year=None, class_path):
    unit = subtree_unit(unit_subtree, units)
    queryset = in_subtree(queryset, "enrolment__cadre__unit__path", unit)
    if training_class:
        queryset = queryset.filter(**{class_path: training_class})
    if year:
        queryset = queryset.filter(**{f"{class_path}__start_date__year": year})
    return queryset.order_by(), unit


def _grouped(queryset, keys: Iterable[str], scale) -> dict:
    """{(key values…, scale): {score: count}} from one grouped query."""
    keys = list(keys)
    rows = queryset.annotate(e_scale=scale).values(*keys, "e_scale", "score").annotate(n=Count("id"))
    groups: dict = {}
    for row in rows:
        group = (*(row[k] for k in keys), row["e_scale"])
        groups.setdefault(group, {})[row["score"]] = row["n"]
    return groups


def class_results(evaluations: models.QuerySet, *, units, **options) -> dict:
    """班次评估 per class (newest class first)."""
    evaluations, unit = _narrowed(evaluations, units=units, class_path="enrolment__training_class", **options)
    keys = [
        "enrolment__training_class",
        "enrolment__training_class__name",
        "enrolment__training_class__cohort",
        "enrolment__training_class__start_date",
    ]
    groups = _grouped(evaluations, keys, _scale("enrolment__training_class"))
    rows = [
        {
            "training_class": {"id": pk, "name": f"{name}（第{cohort}期）", "start_date": start},
            **summary(scale, counts),
        }
        for (pk, name, cohort, start, scale), counts in groups.items()
    ]
    rows.sort(key=lambda r: (r["training_class"]["start_date"], r["training_class"]["id"]), reverse=True)
    return {"filters": {"unit": unit_ref(unit), **_filters(options)}, "classes": rows}


def course_results(evaluations: models.QuerySet, *, units, teacher=None, **options) -> dict:
    """课程评估 per course, with its class and teacher (by class, then the course's date)."""
    evaluations, unit = _narrowed(evaluations, units=units, class_path="course__training_class", **options)
    if teacher:
        evaluations = evaluations.filter(course__teacher=teacher)
    keys = [
        "course",
        "course__title",
        "course__date",
        "course__training_class",
        "course__training_class__name",
        "course__training_class__cohort",
        "course__teacher",
        "course__teacher__name",
    ]
    groups = _grouped(evaluations, keys, _scale("course__training_class"))
    rows = [
        {
            "course": {"id": pk, "title": title, "date": day},
            "training_class": {"id": class_pk, "name": f"{class_name}（第{cohort}期）"},
            "teacher": {"id": teacher_pk, "name": teacher_name} if teacher_pk else None,
            **summary(scale, counts),
        }
        for (
            pk,
            title,
            day,
            class_pk,
            class_name,
            cohort,
            teacher_pk,
            teacher_name,
            scale,
        ), counts in groups.items()
    ]
    rows.sort(key=lambda r: (r["training_class"]["id"], r["course"]["date"], r["course"]["id"]))
    return {"filters": {"unit": unit_ref(unit), **_filters(options), "teacher": teacher}, "courses": rows}


def teacher_results(evaluations: models.QuerySet, *, units, teacher=None, **options) -> dict:
    """师资评估 per teacher and scale, across courses and classes; courses without a teacher are
    left out. Best average first."""
    evaluations, unit = _narrowed(evaluations, units=units, class_path="course__training_class", **options)
    evaluations = evaluations.filter(course__teacher__isnull=False)
    if teacher:
        evaluations = evaluations.filter(course__teacher=teacher)
    keys = ["course__teacher", "course__teacher__name", "course", "course__training_class"]
    groups = _grouped(evaluations, keys, _scale("course__training_class"))
    teachers: dict = {}
    for (pk, name, course, training_class, scale), counts in groups.items():
        entry = teachers.setdefault(
            (pk, scale), {"name": name, "courses": set(), "classes": set(), "counts": {}}
        )
        entry["courses"].add(course)
        entry["classes"].add(training_class)
        for score, n in counts.items():
            entry["counts"][score] = entry["counts"].get(score, 0) + n
    rows = [
        {
            "teacher": {"id": pk, "name": entry["name"]},
            "courses": len(entry["courses"]),
            "classes": len(entry["classes"]),
            **summary(scale, entry["counts"]),
        }
        for (pk, scale), entry in teachers.items()
    ]
    rows.sort(key=lambda r: (r["scale"], -(r["average"] or 0), r["teacher"]["name"], r["teacher"]["id"]))
    return {"filters": {"unit": unit_ref(unit), **_filters(options), "teacher": teacher}, "teachers": rows}


def _filters(options: Mapping) -> dict:
    return {"training_class": options.get("training_class"), "year": options.get("year")}


# --- API ---------------------------------------------------------------------------------------------
class EvaluationQuerySerializer(ReportQuerySerializer):
    training_class = serializers.IntegerField(required=False, min_value=1, label=_("班次编号"))
    year = serializers.IntegerField(required=False, min_value=1900, max_value=2100, label=_("年度（开班）"))


class TeacherEvaluationQuerySerializer(EvaluationQuerySerializer):
    teacher = serializers.IntegerField(required=False, min_value=1, label=_("授课教师编号"))


class EvaluationRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class EvaluationClassRef(EvaluationRef):
    start_date = serializers.DateField(required=False)


class EvaluationCourseRef(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    date = serializers.DateField()


class EvaluationBand(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()
    percent = serializers.FloatField()


class EvaluationSummary(serializers.Serializer):
    scale = serializers.ChoiceField(choices=EvaluationScale.choices)
    scale_display = serializers.CharField()
    count = serializers.IntegerField()
    average = serializers.FloatField(allow_null=True)
    distribution = EvaluationBand(many=True)


class EvaluationFilters(serializers.Serializer):
    unit = EvaluationRef(allow_null=True)
    training_class = serializers.IntegerField(allow_null=True)
    year = serializers.IntegerField(allow_null=True)


class EvaluationTeacherFilters(EvaluationFilters):
    teacher = serializers.IntegerField(allow_null=True)


class ClassResultSerializer(EvaluationSummary):
    training_class = EvaluationClassRef()


class CourseResultSerializer(EvaluationSummary):
    course = EvaluationCourseRef()
    training_class = EvaluationRef()
    teacher = EvaluationRef(allow_null=True)


class TeacherResultSerializer(EvaluationSummary):
    teacher = EvaluationRef()
    courses = serializers.IntegerField(label=_("课程数"))
    classes = serializers.IntegerField(label=_("班次数"))


class ClassResultsSerializer(serializers.Serializer):
    filters = EvaluationFilters()
    classes = ClassResultSerializer(many=True)


class CourseResultsSerializer(serializers.Serializer):
    filters = EvaluationTeacherFilters()
    courses = CourseResultSerializer(many=True)


class TeacherResultsSerializer(serializers.Serializer):
    filters = EvaluationTeacherFilters()
    teachers = TeacherResultSerializer(many=True)


class EvaluationResultViewSet(ReportViewSet):
    """质效评估结果 in the user's jurisdiction (the trainees' units): aggregates only, no trainee named."""

    queryset = ClassEvaluation.objects.all()
    required_perms = REQUIRED_PERMS

    @extend_schema(
        summary=_("班次评估结果"),
        description=_("各班次的总体评分：评估人数、平均分、分布（五分制按分值，百分制按分数段）。"),
        parameters=[EvaluationQuerySerializer],
        responses=ClassResultsSerializer,
    )
    @action(detail=False, url_path="classes")
    def classes(self, request):
        query = validated(EvaluationQuerySerializer, request.query_params)
        report = class_results(self.scoped(ClassEvaluation), units=self.scoped(Unit), **query)
        return Response(ClassResultsSerializer(report).data)

    @extend_schema(
        summary=_("课程评估结果"),
        description=_("各课程（及其班次、授课教师）的评分：评估人数、平均分、分布。"),
        parameters=[TeacherEvaluationQuerySerializer],
        responses=CourseResultsSerializer,
    )
    @action(detail=False, url_path="courses")
    def courses(self, request):
        query = validated(TeacherEvaluationQuerySerializer, request.query_params)
        report = course_results(self.scoped(CourseEvaluation), units=self.scoped(Unit), **query)
        return Response(CourseResultsSerializer(report).data)

    @extend_schema(
        summary=_("师资评估结果"),
        description=_(
            "各授课教师所授课程的评分（跨课程、跨班次，按评分制分列）：课程数、班次数、评估人数、平均分、分布。"
        ),
        parameters=[TeacherEvaluationQuerySerializer],
        responses=TeacherResultsSerializer,
    )
    @action(detail=False, url_path="teachers")
    def teachers(self, request):
        query = validated(TeacherEvaluationQuerySerializer, request.query_params)
        report = teacher_results(self.scoped(CourseEvaluation), units=self.scoped(Unit), **query)
        return Response(TeacherResultsSerializer(report).data)


router.register(
    "training-reports/evaluation", EvaluationResultViewSet, basename="training-evaluation-results"
)


# --- admin page (ClassEvaluationAdmin.get_urls) --------------------------------------------------------
class EvaluationReportForm(ReportForm):
    training_class = forms.IntegerField(label=_("班次编号"), required=False, min_value=1)
    year = forms.IntegerField(label=_("年度（开班）"), required=False, min_value=1900, max_value=2100)


def admin_page(request, *, model_admin) -> TemplateResponse:
    """质效评估结果 as HTML tables (the results the user may see); 403 when none."""
    kinds = [kind for kind, perms in REQUIRED_PERMS.items() if request.user.has_perms(perms)]
    if not kinds:
        raise PermissionDenied
    form, options = report_form(request, model_admin, EvaluationReportForm)
    reports = None
    if options is not None:
        user = request.user
        units = access.scope(Unit.objects.all(), user)
        build = {
            "classes": lambda: class_results(
                access.scope(ClassEvaluation.objects.all(), user), units=units, **options
            ),
            "courses": lambda: course_results(
                access.scope(CourseEvaluation.objects.all(), user), units=units, **options
            ),
            "teachers": lambda: teacher_results(
                access.scope(CourseEvaluation.objects.all(), user), units=units, **options
            ),
        }
        reports = {kind: build[kind]() for kind in kinds}
    return report_page(
        request,
        model_admin,
        "admin/training/evaluation_results.html",
        title=TITLE,
        titles={kind: TITLES[kind] for kind in kinds},
        form=form,
        reports=reports,
    )


def admin_urls(model_admin) -> list:
    def view(request):
        return admin_page(request, model_admin=model_admin)

    return [path("results/", model_admin.admin_site.admin_view(view), name="training_evaluation_results")]


def admin_links(request, admin_site) -> list[dict]:
    if not any(request.user.has_perms(perms) for perms in REQUIRED_PERMS.values()):
        return []
    return [
        {"title": TITLE, "url": reverse("admin:training_evaluation_results", current_app=admin_site.name)}
    ]
