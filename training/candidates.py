"""科学调训: the cadres to propose for a class, most in need first — one query whatever their number.

Who is proposed: serving (在职) cadres in the user's jurisdiction whose 职务层次 is among the
class's target levels (all levels when the class names none), except those already enrolled in the
class (whatever the enrolment's status) and those on a 挂职锻炼 posting overlapping the class's dates
(started on or before its last day and not ended before its first).

Ranking: hours still owed in the class's (start) year by the ledger (training.ledger: the shortfall
against the cadre's requirement over its window, 0 when met or none applies), most first; then the
time since the cadre's last training — the latest end date of a class they completed (结业) —
never trained first, then the longest ago; then name and id.
"""

from django.db import models
from django.db.models import Exists, F, Max, OuterRef, Q, Subquery

from cadres.models import Cadre, Posting
from orgportal import access, codes

from . import ledger
from .models import Enrolment, TrainingClass

AWAY_POSTING_KINDS = (codes.PostingKind.SECONDMENT,)  # 挂职锻炼: away from the post for months


def last_trained() -> Subquery:
    """The end date of the outer cadre's latest completed class, NULL when never trained."""
    latest = (
        Enrolment.objects.filter(cadre=OuterRef("pk"), status=codes.EnrolmentStatus.COMPLETED)
        .order_by()
        .values("cadre")
        .annotate(latest=Max("training_class__end_date"))
        .values("latest")
    )
    return Subquery(latest, output_field=models.DateField())


def candidates(training_class: TrainingClass, user, *, rules=None) -> models.QuerySet:
    """The ranked candidates for `training_class` among the cadres `user` may see."""
    cadres = access.scope(Cadre.objects.all(), user).filter(status=codes.CadreStatus.SERVING)
    if training_class.level_codes:
        cadres = cadres.filter(level__in=training_class.level_codes)
    enrolled = Enrolment.objects.filter(cadre=OuterRef("pk"), training_class=training_class)
    away = Posting.objects.filter(
        Q(actual_end__isnull=True) | Q(actual_end__gte=training_class.start_date),
        cadre=OuterRef("pk"),
        kind__in=AWAY_POSTING_KINDS,
        start__lte=training_class.end_date,
    )
    cadres = cadres.filter(~Exists(enrolled), ~Exists(away))
    cadres = ledger.hours_owed(ledger.with_hours(cadres, year=training_class.start_date.year, rules=rules))
    return (
        cadres.annotate(last_trained=last_trained())
        .select_related("unit")
        .order_by(F("owed").desc(), F("last_trained").asc(nulls_first=True), "name", "id")
    )
