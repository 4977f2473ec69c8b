"""Demo cadres for ``manage.py seed_demo --cadres N``, and the value generators the factories share.

``seed`` tops the cadres up to N, spread over the seeded units, each with resume lines, family
members, annual assessments and movements, and a few with sanctions, warnings, rewards,
supervision measures, personal-matters reports, promotion checks and archive reviews.

It also builds the young-cadre pool (优秀年轻干部库) of the new cadres: a few programmes (created
once, matched by name and year), memberships for about 6 % of cadres — the young ones — mostly
open, some exited (提拔使用 most often, a few 超龄, 受到党纪政务处分, 调离 …), a few re-entries,
development plans with measures and reviews, growth-dossier entries, practical postings, and a
few open members who break the pool's rules on purpose (see ``_Pool``). Pool seeding is for
newly created cadres only, like every other record here, so running again adds nothing and a
top-up adds members among the new cadres only.

Rows are bulk-written in batches inside one transaction, with no per-row save() and
deliberately no history rows: history records the changes people make, and the seed is not
one. What save() would derive (a sanction's kind, influence period and end, a promotion
check's overall result) is computed here the same way. Values come from one
``random.Random`` seeded with the number of cadres already there, so a run is repeatable;
the pool draws from a second one, so the cadres and their other records are the same with it
as without it (but for the few sanctions and red warnings it gives members on purpose).

The generators (names, ID numbers, dates, posts) take the ``random.Random`` to draw from;
tests/factories.py calls them with factory_boy's generator.
"""

import datetime
import functools
import random
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import accumulate
from time import perf_counter
from typing import NamedTuple

from django.db import models, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation

from orgportal import codes
from orgportal.demo import bulk_insert
from orgportal.models import Unit
from orgportal.validators import format_year_month

from .models import (
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
    PostQuota,
    Programme,
    PromotionCheck,
    RegularAssessment,
    ResumeEntry,
    Reward,
    Sanction,
    SupervisionMeasure,
    TeamAnalysis,
    add_months,
    influence_last_day,
)
from .models import Posting as PracticePosting  # `Posting` here is a cadre's post (below)

DEFAULT_CADRES = 300  # what `make run` gets
BATCH = 2000  # cadres per round of bulk inserts
SEED_UNIT_KINDS = (
    codes.UnitKind.DEPARTMENT,
    codes.UnitKind.TOWNSHIP,
    codes.UnitKind.INSTITUTION,
    codes.UnitKind.ENTERPRISE,
    codes.UnitKind.COUNTY,
)
# Units whose staff are 公务员 (or managed as such) and so hold a 职级.
CIVIL_SERVICE_KINDS = frozenset(
    {
        codes.UnitKind.PARTY_COMMITTEE,
        codes.UnitKind.DEPARTMENT,
        codes.UnitKind.COUNTY,
        codes.UnitKind.TOWNSHIP,
        codes.UnitKind.PEOPLE_ORG,
    }
)
MALE, FEMALE = codes.Gender.MALE.value, codes.Gender.FEMALE.value


class _Weighted:
    """A table of values with weights, drawn from with ``pick(rng)``."""

    __slots__ = ("cum_weights", "values")

    def __init__(self, pairs: Sequence[tuple[object, float]]):
        self.values = [value for value, _weight in pairs]
        self.cum_weights = list(accumulate(weight for _value, weight in pairs))

    def pick(self, rng: random.Random):
        return rng.choices(self.values, cum_weights=self.cum_weights)[0]


def _share(rng: random.Random, probability: float) -> bool:
    return rng.random() < probability


@functools.cache
def _labels(choices_cls: type[models.Choices]) -> dict[str, str]:
    """Code → Chinese label, whatever language is active (posts and resumes are Chinese text)."""
    with translation.override(None):
        return {code: str(label) for code, label in choices_cls.choices}


# --- dates ---------------------------------------------------------------------------------


def _month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> datetime.date:
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_between(rng: random.Random, low: datetime.date, high: datetime.date) -> datetime.date:
    """A first-of-month date in [low, high]; ``low`` itself when there is none."""
    first = _month_index(low) + (low.day > 1)
    last = _month_index(high)
    return _month_start(rng.randint(first, last)) if first <= last else low


def day_between(rng: random.Random, low: datetime.date, high: datetime.date) -> datetime.date:
    """A date in [low, high]; ``low`` when high is earlier."""
    span = (high - low).days
    return low + datetime.timedelta(days=rng.randint(0, span)) if span > 0 else low


# --- names ---------------------------------------------------------------------------------

# The common surnames, most frequent first; weights fall off with the rank.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
    "莫孔向汤杨令狐穆敖"
)
_SURNAMES = _Weighted([(s, 1 / (rank + 6)) for rank, s in enumerate(SURNAMES)])
MALE_GIVEN = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富"
    "顺信杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河"
    "哲江超浩亮政谦奇固翰朗宏鸣朋斌梁栋维启克伦翔旭鹏泽晨辰建家致树德行泰盛雄钧冠策腾航"
)
FEMALE_GIVEN = (
    "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱霞香月媛艳瑞凡佳"
    "嘉琼勤珍莉桂叶璐娅琦晶妍茜秋珊莎锦青倩婷婉娴瑾颖露瑶怡雁蓓仪荷丹蓉君琴蕊薇菁梦岚苑婕馨韵悦冰爽"
    "茗欣滢筠柔竹凝晓欢枫芸菲宜舒思丽"
)
SHARED_GIVEN = "文晓春建海思雨子永德明小"


def given_name(rng: random.Random, gender: str) -> str:
    chars = FEMALE_GIVEN if gender == FEMALE else MALE_GIVEN
    if _share(rng, 0.25):
        return rng.choice(chars)
    first = rng.choice(SHARED_GIVEN) if _share(rng, 0.25) else rng.choice(chars)
    return first + rng.choice(chars)


def chinese_name(rng: random.Random, gender: str, surname: str | None = None) -> str:
    """A name such as 王建华 or 李婷, from common surnames and given-name characters by gender."""
    return (surname or _SURNAMES.pick(rng)) + given_name(rng, gender)


# --- 公民身份号码 ----------------------------------------------------------------------------

# 遵义's counties with their GB/T 2260 codes over time: (short name for 籍贯, ((first birth year,
# code), …)). A number carries the code in force when it was assigned, so someone born in 桐梓
# in 1985 has 522122 (遵义地区, until 1997), not 520322; python-stdnum checks this. 汇川区
# (520303, 2003) is left out: no cadre was born there under that code.
REGIONS = (
    ("红花岗", ((0, "522101"), (1997, "520302"))),
    ("播州", ((0, "522121"), (1997, "520321"), (2016, "520304"))),
    ("桐梓", ((0, "522122"), (1997, "520322"))),
    ("绥阳", ((0, "522123"), (1997, "520323"))),
    ("正安", ((0, "522124"), (1997, "520324"))),
    ("道真", ((0, "522125"), (1997, "520325"))),
    ("务川", ((0, "522126"), (1997, "520326"))),
    ("凤冈", ((0, "522127"), (1997, "520327"))),
    ("湄潭", ((0, "522128"), (1997, "520328"))),
    ("余庆", ((0, "522129"), (1997, "520329"))),
    ("习水", ((0, "522132"), (1997, "520330"))),
    ("赤水", ((0, "522131"), (1990, "522102"), (1997, "520381"))),
    ("仁怀", ((0, "522130"), (1995, "522103"), (1997, "520382"))),
)
_REGION_NAMES = {code: name for name, codes_over_time in REGIONS for _year, code in codes_over_time}
_REGION_NAMES["522101"] = "遵义"  # 遵义市 before 1997 covered more than 红花岗


def region_code(slot: int, birth_year: int) -> str:
    """The code of region ``slot`` in force in ``birth_year``."""
    return [code for since, code in REGIONS[slot][1] if since <= birth_year][-1]


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_DAYS = 28  # days every month has
_ID_SERIALS = 500  # sequence numbers of one parity
# Distinct n below this give distinct numbers for one birth month and gender (182 000).
ID_CAPACITY = len(REGIONS) * _ID_DAYS * _ID_SERIALS


