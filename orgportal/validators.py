"""Validators and parsers shared by models, the API and roster import.

公民身份号码 (GB 11643-1999), GB/T 2260 region codes, the partial dates rosters write
(``1985.03``) and date ranges.
"""

import datetime
import math
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumValidationError

# First two digits of GB/T 2260 codes. Checked here rather than with stdnum's bundled
# county table, which rejects retired county codes still printed on valid ID cards.
PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23"}
    | {"31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46"}
    | {"50", "51", "52", "53", "54"}
    | {"61", "62", "63", "64", "65"}
    | {"71", "81", "82"}
)

EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)

ID_FORMAT_MESSAGE = _("公民身份号码应为18位：前17位为数字，末位为数字或X")
ID_PROVINCE_MESSAGE = _("公民身份号码的前两位「%(province)s」不是有效的省级行政区划代码")
ID_BIRTH_DATE_MESSAGE = _("公民身份号码中的出生日期「%(digits)s」不存在")
ID_BIRTH_RANGE_MESSAGE = _("公民身份号码中的出生日期%(date)s不在1900年至今天之间")
ID_CHECKSUM_MESSAGE = _("公民身份号码校验码错误：末位应为%(expected)s")
ID_BIRTH_MONTH_MISMATCH = _("出生年月%(record)s与公民身份号码中的%(id)s不一致")
ID_BIRTH_DATE_MISMATCH = _("出生日期%(record)s与公民身份号码中的%(id)s不一致")
ID_GENDER_MISMATCH = _("性别与公民身份号码不一致：号码第17位表示%(gender)s")
ID_DIGITS_IN_MESSAGE = re.compile(r"与公民身份号码中的[0-9.]+不一致|不一致：号码第17位表示.")


def hide_id_digits(message: str) -> str:
    """An ID-agreement message without what it tells of the number (for a user who sees it masked):
    “出生日期1990.01.02与公民身份号码中的1990.01.15不一致” → “…与公民身份号码不一致”."""
    return ID_DIGITS_IN_MESSAGE.sub("与公民身份号码不一致", str(message))


DATE_INVALID_MESSAGE = _("「%(value)s」不是有效的日期，应写作1985.03或1985.03.15")
DATE_IMPOSSIBLE_MESSAGE = _("日期「%(value)s」不存在")
DATE_ORDER_MESSAGE = _("结束日期不能早于开始日期")
DATE_ORDER_LABELLED_MESSAGE = _("%(later)s不能早于%(earlier)s")
REGION_FORMAT_MESSAGE = _("行政区划代码应为6位数字")
REGION_PROVINCE_MESSAGE = _("行政区划代码「%(value)s」的前两位不是有效的省级行政区划代码")

_ID_PATTERN = re.compile(r"[0-9]{17}[0-9X]")
_REGION_PATTERN = re.compile(r"[0-9]{6}")

# GB/T 2261.1 codes, as in orgportal.codes.Gender.
_MALE = "1"
_FEMALE = "2"


def _squeeze(value: str) -> str:
    # NFKC folds full-width digits and punctuation to ASCII; then all spaces go,
    # the ideographic space U+3000 included.
    return "".join(unicodedata.normalize("NFKC", value).split())


# --- 公民身份号码 -------------------------------------------------------------


def normalize_id_number(value: str | None) -> str:
    """The ID number without spaces, full-width digits folded, a trailing x upper-cased."""
    if value is None:
        return ""
    return _squeeze(str(value)).upper()


def _id_birth_date_or_none(number: str) -> datetime.date | None:
    try:
        return ric.get_birth_date(number)
    except StdnumValidationError:
        return None


def validate_id_number(value: str) -> None:
    """Reject an ID number with a bad format, province, birth date or check character."""
    number = normalize_id_number(value)
    if not _ID_PATTERN.fullmatch(number):
        raise ValidationError(ID_FORMAT_MESSAGE, code="id_format")
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(ID_PROVINCE_MESSAGE, code="id_province", params={"province": number[:2]})
    birth = _id_birth_date_or_none(number)
    if birth is None:
        raise ValidationError(ID_BIRTH_DATE_MESSAGE, code="id_birth_date", params={"digits": number[6:14]})
    if not EARLIEST_BIRTH_DATE <= birth <= datetime.date.today():
        raise ValidationError(
            ID_BIRTH_RANGE_MESSAGE, code="id_birth_date", params={"date": format_date(birth)}
        )
    expected = ric.calc_check_digit(number)
    if number[-1] != expected:
        raise ValidationError(ID_CHECKSUM_MESSAGE, code="id_checksum", params={"expected": expected})


