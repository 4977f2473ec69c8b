import pytest
from django.db import models
from django.utils.translation import gettext_lazy as _

from orgportal import codes
from orgportal.codes import (
    SANCTION_INFLUENCE_MONTHS,
    SANCTION_KIND,
    AdminLevel,
    AssessmentResult,
    Degree,
    Education,
    Ethnicity,
    Gender,
    LeadershipLevel,
    ManagementCategory,
    PoliticalStatus,
    Rank,
    Sanction,
    SanctionKind,
    UnitKind,
    WarningLevel,
    education_level,
    highest_education,
    is_minority,
    is_non_party,
    level_order,
    order_of,
    parse_code,
    rank_order,
    register_aliases,
)


def labels(choices_cls):
    return {code: str(label) for code, label in choices_cls.choices}


# --- tables -------------------------------------------------------------------


def test_gender_has_the_four_gb_2261_codes():
    assert labels(Gender) == {"0": "未知的性别", "1": "男", "2": "女", "9": "未说明的性别"}


def test_ethnicity_has_56_groups_then_97_and_98():
    assert Ethnicity.values == [f"{n:02d}" for n in range(1, 57)] + ["97", "98"]


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("01", "汉族"),
        ("02", "蒙古族"),
        ("29", "柯尔克孜族"),
        ("56", "基诺族"),
        ("97", "其他"),
        ("98", "外国血统中国籍人士"),
    ],
)
def test_ethnicity_label(code, label):
    assert labels(Ethnicity)[code] == label


def test_every_ethnic_group_label_ends_with_zu():
    assert all(labels(Ethnicity)[f"{n:02d}"].endswith("族") for n in range(1, 57))


def test_political_status_runs_01_to_13():
    assert PoliticalStatus.values == [f"{n:02d}" for n in range(1, 14)]


@pytest.mark.parametrize(
    ("code", "label"),
    [("01", "中国共产党党员"), ("04", "中国国民党革命委员会会员"), ("12", "无党派民主人士"), ("13", "群众")],
)
def test_political_status_label(code, label):
    assert labels(PoliticalStatus)[code] == label


def test_education_has_exactly_the_gb_4658_codes():
    assert Education.values == [
        "10",
        "11",
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
        "18",
        "19",
        "20",
        "21",
        "22",
        "23",
        "28",
        "30",
        "31",
        "32",
        "33",
        "40",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "47",
        "48",
        "49",
        "60",
        "61",
        "62",
        "63",
        "70",
        "71",
        "73",
        "80",
        "81",
        "83",
        "90",
    ]


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("10", "研究生教育"),
        ("28", "大学普通班毕业"),
        ("47", "技工学校毕业"),
        ("73", "初中肄业"),
        ("90", "其他"),
    ],
)
def test_education_label(code, label):
    assert labels(Education)[code] == label


def test_degree_top_level_codes():
    assert labels(Degree) == {"1": "名誉博士", "2": "博士", "3": "硕士", "4": "学士"}


def test_leadership_levels_are_declared_highest_first():
    assert list(labels(LeadershipLevel).values()) == [
        "省部级正职",
        "省部级副职",
        "厅局级正职",
        "厅局级副职",
        "县处级正职",
        "县处级副职",
        "乡科级正职",
        "乡科级副职",
    ]


def test_ranks_are_declared_highest_first():
    assert list(labels(Rank).values()) == [
        "一级巡视员",
        "二级巡视员",
        "一级调研员",
        "二级调研员",
        "三级调研员",
        "四级调研员",
        "一级主任科员",
        "二级主任科员",
        "三级主任科员",
        "四级主任科员",
        "一级科员",
        "二级科员",
    ]


def test_assessment_results_hold_both_grade_sets_with_one_excellent():
    assert sorted(labels(AssessmentResult).values()) == sorted(
        ["优秀", "称职", "基本称职", "不称职", "不定等次", "合格", "基本合格", "不合格"]
    )


def test_assessment_codes_are_short_ascii():
    assert all(code.isascii() and len(code) <= 20 for code in AssessmentResult.values)


