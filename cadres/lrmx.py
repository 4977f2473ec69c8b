"""The .lrmx exchange file (干部任免审批表, ../shared/LRMX.md): export one cadre (or case), import
one file or a .zip of many.

Export: UTF-8 with a byte-order mark (as the official editor writes it), root `<Person>`, the
elements in the writers' order, dates as bare `YYYYMM`, version 3.2.1.16. An exchange file carries
the real 公民身份号码, 健康状况 and discipline records, so exporting needs orgportal.view_sensitive;
every export is logged (ExportLog, roster `cadres.lrmx`).

Import: every file is read and validated first (the model's full_clean, the jurisdiction check,
codes from labels through orgportal.codes.parse_code); only if every file of the upload is valid are
they all written, in one transaction. A cadre is matched by 公民身份号码, or — for files without
one — by 姓名 and 出生年月 within the chosen unit. 简历 becomes ResumeEntry rows, 家庭成员
FamilyMember rows, 照片 the cadre's photo; 年度考核结果 and 奖惩情况 become AnnualAssessment and
Reward rows where every sentence/line parses, and are otherwise kept verbatim in the cadre's
任免审批表原文 (`form_text`, sensitive: it may hold discipline lines; exported again from there). Discipline lines are never turned into records here: sanctions are
recorded through their own service, with their influence periods.
"""

import base64
import binascii
import codecs
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgportal import access, codes, imports, uploads
from orgportal.history import acting_as
from orgportal.imports import OUTCOME_LABELS, CellError, ImportReport, RowResult
from orgportal.models import ExportLog
from orgportal.validators import normalize_id_number, parse_partial_date

from . import approval_form as af
from .models import AnnualAssessment, Cadre, FamilyMember, ResumeEntry, Reward

VERSION = "3.2.1.16"
EXPORT_NAME = "cadres.lrmx"
MAX_FILE_BYTES = 10 * 1024 * 1024  # one .lrmx (photo ≤ 5 MB, base64)
MAX_FILES = 500
LABELS = {
    "XingMing": "姓名",
    "XingBie": "性别",
    "ChuShengNianYue": "出生年月",
    "MinZu": "民族",
    "JiGuan": "籍贯",
    "ChuShengDi": "出生地",
    "RuDangShiJian": "入党时间",
    "CanJiaGongZuoShiJian": "参加工作时间",
    "JianKangZhuangKuang": "健康状况",
    "ZhuanYeJiShuZhiWu": "专业技术职务",
    "ShuXiZhuanYeYouHeZhuanChang": "熟悉专业有何专长",
    "QuanRiZhiJiaoYu_XueLi": "全日制教育学历",
    "QuanRiZhiJiaoYu_XueWei": "全日制教育学位",
    "QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": "全日制教育毕业院校系及专业（学历）",
    "QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi": "全日制教育毕业院校系及专业（学位）",
    "ZaiZhiJiaoYu_XueLi": "在职教育学历",
    "ZaiZhiJiaoYu_XueWei": "在职教育学位",
    "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": "在职教育毕业院校系及专业（学历）",
    "ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi": "在职教育毕业院校系及专业（学位）",
    "XianRenZhiWu": "现任职务",
    "NiRenZhiWu": "拟任职务",
    "NiMianZhiWu": "拟免职务",
    "JianLi": "简历",
    "JiangChengQingKuang": "奖惩情况",
    "NianDuKaoHeJieGuo": "年度考核结果",
    "RenMianLiYou": "任免理由",
    "JiaTingChengYuan": "家庭主要成员及重要社会关系",
    "ChengBaoDanWei": "呈报单位",
    "JiSuanNianLingShiJian": "计算年龄时间",
    "TianBiaoShiJian": "填表时间",
    "TianBiaoRen": "填表人",
    "ShenFenZheng": "公民身份号码",
    "ZhaoPian": "照片",
    "Version": "版本",
}
ELEMENTS = list(LABELS)  # the writers' order
FAMILY_LABELS = {
    "ChengWei": "称谓",
    "XingMing": "姓名",
    "ChuShengRiQi": "出生日期",
    "ZhengZhiMianMao": "政治面貌",
    "GongZuoDanWeiJiZhiWu": "工作单位及职务",
}
# Elements that describe the case, not the cadre: read, shown, not stored by an import.
CASE_ELEMENTS = ("NiRenZhiWu", "NiMianZhiWu", "RenMianLiYou", "ChengBaoDanWei")
DATE = re.compile(r"[0-9]{6}(?:[0-9]{2})?")
PARTY_SEPARATOR = re.compile(r"[；;、，,]")
RESUME_LINE = re.compile(
    r"^([0-9]{4})\.?([0-9]{1,2})\s*(?:-{1,2}|—{1,2}|－{1,2}|–{1,2}|~|～|至)\s*(?:([0-9]{4})\.?([0-9]{1,2}))?\s*(.*)$"
)
REWARD_LINE = re.compile(r"^([0-9]{4})\.([0-9]{1,2})\s+(.+)$")
ASSESSMENT_SENTENCE = re.compile(r"^((?:[0-9]{4}年度、?)+)(?:年度)?考核(?:结果)?(?:均)?为(.+)$")
PHOTO_SIGNATURES = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}


