"""factory_boy factories for every model, shared by the tests and seed_demo."""

import datetime
import hashlib
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone
from factory.random import randgen

from cadres import demo as cadre_demo
from cadres.models import (
    AnnualAssessment,
    ArchiveFinding,
    ArchiveReview,
    Cadre,
    CadreWarning,
    DevelopmentPlan,
    DossierEntry,
    FamilyMember,
    MemberAssessment,
    Movement,
    PersonalMattersReport,
    PlanMeasure,
    PlanReview,
    PoolMembership,
    Posting,
    PostQuota,
    Programme,
    PromotionCheck,
    RegularAssessment,
    ResumeEntry,
    Reward,
    Sanction,
    SuccessionPlan,
    SuccessionProposal,
    SupervisionMeasure,
    TeamAnalysis,
    TeamRule,
    add_months,
)
from cadres.models.appointments import (
    AppointmentCase,
    AppointmentKind,
    AppointmentStep,
    AppointmentStepKind,
    PublicityObjection,
    StepRequirement,
)
from orgportal import codes
from orgportal.demo import DEMO_PASSWORD
from orgportal.models import ApiToken, AuditEvent, ExportLog, IdempotencyKey, Rule, Unit, UnitAssignment
from orgportal.validators import format_year_month
from talent.models import (
    Certification,
    PointEntry,
    PointsLevel,
    Selection,
    ServiceRequest,
    SigningAgreement,
    SigningEvent,
    Studio,
    StudioEvaluation,
    StudioMember,
    Talent,
    TalentCard,
    TalentPlanIndicator,
    TalentProgramme,
    TargetedTrainee,
    TraineeTracking,
)
from training.models import (
    Attendance,
    ClassEvaluation,
    Course,
    CourseEvaluation,
    Enrolment,
    EvaluationSetting,
    ExternalHours,
    HoursRequirement,
    PlanQuota,
    Teacher,
    TrainingClass,
    TrainingPlan,
    Venue,
)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n}")
    short_name = ""
    kind = codes.UnitKind.DEPARTMENT
    admin_level = codes.AdminLevel.SECTION_CHIEF
    region_code = ""
    parent = None


