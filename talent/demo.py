"""Demo talent-office records for ``manage.py seed_demo --talents N``.

``seed`` tops the talents up to N, placed in the seeded unit tree by what they do (doctors under
卫生健康局 and hospitals, teachers under 教育局, rural talents under townships …), a few of them
existing cadres (the same person: name, birth month, gender, ID number), a few departed (流失, with
date, reason and destination). The new talents get what the office keeps on them: selections into
the programmes, certifications (some expiring within 90 days), 英才卡 with a demo staff user as
service commissioner (a few expired, lost, or cancelled and replaced) and their service requests
(some overdue, most done and rated, some refused), 乡土人才积分 ledgers for rural talents (a few
whose approved points reach a level above their own: 积分达标待认定), and studios with members
and yearly evaluations. Targeted trainees are added in proportion (at school with yearly tracking,
placed, completed, in breach, withdrawn).

The programmes, the signing events (with their agreements) and the counties' plan indicators are
created once, matched by name and year (indicators by unit, year and name).

As in cadres.demo: values come from one ``random.Random`` seeded with the number of talents already
there, rows are bulk-written in one transaction without history rows (the seed is not a change
someone made), and a second run with the same N adds nothing. What the services would set — a
talent's level from its latest certification, a card's cancellation, a trainee's placement, a
points entry's review — is set here consistently, so every row passes its model's full_clean().
"""

import datetime
import math
import random
from collections import Counter
from decimal import Decimal
from time import perf_counter
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Count
from django.utils import timezone

from cadres.demo import chinese_name, day_between, id_number_for, pick_gender
from cadres.models import Cadre
from orgportal import codes
from orgportal.demo import bulk_insert
from orgportal.models import Unit, UnitAssignment

from .models import (
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
    add_years,
)

DEFAULT_TALENTS = 200  # what `make run` gets
# id_number_for(n, …) gives distinct numbers for distinct n; the demo cadres take n from 0 up, so the
# talents and trainees start far above (any clash with a number already used is skipped anyway).
TALENT_IDS_FROM = 120_000
TRAINEE_IDS_FROM = 160_000
DAY = datetime.timedelta(days=1)

Category, Field, Source = codes.TalentCategory, codes.TalentField, codes.TalentSource
Level, CardStatus, RequestStatus = codes.TalentLevel, codes.TalentCardStatus, codes.ServiceRequestStatus
MALE, FEMALE = codes.Gender.MALE.value, codes.Gender.FEMALE.value


def _pick(rng: random.Random, pairs):
    """One value of (value, weight) pairs."""
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _quota(rng: random.Random, count: int, rate: float, *, at_least: int = 1) -> set[int]:
    """Which of `count` items get a rare state: about `rate` of them, at least `at_least` when any."""
    wanted = max(round(count * rate), at_least if count else 0)
    return set(rng.sample(range(count), min(wanted, count)))


def _sample(rng: random.Random, items: list, wanted: int) -> set:
    return set(rng.sample(items, min(wanted, len(items))))


