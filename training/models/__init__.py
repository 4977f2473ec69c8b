"""The training office's records: plans, quotas, venues, teachers, classes, courses, enrolments and
attendance (classes)."""

from .classes import (
    ATTENDING_STATUSES,
    HOURS,
    MISSED_ATTENDANCE,
    PLACED_STATUSES,
    Attendance,
    Course,
    Enrolment,
    PlanQuota,
    Teacher,
    TrainingClass,
    TrainingPlan,
    Venue,
    split_levels,
    validate_levels,
    with_level_q,
)

__all__ = [
    "ATTENDING_STATUSES",
    "HOURS",
    "MISSED_ATTENDANCE",
    "PLACED_STATUSES",
    "Attendance",
    "Course",
    "Enrolment",
    "PlanQuota",
    "Teacher",
    "TrainingClass",
    "TrainingPlan",
    "Venue",
    "split_levels",
    "validate_levels",
    "with_level_q",
]

from .evaluation import (  # 质效评估
    EVALUATING_STATUSES,
    ClassEvaluation,
    CourseEvaluation,
    EvaluationScale,
    EvaluationSetting,
)

__all__ += [
    "EVALUATING_STATUSES",
    "ClassEvaluation",
    "CourseEvaluation",
    "EvaluationScale",
    "EvaluationSetting",
]

from .hours import (  # noqa: E402  (学时)
    LEAVE_LIMIT,
    ExternalHours,
    ExternalHoursKind,
    HoursCounting,
    HoursRequirement,
    validate_ranks,
)

__all__ += [
    "LEAVE_LIMIT",
    "HoursCounting",
    "ExternalHours",
    "ExternalHoursKind",
    "HoursRequirement",
    "validate_ranks",
]
