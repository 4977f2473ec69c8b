"""The training app's rosters (花名册): declarations only; the engine is orgportal.rosters.

Both export only. An enrolment has no single natural key (a cadre × a class), its status, hours and
certificate are written by training.services, and 报名 has rules of its own (training.services.enrol):
so a unit's list of cadres to send (调训名单) comes in through training.enrolment_lists instead, row
by row through that service.
"""

from django.utils.translation import gettext_lazy as _

from orgportal.codes import EnrolmentStatus
from orgportal.rosters import Col, Roster, register, year_month

from .models import Enrolment

CADRE = [
    Col("cadre__name", header=_("姓名")),
    Col("cadre__gender", header=_("性别")),
    Col("cadre__birth_date", header=_("出生年月"), fmt=year_month),
    Col("cadre__unit__name", header=_("工作单位"), width=24),
    Col("cadre__post", header=_("现任职务"), width=30),
    Col("cadre__level", header=_("职务层次")),
]
CLASS = [
    Col("training_class__name", header=_("班次"), width=30),
    Col("training_class__cohort", header=_("期数"), width=6),
]

trainees = register(
    Roster(
        "training.trainees",
        _("学员花名册"),
        Enrolment,
        [
            *CADRE,
            *CLASS,
            "status",
            "hours_credited",
            Col("certificate_number", width=16),
            "ended_on",
            "end_reason",
            "result",
        ],
        importable=False,
    )
)


def completed(queryset):
    return queryset.filter(status=EnrolmentStatus.COMPLETED)


graduates = register(
    Roster(
        "training.graduates",
        _("结业名单"),
        Enrolment,
        [
            *CADRE,
            *CLASS,
            Col("ended_on", header=_("结业日期")),
            "hours_credited",
            Col("certificate_number", width=16),
            "result",
        ],
        base=completed,
        importable=False,
    )
)
