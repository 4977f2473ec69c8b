"""Talent conditions for the cadres' combined queries (orgportal.query), registered from
TalentConfig.ready() so that cadres never imports talent: a cadre linked to a talent record."""

from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre
from orgportal import codes, query
from orgportal.query import Boolean, Choices, Param

from .models import Talent, TalentCard

GROUP = _("人才")


def _talent(params, ctx):
    talents = Talent.objects.all()
    if params["active"] is not False:
        talents = talents.filter(status=codes.TalentStatus.ACTIVE)
    if params["category"]:
        talents = talents.filter(category__in=params["category"])
    if params["level"]:
        talents = talents.filter(level__in=params["level"])
    if params["field"]:
        talents = talents.filter(field__in=params["field"])
    return query.related(talents, "cadre")


def _card(params, ctx):
    cards = TalentCard.objects.in_state(codes.TalentCardStatus.VALID, ctx.on)
    if params["tier"]:
        cards = cards.filter(tier__in=params["tier"])
    return query.related(Talent.objects.filter(query.related(cards, "talent")), "cadre")


def register() -> None:
    for condition in (
        query.has_condition(
            code="talent",
            label=_("人才（关联人才记录）"),
            group=GROUP,
            params={
                "category": Param(Choices(codes.TalentCategory.choices), _("人才类别")),
                "level": Param(Choices(codes.TalentLevel.choices), _("人才层次")),
                "field": Param(Choices(codes.TalentField.choices), _("所在领域")),
                "active": Param(Boolean(), _("在岗（默认是）"), default=True),
            },
            matching=_talent,
            help=_("干部关联的人才记录（同一公民身份号码）"),
        ),
        query.has_condition(
            code="talent_card",
            label=_("英才卡持卡人"),
            group=GROUP,
            params={"tier": Param(Choices(codes.TalentCardTier.choices), _("卡类别"))},
            matching=_card,
            help=_("查询日持有有效（未过期、未挂失、未注销）的英才卡"),
        ),
    ):
        condition.app = "talent"
        query.register(Cadre, condition)
