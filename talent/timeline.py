"""The talent events on a cadre's growth dossier timeline (cadres.timeline): a cadre who is also a
talent shows the talent's certifications, talent cards and programme selections.

Registered in TalentConfig.ready(). One query: the three tables as a UNION of rows of the same shape,
scoped to the user's jurisdiction (the talent's responsible unit may differ from the cadre's).
"""

from collections.abc import Iterator

from django.db.models import CharField, DateField, DecimalField, F, Value
from django.db.models.functions import Cast

from cadres.timeline import Event
from orgportal import access, codes
from orgportal.validators import format_date

from .models import Certification, Selection, Studio, StudioMember, TalentCard

KIND = "人才"
COLUMNS = ("e_source", "e_date", "e_until", "e_closed", "e_lost", "e_a", "e_b", "e_c", "e_d", "e_amount")


def _no_date():
    return Cast(Value(None), DateField())


def _text(expression):
    return Cast(expression, CharField())


def _rows(model, cadre, user, talent="talent", **columns):
    """`model`'s rows for the cadre's talent (reached through `talent`) as COLUMNS, in that order (the
    shape every part shares)."""
    queryset = access.scope(model.objects.filter(**{f"{talent}__cadre": cadre.pk}), user).order_by()
    defaults = {
        "e_source": Value(model._meta.label, output_field=CharField()),
        "e_until": _no_date(),
        "e_closed": _no_date(),
        "e_lost": _no_date(),
        "e_a": _text(Value("")),
        "e_b": _text(Value("")),
        "e_c": _text(Value("")),
        "e_d": _text(Value("")),
        "e_amount": Cast(Value(None), DecimalField(max_digits=10, decimal_places=2)),
    }
    values = {name: columns.get(name, defaults.get(name)) for name in COLUMNS}
    return queryset.annotate(**values).values_list(*COLUMNS)


def _joined(*parts: tuple[str, object]) -> str:
    return "；".join(f"{label}：{value}" for label, value in parts if value)


def _amount(value) -> str:
    return f"{value.normalize():f}万元" if value is not None else ""


LEVELS = dict(codes.TalentLevel.choices)
TIERS = dict(codes.TalentCardTier.choices)
SELECTION_STATUSES = dict(codes.SelectionStatus.choices)
STUDIO_KINDS = dict(codes.StudioKind.choices)
STUDIO_ROLES = dict(codes.StudioRole.choices)


def talent_events(cadre, user) -> Iterator[Event]:
    """认定, 英才卡 (发放, 挂失, 注销), 入选 and 工作室 (领衔, 加入, 退出) of the talent linked to the cadre."""
    certifications = _rows(
        Certification,
        cadre,
        user,
        e_date=F("certified_on"),
        e_until=F("valid_until"),
        e_a=_text(F("level")),
        e_b=_text(F("certificate_number")),
        e_c=_text(F("basis")),
    )
    cards = _rows(
        TalentCard,
        cadre,
        user,
        e_date=F("issued_on"),
        e_until=F("expires_on"),
        e_closed=F("cancelled_on"),
        e_lost=F("lost_on"),
        e_a=_text(F("tier")),
        e_b=_text(F("number")),
        e_c=_text(F("cancel_reason")),
    )
    selections = _rows(
        Selection,
        cadre,
        user,
        e_date=F("selected_on"),
        e_a=_text(F("programme__name")),
        e_b=_text(F("batch")),
        e_c=_text(F("support")),
        e_d=_text(F("status")),
        e_amount=F("amount"),
    )
    led = _rows(
        Studio,
        cadre,
        user,
        talent="leader",
        e_date=F("founded_on"),
        e_closed=F("closed_on"),
        e_a=_text(F("name")),
        e_b=_text(F("kind")),
        e_c=_text(F("level")),
    )
    joined = _rows(
        StudioMember,
        cadre,
        user,
        e_date=F("joined_on"),
        e_closed=F("left_on"),
        e_a=_text(F("studio__name")),
        e_b=_text(F("role")),
    )
    rows = certifications.union(cards, selections, led, joined, all=True).order_by(
        "e_date", "e_source", "e_b"
    )
    for source, day, until, closed, lost, a, b, c, d, amount in rows:
        if source == Certification._meta.label:
            yield Event(
                day,
                KIND,
                f"认定为高层次人才（{LEVELS.get(a, a)}）",
                _joined(("证书编号", b), ("有效期至", format_date(until) or "长期"), ("认定依据", c)),
                source,
            )
        elif source == TalentCard._meta.label:
            yield Event(
                day,
                KIND,
                f"发放英才卡（{TIERS.get(a, a)}）",
                _joined(("卡号", b), ("有效期至", format_date(until))),
                source,
            )
            if lost:
                yield Event(lost, KIND, "英才卡挂失", _joined(("卡号", b)), source)
            if closed:
                yield Event(closed, KIND, "英才卡注销", _joined(("卡号", b), ("注销原因", c)), source)
        elif source == Studio._meta.label:
            level = f"（{c}）" if c else ""
            yield Event(day, KIND, f"领衔{a}{level}", _joined(("类别", STUDIO_KINDS.get(b, b))), source)
            if closed:
                yield Event(closed, KIND, f"{a}撤销", "", source)
        elif source == StudioMember._meta.label:
            yield Event(day, KIND, f"加入{a}", _joined(("角色", STUDIO_ROLES.get(b, b))), source)
            if closed:
                yield Event(closed, KIND, f"退出{a}", "", source)
        else:
            batch = f"（{b}）" if b else ""
            yield Event(
                day,
                KIND,
                f"入选{a}{batch}",
                _joined(
                    ("支持内容", c),
                    ("支持资金", _amount(amount)),
                    ("状态", SELECTION_STATUSES.get(d, d)),
                ),
                source,
            )