def test_unit_kinds():
    assert labels(UnitKind) == {
        "party_committee": "党委（市委、县委）",
        "department": "党政工作部门",
        "county": "县（市、区）",
        "township": "乡镇（街道）",
        "institution": "事业单位",
        "enterprise": "国有企业",
        "people_org": "人民团体",
        "other": "其他",
    }


def test_management_categories():
    assert sorted(labels(ManagementCategory).values()) == sorted(["市管", "县管", "部门管理"])


def test_admin_levels_are_declared_highest_first():
    assert AdminLevel.values == [
        "bureau_chief",
        "bureau_deputy",
        "division_chief",
        "division_deputy",
        "section_chief",
        "section_deputy",
        "unit_level",
        "none",
    ]


# --- sanctions ----------------------------------------------------------------


def test_every_sanction_has_a_kind():
    assert set(SANCTION_KIND) == set(Sanction.values)


def test_every_sanction_has_an_influence_period():
    assert set(SANCTION_INFLUENCE_MONTHS) == set(Sanction.values)


def test_every_sanction_kind_is_used():
    assert set(SANCTION_KIND.values()) == set(SanctionKind.values)


def test_sanction_labels_are_distinct():
    assert len(set(labels(Sanction).values())) == len(Sanction.values)


@pytest.mark.parametrize(
    ("sanction", "kind"),
    [
        ("admin_warning", "administrative"),
        ("admin_dismissal", "administrative"),
        ("party_warning", "party"),
        ("party_probation", "party"),
        ("org_suspension", "organisational"),
        ("org_demotion", "organisational"),
        ("admonition", "admonition"),
    ],
)
def test_sanction_kind(sanction, kind):
    assert SANCTION_KIND[sanction] == kind


@pytest.mark.parametrize(
    ("sanction", "months"),
    [
        ("admin_warning", 6),
        ("admin_demerit", 12),
        ("admin_major_demerit", 18),
        ("admin_demotion", 24),
        ("admin_removal", 24),
        ("admin_dismissal", None),
        ("party_warning", 12),
        ("party_serious_warning", 18),
        ("party_post_removal", 24),
        ("party_probation", 36),
        ("party_expulsion", None),
        ("org_suspension", 0),
        ("org_reassignment", 12),
        ("org_ordered_resignation", 24),
        ("org_removal", 24),
        ("org_demotion", 24),
        ("admonition", 6),
    ],
)
def test_sanction_influence_months(sanction, months):
    assert SANCTION_INFLUENCE_MONTHS[sanction] == months


# --- ordering -------------------------------------------------------------------


@pytest.mark.parametrize("choices_cls", [LeadershipLevel, Rank, WarningLevel, AdminLevel])
def test_order_falls_strictly_along_the_declaration(choices_cls):
    orders = [order_of(choices_cls, code) for code in choices_cls.values]
    assert orders == sorted(orders, reverse=True)
    assert len(set(orders)) == len(orders)


def test_province_chief_outranks_province_deputy():
    assert level_order("province_chief") > level_order("province_deputy")


def test_county_deputy_outranks_township_chief():
    assert level_order("county_deputy") > level_order("township_chief")


def test_first_level_inspector_outranks_second_level():
    assert rank_order("inspector_1") > rank_order("inspector_2")


def test_fourth_level_researcher_outranks_first_level_principal_staff():
    assert rank_order("researcher_4") > rank_order("principal_staff_1")


def test_second_level_staff_is_the_lowest_rank():
    assert rank_order("staff_2") == 1


def test_red_warning_is_highest():
    assert max(WarningLevel.values, key=lambda code: order_of(WarningLevel, code)) == "red"


def test_blue_warning_is_lowest():
    assert min(WarningLevel.values, key=lambda code: order_of(WarningLevel, code)) == "blue"


def test_unrated_unit_is_the_lowest_admin_level():
    assert order_of(AdminLevel, "none") < order_of(AdminLevel, "unit_level")