# --- export -------------------------------------------------------------------------------------
def document(cadre, *, user, case=None, on: datetime.date | None = None, written: bool = True) -> dict:
    """The .lrmx values of a cadre (and case): {element: text}, with `JiaTingChengYuan` a list of
    {item element: text}. `written=False`: as the record composes them, without the texts an imported
    file wrote its own way (approval_form.as_written)."""
    form = af.compose(cadre, user=user, case=case, on=on, written=written)
    photo = base64.b64encode(af.photo_bytes(cadre)).decode("ascii")
    school_ft = cadre.ft_school
    school_pt = cadre.pt_school
    values = {
        "XingMing": cadre.name,
        "XingBie": cadre.get_gender_display() if cadre.gender in ("1", "2") else "",
        "ChuShengNianYue": af.compact(cadre.birth_date),
        "MinZu": cadre.get_ethnicity_display() if cadre.ethnicity else "",
        "JiGuan": cadre.native_place,
        "ChuShengDi": cadre.birthplace,
        "RuDangShiJian": form.party_join,
        "CanJiaGongZuoShiJian": af.compact(cadre.work_start_date),
        "JianKangZhuangKuang": cadre.health,
        "ZhuanYeJiShuZhiWu": cadre.professional_title,
        "ShuXiZhuanYeYouHeZhuanChang": cadre.expertise,
        "QuanRiZhiJiaoYu_XueLi": form.ft_education,
        "QuanRiZhiJiaoYu_XueWei": form.ft_degree,
        "QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": school_ft if cadre.ft_education else "",
        "QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi": school_ft if cadre.ft_degree else "",
        "ZaiZhiJiaoYu_XueLi": form.pt_education,
        "ZaiZhiJiaoYu_XueWei": form.pt_degree,
        "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": school_pt if cadre.pt_education else "",
        "ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi": school_pt if cadre.pt_degree else "",
        "XianRenZhiWu": form.post,
        "NiRenZhiWu": form.proposed_post,
        "NiMianZhiWu": form.removed_post,
        "JianLi": form.resume,
        "JiangChengQingKuang": form.rewards,
        "NianDuKaoHeJieGuo": form.assessments,
        "RenMianLiYou": form.reason,
        "JiaTingChengYuan": [
            {
                "ChengWei": row.relation,
                "XingMing": row.name,
                "ChuShengRiQi": af.compact(row.birth_date),
                "ZhengZhiMianMao": row.political_status,
                "GongZuoDanWeiJiZhiWu": row.employer_post,
            }
            for row in form.family
        ],
        "ChengBaoDanWei": form.submitting_unit,
        "JiSuanNianLingShiJian": f"{form.on:%Y%m%d}",
        "TianBiaoShiJian": f"{form.filled_on:%Y%m%d}",
        "TianBiaoRen": form.filled_by[:18],
        "ShenFenZheng": cadre.id_number,
        "ZhaoPian": photo,
        "Version": VERSION,
    }
    # Schools: one field per kind of education here; where only the degree has one, it is the school
    if not cadre.ft_education and cadre.ft_school and not cadre.ft_degree:
        values["QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi"] = school_ft
    if not cadre.pt_education and cadre.pt_school and not cadre.pt_degree:
        values["ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi"] = school_pt
    if written:
        for element in SCHOOL_ELEMENTS:
            values[element] = af.as_written(cadre, element, values[element])
    return values


SCHOOL_ELEMENTS = (
    "QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi",
    "QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi",
    "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi",
    "ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi",
)
# Elements whose text a file may write its own way: kept as written (Cadre.form_elements).
WRITTEN_ELEMENTS = (*af.WRITTEN_ATTRIBUTES, *SCHOOL_ELEMENTS)
# The record's fields each element sets: a file whose element reads exactly as the cadre's form reads
# now changes none of them (re-importing a cadre's own export changes nothing).
ELEMENT_FIELDS = {
    "XingBie": ("gender",),
    "ChuShengNianYue": ("birth_date",),
    "MinZu": ("ethnicity",),
    "RuDangShiJian": ("party_join_date", "political_status"),
    "CanJiaGongZuoShiJian": ("work_start_date",),
    "QuanRiZhiJiaoYu_XueLi": ("ft_education",),
    "QuanRiZhiJiaoYu_XueWei": ("ft_degree",),
    "ZaiZhiJiaoYu_XueLi": ("pt_education",),
    "ZaiZhiJiaoYu_XueWei": ("pt_degree",),
    "XianRenZhiWu": ("post",),
}