class UserFactory(factory.django.DjangoModelFactory):
    """A staff user; `perms=["orgportal.view_unit", …]` and `units=[unit, …]` set access."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    password = factory.django.Password(DEMO_PASSWORD)

    @factory.post_generation
    def perms(self, create, extracted, **kwargs):
        for dotted in extracted or ():
            app_label, codename = dotted.split(".")
            self.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        for unit in extracted or ():
            UnitAssignment.objects.create(user=self, unit=unit)


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rule

    purpose = "reminder"
    kind = "long_in_post"
    name = factory.Sequence(lambda n: f"任现职满{n % 20 + 1}年")
    params = factory.LazyAttribute(lambda o: {"years": int(o.name[4:-1])})


class ExportLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExportLog

    user = factory.SubFactory(UserFactory)
    roster = "cadres.standard"
    row_count = 10
    channel = "admin"


class IdempotencyKeyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdempotencyKey

    user = factory.SubFactory(UserFactory)
    key = factory.Sequence(lambda n: f"key-{n}")
    endpoint = "POST /api/v1/cadres/bulk/"
    request_hash = "0" * 64
    status_code = 200
    response = factory.LazyFunction(lambda: {"created": 0, "updated": 0, "unchanged": 0, "results": []})


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    kind = AuditEvent.Kind.LOGIN
    user = factory.SubFactory(UserFactory)
    username = factory.LazyAttribute(lambda o: o.user.username if o.user else "")
    channel = "admin"


class SystemUserFactory(UserFactory):
    """A system account (orgportal.tokens): in the 系统账号 group, no password, no admin."""

    username = factory.Sequence(lambda n: f"system{n}")
    is_staff = False

    @factory.post_generation
    def system(self, create, extracted, **kwargs):
        from orgportal.tokens import make_system_account

        make_system_account(self)


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """A token; its key is `token.key` (the stored hash is of it)."""

    class Meta:
        model = ApiToken
        skip_postgeneration_save = True

    user = factory.SubFactory(SystemUserFactory)
    name = factory.Sequence(lambda n: f"外部系统{n}")
    key = factory.Sequence(lambda n: f"test-key-{n:031d}")
    prefix = factory.LazyAttribute(lambda o: o.key[:8])
    key_hash = factory.LazyAttribute(lambda o: hashlib.sha256(o.key.encode()).hexdigest())

    @classmethod
    def _create(cls, model_class, *args, key=None, **kwargs):
        token = super()._create(model_class, *args, **kwargs)
        token.key = key
        return token


class UnitAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitAssignment

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)


# --- cadres ---------------------------------------------------------------------------------
# Values come from the generators in cadres.demo, drawn from factory_boy's random generator
# (factory.random.reseed_random makes them repeatable). Dates and the ID number follow the
# fields they depend on, so overriding birth_date or gender keeps the record valid.


def _today() -> datetime.date:
    return timezone.localdate()


class CadreFactory(factory.django.DjangoModelFactory):
    """A valid serving cadre: ID number agreeing with birth month and gender, dates in order."""

    class Meta:
        model = Cadre

    class Params:
        # read from an .lrmx whose 奖惩情况 held a line no record matched (kept in 任免审批表原文)
        imported = factory.Trait(form_text="【奖惩情况·原文】\n2019.06  受到党内警告处分\n【/奖惩情况】\n")
        education = factory.LazyAttribute(lambda o: cadre_demo.pick_education(randgen, o.birth_date))
        posting = factory.LazyAttribute(
            lambda o: cadre_demo.posting_for(
                randgen,
                o.unit.name,
                o.unit.kind,
                o.unit.admin_level,
                o.birth_date,
                o.work_start_date,
                _today(),
            )
        )

    gender = factory.LazyFunction(lambda: cadre_demo.pick_gender(randgen))
    name = factory.LazyAttribute(lambda o: cadre_demo.chinese_name(randgen, o.gender))
    birth_date = factory.LazyAttribute(lambda o: cadre_demo.birth_month_for(randgen, o.gender, _today()))
    ethnicity = factory.LazyFunction(lambda: cadre_demo.pick_ethnicity(randgen))
    id_number = factory.LazyAttributeSequence(
        lambda o, n: cadre_demo.id_number_for(n, o.birth_date, o.gender)
    )
    native_place = factory.LazyAttribute(lambda o: cadre_demo.native_place_of(o.id_number))
    birthplace = factory.SelfAttribute("native_place")
    political_status = factory.LazyFunction(lambda: cadre_demo.pick_political_status(randgen))
    party_join_date = factory.LazyAttribute(
        lambda o: cadre_demo.party_join_for(randgen, o.birth_date, o.political_status, _today())
    )
    work_start_date = factory.LazyAttribute(
        lambda o: cadre_demo.work_start_for(randgen, o.birth_date, o.ft_education, _today())
    )
    health = "良好"  # not "健康", which the page shows anyway inside the label 健康状况
    ft_education = factory.LazyAttribute(lambda o: o.education.ft_education)
    ft_degree = factory.LazyAttribute(lambda o: o.education.ft_degree)
    ft_school = factory.LazyAttribute(lambda o: o.education.ft_school)
    pt_education = factory.LazyAttribute(lambda o: o.education.pt_education)
    pt_degree = factory.LazyAttribute(lambda o: o.education.pt_degree)
    pt_school = factory.LazyAttribute(lambda o: o.education.pt_school)
    unit = factory.SubFactory(UnitFactory)
    post = factory.LazyAttribute(lambda o: o.posting.post)
    post_since = factory.LazyAttribute(
        lambda o: cadre_demo.post_since_for(randgen, o.work_start_date, _today())
    )
    level = factory.LazyAttribute(lambda o: o.posting.level)
    rank = factory.LazyAttribute(lambda o: o.posting.rank)
    rank_since = factory.LazyAttribute(lambda o: o.post_since if o.rank else None)
    management_category = factory.LazyAttribute(lambda o: o.posting.management_category)
    status = codes.CadreStatus.SERVING


class CadreChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    cadre = factory.SubFactory(CadreFactory)


def _since_work_start(o, years: int = 1) -> datetime.date:
    """A date `years` after the cadre started work, not after today."""
    start = o.cadre.work_start_date or datetime.date(2010, 7, 1)
    return min(add_months(start, 12 * years), _today())


class ResumeEntryFactory(CadreChildFactory):
    class Meta:
        model = ResumeEntry

    start = factory.LazyAttribute(lambda o: o.cadre.post_since or _since_work_start(o))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(days=365))  # several per cadre allowed
    text = factory.LazyAttribute(lambda o: o.cadre.post or f"{o.cadre.unit.name}科员")


class FamilyMemberFactory(CadreChildFactory):
    class Meta:
        model = FamilyMember

    relation = "父亲"
    name = factory.LazyAttribute(lambda o: cadre_demo.chinese_name(randgen, "1", o.cadre.name[:1]))
    birth_date = factory.LazyAttribute(lambda o: add_months(o.cadre.birth_date, -12 * 27))
    political_status = codes.PoliticalStatus.MASSES
    employer_post = "退休"


def _assessment_year(cadre, n: int) -> int:
    """Last year and back, never before the year the cadre started work (this year for a newcomer)."""
    started = (cadre.work_start_date or _today()).year
    return max(started, _today().year - 1 - n % max(1, _today().year - started))


class AnnualAssessmentFactory(CadreChildFactory):
    """Years count back from last year to the year the cadre started work, so several do not clash."""

    class Meta:
        model = AnnualAssessment

    # a cadre with some years of service, so that several assessments fit
    cadre = factory.SubFactory("tests.factories.CadreFactory", birth_date=datetime.date(1980, 5, 1))
    year = factory.LazyAttributeSequence(lambda o, n: _assessment_year(o.cadre, n))
    result = codes.AssessmentResult.COMPETENT


class RewardFactory(CadreChildFactory):
    class Meta:
        model = Reward

    date = factory.LazyAttribute(lambda o: _since_work_start(o, 3))
    name = "嘉奖"
    issuer = "遵义市人民政府"
    doc_number = factory.LazyAttributeSequence(lambda o, n: f"遵府表〔{o.date.year}〕{n + 1}号")


class SanctionFactory(CadreChildFactory):
    """A 政务记过 decided a month ago, so in force; save() fills kind and the influence period."""

    class Meta:
        model = Sanction

    sanction = codes.Sanction.ADMIN_DEMERIT
    decided_on = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=30))
    issuer = "遵义市监察委员会"
    doc_number = factory.LazyAttributeSequence(lambda o, n: f"遵监处〔{o.decided_on.year}〕{n + 1}号")
    reason = "违反工作纪律，履职不力，造成不良影响"


class MovementFactory(CadreChildFactory):
    """A 平级交流 into the cadre's current post, which Movement.clean() accepts against the cadre."""

    class Meta:
        model = Movement

    kind = codes.MovementKind.LATERAL
    date = factory.LazyAttribute(lambda o: o.cadre.post_since or _since_work_start(o))
    doc_number = factory.LazyAttributeSequence(lambda o, n: f"遵组任〔{o.date.year}〕{n + 1}号")
    from_unit = factory.SubFactory(UnitFactory)
    from_post = factory.LazyAttribute(lambda o: f"{o.from_unit.name}副局长")
    from_level = factory.LazyAttribute(lambda o: o.cadre.level)
    from_rank = factory.LazyAttribute(lambda o: o.cadre.rank)
    to_unit = factory.LazyAttribute(lambda o: o.cadre.unit)
    to_post = factory.LazyAttribute(lambda o: o.cadre.post)
    to_level = factory.LazyAttribute(lambda o: o.cadre.level)
    to_rank = factory.LazyAttribute(lambda o: o.cadre.rank)