def id_birth_date(id_number: str) -> datetime.date:
    """The birth date written in an ID number (the check character is not verified)."""
    number = normalize_id_number(id_number)
    if not _ID_PATTERN.fullmatch(number):
        raise ValueError(str(ID_FORMAT_MESSAGE))
    birth = _id_birth_date_or_none(number)
    if birth is None:
        raise ValueError(ID_BIRTH_DATE_MESSAGE % {"digits": number[6:14]})
    return birth


def id_gender(id_number: str) -> str:
    """The GB/T 2261.1 gender code of an ID number: 17th digit odd is 男 "1", even 女 "2"."""
    number = normalize_id_number(id_number)
    if not _ID_PATTERN.fullmatch(number):
        raise ValueError(str(ID_FORMAT_MESSAGE))
    return _MALE if int(number[16]) % 2 else _FEMALE


def id_agreement_errors(
    id_number: str,
    *,
    birth_date: datetime.date | None = None,
    gender: str | None = None,
    birth_field: str = "birth_date",
    gender_field: str = "gender",
) -> dict[str, str]:
    """Field → message for the record's birth date or gender that disagree with its ID number.

    Records often keep only 出生年月 with day 1, so year and month are compared, and the
    day too only when the record's day is not 1. Gender is compared only when it is 男
    or 女 (0 and 9 say nothing). An empty or malformed ID number gives no errors here:
    ``validate_id_number`` reports that.
    """
    try:
        id_birth = id_birth_date(id_number)
        id_sex = id_gender(id_number)
    except ValueError:
        return {}
    errors: dict[str, str] = {}
    if isinstance(birth_date, datetime.datetime):
        birth_date = birth_date.date()
    if birth_date is not None:
        if birth_date.day == 1:
            if (birth_date.year, birth_date.month) != (id_birth.year, id_birth.month):
                errors[birth_field] = ID_BIRTH_MONTH_MISMATCH % {
                    "record": format_year_month(birth_date),
                    "id": format_year_month(id_birth),
                }
        elif birth_date != id_birth:
            errors[birth_field] = ID_BIRTH_DATE_MISMATCH % {
                "record": format_date(birth_date),
                "id": format_date(id_birth),
            }
    if gender in (_MALE, _FEMALE) and gender != id_sex:
        errors[gender_field] = ID_GENDER_MISMATCH % {"gender": _("男") if id_sex == _MALE else _("女")}
    return errors


def validate_id_agrees(
    id_number: str,
    *,
    birth_date: datetime.date | None = None,
    gender: str | None = None,
    birth_field: str = "birth_date",
    gender_field: str = "gender",
) -> None:
    """Raise a field-keyed ``ValidationError`` when ``id_agreement_errors`` finds any."""
    errors = id_agreement_errors(
        id_number, birth_date=birth_date, gender=gender, birth_field=birth_field, gender_field=gender_field
    )
    if errors:
        raise ValidationError(errors)


# --- partial dates ------------------------------------------------------------

_COMPACT_DATE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})?")
_SEPARATED_DATE = re.compile(r"([0-9]{4})([./-])([0-9]{1,2})(?:\2([0-9]{1,2}))?")
_CHINESE_DATE = re.compile(r"([0-9]{4})年([0-9]{1,2})月(?:([0-9]{1,2})日)?")

# Excel's day 0; serials count from here (dates before 1900-03-01 are off by one
# because of Excel's phantom 1900-02-29, which does not matter for these records).
EXCEL_EPOCH = datetime.date(1899, 12, 30)
_EXCEL_SERIAL_LIMIT = 100_000  # 2173-10-14; beyond that a number is not a serial


def _make_date(year: int, month: int, day: int, shown: object) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(DATE_IMPOSSIBLE_MESSAGE % {"value": shown}) from None


def _parse_date_text(text: str, shown: object) -> datetime.date:
    for pattern in (_COMPACT_DATE, _CHINESE_DATE):
        match = pattern.fullmatch(text)
        if match:
            year, month, day = match.groups()
            return _make_date(int(year), int(month), int(day or 1), shown)
    match = _SEPARATED_DATE.fullmatch(text)
    if match:
        year, _separator, month, day = match.groups()
        return _make_date(int(year), int(month), int(day or 1), shown)
    raise ValueError(DATE_INVALID_MESSAGE % {"value": shown})


