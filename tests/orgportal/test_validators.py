import datetime

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric

from orgportal.validators import (
    age_on,
    format_date,
    format_year_month,
    id_agreement_errors,
    id_birth_date,
    id_gender,
    normalize_id_number,
    parse_partial_date,
    validate_date_order,
    validate_id_agrees,
    validate_id_number,
    validate_region_code,
)

VALID_ID = "11010519491231002X"  # 1949-12-31, sequence 002: a woman


def with_check(first17: str) -> str:
    """An ID number with its GB 11643 check character, computed here independently."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(digit) * weight for digit, weight in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def error_codes(exc_info):
    return [error.code for error in exc_info.value.error_list]


D = datetime.date


# --- normalize_id_number ----------------------------------------------------------


def test_normalize_uppercases_trailing_x():
    assert normalize_id_number("11010519491231002x") == VALID_ID


def test_normalize_removes_surrounding_and_inner_spaces():
    assert normalize_id_number(" 110105 19491231 002X\u3000") == VALID_ID


def test_normalize_folds_full_width_digits():
    assert normalize_id_number("１１０１０５１９４９１２３１００２Ｘ") == VALID_ID


def test_normalize_none_is_empty():
    assert normalize_id_number(None) == ""


# --- validate_id_number -----------------------------------------------------------


def test_helper_check_character_agrees_with_stdnum():
    number = with_check("42010019800101001")
    assert number[-1] == ric.calc_check_digit(number)


def test_valid_id_number_with_check_x_passes():
    validate_id_number(VALID_ID)


def test_valid_id_number_with_lower_case_x_passes():
    validate_id_number(VALID_ID.lower())


def test_valid_id_number_with_digit_check_passes():
    validate_id_number(with_check("42010019800101001"))


def test_retired_county_code_rejected_by_stdnum_passes():
    number = with_check("65210119800101001")  # 吐鲁番市 (县级), retired in 2015
    assert not ric.is_valid(number)
    validate_id_number(number)


@pytest.mark.parametrize(
    "value",
    [
        VALID_ID[:-1],  # 17 characters
        VALID_ID + "1",  # 19 characters
        "",
        "1101051949123100X2",  # X not at the end
        "11010519491231A02X",
        "110105194912310021X",
    ],
)
def test_malformed_id_number_is_rejected(value):
    with pytest.raises(ValidationError) as exc_info:
        validate_id_number(value)
    assert error_codes(exc_info) == ["id_format"]


@pytest.mark.parametrize(
    "province", ["00", "10", "16", "20", "24", "30", "38", "47", "55", "66", "70", "72", "80", "83", "91"]
)
def test_unknown_province_is_rejected(province):
    with pytest.raises(ValidationError) as exc_info:
        validate_id_number(with_check(province + "010519800101001"))
    assert error_codes(exc_info) == ["id_province"]


@pytest.mark.parametrize(
    "province", ["11", "15", "21", "23", "31", "37", "41", "46", "50", "54", "61", "65", "71", "81", "82"]
)
def test_province_range_edges_are_accepted(province):
    validate_id_number(with_check(province + "010519800101001"))


def test_unknown_province_message_names_the_digits():
    with pytest.raises(ValidationError) as exc_info:
        validate_id_number(with_check("16010519800101001"))
    assert exc_info.value.messages == ["公民身份号码的前两位「16」不是有效的省级行政区划代码"]


@pytest.mark.parametrize("birth", ["19850230", "19851301", "19850001", "19850100", "19000229"])
def test_impossible_birth_date_is_rejected(birth):
    with pytest.raises(ValidationError) as exc_info:
        validate_id_number(with_check("110105" + birth + "001"))
    assert error_codes(exc_info) == ["id_birth_date"]


def test_leap_day_2000_is_accepted():
    validate_id_number(with_check("11010520000229001"))


def test_birth_on_1900_01_01_is_accepted():
    validate_id_number(with_check("11010519000101001"))


def test_birth_before_1900_is_rejected():
    with pytest.raises(ValidationError) as exc_info:
        validate_id_number(with_check("11010518991231001"))
    assert error_codes(exc_info) == ["id_birth_date"]


def test_birth_in_the_future_is_rejected():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc_info:
        validate_id_number(with_check("110105" + tomorrow.strftime("%Y%m%d") + "001"))
    assert error_codes(exc_info) == ["id_birth_date"]


def test_birth_today_is_accepted():
    validate_id_number(with_check("110105" + datetime.date.today().strftime("%Y%m%d") + "001"))


def test_wrong_check_character_is_rejected():
    with pytest.raises(ValidationError) as exc_info:
        validate_id_number(VALID_ID[:-1] + "0")
    assert error_codes(exc_info) == ["id_checksum"]


def test_wrong_check_character_message_says_the_right_one():
    with pytest.raises(ValidationError) as exc_info:
        validate_id_number(VALID_ID[:-1] + "0")
    assert exc_info.value.messages == ["公民身份号码校验码错误：末位应为X"]


def test_x_where_a_digit_is_due_is_rejected():
    number = with_check("42010019800101001")
    with pytest.raises(ValidationError) as exc_info:
        validate_id_number(number[:-1] + "X")
    assert exc_info.value.messages == [f"公民身份号码校验码错误：末位应为{number[-1]}"]


# --- id_birth_date, id_gender -----------------------------------------------------


def test_id_birth_date():
    assert id_birth_date(VALID_ID) == D(1949, 12, 31)


def test_id_birth_date_rejects_malformed_number():
    with pytest.raises(ValueError):
        id_birth_date("1101051949")


def test_id_birth_date_rejects_impossible_date():
    with pytest.raises(ValueError, match="19850230"):
        id_birth_date(with_check("11010519850230001"))


@pytest.mark.parametrize(
    ("sequence", "gender"), [("001", "1"), ("002", "2"), ("019", "1"), ("010", "2"), ("999", "1")]
)
def test_id_gender_from_17th_digit(sequence, gender):
    assert id_gender(with_check("11010519800101" + sequence)) == gender


def test_id_gender_accepts_lower_case_x():
    assert id_gender(VALID_ID.lower()) == "2"


# --- id_agreement_errors ----------------------------------------------------------


def test_agreeing_record_has_no_errors():
    assert id_agreement_errors(VALID_ID, birth_date=D(1949, 12, 31), gender="2") == {}


def test_record_with_only_year_and_month_agrees():
    assert id_agreement_errors(VALID_ID, birth_date=D(1949, 12, 1)) == {}


def test_month_mismatch_is_reported_on_birth_field():
    assert id_agreement_errors(VALID_ID, birth_date=D(1949, 11, 1)) == {
        "birth_date": "出生年月1949.11与公民身份号码中的1949.12不一致"
    }


def test_year_mismatch_is_reported():
    assert set(id_agreement_errors(VALID_ID, birth_date=D(1950, 12, 1))) == {"birth_date"}


def test_day_mismatch_is_reported_when_record_has_a_day():
    assert id_agreement_errors(VALID_ID, birth_date=D(1949, 12, 30)) == {
        "birth_date": "出生日期1949.12.30与公民身份号码中的1949.12.31不一致"
    }


def test_datetime_birth_date_is_compared_as_date():
    assert id_agreement_errors(VALID_ID, birth_date=datetime.datetime(1949, 12, 31, 8, 0)) == {}


def test_gender_mismatch_is_reported_on_gender_field():
    assert id_agreement_errors(VALID_ID, gender="1") == {
        "gender": "性别与公民身份号码不一致：号码第17位表示女"
    }


@pytest.mark.parametrize("gender", ["0", "9", "", None])
def test_unstated_gender_is_not_a_mismatch(gender):
    assert id_agreement_errors(VALID_ID, gender=gender) == {}


def test_agreement_uses_given_field_names():
    errors = id_agreement_errors(
        VALID_ID, birth_date=D(1949, 11, 1), gender="1", birth_field="birth", gender_field="sex"
    )
    assert set(errors) == {"birth", "sex"}


@pytest.mark.parametrize("number", ["", "123", "11010519851301001X"])
def test_agreement_skips_unreadable_id_number(number):
    assert id_agreement_errors(number, birth_date=D(1949, 11, 1), gender="1") == {}


def test_validate_id_agrees_raises_field_errors():
    with pytest.raises(ValidationError) as exc_info:
        validate_id_agrees(VALID_ID, birth_date=D(1949, 11, 1), gender="1")
    assert set(exc_info.value.message_dict) == {"birth_date", "gender"}


def test_validate_id_agrees_passes_agreeing_record():
    validate_id_agrees(VALID_ID, birth_date=D(1949, 12, 1), gender="2")


# --- parse_partial_date -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1985.03", D(1985, 3, 1)),
        ("1985.3", D(1985, 3, 1)),
        ("1985.10", D(1985, 10, 1)),
        ("198503", D(1985, 3, 1)),
        ("19850315", D(1985, 3, 15)),
        ("1985年3月", D(1985, 3, 1)),
        ("1985年03月", D(1985, 3, 1)),
        ("1985年3月15日", D(1985, 3, 15)),
        ("1985-03", D(1985, 3, 1)),
        ("1985-03-01", D(1985, 3, 1)),
        ("1985/3/1", D(1985, 3, 1)),
        ("1985.03.15", D(1985, 3, 15)),
        ("2000.02.29", D(2000, 2, 29)),
    ],
)
def test_parse_partial_date_forms(text, expected):
    assert parse_partial_date(text) == expected


@pytest.mark.parametrize(
    "text", [" 1985.03 ", "\u30001985.03\u3000", "１９８５．０３", "1985 年 3 月", "１９８５年３月１５日"]
)
def test_parse_partial_date_ignores_spaces_and_full_width(text):
    assert parse_partial_date(text) in (D(1985, 3, 1), D(1985, 3, 15))


def test_parse_partial_date_full_width_day_is_kept():
    assert parse_partial_date("１９８５年３月１５日") == D(1985, 3, 15)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1985",
        "85.03",
        "1985.",
        "1985.03.",
        "1985.3-1",  # mixed separators
        "1985年3",
        "1985.03.15.01",
        "March 1985",
        "31048",  # a serial only counts as a number, not as text
        "1985-03-15 10:00",
    ],
)
def test_parse_partial_date_rejects_other_text(text):
    with pytest.raises(ValueError, match="不是有效的日期"):
        parse_partial_date(text)


@pytest.mark.parametrize(
    "text", ["1985.13", "1985.00", "1985.02.30", "1900.02.29", "19850230", "1985年2月30日"]
)
def test_parse_partial_date_rejects_impossible_dates(text):
    with pytest.raises(ValueError, match="不存在"):
        parse_partial_date(text)


def test_parse_partial_date_passes_a_date_through():
    assert parse_partial_date(D(1985, 3, 15)) == D(1985, 3, 15)


def test_parse_partial_date_turns_datetime_into_date():
    result = parse_partial_date(datetime.datetime(1985, 3, 15, 9, 30))
    assert (type(result), result) == (datetime.date, D(1985, 3, 15))


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (31048, D(1985, 1, 1)),
        (31048.0, D(1985, 1, 1)),
        (31048.75, D(1985, 1, 1)),
        (61, D(1900, 3, 1)),
        (36585, D(2000, 2, 29)),
    ],
)
def test_parse_partial_date_reads_excel_serials(number, expected):
    assert parse_partial_date(number) == expected


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1985.03, D(1985, 3, 1)),
        (1985.1, D(1985, 10, 1)),  # Excel's number for a typed 1985.10
        (1985.12, D(1985, 12, 1)),
        (198503, D(1985, 3, 1)),
        (19850315, D(1985, 3, 15)),
    ],
)
def test_parse_partial_date_reads_roster_dates_excel_made_numbers(number, expected):
    assert parse_partial_date(number) == expected


@pytest.mark.parametrize("number", [0, -5, 1985, 1985.0, 1234567, float("nan"), float("inf"), True])
def test_parse_partial_date_rejects_other_numbers(number):
    with pytest.raises(ValueError):
        parse_partial_date(number)


def test_parse_partial_date_rejects_month_13_written_as_number():
    with pytest.raises(ValueError, match="不存在"):
        parse_partial_date(1985.13)


# --- formatting -------------------------------------------------------------------


def test_format_year_month_pads_month():
    assert format_year_month(D(1985, 3, 15)) == "1985.03"


def test_format_date_pads_month_and_day():
    assert format_date(D(1985, 3, 5)) == "1985.03.05"


@pytest.mark.parametrize("formatter", [format_year_month, format_date])
def test_format_none_is_empty(formatter):
    assert formatter(None) == ""


def test_format_year_month_round_trips_through_parse():
    assert parse_partial_date(format_year_month(D(1985, 11, 20))) == D(1985, 11, 1)


# --- validate_date_order ----------------------------------------------------------


def test_later_before_earlier_is_rejected_on_the_field():
    with pytest.raises(ValidationError) as exc_info:
        validate_date_order(D(2020, 1, 2), D(2020, 1, 1), field="end")
    assert exc_info.value.message_dict == {"end": ["结束日期不能早于开始日期"]}


def test_same_day_is_in_order():
    validate_date_order(D(2020, 1, 1), D(2020, 1, 1), field="end")


@pytest.mark.parametrize(("earlier", "later"), [(None, D(2020, 1, 1)), (D(2020, 1, 1), None), (None, None)])
def test_missing_date_is_not_checked(earlier, later):
    validate_date_order(earlier, later, field="end")


def test_date_order_message_names_both_labels():
    with pytest.raises(ValidationError) as exc_info:
        validate_date_order(
            D(2020, 1, 2),
            D(2020, 1, 1),
            field="end_date",
            earlier_label="任职开始时间",
            later_label="任职结束时间",
        )
    assert exc_info.value.message_dict == {"end_date": ["任职结束时间不能早于任职开始时间"]}


def test_date_order_uses_given_message():
    with pytest.raises(ValidationError) as exc_info:
        validate_date_order(D(2020, 1, 2), D(2020, 1, 1), field="end", message="离开时间早于到达时间")
    assert exc_info.value.message_dict == {"end": ["离开时间早于到达时间"]}


# --- age_on -----------------------------------------------------------------------


def test_age_on_birthday_counts_the_new_year():
    assert age_on(D(1985, 3, 15), D(2025, 3, 15)) == 40


def test_age_on_day_before_birthday():
    assert age_on(D(1985, 3, 15), D(2025, 3, 14)) == 39


def test_age_on_day_of_birth_is_zero():
    assert age_on(D(1985, 3, 15), D(1985, 3, 15)) == 0


def test_leap_day_birth_is_not_a_year_older_on_28_february():
    assert age_on(D(2000, 2, 29), D(2001, 2, 28)) == 0


def test_leap_day_birth_is_a_year_older_on_1_march():
    assert age_on(D(2000, 2, 29), D(2001, 3, 1)) == 1


# --- validate_region_code ---------------------------------------------------------


@pytest.mark.parametrize("code", ["110105", "110000", "652101", "820000", "１１０１０５"])
def test_valid_region_code_passes(code):
    validate_region_code(code)


@pytest.mark.parametrize("code", ["11010", "1101050", "11010A", "", "110 10"])
def test_malformed_region_code_is_rejected(code):
    with pytest.raises(ValidationError) as exc_info:
        validate_region_code(code)
    assert error_codes(exc_info) == ["region_format"]


@pytest.mark.parametrize("code", ["000000", "160100", "830000", "990000"])
def test_region_code_with_unknown_province_is_rejected(code):
    with pytest.raises(ValidationError) as exc_info:
        validate_region_code(code)
    assert exc_info.value.messages == [f"行政区划代码「{code}」的前两位不是有效的省级行政区划代码"]
