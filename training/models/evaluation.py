"""质效评估: trainees score their class as a whole and each course (so its teacher) they attended.

The scale (1–5 or 0–100) is set per class (EvaluationSetting; five points when none is set) and is
fixed once the class has evaluations. An evaluation is submitted once (training.services
evaluate_class / evaluate_course, usually by the training platform through the API) and not edited.
Jurisdiction: by the trainee's unit, like the enrolment. Results (training.evaluation_results) are
aggregates only — counts, averages, distributions — and never name a trainee.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgportal.codes import AttendanceStatus, EnrolmentStatus
from orgportal.models import OrgModel

from .classes import Attendance, Course, Enrolment, TrainingClass

# An enrolment that evaluates: the trainee is or was in the class.
EVALUATING_STATUSES = (EnrolmentStatus.IN_TRAINING, EnrolmentStatus.COMPLETED)


class EvaluationScale(models.TextChoices):
    """评分制."""

    FIVE = "five", _("五分制（1–5分）")
    HUNDRED = "hundred", _("百分制（0–100分）")


SCALE_RANGES = {EvaluationScale.FIVE: (1, 5), EvaluationScale.HUNDRED: (0, 100)}
DEFAULT_SCALE = EvaluationScale.FIVE


class EvaluationSetting(OrgModel):
    """A class's evaluation scale; a class without one is scored on five points."""

    jurisdiction = None  # part of a class, which is global

    training_class = models.OneToOneField(
        TrainingClass,
        verbose_name=_("班次"),
        on_delete=models.CASCADE,
        related_name="evaluation_setting",
    )
    scale = models.CharField(
        _("评分制"), max_length=10, choices=EvaluationScale.choices, default=DEFAULT_SCALE
    )

    class Meta:
        verbose_name = _("质效评估设置")
        verbose_name_plural = _("质效评估设置")
        ordering = ["training_class", "id"]

    def __str__(self) -> str:
        return f"{self.training_class}：{self.get_scale_display()}"

    def clean(self) -> None:
        super().clean()
        if not self.training_class_id:
            return
        stored = None
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).values_list("scale", flat=True).first()
        current = stored or DEFAULT_SCALE
        if self.scale != current and has_evaluations(self.training_class_id):
            raise ValidationError({"scale": _("该班次已有学员评估，不能更改评分制")})


def has_evaluations(training_class_id: int) -> bool:
    return (
        ClassEvaluation.objects.filter(enrolment__training_class=training_class_id).exists()
        or CourseEvaluation.objects.filter(enrolment__training_class=training_class_id).exists()
    )


def scale_of(training_class_id: int) -> str:
    found = (
        EvaluationSetting.objects.filter(training_class=training_class_id)
        .values_list("scale", flat=True)
        .first()
    )
    return found or DEFAULT_SCALE


def _check_score(score, training_class_id: int) -> None:
    if score is None:
        return
    scale = scale_of(training_class_id)
    low, high = SCALE_RANGES[scale]
    if not low <= score <= high:
        raise ValidationError(
            {
                "score": _("该班次采用%(scale)s，评分应在%(low)d至%(high)d分之间")
                % {"scale": EvaluationScale(scale).label, "low": low, "high": high}
            }
        )


def _check_enrolment(enrolment: Enrolment) -> None:
    if enrolment.status not in EVALUATING_STATUSES:
        raise ValidationError(
            {
                "enrolment": _("%(name)s的调训状态为「%(status)s」，只有在训或结业的学员可以评估")
                % {"name": enrolment.cadre.name, "status": enrolment.get_status_display()}
            }
        )


def _check_submitted_on(evaluation) -> None:
    if evaluation.submitted_on and evaluation.submitted_on > timezone.localdate():
        raise ValidationError({"submitted_on": _("提交日期不能晚于今天")})


class ClassEvaluation(OrgModel):
    """班次评估: one per enrolment, the class as a whole."""

    jurisdiction = "enrolment__cadre__unit"

    enrolment = models.OneToOneField(
        Enrolment, verbose_name=_("调训"), on_delete=models.CASCADE, related_name="class_evaluation"
    )
    score = models.PositiveSmallIntegerField(_("总体评分"))
    comment = models.TextField(_("意见建议"), blank=True)
    submitted_on = models.DateField(_("提交日期"), default=timezone.localdate)

    class Meta:
        verbose_name = _("班次评估")
        verbose_name_plural = _("班次评估")
        ordering = ["enrolment__training_class", "id"]
        constraints = [models.CheckConstraint(condition=Q(score__lte=100), name="class_evaluation_score_max")]

    def __str__(self) -> str:
        return f"{self.enrolment}：{self.score}分"

    def clean(self) -> None:
        super().clean()
        _check_submitted_on(self)
        if not self.enrolment_id:
            return
        _check_enrolment(self.enrolment)
        _check_score(self.score, self.enrolment.training_class_id)


class CourseEvaluation(OrgModel):
    """课程评估: one per enrolment and course; the teacher evaluated is the course's."""

    jurisdiction = "enrolment__cadre__unit"

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("调训"), on_delete=models.CASCADE, related_name="course_evaluations"
    )
    course = models.ForeignKey(
        Course, verbose_name=_("课程"), on_delete=models.CASCADE, related_name="evaluations"
    )
    score = models.PositiveSmallIntegerField(_("评分"))
    comment = models.TextField(_("意见建议"), blank=True)
    submitted_on = models.DateField(_("提交日期"), default=timezone.localdate)

    class Meta:
        verbose_name = _("课程评估")
        verbose_name_plural = _("课程评估")
        ordering = ["course__date", "course", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "course"],
                name="unique_course_evaluation_per_enrolment",
                violation_error_message=_("该学员已评估该课程"),
            ),
            models.CheckConstraint(condition=Q(score__lte=100), name="course_evaluation_score_max"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment.cadre}：{self.course.title}（{self.score}分）"

    def clean(self) -> None:
        super().clean()
        _check_submitted_on(self)
        if not (self.enrolment_id and self.course_id):
            return
        enrolment, course = self.enrolment, self.course
        if course.training_class_id != enrolment.training_class_id:
            raise ValidationError({"course": _("该课程不属于学员所在班次")})
        _check_enrolment(enrolment)
        attended = Attendance.objects.filter(
            enrolment=enrolment.pk, course=course.pk, status=AttendanceStatus.PRESENT
        )
        if not attended.exists():
            raise ValidationError(
                {
                    "course": _("%(name)s没有“%(title)s”的出勤记录，不能评估该课程")
                    % {"name": enrolment.cadre.name, "title": course.title}
                }
            )
        _check_score(self.score, enrolment.training_class_id)
