"""Demo training-office records for ``manage.py seed_demo --classes N``.

On top of the cadres seeded by cadres.demo (the serving ones, by their 职务层次 ``level``), ``seed``
tops the classes up to N, spread over this year and the three before: most finished (结业), one in
session (在训) and one enrolling (报名中) this year. Each class has 4–10 courses, the cadres of its
target levels enrolled within its capacity and the counties' quotas (PlanQuota), attendance per
course and, once finished, what training.services.complete_class would have written: hours
credited (the class's hours less the hours of the courses missed — 缺勤 or 请假), certificate
numbers "{end year}-{class id}-{seq:03d}" in the enrolments' order, and 退训 for leave beyond
LEAVE_LIMIT in a 脱产 class. A few trainees withdrew (退训) or did not come (缺训), with reasons.
Trainees who attended evaluate the class and the courses they attended (five points; a couple of
classes on a hundred). Cadres without any get their 其他学时 (网络培训, 外单位培训, 自学; approved,
pending or rejected), so the hours ledger (training.ledger) shows cadres both met and short.

The annual plans (one a year), venues and teachers are created once, matched by year and name.
The hours requirements come from migration 0004 and are not touched.

As in cadres.demo and talent.demo: values come from one ``random.Random`` seeded with the number of
classes already there, rows are bulk-written in one transaction without history rows, and a second
run with the same N adds nothing.
"""

import datetime
import random
from collections import Counter, defaultdict
from decimal import Decimal
from fractions import Fraction
from time import perf_counter
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

from cadres.models import Cadre
from orgportal import codes
from orgportal.demo import bulk_insert
from orgportal.models import Unit

from .models import (
    LEAVE_LIMIT,
    Attendance,
    ClassEvaluation,
    Course,
    CourseEvaluation,
    Enrolment,
    EvaluationScale,
    EvaluationSetting,
    ExternalHours,
    PlanQuota,
    Teacher,
    TrainingClass,
    TrainingPlan,
    Venue,
)

DEFAULT_CLASSES = 24  # what `make run` gets
PLAN_YEARS = 4  # this year and the three before
DAY = datetime.timedelta(days=1)
PLAN_NAME = "全市干部教育培训调训计划"
ORGANISER = "市委组织部"
PARTY_SCHOOL_UNIT = "中共遵义市委党校"
REVIEWER = "city_cadre"

Kind, Status = codes.ClassKind, codes.ClassStatus
ES, AS = codes.EnrolmentStatus, codes.AttendanceStatus
VK, TK, Mode = codes.VenueKind, codes.TeacherKind, codes.CourseMode
XK, PS = codes.ExternalHoursKind, codes.ReviewResult