def to_bytes(values: dict) -> bytes:
    """The document as a .lrmx file: UTF-8 with a BOM, `<Person>`, elements in the writers' order."""
    root = ElementTree.Element("Person")
    for name in ELEMENTS:
        element = ElementTree.SubElement(root, name)
        if name == "JiaTingChengYuan":
            for member in values.get(name, []):
                item = ElementTree.SubElement(element, "Item")
                for child in FAMILY_LABELS:
                    ElementTree.SubElement(item, child).text = member.get(child, "")
        else:
            element.text = values.get(name, "")
    ElementTree.indent(root, space="  ")
    body = ElementTree.tostring(root, encoding="unicode")
    return codecs.BOM_UTF8 + ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


def filename(cadre, case=None) -> str:
    suffix = f"_任免事项{case.pk}" if case is not None else ""
    return f"{cadre.name}{suffix}.lrmx"


def _described(cadre, case) -> str:
    return f"cadre={cadre.pk}" + (f" case={case.pk}" if case is not None else "")


def export(cadre, *, user, case=None, channel: str = "admin", on: datetime.date | None = None) -> bytes:
    """The .lrmx of a cadre (or of a case), for a user who may see sensitive fields; logged."""
    if not access.can_view_sensitive(user):
        raise PermissionError(_("导出任免审批表（.lrmx）需要查看敏感信息的权限"))
    data = to_bytes(document(cadre, user=user, case=case, on=on))
    ExportLog.record(
        user, EXPORT_NAME, rows=1, channel=channel, sensitive=True, filters=_described(cadre, case)
    )
    return data


# --- reading ------------------------------------------------------------------------------------
def parse(data: bytes) -> dict:
    """{element: stripped text} (JiaTingChengYuan: a list of item dicts) from a .lrmx file's bytes.
    Raises ValueError for a file that is not a `<Person>` XML document."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    uploads.check_xml(data)  # no DTD, hence no entity expansion (UploadRefused is a ValueError)
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise ValueError(_("不是有效的 XML 文件：%s") % error) from None
    if root.tag != "Person":
        raise ValueError(_("根元素应为 Person，而不是 %s") % root.tag)
    values: dict = {}
    for child in root:
        if child.tag == "JiaTingChengYuan":
            values[child.tag] = [
                {part.tag: (part.text or "").strip() for part in item} for item in child if item.tag == "Item"
            ]
        elif child.tag == "JianLi":  # keep its lines, lose blank edges and trailing spaces
            values[child.tag] = "\n".join(line.rstrip() for line in (child.text or "").strip().splitlines())
        elif child.tag in ("JiangChengQingKuang", "NianDuKaoHeJieGuo"):
            values[child.tag] = "\n".join(line.strip() for line in (child.text or "").strip().splitlines())
        else:  # unknown elements are kept here and ignored by the importer
            values[child.tag] = (child.text or "").strip()
    return values


def normalised(values: dict) -> dict:
    """What a round trip keeps: every known element, the family items, without the export's own
    date and author (计算年龄时间, 填表时间, 填表人) nor the case's elements."""
    skip = {"JiSuanNianLingShiJian", "TianBiaoShiJian", "TianBiaoRen", *CASE_ELEMENTS}
    return {
        name: values.get(name, [] if name == "JiaTingChengYuan" else "")
        for name in ELEMENTS
        if name not in skip
    }


def read_upload(name: str, data: bytes) -> list[tuple[str, bytes | None, str]]:
    """The .lrmx files of an upload: [(name, bytes, error)] — a .zip gives each .lrmx inside it."""
    try:
        uploads.check_size(data)
    except uploads.UploadRefused as error:
        return [(name, None, str(error))]
    if not zipfile.is_zipfile(io.BytesIO(data)):
        if data.startswith(uploads.ZIP_MAGIC):  # a zip's start without its end: cut short
            return [(name, None, _("压缩包已损坏、加密或无法读取"))]
        return [(name, data, "")]
    try:
        return _zip_members(name, data)
    except uploads.UploadRefused as error:  # a zip bomb: nothing inside it is read
        return [(name, None, str(error))]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError, EOFError, OSError):
        # a damaged, truncated or encrypted archive, or a compression zipfile cannot read
        return [(name, None, _("压缩包已损坏、加密或无法读取"))]


def _zip_members(name: str, data: bytes) -> list[tuple[str, bytes | None, str]]:
    files = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        uploads.check_zip(archive)
        members = [i for i in archive.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
        for info in members[:MAX_FILES]:
            member = _zip_name(info)
            if not member.lower().endswith(".lrmx"):
                continue
            if info.file_size > MAX_FILE_BYTES:
                files.append((member, None, _("文件过大（超过 10 MB）")))
                continue
            files.append((member, archive.read(info), ""))
        if len(members) > MAX_FILES:
            files.append((name, None, _("压缩包内文件过多（最多 %d 个）") % MAX_FILES))
    if not files:
        files.append((name, None, _("压缩包中没有 .lrmx 文件")))
    return files


def _zip_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & 0x800:  # UTF-8 names
        return info.filename
    try:  # names written by Windows tools in GBK
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


# --- import -------------------------------------------------------------------------------------
@dataclass
class FileResult(RowResult):
    """One file of an import: `row` is its place in the upload, `label` the cadre, `changes` the
    fields (label, stored, new) it sets."""

    file: str = ""
    matched_by: str = ""
    changes: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS[self.outcome])


