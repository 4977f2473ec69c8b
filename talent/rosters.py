"""The talent app's rosters (花名册): declarations only; the engine is orgportal.rosters.

`talent.talents` and `talent.trainees` import, matched by 公民身份号码; `talent.cards` only exports
(why: see `cards` below). Columns a service owns (a talent's departure, a trainee's placement) are
export-only: their fields are not editable, so the engine leaves them out of imports, except a
related name (`placement_unit__name`), which has to say so itself.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgportal import codes
from orgportal.rosters import Col, Roster, register, year_month
from orgportal.validators import age_on

from .models import CARD_STATES, EXPIRED, Talent, TalentCard, TargetedTrainee

# Import messages name the table a cell's label is not in (「外星」不是有效的人才类别), and rosters from
# the counties write the short forms the department uses.
codes.register_aliases(codes.TalentCategory, {}, table_name=_("人才类别"))
codes.register_aliases(codes.TalentLevel, {}, table_name=_("人才层次"))
codes.register_aliases(
    codes.TalentField,
    {
        "农业": codes.TalentField.AGRICULTURE,
        "工业": codes.TalentField.INDUSTRY,
        "卫生": codes.TalentField.HEALTH,
    },
    table_name=_("领域"),
)
codes.register_aliases(
    codes.TalentSource,
    {
        "引进人才": codes.TalentSource.INTRODUCED,
        "本土人才": codes.TalentSource.LOCAL,
        "乡情引才": codes.TalentSource.RETURNEE,
    },
    table_name=_("人才来源"),
)


def age(row) -> int | None:
    born = row.get("birth_date")
    return age_on(born, timezone.localdate()) if born else None


def card_state(row) -> str:
    """有效, 挂失, 注销, or 过期: the state as TalentCard.state shows it, from the stored fields."""
    state = row["status"]
    if state == codes.TalentCardStatus.VALID and row["expires_on"] < timezone.localdate():
        state = EXPIRED
    return str(dict(CARD_STATES)[state])


def commissioner_name(row) -> str:
    """The commissioner's full name (姓 + 名, as Chinese writes it), or the username when none is set."""
    full = f"{row['commissioner__last_name']}{row['commissioner__first_name']}".strip()
    return full or row["commissioner__username"]


talents = register(
    Roster(
        "talent.talents",
        _("人才花名册"),
        Talent,
        [
            "name",
            "gender",
            Col("birth_date", fmt=year_month),
            Col("age", header=_("年龄"), needs=("birth_date",), compute=age, width=6),
            Col("id_number", width=22),
            "education",
            "category",
            "level",
            "field",
            Col("specialty", width=24),
            Col("employer", width=30),
            Col("title", width=20),
            "source",
            "arrived_on",
            # 属地（主管）单位, looked up by name within the importer's jurisdiction; 工作单位 is `employer`
            Col("unit__name", width=24),
            "status",  # 状态 … 流向: set by talent.services.record_departure; export only
            "left_on",
            "leave_reason",
            "destination",
            "note",
        ],
        key="id_number",
    )
)

# Export only. The engine imports by full_clean() and a bulk create or update, while a card's rules
# live in talent.services: issue_card locks the talent (one card not cancelled per talent), and
# renew_card, report_card_lost and cancel_card refuse what TalentCard.clean() does not check on an
# existing card — a row edited in the file would renew a lost or cancelled card, shorten a card, or
# (a changed 公民身份号码) move a card to another talent, departed or already holding one. Two rows
# for one talent would only meet the database constraint, refused as a generic write conflict. The
# engine can look the talent up by `talent__id_number` and the commissioner by `commissioner__username`,
# but has no create-only mode and no way to send a row through issue_card.
cards = register(
    Roster(
        "talent.cards",
        _("英才卡持卡人名册"),
        TalentCard,
        [
            "number",
            Col("talent__name", header=_("姓名")),
            Col("talent__id_number", header=_("公民身份号码"), width=22),
            Col("talent__unit__name", header=_("属地（主管）单位"), width=24),
            "talent__category",
            "talent__level",
            Col("talent__employer", width=30),
            "tier",
            "issued_on",
            "expires_on",
            Col("state", header=_("卡状态"), needs=("status", "expires_on"), compute=card_state, width=8),
            Col(
                "commissioner",
                header=_("服务专员"),
                needs=("commissioner__last_name", "commissioner__first_name", "commissioner__username"),
                compute=commissioner_name,
                width=16,
            ),
        ],
        importable=False,
    )
)

trainees = register(
    Roster(
        "talent.trainees",
        _("定向培养学生名册"),
        TargetedTrainee,
        [
            "name",
            "gender",
            "birth_date",
            Col("id_number", width=22),
            Col("school", width=24),
            Col("specialty", width=24),
            "field",
            Col("unit__name", width=24),  # 定向单位
            Col("agreement_number", width=20),
            "agreement_signed_on",
            "enrolled_on",
            "expected_graduation",
            "service_years",
            "status",  # 状态, 就业单位, 就业日期: set by talent.services.place_trainee and the like
            # the FK is not editable, but a two-part path is imported as a lookup unless told otherwise
            Col("placement_unit__name", width=24),
            "placed_on",
            "note",
        ],
        key="id_number",
    )
)