VENUES = [
    ("中共遵义市委党校", VK.PARTY_SCHOOL, "遵义市新蒲新区新蒲大道"),
    ("遵义干部学院", VK.CADRE_ACADEMY, "遵义市汇川区董公寺街道"),
    ("遵义会议纪念馆现场教学点", VK.FIELD_SITE, "遵义市红花岗区子尹路96号"),
    ("娄山关红军战斗遗址红色教育基地", VK.RED_BASE, "遵义市汇川区板桥镇娄山关"),
    ("四渡赤水纪念馆红色教育基地", VK.RED_BASE, "习水县土城镇"),
    ("苟坝会议会址现场教学点", VK.FIELD_SITE, "播州区枫香镇苟坝村"),
    ("湄潭县茶海生态园现场教学点", VK.FIELD_SITE, "湄潭县永兴镇"),
    ("花茂村乡村振兴现场教学点", VK.FIELD_SITE, "播州区枫香镇花茂村"),
    ("中共贵州省委党校", VK.PARTY_SCHOOL, "贵阳市云岩区新添大道"),
    ("浙江大学继续教育学院", VK.OTHER, "杭州市西湖区紫金港路"),
]
TEACHERS = [
    # name, kind, employer, field
    ("王学军", TK.PARTY_SCHOOL, "中共遵义市委党校", "习近平新时代中国特色社会主义思想"),
    ("李红梅", TK.PARTY_SCHOOL, "中共遵义市委党校", "党史党建"),
    ("陈志远", TK.PARTY_SCHOOL, "中共遵义市委党校", "马克思主义理论"),
    ("张晓燕", TK.PARTY_SCHOOL, "中共遵义市委党校", "公共管理"),
    ("刘建华", TK.PARTY_SCHOOL, "遵义干部学院", "遵义会议精神"),
    ("杨光明", TK.PARTY_SCHOOL, "遵义干部学院", "长征精神与党性教育"),
    ("周丽萍", TK.PARTY_SCHOOL, "中共贵州省委党校", "经济发展与区域战略"),
    ("赵国强", TK.LEADER, "中共遵义市委", "全面从严治党"),
    ("吴海涛", TK.LEADER, "遵义市人民政府", "营商环境与高质量发展"),
    ("孙立新", TK.LEADER, "市委组织部", "干部队伍建设"),
    ("郑文斌", TK.LEADER, "市农业农村局", "乡村振兴"),
    ("黄静", TK.LEADER, "市应急管理局", "应急管理与安全生产"),
    ("徐明远", TK.SCHOLAR, "贵州大学", "数字经济"),
    ("何晓东", TK.SCHOLAR, "遵义医科大学", "公共卫生与健康治理"),
    ("罗志刚", TK.SCHOLAR, "浙江大学", "基层社会治理"),
    ("谢文华", TK.SCHOLAR, "遵义师范学院", "红色文化与地方史"),
    ("马红英", TK.MODEL, "播州区枫香镇花茂村", "乡村振兴实践"),
    ("冯大海", TK.MODEL, "湄潭县茶业协会", "茶产业发展"),
    ("邓秀兰", TK.MODEL, "遵义会议纪念馆", "红色讲解"),
    ("曹永福", TK.MODEL, "正安县吉他产业园", "产业招商"),
]
COURSES = {
    # theme: (title, mode, teacher kinds)
    "theory": [
        ("深入学习贯彻习近平新时代中国特色社会主义思想", Mode.LECTURE, (TK.PARTY_SCHOOL, TK.LEADER)),
        ("学习贯彻党的二十届四中全会精神", Mode.LECTURE, (TK.PARTY_SCHOOL, TK.LEADER)),
        ("马克思主义中国化时代化的最新成果", Mode.LECTURE, (TK.PARTY_SCHOOL,)),
        ("全面从严治党向纵深发展", Mode.LECTURE, (TK.LEADER, TK.PARTY_SCHOOL)),
        ("新时代党的组织路线", Mode.LECTURE, (TK.LEADER,)),
        ("中国式现代化的理论与实践", Mode.LECTURE, (TK.SCHOLAR, TK.PARTY_SCHOOL)),
        ("党纪学习教育：《中国共产党纪律处分条例》解读", Mode.LECTURE, (TK.PARTY_SCHOOL,)),
        ("学员论坛：理论学习体会交流", Mode.DISCUSSION, ()),
    ],
    "red": [
        ("遵义会议的历史地位和伟大意义", Mode.FIELD, (TK.PARTY_SCHOOL, TK.MODEL)),
        ("遵义会议会址现场教学", Mode.FIELD, (TK.MODEL,)),
        ("娄山关战斗遗址现场教学", Mode.FIELD, (TK.MODEL, TK.PARTY_SCHOOL)),
        ("四渡赤水：战略转兵与军事智慧", Mode.LECTURE, (TK.PARTY_SCHOOL, TK.SCHOLAR)),
        ("苟坝会议与民主集中制", Mode.FIELD, (TK.PARTY_SCHOOL,)),
        ("弘扬伟大长征精神 走好新的长征路", Mode.LECTURE, (TK.PARTY_SCHOOL, TK.LEADER)),
        ("重温入党誓词", Mode.FIELD, ()),
        ("党性分析交流", Mode.DISCUSSION, ()),
    ],
    "governance": [
        ("优化营商环境与招商引资", Mode.LECTURE, (TK.LEADER, TK.SCHOLAR)),
        ("数字经济赋能高质量发展", Mode.LECTURE, (TK.SCHOLAR,)),
        ("基层社会治理创新案例", Mode.CASE, (TK.SCHOLAR, TK.LEADER)),
        ("应急管理与突发事件处置", Mode.CASE, (TK.LEADER,)),
        ("依法行政与法治政府建设", Mode.LECTURE, (TK.SCHOLAR, TK.PARTY_SCHOOL)),
        ("领导干部心理健康与压力调适", Mode.LECTURE, (TK.SCHOLAR,)),
        ("正安吉他产业园招商经验", Mode.FIELD, (TK.MODEL,)),
        ("分组研讨：推动本地区高质量发展", Mode.DISCUSSION, ()),
    ],
    "rural": [
        ("乡村振兴战略与巩固拓展脱贫攻坚成果", Mode.LECTURE, (TK.LEADER, TK.PARTY_SCHOOL)),
        ("花茂村“红色美丽村庄”建设现场教学", Mode.FIELD, (TK.MODEL,)),
        ("湄潭茶产业发展现场教学", Mode.FIELD, (TK.MODEL,)),
        ("农村集体经济发展案例", Mode.CASE, (TK.MODEL, TK.SCHOLAR)),
        ("“千万工程”经验解读", Mode.LECTURE, (TK.SCHOLAR, TK.LEADER)),
        ("基层党组织建设与村级治理", Mode.LECTURE, (TK.PARTY_SCHOOL,)),
        ("乡镇干部群众工作方法", Mode.CASE, (TK.LEADER, TK.MODEL)),
        ("分组研讨：抓党建促乡村振兴", Mode.DISCUSSION, ()),
    ],
    "online": [
        ("习近平新时代中国特色社会主义思想专题（网络）", Mode.ONLINE, (TK.PARTY_SCHOOL,)),
        ("党史学习教育专题（网络）", Mode.ONLINE, (TK.PARTY_SCHOOL, TK.SCHOLAR)),
        ("数字政府建设（网络）", Mode.ONLINE, (TK.SCHOLAR,)),
        ("安全生产与应急管理（网络）", Mode.ONLINE, (TK.LEADER,)),
        ("保密知识与网络安全（网络）", Mode.ONLINE, (TK.SCHOLAR,)),
        ("新修订《干部教育培训工作条例》解读（网络）", Mode.ONLINE, (TK.LEADER, TK.PARTY_SCHOOL)),
        ("铸牢中华民族共同体意识（网络）", Mode.ONLINE, (TK.SCHOLAR,)),
        ("生态文明建设与绿色发展（网络）", Mode.ONLINE, (TK.SCHOLAR,)),
    ],
}
COUNTY_LEVELS = "county_chief,county_deputy"
TOWNSHIP_LEVELS = "township_chief,township_deputy"