class WarningFactory(CadreChildFactory):
    """An open 黄色 warning raised ten days ago."""

    class Meta:
        model = CadreWarning

    level = codes.WarningLevel.YELLOW
    source = codes.WarningSource.INACTION
    raised_on = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=10))
    closed_on = None
    note = "群众反映工作推进迟缓，经核实部分属实"


class SupervisionMeasureFactory(CadreChildFactory):
    class Meta:
        model = SupervisionMeasure

    kind = codes.SupervisionKind.REMINDER
    date = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=20))
    reason = "履职尽责不够到位"
    handled_by = "市委组织部干监科"
    outcome = "已提醒，本人表示认真整改"


class PersonalMattersReportFactory(CadreChildFactory):
    """A checked report found inconsistent (so every sensitive field has a value).

    Years count back from last year, so several for one cadre do not clash (25 before repeating).
    """

    class Meta:
        model = PersonalMattersReport

    year = factory.Sequence(lambda n: _today().year - 1 - n % 25)
    submitted_on = factory.LazyAttribute(lambda o: datetime.date(o.year, 1, 20))
    checked_on = factory.LazyAttribute(lambda o: datetime.date(o.year, 6, 15))
    consistent = False
    discrepancy = "漏报本人名下房产一处"
    handling = "批评教育，责令补报"


class PromotionCheckFactory(CadreChildFactory):
    class Meta:
        model = PromotionCheck

    proposed_post = factory.LazyAttribute(lambda o: f"{o.cadre.unit.name}局长")
    checked_on = factory.LazyFunction(_today)


class ArchiveReviewFactory(CadreChildFactory):
    class Meta:
        model = ArchiveReview

    reviewed_on = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=20))
    reviewer = factory.LazyFunction(lambda: cadre_demo.chinese_name(randgen, cadre_demo.pick_gender(randgen)))
    status = codes.ReviewStatus.DONE
    conclusion = "档案材料齐全规范，“三龄二历一身份”认定无误"


class ArchiveFindingFactory(factory.django.DjangoModelFactory):
    """An open finding: the system's 出生年月 one month off the archive's."""

    class Meta:
        model = ArchiveFinding

    review = factory.SubFactory(ArchiveReviewFactory)
    item = codes.ArchiveItem.BIRTH_DATE
    recorded_value = factory.LazyAttribute(
        lambda o: format_year_month(add_months(o.review.cadre.birth_date, 1))
    )
    archive_value = factory.LazyAttribute(lambda o: format_year_month(o.review.cadre.birth_date))
    resolved = False
    note = ""


# --- the young-cadre pool ---------------------------------------------------------------------
# Members default to a young cadre (28 to 34), under every tier's age limit, so a default member
# breaks no pool rule; pass cadre=… or cadre__birth_date=… for another.


def _young_birth_month() -> datetime.date:
    return datetime.date(_today().year - randgen.randint(29, 34), randgen.randint(1, 12), 1)


def _entered_on(o) -> datetime.date:
    """Two years after the cadre started work, at the latest a month ago (never before work start)."""
    start = o.cadre.work_start_date or datetime.date(2015, 7, 1)
    return max(start, min(add_months(start, 24), _today() - datetime.timedelta(days=30)))


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Iterator(["第二轮蹲苗计划", "年轻干部151培养选拔计划", "递进式培养计划"])
    year = factory.LazyFunction(lambda: _today().year)
    tier = codes.LeadershipLevel.TOWNSHIP_CHIEF
    organiser = None
    description = "选派优秀年轻干部到基层一线和急难险重岗位历练，一人一策跟踪培养"
    status = codes.ProgrammeStatus.ACTIVE