def test_order_of_unknown_code_raises():
    with pytest.raises(ValueError, match="职级"):
        rank_order("county_chief")


# --- parse_code -------------------------------------------------------------------


def test_parse_code_accepts_the_code():
    assert parse_code(Ethnicity, "03") == "03"


def test_parse_code_accepts_the_label():
    assert parse_code(Ethnicity, "回族") == "03"


@pytest.mark.parametrize("text", [" 回族 ", "回　族", "\u3000回族\u3000", "回 族\t"])
def test_parse_code_ignores_spaces_including_full_width(text):
    assert parse_code(Ethnicity, text) == "03"


def test_parse_code_folds_full_width_digits():
    assert parse_code(PoliticalStatus, "１３") == "13"


def test_parse_code_matches_labels_with_full_width_brackets_written_half_width():
    assert parse_code(UnitKind, "乡镇(街道)") == "township"


def test_parse_code_ignores_case_of_slugs():
    assert parse_code(LeadershipLevel, "County_Chief") == "county_chief"


@pytest.mark.parametrize("text", ["1", 1])
def test_parse_code_restores_leading_zero_lost_in_excel(text):
    assert parse_code(Ethnicity, text) == "01"


def test_parse_code_does_not_pad_into_a_missing_code():
    with pytest.raises(ValueError):
        parse_code(Education, "1")


@pytest.mark.parametrize(("text", "code"), [("男", "1"), ("女", "2"), ("男性", "1"), ("女性", "2")])
def test_parse_code_reads_gender_words(text, code):
    assert parse_code(Gender, text) == code


@pytest.mark.parametrize("code", [f"{n:02d}" for n in range(1, 57)])
def test_parse_code_reads_each_ethnic_group_without_zu(code):
    assert parse_code(Ethnicity, labels(Ethnicity)[code].removesuffix("族")) == code


@pytest.mark.parametrize(
    ("text", "code"), [("汉", "01"), ("汉族", "01"), ("回", "03"), ("土", "30"), ("土家", "15")]
)
def test_parse_code_reads_ethnicity_short_forms(text, code):
    assert parse_code(Ethnicity, text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("中共党员", "01"),
        ("中共预备党员", "02"),
        ("共青团员", "03"),
        ("民革党员", "04"),
        ("民革会员", "04"),
        ("民盟盟员", "05"),
        ("民建会员", "06"),
        ("民进会员", "07"),
        ("农工党党员", "08"),
        ("致公党党员", "09"),
        ("九三学社社员", "10"),
        ("台盟盟员", "11"),
        ("无党派人士", "12"),
        ("无党派", "12"),
        ("群众", "13"),
    ],
)
def test_parse_code_reads_political_status_short_forms(text, code):
    assert parse_code(PoliticalStatus, text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("博士研究生", "11"),
        ("博士", "11"),
        ("研究生", "14"),
        ("硕士研究生", "14"),
        ("大学", "21"),
        ("大学本科", "21"),
        ("本科", "21"),
        ("本科毕业", "21"),
        ("大专", "31"),
        ("专科", "31"),
        ("大学专科", "31"),
        ("中专", "41"),
        ("高中", "61"),
        ("初中", "71"),
        ("小学", "81"),
        ("大学本科肄业", "23"),
    ],
)
def test_parse_code_reads_education_words(text, code):
    assert parse_code(Education, text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("学士", "4"),
        ("法学学士", "4"),
        ("工学硕士", "3"),
        ("管理学博士", "2"),
        ("经济学博士学位", "2"),
        ("名誉博士", "1"),
    ],
)
def test_parse_code_reads_degrees_by_their_ending(text, code):
    assert parse_code(Degree, text) == code


@pytest.mark.parametrize(("text", "code"), [("党内警告", "party_warning"), ("记过", "admin_demerit")])
def test_parse_code_reads_sanctions(text, code):
    assert parse_code(Sanction, text) == code


def test_parse_code_leaves_bare_warning_ambiguous():
    with pytest.raises(ValueError):
        parse_code(Sanction, "警告")