@dataclass
class _Parsed:
    fields: dict = field(default_factory=dict)
    resume: list = field(default_factory=list)  # ResumeEntry (unsaved, no cadre)
    family: list = field(default_factory=list)
    assessments: list | None = None
    rewards: list | None = None
    blocks: dict = field(default_factory=dict)
    reward_lines: list = field(default_factory=list)
    other_party: str = ""
    photo: tuple[str, bytes] | None = None
    values: dict = field(default_factory=dict)  # the file's elements as written
    same: set = field(default_factory=set)  # elements reading exactly as the cadre's form does now


def _error(result: FileResult, element: str, value, message) -> None:
    label = f"{LABELS.get(element, FAMILY_LABELS.get(element, element))}（{element}）"
    result.errors.append(CellError(result.row, label, "" if value is None else str(value)[:80], str(message)))


def _date(result, element, value) -> datetime.date | None:
    if not value:
        return None
    if not DATE.fullmatch(value):
        _error(result, element, value, _("应为 YYYYMM（如 197204）"))
        return None
    try:
        return parse_partial_date(value)
    except ValueError as error:
        _error(result, element, value, error)
        return None


def _code(result, element, table, value) -> str:
    if not value:
        return ""
    try:
        return codes.parse_code(table, value)
    except ValueError as error:
        _error(result, element, value, error)
        return ""


def _party(result, value) -> tuple[datetime.date | None, str | None, str]:
    """入党时间 → (date, political status or None when not said, another party of a CPC member)."""
    parts = [p.strip() for p in PARTY_SEPARATOR.split(value) if p.strip()]
    joined, parties = None, []
    for part in parts:
        if DATE.fullmatch(part):
            joined = _date(result, "RuDangShiJian", part)
        elif part in af.PARTY_FROM_SHORT:
            parties.append(part)
        else:
            _error(result, "RuDangShiJian", value, _("应为 YYYYMM、民主党派简称或“无党派”"))
    if joined and parties:
        return joined, "01", "、".join(parties)
    if parties:
        return None, af.PARTY_FROM_SHORT[parties[0]], ""
    return joined, ("01" if joined else None), ""


def _resume(result, text) -> tuple[list, str]:
    """ResumeEntry rows (continuation lines kept with their entry) and what follows a blank line."""
    body, _sep, tail = text.partition("\n\n")
    entries: list[list] = []  # [start, end, [lines]]
    for line in body.split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped[0].isdigit():
            if not entries:
                _error(result, "JianLi", stripped, _("第一行应以起止年月开头"))
                continue
            entries[-1][2].append(stripped)
            continue
        match = RESUME_LINE.match(stripped)
        if not match:
            _error(result, "JianLi", stripped, _("应写作“1991.01--2000.01  经历”"))
            continue
        y1, m1, y2, m2, words = match.groups()
        try:
            start = datetime.date(int(y1), int(m1), 1)
            end = datetime.date(int(y2), int(m2), 1) if y2 else None
        except ValueError:
            _error(result, "JianLi", stripped, _("年月不存在"))
            continue
        entries.append([start, end, [words.strip()]])
    rows = [ResumeEntry(start=s, end=e, text="\n".join(lines)) for s, e, lines in entries]
    return rows, tail.strip("\n")


def _assessments(text) -> list | None:
    """AnnualAssessment rows if every sentence reads `…年度考核（均）为…`, else None."""
    if not text:
        return []
    rows = []
    for sentence in re.split(r"[；;。\n]", text):
        sentence = sentence.strip()
        if not sentence:
            continue
        match = ASSESSMENT_SENTENCE.match(sentence)
        if not match:
            return None
        try:
            result = codes.parse_code(codes.AssessmentResult, match.group(2))
        except ValueError:
            return None
        rows += [
            AnnualAssessment(year=int(y), result=result) for y in re.findall(r"[0-9]{4}", match.group(1))
        ]
    return rows


def _rewards(text, known_sanction_lines: set) -> tuple[list | None, list, str]:
    """(Reward rows or None, their lines, kept text): lines `YYYY.MM  奖励` become rewards; lines of the
    cadre's recorded sanctions are dropped; anything else (other discipline lines included) is kept."""
    if not text or text == "无":
        return [], [], ""
    rewards, lines, kept = [], [], []
    for line in text.split("\n"):
        if line in known_sanction_lines:
            continue
        match = REWARD_LINE.match(line)
        if match and not match.group(3).startswith("受到"):
            try:
                day = datetime.date(int(match.group(1)), int(match.group(2)), 1)
            except ValueError:
                kept.append(line)
                continue
            rewards.append(Reward(date=day, name=match.group(3).strip()))
            lines.append(line)
        else:
            kept.append(line)
    return rewards, lines, "\n".join(kept)