class PoolMembershipFactory(CadreChildFactory):
    """An open membership (在库); `exited=True` closes it as 提拔使用 a week ago.

    The tier defaults as admit_to_pool's does: the programme's, else the cadre's level (乡科级副职
    for a cadre without one).
    """

    class Meta:
        model = PoolMembership

    class Params:
        exited = factory.Trait(
            status=codes.PoolStatus.OUT,
            exited_on=factory.LazyAttribute(
                lambda o: max(o.entered_on, _today() - datetime.timedelta(days=7))
            ),
            exit_reason=codes.PoolExitReason.PROMOTED,
            exit_note=factory.LazyAttribute(lambda o: f"提拔任{o.cadre.unit.name}副局长"),
        )

    cadre = factory.SubFactory(CadreFactory, birth_date=factory.LazyFunction(_young_birth_month))
    programme = None
    tier = factory.LazyAttribute(
        lambda o: (
            (o.programme.tier if o.programme else "")
            or o.cadre.level
            or codes.LeadershipLevel.TOWNSHIP_DEPUTY
        )
    )
    status = codes.PoolStatus.IN
    entered_on = factory.LazyAttribute(_entered_on)
    source = codes.PoolSource.RECOMMENDATION
    recommending_unit = factory.LazyAttribute(lambda o: o.cadre.unit)
    exited_on = None
    exit_reason = ""
    exit_note = ""


class DevelopmentPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DevelopmentPlan

    membership = factory.SubFactory(PoolMembershipFactory)
    direction = "乡村振兴方向"
    responsible_leader = factory.LazyFunction(
        lambda: f"{cadre_demo.chinese_name(randgen, cadre_demo.pick_gender(randgen))}（市委组织部副部长）"
    )
    next_review_on = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=90))
    note = ""


class PlanMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanMeasure

    plan = factory.SubFactory(DevelopmentPlanFactory)
    text = factory.Iterator(cadre_demo.PLAN_MEASURES)
    due_on = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=180))
    done = False


class PlanReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanReview

    plan = factory.SubFactory(DevelopmentPlanFactory)
    reviewed_on = factory.LazyAttribute(
        lambda o: max(o.plan.membership.entered_on, _today() - datetime.timedelta(days=30))
    )
    notes = "政治素质好，担当作为突出，继续按计划培养"


class DossierEntryFactory(CadreChildFactory):
    class Meta:
        model = DossierEntry

    date = factory.LazyAttribute(lambda o: _since_work_start(o, 2))
    kind = codes.DossierKind.TALK
    text = "年度谈心谈话：肯定成绩，指出需加强基层历练"


class PostingFactory(CadreChildFactory):
    """A current 挂职锻炼 outside the unit tree, started four months ago for a year; pass host_unit=…
    for one inside it (host_name is then left blank)."""

    class Meta:
        model = Posting

    kind = codes.PostingKind.SECONDMENT
    host_kind = codes.HostKind.DEVELOPED_REGION
    host_unit = None
    host_name = factory.LazyAttribute(lambda o: "" if o.host_unit else "浙江省宁波市发展和改革委员会")
    post = "挂职副局长"
    start = factory.LazyAttribute(
        lambda o: max(
            o.cadre.work_start_date or datetime.date(2015, 7, 1), _today() - datetime.timedelta(days=120)
        )
    )
    planned_end = factory.LazyAttribute(lambda o: add_months(o.start, 12) - datetime.timedelta(days=1))
    actual_end = None
    evaluation = ""
    doc_number = factory.LazyAttributeSequence(lambda o, n: f"遵组干〔{o.start.year}〕{n + 1}号")


# --- talent (人才办) ----------------------------------------------------------------------------
# A default talent is an introduced 专业技术人才 aged 28 to 55, in post, with an ID number agreeing
# with birth month and gender; `departed=True` records them as having left (流失) a month ago.


class TalentProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TalentProgramme

    name = factory.Iterator(["英才计划", "三百行动计划", "人才集聚提升年", "重点产业人才支持计划"])
    kind = codes.TalentProgrammeKind.SUPPORT
    field = ""
    year = factory.LazyFunction(lambda: _today().year)
    batch = "第一批"
    organiser = None
    quota = None
    support = "给予安家补贴和科研经费支持，优先保障住房和子女入学"
    status = codes.ProgrammeStatus.ACTIVE


class TalentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Talent

    class Params:
        departed = factory.Trait(
            status=codes.TalentStatus.DEPARTED,
            left_on=factory.LazyFunction(lambda: _today() - datetime.timedelta(days=30)),
            leave_reason=codes.TalentDepartureReason.JOB_CHANGE,
            destination="浙江省杭州市",
        )

    gender = factory.LazyFunction(lambda: cadre_demo.pick_gender(randgen))
    name = factory.LazyAttribute(lambda o: cadre_demo.chinese_name(randgen, o.gender))
    birth_date = factory.LazyFunction(
        lambda: datetime.date(_today().year - randgen.randint(28, 55), randgen.randint(1, 12), 1)
    )
    id_number = factory.LazyAttributeSequence(
        lambda o, n: cadre_demo.id_number_for(n, o.birth_date, o.gender)
    )
    education = factory.LazyFunction(
        lambda: randgen.choice([codes.Education.DOCTORATE_GRADUATED, codes.Education.MASTER_GRADUATED])
    )
    unit = factory.SubFactory(UnitFactory)
    cadre = None
    category = codes.TalentCategory.PROFESSIONAL_TECHNICAL
    level = codes.TalentLevel.C
    field = factory.LazyFunction(
        lambda: randgen.choice(
            [codes.TalentField.INDUSTRY, codes.TalentField.AGRICULTURE, codes.TalentField.HEALTH]
        )
    )
    specialty = "酱香型白酒酿造工艺"
    employer = "贵州茅台酒股份有限公司"
    title = "正高级工程师"
    source = codes.TalentSource.INTRODUCED
    # 25 years after birth, at the latest some 13 months ago (so a departure a month ago comes after it)
    arrived_on = factory.LazyAttribute(
        lambda o: min(add_months(o.birth_date, 12 * 25), _today() - datetime.timedelta(days=400))
    )
    status = codes.TalentStatus.ACTIVE
    left_on = None
    leave_reason = ""
    destination = ""
    note = ""


class TalentChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    talent = factory.SubFactory(TalentFactory)


class SelectionFactory(TalentChildFactory):
    class Meta:
        model = Selection

    programme = factory.SubFactory(TalentProgrammeFactory)
    batch = factory.Sequence(lambda n: f"第{n + 1}批")
    selected_on = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=180))
    support = "安家补贴、科研经费"
    amount = Decimal("50.00")
    status = codes.SelectionStatus.SELECTED


class CertificationFactory(TalentChildFactory):
    """A certification two months ago, valid three years, at the talent's level."""

    class Meta:
        model = Certification

    level = factory.LazyAttribute(lambda o: o.talent.level or codes.TalentLevel.C)
    certified_on = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=60))
    certificate_number = factory.LazyAttributeSequence(
        lambda o, n: f"遵人才认〔{o.certified_on.year}〕{n + 1:04d}号"
    )
    valid_until = factory.LazyAttribute(lambda o: add_months(o.certified_on, 36) - datetime.timedelta(days=1))
    basis = "《遵义市高层次人才认定标准》C类第3条"


class TalentCardFactory(TalentChildFactory):
    """A card in force, issued three months ago for three years; `cancelled=True` cancels it."""

    class Meta:
        model = TalentCard

    class Params:
        cancelled = factory.Trait(
            status=codes.TalentCardStatus.CANCELLED,
            cancelled_on=factory.LazyFunction(lambda: _today() - datetime.timedelta(days=10)),
            cancel_reason="人才流失",
        )

    number = factory.Sequence(lambda n: f"ZYYC{n + 1:06d}")
    tier = codes.TalentCardTier.B
    issued_on = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=90))
    expires_on = factory.LazyAttribute(lambda o: add_months(o.issued_on, 36) - datetime.timedelta(days=1))
    status = codes.TalentCardStatus.VALID
    commissioner = factory.SubFactory(UserFactory)
    lost_on = None
    cancelled_on = None
    cancel_reason = ""


class ServiceRequestFactory(factory.django.DjangoModelFactory):
    """A request 受理 twenty days ago (or on the day the card was issued), due thirty days later."""

    class Meta:
        model = ServiceRequest

    card = factory.SubFactory(TalentCardFactory)
    kind = codes.ServiceKind.HOUSING
    detail = "申请入住人才公寓"
    opened_on = factory.LazyAttribute(lambda o: max(o.card.issued_on, _today() - datetime.timedelta(days=20)))
    handled_by = "市住房和城乡建设局"
    due_on = factory.LazyAttribute(lambda o: o.opened_on + datetime.timedelta(days=30))
    status = codes.ServiceRequestStatus.ACCEPTED
    closed_on = None
    reason = ""
    satisfaction = ""


class PointsLevelFactory(factory.django.DjangoModelFactory):
    """A level of the points standard; the migration ships E 100, D 200, C 300 (get_or_create)."""

    class Meta:
        model = PointsLevel
        django_get_or_create = ["level"]

    level = codes.TalentLevel.B
    min_points = Decimal(400)
    note = "市级乡土专家"


class PointEntryFactory(TalentChildFactory):
    """A pending entry of a rural talent's ledger, earned a month ago; `approved=True` approves it."""

    class Meta:
        model = PointEntry

    class Params:
        approved = factory.Trait(
            status=codes.ReviewResult.APPROVED,
            reviewed_on=factory.LazyFunction(_today),
            reviewed_by=factory.SubFactory(UserFactory),
        )

    talent = factory.SubFactory(TalentFactory, category=codes.TalentCategory.RURAL_PRACTICAL, level="")
    item = codes.PointsItem.SKILL_LEVEL
    description = "取得高级农艺师职称"
    points = Decimal(30)
    earned_on = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=30))
    evidence = "黔农职〔2025〕12号"
    status = codes.ReviewResult.PENDING
    reviewed_by = None
    reviewed_on = None
    review_note = ""