def test_parse_code_rejects_unknown_text_naming_the_table_and_the_closest_choices():
    with pytest.raises(ValueError, match="^「汉人」不是有效的民族，是否为：汉族？$"):
        parse_code(Ethnicity, "汉人")
    with pytest.raises(ValueError, match="^「火星人」不是有效的民族$"):  # nothing close: no guess
        parse_code(Ethnicity, "火星人")


def test_parse_code_names_every_rank_an_ambiguous_one_may_mean():
    with pytest.raises(ValueError, match="一级科员、二级科员"):
        parse_code(codes.Rank, "科员")


def test_a_bare_party_member_is_a_cpc_member():
    assert parse_code(codes.PoliticalStatus, "党员") == codes.PoliticalStatus.CPC_MEMBER


def test_parse_code_rejects_a_suffix_match_outside_degrees():
    with pytest.raises(ValueError):
        parse_code(Education, "法学本科")


@pytest.mark.parametrize("text", ["", "  ", "\u3000"])
def test_parse_code_rejects_empty_text(text):
    with pytest.raises(ValueError, match="未填写政治面貌"):
        parse_code(PoliticalStatus, text)


class Colour(models.TextChoices):
    RED = "r", _("红")
    GREEN = "g", _("绿")


def test_register_aliases_extends_another_table():
    register_aliases(Colour, {"大红": "r"}, table_name="颜色")
    assert parse_code(Colour, "大红") == "r"


def test_register_aliases_names_the_table_in_errors():
    register_aliases(Colour, {}, table_name="颜色")
    with pytest.raises(ValueError, match="不是有效的颜色"):
        parse_code(Colour, "蓝")


def test_register_aliases_rejects_an_unknown_code():
    with pytest.raises(ValueError):
        register_aliases(Colour, {"蓝": "b"})


def test_register_aliases_rejects_a_conflicting_alias():
    register_aliases(Colour, {"翠绿": "g"})
    with pytest.raises(ValueError):
        register_aliases(Colour, {"翠 绿": "r"})


def test_alias_registry_is_keyed_by_choices_class():
    assert codes.ALIASES[PoliticalStatus]["中共党员"] == "01"


# --- derived facts ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("01", False),
        ("02", True),
        ("56", True),
        ("97", True),
        ("98", True),
        ("", False),
        (None, False),
        ("99", False),
    ],
)
def test_is_minority(code, expected):
    assert is_minority(code) is expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("01", False),
        ("02", False),
        ("03", False),
        ("04", True),
        ("12", True),
        ("13", True),
        ("14", False),
        ("", False),
        (None, False),
    ],
)
def test_is_non_party(code, expected):
    assert is_non_party(code) is expected


@pytest.mark.parametrize(
    ("code", "level"), [("10", 10), ("19", 10), ("21", 20), ("28", 20), ("73", 70), ("90", 90)]
)
def test_education_level_is_the_tens(code, level):
    assert education_level(code) == level


def test_education_level_rejects_unknown_code():
    with pytest.raises(ValueError):
        education_level("25")


@pytest.mark.parametrize(
    ("given", "highest"),
    [
        (["22", "21"], "21"),  # 毕业 over 结业
        (["23", "22"], "22"),  # 结业 over 肄业
        (["23", "21", "22"], "21"),
        (["31", "23"], "23"),  # a higher level, even 肄业, beats a lower level 毕业
        (["16", "21"], "16"),
        (["61", "41"], "41"),
        (["90", "83"], "83"),  # 其他 is lowest
        (["14", "11"], "11"),  # same level and ending: 博士 before 硕士
        (["20", "23"], "23"),  # a bare level code says nothing about graduating
    ],
)
def test_highest_education(given, highest):
    assert highest_education(given) == highest


def test_highest_education_ignores_empty_values():
    assert highest_education(["", None, "31"]) == "31"


def test_highest_education_of_nothing_is_none():
    assert highest_education(["", None]) is None


def test_highest_education_rejects_unknown_code():
    with pytest.raises(ValueError):
        highest_education(["21", "99"])
