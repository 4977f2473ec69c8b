"""The cadres app's rosters (花名册): declarations only; the engine is orgportal.rosters."""

import functools

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from orgportal import codes
from orgportal.rosters import Col, Roster, register, year_month
from orgportal.validators import age_on

from .models import Cadre, PoolMembership


def age(row) -> int | None:
    born = row.get("birth_date") or row.get("cadre__birth_date")
    return age_on(born, timezone.localdate()) if born else None


@functools.lru_cache(maxsize=1024)
def _highest_label(full_time: str, in_service: str, language: str) -> str:
    code = codes.highest_education([full_time, in_service])
    return str(codes.Education(code).label) if code else ""


def highest_education(row) -> str:
    return _highest_label(
        row.get("ft_education") or "", row.get("pt_education") or "", translation.get_language()
    )


CADRE_RECORD = [
    "name",
    "gender",
    Col("birth_date", fmt=year_month),
    Col("age", header=_("年龄"), needs=("birth_date",), compute=age, width=6),
    "ethnicity",
    "native_place",
    "birthplace",
    Col("id_number", width=22),
    "political_status",
    Col("party_join_date", fmt=year_month),
    Col("work_start_date", fmt=year_month),
    "health",
    "professional_title",
    "expertise",
    "ft_education",
    "ft_degree",
    "ft_school",
    "pt_education",
    "pt_degree",
    "pt_school",
    Col("highest", header=_("最高学历"), needs=("ft_education", "pt_education"), compute=highest_education),
    Col("unit__name", width=24),
    Col("post", width=30),
    Col("post_since", fmt=year_month),
    "level",
    "rank",
    Col("rank_since", fmt=year_month),
    "management_category",
    "status",
    "note",
]

standard = register(Roster("cadres.standard", _("干部花名册"), Cadre, CADRE_RECORD, key="id_number"))

brief = register(
    Roster(
        "cadres.brief",
        _("干部简明花名册"),
        Cadre,
        [
            "name",
            "gender",
            Col("birth_date", fmt=year_month),
            Col("age", header=_("年龄"), needs=("birth_date",), compute=age, width=6),
            "ethnicity",
            "political_status",
            Col(
                "highest",
                header=_("最高学历"),
                needs=("ft_education", "pt_education"),
                compute=highest_education,
            ),
            Col("unit__name", width=24),
            Col("post", width=30),
            "level",
            "rank",
            Col("id_number", width=22),
        ],
        key="id_number",
    )
)

pool = register(
    Roster(
        "cadres.pool",
        _("年轻干部库名册"),
        PoolMembership,
        [
            Col("cadre__name", header=_("姓名")),
            Col("cadre__gender", header=_("性别")),
            Col("cadre__birth_date", header=_("出生年月"), fmt=year_month),
            Col("age", header=_("年龄"), needs=("cadre__birth_date",), compute=age, width=6),
            Col("cadre__ethnicity", header=_("民族")),
            Col("cadre__political_status", header=_("政治面貌")),
            Col("cadre__unit__name", header=_("工作单位"), width=24),
            Col("cadre__post", header=_("现任职务"), width=30),
            "tier",
            "programme__name",
            "status",
            Col("entered_on", fmt=year_month),
            "source",
            Col("exited_on", fmt=year_month),
            "exit_reason",
        ],
        importable=False,
    )
)