def _photo(result, value):
    if not value:
        return None
    try:
        data = base64.b64decode(re.sub(r"\s+", "", value), validate=True)
    except (binascii.Error, ValueError):
        _error(result, "ZhaoPian", value[:20] + "…", _("照片不是有效的 base64 数据"))
        return None
    for signature, extension in PHOTO_SIGNATURES.items():
        if data.startswith(signature):
            return extension, data
    _error(result, "ZhaoPian", value[:20] + "…", _("照片应为 JPEG 或 PNG 图片"))
    return None


def _read(result: FileResult, values: dict) -> _Parsed:
    """The file's values as model values (codes, dates, rows); problems go to result.errors."""
    parsed = _Parsed(values=values)
    data = parsed.fields
    data["name"] = values.get("XingMing", "")
    data["gender"] = _code(result, "XingBie", codes.Gender, values.get("XingBie", ""))
    data["birth_date"] = _date(result, "ChuShengNianYue", values.get("ChuShengNianYue", ""))
    ethnicity = values.get("MinZu", "")
    if ethnicity:
        data["ethnicity"] = _code(result, "MinZu", codes.Ethnicity, ethnicity)
    data["native_place"] = values.get("JiGuan", "")
    data["birthplace"] = values.get("ChuShengDi", "")
    joined, status, other = _party(result, values.get("RuDangShiJian", ""))
    data["party_join_date"] = joined
    if status is not None:
        data["political_status"] = status
    parsed.other_party = other
    data["work_start_date"] = _date(result, "CanJiaGongZuoShiJian", values.get("CanJiaGongZuoShiJian", ""))
    data["health"] = values.get("JianKangZhuangKuang", "")
    data["professional_title"] = values.get("ZhuanYeJiShuZhiWu", "")
    data["expertise"] = values.get("ShuXiZhuanYeYouHeZhuanChang", "")
    for prefix, kind in (("QuanRiZhiJiaoYu", "ft"), ("ZaiZhiJiaoYu", "pt")):
        data[f"{kind}_education"] = _code(
            result, f"{prefix}_XueLi", codes.Education, values.get(f"{prefix}_XueLi", "")
        )
        data[f"{kind}_degree"] = _code(
            result, f"{prefix}_XueWei", codes.Degree, values.get(f"{prefix}_XueWei", "")
        )
        data[f"{kind}_school"] = values.get(f"{prefix}_XueLi_BiYeYuanXiaoXi", "") or values.get(
            f"{prefix}_XueWei_BiYeYuanXiaoXi", ""
        )
    data["post"] = values.get("XianRenZhiWu", "")
    data["id_number"] = normalize_id_number(values.get("ShenFenZheng", ""))
    parsed.resume, resume_tail = _resume(result, values.get("JianLi", ""))
    parsed.blocks["简历"] = resume_tail
    assessment_text = values.get("NianDuKaoHeJieGuo", "")
    parsed.assessments = _assessments(assessment_text)
    if parsed.assessments is None:
        parsed.blocks["年度考核结果"] = assessment_text
    parsed.blocks["奖惩情况"] = values.get("JiangChengQingKuang", "")  # resolved once the cadre is known
    for number, item in enumerate(values.get("JiaTingChengYuan", []), 1):
        if not any(item.values()):
            continue
        member = FamilyMember(
            relation=item.get("ChengWei", ""),
            name=item.get("XingMing", ""),
            birth_date=_date(result, "ChuShengRiQi", item.get("ChuShengRiQi", "")),
            political_status=_code(
                result, "ZhengZhiMianMao", codes.PoliticalStatus, item.get("ZhengZhiMianMao", "")
            ),
            employer_post=item.get("GongZuoDanWeiJiZhiWu", ""),
        )
        member._number = number
        parsed.family.append(member)
    parsed.photo = _photo(result, values.get("ZhaoPian", ""))
    return parsed