class Template(NamedTuple):
    name: str
    kind: str
    levels: str
    days: int
    hours: int  # the class's hours (at least its courses')
    capacity: int
    full_time: bool
    venues: tuple[str, ...]  # VenueKind, the first present
    themes: tuple[str, ...]


TEMPLATES = [
    Template("全市县处级领导干部进修班", Kind.MAIN, COUNTY_LEVELS, 15, 90, 40, True, (VK.PARTY_SCHOOL,), ("theory", "governance", "red")),
    Template("全市乡科级领导干部培训班", Kind.MAIN, TOWNSHIP_LEVELS, 10, 60, 60, True, (VK.PARTY_SCHOOL,), ("theory", "governance")),
    Template("中青年干部培训班", Kind.YOUNG_CADRES, "", 20, 120, 45, True, (VK.PARTY_SCHOOL, VK.CADRE_ACADEMY), ("theory", "red", "governance")),
    Template("遵义会议精神与党性教育研修班", Kind.SEMINAR, "", 5, 32, 50, True, (VK.CADRE_ACADEMY, VK.FIELD_SITE), ("red",)),
    Template("学习贯彻党的创新理论专题班", Kind.THEMATIC, f"{COUNTY_LEVELS},township_chief", 5, 30, 60, True, (VK.PARTY_SCHOOL,), ("theory",)),
    Template("基层干部轮训班", Kind.ROTATION, "", 4, 24, 80, True, (VK.PARTY_SCHOOL, VK.RED_BASE), ("theory", "rural")),
    Template("乡村振兴专题培训班", Kind.RURAL_REVITALISATION, TOWNSHIP_LEVELS, 6, 40, 60, True, (VK.FIELD_SITE,), ("rural",)),
    Template("领导干部读书班", Kind.READING, COUNTY_LEVELS, 4, 28, 30, True, (VK.PARTY_SCHOOL,), ("theory",)),
    Template("数字经济与营商环境专题研修班（委托浙江大学）", Kind.COMMISSIONED, "", 7, 48, 40, True, (VK.OTHER,), ("governance",)),
    Template("干部网络专题培训班", Kind.ONLINE, "", 60, 30, 150, False, (), ("online",)),
]  # fmt: skip
COURSE_HOURS = [(Decimal("3.0"), 45), (Decimal("3.5"), 15), (Decimal("4.0"), 30), (Decimal("6.0"), 10)]
ONLINE_COURSE_HOURS = [(Decimal("2.0"), 50), (Decimal("3.0"), 35), (Decimal("4.0"), 15)]