class StudioFactory(factory.django.DjangoModelFactory):
    """A skills master's studio named three years ago, led by a talent of the same unit."""

    class Meta:
        model = Studio

    name = factory.Sequence(lambda n: f"技能大师工作室{n + 1}")
    kind = codes.StudioKind.MASTER
    field = codes.StudioField.TRADITIONAL_SKILL
    unit = factory.SubFactory(UnitFactory)
    leader = factory.SubFactory(TalentFactory, unit=factory.SelfAttribute("..unit"))
    founded_on = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=3 * 365))
    level = "市级"
    status = codes.StudioStatus.ACTIVE
    closed_on = None
    note = ""


class StudioMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudioMember

    studio = factory.SubFactory(StudioFactory)
    talent = factory.SubFactory(TalentFactory, unit=factory.SelfAttribute("..studio.unit"))
    role = codes.StudioRole.MEMBER
    joined_on = factory.LazyAttribute(lambda o: o.studio.founded_on + datetime.timedelta(days=30))
    left_on = None


class StudioEvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudioEvaluation

    studio = factory.SubFactory(StudioFactory)
    year = factory.Sequence(lambda n: _today().year - 1 - n % 3)
    grade = codes.EvaluationGrade.GOOD
    score = Decimal("86.5")
    achievements = "带徒12名，完成市级课题1项"


class TargetedTraineeFactory(factory.django.DjangoModelFactory):
    """A medical student at school (year two of five), owing six years of service to a unit."""

    class Meta:
        model = TargetedTrainee

    gender = factory.LazyFunction(lambda: cadre_demo.pick_gender(randgen))
    name = factory.LazyAttribute(lambda o: cadre_demo.chinese_name(randgen, o.gender))
    birth_date = factory.LazyFunction(
        lambda: datetime.date(_today().year - 20, randgen.randint(1, 12), randgen.randint(1, 28))
    )
    id_number = factory.LazyAttributeSequence(
        lambda o, n: cadre_demo.id_number_for(900_000 + n, o.birth_date, o.gender)
    )
    school = "遵义医科大学"
    specialty = "临床医学（农村订单定向）"
    field = codes.TalentField.HEALTH
    unit = factory.SubFactory(UnitFactory)
    agreement_number = factory.Sequence(lambda n: f"定向〔{_today().year - 1}〕{n + 1:03d}号")
    enrolled_on = factory.LazyFunction(lambda: datetime.date(_today().year - 2, 9, 1))
    agreement_signed_on = factory.LazyAttribute(lambda o: o.enrolled_on - datetime.timedelta(days=40))
    expected_graduation = factory.LazyAttribute(lambda o: datetime.date(o.enrolled_on.year + 5, 7, 1))
    service_years = 6
    status = codes.TraineeStatus.STUDYING
    placement_unit = None
    placed_on = None
    ended_on = None
    end_reason = ""
    note = ""


class TraineeTrackingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TraineeTracking

    trainee = factory.SubFactory(TargetedTraineeFactory)
    year = factory.LazyAttribute(lambda o: o.trainee.enrolled_on.year)
    performance = codes.EvaluationGrade.GOOD
    contacted_on = factory.LazyAttribute(lambda o: o.trainee.enrolled_on + datetime.timedelta(days=90))
    note = "学习态度端正，有意愿回定向单位服务"


class SigningEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SigningEvent

    name = factory.Sequence(lambda n: f"第{n + 1}届人才博览会集中推介签约仪式")
    kind = codes.SigningEventKind.PROMOTION
    held_on = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=160))
    place = "遵义市会展中心"
    unit = factory.SubFactory(UnitFactory)
    note = ""


class SigningAgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SigningAgreement

    event = factory.SubFactory(SigningEventFactory)
    kind = codes.AgreementKind.EMPLOYMENT
    employer = "遵义市第一人民医院"
    talent = None
    party = factory.LazyFunction(lambda: cadre_demo.chinese_name(randgen, cadre_demo.pick_gender(randgen)))
    project = ""
    amount = Decimal("80.00")
    headcount = 1


class TalentPlanIndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TalentPlanIndicator

    unit = factory.SubFactory(UnitFactory)
    year = factory.LazyFunction(lambda: _today().year)
    indicator = factory.Sequence(lambda n: f"新引进高层次人才{n + 1}")
    measure = "人"
    target = Decimal(50)
    actual = Decimal(42)
    note = ""


# --- training -------------------------------------------------------------------------------
class TrainingPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingPlan

    year = factory.LazyFunction(lambda: _today().year)
    name = "年度干部教育培训调训计划"
    organiser = factory.SubFactory(UnitFactory)
    status = "issued"
    note = ""


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Iterator(["中共遵义市委党校", "遵义干部学院", "遵义会议会址", "花茂村现场教学点"])
    kind = "party_school"
    address = "贵州省遵义市"


class TeacherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Teacher

    name = factory.LazyFunction(lambda: cadre_demo.chinese_name(randgen, cadre_demo.pick_gender(randgen)))
    kind = "party_school"
    employer = "中共遵义市委党校"
    field = "党史党建"