def id_check_character(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def build_id_number(region: str, born: datetime.date, serial: int) -> str:
    """An 18-character ID number: region, birth date, 3-digit sequence (odd = 男), check character."""
    first17 = f"{region}{born.year:04d}{born.month:02d}{born.day:02d}{serial:03d}"
    return first17 + id_check_character(first17)


def id_number_for(n: int, birth_date: datetime.date, gender: str) -> str:
    """The n-th valid ID number agreeing with a record's birth date and gender.

    A record with day 1 keeps only 年月, so the day in the number is free and comes from n
    with the region and sequence: distinct n below ``ID_CAPACITY`` give distinct numbers.
    A record with a real day fixes it, leaving regions × sequences (6 500) distinct numbers.
    """
    n %= ID_CAPACITY
    region = region_code(n % len(REGIONS), birth_date.year)
    rest = n // len(REGIONS)
    if birth_date.day == 1:
        day = 1 + rest % _ID_DAYS
        rest //= _ID_DAYS
    else:
        day = birth_date.day
    serial = 2 * (rest % _ID_SERIALS) + (0 if gender == FEMALE else 1)
    return build_id_number(region, birth_date.replace(day=day), serial)


def native_place_of(id_number: str) -> str:
    """籍贯 / 出生地 from the number's region (``贵州桐梓``), '' for another region."""
    name = _REGION_NAMES.get(id_number[:6])
    return f"贵州{name}" if name else ""


# --- personal data -------------------------------------------------------------------------

_GENDERS = _Weighted([(MALE, 68), (FEMALE, 32)])
# 遵义: mostly 汉族, with 仡佬族, 苗族, 土家族, 布依族 and 侗族 communities.
_ETHNICITIES = _Weighted([("01", 86), ("37", 5), ("06", 4), ("15", 3), ("09", 1.5), ("12", 0.5)])
_POLITICAL = _Weighted(
    [("01", 88), ("02", 1), ("13", 5), ("12", 2), ("05", 1), ("07", 1), ("08", 1), ("10", 1)]
)
_HEALTH = _Weighted([("健康", 95), ("良好", 5)])


def pick_gender(rng: random.Random) -> str:
    return _GENDERS.pick(rng)


def pick_ethnicity(rng: random.Random) -> str:
    return _ETHNICITIES.pick(rng)


def pick_political_status(rng: random.Random) -> str:
    return _POLITICAL.pick(rng)


def pick_health(rng: random.Random) -> str:
    return _HEALTH.pick(rng)


def birth_month_for(rng: random.Random, gender: str, today: datetime.date) -> datetime.date:
    """出生年月 (day 1) of a serving cadre: 26 to 59 years old (women to 54, retiring earlier)."""
    oldest = today.year - (54 if gender == FEMALE else 59)
    return datetime.date(rng.randint(oldest, today.year - 26), rng.randint(1, 12), 1)


class Education(NamedTuple):
    ft_education: str
    ft_degree: str
    ft_school: str
    pt_education: str
    pt_degree: str
    pt_school: str


# ft_education code → (years of study, ages at work start)
EDUCATION_PATHS = {
    "11": (9, (28, 29)),
    "14": (7, (25, 26)),
    "21": (4, (22, 23)),
    "31": (3, (20, 21)),
    "41": (3, (18, 19)),
}
_FULL_TIME = _Weighted(
    [
        (("21", "4"), 62),
        (("21", ""), 3),
        (("14", "3"), 14),
        (("11", "2"), 1),
        (("31", ""), 16),
        (("41", ""), 4),
    ]
)
UNIVERSITIES = (
    "贵州大学",
    "贵州师范大学",
    "遵义医科大学",
    "遵义师范学院",
    "贵州财经大学",
    "贵州民族大学",
    "西南大学",
    "四川大学",
    "重庆大学",
    "西南政法大学",
)
GRADUATE_SCHOOLS = ("贵州大学", "四川大学", "中国人民大学", "武汉大学", "西南大学", "重庆大学")
COLLEGES = ("遵义职业技术学院", "贵州交通职业技术学院", "贵州商学院", "黔南民族师范学院")
SECONDARY_SCHOOLS = ("遵义农业学校", "遵义师范学校", "贵州省财政学校")
MAJORS = (
    "法学",
    "汉语言文学",
    "行政管理",
    "会计学",
    "经济学",
    "计算机科学与技术",
    "农学",
    "临床医学",
    "土木工程",
    "思想政治教育",
    "公共事业管理",
    "历史学",
    "环境工程",
    "财政学",
)
PART_TIME_SCHOOLS = ("中共贵州省委党校", "贵州大学", "贵州师范大学", "中央党校函授学院")
PART_TIME_MAJORS = ("经济管理", "法律", "行政管理", "公共管理", "党政管理")


def pick_education(rng: random.Random, born: datetime.date | None = None) -> Education:
    """全日制 and 在职 education; 中专 only for cadres born before 1980."""
    ft, degree = _FULL_TIME.pick(rng)
    if ft == "41" and born is not None and born.year >= 1980:
        ft, degree = "31", ""
    major = rng.choice(MAJORS)
    if ft in ("11", "14"):
        school = f"{rng.choice(GRADUATE_SCHOOLS)}{major}专业"
    elif ft == "21":
        school = f"{rng.choice(UNIVERSITIES)}{major}专业"
    elif ft == "31":
        school = f"{rng.choice(COLLEGES)}{major}专业"
    else:
        school = f"{rng.choice(SECONDARY_SCHOOLS)}{rng.choice(('农学', '财会', '师范'))}专业"
    pt = pt_degree = pt_school = ""
    if ft in ("31", "41") and _share(rng, 0.6):
        pt, pt_school = "21", f"{rng.choice(PART_TIME_SCHOOLS)}{rng.choice(PART_TIME_MAJORS)}专业"
    elif ft == "21" and _share(rng, 0.2):
        pt, pt_degree = "14", "3"
        pt_school = f"{rng.choice(('贵州大学', '贵州师范大学', '贵州财经大学'))}公共管理专业"
    return Education(ft, degree, school, pt, pt_degree, pt_school)


def work_start_for(
    rng: random.Random, born: datetime.date, ft_education: str, today: datetime.date
) -> datetime.date:
    """参加工作时间: the summer after graduating (22–23 for 本科), never after this month."""
    _years, (youngest, oldest) = EDUCATION_PATHS.get(ft_education, (4, (22, 24)))
    start = datetime.date(born.year + rng.randint(youngest, oldest), rng.choice((7, 8, 9)), 1)
    return min(start, today.replace(day=1))


def party_join_for(
    rng: random.Random, born: datetime.date, political_status: str, today: datetime.date
) -> datetime.date | None:
    """入党时间 for 党员 (19–35, after the 18th birthday) and 预备党员 (the last year); else None."""
    if political_status not in ("01", "02"):
        return None
    adult = add_months(born, 18 * 12)
    if political_status == "02":
        return month_between(rng, max(adult, add_months(today, -11)), today)
    low = max(adult, add_months(born, 19 * 12))
    high = min(add_months(born, 35 * 12), add_months(today, -12))
    return month_between(rng, low, max(low, high))


def post_since_for(
    rng: random.Random, work_start: datetime.date | None, today: datetime.date
) -> datetime.date | None:
    """任现职时间: within the last eight years, never before work start."""
    if work_start is None:
        return None
    return month_between(rng, max(work_start, add_months(today, -8 * 12)), add_months(today, -1))


# --- posts ---------------------------------------------------------------------------------


class _Unit(NamedTuple):
    pk: int
    name: str
    kind: str
    admin_level: str


class Posting(NamedTuple):
    role: str  # chief, deputy, section_chief, section_deputy, staff
    post: str
    level: str
    rank: str
    management_category: str


L, R = codes.LeadershipLevel, codes.Rank
ROLES = ("chief", "deputy", "section_chief", "section_deputy", "staff")
# (oldest age in the band, weights of ROLES): the young are staff, leaders are older.
_ROLES_BY_AGE = (
    (29, _Weighted([("staff", 1)])),
    (34, _Weighted(list(zip(ROLES, (0, 2, 8, 20, 70), strict=True)))),
    (39, _Weighted(list(zip(ROLES, (2, 12, 25, 20, 41), strict=True)))),
    (200, _Weighted(list(zip(ROLES, (8, 25, 25, 10, 32), strict=True)))),
)
_LEVELS = {  # (unit is 正处级, role) → level
    (True, "chief"): L.COUNTY_CHIEF,
    (True, "deputy"): L.COUNTY_DEPUTY,
    (True, "section_chief"): L.TOWNSHIP_CHIEF,
    (True, "section_deputy"): L.TOWNSHIP_DEPUTY,
    (False, "chief"): L.TOWNSHIP_CHIEF,
    (False, "deputy"): L.TOWNSHIP_DEPUTY,
}
# The ranks that go with a level (公务员职务与职级并行规定: 一、二级调研员 ≈ 县处级正职 …).
LEVEL_RANKS = {
    L.COUNTY_CHIEF: (R.RESEARCHER_1, R.RESEARCHER_2),
    L.COUNTY_DEPUTY: (R.RESEARCHER_3, R.RESEARCHER_4),
    L.TOWNSHIP_CHIEF: (R.PRINCIPAL_STAFF_1, R.PRINCIPAL_STAFF_2),
    L.TOWNSHIP_DEPUTY: (R.PRINCIPAL_STAFF_3, R.PRINCIPAL_STAFF_4),
}
# Ranks of cadres without a leadership post, by years of service.
_STAFF_RANKS = (
    (1, R.STAFF_2),
    (3, R.STAFF_1),
    (6, R.PRINCIPAL_STAFF_4),
    (10, R.PRINCIPAL_STAFF_3),
    (14, R.PRINCIPAL_STAFF_2),
    (200, R.PRINCIPAL_STAFF_1),
)
SECTIONS = {
    codes.UnitKind.ENTERPRISE: (("综合管理部", "经理"), ("财务部", "经理"), ("投资发展部", "经理")),
    codes.UnitKind.COUNTY: (("委办公室", "主任"), ("人民政府办公室", "主任")),
    codes.UnitKind.INSTITUTION: (
        ("办公室", "主任"),
        ("党委办公室", "主任"),
        ("人事科", "科长"),
        ("财务科", "科长"),
    ),
    codes.UnitKind.TOWNSHIP: (("党政办", "主任"), ("经济发展办", "主任")),
}
DEFAULT_SECTIONS = (("办公室", "主任"), ("综合科", "科长"), ("政策法规科", "科长"), ("组织人事科", "科长"))


def leader_titles(unit_name: str, unit_kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The posts (正职, 副职) of a unit's leaders: 市财政局局长, 金鼎山镇副镇长 …"""
    name, K = unit_name, codes.UnitKind
    if unit_kind == K.COUNTY:
        head = f"{name[-1]}长"
        return (f"中共{name}委书记", f"{name}{head}"), (f"中共{name}委副书记", f"{name}副{head}")
    if unit_kind == K.TOWNSHIP:
        if name.endswith("街道"):
            return (f"{name}党工委书记", f"{name}办事处主任"), (f"{name}党工委副书记", f"{name}办事处副主任")
        head = f"{name[-1]}长"
        return (f"{name}党委书记", f"{name}{head}"), (f"{name}党委副书记", f"{name}副{head}")
    if unit_kind == K.ENTERPRISE:
        return (f"{name}董事长", f"{name}总经理"), (f"{name}副总经理",)
    if unit_kind == K.INSTITUTION and "党校" in name:
        return (f"{name}常务副校长",), (f"{name}副校长",)
    if name.endswith("部"):
        head = "部长"
    elif name.endswith("局"):
        head = "局长"
    elif name.endswith("院"):
        head = "院长"
    elif "政法" in name:
        head = "书记"
    else:
        head = "主任"
    return (f"{name}{head}",), (f"{name}副{head}",)


def _age(born: datetime.date, today: datetime.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def posting_for(
    rng: random.Random,
    unit_name: str,
    unit_kind: str,
    unit_admin_level: str,
    born: datetime.date | None,
    work_start: datetime.date | None,
    today: datetime.date,
) -> Posting:
    """现任职务 with its 职务层次, 职级 and 管理类别, plausible for the unit and the cadre's age."""
    age = _age(born, today) if born else 40
    role = next(weights for oldest, weights in _ROLES_BY_AGE if age <= oldest).pick(rng)
    division = _is_division(unit_admin_level)
    if not division and role.startswith("section"):
        role = "staff"
    civil = unit_kind in CIVIL_SERVICE_KINDS
    level = _LEVELS.get((division, role), "")
    rank = ""
    if role in ("chief", "deputy"):
        chiefs, deputies = leader_titles(unit_name, unit_kind)
        post = rng.choice(chiefs if role == "chief" else deputies)
        category = codes.ManagementCategory.CITY if division else codes.ManagementCategory.COUNTY
    elif role.startswith("section"):
        section, head = rng.choice(SECTIONS.get(unit_kind, DEFAULT_SECTIONS))
        post = f"{unit_name}{section}{'副' if role == 'section_deputy' else ''}{head}"
        category = (
            codes.ManagementCategory.COUNTY
            if unit_kind == codes.UnitKind.COUNTY
            else codes.ManagementCategory.DEPARTMENT
        )
    else:
        years = today.year - work_start.year if work_start else 5
        rank = next(staff_rank for most, staff_rank in _STAFF_RANKS if years < most)
        if division and years >= 20 and _share(rng, 0.5):
            rank = R.RESEARCHER_4
        if civil:
            post = f"{unit_name}{_labels(codes.Rank)[rank]}"
        else:
            section, _head = rng.choice(SECTIONS.get(unit_kind, DEFAULT_SECTIONS))
            post = f"{unit_name}{section}{'职员' if unit_kind == codes.UnitKind.ENTERPRISE else '干事'}"
        category = codes.ManagementCategory.DEPARTMENT
    if level and civil:
        rank = rng.choice(LEVEL_RANKS[level])
    elif not civil:
        rank = ""  # 职级 is the civil service's; 事业单位 and 国企 staff have none
    return Posting(role, post, level, rank, category)


def _is_division(admin_level: str) -> bool:
    return admin_level in (codes.AdminLevel.DIVISION_CHIEF, codes.AdminLevel.DIVISION_DEPUTY)


def post_at_level(rng: random.Random, unit: _Unit, level: str) -> str:
    """A post at `level` in `unit` (a leader, a section head, or 科员 when level is '')."""
    chief = level in (L.COUNTY_CHIEF, L.TOWNSHIP_CHIEF)
    if level in (L.COUNTY_CHIEF, L.COUNTY_DEPUTY) or (level and not _is_division(unit.admin_level)):
        chiefs, deputies = leader_titles(unit.name, unit.kind)
        return rng.choice(chiefs if chief else deputies)
    if level:
        section, head = rng.choice(SECTIONS.get(unit.kind, DEFAULT_SECTIONS))
        return f"{unit.name}{section}{'' if chief else '副'}{head}"
    return f"{unit.name}{'科员' if unit.kind in CIVIL_SERVICE_KINDS else '干事'}"


EXPERTISE = (
    "熟悉党建工作",
    "熟悉经济工作",
    "熟悉农业农村工作",
    "熟悉组织人事工作",
    "熟悉财政金融工作",
    "熟悉城市建设管理",
    "熟悉教育管理",
    "熟悉法律事务",
    "熟悉基层社会治理",
)
PROFESSIONAL_TITLES = {
    codes.UnitKind.INSTITUTION: ("副主任医师", "主治医师", "副教授", "讲师", "高级农艺师"),
    codes.UnitKind.ENTERPRISE: ("高级经济师", "经济师", "高级工程师", "工程师", "会计师"),
}


# --- seeding -------------------------------------------------------------------------------


class _Plan(NamedTuple):
    """What the children of one new cadre are built from."""

    cadre: Cadre
    unit: _Unit
    posting: Posting
    civil: bool


_SANCTIONS = _Weighted(
    [
        (codes.Sanction.ADMONITION, 30),
        (codes.Sanction.PARTY_WARNING, 20),
        (codes.Sanction.ADMIN_WARNING, 15),
        (codes.Sanction.ADMIN_DEMERIT, 10),
        (codes.Sanction.PARTY_SERIOUS_WARNING, 8),
        (codes.Sanction.ORG_REASSIGNMENT, 5),
        (codes.Sanction.ADMIN_MAJOR_DEMERIT, 4),
        (codes.Sanction.ORG_REMOVAL, 3),
        (codes.Sanction.PARTY_POST_REMOVAL, 2),
        (codes.Sanction.ADMIN_DEMOTION, 2),
        (codes.Sanction.ORG_DEMOTION, 1),
    ]
)
SANCTION_ISSUERS = {
    codes.SanctionKind.ADMINISTRATIVE: ("遵义市监察委员会", "遵监处"),
    codes.SanctionKind.PARTY: ("中共遵义市纪律检查委员会", "遵纪处"),
    codes.SanctionKind.ORGANISATIONAL: ("中共遵义市委组织部", "遵组处"),
    codes.SanctionKind.ADMONITION: ("中共遵义市委组织部", "遵组诫"),
}
SANCTION_REASONS = (
    "违反中央八项规定精神，违规接受宴请",
    "违反工作纪律，履职不力，造成不良影响",
    "违反组织纪律，个人有关事项报告不如实",
    "违反廉洁纪律，违规收受礼金",
    "违反群众纪律，作风粗暴",
    "在项目审批中失职失责",
)
_WARNING_LEVELS = _Weighted(
    [
        (codes.WarningLevel.RED, 10),
        (codes.WarningLevel.ORANGE, 20),
        (codes.WarningLevel.YELLOW, 35),
        (codes.WarningLevel.BLUE, 35),
    ]
)
WARNING_NOTES = (
    "群众反映工作推进迟缓，经核实部分属实",
    "巡察发现履职不到位问题",
    "审计发现资金管理不规范",
    "负面清单事项：重点任务未按期完成",
    "信访反映作风问题，正在核查",
)
REWARDS = (
    "嘉奖",
    "记三等功",
    "优秀共产党员",
    "优秀党务工作者",
    "先进工作者",
    "脱贫攻坚先进个人",
    "优秀公务员",
)
REWARD_ISSUERS = ("中共遵义市委", "遵义市人民政府", "中共贵州省委", "贵州省人民政府", "中共遵义市委组织部")
_MEASURES = _Weighted(
    [
        (codes.SupervisionKind.REMINDER, 50),
        (codes.SupervisionKind.TALK, 25),
        (codes.SupervisionKind.INQUIRY, 20),
        (codes.SupervisionKind.ADMONITION, 5),
    ]
)
MEASURE_REASONS = ("履职尽责不够到位", "群众反映工作作风问题", "信访反映收受礼金问题", "个人有关事项报告漏报")
MEASURE_OUTCOMES = (
    "本人作出说明，予以了结",
    "已提醒，本人表示认真整改",
    "函询说明属实，予以采信",
    "予以诫勉",
)
SUPERVISORS = ("市委组织部干监科", "市纪委监委第三监督检查室", "县委组织部干部监督股")
EMPLOYERS = (
    "遵义市第一人民医院医生",
    "遵义医科大学附属医院护士",
    "遵义市第四中学教师",
    "红花岗区第一小学教师",
    "中国银行遵义分行职员",
    "遵义供电局职员",
    "个体经营",
)
RELATIVE_JOBS = ("退休", "务农", "个体经营", "已故")


def _quota(rng: random.Random, count: int, rate: float) -> set[int]:
    """Which of `count` new cadres get a rare record: about `rate` of them, at least one in 20+."""
    wanted = round(count * rate)
    if count >= 20:
        wanted = max(wanted, 1)
    return set(rng.sample(range(count), min(wanted, count)))


def sanction_values(sanction: str, decided_on: datetime.date) -> dict:
    """What Sanction.save() derives for a new record: kind, influence period and its last day."""
    months = codes.SANCTION_INFLUENCE_MONTHS[sanction]
    return {
        "kind": codes.SANCTION_KIND[sanction],
        "influence_months": months,
        "influence_until": influence_last_day(decided_on, months),
    }


class _Seeder:
    """Builds cadres and their children batch by batch and bulk-inserts them (counts in `counts`)."""

    def __init__(
        self,
        rng: random.Random,
        units: list[_Unit],
        today: datetime.date,
        taken_ids: set[str],
        pool_rng: random.Random | None = None,
    ):
        self.rng = rng
        self.units = units
        self.today = today
        # Units a cadre moves between: civil service or not alike, 正处级 ones for 县处级 posts.
        self.units_by_group: dict[tuple[bool, bool], list[_Unit]] = {}
        for civil in (True, False):
            for division in (True, False):
                group = [
                    u
                    for u in units
                    if (u.kind in CIVIL_SERVICE_KINDS) == civil
                    and (_is_division(u.admin_level) or not division)
                ]
                self.units_by_group[civil, division] = group or units
        self.taken_ids = taken_ids
        self.next_n = len(taken_ids)
        self.counts: Counter[type[models.Model]] = Counter()
        self.pool = _Pool(pool_rng or random.Random("pool"), units, today)

    def run(self, count: int) -> None:
        with transaction.atomic():
            self.counts[Programme] += self.pool.ensure_programmes()
            for start in range(0, count, BATCH):
                self._batch(min(BATCH, count - start))
        for model in POOL_MODELS:  # reported after the cadres' own records
            if model in self.counts:
                self.counts[model] = self.counts.pop(model)

    def _write(self, model: type[models.Model], rows: list) -> list:
        created = bulk_insert(model, rows)
        self.counts[model] += len(rows)
        return created

    def _batch(self, count: int) -> None:
        rng = self.rng
        plans = [self._cadre(rng.choice(self.units)) for _ in range(count)]
        self._write(Cadre, [plan.cadre for plan in plans])
        children: dict[type[models.Model], list] = {}

        def add(model, **values):
            children.setdefault(model, []).append(model(**values))

        for plan in plans:
            self._resume_and_movements(plan, add)
            self._family(plan, add)
            self._assessments(plan, add)
            if plan.posting.management_category == codes.ManagementCategory.CITY:
                self._personal_reports(plan, add)
        rare: list[tuple[float, Callable]] = [
            (0.03, self._sanction),
            (0.02, self._open_warning),
            (0.01, self._closed_warning),
            (0.12, self._reward),
            (0.03, self._measure),
            (0.01, self._promotion_check),
        ]
        for rate, build in rare:
            for index in _quota(rng, count, rate):
                build(plans[index], add)
        pool = self.pool.build(plans, children, add)  # may add a sanction or a warning to `children`
        for model, rows in children.items():
            self._write(model, rows)
        self._archive_reviews([plans[index] for index in sorted(_quota(rng, count, 0.05))])
        self._write_pool(pool)

    def _write_pool(self, rows: "_PoolRows") -> None:
        """Memberships, then what hangs on them, each row given its parent's new primary key."""
        self._write(PoolMembership, rows.memberships)
        for membership, plan in rows.plans:
            plan.membership_id = membership.pk
        self._write(DevelopmentPlan, [plan for _membership, plan in rows.plans])
        for model, pairs in ((PlanMeasure, rows.measures), (PlanReview, rows.reviews)):
            for plan, row in pairs:
                row.plan_id = plan.pk
            self._write(model, [row for _plan, row in pairs])
        self._write(DossierEntry, rows.dossier)
        self._write(PracticePosting, rows.postings)

    # one cadre ---------------------------------------------------------------------------

    def _id_number(self, born: datetime.date, gender: str) -> str:
        while True:
            number = id_number_for(self.next_n, born, gender)
            self.next_n += 1
            if number not in self.taken_ids:
                self.taken_ids.add(number)
                return number

    def _cadre(self, unit: _Unit) -> _Plan:
        rng, today = self.rng, self.today
        gender = pick_gender(rng)
        born = birth_month_for(rng, gender, today)
        id_number = self._id_number(born, gender)
        political = pick_political_status(rng)
        education = pick_education(rng, born)
        work_start = work_start_for(rng, born, education.ft_education, today)
        posting = posting_for(rng, unit.name, unit.kind, unit.admin_level, born, work_start, today)
        post_since = post_since_for(rng, work_start, today)
        titles = PROFESSIONAL_TITLES.get(unit.kind)
        cadre = Cadre(
            name=chinese_name(rng, gender),
            gender=gender,
            birth_date=born,
            ethnicity=pick_ethnicity(rng),
            native_place=native_place_of(id_number),
            birthplace=native_place_of(id_number),
            id_number=id_number,
            political_status=political,
            party_join_date=party_join_for(rng, born, political, today),
            work_start_date=work_start,
            health=pick_health(rng),
            professional_title=rng.choice(titles) if titles and _share(rng, 0.4) else "",
            expertise=rng.choice(EXPERTISE) if posting.level else "",
            **education._asdict(),
            unit_id=unit.pk,
            post=posting.post,
            post_since=post_since,
            level=posting.level,
            rank=posting.rank,
            rank_since=post_since if posting.rank else None,
            management_category=posting.management_category,
            status=codes.CadreStatus.SERVING,
        )
        return _Plan(cadre, unit, posting, unit.kind in CIVIL_SERVICE_KINDS)

    def _units_like(self, plan: _Plan, *, division: bool) -> list[_Unit]:
        return self.units_by_group[plan.civil, division]

    def _previous_post(self, plan: _Plan) -> tuple[_Unit, str, str, str, str]:
        """The post held before the current one: (unit, post, level, rank, movement kind)."""
        rng, cadre = self.rng, plan.cadre
        if plan.posting.role == "staff":
            below = R.values.index(cadre.rank) + 1 if cadre.rank else len(R.values)
            if below < len(R.values):  # 晋升职级 in the same unit
                lower = R.values[below]
                return (
                    plan.unit,
                    f"{plan.unit.name}{_labels(codes.Rank)[lower]}",
                    "",
                    lower,
                    codes.MovementKind.RANK_PROMOTION,
                )
            unit = rng.choice(self._units_like(plan, division=False))
            return unit, post_at_level(rng, unit, ""), "", "", codes.MovementKind.TRANSFER_IN
        if _share(rng, 0.7):  # 提拔 from the level below (科员 below 乡科级副职)
            below = L.values.index(cadre.level) + 1
            level = L.values[below] if below < len(L.values) else ""
            kind = codes.MovementKind.PROMOTION
        else:
            level, kind = cadre.level, codes.MovementKind.LATERAL
        candidates = self._units_like(plan, division=level in (L.COUNTY_CHIEF, L.COUNTY_DEPUTY))
        unit = (
            plan.unit if kind == codes.MovementKind.PROMOTION and _share(rng, 0.5) else rng.choice(candidates)
        )
        rank = rng.choice(LEVEL_RANKS[level]) if level and unit.kind in CIVIL_SERVICE_KINDS else ""
        return unit, post_at_level(rng, unit, level), level, rank, kind

    def _resume_and_movements(self, plan: _Plan, add) -> None:
        """简历 from school to the current post, and the 任免 records that match it."""
        rng, cadre = self.rng, plan.cadre
        work_start, post_since = cadre.work_start_date, cadre.post_since
        years, _ages = EDUCATION_PATHS.get(cadre.ft_education, (4, (22, 24)))
        # 简历 has no gaps (档案审核 flags them): study runs up to the month work starts.
        school_start = datetime.date(work_start.year - years, 9, 1)
        add(ResumeEntry, cadre_id=cadre.pk, start=school_start, end=work_start, text=f"{cadre.ft_school}学习")
        # Posts between work start and the current one: one every few years, up to 4, the last
        # of them the post the current one was moved from.
        first, last = _month_index(work_start), _month_index(post_since)
        earlier = min(4, (last - first) // 36 + 1) if last > first else 0
        cuts = sorted(rng.sample(range(first + 1, last), earlier - 1)) if earlier > 1 else []
        starts = [work_start, *(_month_start(i) for i in cuts)] if earlier else []
        from_unit, from_post, from_level, from_rank, kind = self._previous_post(plan)
        jobs = []
        for i, start in enumerate(starts):
            if i == len(starts) - 1:
                unit, text = from_unit, from_post
            else:
                unit = rng.choice(self.units)
                text = f"{unit.name}{'科员' if i < 2 else '副主任科员'}"
            end = starts[i + 1] if i + 1 < len(starts) else post_since
            add(ResumeEntry, cadre_id=cadre.pk, start=start, end=end, text=text)
            jobs.append((unit, text))
        add(ResumeEntry, cadre_id=cadre.pk, start=post_since, end=None, text=cadre.post)

        if not jobs:  # the first job is the current post
            jobs, kind = [(plan.unit, cadre.post)], codes.MovementKind.HIRE
        elif _share(rng, 0.5):
            unit, text = jobs[0]
            add(
                Movement,
                cadre_id=cadre.pk,
                kind=codes.MovementKind.HIRE,
                date=work_start,
                doc_number=f"遵人社录〔{work_start.year}〕{rng.randint(1, 200)}号",
                to_unit_id=unit.pk,
                to_post=text,
                to_rank=R.STAFF_2 if unit.kind in CIVIL_SERVICE_KINDS else "",
            )
        if kind == codes.MovementKind.HIRE:
            prefix = "遵人社录"
        elif kind in (codes.MovementKind.RANK_PROMOTION, codes.MovementKind.TRANSFER_IN):
            prefix = "遵组职" if kind == codes.MovementKind.RANK_PROMOTION else "遵组调"
        else:
            prefix = "遵党任" if cadre.management_category == codes.ManagementCategory.CITY else "遵组任"
        moved = kind != codes.MovementKind.HIRE
        add(
            Movement,
            cadre_id=cadre.pk,
            kind=kind,
            date=post_since,
            doc_number=f"{prefix}〔{post_since.year}〕{rng.randint(1, 150)}号",
            from_unit_id=from_unit.pk if moved else None,
            from_post=from_post if moved else "",
            from_level=from_level if moved else "",
            from_rank=from_rank if moved else "",
            to_unit_id=cadre.unit_id,
            to_post=cadre.post,
            to_level=cadre.level,
            to_rank=cadre.rank,
        )

    def _family(self, plan: _Plan, add) -> None:
        rng, cadre, today = self.rng, plan.cadre, self.today
        surname, born = cadre.name[0], cadre.birth_date
        age = _age(born, today)

        def member(relation, name, birth, political, job):
            add(
                FamilyMember,
                cadre_id=cadre.pk,
                relation=relation,
                name=name,
                birth_date=birth,
                political_status=political,
                employer_post=job,
            )

        father_born = add_months(born, -12 * rng.randint(23, 32) - rng.randint(0, 11))
        if age >= 28:
            spouse_gender = FEMALE if cadre.gender == MALE else MALE
            spouse = chinese_name(rng, spouse_gender)
            spouse_born = add_months(born, rng.randint(-48, 36))
            member(
                "妻子" if spouse_gender == FEMALE else "丈夫",
                spouse,
                spouse_born,
                rng.choice(("01", "01", "13")),
                f"{rng.choice(self.units).name}干部" if _share(rng, 0.4) else rng.choice(EMPLOYERS),
            )
            child_gender = rng.choice((MALE, FEMALE))
            child_born = month_between(rng, add_months(born, 12 * 25), min(add_months(born, 12 * 33), today))
            child_age = _age(child_born, today)
            child_surname = surname if cadre.gender == MALE else spouse[0]
            member(
                "儿子" if child_gender == MALE else "女儿",
                chinese_name(rng, child_gender, child_surname),
                child_born,
                "03" if 14 <= child_age <= 28 and _share(rng, 0.5) else ("" if child_age < 14 else "13"),
                "" if child_age < 6 else "学生" if child_age < 23 else rng.choice(EMPLOYERS),
            )
            if _share(rng, 0.5):
                member(
                    "父亲",
                    chinese_name(rng, MALE, surname),
                    father_born,
                    rng.choice(("01", "13")),
                    rng.choice(RELATIVE_JOBS),
                )
            else:
                mother_born = add_months(father_born, rng.randint(0, 48))
                member("母亲", chinese_name(rng, FEMALE), mother_born, "13", rng.choice(RELATIVE_JOBS))
        else:
            member(
                "父亲",
                chinese_name(rng, MALE, surname),
                father_born,
                rng.choice(("01", "13")),
                rng.choice(RELATIVE_JOBS[:3]),
            )
            member(
                "母亲",
                chinese_name(rng, FEMALE),
                add_months(father_born, rng.randint(0, 48)),
                "13",
                rng.choice(RELATIVE_JOBS[:3]),
            )
            sibling_gender = rng.choice((MALE, FEMALE))
            older = _share(rng, 0.5)
            relation = {
                (MALE, True): "哥哥",
                (MALE, False): "弟弟",
                (FEMALE, True): "姐姐",
                (FEMALE, False): "妹妹",
            }
            member(
                relation[sibling_gender, older],
                chinese_name(rng, sibling_gender, surname),
                add_months(born, rng.randint(-60, -12) if older else rng.randint(12, 60)),
                rng.choice(("01", "03", "13")),
                rng.choice(EMPLOYERS) if older else "学生",
            )

    def _assessments(self, plan: _Plan, add) -> None:
        """年度考核 for up to five consecutive years, the last one finished."""
        rng, cadre = self.rng, plan.cadre
        last = self.today.year - 1
        for year in range(max(cadre.work_start_date.year + 1, last - 4), last + 1):
            draw = rng.random()
            if plan.civil:
                grade = ("excellent", "competent", "basic_competent", "incompetent")
            else:
                grade = ("excellent", "qualified", "basic_qualified", "unqualified")
            result = grade[0 if draw < 0.18 else 1 if draw < 0.97 else 2 if draw < 0.995 else 3]
            add(AnnualAssessment, cadre_id=cadre.pk, year=year, result=result)

    def _personal_reports(self, plan: _Plan, add) -> None:
        """个人有关事项报告 of 市管 cadres for this year and last, some of them checked (抽查)."""
        rng, cadre, today = self.rng, plan.cadre, self.today
        for year in (today.year - 1, today.year):
            submitted = datetime.date(year, 1, rng.randint(5, 31))  # the 1月 集中报告
            if submitted > today:
                continue
            checked = datetime.date(year, rng.randint(4, 9), 15)
            values = {}
            if checked <= today and _share(rng, 0.1):
                values = {"checked_on": checked, "consistent": not _share(rng, 0.1)}
                if not values["consistent"]:
                    values.update(discrepancy="漏报本人名下房产一处", handling="批评教育，责令补报")
            add(PersonalMattersReport, cadre_id=cadre.pk, year=year, submitted_on=submitted, **values)

    # rare records ------------------------------------------------------------------------

    def _recent_day(self, plan: _Plan, years: int) -> datetime.date:
        low = max(plan.cadre.work_start_date, add_months(self.today, -12 * years))
        return day_between(self.rng, low, self.today)

    def _sanction(self, plan: _Plan, add) -> None:
        rng = self.rng
        sanction = _SANCTIONS.pick(rng)
        decided_on = self._recent_day(plan, 5)
        issuer, prefix = SANCTION_ISSUERS[codes.SANCTION_KIND[sanction]]
        add(
            Sanction,
            cadre_id=plan.cadre.pk,
            sanction=sanction,
            decided_on=decided_on,
            issuer=issuer,
            doc_number=f"{prefix}〔{decided_on.year}〕{rng.randint(1, 60)}号",
            reason=rng.choice(SANCTION_REASONS),
            **sanction_values(sanction, decided_on),
        )

    def _open_warning(self, plan: _Plan, add) -> None:
        rng = self.rng
        add(
            CadreWarning,
            cadre_id=plan.cadre.pk,
            level=_WARNING_LEVELS.pick(rng),
            source=rng.choice(codes.WarningSource.values),
            raised_on=self._recent_day(plan, 1),
            note=rng.choice(WARNING_NOTES),
        )

    def _closed_warning(self, plan: _Plan, add) -> None:
        rng = self.rng
        raised_on = self._recent_day(plan, 3)
        add(
            CadreWarning,
            cadre_id=plan.cadre.pk,
            level=_WARNING_LEVELS.pick(rng),
            source=rng.choice(codes.WarningSource.values),
            raised_on=raised_on,
            closed_on=day_between(rng, raised_on, min(raised_on + datetime.timedelta(days=180), self.today)),
            note=rng.choice(WARNING_NOTES) + "；已整改到位，予以解除",
        )

    def _reward(self, plan: _Plan, add) -> None:
        rng = self.rng
        day = self._recent_day(plan, 10)
        add(
            Reward,
            cadre_id=plan.cadre.pk,
            date=day,
            name=rng.choice(REWARDS),
            issuer=rng.choice(REWARD_ISSUERS),
            doc_number=f"遵表〔{day.year}〕{rng.randint(1, 80)}号",
        )

    def _measure(self, plan: _Plan, add) -> None:
        rng = self.rng
        add(
            SupervisionMeasure,
            cadre_id=plan.cadre.pk,
            kind=_MEASURES.pick(rng),
            date=self._recent_day(plan, 3),
            reason=rng.choice(MEASURE_REASONS),
            handled_by=rng.choice(SUPERVISORS),
            outcome=rng.choice(MEASURE_OUTCOMES),
        )

    def _promotion_check(self, plan: _Plan, add) -> None:
        """凡提必核 for a proposed appointment: every item passed, or personal matters still pending."""
        rng, cadre = self.rng, plan.cadre
        chiefs, deputies = leader_titles(plan.unit.name, plan.unit.kind)
        passed, pending = codes.CheckResult.PASSED, codes.CheckResult.PENDING
        personal = pending if _share(rng, 0.3) else passed
        add(
            PromotionCheck,
            cadre_id=cadre.pk,
            proposed_post=rng.choice(chiefs if plan.posting.role == "deputy" else deputies),
            checked_on=day_between(rng, self.today - datetime.timedelta(days=60), self.today),
            archive=passed,
            personal_matters=personal,
            discipline=passed,
            petition=passed,
            result=personal,  # what PromotionCheck.save() derives: pending if any item is
        )

    def _archive_reviews(self, plans: list[_Plan]) -> None:
        """档案专项审核 for some cadres; a third of the finished ones found something, now corrected."""
        rng, today = self.rng, self.today
        done = codes.ReviewStatus.DONE
        reviews, findings = [], []
        for plan in plans:
            cadre = plan.cadre
            status = done if _share(rng, 0.85) else codes.ReviewStatus.IN_PROGRESS
            if status != done:
                conclusion = ""
                finding = ArchiveFinding(
                    item=codes.ArchiveItem.EDUCATION,
                    recorded_value=_labels(codes.Education)[cadre.ft_education],
                    note="学历证书复印件待补充",
                )
            elif _share(rng, 0.3):
                conclusion = "发现问题1项，已按档案认定更正"
                finding = ArchiveFinding(
                    item=codes.ArchiveItem.BIRTH_DATE,
                    recorded_value=format_year_month(add_months(cadre.birth_date, rng.choice((-1, 1)))),
                    archive_value=format_year_month(cadre.birth_date),
                    resolved=True,
                    note="已按档案认定更正信息系统记载",
                )
            else:
                conclusion, finding = "档案材料齐全规范，“三龄二历一身份”认定无误", None
            review = ArchiveReview(
                cadre_id=cadre.pk,
                reviewed_on=day_between(rng, add_months(today, -36), today),
                reviewer=chinese_name(rng, pick_gender(rng)),
                status=status,
                conclusion=conclusion,
            )
            reviews.append(review)
            if finding is not None:
                finding.review = review
                findings.append(finding)
        self._write(ArchiveReview, reviews)
        for finding in findings:
            finding.review_id = finding.review.pk  # assigned by the insert above
        self._write(ArchiveFinding, findings)


# --- the young-cadre pool (优秀年轻干部库) ------------------------------------------------------

TD, TC, CD, CC = L.TOWNSHIP_DEPUTY, L.TOWNSHIP_CHIEF, L.COUNTY_DEPUTY, L.COUNTY_CHIEF
# The pool_over_age rule as shipped (cadres migration 0005): T-year-olds still qualify, a member
# is over the limit from the (T+1)th birthday.
POOL_AGE_LIMITS = {CC: 45, CD: 40, TC: 35}
# The seed also keeps 乡科级副职 members (科员 and 乡科级副职 in training) at 35 and under.
SEED_AGE_LIMITS = {**POOL_AGE_LIMITS, TD: 35}
YOUNG_STAFF_AGE = 32  # 科员 taken in (tier 乡科级副职): 32 and under, 本科 or above
POOL_SINCE = datetime.date(2019, 1, 1)  # the earliest entry the seed makes
POOL_MODELS = (
    Programme,
    PoolMembership,
    DevelopmentPlan,
    PlanMeasure,
    PlanReview,
    DossierEntry,
    PracticePosting,
)

_PS = codes.ProgrammeStatus
PROGRAMMES = (  # name, year, tier, status, description
    (
        "第一轮蹲苗计划",
        2022,
        TD,
        _PS.CLOSED,
        "选派优秀年轻科员到乡镇（街道）、村（社区）一线蹲苗历练两年，在基层一线经受锻炼、增长才干",
    ),
    (
        "递进式培养计划（县处级）",
        2022,
        CC,
        _PS.ACTIVE,
        "对县处级优秀年轻干部按“岗位历练—跟踪考察—择优使用”递进培养，成熟一个使用一个",
    ),
    (
        "年轻干部151培养选拔计划",
        2023,
        CD,
        _PS.ACTIVE,
        "分层分类建立优秀年轻干部人选名单，一人一策跟踪培养，动态调整",
    ),
    (
        "递进式培养计划（乡科级）",
        2023,
        TC,
        _PS.ACTIVE,
        "对乡科级优秀年轻干部开展多岗位历练和跟班学习，递进培养",
    ),
    (
        "第二轮蹲苗计划",
        2024,
        TD,
        _PS.ACTIVE,
        "第二轮：选派优秀年轻干部到乡村振兴、信访维稳、项目建设一线蹲苗历练",
    ),
    (
        "年轻干部151培养选拔计划",
        2025,
        TC,
        _PS.ACTIVE,
        "第二批：面向乡科级优秀年轻干部",
    ),
    (
        "第三轮蹲苗计划",
        2026,
        TD,
        _PS.PLANNED,
        "第三轮：人选酝酿中",
    ),
)
PROGRAMME_ORGANISER = "市委组织部"
_PSRC = codes.PoolSource
_STAFF_SOURCES = _Weighted(
    [
        (_PSRC.SELECTED_GRADUATE, 45),
        (_PSRC.FRONT_LINE, 20),
        (_PSRC.RECOMMENDATION, 20),
        (_PSRC.SURVEY, 10),
        (_PSRC.OTHER, 5),
    ]
)
_LEADER_SOURCES = _Weighted(
    [(_PSRC.RECOMMENDATION, 45), (_PSRC.SURVEY, 25), (_PSRC.FRONT_LINE, 20), (_PSRC.OTHER, 10)]
)
_EXIT = codes.PoolExitReason
# Exits of members with nothing against them: those who left (调离) came back (re-entry), these did not.
_OTHER_EXITS = _Weighted([(_EXIT.OTHER, 60), (_EXIT.DISOBEDIENCE, 40)])
EXIT_NOTES = {
    _EXIT.OTHER: ("本人因家庭原因申请退出", "因身体原因不宜继续作为培养对象"),
    _EXIT.DISOBEDIENCE: ("无正当理由不服从交流任职安排",),
    _EXIT.TRANSFERRED: ("调往外省工作", "调往省直单位工作"),
}
# The chance that a young cadre qualifying for a tier ("staff": 科员, tier 乡科级副职) is taken in.
OPEN_SHARE = {CC: 0.6, CD: 0.5, TC: 0.5, TD: 0.3, "staff": 0.2}
PROMOTED_SHARE = 0.3  # of young cadres promoted since 2020: had been in the pool, exit 提拔使用
REENTRY_AFTER_PROMOTION = 0.35  # of those, re-entered at the new tier (when still young enough)
OVER_AGE_EXIT_SHARE = 0.25  # of recently over-age leaders: exited 超龄
SANCTION_EXIT_SHARE = 0.15  # of young cadres with a sanction (the seed's own): exited for it
# Open members breaking a rule on purpose, per new cadre (at least one each from 20 cadres).
BREAKERS = {"over_age": 0.001, "sanction": 0.0005, "red": 0.0005}

DIRECTIONS = (
    "经济管理方向",
    "党务工作方向",
    "基层社会治理方向",
    "乡村振兴方向",
    "城市建设管理方向",
    "政法工作方向",
    "宣传思想文化方向",
)
ENTERPRISE_DIRECTIONS = ("国有企业经营管理方向", "投融资管理方向")
LEADER_TITLES = (
    "市委常委、组织部部长",
    "市委组织部副部长",
    "区委副书记",
    "县委常委、组织部部长",
    "市直部门主要负责人",
)
PLAN_MEASURES = (
    "到乡镇（街道）主要岗位历练",
    "参加市委党校中青年干部培训班",
    "选派到信访维稳岗位经受锻炼",
    "参与全市重大项目攻坚",
    "到上级机关跟班学习",
    "参加乡村振兴驻村工作",
    "轮岗交流到综合经济部门",
    "参加东西部协作挂职锻炼",
    "到急难险重任务一线历练",
)
REVIEW_NOTES = (
    "政治素质好，担当作为突出，继续按计划培养",
    "岗位历练成效明显，群众评价好，建议加大使用力度",
    "工作实绩较好，需进一步加强基层一线历练",
    "综合分析研判能力有待提升，继续跟踪培养",
)
DOSSIER_TEXTS = {
    codes.DossierKind.TALK: (
        "入库谈话：明确培养方向和努力目标",
        "年度谈心谈话：肯定成绩，指出需加强基层历练",
        "联系领导谈话，了解思想和工作情况",
    ),
    codes.DossierKind.ACHIEVEMENT: (
        "牵头推进重点项目建设，按期完成年度目标任务",
        "在防汛救灾一线表现突出",
        "负责的招商引资项目成功落地",
        "牵头完成乡村振兴示范点建设",
    ),
    codes.DossierKind.TRAINING: (
        "参加市委党校中青年干部培训班，结业考核优秀",
        "参加省委组织部年轻干部专题培训班",
        "参加浙江大学乡村振兴专题研修班",
    ),
    codes.DossierKind.REWARD_SANCTION: (
        "年度考核被确定为优秀等次",
        "获市级“优秀共产党员”称号",
        "受到市委、市政府通报表扬",
    ),
}
_PK, _HK = codes.PostingKind, codes.HostKind
_POSTING_KINDS = _Weighted([(_PK.SECONDMENT, 50), (_PK.SHADOWING, 35), (_PK.ROTATION, 15)])
_SECONDMENT_HOSTS = _Weighted(
    [
        (_HK.DEVELOPED_REGION, 35),
        (_HK.HIGHER_ORGAN, 25),
        (_HK.INDUSTRIAL_PARK, 15),
        (_HK.STATE_ENTERPRISE, 10),
        (_HK.GRASSROOTS, 15),
    ]
)
HOST_NAMES = {  # units outside the tree
    _HK.HIGHER_ORGAN: (
        "贵州省发展和改革委员会",
        "贵州省财政厅",
        "中共贵州省委组织部",
        "贵州省农业农村厅",
        "贵州省商务厅",
    ),
    _HK.DEVELOPED_REGION: (
        "浙江省宁波市发展和改革委员会",
        "浙江省宁波市鄞州区人民政府",
        "广东省广州市黄埔区人民政府",
        "上海市杨浦区人民政府",
        "广东省广州市商务局",
    ),
    _HK.SPECIALIST_DEPARTMENT: ("贵州省自然资源厅", "贵州省生态环境厅", "贵州省大数据发展管理局"),
    _HK.INDUSTRIAL_PARK: ("遵义经济技术开发区管理委员会", "贵州仁怀经济开发区管理委员会"),
    _HK.STATE_ENTERPRISE: ("中国贵州茅台酒厂（集团）有限责任公司", "贵州乌江能源投资有限公司"),
}
HOST_POSTS = {
    _HK.HIGHER_ORGAN: ("挂职副处长", "处长助理"),
    _HK.DEVELOPED_REGION: ("挂职副局长", "区长助理", "局长助理"),
    _HK.INDUSTRIAL_PARK: ("管委会主任助理", "招商局挂职副局长"),
    _HK.STATE_ENTERPRISE: ("总经理助理", "挂职副总经理"),
    _HK.GRASSROOTS: ("挂职党委副书记", "驻村第一书记"),
    _HK.SPECIALIST_DEPARTMENT: ("挂职副处长",),
}
POSTING_MONTHS = {_PK.SECONDMENT: (12, 24), _PK.SHADOWING: (6,), _PK.ROTATION: (12,), _PK.GRASSROOTS: (24,)}
POSTING_EVALUATIONS = (
    "挂职期间工作积极主动，较好完成了各项任务，鉴定为优秀",
    "跟班学习认真，综合能力得到提升，鉴定为称职",
    "能够迅速融入当地工作，推动项目落地成效明显",
)


class _PoolRows:
    """One batch's pool records; plans, measures and reviews paired with the row they hang on."""

    def __init__(self):
        self.memberships: list[PoolMembership] = []
        self.plans: list[tuple[PoolMembership, DevelopmentPlan]] = []
        self.measures: list[tuple[DevelopmentPlan, PlanMeasure]] = []
        self.reviews: list[tuple[DevelopmentPlan, PlanReview]] = []
        self.dossier: list[DossierEntry] = []
        self.postings: list[PracticePosting] = []


def _in_force(sanction: Sanction, on: datetime.date) -> bool:
    return sanction.decided_on <= on and (sanction.influence_until is None or sanction.influence_until >= on)


class _Pool:
    """The pool of each batch of new cadres, built from what the batch already holds.

    Who has a membership:
      - open: leaders within their tier's age limit (the tier is the current 职务层次) and 科员
        of 32 and under with a degree (tier 乡科级副职), with no sanction in force and no open
        red warning; a few exited earlier (调离 …) and came back (re-entry), a few exited only;
      - 提拔使用: young cadres whose current post was a promotion since 2020, in the pool at the
        level below until the appointment day; some re-entered at the new tier;
      - 超龄: leaders who passed their tier's limit in the last four years, exited after it;
      - 受到党纪政务处分 / 受到组织处理: some young cadres with one of the seed's sanctions,
        exited after the decision;
      - breaking a rule on purpose, still open (``BREAKERS``): over the age limit; a sanction in
        force or an open red warning — taken from the seed's own sanctions and warnings where a
        young cadre has one, else added to an open member.
    Open members mostly have a plan (一人一策) with 2–3 measures and often a review; members have
    dossier entries and some have postings: finished, current, or ending within 30 days.
    """

    def __init__(self, rng: random.Random, units: list[_Unit], today: datetime.date):
        self.rng = rng
        self.today = today
        self.townships = [u for u in units if u.kind == codes.UnitKind.TOWNSHIP] or units
        self.enterprises = [u for u in units if u.kind == codes.UnitKind.ENTERPRISE]
        self.departments = [u for u in units if u.kind == codes.UnitKind.DEPARTMENT] or units
        self.programmes: list[Programme] = []
        self.doc_serial = 0

    def ensure_programmes(self) -> int:
        """The demo programmes, created when not there (by name and year). Returns how many were made."""
        names = {name for name, *_rest in PROGRAMMES}
        existing = {(p.name, p.year): p for p in Programme.objects.filter(name__in=names)}
        organiser = Unit.objects.filter(name=PROGRAMME_ORGANISER).order_by("path").first()
        missing = [
            Programme(
                name=name,
                year=year,
                tier=tier,
                status=status,
                description=description,
                organiser=organiser,
            )
            for name, year, tier, status, description in PROGRAMMES
            if (name, year) not in existing
        ]
        created = Programme.objects.bulk_create(missing)
        self.programmes = [*existing.values(), *created]
        return len(created)

    # choosing -----------------------------------------------------------------------------

    def build(self, plans: list[_Plan], children: dict, add) -> _PoolRows:
        rng, today = self.rng, self.today
        rows = _PoolRows()
        sanctions: dict[int, Sanction] = {}  # the latest of each cadre's
        for sanction in children.get(Sanction, ()):
            if (
                sanction.cadre_id not in sanctions
                or sanction.decided_on > sanctions[sanction.cadre_id].decided_on
            ):
                sanctions[sanction.cadre_id] = sanction
        in_force = {s.cadre_id for s in children.get(Sanction, ()) if _in_force(s, today)}
        red = {
            w.cadre_id: w
            for w in children.get(CadreWarning, ())
            if w.level == codes.WarningLevel.RED and w.closed_on is None
        }
        promotions = {
            m.cadre_id: m for m in children.get(Movement, ()) if m.kind == codes.MovementKind.PROMOTION
        }
        wanted = {
            kind: (max(1, round(len(plans) * rate)) if len(plans) >= 20 else 0)
            for kind, rate in BREAKERS.items()
        }
        clean: list[tuple[_Plan, PoolMembership]] = []  # open members breaking no rule

        for plan in plans:
            cadre = plan.cadre
            age = _age(cadre.birth_date, today)
            if age > 50:
                continue
            tier = self._tier_now(cadre, age)
            tainted = cadre.pk in in_force or cadre.pk in red
            promotion = promotions.get(cadre.pk)
            sanction = sanctions.get(cadre.pk)
            if (
                promotion
                and promotion.date == cadre.post_since
                and self._promoted(plan, promotion, None if tainted else tier, rows, clean)
            ):
                continue
            if sanction:
                breaker = tier and cadre.pk in in_force and wanted["sanction"] > 0
                if self._sanctioned(plan, sanction, tier, breaker, rows):
                    wanted["sanction"] -= bool(breaker)
                    continue
            if tier and cadre.pk in red and cadre.pk not in in_force and wanted["red"] > 0:
                entered = self._entry(plan, tier, high=red[cadre.pk].raised_on - datetime.timedelta(days=30))
                if entered:
                    self._membership(plan, tier, entered, rows)
                    wanted["red"] -= 1
                    continue
            if cadre.level in POOL_AGE_LIMITS and tier is None:
                outcome = self._over_age(plan, age, not tainted and wanted["over_age"] > 0, rows)
                wanted["over_age"] -= outcome == "open"
                if outcome:
                    continue
            if tier and not tainted:
                self._young(plan, tier, rows, clean)

        # Not enough of the seed's own sanctions and red warnings on young cadres: add some.
        for kind in ("sanction", "red"):
            for _ in range(wanted[kind]):
                if not clean:
                    break
                plan, membership = clean.pop(rng.randrange(len(clean)))
                low = max(membership.entered_on, today - datetime.timedelta(days=150)) + datetime.timedelta(
                    days=1
                )
                day = day_between(rng, low, today - datetime.timedelta(days=1))
                if kind == "sanction":
                    self._add_sanction(plan, day, add)
                else:
                    add(
                        CadreWarning,
                        cadre_id=plan.cadre.pk,
                        level=codes.WarningLevel.RED,
                        source=rng.choice(codes.WarningSource.values),
                        raised_on=day,
                        note=rng.choice(WARNING_NOTES),
                    )
        return rows

    @staticmethod
    def _tier_now(cadre: Cadre, age: int) -> str | None:
        """The tier the cadre would be taken in at today, if young enough for it."""
        if cadre.level in SEED_AGE_LIMITS:
            return cadre.level if age <= SEED_AGE_LIMITS[cadre.level] else None
        if not cadre.level and age <= YOUNG_STAFF_AGE and cadre.ft_education in ("11", "14", "21"):
            return TD
        return None

    def _entry(self, plan: _Plan, tier: str, high: datetime.date, low: datetime.date | None = None):
        """An entry date in [low, high]: after a year's work, after taking up the tier's post, not before
        2019; None when there is none."""
        cadre = plan.cadre
        floor = max(add_months(cadre.work_start_date, 12), POOL_SINCE, low or POOL_SINCE)
        if cadre.level == tier:
            floor = max(floor, cadre.post_since)
        high = min(high, self.today - datetime.timedelta(days=14))
        return day_between(self.rng, floor, high) if floor <= high else None

    def _young(self, plan: _Plan, tier: str, rows: _PoolRows, clean: list) -> None:
        rng, today = self.rng, self.today
        if not _share(rng, OPEN_SHARE[tier if plan.cadre.level else "staff"]):
            return
        draw = rng.random()
        if draw < 0.09:  # an earlier membership, exited: back since (调离), or out (其他 …)
            reason = _EXIT.TRANSFERRED if draw < 0.05 else _OTHER_EXITS.pick(rng)
            entered = self._entry(plan, tier, high=add_months(today, -24))
            if entered is None:
                return
            exited = day_between(rng, add_months(entered, 6), add_months(today, -12))
            self._membership(plan, tier, entered, rows, exit=(reason, exited, rng.choice(EXIT_NOTES[reason])))
            if reason != _EXIT.TRANSFERRED:
                return
            entered = self._entry(plan, tier, low=add_months(exited, 6), high=today)
            if entered is None:
                return
        else:
            entered = self._entry(plan, tier, high=today)
            if entered is None:
                return
        clean.append((plan, self._membership(plan, tier, entered, rows)))

    def _promoted(self, plan: _Plan, promotion: Movement, tier_now, rows: _PoolRows, clean: list) -> bool:
        """In the pool at the level below until promoted (提拔使用); maybe back in at the new tier."""
        rng, cadre = self.rng, plan.cadre
        day = promotion.date
        tier = (
            promotion.from_level
            if promotion.from_level in SEED_AGE_LIMITS
            else (TD if not promotion.from_level else None)
        )
        if (
            tier is None
            or day < add_months(POOL_SINCE, 12)
            or _age(cadre.birth_date, day) > SEED_AGE_LIMITS[tier]
        ):
            return False
        if not _share(rng, PROMOTED_SHARE):
            return False
        floor = max(add_months(cadre.work_start_date, 12), POOL_SINCE, add_months(day, -48))
        high = day - datetime.timedelta(days=90)
        if floor > high:
            return False
        entered = day_between(rng, floor, high)
        note = f"提拔任{promotion.to_post}"
        self._membership(plan, tier, entered, rows, exit=(_EXIT.PROMOTED, day, note))
        if tier_now and _share(rng, REENTRY_AFTER_PROMOTION):
            again = self._entry(plan, tier_now, low=day + datetime.timedelta(days=90), high=self.today)
            if again:
                clean.append((plan, self._membership(plan, tier_now, again, rows)))
        return True

    def _sanctioned(self, plan: _Plan, sanction: Sanction, tier, breaker: bool, rows: _PoolRows) -> bool:
        """A young cadre with a sanction: exited for it, or (``breaker``) still in, awaiting review."""
        rng, cadre, decided = self.rng, plan.cadre, sanction.decided_on
        if breaker:
            entered = self._entry(plan, tier, high=decided - datetime.timedelta(days=30))
            if entered:
                self._membership(plan, tier, entered, rows)
                return True
            return False
        tier = cadre.level if cadre.level in SEED_AGE_LIMITS else (TD if not cadre.level else None)
        if tier is None or _age(cadre.birth_date, decided) > SEED_AGE_LIMITS[tier]:
            return False
        if not _share(rng, SANCTION_EXIT_SHARE):
            return False
        entered = self._entry(plan, tier, high=decided - datetime.timedelta(days=30))
        if entered is None:
            return False
        kind = codes.SANCTION_KIND[sanction.sanction]
        reason = (
            _EXIT.DISCIPLINE
            if kind in (codes.SanctionKind.PARTY, codes.SanctionKind.ADMINISTRATIVE)
            else _EXIT.ORG_HANDLING
        )
        exited = min(
            day_between(rng, decided + datetime.timedelta(days=7), decided + datetime.timedelta(days=45)),
            self.today,
        )
        note = f"受到{_labels(codes.Sanction)[sanction.sanction]}（{sanction.doc_number}）"
        self._membership(plan, tier, entered, rows, exit=(reason, exited, note))
        return True

    def _over_age(self, plan: _Plan, age: int, breaker: bool, rows: _PoolRows) -> str:
        """A leader past the tier's limit in the last four years: exited 超龄, or (``breaker``) still in.
        Returns "open", "out" or "" (not taken)."""
        rng, cadre = self.rng, plan.cadre
        limit = POOL_AGE_LIMITS[cadre.level]
        over_from = add_months(cadre.birth_date, 12 * (limit + 1))  # flagged from this day
        if over_from < add_months(self.today, -48):
            return ""
        entered = self._entry(plan, cadre.level, high=over_from - datetime.timedelta(days=60))
        if entered is None:
            return ""
        if breaker:
            self._membership(plan, cadre.level, entered, rows)
            return "open"
        if not _share(rng, OVER_AGE_EXIT_SHARE):
            return ""
        exited = min(day_between(rng, over_from, over_from + datetime.timedelta(days=90)), self.today)
        note = f"年满{limit + 1}周岁，超过{_labels(codes.LeadershipLevel)[cadre.level]}人选年龄要求"
        self._membership(plan, cadre.level, entered, rows, exit=(_EXIT.OVER_AGE, exited, note))
        return "out"

    def _add_sanction(self, plan: _Plan, decided_on: datetime.date, add) -> None:
        rng = self.rng
        sanction = _SANCTIONS.pick(rng)
        issuer, prefix = SANCTION_ISSUERS[codes.SANCTION_KIND[sanction]]
        add(
            Sanction,
            cadre_id=plan.cadre.pk,
            sanction=sanction,
            decided_on=decided_on,
            issuer=issuer,
            doc_number=f"{prefix}〔{decided_on.year}〕{rng.randint(1, 60)}号",
            reason=rng.choice(SANCTION_REASONS),
            **sanction_values(sanction, decided_on),
        )

    # the records -----------------------------------------------------------------------------

    def _programme(self, tier: str, entered: datetime.date) -> Programme | None:
        """One of the tier's programmes running when the member entered (a quarter of members have none)."""
        running = [
            p
            for p in self.programmes
            if p.tier == tier
            and p.year <= entered.year
            and (p.status == _PS.ACTIVE or (p.status == _PS.CLOSED and p.year == entered.year))
        ]
        return self.rng.choice(running) if running and _share(self.rng, 0.75) else None

    def _membership(self, plan: _Plan, tier: str, entered: datetime.date, rows: _PoolRows, exit=None):
        rng, cadre = self.rng, plan.cadre
        if plan.unit.kind in (codes.UnitKind.ENTERPRISE, codes.UnitKind.INSTITUTION) and _share(rng, 0.6):
            source = _PSRC.ENTERPRISE
        else:
            source = (_STAFF_SOURCES if not cadre.level else _LEADER_SOURCES).pick(rng)
        programme = self._programme(tier, entered)
        reason, exited, note = exit or ("", None, "")
        membership = PoolMembership(
            cadre_id=cadre.pk,
            programme_id=programme.pk if programme else None,
            tier=tier,
            status=codes.PoolStatus.OUT if exit else codes.PoolStatus.IN,
            entered_on=entered,
            source=source,
            recommending_unit_id=plan.unit.pk if _share(rng, 0.8) else None,
            exited_on=exited,
            exit_reason=reason,
            exit_note=note,
        )
        rows.memberships.append(membership)
        self._dossier(plan, membership, rows)
        if exit is None and _share(rng, 0.8):
            self._plan(plan, membership, rows)
        if _share(rng, 0.4 if exit is None else 0.25):
            grassroots = programme is not None and "蹲苗" in programme.name
            self._posting(plan, membership, grassroots, rows)
        return membership

    def _plan(self, plan: _Plan, membership: PoolMembership, rows: _PoolRows) -> None:
        rng, today = self.rng, self.today
        enterprise = plan.unit.kind == codes.UnitKind.ENTERPRISE
        development = DevelopmentPlan(
            direction=rng.choice(ENTERPRISE_DIRECTIONS if enterprise else DIRECTIONS),
            responsible_leader=f"{chinese_name(rng, pick_gender(rng))}（{rng.choice(LEADER_TITLES)}）",
            next_review_on=(
                today - datetime.timedelta(days=rng.randint(1, 60))  # overdue
                if _share(rng, 0.1)
                else today + datetime.timedelta(days=rng.randint(15, 180))
            ),
        )
        rows.plans.append((membership, development))
        entered = membership.entered_on
        for text in rng.sample(PLAN_MEASURES, rng.randint(2, 3)):
            due = month_between(rng, add_months(entered, 6), add_months(entered, 36)) - datetime.timedelta(
                days=1
            )
            done = due < today and _share(rng, 0.7)
            rows.measures.append((development, PlanMeasure(text=text, due_on=due, done=done)))
        first = entered + datetime.timedelta(days=180)
        if first <= today and _share(rng, 0.8):
            for _ in range(1 if _share(rng, 0.7) else 2):
                reviewed = day_between(rng, first, today)
                rows.reviews.append(
                    (development, PlanReview(reviewed_on=reviewed, notes=rng.choice(REVIEW_NOTES)))
                )

    def _dossier(self, plan: _Plan, membership: PoolMembership, rows: _PoolRows) -> None:
        rng, cadre = self.rng, plan.cadre
        entered, end = membership.entered_on, membership.exited_on or self.today
        K = codes.DossierKind

        def entry(day, kind, text):
            rows.dossier.append(DossierEntry(cadre_id=cadre.pk, date=day, kind=kind, text=text))

        inspected = max(entered - datetime.timedelta(days=rng.randint(7, 40)), cadre.work_start_date)
        entry(
            inspected,
            K.INSPECTION,
            f"入库考察：政治素质好，工作实绩突出，民主推荐得票率{rng.randint(80, 98)}%",
        )
        for kind in rng.sample(list(DOSSIER_TEXTS), rng.randint(0, 3)):
            entry(day_between(rng, entered, end), kind, rng.choice(DOSSIER_TEXTS[kind]))
        if membership.exit_reason == _EXIT.PROMOTED:
            day = max(entered, membership.exited_on - datetime.timedelta(days=rng.randint(20, 60)))
            entry(day, K.INSPECTION, "拟提拔考察：考察对象德才表现好，同意提拔使用")
        elif membership.exit_reason:
            entry(
                membership.exited_on,
                K.TALK,
                f"出库谈话：告知调整出库原因（{_labels(_EXIT)[membership.exit_reason]}）",
            )

    def _posting(self, plan: _Plan, membership: PoolMembership, grassroots: bool, rows: _PoolRows) -> None:
        """A posting since entry: finished (all of an exited member's), current, or ending within 30 days."""
        rng, today = self.rng, self.today
        kind = _PK.GRASSROOTS if grassroots and _share(rng, 0.7) else _POSTING_KINDS.pick(rng)
        months = rng.choice(POSTING_MONTHS[kind])
        end_limit = membership.exited_on or today
        state = (
            "finished"
            if membership.exited_on
            else rng.choices(("finished", "current", "ending"), (40, 40, 20))[0]
        )
        if state == "ending":  # planned to end within 30 days
            planned_end = today + datetime.timedelta(days=rng.randint(0, 30))
            start = add_months(planned_end + datetime.timedelta(days=1), -months)
            if start < membership.entered_on:
                return
        else:
            if state == "finished":
                low, high = membership.entered_on, add_months(end_limit, -months)
            else:  # current, planned to end about a month from today or later
                low = max(membership.entered_on, add_months(today, -months) + datetime.timedelta(days=32))
                high = today - datetime.timedelta(days=1)
            if low > high:
                return
            start = day_between(rng, low, high)
            planned_end = add_months(start, months) - datetime.timedelta(days=1)
        if kind == _PK.GRASSROOTS:
            host_kind, host = _HK.GRASSROOTS, rng.choice(self.townships)
        elif kind == _PK.ROTATION:
            host_kind = rng.choice((_HK.SPECIALIST_DEPARTMENT, _HK.GRASSROOTS))
            host = rng.choice(self.departments if host_kind == _HK.SPECIALIST_DEPARTMENT else self.townships)
        elif kind == _PK.SHADOWING:
            host_kind, host = rng.choice((_HK.HIGHER_ORGAN, _HK.SPECIALIST_DEPARTMENT)), None
        else:
            host_kind = _SECONDMENT_HOSTS.pick(rng)
            if host_kind == _HK.GRASSROOTS:
                host = rng.choice(self.townships)
            elif host_kind == _HK.STATE_ENTERPRISE and self.enterprises and _share(rng, 0.5):
                host = rng.choice(self.enterprises)
            else:
                host = None
        if host is not None and host.pk == plan.unit.pk:
            host = None
            host_kind = _HK.DEVELOPED_REGION if kind != _PK.SHADOWING else _HK.HIGHER_ORGAN
        if kind == _PK.SHADOWING:
            post = "跟班学习"
        elif kind == _PK.ROTATION:
            post = "挂职副科长" if host_kind == _HK.SPECIALIST_DEPARTMENT else "挂职副镇长"
        else:
            post = rng.choice(HOST_POSTS[host_kind])
        finished = state == "finished"
        self.doc_serial += 1
        rows.postings.append(
            PracticePosting(
                cadre_id=plan.cadre.pk,
                kind=kind,
                host_kind=host_kind,
                host_unit_id=host.pk if host else None,
                host_name="" if host else rng.choice(HOST_NAMES[host_kind]),
                post=post,
                start=start,
                planned_end=planned_end,
                actual_end=planned_end if finished else None,
                evaluation=rng.choice(POSTING_EVALUATIONS) if finished else "",
                doc_number=f"遵组干〔{start.year}〕{self.doc_serial % 300 + 1}号",
            )
        )


def add_arguments(parser) -> None:
    parser.add_argument(
        "--cadres",
        type=int,
        default=DEFAULT_CADRES,
        metavar="N",
        help=f"演示干部总数：不足 N 个时补足（含简历、家庭成员、考核等），默认 {DEFAULT_CADRES}；0 表示不建",
    )


def seed(options: dict, stdout) -> None:
    """Top the cadres up to ``--cadres`` and print one line with the counts and seconds."""
    started = perf_counter()
    target = options.get("cadres", DEFAULT_CADRES)
    existing = Cadre.objects.count()
    if target <= existing:
        stdout.write(f"seed_demo: 干部已有 {existing} 个，未新建")
        seed_teams(timezone.localdate(), stdout)  # a database seeded before teams existed gets them
        return
    units = [
        _Unit(*row)
        for row in Unit.objects.filter(kind__in=SEED_UNIT_KINDS)
        .order_by("path")
        .values_list("pk", "name", "kind", "admin_level")
    ]
    if not units:
        stdout.write("seed_demo: 没有可安排干部的单位，未新建干部")
        return
    taken = set(Cadre.objects.exclude(id_number="").values_list("id_number", flat=True))
    seeder = _Seeder(
        random.Random(f"cadres:{existing}"),
        units,
        timezone.localdate(),
        taken,
        pool_rng=random.Random(f"pool:{existing}"),
    )
    seeder.run(target - existing)
    created = seeder.counts.pop(Cadre)
    children = "，".join(f"{model._meta.verbose_name} {n}" for model, n in seeder.counts.items())
    stdout.write(
        f"seed_demo: 干部 {created} 个新建（共 {existing + created} 个）；{children}；"
        f"用时 {perf_counter() - started:.1f} 秒"
    )
    seed_teams(timezone.localdate(), stdout)


# --- 领导班子: post quotas, 综合研判 and 平时考核 (cadres.teams) ------------------------------------------
# Teams are the counties (their 党委 and 政府 at the county unit) and the few city departments with
# the most leaders. Each level a team's serving cadres hold gets a quota of that many — split 党委/政府 in
# a county — and a county always has its 正职 and 副职 quotas; some levels get one more than are
# serving (缺配), one level one fewer (超配). The structure rules (data, migration 0010) are not
# seeded around: small demo teams miss some of them, as real ones do. Teams are seeded once, when
# there is no quota yet, so running again (or topping the cadres up) adds nothing.
TEAM_DEPARTMENTS = 6  # city departments made teams
VACANCY_SHARE = 0.3  # of quota rows: one more post approved than cadres serving
ANALYSED_TEAMS = 4  # teams with last year's 综合研判, their members' evaluations and 平时考核
QUOTA_DOC = "遵编发〔2024〕{n}号"
QUOTA_DATE = datetime.date(2024, 3, 1)
ANALYSIS_TEXTS = (
    ("政治站位高，团结协作好，推动发展有力", "年龄结构偏大，专业化干部不足", "适时选配1名年轻干部"),
    ("班子运行顺畅，抓落实能力较强", "创新意识有待增强", "加强经济金融方面的专业力量"),
    ("民主集中制执行较好，作风务实", "个别成员担当精神不足", "调整优化分工"),
)
MEMBER_TEXTS = ("政治坚定，敢于担当，工作实绩突出", "统筹协调能力强，作风扎实", "熟悉分管工作，执行力较强")
_TEAM_RATINGS = _Weighted(
    [(codes.TeamRating.GOOD, 45), (codes.TeamRating.FAIRLY_GOOD, 40), (codes.TeamRating.AVERAGE, 15)]
)
_REGULAR_RATINGS = _Weighted(
    [(codes.TeamRating.GOOD, 55), (codes.TeamRating.FAIRLY_GOOD, 35), (codes.TeamRating.AVERAGE, 10)]
)


def _team_units() -> list[Unit]:
    root = Unit.objects.filter(parent=None).order_by("path").first()
    if root is None:
        return []
    leaders = Count("cadres", filter=Q(cadres__status=codes.CadreStatus.SERVING) & ~Q(cadres__level=""))
    departments = (
        Unit.objects.filter(parent=root, kind=codes.UnitKind.DEPARTMENT)
        .annotate(leaders=leaders)
        .filter(leaders__gt=0)
        .order_by("-leaders", "path")[:TEAM_DEPARTMENTS]
    )
    counties = Unit.objects.filter(kind=codes.UnitKind.COUNTY).order_by("path")
    return sorted([*counties, *departments], key=lambda unit: unit.path)


def _quota_split(unit: Unit, level: str, approved: int) -> list[tuple[str, int]]:
    """(post kind, approved) rows of one unit and level: a county's posts are 党委 and 政府."""
    if unit.kind != codes.UnitKind.COUNTY:
        return [(codes.PostKind.DEPARTMENT, approved)]
    if level not in (L.COUNTY_CHIEF, L.COUNTY_DEPUTY):
        return [("", approved)]
    party = (approved + 1) // 2
    return [
        (kind, n)
        for kind, n in ((codes.PostKind.PARTY, party), (codes.PostKind.GOVERNMENT, approved - party))
        if n
    ]


def seed_teams(today: datetime.date, stdout) -> None:
    """Post quotas for the demo teams, with a few 综合研判 and 平时考核 (see above); one line out."""
    if PostQuota.objects.exists():  # seeded once (or staff set quotas): a top-up leaves them
        return
    rng = random.Random("teams")
    units = _team_units()
    if not units:
        return
    held: Counter[tuple[int, str]] = Counter()
    members: dict[int, list[int]] = {}
    for pk, unit_id, level in (
        Cadre.objects.filter(status=codes.CadreStatus.SERVING, unit__in=units)
        .exclude(level="")
        .order_by("unit__path", "pk")
        .values_list("pk", "unit_id", "level")
    ):
        held[unit_id, level] += 1
        members.setdefault(unit_id, []).append(pk)
    approved: dict[tuple[int, str], int] = {}
    for unit in units:
        levels = {level for unit_id, level in held if unit_id == unit.pk}
        if unit.kind == codes.UnitKind.COUNTY:
            levels |= {L.COUNTY_CHIEF, L.COUNTY_DEPUTY}
        for level in sorted(levels, key=lambda code: -codes.level_order(code)):
            serving = held[unit.pk, level]
            approved[unit.pk, level] = serving + (1 if not serving or _share(rng, VACANCY_SHARE) else 0)
    over = next((key for key, n in held.items() if n >= 2), None)
    if over is not None:
        approved[over] = held[over] - 1
    by_pk = {unit.pk: unit for unit in units}
    quotas = [
        PostQuota(
            unit_id=unit_id,
            level=level,
            post_kind=kind,
            approved=n,
            doc_number=QUOTA_DOC.format(n=number),
            approved_on=QUOTA_DATE,
        )
        for number, ((unit_id, level), total) in enumerate(approved.items(), 1)
        for kind, n in _quota_split(by_pk[unit_id], level, total)
    ]
    year = today.year - 1
    analysed = [unit for unit in units if members.get(unit.pk)][:ANALYSED_TEAMS]
    analyses = [
        TeamAnalysis(
            unit_id=unit.pk,
            year=year,
            analysed_on=datetime.date(year, 12, 15),
            rating=_TEAM_RATINGS.pick(rng),
            **dict(zip(("strengths", "problems", "adjustments"), rng.choice(ANALYSIS_TEXTS), strict=True)),
        )
        for unit in analysed
    ]
    with transaction.atomic():
        bulk_insert(PostQuota, quotas)
        bulk_insert(TeamAnalysis, analyses)
        evaluations = [
            MemberAssessment(analysis_id=analysis.pk, cadre_id=pk, assessment=rng.choice(MEMBER_TEXTS))
            for analysis in analyses
            for pk in members[analysis.unit_id]
        ]
        bulk_insert(MemberAssessment, evaluations)
        # 平时考核 of the analysed teams' members for the last two finished quarters.
        quarter_index = (today.year * 4 + (today.month - 1) // 3) - 1
        quarters = [divmod(quarter_index - back, 4) for back in (1, 0)]
        cadres = [pk for unit in analysed for pk in members[unit.pk]]
        taken = set(
            RegularAssessment.objects.filter(cadre_id__in=cadres).values_list("cadre_id", "year", "quarter")
        )
        regular = [
            RegularAssessment(cadre_id=pk, year=y, quarter=q + 1, rating=_REGULAR_RATINGS.pick(rng))
            for pk in cadres
            for y, q in quarters
            if (pk, y, q + 1) not in taken
        ]
        bulk_insert(RegularAssessment, regular)
    stdout.write(
        f"seed_demo: 领导班子 {len(units)} 个；领导职数 {len(quotas)}，班子综合研判 {len(analyses)}，"
        f"班子成员评价 {len(evaluations)}，平时考核 {len(regular)}"
    )
