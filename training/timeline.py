"""The training events on a cadre's growth dossier timeline (cadres.timeline): classes completed
(结业, with the hours credited and the certificate), and those left (退训) or missed (缺训), with the
reason — all facts of the record.

Registered in TrainingConfig.ready(). One query, scoped to the user's jurisdiction like the
enrolments themselves. Enrolments still open (报名, 调训确认, 在训) are not events yet.
"""

from collections.abc import Iterator

from cadres.timeline import Event
from orgportal import access
from orgportal.codes import ClassKind, EnrolmentStatus
from orgportal.validators import format_date

from .models import Enrolment

KIND = "教育培训"
KINDS = dict(ClassKind.choices)
ENDED = (EnrolmentStatus.COMPLETED, EnrolmentStatus.WITHDRAWN, EnrolmentStatus.ABSENT)


def _joined(*parts: tuple[str, object]) -> str:
    return "；".join(f"{label}：{value}" for label, value in parts if value)


def _hours(value) -> str:
    return f"{value.normalize():f}学时" if value is not None else ""


def training_events(cadre, user) -> Iterator[Event]:
    """结业, 退训 and 缺训 of the cadre's enrolments, each on the day it was recorded."""
    source = Enrolment._meta.label
    rows = (
        access.scope(Enrolment.objects.filter(cadre=cadre.pk, status__in=ENDED), user)
        .exclude(ended_on__isnull=True)
        .order_by("ended_on", "id")
        .values_list(
            "status",
            "ended_on",
            "end_reason",
            "hours_credited",
            "certificate_number",
            "result",
            "training_class__name",
            "training_class__cohort",
            "training_class__kind",
            "training_class__start_date",
            "training_class__end_date",
        )
    )
    for status, ended_on, reason, hours, certificate, result, name, cohort, kind, start, end in rows:
        title = f"{name}（第{cohort}期）"
        dates = f"{format_date(start)}—{format_date(end)}"
        kind_label = str(KINDS.get(kind, kind))
        if status == EnrolmentStatus.COMPLETED:
            yield Event(
                ended_on,
                KIND,
                f"结业：{title}",
                _joined(
                    ("班次类别", kind_label),
                    ("培训日期", dates),
                    ("认定学时", _hours(hours)),
                    ("结业证书编号", certificate),
                    ("结业鉴定", result),
                ),
                source,
            )
        else:
            verb = "退训" if status == EnrolmentStatus.WITHDRAWN else "缺训"
            yield Event(
                ended_on,
                KIND,
                f"{verb}：{title}",
                _joined(("班次类别", kind_label), ("培训日期", dates), ("原因", reason)),
                source,
            )