class TrainingClassFactory(factory.django.DjangoModelFactory):
    """A class open for enrolment, starting in a month for five days, 40 hours, 50 places."""

    class Meta:
        model = TrainingClass

    name = factory.Iterator(["县处级领导干部进修班", "中青年干部培训班", "乡村振兴专题培训班"])
    kind = "main"
    plan = None
    organiser = factory.SubFactory(UnitFactory)
    venue = factory.SubFactory(VenueFactory)
    cohort = factory.Sequence(lambda n: n + 1)
    start_date = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=30))
    end_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=4))
    hours = Decimal(40)
    capacity = 50
    target_levels = ""  # 不限; tests of 调训对象 name levels
    full_time = True
    status = "enrolling"


class PlanQuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanQuota

    plan = factory.SubFactory(TrainingPlanFactory)
    training_class = factory.SubFactory(TrainingClassFactory, plan=factory.SelfAttribute("..plan"))
    unit = factory.SubFactory(UnitFactory)
    count = 5


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    training_class = factory.SubFactory(TrainingClassFactory)
    title = factory.Iterator(["学习贯彻党的二十大精神", "弘扬伟大建党精神", "遵义会议精神专题"])
    teacher = factory.SubFactory(TeacherFactory)
    date = factory.LazyAttribute(lambda o: o.training_class.start_date)
    hours = Decimal(4)
    mode = "lecture"


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """报名 (as the enrol service leaves it); pass status="confirmed" etc. for later states."""

    class Meta:
        model = Enrolment

    cadre = factory.SubFactory(CadreFactory)
    training_class = factory.SubFactory(TrainingClassFactory)
    status = "applied"
    result = ""
    note = ""


class AttendanceFactory(factory.django.DjangoModelFactory):
    """Attendance of a confirmed enrolment at a course of its own class."""

    class Meta:
        model = Attendance

    enrolment = factory.SubFactory(EnrolmentFactory, status="confirmed")
    course = factory.SubFactory(
        CourseFactory, training_class=factory.SelfAttribute("..enrolment.training_class")
    )
    status = "present"


# --- training: 质效评估 ---------------------------------------------------------------------------
class EvaluationSettingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationSetting

    training_class = factory.SubFactory(TrainingClassFactory)
    scale = "hundred"


class ClassEvaluationFactory(factory.django.DjangoModelFactory):
    """班次评估 of a trainee 在训 (five-point scale: the class has no setting)."""

    class Meta:
        model = ClassEvaluation

    enrolment = factory.SubFactory(EnrolmentFactory, status="in_training")
    score = 4
    comment = "内容充实，安排紧凑"


class CourseEvaluationFactory(factory.django.DjangoModelFactory):
    """课程评估 of a trainee 在训 at a course of its class (the attendance is not made here)."""

    class Meta:
        model = CourseEvaluation

    enrolment = factory.SubFactory(EnrolmentFactory, status="in_training")
    course = factory.SubFactory(
        CourseFactory, training_class=factory.SelfAttribute("..enrolment.training_class")
    )
    score = 5
    comment = ""


# --- training: 学时 -------------------------------------------------------------------------------
class HoursRequirementFactory(factory.django.DjangoModelFactory):
    """An active yearly requirement of 90 hours for 乡科级 cadres, tried after the shipped ones."""

    class Meta:
        model = HoursRequirement

    name = factory.Sequence(lambda n: f"学时要求{n + 1}")
    levels = "township_chief,township_deputy"
    ranks = ""
    hours = Decimal(90)
    window_years = 1
    counting = "all"
    catch_up_years = 0
    priority = 100
    active = True
    basis = "《干部教育培训工作条例》第十五条"


class ExternalHoursFactory(factory.django.DjangoModelFactory):
    """Pending (待审核) online hours of last year; pass status="approved" with reviewed_on for counted ones."""

    class Meta:
        model = ExternalHours

    cadre = factory.SubFactory(CadreFactory)
    year = factory.LazyFunction(lambda: _today().year - 1)
    kind = "online"
    provider = "贵州省干部网络学院"
    hours = Decimal(20)
    evidence = "学时证明"
    status = "pending"
    reviewed_on = factory.LazyAttribute(lambda o: None if o.status == "pending" else _today())


# --- 任免事项 ---------------------------------------------------------------------------------------
class StepRequirementFactory(factory.django.DjangoModelFactory):
    """A step of a kind's procedure; the migration ships the defaults, so most combinations exist
    already (get_or_create)."""

    class Meta:
        model = StepRequirement
        django_get_or_create = ["case_kind", "step"]

    class Params:
        combination = factory.Iterator(
            [(kind, step) for kind in AppointmentKind.values for step in AppointmentStepKind.values]
        )

    case_kind = factory.LazyAttribute(lambda o: o.combination[0])
    step = factory.LazyAttribute(lambda o: o.combination[1])
    order = factory.LazyAttribute(lambda o: (AppointmentStepKind.values.index(o.step) + 1) * 10)
    min_share = None