def _points(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.1"))


def _money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


class _Unit(NamedTuple):
    pk: int
    name: str
    kind: str
    path: str


# --- what talents do ---------------------------------------------------------------------------
CATEGORIES = [
    (Category.PROFESSIONAL_TECHNICAL, 35),
    (Category.HIGH_SKILLED, 18),
    (Category.RURAL_PRACTICAL, 20),
    (Category.ENTERPRISE_MANAGEMENT, 12),
    (Category.SOCIAL_WORK, 7),
    (Category.PARTY_GOVERNMENT, 8),
]
FIELDS = {
    Category.PROFESSIONAL_TECHNICAL: [
        (Field.HEALTH, 30),
        (Field.EDUCATION, 30),
        (Field.AGRICULTURE, 12),
        (Field.INDUSTRY, 10),
        (Field.SCIENCE_TECHNOLOGY, 10),
        (Field.URBAN_CONSTRUCTION, 8),
    ],
    Category.HIGH_SKILLED: [
        (Field.INDUSTRY, 70),
        (Field.CULTURE_TOURISM, 15),
        (Field.URBAN_CONSTRUCTION, 15),
    ],
    Category.RURAL_PRACTICAL: [(Field.AGRICULTURE, 80), (Field.CULTURE_TOURISM, 20)],
    Category.ENTERPRISE_MANAGEMENT: [
        (Field.INDUSTRY, 45),
        (Field.DIGITAL_ECONOMY, 20),
        (Field.FINANCE, 15),
        (Field.CULTURE_TOURISM, 20),
    ],
    Category.SOCIAL_WORK: [(Field.SOCIAL_GOVERNANCE, 100)],
    Category.PARTY_GOVERNMENT: [(Field.SOCIAL_GOVERNANCE, 60), (Field.OTHER, 40)],
}
AGES = {  # youngest and oldest, by category
    Category.PROFESSIONAL_TECHNICAL: (28, 58),
    Category.HIGH_SKILLED: (28, 55),
    Category.RURAL_PRACTICAL: (30, 60),
    Category.ENTERPRISE_MANAGEMENT: (30, 58),
    Category.SOCIAL_WORK: (25, 50),
    Category.PARTY_GOVERNMENT: (28, 55),
}
E = codes.Education
EDUCATION = {
    Category.PROFESSIONAL_TECHNICAL: [
        (E.DOCTORATE_GRADUATED, 25),
        (E.MASTER_GRADUATED, 40),
        (E.BACHELOR_GRADUATED, 35),
    ],
    Category.HIGH_SKILLED: [
        (E.JUNIOR_COLLEGE_GRADUATED, 35),
        (E.TECHNICAL_SCHOOL_GRADUATED, 30),
        (E.SECONDARY_SPECIALISED_GRADUATED, 25),
        (E.BACHELOR_GRADUATED, 10),
    ],
    Category.RURAL_PRACTICAL: [
        (E.JUNIOR_MIDDLE_GRADUATED, 35),
        (E.HIGH_SCHOOL_GRADUATED, 30),
        (E.SECONDARY_SPECIALISED_GRADUATED, 20),
        (E.JUNIOR_COLLEGE_GRADUATED, 15),
    ],
    Category.ENTERPRISE_MANAGEMENT: [(E.MASTER_GRADUATED, 40), (E.BACHELOR_GRADUATED, 60)],
    Category.SOCIAL_WORK: [(E.BACHELOR_GRADUATED, 60), (E.JUNIOR_COLLEGE_GRADUATED, 40)],
    Category.PARTY_GOVERNMENT: [(E.MASTER_GRADUATED, 35), (E.BACHELOR_GRADUATED, 65)],
}
SOURCES = [(Source.INTRODUCED, 45), (Source.LOCAL, 40), (Source.RETURNEE, 15)]
RURAL_SOURCES = [(Source.LOCAL, 70), (Source.RETURNEE, 30)]
LEVELS = [(Level.A, 2), (Level.B, 8), (Level.C, 20), (Level.D, 28), (Level.E, 20), ("", 22)]


class Work(NamedTuple):
    unit_words: tuple[str, ...]  # the responsible unit: a unit whose name has one of these
    employers: tuple[str, ...]
    specialties: tuple[str, ...]


WORK = {
    Field.AGRICULTURE: Work(
        ("农业",),
        (
            "湄潭县茶业集团有限公司",
            "贵州凤冈锌硒茶业有限公司",
            "遵义市农业科学研究院",
            "播州区辣椒产业发展中心",
        ),
        ("茶叶种植与加工", "辣椒育种", "生态畜牧养殖", "食用菌栽培", "方竹笋种植", "中药材种植"),
    ),
    Field.INDUSTRY: Work(
        ("工业",),
        (
            "贵州茅台酒股份有限公司",
            "贵州习酒投资控股集团有限责任公司",
            "遵义铝业股份有限公司",
            "贵州航天电器股份有限公司",
            "贵州长征电气股份有限公司",
        ),
        ("酱香型白酒酿造工艺", "白酒勾调", "铝合金材料研发", "电气设备制造", "精密机械加工"),
    ),
    Field.EDUCATION: Work(
        ("教育", "学院"),
        ("遵义市第四中学", "遵义航天高级中学", "遵义师范学院", "遵义职业技术学院", "汇川区第一小学"),
        ("高中数学教学", "小学语文教学", "职业教育", "学前教育", "中学物理教学"),
    ),
    Field.HEALTH: Work(
        ("卫生", "医院"),
        ("遵义医科大学附属医院", "遵义市第一人民医院", "遵义市中医院", "仁怀市人民医院", "湄潭县人民医院"),
        ("心血管内科", "普通外科", "儿科", "中医骨伤科", "重症医学", "公共卫生"),
    ),
    Field.CULTURE_TOURISM: Work(
        ("文化旅游",),
        ("遵义会议纪念馆", "遵义市文化旅游投资集团有限公司", "赤水丹霞旅游区管理委员会"),
        ("红色文化讲解", "乡村旅游策划", "仡佬族傩戏传承", "竹编工艺", "赤水晒醋酿造技艺"),
    ),
    Field.SCIENCE_TECHNOLOGY: Work(
        ("科学技术", "科学研究"),
        ("遵义市农业科学研究院", "贵州航天电器股份有限公司", "遵义市科技创新服务中心"),
        ("新材料研发", "航天电子元器件", "农业科技推广"),
    ),
    Field.DIGITAL_ECONOMY: Work(
        ("工业和信息化",),
        ("遵义市大数据中心", "遵义经济技术开发区数字产业园"),
        ("大数据应用", "软件开发", "农村电子商务"),
    ),
    Field.FINANCE: Work(
        ("财政",),
        ("贵州银行遵义分行", "遵义市国有资本运营有限公司"),
        ("金融风险管理", "投融资管理"),
    ),
    Field.URBAN_CONSTRUCTION: Work(
        ("住房", "交通运输"),
        ("遵义市城市建设投资集团有限公司", "遵义市规划设计研究院", "贵州路桥集团遵义分公司"),
        ("城乡规划", "道路桥梁施工", "建筑设计"),
    ),
    Field.SOCIAL_GOVERNANCE: Work(
        ("民政", "街道", "组织部"),
        ("遵义市社会工作协会", "红花岗区老城街道社区服务中心", "汇川区上海路街道社工站"),
        ("社区治理", "社会工作服务", "基层党建"),
    ),
    Field.OTHER: Work(("组织部",), ("中共遵义市委党校",), ("综合管理",)),
}
RURAL_EMPLOYERS = ("茶叶种植专业合作社", "辣椒种植基地", "生态养殖场", "竹编工艺坊", "中药材种植专业合作社")
TITLES = {
    (Category.PROFESSIONAL_TECHNICAL, Field.HEALTH): ("主任医师", "副主任医师", "主治医师"),
    (Category.PROFESSIONAL_TECHNICAL, Field.EDUCATION): ("正高级教师", "高级教师", "教授", "副教授"),
    (Category.PROFESSIONAL_TECHNICAL, Field.AGRICULTURE): ("推广研究员", "高级农艺师", "研究员"),
    Category.PROFESSIONAL_TECHNICAL: ("正高级工程师", "高级工程师", "研究员", "副研究员"),
    Category.HIGH_SKILLED: ("高级技师", "技师", "首席技师"),
    Category.RURAL_PRACTICAL: ("合作社理事长", "农民技术员", "种养大户", "乡村工匠"),
    Category.ENTERPRISE_MANAGEMENT: ("董事长", "总经理", "副总经理", "技术总监"),
    Category.SOCIAL_WORK: ("高级社会工作师", "社会工作师", "社区党组织书记"),
    Category.PARTY_GOVERNMENT: ("科长", "副科长", "主任科员"),
}
DESTINATIONS = (
    "贵州省贵阳市",
    "重庆市",
    "四川省成都市",
    "广东省深圳市",
    "浙江省杭州市",
    "上海市",
    "湖南省长沙市",
)
DEPARTURES = [
    (codes.TalentDepartureReason.JOB_CHANGE, 35),
    (codes.TalentDepartureReason.PAY, 20),
    (codes.TalentDepartureReason.PLATFORM, 20),
    (codes.TalentDepartureReason.FAMILY, 15),
    (codes.TalentDepartureReason.ENVIRONMENT, 5),
    (codes.TalentDepartureReason.OTHER, 5),
]
DEPARTED_SHARE = 0.07
CADRE_SHARE = 1 / 70  # talents who are demo cadres (at least one when there are cadres)

# --- programmes (created once, by name and year) -------------------------------------------------
PK, PS = codes.TalentProgrammeKind, codes.ProgrammeStatus


class Programme(NamedTuple):
    name: str
    kind: str
    field: str
    years_ago: int  # its year: this one, or so many before (two or more: closed)
    quota: int | None
    support: str
    batch: str = "第一批"


ALLOWANCE = "入选者每人每年给予人才津贴5万元，连续支持3年，优先保障人才住房"
RESEARCH = "每人给予科研项目经费支持"
PROGRAMMES = (
    Programme("英才计划", PK.SUPPORT, "", 1, 40, ALLOWANCE),
    Programme("英才计划", PK.SUPPORT, "", 0, 40, ALLOWANCE),
    Programme(
        "三百行动计划", PK.RECRUITMENT, "", 2, None, "引进百名博士、百名急需紧缺人才、百名乡情回引人才", ""
    ),
    Programme(
        "人才集聚提升年", PK.CAMPAIGN_YEAR, "", 1, None, "集中开展招才引智、柔性引才、乡情回引活动", ""
    ),
    Programme("重点产业人才支持计划（现代农业）", PK.SUPPORT, Field.AGRICULTURE, 1, 20, RESEARCH),
    Programme("重点产业人才支持计划（工业经济）", PK.SUPPORT, Field.INDUSTRY, 1, 20, RESEARCH),
    Programme(
        "重点产业人才支持计划（教育）", PK.SUPPORT, Field.EDUCATION, 1, 20, "每人给予工作室建设经费支持"
    ),
    Programme("重点产业人才支持计划（卫生）", PK.SUPPORT, Field.HEALTH, 1, 20, "每人给予学科建设经费支持"),
)
PROGRAMME_ORGANISER = "市委组织部"
YINGCAI, SANBAI, CAMPAIGN = "英才计划", "三百行动计划", "人才集聚提升年"
YINGCAI_AMOUNTS = {Level.A: 100, Level.B: 50, Level.C: 30}

# --- certifications and cards --------------------------------------------------------------------
CERTIFICATE_YEARS = {Level.A: 5, Level.B: 5, Level.C: 3, Level.D: 3, Level.E: 3}
EXPIRING_SHARE = 0.08  # certifications whose validity ends within the next 90 days
UPGRADED_SHARE = 0.15  # certified at a lower level first
CARD_TIERS = {Level.A: "A", Level.B: "A", Level.C: "B", Level.D: "C"}
CARD_YEARS = 3
EXPIRED_SHARE, LOST_SHARE, REPLACED_SHARE = 0.05, 0.04, 0.04


class Request(NamedTuple):
    kind: str
    detail: str
    handled_by: str
    days: int  # 办理时限
    refusal: str  # 不予办理的理由
    weight: int  # how often it is asked for


SK = codes.ServiceKind
REQUESTS = (
    Request(SK.HOUSING, "申请入住人才公寓", "市住房和城乡建设局", 60, "已享受住房补贴，不重复安排", 30),
    Request(SK.SCHOOLING, "子女申请就近入读公办学校", "市教育局", 30, "申请学校学位已满", 25),
    Request(SK.SPOUSE_EMPLOYMENT, "配偶申请安排工作", "市人力资源和社会保障局", 45, "不符合对口安置条件", 15),
    Request(SK.MEDICAL, "申请开通就医绿色通道", "市卫生健康局", 15, "不在英才卡医疗服务范围内", 20),
    Request(SK.TRAVEL, "申请办理出入境证件便利", "市公安局出入境管理支队", 20, "材料不全，经告知未补齐", 5),
    Request(SK.OTHER, "申请协调解决科研用房", "市委人才工作领导小组办公室", 30, "不属于英才卡服务事项", 5),
)
SATISFACTION = [
    (codes.Satisfaction.SATISFIED, 70),
    (codes.Satisfaction.FAIRLY_SATISFIED, 22),
    (codes.Satisfaction.DISSATISFIED, 8),
]
OVERDUE_SHARE, REFUSED_SHARE = 0.1, 0.1  # of requests past their due date

# --- 乡土人才积分 ---------------------------------------------------------------------------------
PI = codes.PointsItem
POINT_ITEMS = (  # item, what was done, points, who certifies it
    (PI.SKILL_LEVEL, "取得农艺师职称", 30, "遵人社"),
    (PI.SKILL_LEVEL, "取得高级工职业资格", 20, "遵人社"),
    (PI.SKILL_LEVEL, "取得技师职业资格", 40, "遵人社"),
    (PI.HONOUR, "获评县级优秀乡土人才", 20, "县委人才办"),
    (PI.HONOUR, "获评市级劳动模范", 50, "遵市委"),
    (PI.HONOUR, "获评省级农业技术能手", 40, "黔农"),
    (PI.INDUSTRY_SCALE, "发展茶园300亩", 30, "县农业农村局"),
    (PI.INDUSTRY_SCALE, "生猪年出栏500头", 25, "县农业农村局"),
    (PI.EMPLOYMENT, "带动周边农户120户增收", 30, "镇人民政府"),
    (PI.EMPLOYMENT, "吸纳脱贫户务工35人", 25, "镇人民政府"),
    (PI.EXTENSION, "推广茶叶绿色防控技术1200亩", 20, "县农业农村局"),
    (PI.TEACHING, "开展农村实用技术培训6期", 15, "县人社局"),
    (PI.TEACHING, "带徒传艺12人", 20, "县人社局"),
    (PI.HERITAGE, "认定为县级非物质文化遗产代表性传承人", 40, "县文化旅游局"),
)
REJECTIONS = ("佐证材料不全，请补充后重新申报", "与已认可的积分项目重复", "不符合积分项目认定条件")
PROPOSED_SHARE = 0.25  # of rural talents whose points reach a level: not yet certified at it

# --- studios ---------------------------------------------------------------------------------------
SKd, SF = codes.StudioKind, codes.StudioField
STUDIO_KINDS = {  # by the leader's field; high-skilled leaders: 技能大师工作室
    Field.HEALTH: (SKd.DOCTOR, SF.HEALTH, "名医工作室"),
    Field.EDUCATION: (SKd.TEACHER, SF.EDUCATION, "名师工作室"),
    Field.AGRICULTURE: (SKd.EXPERT, SF.AGRICULTURE, "专家工作站"),
    Field.CULTURE_TOURISM: (SKd.MASTER, SF.CULTURE, "技能大师工作室"),
}
MASTER_STUDIO = (SKd.MASTER, SF.MANUFACTURING, "技能大师工作室")
OTHER_STUDIO = (SKd.EXPERT, SF.OTHER, "专家工作站")
STUDIO_SHARE = 0.04
GRADES = [  # grade, weight, score range
    (codes.EvaluationGrade.EXCELLENT, 25, (90, 98)),
    (codes.EvaluationGrade.GOOD, 45, (80, 89)),
    (codes.EvaluationGrade.QUALIFIED, 25, (65, 79)),
    (codes.EvaluationGrade.UNQUALIFIED, 5, (50, 64)),
]
ACHIEVEMENTS = (
    "带徒{n}名，开展专题培训4期",
    "完成市级课题1项，发表论文{n}篇",
    "开展技术攻关{n}项，获市级技能大赛二等奖",
    "送教（医、技）下乡{n}次，服务群众800余人次",
)

# --- 定向培养 ---------------------------------------------------------------------------------------
TS = codes.TraineeStatus


class Course(NamedTuple):
    school: str
    specialty: str
    field: str
    years: int  # length of study
    service_years: int
    unit_word: str  # the county department the agreement is with


COURSES = (
    Course("遵义医科大学", "临床医学（农村订单定向）", Field.HEALTH, 5, 6, "卫生健康局"),
    Course("贵州医科大学", "预防医学（定向）", Field.HEALTH, 5, 6, "卫生健康局"),
    Course("遵义师范学院", "小学教育（公费定向）", Field.EDUCATION, 4, 6, "教育局"),
    Course("贵州师范大学", "学前教育（公费定向）", Field.EDUCATION, 4, 6, "教育局"),
    Course("贵州大学", "农学（基层农技特岗定向）", Field.AGRICULTURE, 4, 5, "农业农村局"),
    Course("遵义职业技术学院", "畜牧兽医（定向）", Field.AGRICULTURE, 3, 5, "农业农村局"),
)
TRAINEE_SHARE = 0.1
TRACKING_NOTES = (
    "学习态度端正，成绩中上，有意愿回定向单位服务",
    "担任班干部，参加暑期社会实践，已联系定向单位见习",
    "专业课成绩良好，家庭情况稳定",
    "学业有一定困难，已与学校辅导员沟通帮扶",
)
BREACHES = {  # by whether the trainee took up the post
    False: "毕业后未按协议到定向单位报到，已按协议退还培养费用并缴纳违约金",
    True: "服务期内擅自离岗到外地就业，已按协议追偿培养费用",
}
WITHDRAWAL = "因病申请退学，终止定向培养协议"

# --- 签约 and 规划指标 (created once) --------------------------------------------------------------
SK_ = codes.SigningEventKind
EVENTS = (  # name ({year}), kind, month, day, place, organising unit, years before this one
    (
        "{year}年“6·19”遵义人才日集中推介签约仪式",
        SK_.PROMOTION,
        6,
        19,
        "遵义市会展中心",
        "市委组织部",
        (2, 1, 0),
    ),
    ("{year}年贵州人才博览会遵义专场", SK_.EXPO, 4, 15, "贵阳国际生态会议中心", "市委组织部", (1, 0)),
    ("{year}年遵义市赴重庆高校引才专场", SK_.CAMPUS, 11, 8, "重庆大学", "市人力资源和社会保障局", (2, 1)),
    ("{year}年仁怀市酱香白酒产业招才引智专场", SK_.JOB_FAIR, 9, 20, "仁怀市会展中心", "仁怀市", (1,)),
)
AK = codes.AgreementKind
AGREEMENT_KINDS = [(AK.EMPLOYMENT, 45), (AK.FLEXIBLE, 25), (AK.TEAM, 15), (AK.PROJECT, 15)]
AGREEMENT_AMOUNTS = {
    AK.EMPLOYMENT: (30, 120),
    AK.FLEXIBLE: (10, 50),
    AK.TEAM: (100, 500),
    AK.PROJECT: (200, 2000),
}
PROJECTS = (
    "酱香白酒智能酿造技术研发",
    "茶叶深加工关键技术合作",
    "山地高效农业示范基地建设",
    "航天电器可靠性联合实验室",
    "远程会诊与智慧医疗平台",
    "红色文化数字展陈",
)
INDICATORS = (  # indicator, measure, target range
    ("新引进高层次人才", "人", (20, 60)),
    ("新增高技能人才", "人", (100, 400)),
    ("认定乡土人才", "人", (30, 120)),
    ("发放英才卡", "张", (10, 50)),
    ("人才发展专项资金投入", "万元", (200, 1500)),
)
INDICATOR_YEARS = 3  # this year and the two before
ACHIEVED_SHARE = 0.6  # of indicators of past years
SHORTFALL_NOTES = ("受引才政策调整影响，未完成年度目标", "高层次人才引进难度加大", "")


class _Seeder:
    """Builds talents and their records, then bulk-inserts them (counts in `counts`)."""

    def __init__(self, rng: random.Random, today: datetime.date):
        self.rng, self.today = rng, today
        self.counts: Counter[type[models.Model]] = Counter()
        self.units = [
            _Unit(*row) for row in Unit.objects.order_by("path").values_list("pk", "name", "kind", "path")
        ]
        self.units_by_pk = {u.pk: u for u in self.units}
        self.counties = [u for u in self.units if u.kind == codes.UnitKind.COUNTY]
        self.townships = [u for u in self.units if u.kind == codes.UnitKind.TOWNSHIP] or self.units
        self.staff = self._staff()
        self.thresholds = list(PointsLevel.objects.order_by("min_points").values_list("min_points", "level"))
        self.taken_ids = {
            *Talent.objects.exclude(id_number="").values_list("id_number", flat=True),
            *TargetedTrainee.objects.exclude(id_number="").values_list("id_number", flat=True),
            *Cadre.objects.exclude(id_number="").values_list("id_number", flat=True),
        }
        self.certificate_numbers = set(Certification.objects.values_list("certificate_number", flat=True))
        self.card_numbers = set(TalentCard.objects.values_list("number", flat=True))
        self.studio_names = set(Studio.objects.values_list("name", flat=True))
        self.serial = len(self.certificate_numbers) + len(self.card_numbers)

    # shared ---------------------------------------------------------------------------------------
    def _write(self, model, rows: list) -> list:
        bulk_insert(model, rows)
        self.counts[model] += len(rows)
        return rows

    def _staff(self) -> list[tuple[int, str]]:
        """(user id, unit path) of the staff who may serve as commissioners and reviewers: active staff
        with a jurisdiction, read-only users left out."""
        users = (
            get_user_model()
            .objects.filter(is_staff=True, is_active=True, is_superuser=False)
            .exclude(groups__name="只读")
        )
        return list(
            UnitAssignment.objects.filter(user__in=users)
            .order_by("user__username", "unit__path")
            .values_list("user_id", "unit__path")
        )

    def _staff_for(self, unit_pk: int) -> int | None:
        """A staff user whose jurisdiction holds the unit, the closest one (a county's own staff for
        its talents, the city's otherwise)."""
        path = self.units_by_pk[unit_pk].path
        covering = [(len(p), user) for user, p in self.staff if path.startswith(p)]
        if not covering:
            return self.rng.choice(self.staff)[0] if self.staff else None
        closest = max(length for length, _user in covering)
        return self.rng.choice([user for length, user in covering if length == closest])

    def _unit_named(self, words: tuple[str, ...], within: str = "") -> _Unit | None:
        found = [u for u in self.units if u.path.startswith(within) and any(w in u.name for w in words)]
        return self.rng.choice(found) if found else None

    def _responsible_unit(self, words: tuple[str, ...]) -> _Unit:
        """The unit that follows a talent: the city's or, for about half, a county's department of the
        line (教育局, 卫生健康局 …), or the county itself where it has none."""
        if self.counties and self.rng.random() < 0.5:
            county = self.rng.choice(self.counties)
            return self._unit_named(words, county.path) or county
        return self._unit_named(words) or self.rng.choice(self.units)

    def _id_number(self, n: int, born: datetime.date, gender: str) -> tuple[str, int]:
        while True:
            number = id_number_for(n, born, gender)
            n += 1
            if number not in self.taken_ids:
                self.taken_ids.add(number)
                return number, n

    def _number(self, taken: set[str], pattern: str, year: int) -> str:
        while True:
            self.serial += 1
            number = pattern.format(year=year, serial=self.serial)
            if number not in taken:
                taken.add(number)
                return number

    # talents --------------------------------------------------------------------------------------
    def talents(self, count: int, existing: int) -> list[Talent]:
        """`count` new talents (a few of them demo cadres), written; their records follow."""
        rng, today = self.rng, self.today
        linked = self._cadre_talents(count)
        talents = [*linked]
        next_n = TALENT_IDS_FROM + existing
        for _ in range(count - len(linked)):
            category = _pick(rng, CATEGORIES)
            field = _pick(rng, FIELDS[category])
            gender = pick_gender(rng)
            youngest, oldest = AGES[category]
            born = datetime.date(today.year - rng.randint(youngest, oldest), rng.randint(1, 12), 1)
            id_number, next_n = self._id_number(next_n, born, gender)
            source = _pick(rng, RURAL_SOURCES if category == Category.RURAL_PRACTICAL else SOURCES)
            arrived = None
            if source != Source.LOCAL:
                arrived = day_between(
                    rng, max(add_years(born, 22), today - datetime.timedelta(days=12 * 365)), today - 30 * DAY
                )
            work = WORK[field]
            if category == Category.RURAL_PRACTICAL:
                unit = rng.choice(self.townships)
                employer = f"{unit.name}{rng.choice(RURAL_EMPLOYERS)}"
            else:
                unit = self._responsible_unit(work.unit_words)
                employer = rng.choice(work.employers)
            titles = TITLES.get((category, field)) or TITLES[category]
            talents.append(
                Talent(
                    name=chinese_name(rng, gender),
                    gender=gender,
                    birth_date=born,
                    id_number=id_number,
                    education=_pick(rng, EDUCATION[category]),
                    unit_id=unit.pk,
                    category=category,
                    level="" if category == Category.RURAL_PRACTICAL else _pick(rng, LEVELS),
                    field=field,
                    specialty=rng.choice(work.specialties),
                    employer=employer,
                    title=rng.choice(titles),
                    source=source,
                    arrived_on=arrived,
                    note="",
                )
            )
        others = [i for i, t in enumerate(talents) if t.cadre_id is None]
        for index in _quota(rng, len(others), DEPARTED_SHARE, at_least=0):
            self._depart(talents[others[index]])
        return self._write(Talent, talents)

    def _cadre_talents(self, count: int) -> list[Talent]:
        """Talents who are demo cadres: a 党政人才 in a department, or a 专业技术人才 in an institution."""
        wanted = min(count, max(1, round(count * CADRE_SHARE)))
        candidates = list(
            Cadre.objects.filter(talent__isnull=True, status=codes.CadreStatus.SERVING)
            .exclude(id_number="")
            .exclude(id_number__in=Talent.objects.values("id_number"))
            .order_by("pk")
            .values_list(
                "pk",
                "name",
                "gender",
                "birth_date",
                "id_number",
                "unit_id",
                "unit__name",
                "unit__kind",
                "post",
                "ft_education",
            )[: wanted * 20]
        )
        talents = []
        chosen = self.rng.sample(candidates, min(wanted, len(candidates)))
        for pk, name, gender, born, id_number, unit_pk, unit_name, unit_kind, post, education in chosen:
            institution = unit_kind in (codes.UnitKind.INSTITUTION, codes.UnitKind.ENTERPRISE)
            self.taken_ids.add(id_number)
            talents.append(
                Talent(
                    name=name,
                    gender=gender,
                    birth_date=born,
                    id_number=id_number,
                    education=education or "",
                    unit_id=unit_pk,
                    cadre_id=pk,
                    category=Category.PROFESSIONAL_TECHNICAL if institution else Category.PARTY_GOVERNMENT,
                    level=self.rng.choice([Level.D, Level.E, ""]),
                    field=Field.OTHER if institution else Field.SOCIAL_GOVERNANCE,
                    specialty="",
                    employer=unit_name[:100],
                    title=(post or "")[:100],
                    source=Source.LOCAL,
                    note="",
                )
            )
        return talents

    def _depart(self, talent: Talent) -> None:
        rng, today = self.rng, self.today
        earliest = min(max(self._since(talent) + 60 * DAY, today - 3 * 365 * DAY), today - 10 * DAY)
        talent.status = codes.TalentStatus.DEPARTED
        talent.left_on = day_between(rng, earliest, today - 10 * DAY)
        talent.leave_reason = _pick(rng, DEPARTURES)
        talent.destination = rng.choice(DESTINATIONS)

    def _until(self, talent: Talent) -> datetime.date:
        """The last day a record can date from: the departure, or (a month back) today."""
        return talent.left_on - DAY if talent.left_on else self.today - 30 * DAY

    def _since(self, talent: Talent, years: int = 25) -> datetime.date:
        """The first day a record can date from: arrival, or an age at which one has a career (for
        the youngest, a year ago)."""
        if talent.arrived_on:
            return talent.arrived_on
        born = talent.birth_date
        return max(add_years(born, 22), min(add_years(born, years), self.today - 365 * DAY))

    # programmes and selections --------------------------------------------------------------------
    def programmes(self) -> list[TalentProgramme]:
        """The demo programmes, those missing created (by name and year)."""
        year = self.today.year
        wanted = {(p.name, year - p.years_ago) for p in PROGRAMMES}
        existing = {
            (p.name, p.year): p
            for p in TalentProgramme.objects.filter(name__in={name for name, _y in wanted})
            if (p.name, p.year) in wanted
        }
        organiser = next((u.pk for u in self.units if u.name == PROGRAMME_ORGANISER), None)
        missing = [
            TalentProgramme(
                name=p.name,
                kind=p.kind,
                field=p.field,
                year=year - p.years_ago,
                batch=p.batch,
                organiser_id=organiser,
                quota=p.quota,
                support=p.support,
                status=PS.CLOSED if p.years_ago >= 2 else PS.ACTIVE,
            )
            for p in PROGRAMMES
            if (p.name, year - p.years_ago) not in existing
        ]
        self._write(TalentProgramme, missing)
        return [*existing.values(), *missing]

    def selections(self, talents: list[Talent], programmes: list[TalentProgramme]) -> None:
        rng, today = self.rng, self.today
        taken = dict(
            Selection.objects.filter(programme__in=[p.pk for p in programmes])
            .exclude(status=codes.SelectionStatus.REVOKED)
            .values_list("programme")
            .annotate(n=Count("id"))
        )
        rows = []
        for programme in sorted(programmes, key=lambda p: (p.year, p.name)):
            for talent in talents:
                chance = self._selection_chance(programme, talent)
                if not chance or rng.random() >= chance:
                    continue
                low = max(datetime.date(programme.year, 4, 1), self._since(talent, 28))
                selected_on = day_between(
                    rng, low, min(datetime.date(programme.year, 12, 20), self._until(talent))
                )
                if selected_on > self._until(talent) or selected_on.year != programme.year:
                    continue
                if programme.quota is not None and taken.get(programme.pk, 0) >= programme.quota:
                    continue
                if talent.status == codes.TalentStatus.DEPARTED:
                    status = codes.SelectionStatus.REVOKED
                elif programme.status == PS.CLOSED:
                    status = codes.SelectionStatus.COMPLETED
                elif programme.year == today.year and selected_on > today - 60 * DAY:
                    status = codes.SelectionStatus.PUBLICISED  # the latest batch, still on public notice
                else:
                    status = codes.SelectionStatus.SELECTED
                if status != codes.SelectionStatus.REVOKED:
                    taken[programme.pk] = taken.get(programme.pk, 0) + 1
                amount = self._selection_amount(programme, talent)
                rows.append(
                    Selection(
                        talent_id=talent.pk,
                        programme_id=programme.pk,
                        batch=programme.batch,
                        selected_on=selected_on,
                        support=programme.support if amount else "",
                        amount=amount,
                        status=status,
                    )
                )
        self._write(Selection, rows)

    @staticmethod
    def _selection_chance(programme: TalentProgramme, talent: Talent) -> float:
        if programme.name == YINGCAI:
            return 0.35 if talent.level in YINGCAI_AMOUNTS else 0
        if programme.name == SANBAI:
            introduced = talent.source == Source.INTRODUCED and talent.arrived_on
            return 0.4 if introduced and talent.arrived_on.year <= programme.year else 0
        if programme.name == CAMPAIGN:
            arrived = talent.arrived_on
            return 0.8 if arrived and arrived.year == programme.year else 0
        if programme.field:
            return 0.2 if talent.field == programme.field and talent.level else 0
        return 0

    def _selection_amount(self, programme: TalentProgramme, talent: Talent) -> Decimal | None:
        if programme.name == YINGCAI:
            return _money(YINGCAI_AMOUNTS[talent.level])
        if programme.name == SANBAI:
            return _money(self.rng.choice((10, 15, 20, 30)))
        if programme.field:
            return _money(self.rng.choice((10, 20, 30)))
        return None

    # certifications ---------------------------------------------------------------------------------
    def certifications(self, talents: list[Talent]) -> dict[int, datetime.date]:
        """One certification at each certified talent's level (a few after one at the level below);
        returns the latest certification date of each."""
        rng, today = self.rng, self.today
        certified = [t for t in talents if t.level and t.category != Category.RURAL_PRACTICAL]
        # expiring ones: not A-class (长期有效), not departed
        limited = [
            i for i, t in enumerate(certified) if t.level != Level.A and t.status == codes.TalentStatus.ACTIVE
        ]
        expiring = _sample(rng, limited, max(1, round(len(certified) * EXPIRING_SHARE)))
        upgraded = _quota(rng, len(certified), UPGRADED_SHARE)
        rows, latest = [], {}
        for index, talent in enumerate(certified):
            low, high = max(self._since(talent), today - 8 * 365 * DAY), self._until(talent)
            years = CERTIFICATE_YEARS[talent.level]
            on = day_between(rng, low, high)
            if index in expiring:  # its validity ends 1 to 89 days from today
                on = min(max(low, add_years(today, -years) + rng.randint(2, 90) * DAY), high)
            if index in upgraded and talent.level != Level.E and (on - low).days > 400:
                first = day_between(rng, low, on - 365 * DAY)
                below = Level.values[Level.values.index(talent.level) + 1]
                rows.append(self._certification(talent, below, first, "《遵义市高层次人才认定标准》"))
            rows.append(self._certification(talent, talent.level, on, "《遵义市高层次人才认定标准》"))
            latest[talent.pk] = on
        self._write(Certification, rows)
        return latest

    def _certification(self, talent: Talent, level: str, on: datetime.date, basis: str) -> Certification:
        years = CERTIFICATE_YEARS[level]
        article = self.rng.randint(1, 12)
        return Certification(
            talent_id=talent.pk,
            level=level,
            certified_on=on,
            certificate_number=self._number(
                self.certificate_numbers, "遵市人才认字〔{year}〕第{serial:04d}号", on.year
            ),
            # A-class certifications are 长期有效
            valid_until=None if level == Level.A else add_years(on, years) - DAY,
            basis=basis if "积分" in basis else f"{basis}{codes.TalentLevel(level).label}第{article}条",
        )

    # talent cards and service requests ------------------------------------------------------------
    def cards(self, talents: list[Talent], certified_on: dict[int, datetime.date]) -> list[TalentCard]:
        """英才卡 for most talents of level A–C and some of D, from their certification on."""
        rng, today = self.rng, self.today
        if not self.staff:
            return []
        holders = [
            t
            for t in talents
            if t.pk in certified_on
            and t.level in CARD_TIERS
            and (t.level != Level.D or rng.random() < 0.3)
            and rng.random() < 0.8
        ]
        active = [i for i, t in enumerate(holders) if t.status == codes.TalentStatus.ACTIVE]
        # expired cards need a certification more than three years back
        old_enough = [
            i for i in active if certified_on[holders[i].pk] < add_years(today, -CARD_YEARS) - 30 * DAY
        ]
        expired = _sample(rng, old_enough, max(1, round(len(active) * EXPIRED_SHARE)))
        rest = [i for i in active if i not in expired]
        lost = _sample(rng, rest, max(1, round(len(active) * LOST_SHARE)))
        rest = [i for i in rest if i not in lost]
        replaced = _sample(rng, rest, max(1, round(len(active) * REPLACED_SHARE)))
        rows = []
        for index, talent in enumerate(holders):
            since, until = certified_on[talent.pk], self._until(talent)
            commissioner = self._staff_for(talent.unit_id)
            if index in expired:
                issued = day_between(rng, since, add_years(today, -CARD_YEARS) - 10 * DAY)
                rows.append(self._card(talent, issued, commissioner))
            elif index in replaced and (until - max(since, add_years(today, -2))).days > 200:
                first = max(since, add_years(today, -2))  # the replacement is in force
                old = self._card(talent, day_between(rng, first, until - 150 * DAY), commissioner)
                old.lost_on = day_between(rng, old.issued_on + 30 * DAY, until - 100 * DAY)
                old.status, old.cancelled_on = CardStatus.CANCELLED, old.lost_on + rng.randint(3, 10) * DAY
                old.cancel_reason = "挂失后补办新卡"
                rows += [old, self._card(talent, old.cancelled_on, commissioner)]
            else:
                low = max(since, add_years(today, -CARD_YEARS) + 60 * DAY)
                if low > until:  # left before a card could be issued in the last three years
                    continue
                card = self._card(talent, day_between(rng, low, until), commissioner)
                if index in lost:
                    card.status = CardStatus.LOST
                    card.lost_on = day_between(rng, card.issued_on + 30 * DAY, today - DAY)
                elif talent.status == codes.TalentStatus.DEPARTED:
                    card.status, card.cancelled_on = CardStatus.CANCELLED, talent.left_on
                    card.cancel_reason = "人才流失，收回英才卡"
                rows.append(card)
        return self._write(TalentCard, rows)

    def _card(self, talent: Talent, issued: datetime.date, commissioner: int) -> TalentCard:
        return TalentCard(
            talent_id=talent.pk,
            number=self._number(self.card_numbers, "ZY{year}{serial:05d}", issued.year),
            tier=CARD_TIERS[talent.level],
            issued_on=issued,
            expires_on=add_years(issued, CARD_YEARS) - DAY,
            status=CardStatus.VALID,
            commissioner_id=commissioner,
            cancel_reason="",
        )

    def requests(self, cards: list[TalentCard]) -> None:
        rng, today = self.rng, self.today
        rows = []
        for card in cards:
            last = min(today, card.expires_on, *(d - DAY for d in (card.lost_on, card.cancelled_on) if d))
            if last < card.issued_on:
                continue
            for _ in range(_pick(rng, [(0, 35), (1, 35), (2, 20), (3, 10)])):
                request = rng.choices(REQUESTS, weights=[r.weight for r in REQUESTS])[0]
                opened = day_between(rng, card.issued_on, last)
                rows.append(
                    ServiceRequest(
                        card_id=card.pk,
                        kind=request.kind,
                        detail=request.detail,
                        opened_on=opened,
                        handled_by=request.handled_by,
                        due_on=opened + request.days * DAY,
                        status=RequestStatus.ACCEPTED,
                        reason="",
                        satisfaction="",
                    )
                )
        # requests past their due date: most done and rated, some refused, a few still open (overdue:
        # on cards still in force, where staff would chase them)
        in_force = {c.pk for c in cards if c.status == CardStatus.VALID and c.expires_on >= today}
        past = [r for r in rows if r.due_on < today]
        refused = _quota(rng, len(past), REFUSED_SHARE)
        chaseable = [i for i, r in enumerate(past) if r.card_id in in_force and i not in refused]
        overdue = _sample(rng, chaseable, max(1, round(len(past) * OVERDUE_SHARE)))
        kinds = {r.kind: r for r in REQUESTS}
        for index, row in enumerate(past):
            if index in overdue:
                row.status = rng.choice(codes.ServiceRequestStatus.values[:2])
                continue
            row.closed_on = day_between(rng, row.opened_on + 3 * DAY, min(row.due_on + 10 * DAY, today))
            if index in refused:
                row.status, row.reason = RequestStatus.REFUSED, kinds[row.kind].refusal
            else:
                row.status, row.satisfaction = RequestStatus.DONE, _pick(rng, SATISFACTION)
        for row in rows:  # still within their time: open, or done early
            if row.due_on >= today and (rng.random() < 0.3 or row.card_id not in in_force):
                row.status, row.closed_on = RequestStatus.DONE, day_between(rng, row.opened_on, today)
                row.satisfaction = _pick(rng, SATISFACTION)
            elif row.due_on >= today:
                row.status = rng.choice(codes.ServiceRequestStatus.values[:2])
        self._write(ServiceRequest, rows)

    # 乡土人才积分 -------------------------------------------------------------------------------------
    def points(self, talents: list[Talent]) -> None:
        """Ledgers of the active rural talents: approved entries up to a total drawn by band (below
        the lowest threshold, or within a level's), a rejected one now and then, recent ones pending.
        A talent whose points reach a level is certified at it, but for a few (积分达标待认定)."""
        rng, today = self.rng, self.today
        rural = [
            t
            for t in talents
            if t.category == Category.RURAL_PRACTICAL and t.status == codes.TalentStatus.ACTIVE
        ]
        rows, certifications, reached = [], [], []
        for talent in rural:
            total = self._points_total()
            start = max(self._since(talent, 28), today - 6 * 365 * DAY)
            approved = []
            remaining = total
            while remaining > 0:
                item, description, points, organ = rng.choice(POINT_ITEMS)
                points = min(points, remaining)
                earned = day_between(rng, start, today - 90 * DAY)
                reviewed = min(earned + rng.randint(15, 60) * DAY, today)
                entry = self._entry(talent, item, description, points, earned, organ)
                entry.status, entry.reviewed_on = codes.ReviewResult.APPROVED, reviewed
                entry.reviewed_by_id = self._staff_for(talent.unit_id)
                approved.append(entry)
                remaining -= points
            rows += approved
            if rng.random() < 0.3:
                item, description, points, organ = rng.choice(POINT_ITEMS)
                earned = day_between(rng, start, today - 90 * DAY)
                entry = self._entry(talent, item, description, points, earned, organ)
                entry.status, entry.reviewed_on = codes.ReviewResult.REJECTED, earned + 20 * DAY
                entry.reviewed_by_id, entry.review_note = (
                    self._staff_for(talent.unit_id),
                    rng.choice(REJECTIONS),
                )
                rows.append(entry)
            for _ in range(rng.choice((0, 0, 1, 2))):
                item, description, points, organ = rng.choice(POINT_ITEMS)
                rows.append(
                    self._entry(talent, item, description, points, today - rng.randint(1, 60) * DAY, organ)
                )
            level = next((lvl for minimum, lvl in reversed(self.thresholds) if total >= minimum), "")
            if level:
                reached.append((talent, level, total, max(e.reviewed_on for e in approved)))
        proposed = _quota(rng, len(reached), PROPOSED_SHARE)
        for index, (talent, level, total, last_review) in enumerate(reached):
            if index in proposed:
                continue  # certified at no level yet: points_proposed() lists them
            talent.level = level
            on = min(last_review + rng.randint(10, 40) * DAY, today)
            label = codes.TalentLevel(level).label
            certifications.append(
                self._certification(talent, level, on, f"乡土人才积分{total:g}分，达到{label}认定标准")
            )
        self._write(PointEntry, rows)
        self._write(Certification, certifications)
        Talent.objects.bulk_update([t for t, *_rest in reached if t.level], ["level"])

    def _points_total(self) -> Decimal:
        """A ledger's approved total: below the lowest threshold for about a third, else in a level's band."""
        rng = self.rng
        bounds = [Decimal(0), *(minimum for minimum, _level in self.thresholds)]
        band = rng.choices(
            range(len(bounds)), weights=[35, *([65 / max(1, len(bounds) - 1)] * (len(bounds) - 1))]
        )[0]
        low = bounds[band] + (0 if band else 20)
        high = bounds[band + 1] - 5 if band + 1 < len(bounds) else bounds[band] + 80
        return _points(rng.randint(int(low), int(max(low, high))))

    def _entry(self, talent, item, description, points, earned, organ) -> PointEntry:
        return PointEntry(
            talent_id=talent.pk,
            item=item,
            description=description,
            points=_points(points),
            earned_on=earned,
            evidence=f"{organ}〔{earned.year}〕{self.rng.randint(3, 120)}号",
            status=codes.ReviewResult.PENDING,
            review_note="",
        )

    # studios ------------------------------------------------------------------------------------------
    def studios(self, talents: list[Talent]) -> None:
        rng, today = self.rng, self.today
        active = [t for t in talents if t.status == codes.TalentStatus.ACTIVE]
        leaders = [
            t
            for t in active
            if t.category
            in (Category.PROFESSIONAL_TECHNICAL, Category.HIGH_SKILLED, Category.RURAL_PRACTICAL)
            and t.level in (Level.A, Level.B, Level.C, Level.D)
        ]
        count = min(len(leaders), max(1, round(len(talents) * STUDIO_SHARE)))
        studios = []
        for leader in rng.sample(leaders, count):
            if leader.category == Category.HIGH_SKILLED and leader.field == Field.INDUSTRY:
                kind, field, label = MASTER_STUDIO
            else:
                kind, field, label = STUDIO_KINDS.get(leader.field, OTHER_STUDIO)
            name = f"{leader.name}{label}"
            if name in self.studio_names:
                name = f"{self.units_by_pk[leader.unit_id].name}{leader.name}{label}"
            if name in self.studio_names or len(name) > 100:
                continue
            self.studio_names.add(name)
            founded = day_between(rng, max(self._since(leader, 35), today - 8 * 365 * DAY), today - 200 * DAY)
            studio = Studio(
                name=name,
                kind=kind,
                field=field,
                leader_id=leader.pk,
                unit_id=leader.unit_id,
                founded_on=founded,
                level=rng.choice(("市级", "市级", "县级", "省级")),
                status=codes.StudioStatus.ACTIVE,
                note="",
            )
            studios.append(studio)
        for index in _quota(rng, len(studios), 0.1, at_least=0):
            studio = studios[index]
            if (today - studio.founded_on).days > 800:
                studio.status = codes.StudioStatus.CLOSED
                studio.closed_on = day_between(rng, studio.founded_on + 730 * DAY, today - 30 * DAY)
        self._write(Studio, studios)
        self._write(StudioMember, self._members(studios, active))
        self._write(StudioEvaluation, self._evaluations(studios))

    def _members(self, studios: list[Studio], active: list[Talent]) -> list[StudioMember]:
        rng, today = self.rng, self.today
        rows = []
        for studio in studios:
            same_field = [t for t in active if t.pk != studio.leader_id and t.unit_id == studio.unit_id]
            others = [t for t in active if t.pk != studio.leader_id]
            pool = same_field if len(same_field) >= 5 else others
            end = studio.closed_on or today
            for position, talent in enumerate(rng.sample(pool, min(len(pool), rng.randint(2, 5)))):
                joined = day_between(rng, studio.founded_on + 10 * DAY, end - 5 * DAY)
                left = studio.closed_on
                if left is None and rng.random() < 0.15 and (end - joined).days > 120:
                    left = day_between(rng, joined + 90 * DAY, end)
                role = (
                    codes.StudioRole.CORE
                    if position == 0
                    else _pick(rng, [(codes.StudioRole.MEMBER, 60), (codes.StudioRole.APPRENTICE, 40)])
                )
                rows.append(
                    StudioMember(
                        studio_id=studio.pk, talent_id=talent.pk, role=role, joined_on=joined, left_on=left
                    )
                )
        return rows

    def _evaluations(self, studios: list[Studio]) -> list[StudioEvaluation]:
        rng, today = self.rng, self.today
        rows = []
        for studio in studios:
            last = studio.closed_on.year if studio.closed_on else today.year - 1
            for year in range(studio.founded_on.year, min(last, today.year - 1) + 1):
                grade, _weight, (low, high) = rng.choices(GRADES, weights=[w for _g, w, _s in GRADES])[0]
                rows.append(
                    StudioEvaluation(
                        studio_id=studio.pk,
                        year=year,
                        grade=grade,
                        score=_points(rng.randint(low * 10, high * 10) / 10),
                        achievements=rng.choice(ACHIEVEMENTS).format(n=rng.randint(2, 15)),
                    )
                )
        return rows

    # 定向培养 ---------------------------------------------------------------------------------------
    def trainees(self, count: int) -> None:
        """Targeted trainees: most at school, a quarter placed, a few in breach (not reporting after
        graduating, or leaving the post), and from ten on one who completed and one who withdrew."""
        rng, today = self.rng, self.today
        school_year = today.year if today >= datetime.date(today.year, 9, 1) else today.year - 1
        placed = _quota(rng, count, 0.25)
        rest = [i for i in range(count) if i not in placed]
        breached = _sample(rng, rest, max(1, round(count * 0.08)))
        rest = [i for i in rest if i not in breached]
        completed = _sample(rng, rest, 1 if count >= 10 else 0)
        rest = [i for i in rest if i not in completed]
        withdrawn = _sample(rng, rest, 1 if count >= 10 else 0)
        serial = TargetedTrainee.objects.count()
        next_n = TRAINEE_IDS_FROM + serial
        trainees = []
        for index in range(count):
            course = rng.choice(COURSES)
            if index in placed:
                enrolled_year = school_year - rng.randint(0, course.service_years - 1) - course.years
            elif index in completed:
                enrolled_year = school_year - course.years - course.service_years - rng.randint(1, 3)
            elif index in breached:  # graduated one to three years ago
                enrolled_year = school_year - course.years - rng.randint(1, 3)
            else:  # at school (or withdrawn from it), not past the expected graduation
                years_in = rng.randint(0, course.years - 1)
                if datetime.date(school_year - years_in + course.years, 7, 1) <= today:
                    years_in -= 1
                enrolled_year = school_year - years_in
            enrolled = datetime.date(enrolled_year, 9, 1)
            graduation = datetime.date(enrolled_year + course.years, 7, 1)
            gender = MALE if rng.random() < 0.45 else FEMALE
            born = datetime.date(enrolled_year - rng.randint(18, 19), rng.randint(1, 12), rng.randint(1, 28))
            id_number, next_n = self._id_number(next_n, born, gender)
            county = rng.choice(self.counties) if self.counties else None
            unit = (
                self._unit_named((course.unit_word,), county.path if county else "")
                or county
                or rng.choice(self.units)
            )
            signed = enrolled - rng.randint(15, 60) * DAY
            serial += 1
            trainee = TargetedTrainee(
                name=chinese_name(rng, gender),
                gender=gender,
                birth_date=born,
                id_number=id_number,
                school=course.school,
                specialty=course.specialty,
                field=course.field,
                unit_id=unit.pk,
                agreement_number=f"遵定向〔{signed.year}〕{serial:03d}号",
                agreement_signed_on=signed,
                enrolled_on=enrolled,
                expected_graduation=graduation,
                service_years=course.service_years,
                status=TS.STUDYING,
                end_reason="",
                note="",
            )
            took_post = index in placed or index in completed or (index in breached and rng.random() < 0.5)
            if took_post:
                placed_on = min(graduation + rng.randint(30, 75) * DAY, today - 7 * DAY)
                town = (
                    self._unit_named(("镇", "街道"), county.path) if county and rng.random() < 0.4 else None
                )
                trainee.status, trainee.placed_on = TS.PLACED, placed_on
                trainee.placement_unit_id = (town or unit).pk
                if index in completed:
                    trainee.status, trainee.ended_on = (
                        TS.COMPLETED,
                        add_years(placed_on, course.service_years),
                    )
            if index in breached:
                trainee.status, trainee.end_reason = TS.BREACHED, BREACHES[took_post]
                start = trainee.placed_on + 180 * DAY if took_post else graduation + 60 * DAY
                trainee.ended_on = day_between(rng, min(start, today - DAY), today - DAY)
            elif index in withdrawn and (today - enrolled).days > 120:
                trainee.status, trainee.end_reason = TS.WITHDRAWN, WITHDRAWAL
                trainee.ended_on = day_between(rng, enrolled + 100 * DAY, today - 10 * DAY)
            trainees.append(trainee)
        self._write(TargetedTrainee, trainees)
        self._write(TraineeTracking, self._tracking(trainees))

    def _tracking(self, trainees: list[TargetedTrainee]) -> list[TraineeTracking]:
        """One entry per school year, in November, up to the last one at school (or the end)."""
        rng, today = self.rng, self.today
        rows = []
        for trainee in trainees:
            end = min(today, trainee.ended_on or today, trainee.expected_graduation)
            for year in range(trainee.enrolled_on.year, trainee.expected_graduation.year):
                contacted = datetime.date(year, 11, rng.randint(1, 28))
                if contacted > end:
                    break
                rows.append(
                    TraineeTracking(
                        trainee_id=trainee.pk,
                        year=year,
                        performance=_pick(rng, [(g, w) for g, w, _s in GRADES]),
                        contacted_on=contacted,
                        note=rng.choice(TRACKING_NOTES),
                    )
                )
        return rows

    # 签约 and 规划指标 -------------------------------------------------------------------------------
    def signing(self, talents: list[Talent]) -> None:
        """The demo events missing (by name), each with the agreements signed there: talents who
        arrived in the half-year after it, and people or teams not on record."""
        rng, today = self.rng, self.today
        root = self.units[0] if self.units else None
        wanted = []
        for template, kind, month, day, place, organiser, years_ago in EVENTS:
            for ago in years_ago:
                held = datetime.date(today.year - ago, month, day)
                if held <= today:
                    wanted.append((template.format(year=held.year), kind, held, place, organiser))
        existing = set(
            SigningEvent.objects.filter(name__in=[w[0] for w in wanted]).values_list("name", flat=True)
        )
        events = []
        for name, kind, held, place, organiser in wanted:
            unit = next((u for u in self.units if u.name == organiser), root)
            if name in existing or unit is None:
                continue
            events.append(
                SigningEvent(name=name, kind=kind, held_on=held, place=place, unit_id=unit.pk, note="")
            )
        self._write(SigningEvent, events)
        arrivals = sorted(
            (t for t in talents if t.source != Source.LOCAL and t.arrived_on),
            key=lambda t: (t.arrived_on, t.pk),
        )
        signed: set[int] = set()
        rows = []
        for event in events:
            coming = [
                t for t in arrivals if t.pk not in signed and 0 <= (t.arrived_on - event.held_on).days <= 180
            ]
            for _ in range(rng.randint(5, 10)):
                kind = _pick(rng, AGREEMENT_KINDS)
                talent = coming.pop(0) if coming and kind in (AK.EMPLOYMENT, AK.FLEXIBLE) else None
                if talent is not None:
                    signed.add(talent.pk)
                low, high = AGREEMENT_AMOUNTS[kind]
                leader = chinese_name(rng, pick_gender(rng))
                rows.append(
                    SigningAgreement(
                        event_id=event.pk,
                        kind=kind,
                        employer=talent.employer
                        if talent and talent.employer
                        else rng.choice(WORK[rng.choice(list(WORK))].employers),
                        talent_id=talent.pk if talent else None,
                        party="" if talent else (f"{leader}教授团队" if kind == AK.TEAM else leader),
                        project=rng.choice(PROJECTS) if kind in (AK.PROJECT, AK.TEAM) else "",
                        amount=_money(rng.randint(low, high)),
                        headcount=rng.randint(3, 8) if kind == AK.TEAM else 1,
                    )
                )
        self._write(SigningAgreement, rows)

    def indicators(self) -> None:
        """Each county's plan indicators for this year and the two before, those missing created;
        past years achieved or not, this year's partly done or not yet reported."""
        rng, today = self.rng, self.today
        existing = set(
            TalentPlanIndicator.objects.filter(unit__in=[c.pk for c in self.counties]).values_list(
                "unit_id", "year", "indicator"
            )
        )
        rows = []
        for county in self.counties:
            for year in range(today.year - INDICATOR_YEARS + 1, today.year + 1):
                for indicator, measure, (low, high) in INDICATORS:
                    if (county.pk, year, indicator) in existing:
                        continue
                    target = rng.randint(low, high)
                    note = ""
                    if year == today.year:
                        actual = None if rng.random() < 0.3 else int(target * rng.uniform(0.3, 0.9))
                    elif rng.random() < ACHIEVED_SHARE:
                        actual = math.ceil(target * rng.uniform(1.0, 1.3))
                    else:
                        actual = int(target * rng.uniform(0.6, 0.97))  # short of the target
                        note = rng.choice(SHORTFALL_NOTES)
                    rows.append(
                        TalentPlanIndicator(
                            unit_id=county.pk,
                            year=year,
                            indicator=indicator,
                            measure=measure,
                            target=_money(target),
                            actual=None if actual is None else _money(actual),
                            note=note,
                        )
                    )
        self._write(TalentPlanIndicator, rows)

    def run(self, count: int, existing: int) -> None:
        with transaction.atomic():
            programmes = self.programmes()
            talents = self.talents(count, existing)
            self.selections(talents, programmes)
            certified_on = self.certifications(talents)
            self.points(talents)
            cards = self.cards(talents, certified_on)
            self.requests(cards)
            self.studios(talents)
            self.trainees(max(2, round(count * TRAINEE_SHARE)))
            self.signing(talents)
            self.indicators()


def add_arguments(parser) -> None:
    parser.add_argument(
        "--talents",
        type=int,
        default=DEFAULT_TALENTS,
        metavar="N",
        help=f"演示人才总数：不足 N 个时补足（含入选、认定、英才卡、积分、工作室等），默认 {DEFAULT_TALENTS}；0 表示不建",
    )


def seed(options: dict, stdout) -> None:
    """Top the talents up to ``--talents`` and print one line with the counts and seconds."""
    started = perf_counter()
    target = options.get("talents", DEFAULT_TALENTS)
    existing = Talent.objects.count()
    if target <= existing:
        stdout.write(f"seed_demo: 人才已有 {existing} 个，未新建")
        return
    if not Unit.objects.exists():
        stdout.write("seed_demo: 没有单位，未新建人才")
        return
    seeder = _Seeder(random.Random(f"talents:{existing}"), timezone.localdate())
    seeder.run(target - existing, existing)
    created = seeder.counts.pop(Talent)
    others = "，".join(f"{model._meta.verbose_name} {n}" for model, n in seeder.counts.items() if n)
    stdout.write(
        f"seed_demo: 人才 {created} 个新建（共 {existing + created} 个）；{others}；"
        f"用时 {perf_counter() - started:.1f} 秒"
    )
