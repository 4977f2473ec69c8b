"""Demo data for the kernel: a realistic unit tree and staff users with known passwords.

Apps extend `seed_demo` with a `<app>/demo.py` module defining `add_arguments(parser)` and
`seed(options, stdout)`. Seeded rows are bulk-written without history rows (deliberately: history
records changes people make; the seed is not one).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.utils import timezone

from . import codes
from .models import Unit, UnitAssignment, path_segment

DEMO_PASSWORD = "OrgPortal-2026"

CITY = ("中共遵义市委", "遵义市委", "520300")
CITY_DEPARTMENTS = [
    "市委办公室",
    "市委组织部",
    "市委宣传部",
    "市委统战部",
    "市委政法委员会",
    "市人民政府办公室",
    "市发展和改革委员会",
    "市教育局",
    "市科学技术局",
    "市工业和信息化局",
    "市公安局",
    "市民政局",
    "市司法局",
    "市财政局",
    "市人力资源和社会保障局",
    "市自然资源局",
    "市生态环境局",
    "市住房和城乡建设局",
    "市交通运输局",
    "市水务局",
    "市农业农村局",
    "市商务局",
    "市文化旅游局",
    "市卫生健康局",
    "市应急管理局",
    "市审计局",
    "市市场监督管理局",
    "市统计局",
]
CITY_INSTITUTIONS = ["中共遵义市委党校", "遵义市第一人民医院", "遵义职业技术学院", "市农业科学研究院"]
CITY_ENTERPRISES = ["市城市建设投资集团有限公司", "市交通旅游开发投资集团有限公司", "市水务投资集团有限公司"]
COUNTIES = [
    (
        "红花岗区",
        "520302",
        [
            "老城街道",
            "万里路街道",
            "中华路街道",
            "南门关街道",
            "延安路街道",
            "舟水桥街道",
            "金鼎山镇",
            "深溪镇",
        ],
    ),
    (
        "汇川区",
        "520303",
        ["上海路街道", "洗马路街道", "董公寺街道", "高坪街道", "团泽镇", "板桥镇", "泗渡镇"],
    ),
    (
        "播州区",
        "520304",
        ["南白街道", "龙坑街道", "三合镇", "乌江镇", "鸭溪镇", "枫香镇", "西坪镇", "尚嵇镇", "茅栗镇"],
    ),
    ("桐梓县", "520322", ["娄山关街道", "海校街道", "燎原镇", "松坎镇", "新站镇", "夜郎镇", "九坝镇"]),
    ("绥阳县", "520323", ["洋川街道", "郑场镇", "旺草镇", "蒲场镇", "风华镇", "黄杨镇", "太白镇"]),
    ("正安县", "520324", ["凤仪街道", "安场镇", "土坪镇", "流渡镇", "格林镇", "新州镇", "庙塘镇"]),
    (
        "湄潭县",
        "520328",
        ["湄江街道", "黄家坝街道", "永兴镇", "复兴镇", "马山镇", "高台镇", "茅坪镇", "兴隆镇"],
    ),
    (
        "仁怀市",
        "520382",
        ["中枢街道", "盐津街道", "苍龙街道", "茅台镇", "坛厂街道", "长岗镇", "五马镇", "喜头镇"],
    ),
]
COUNTY_DEPARTMENTS = ["委组织部", "委宣传部", "教育局", "财政局", "卫生健康局", "农业农村局"]

DEMO_USERS = [
    # username, full name, groups, unit name
    ("city_cadre", "市委组织部干部科", ["干部科"], CITY[0]),
    ("city_youth", "市委组织部综干科", ["综干科"], CITY[0]),
    ("city_supervision", "市委组织部干监科", ["干监科"], CITY[0]),
    ("city_archive", "市委组织部干档科", ["干档科"], CITY[0]),
    ("city_training", "市委组织部培训办", ["培训办"], CITY[0]),
    ("city_talent", "市委人才办", ["人才办"], CITY[0]),
    ("city_audit", "市委组织部（审计）", ["审计", "只读"], CITY[0]),
    ("city_readonly", "市委组织部（只读）", ["只读"], CITY[0]),
    ("county_hhg", "红花岗区委组织部", ["县区组织部"], "红花岗区"),
    ("county_hc", "汇川区委组织部", ["县区组织部"], "汇川区"),
]


def _bulk_units(rows: list[Unit]) -> list[Unit]:
    """Insert one level of the tree and give each unit its materialised path."""
    created = Unit.objects.bulk_create(rows)
    for unit in created:
        unit.path = (unit.parent.path if unit.parent else "") + path_segment(unit.pk)
    Unit.objects.bulk_update(created, ["path"])
    return created


@transaction.atomic
def seed_units() -> int:
    """The demo tree; does nothing when it is already there. Returns the number of units created."""
    if Unit.objects.filter(parent=None, name=CITY[0]).exists():
        return 0
    K, L = codes.UnitKind, codes.AdminLevel
    (city,) = _bulk_units(
        [
            Unit(
                name=CITY[0],
                short_name=CITY[1],
                kind=K.PARTY_COMMITTEE,
                admin_level=L.BUREAU_CHIEF,
                region_code=CITY[2],
            )
        ]
    )
    level2 = [
        *(
            Unit(name=n, kind=K.DEPARTMENT, admin_level=L.DIVISION_CHIEF, parent=city, sort_order=i)
            for i, n in enumerate(CITY_DEPARTMENTS, 1)
        ),
        *(
            Unit(name=n, kind=K.INSTITUTION, admin_level=L.DIVISION_CHIEF, parent=city, sort_order=100 + i)
            for i, n in enumerate(CITY_INSTITUTIONS, 1)
        ),
        *(
            Unit(name=n, kind=K.ENTERPRISE, admin_level=L.DIVISION_CHIEF, parent=city, sort_order=200 + i)
            for i, n in enumerate(CITY_ENTERPRISES, 1)
        ),
        *(
            Unit(
                name=n,
                short_name=n,
                kind=K.COUNTY,
                admin_level=L.DIVISION_CHIEF,
                region_code=code,
                parent=city,
                sort_order=300 + i,
            )
            for i, (n, code, _t) in enumerate(COUNTIES, 1)
        ),
    ]
    level2 = _bulk_units(level2)
    counties = {u.name: u for u in level2 if u.kind == K.COUNTY}
    level3 = []
    for name, _code, towns in COUNTIES:
        county = counties[name]
        prefix = name[:-1] if name.endswith(("县", "区", "市")) else name
        level3 += [
            Unit(
                name=f"中共{name}{d}" if d.startswith("委") else f"{prefix}{d}",
                kind=K.DEPARTMENT,
                admin_level=L.SECTION_CHIEF,
                parent=county,
                sort_order=i,
            )
            for i, d in enumerate(COUNTY_DEPARTMENTS, 1)
        ]
        level3 += [
            Unit(name=t, kind=K.TOWNSHIP, admin_level=L.SECTION_CHIEF, parent=county, sort_order=100 + i)
            for i, t in enumerate(towns, 1)
        ]
    level3 = _bulk_units(level3)
    return 1 + len(level2) + len(level3)


def seed_users(password: str) -> list[tuple[str, str, str]]:
    """Staff users for every section of the city and for two counties (idempotent: a database seeded
    before a section had one gets it). Returns (username, name and sections, unit) rows."""
    User = get_user_model()
    rows = []
    for username, full_name, groups, unit_name in DEMO_USERS:
        unit = Unit.objects.filter(name=unit_name).order_by("path").first()
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": full_name, "is_staff": True}
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
            user.groups.set(Group.objects.filter(name__in=groups))
        if unit is not None:
            UnitAssignment.objects.get_or_create(user=user, unit=unit)
        rows.append((username, f"{full_name}（{'、'.join(groups)}）", unit_name))
    return rows


def bulk_insert(model, objects: list, batch_size: int = 5000) -> list:
    """Insert many new rows fast (demo data at scale), returning them with primary keys as
    bulk_create does: ids are reserved first (PostgreSQL: from the sequence; SQLite: after the
    table's highest id, inside the seeding transaction), then rows go in by COPY (PostgreSQL) or one
    executemany (SQLite) of values prepared once per field kind rather than through Django's
    per-value preparation. No save(), no signals, no history rows — like bulk_create."""
    if not objects:
        return objects
    if connection.vendor not in ("postgresql", "sqlite"):
        return model.objects.bulk_create(objects, batch_size=batch_size)
    meta = model._meta
    fields = meta.concrete_fields
    new = [obj for obj in objects if obj.pk is None]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if new and connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(new)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
        elif new:
            cursor.execute(f"SELECT COALESCE(MAX({quote(meta.pk.column)}), 0) FROM {quote(meta.db_table)}")
            first = cursor.fetchone()[0] + 1
            ids = range(first, first + len(new))
        for obj, pk in zip(new, ids if new else (), strict=True):
            obj.pk = pk
        now = timezone.now()
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                for obj in objects:
                    setattr(obj, f.attname, now)
        if connection.vendor == "postgresql":
            prepared = {f.attname for f in fields if isinstance(f, models.JSONField | models.FileField)}
        else:  # SQLite stores dates and datetimes as text in Django's own format
            prepared = {
                f.attname
                for f in fields
                if isinstance(f, models.JSONField | models.FileField | models.DateField)
            }
        rows = (
            [
                f.get_db_prep_save(getattr(obj, f.attname), connection)
                if f.attname in prepared
                else getattr(obj, f.attname)
                for f in fields
            ]
            for obj in objects
        )
        columns = ", ".join(quote(f.column) for f in fields)
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(fields))
            cursor.cursor.executemany(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})", rows
            )
    for obj in objects:
        obj._state.adding, obj._state.db = False, connection.alias
    return objects