def _messages(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


FIELD_ELEMENT = {
    "name": "XingMing",
    "gender": "XingBie",
    "birth_date": "ChuShengNianYue",
    "ethnicity": "MinZu",
    "native_place": "JiGuan",
    "birthplace": "ChuShengDi",
    "party_join_date": "RuDangShiJian",
    "political_status": "RuDangShiJian",
    "work_start_date": "CanJiaGongZuoShiJian",
    "health": "JianKangZhuangKuang",
    "professional_title": "ZhuanYeJiShuZhiWu",
    "expertise": "ShuXiZhuanYeYouHeZhuanChang",
    "ft_education": "QuanRiZhiJiaoYu_XueLi",
    "ft_degree": "QuanRiZhiJiaoYu_XueWei",
    "ft_school": "QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi",
    "pt_education": "ZaiZhiJiaoYu_XueLi",
    "pt_degree": "ZaiZhiJiaoYu_XueWei",
    "pt_school": "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi",
    "post": "XianRenZhiWu",
    "id_number": "ShenFenZheng",
    "unit": "XianRenZhiWu",
    "note": "JiangChengQingKuang",
    "form_text": "JiangChengQingKuang",
}


def _shown(value, model_field=None) -> str:
    if model_field is not None and model_field.choices and value:
        return str(dict(model_field.choices).get(value, value))
    if isinstance(value, datetime.date):
        return af.compact(value)
    return "" if value is None else str(value)


@dataclass
class _Plan:
    result: FileResult
    cadre: Cadre
    parsed: _Parsed
    user: object = None


def _keep_what_reads_the_same(cadre, parsed: _Parsed, user) -> None:
    """Leave alone every part of `cadre` whose elements the file writes exactly as the cadre's form
    reads now: re-importing a cadre's own export changes nothing, and an element written the file's
    own way (“经济学学士”, a post naming its unit) is not re-derived over the record."""
    current = document(cadre, user=user)
    values, data = parsed.values, parsed.fields
    parsed.same = {
        element
        for element in ELEMENTS
        if element in values and element != "ZhaoPian" and values[element] == current.get(element, "")
    }
    for element, names in ELEMENT_FIELDS.items():
        if element in parsed.same:
            for name in names:
                data.pop(name, None)
            if element == "RuDangShiJian":
                parsed.other_party = af.other_parties(cadre.note)
    for prefix, kind in (("QuanRiZhiJiaoYu", "ft"), ("ZaiZhiJiaoYu", "pt")):
        if {f"{prefix}_XueLi_BiYeYuanXiaoXi", f"{prefix}_XueWei_BiYeYuanXiaoXi"} <= parsed.same:
            data.pop(f"{kind}_school", None)
    if "JianLi" in parsed.same:
        parsed.resume = None
        parsed.blocks["简历"] = af.note_blocks(cadre.form_text).get("简历", "")
    if "JiaTingChengYuan" in parsed.same:
        parsed.family = None


class LrmxFormat(imports.Format):
    """.lrmx files (a .zip gives its files) on the import pipeline: a file is matched by 公民身份号码
    or — for files without one — by 姓名 and 出生年月 within the chosen unit; its plan is the cadre's
    fields, resume, family, assessments, rewards and photo; each cadre written through `_write`."""

    title = gettext_lazy("干部任免审批表（.lrmx）")
    key_label = f"{LABELS['ShenFenZheng']}（ShenFenZheng）"
    item_noun = gettext_lazy("个文件")

    def __init__(self, files: list[tuple[str, bytes]]):
        self.files = files

    def items(self, file, ctx):
        if ctx.unit is not None:
            try:
                access.check_writable(ctx.user, Cadre(unit=ctx.unit))
            except ValidationError:
                ctx.report.file_errors.append(_("所选单位不在您的管辖范围内"))
                return []
        members = [member for name, data in self.files for member in read_upload(name, data)]
        return [
            imports.Item(
                number=number,
                raw=(name, data, problem),
                result=FileResult(row=number, outcome="new", file=name),
            )
            for number, (name, data, problem) in enumerate(members, 1)
        ]

    def parse(self, item, ctx):
        name, data, problem = item.raw
        result = item.result
        if problem or len(data) > MAX_FILE_BYTES:
            _error(result, "文件", name, problem or _("文件过大（超过 10 MB）"))
            item.key_failed = True
            return
        try:
            values = parse(data)
        except ValueError as error:
            _error(result, "文件", name, error)
            item.key_failed = True
            return
        item.plan = parsed = _read(result, values)
        fields = item.data = parsed.fields
        result.label = fields.get("name", "")
        if fields["id_number"]:
            item.key = fields["id_number"]
            return
        # No 身份证号 (editor 3.0): the cadre of that name and birth month in the chosen unit, if one.
        item.key = ("姓名出生", fields["name"], fields["birth_date"])
        candidates = []
        if ctx.unit is not None and fields["birth_date"]:
            candidates = list(
                Cadre.objects.select_related("unit").filter(
                    unit=ctx.unit, name=fields["name"], birth_date=fields["birth_date"]
                )
            )
        if len(candidates) > 1:
            _error(result, "XingMing", fields["name"], _("所选单位中同名同出生年月的干部不止一人，无法匹配"))
        item.record = candidates[0] if len(candidates) == 1 else None
        result.matched_by = (
            _("无公民身份号码：按姓名和出生年月在所选单位中匹配")
            if item.record
            else _("无公民身份号码：所选单位中没有同名同出生年月的干部，新增")
        )

    def find(self, keys, ctx):
        numbers = [key for key in keys if isinstance(key, str)]
        return {
            cadre.id_number: cadre
            for chunk in imports.chunked(numbers)
            for cadre in Cadre.objects.select_related("unit").filter(id_number__in=chunk)
        }

    def needs_key(self, item) -> bool:
        return False  # a file without 身份证号 is matched by name and birth month, or new

    def shown_key(self, item) -> str:
        return item.data.get("id_number") or item.data.get("name", "")

    def plan(self, item, ctx):
        if item.plan is None:  # the file itself could not be read
            return
        if isinstance(item.key, str) and item.record is not None:
            item.result.matched_by = _("按公民身份号码匹配")
        item.plan = _plan(item.result, item.plan, ctx.user, ctx.unit, item.record)

    def write(self, items, ctx):
        with acting_as(ctx.user):
            for item in items:
                if item.result.outcome != "unchanged":  # nothing to write, not even a history row
                    _write(item.plan)


def _plan(result: FileResult, parsed: _Parsed, user, unit, existing) -> _Plan | None:
    """Set the file's values on its cadre (matched by the pipeline, or a new one in `unit`) and
    validate everything; None when the file has errors."""
    data = parsed.fields
    if existing is None and unit is None:
        _error(result, "XianRenZhiWu", "", _("新增干部须在导入时选择单位"))
        return None
    cadre = existing or Cadre(unit=unit)
    if existing is not None:
        _keep_what_reads_the_same(existing, parsed, user)
    # 现任职务 on the form carries the unit's name; the record keeps the post within its unit
    unit_name = cadre.unit.name
    post = data.get("post", "")
    if post.startswith(unit_name) and len(post) > len(unit_name):
        data["post"] = post[len(unit_name) :]
    if existing is not None:
        for name in access.masked_fields(Cadre, user):  # not seen, so neither compared nor written
            data.pop(name, None)
        if not data.get("id_number"):  # a file without one (editor 3.0) keeps the stored number
            data.pop("id_number", None)
        if data.get("political_status") == "01" and cadre.political_status == "02":
            data["political_status"] = "02"  # the form cannot tell 预备党员 apart
    elif "political_status" not in data:
        data["political_status"] = "13"  # nothing in 入党时间: 群众
    sanctions = list(cadre.sanctions.all()) if existing else []
    rewards, reward_lines, kept = _rewards(
        parsed.blocks["奖惩情况"], {af.sanction_line(s) for s in sanctions}
    )
    parsed.rewards, parsed.reward_lines, parsed.blocks["奖惩情况"] = rewards, reward_lines, kept
    note = cadre.note if existing else ""
    note = af.OTHER_PARTY.sub("", note).rstrip("\n")
    if parsed.other_party:
        note = f"{note}\n民主党派：{parsed.other_party}".lstrip("\n")
    data["note"] = note
    if existing is None or "form_text" not in access.masked_fields(Cadre, user):
        data["form_text"] = af.with_blocks("", parsed.blocks)  # sensitive: may hold discipline lines
    for name, value in data.items():
        old = getattr(cadre, name)
        if (old or None) != (value or None):
            model_field = Cadre._meta.get_field(name)
            result.changes.append(
                (str(model_field.verbose_name), _shown(old, model_field), _shown(value, model_field))
            )
            setattr(cadre, name, value)
    _child_changes(result, cadre if existing else None, parsed)
    if existing is not None and not result.changes:
        result.outcome = "unchanged"
    result.label = f"{cadre.name}（{cadre.unit.name}）"
    try:
        cadre.full_clean(validate_constraints=False)
        access.check_writable(user, cadre)
    except ValidationError as error:
        for name, messages in _messages(error).items():
            _error(
                result, FIELD_ELEMENT.get(name, name), _shown(getattr(cadre, name, "")), "；".join(messages)
            )
    if (
        data.get("id_number")
        and Cadre.objects.filter(id_number=data["id_number"]).exclude(pk=cadre.pk).exists()
    ):
        _error(result, "ShenFenZheng", data["id_number"], _("已有干部使用该公民身份号码"))
    for rows, element in ((parsed.resume or [], "JianLi"), (parsed.family or [], "JiaTingChengYuan")):
        for row in rows:
            try:
                row.full_clean(exclude=["cadre"])
            except ValidationError as error:
                for name, messages in _messages(error).items():
                    _error(
                        result,
                        element,
                        getattr(row, "text", "") or getattr(row, "name", ""),
                        f"{name}：{'；'.join(messages)}",
                    )
    if sum(1 for row in parsed.resume or [] if row.end is None) > 1:
        _error(result, "JianLi", "", _("只能有一条“至今”的简历"))
    for row in parsed.rewards or []:
        try:
            row.full_clean(exclude=["cadre"])
        except ValidationError as error:
            _error(result, "JiangChengQingKuang", row.name, "；".join(error.messages))
    for row in parsed.assessments or []:
        try:
            row.full_clean(exclude=["cadre"])
        except ValidationError as error:
            _error(result, "NianDuKaoHeJieGuo", row.year, "；".join(error.messages))
    if result.errors:
        result.outcome = "error"
        return None
    return _Plan(result, cadre, parsed, user)


def _child_changes(result, cadre, parsed) -> None:
    old_resume = af.resume_lines(cadre.resume.order_by("start", "id")) if cadre else []
    new_resume = af.resume_lines(parsed.resume) if parsed.resume is not None else old_resume
    if old_resume != new_resume:
        result.changes.append((_("简历"), f"{len(old_resume)}行", f"{len(new_resume)}行"))

    def family_rows(rows):
        return [(m.relation, m.name, m.birth_date, m.political_status, m.employer_post) for m in rows]

    old_family = family_rows(cadre.family.order_by("id")) if cadre else []
    if parsed.family is not None and old_family != family_rows(parsed.family):
        result.changes.append(
            (_("家庭主要成员及重要社会关系"), f"{len(old_family)}人", f"{len(parsed.family)}人")
        )
    if parsed.assessments:
        stored = dict(cadre.assessments.values_list("year", "result")) if cadre else {}
        if any(stored.get(a.year) != a.result for a in parsed.assessments):
            shown = "、".join(f"{a.year}{codes.AssessmentResult(a.result).label}" for a in parsed.assessments)
            result.changes.append((_("年度考核"), "", shown))
    if parsed.rewards is not None:
        old = sorted(af.reward_line(r) for r in cadre.rewards.all()) if cadre else []
        if old != sorted(parsed.reward_lines):
            result.changes.append((_("奖励"), f"{len(old)}项", f"{len(parsed.reward_lines)}项"))
    if parsed.photo is not None:
        if cadre is not None and cadre.photo and af.photo_bytes(cadre) == parsed.photo[1]:
            parsed.photo = None  # the same picture: nothing to write
        else:
            result.changes.append((_("照片"), "", f"{max(1, len(parsed.photo[1]) // 1024)} KB"))


def _write(plan: _Plan) -> None:
    cadre, parsed = plan.cadre, plan.parsed
    if parsed.photo is not None:
        extension, data = parsed.photo
        stem = cadre.id_number or f"{cadre.name}{af.compact(cadre.birth_date)}"
        cadre.photo.save(f"{stem}.{extension}", ContentFile(data), save=False)
    cadre.save()
    for rows, related in ((parsed.resume, cadre.resume), (parsed.family, cadre.family)):
        if rows is None:  # read exactly as stored: kept
            continue
        related.all().delete()
        for row in rows:
            row.cadre = cadre
            row.save()
    for row in parsed.assessments or []:
        AnnualAssessment.objects.update_or_create(cadre=cadre, year=row.year, defaults={"result": row.result})
    if parsed.rewards is not None:  # the file's rewards; those already recorded keep issuer and 文号
        existing = {(r.date, r.name): r for r in cadre.rewards.all()}
        wanted = {(r.date, r.name) for r in parsed.rewards}
        for key, reward in existing.items():
            if key not in wanted:
                reward.delete()
        for row in parsed.rewards:
            if (row.date, row.name) not in existing:
                row.cadre = cadre
                row.save()
    _keep_written(plan)


def _keep_written(plan: _Plan) -> None:
    """Keep each element the file writes its own way (Cadre.form_elements), with what the record
    composes for it now, so the form shows the file's text for as long as the record is unchanged.
    A derived display text, not a fact of the record: set without a history row of its own."""
    cadre, parsed = plan.cadre, plan.parsed
    composed = document(cadre, user=plan.user, written=False)
    kept = dict(cadre.form_elements or {})
    for element in WRITTEN_ELEMENTS:
        if element in parsed.same or element not in parsed.values:
            continue
        text = parsed.values[element]
        if text != composed.get(element, ""):
            kept[element] = [text, composed.get(element, "")]
        else:
            kept.pop(element, None)
    if kept != (cadre.form_elements or {}):
        cadre.form_elements = kept
        Cadre.objects.filter(pk=cadre.pk).update(form_elements=kept)


def import_files(
    files: list[tuple[str, bytes]], user, *, unit=None, dry_run: bool = True, allow_update: bool | None = None
) -> ImportReport:
    """Validate every .lrmx (a .zip gives its files); unless `dry_run`, and only if every file is
    valid, write them all in one transaction (history by `user`). Updating a cadre on record needs
    `allow_update` (default: the user's change permission on cadres), as the roster import does.
    The import pipeline (orgportal.imports) with LrmxFormat."""
    if allow_update is None:
        allow_update = user.has_perm("cadres.change_cadre")
    return imports.run(LrmxFormat(files), None, user, unit=unit, dry_run=dry_run, allow_update=allow_update)


def report_text(report: ImportReport) -> str:
    """The report by file and field, for the command line."""
    counts = report.counts()
    lines = [
        _("%(roster)s：新增 %(new)d，更新 %(update)d，无变化 %(unchanged)d，错误 %(error)d")
        % {"roster": report.roster, **counts}
    ]
    lines += [_("文件：%s") % e for e in report.file_errors]
    for row in report.rows:
        lines.append(
            f"[{row.row}] {row.file} {row.label} — {row.outcome_label}"
            + (f"（{row.matched_by}）" if row.matched_by else "")
        )
        for label, old, new in row.changes:
            lines.append(f"    {label}：{old or '（空）'} → {new or '（空）'}")
        for error in row.errors:
            lines.append(f"    ✗ 〔{error.column}〕“{error.value}”：{error.message}")
    lines.append(_("已写入") if report.written else _("未写入任何数据"))
    return "\n".join(lines)