WITHDRAW_REASONS = [
    "单位有紧急工作任务，经批准退训",
    "本人生病住院，经批准退训",
    "岗位调整，经单位申请退训",
    "家中有特殊情况，经批准退训",
]
ABSENT_REASONS = [
    "工作任务繁重，单位未按时选派",
    "参加防汛值守，未能参训",
    "因病未能报到",
    "未按要求报到，已通报所在单位",
]
RESULTS = ["优秀", "良好", "合格", "合格", "合格"]
CLASS_COMMENTS = [
    "课程安排紧凑，理论与实践结合得好。",
    "现场教学很有震撼力，建议增加研讨时间。",
    "收获很大，希望多安排案例教学。",
    "组织管理规范，后勤保障到位。",
    "",
    "",
    "",
]
COURSE_COMMENTS = ["讲得透彻，联系实际。", "内容丰富。", "建议多留互动时间。", "", "", "", "", ""]
FIVE_SCORES = [(5, 50), (4, 35), (3, 11), (2, 3), (1, 1)]
EXTERNAL = {
    # kind: (share of cadres a year, hours low–high, providers)
    XK.ONLINE: (0.85, (30, 70), ("贵州省干部网络学院", "中国干部网络学院", "学习强国·学习平台")),
    XK.OTHER_ORG: (
        0.4,
        (16, 48),
        ("中共贵州省委党校", "浙江大学继续教育学院", "井冈山干部学院", "贵州省行政学院"),
    ),
    XK.SELF_STUDY: (0.2, (8, 20), ("个人自学（读书笔记、心得体会）",)),
}
EVIDENCE = {
    XK.ONLINE: "平台学时证明",
    XK.OTHER_ORG: "结业证书及学时证明",
    XK.SELF_STUDY: "读书笔记",
}
REJECT_NOTES = ["学时证明缺失，请补充后重新登记", "与已登记班次重复", "平台记录与申报学时不符"]