def _parse_date_number(value: float) -> datetime.date:
    if not math.isfinite(value):
        raise ValueError(DATE_INVALID_MESSAGE % {"value": value})
    if isinstance(value, float) and not value.is_integer():
        # Excel stores a typed 1985.03 as the number 1985.03 (and 1985.10 as 1985.1),
        # and a serial in 1900–2099 would be a date in 1905–1911: read it as year.month.
        if 1900 <= value < 2100:
            year, month = divmod(round(value * 100), 100)
            return _make_date(year, month, 1, value)
        value = math.floor(value)  # a serial with a time of day
    number = int(value)
    digits = str(number)
    if len(digits) in (6, 8):
        # A typed 198503 or 19850315 becomes a number too.
        return _parse_date_text(digits, value)
    if 1900 <= number < 2100 or not 1 <= number < _EXCEL_SERIAL_LIMIT:
        # A bare year is not a date; the serials it would be (1905–1911) are not plausible.
        raise ValueError(DATE_INVALID_MESSAGE % {"value": value})
    return EXCEL_EPOCH + datetime.timedelta(days=number)


def parse_partial_date(value: datetime.date | str | int | float) -> datetime.date:
    """A date from what a roster holds; forms with only a month give day 1.

    Strings: ``1985.03``, ``1985.3``, ``198503``, ``19850315``, ``1985年3月``,
    ``1985年3月15日``, ``1985-03``, ``1985-03-01``, ``1985/3/1``, ``1985.03.15``, with any
    spaces and full-width digits. Date and datetime objects pass through (as dates).
    Numbers are Excel cells: a serial (31048 → 1985-01-01), or what Excel made of a
    typed ``1985.03`` or ``19850315``. Anything else raises ``ValueError`` (Chinese).
    """
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise ValueError(DATE_INVALID_MESSAGE % {"value": value})
    if isinstance(value, int | float):
        return _parse_date_number(value)
    if isinstance(value, str):
        return _parse_date_text(_squeeze(value), value.strip())
    raise ValueError(DATE_INVALID_MESSAGE % {"value": value})


def format_year_month(d: datetime.date | None) -> str:
    """``1985.03``, the roster form of 出生年月; '' for None."""
    return "" if d is None else f"{d.year:04d}.{d.month:02d}"


def format_date(d: datetime.date | None) -> str:
    """``1985.03.15``; '' for None."""
    return "" if d is None else f"{d.year:04d}.{d.month:02d}.{d.day:02d}"


# --- date ranges and ages -----------------------------------------------------


def validate_date_order(
    earlier: datetime.date | None,
    later: datetime.date | None,
    *,
    field: str,
    message: str | None = None,
    earlier_label: str | None = None,
    later_label: str | None = None,
) -> None:
    """Raise ``ValidationError({field: …})`` when both dates are set and ``later`` is before ``earlier``.

    The same day is allowed. Without ``message`` the text names both labels when given
    (``任职结束时间不能早于任职开始时间``), else says 结束日期不能早于开始日期.
    """
    if earlier is None or later is None or later >= earlier:
        return
    if message is not None:
        error = ValidationError(message, code="date_order")
    elif earlier_label and later_label:
        error = ValidationError(
            DATE_ORDER_LABELLED_MESSAGE,
            code="date_order",
            params={"earlier": earlier_label, "later": later_label},
        )
    else:
        error = ValidationError(DATE_ORDER_MESSAGE, code="date_order")
    raise ValidationError({field: error})


def age_on(birth_date: datetime.date, on: datetime.date) -> int:
    """Full years of age on a day; the birthday itself counts (周岁).

    Someone born on 29 February turns a year older on 1 March in common years.
    """
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


# --- GB/T 2260 region codes -----------------------------------------------------


def validate_region_code(value: str) -> None:
    """Reject a region code that is not 6 digits with a valid province prefix."""
    code = _squeeze(str(value))
    if not _REGION_PATTERN.fullmatch(code):
        raise ValidationError(REGION_FORMAT_MESSAGE, code="region_format")
    if code[:2] not in PROVINCE_CODES:
        raise ValidationError(REGION_PROVINCE_MESSAGE, code="region_province", params={"value": code})
