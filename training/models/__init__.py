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