def _pick(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _day_between(rng: random.Random, low: datetime.date, high: datetime.date) -> datetime.date:
    span = (high - low).days
    return low + datetime.timedelta(days=rng.randint(0, span)) if span > 0 else low


def leave_reason(leave: Decimal, class_hours: Decimal) -> str:
    """training.services.leave_exceeded's rule and reason, on values in hand ('' when within)."""
    if Fraction(leave) * LEAVE_LIMIT.denominator <= Fraction(class_hours) * LEAVE_LIMIT.numerator:
        return ""
    limit = f"{LEAVE_LIMIT.numerator}/{LEAVE_LIMIT.denominator}"
    return f"请假累计{leave}学时，超过班次总学时{class_hours}的{limit}，按规定退训"


class _Cadre(NamedTuple):
    pk: int
    level: str
    county: int | None  # the county (unit pk) the cadre's unit is under


class _Seeder:
    """Builds the classes and their records, then bulk-inserts them (counts in `counts`)."""

    def __init__(self, rng: random.Random, today: datetime.date):
        self.rng, self.today = rng, today
        self.counts: Counter[type[models.Model]] = Counter()
        units = list(Unit.objects.order_by("path").values_list("pk", "name", "kind", "path"))
        self.root = units[0][0]
        self.organiser = next((pk for pk, name, *_ in units if name == ORGANISER), self.root)
        self.school = next((pk for pk, name, *_ in units if name == PARTY_SCHOOL_UNIT), self.organiser)
        self.counties = [(pk, path) for pk, _name, kind, path in units if kind == codes.UnitKind.COUNTY]
        self.cadres = [
            _Cadre(pk, level, next((c for c, p in self.counties if path.startswith(p)), None))
            for pk, level, path in Cadre.objects.filter(status=codes.CadreStatus.SERVING)
            .order_by("pk")
            .values_list("pk", "level", "unit__path")
        ]
        self.reviewer = (
            get_user_model().objects.filter(username=REVIEWER).values_list("pk", flat=True).first()
        )
        self.years = list(range(today.year - PLAN_YEARS + 1, today.year + 1))

    def _write(self, model, rows: list) -> list:
        bulk_insert(model, rows)
        self.counts[model] += len(rows)
        return rows

    # created once -------------------------------------------------------------------------------
    def plans(self) -> dict[int, TrainingPlan]:
        found = {p.year: p for p in TrainingPlan.objects.filter(name=PLAN_NAME, year__in=self.years)}
        new = [
            TrainingPlan(
                year=year,
                name=PLAN_NAME,
                organiser_id=self.organiser,
                status=codes.PlanStatus.IN_PROGRESS if year == self.today.year else codes.PlanStatus.DONE,
                note=f"根据《{year}—{year + 4}年全市干部教育培训规划》制定，名额分配到各县（市、区）。",
            )
            for year in self.years
            if year not in found
        ]
        self._write(TrainingPlan, new)
        return found | {p.year: p for p in new}

    def venues(self) -> dict[str, list[Venue]]:
        found = {v.name: v for v in Venue.objects.filter(name__in=[n for n, *_ in VENUES])}
        new = [Venue(name=n, kind=k, address=a) for n, k, a in VENUES if n not in found]
        self._write(Venue, new)
        by_kind = defaultdict(list)
        for venue in sorted([*found.values(), *new], key=lambda v: v.pk):
            by_kind[venue.kind].append(venue)
        return by_kind

    def teachers(self) -> dict[str, list[Teacher]]:
        found = {t.name: t for t in Teacher.objects.filter(name__in=[n for n, *_ in TEACHERS])}
        new = [Teacher(name=n, kind=k, employer=e, field=f) for n, k, e, f in TEACHERS if n not in found]
        self._write(Teacher, new)
        by_kind = defaultdict(list)
        for teacher in sorted([*found.values(), *new], key=lambda t: t.pk):
            by_kind[teacher.kind].append(teacher)
        return by_kind

    # classes ------------------------------------------------------------------------------------
    def _dates(self, template: Template, year: int, status: str) -> tuple[datetime.date, datetime.date]:
        rng, today, length = self.rng, self.today, (template.days - 1) * DAY
        if status == Status.IN_SESSION:
            start = today - rng.randint(1, min(3, template.days - 2)) * DAY
        elif status in (Status.ENROLLING, Status.PREPARING):
            start = today + rng.randint(7, 20) * DAY
        else:
            latest = datetime.date(year, 12, 20) - length
            if year == today.year:
                latest = min(latest, today - length - 3 * DAY)
            start = _day_between(rng, datetime.date(year, 3, 1), latest)
        return start, start + length

    def classes(self, count: int, existing: int, plans, venues) -> list[TrainingClass]:
        rng = self.rng
        cohorts = Counter(dict(TrainingClass.objects.values_list("name").annotate(n=models.Count("id"))))
        slots = [(existing + k) for k in range(count)]
        this_year = [i for i in slots if i % PLAN_YEARS == PLAN_YEARS - 1]
        ongoing = {this_year[-1]: Status.ENROLLING} if this_year else {}
        if len(this_year) > 1:
            ongoing[this_year[-2]] = Status.IN_SESSION
        rows = []
        for i in slots:
            template = TEMPLATES[i % len(TEMPLATES)]
            year = self.years[i % PLAN_YEARS]
            status = ongoing.get(i, Status.FINISHED)
            if status == Status.FINISHED and year == self.today.year:
                room = self.today - 3 * DAY - (template.days - 1) * DAY
                if room < datetime.date(year, 3, 1):  # early in the year: not held yet
                    status = Status.PREPARING
            start, end = self._dates(template, year, status)
            cohorts[template.name] += 1
            kinds = [v for kind in template.venues for v in venues.get(kind, [])]
            rows.append(
                TrainingClass(
                    name=template.name,
                    kind=template.kind,
                    plan=plans[year],
                    organiser_id=self.school if template.kind == Kind.COMMISSIONED else self.organiser,
                    venue=rng.choice(kinds) if kinds else None,
                    cohort=cohorts[template.name],
                    start_date=start,
                    end_date=end,
                    hours=Decimal(template.hours).quantize(Decimal("0.1")),
                    capacity=template.capacity,
                    target_levels=template.levels,
                    full_time=template.full_time,
                    status=status,
                )
            )
            rows[-1].template = template
        return rows

    def courses(self, training_class: TrainingClass, teachers) -> list[Course]:
        rng, template = self.rng, training_class.template
        pool = [c for theme in template.themes for c in COURSES[theme]]
        chosen = rng.sample(pool, min(len(pool), rng.randint(4, 10)))
        weights = ONLINE_COURSE_HOURS if template.kind == Kind.ONLINE else COURSE_HOURS
        days = sorted(_day_between(rng, training_class.start_date, training_class.end_date) for _ in chosen)
        rows = []
        for (title, mode, kinds), on in zip(chosen, days, strict=True):
            candidates = [t for kind in kinds for t in teachers.get(kind, [])]
            rows.append(
                Course(
                    training_class=training_class,
                    title=title,
                    teacher=rng.choice(candidates) if candidates else None,
                    date=on,
                    hours=_pick(rng, weights),
                    mode=mode,
                )
            )
        scheduled = sum(c.hours for c in rows)
        training_class.hours = max(training_class.hours, scheduled)  # set before the class is written
        return rows

    def enrolments(self, training_class: TrainingClass) -> list[Enrolment]:
        """Cadres of the class's target levels, within capacity; statuses by the class's state."""
        rng = self.rng
        levels = set(training_class.target_levels.split(",")) - {""}
        eligible = [c for c in self.cadres if not levels or c.level in levels]
        wanted = min(training_class.capacity, round(len(eligible) * rng.uniform(0.5, 0.9)))
        if len(eligible) and levels:  # few cadres of these levels: most of them go
            wanted = min(training_class.capacity, max(wanted, round(len(eligible) * 0.8)))
        chosen = sorted(rng.sample(eligible, min(wanted, len(eligible))), key=lambda c: c.pk)
        rows = []
        for cadre in chosen:
            enrolment = Enrolment(cadre_id=cadre.pk, training_class=training_class)
            enrolment.county = cadre.county
            roll = rng.random()
            start = training_class.start_date
            if training_class.status in (Status.PREPARING, Status.ENROLLING):
                enrolment.status = ES.APPLIED if roll < 0.35 else ES.CONFIRMED
            elif roll < 0.04:
                enrolment.status, enrolment.end_reason = ES.WITHDRAWN, rng.choice(WITHDRAW_REASONS)
                enrolment.ended_on = start - rng.randint(1, 5) * DAY
            elif roll < 0.07:
                enrolment.status, enrolment.end_reason = ES.ABSENT, rng.choice(ABSENT_REASONS)
                enrolment.ended_on = start
            else:
                enrolment.status = ES.IN_TRAINING  # completed below when the class is finished
            rows.append(enrolment)
        return rows

    def attendance(self, enrolment: Enrolment, courses: list[Course]) -> list[Attendance]:
        """One record per course held so far: mostly 出勤, now and then a course missed — 请假 seldom
        beyond what a 脱产 class allows (LEAVE_LIMIT: those few are 退训 at completion)."""
        rng, held = self.rng, [c for c in courses if c.date <= self.today]
        training_class = enrolment.training_class

        def missed(course: Course) -> str:
            within = not training_class.full_time or not leave_reason(course.hours, training_class.hours)
            return AS.LEAVE if rng.random() < (0.5 if within else 0.05) else AS.ABSENT

        skipped = set()
        roll = rng.random()
        if held and roll < 0.2:
            skipped = set(rng.sample(range(len(held)), 1 if roll < 0.17 else min(2, len(held))))
        return [
            Attendance(
                enrolment=enrolment,
                course=course,
                status=missed(course) if n in skipped else AS.PRESENT,
            )
            for n, course in enumerate(held)
        ]

    def complete(self, training_class: TrainingClass, enrolments, attendance) -> None:
        """What complete_class writes, on the class's end date."""
        on, seq = training_class.end_date, 0
        for enrolment in enrolments:
            if enrolment.status != ES.IN_TRAINING:
                continue
            records = attendance[id(enrolment)]
            leave = sum((a.course.hours for a in records if a.status == AS.LEAVE), Decimal(0))
            missed = sum((a.course.hours for a in records if a.status != AS.PRESENT), Decimal(0))
            reason = leave_reason(leave, training_class.hours) if training_class.full_time else ""
            if reason:
                enrolment.status, enrolment.ended_on, enrolment.end_reason = ES.WITHDRAWN, on, reason
                continue
            seq += 1
            enrolment.hours_credited = max(training_class.hours - missed, Decimal(0))
            enrolment.certificate_number = f"{on.year}-{training_class.pk}-{seq:03d}"
            enrolment.status, enrolment.ended_on = ES.COMPLETED, on
            enrolment.result = self.rng.choice(RESULTS)

    def quotas(self, training_class: TrainingClass, enrolments) -> list[PlanQuota]:
        """Each county's quota: at least the trainees it placed (some counties sent fewer)."""
        placed = Counter(
            e.county for e in enrolments if e.status in (ES.CONFIRMED, ES.IN_TRAINING, ES.COMPLETED)
        )
        return [
            PlanQuota(
                plan_id=training_class.plan_id,
                training_class=training_class,
                unit_id=county,
                count=max(1, placed[county] + self.rng.randint(0, 2)),
            )
            for county, _path in self.counties
        ]

    def evaluations(self, training_class, enrolments, attendance, setting_scale):
        rng = self.rng
        low, high = (0, 100) if setting_scale == EvaluationScale.HUNDRED else (1, 5)

        def score() -> int:
            if high == 5:
                return _pick(rng, FIVE_SCORES)
            return min(100, max(low, round(rng.gauss(91, 6))))

        finished = training_class.status == Status.FINISHED
        classes, courses = [], []
        for enrolment in enrolments:
            if enrolment.status not in (ES.IN_TRAINING, ES.COMPLETED) or rng.random() < 0.15:
                continue
            if finished:
                classes.append(
                    ClassEvaluation(
                        enrolment=enrolment,
                        score=score(),
                        comment=rng.choice(CLASS_COMMENTS),
                        submitted_on=min(self.today, training_class.end_date + rng.randint(0, 3) * DAY),
                    )
                )
            for record in attendance[id(enrolment)]:
                if record.status == AS.PRESENT and rng.random() < 0.75:
                    courses.append(
                        CourseEvaluation(
                            enrolment=enrolment,
                            course=record.course,
                            score=score(),
                            comment=rng.choice(COURSE_COMMENTS),
                            submitted_on=min(self.today, record.course.date + rng.randint(0, 2) * DAY),
                        )
                    )
        return classes, courses

    def external_hours(self) -> None:
        """Each year's 其他学时 of the serving cadres who have none yet."""
        rng, today = self.rng, self.today
        have = set(ExternalHours.objects.values_list("cadre_id", flat=True).distinct())
        rows = []
        for cadre in self.cadres:
            if cadre.pk in have:
                continue
            diligence = rng.uniform(0.4, 1.2)  # some cadres study more than others
            for year in self.years:
                for kind, (share, (low, high), providers) in EXTERNAL.items():
                    if rng.random() >= share * min(diligence, 1.0):
                        continue
                    hours = Decimal(round(rng.randint(low, high) * diligence)).max(Decimal(1))
                    roll = rng.random()
                    if year == today.year:
                        status = PS.PENDING if roll < 0.3 else PS.REJECTED if roll < 0.35 else PS.APPROVED
                    else:
                        status = PS.REJECTED if roll < 0.07 else PS.PENDING if roll < 0.1 else PS.APPROVED
                    reviewed_on = None
                    if status != PS.PENDING:
                        last = min(today, datetime.date(year + 1, 1, 20))
                        reviewed_on = _day_between(rng, min(last, datetime.date(year, 6, 1)), last)
                    rows.append(
                        ExternalHours(
                            cadre_id=cadre.pk,
                            year=year,
                            kind=kind,
                            provider=rng.choice(providers),
                            hours=hours,
                            evidence=EVIDENCE[kind],
                            status=status,
                            reviewed_by_id=self.reviewer if reviewed_on else None,
                            reviewed_on=reviewed_on,
                            review_note=rng.choice(REJECT_NOTES) if status == PS.REJECTED else "",
                        )
                    )
        self._write(ExternalHours, rows)

    def run(self, count: int, existing: int) -> None:
        with transaction.atomic():
            plans = self.plans()
            venues = self.venues()
            teachers = self.teachers()
            classes = self.classes(count, existing, plans, venues)
            courses = {id(c): self.courses(c, teachers) for c in classes}  # may raise the class's hours
            self._write(TrainingClass, classes)
            for training_class in classes:
                for course in courses[id(training_class)]:
                    course.training_class_id = training_class.pk
            self._write(Course, [c for cls in classes for c in courses[id(cls)]])
            scales = {}
            for n, training_class in enumerate(classes, start=existing):
                if n % 11 == 5:
                    scales[id(training_class)] = EvaluationScale.HUNDRED
                elif n % 3 == 0:
                    scales[id(training_class)] = EvaluationScale.FIVE
            self._write(
                EvaluationSetting,
                [
                    EvaluationSetting(training_class_id=c.pk, scale=scales[id(c)])
                    for c in classes
                    if id(c) in scales
                ],
            )
            enrolments, attendance, quotas, class_evals, course_evals = [], {}, [], [], []
            for training_class in classes:
                rows = self.enrolments(training_class)
                for enrolment in rows:
                    held = enrolment.status == ES.IN_TRAINING
                    attendance[id(enrolment)] = (
                        self.attendance(enrolment, courses[id(training_class)]) if held else []
                    )
                if training_class.status == Status.FINISHED:
                    self.complete(training_class, rows, attendance)
                enrolments += rows
                quotas += self.quotas(training_class, rows)
                scale = scales.get(id(training_class), EvaluationScale.FIVE)
                found = self.evaluations(training_class, rows, attendance, scale)
                class_evals += found[0]
                course_evals += found[1]
            for enrolment in enrolments:
                enrolment.training_class_id = enrolment.training_class.pk
            self._write(Enrolment, enrolments)
            records = [a for e in enrolments for a in attendance[id(e)]]
            for row in [*records, *class_evals, *course_evals]:
                row.enrolment_id = row.enrolment.pk
            for row in [*records, *course_evals]:
                row.course_id = row.course.pk
            self._write(Attendance, records)
            self._write(PlanQuota, quotas)
            self._write(ClassEvaluation, class_evals)
            self._write(CourseEvaluation, course_evals)
            self.external_hours()


def add_arguments(parser) -> None:
    parser.add_argument(
        "--classes",
        type=int,
        default=DEFAULT_CLASSES,
        metavar="N",
        help=f"演示培训班次总数：不足 N 个时补足（含年度计划、名额、课程、调训、考勤、评估、其他学时），默认 {DEFAULT_CLASSES}；0 表示不建",
    )


def seed(options: dict, stdout) -> None:
    """Top the classes up to ``--classes`` and print one line with the counts and seconds."""
    started = perf_counter()
    target = options.get("classes", DEFAULT_CLASSES)
    existing = TrainingClass.objects.count()
    if target <= existing:
        stdout.write(f"seed_demo: 培训班次已有 {existing} 个，未新建")
        return
    if not Unit.objects.exists():
        stdout.write("seed_demo: 没有单位，未新建培训班次")
        return
    seeder = _Seeder(random.Random(f"classes:{existing}"), timezone.localdate())
    seeder.run(target - existing, existing)
    created = seeder.counts.pop(TrainingClass)
    others = "，".join(f"{model._meta.verbose_name} {n}" for model, n in seeder.counts.items() if n)
    stdout.write(
        f"seed_demo: 培训班次 {created} 个新建（共 {existing + created} 个）；{others}；"
        f"用时 {perf_counter() - started:.1f} 秒"
    )