class AppointmentCaseFactory(CadreChildFactory):
    """An open 提拔 case opened two months ago, to a 县处级副职 post in the cadre's unit."""

    class Meta:
        model = AppointmentCase

    cadre = factory.SubFactory(CadreFactory, level=codes.LeadershipLevel.TOWNSHIP_CHIEF)
    kind = "promotion"
    opened_on = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=60))
    proposed_unit = factory.LazyAttribute(lambda o: o.cadre.unit)
    proposed_post = factory.LazyAttribute(lambda o: f"{o.cadre.unit.name}副局长")
    proposed_level = codes.LeadershipLevel.COUNTY_DEPUTY
    proposed_rank = ""
    removed_post = factory.LazyAttribute(lambda o: o.cadre.post)
    reason = "工作需要，该同志政治素质好，实绩突出"
    submitting_unit = factory.LazyAttribute(lambda o: o.cadre.unit)


class AppointmentStepFactory(factory.django.DjangoModelFactory):
    """A passed 分析研判和动议 on the day the case was opened."""

    class Meta:
        model = AppointmentStep

    case = factory.SubFactory(AppointmentCaseFactory)
    step = "proposal"
    started_on = factory.LazyAttribute(lambda o: o.case.opened_on)
    participants = "部务会成员"
    outcome = "passed"


class PublicityObjectionFactory(factory.django.DjangoModelFactory):
    """An unresolved report received the day after a 公示 began (a week long)."""

    class Meta:
        model = PublicityObjection

    step = factory.SubFactory(
        AppointmentStepFactory,
        step="publicity",
        ended_on=factory.LazyAttribute(lambda o: o.started_on + datetime.timedelta(days=7)),
    )
    received_on = factory.LazyAttribute(lambda o: o.step.started_on + datetime.timedelta(days=1))
    content = "反映该同志在原单位工作期间作风粗暴"
    handling = "已转交纪检监察组核查"
    resolved = False
    resolved_on = None


# --- 领导班子 (cadres.teams) ---------------------------------------------------------------------
class PostQuotaFactory(factory.django.DjangoModelFactory):
    """核定职数: five posts in a unit, set by a document; level and kind cycle (one row per unit,
    level and kind)."""

    class Meta:
        model = PostQuota

    unit = factory.SubFactory(UnitFactory)
    level = factory.Sequence(lambda n: codes.LeadershipLevel.values[n % 8])
    post_kind = factory.Sequence(lambda n: ["", *codes.PostKind.values][n // 8 % 6])
    approved = 5
    doc_number = factory.Sequence(lambda n: f"市编发〔2024〕{n + 1}号")
    approved_on = datetime.date(2024, 3, 1)


class TeamRuleFactory(factory.django.DjangoModelFactory):
    """A county team's 至少1名女干部."""

    class Meta:
        model = TeamRule

    name = factory.Sequence(lambda n: f"班子结构要求{n}")
    unit_kind = codes.UnitKind.COUNTY
    kind = codes.TeamRuleKind.WOMAN
    minimum = 1
    max_age = None
    keywords = ""


class TeamAnalysisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamAnalysis

    unit = factory.SubFactory(UnitFactory)
    year = factory.Sequence(lambda n: 2000 + n % 100)
    rating = codes.TeamRating.FAIRLY_GOOD
    strengths = "团结协作好，推动发展有力"
    problems = "年龄结构偏大"
    adjustments = "适时选配1名年轻干部"


class MemberAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberAssessment

    analysis = factory.SubFactory(TeamAnalysisFactory)
    cadre = factory.SubFactory(CadreFactory, unit=factory.SelfAttribute("..analysis.unit"))
    assessment = "政治坚定，敢于担当"


class RegularAssessmentFactory(CadreChildFactory):
    class Meta:
        model = RegularAssessment

    year = factory.Sequence(lambda n: 2000 + n // 4 % 100)
    quarter = factory.Sequence(lambda n: n % 4 + 1)
    rating = codes.TeamRating.GOOD


class SuccessionPlanFactory(factory.django.DjangoModelFactory):
    """换届方案 for a county, on 2026-09-30, in draft."""

    class Meta:
        model = SuccessionPlan

    name = factory.Sequence(lambda n: f"换届方案{n + 1}")
    unit = factory.SubFactory(UnitFactory)
    on_date = datetime.date(2026, 9, 30)


class SuccessionProposalFactory(factory.django.DjangoModelFactory):
    """拟任职: a cadre of the plan's unit into its team as 县处级副职."""

    class Meta:
        model = SuccessionProposal

    plan = factory.SubFactory(SuccessionPlanFactory)
    kind = "appointment"
    cadre = factory.SubFactory(CadreFactory, unit=factory.SelfAttribute("..plan.unit"))
    team = factory.SelfAttribute("plan.unit")
    level = codes.LeadershipLevel.COUNTY_DEPUTY
    post = "副县长"


# --- combined queries (组合查询) ---------------------------------------------------------------
class SavedQueryFactory(factory.django.DjangoModelFactory):
    """A saved query shared with everyone: women cadres."""

    class Meta:
        model = "cadres.SavedQuery"

    name = factory.Sequence(lambda n: f"组合查询{n + 1}")
    owner = factory.SubFactory(UserFactory)
    sharing = "all"
    document = factory.LazyFunction(
        lambda: {"op": "and", "conditions": [{"field": "gender", "op": "in", "value": ["2"]}]}
    )
