"""The 干部任免审批表 as text: what the printed form, the .docx and the .lrmx exchange file show.

One function composes it from a cadre (and optionally an appointment case): dates in the form's
`1985.03` style for print, composed 简历 / 奖惩情况 / 年度考核结果 texts, family rows with ages at
the form's 计算年龄时间. The .lrmx writer (cadres.lrmx) turns the same values into its own formats.
"""

import base64
import datetime
import re
from dataclasses import dataclass, field
from itertools import groupby

from django.utils import timezone

from orgportal import access, codes
from orgportal.validators import age_on, format_year_month

# Imported text the importer could not turn into records is kept in the cadre's 任免审批表原文
# (`form_text`, a sensitive field) as blocks (`【奖惩情况·原文】` … `【/奖惩情况】`) and printed after
# what the records compose.
BLOCK_NAMES = ("简历", "奖惩情况", "年度考核结果")
BLOCK = re.compile(r"【(简历|奖惩情况|年度考核结果)·原文】\n(.*?)\n【/\1】\n?", re.S)
DECEASED_WORDS = ("去世", "死亡", "逝世", "已故")
ASSESSMENT_YEARS = 3  # the form shows the last three years

# 政治面貌 as the form writes it (short forms, all read back by codes.parse_code)
POLITICAL_SHORT = {
    "01": "中共党员",
    "02": "中共预备党员",
    "03": "共青团员",
    "04": "民革党员",
    "05": "民盟盟员",
    "06": "民建会员",
    "07": "民进会员",
    "08": "农工党党员",
    "09": "致公党党员",
    "10": "九三学社社员",
    "11": "台盟盟员",
    "12": "无党派人士",
    "13": "群众",
}
# 入党时间 of a democratic-party member or 无党派 cadre: the party's short name (LRMX.md)
PARTY_SHORT = {
    "04": "民革",
    "05": "民盟",
    "06": "民建",
    "07": "民进",
    "08": "农工党",
    "09": "致公党",
    "10": "九三学社",
    "11": "台盟",
    "12": "无党派",
}
PARTY_FROM_SHORT = {
    **{name: code for code, name in PARTY_SHORT.items()},
    "农工": "08",
    "致公": "09",
    "九三": "10",
    "无党派人士": "12",
    "无党派民主人士": "12",
}
# Another party a CPC member also belongs to (`200108；民建`): kept in 备注 as `民主党派：民建`
OTHER_PARTY = re.compile(r"^民主党派：(.+)$", re.M)
# 学历 as the form writes it: the short word where it reads back to the same code, else the label
EDUCATION_SHORT = {
    "11": "博士研究生",
    "14": "研究生",
    "17": "研究生班",
    "21": "大学",
    "31": "大专",
    "41": "中专",
    "44": "职业高中",
    "47": "技工学校",
    "61": "高中",
    "71": "初中",
    "81": "小学",
}


def note_blocks(note: str) -> dict[str, str]:
    return dict(BLOCK.findall(note or ""))


def note_without_blocks(note: str) -> str:
    return BLOCK.sub("", note or "")


def with_blocks(note: str, blocks: dict[str, str]) -> str:
    """The 备注 with its kept blocks replaced by `blocks` (empty ones dropped)."""
    kept = note_without_blocks(note).rstrip("\n")
    added = "".join(
        f"【{name}·原文】\n{blocks[name]}\n【/{name}】\n" for name in BLOCK_NAMES if blocks.get(name)
    )
    return f"{kept}\n{added}".lstrip("\n") if added else kept


def other_parties(note: str) -> str:
    match = OTHER_PARTY.search(note or "")
    return match.group(1).strip() if match else ""


def compact(day: datetime.date | None) -> str:
    """`YYYYMM`, the .lrmx date form."""
    return "" if day is None else f"{day.year:04d}{day.month:02d}"


def resume_lines(entries) -> list[str]:
    """One line per entry (`1991.01--2000.01  text`; open: `1991.01--` + nine spaces), then its
    continuation lines as kept."""
    lines = []
    for entry in entries:
        first, *rest = entry.text.split("\n")
        start = format_year_month(entry.start)
        head = f"{start}--{format_year_month(entry.end)}  " if entry.end else f"{start}--{' ' * 9}"
        lines.append(head + first)
        lines.extend(rest)
    return lines


def resume_text(entries, blocks: dict[str, str]) -> str:
    lines = resume_lines(entries)
    if blocks.get("简历"):  # 届次 lines and the like: after a blank line
        lines += ["", blocks["简历"]]
    return "\n".join(lines)


def reward_line(reward) -> str:
    return f"{format_year_month(reward.date)}  {reward.name}"


def sanction_line(sanction) -> str:
    issuer = f"（{sanction.issuer}）" if sanction.issuer else ""
    return f"{format_year_month(sanction.decided_on)}  受到{sanction.get_sanction_display()}{issuer}"


def rewards_text(rewards, sanctions, blocks: dict[str, str]) -> str:
    """奖惩情况: rewards then sanctions, oldest first, one a line, then kept text; `无` if none."""
    lines = [reward_line(r) for r in sorted(rewards, key=lambda r: (r.date, r.pk or 0))]
    lines += [sanction_line(s) for s in sorted(sanctions, key=lambda s: (s.decided_on, s.pk or 0))]
    if blocks.get("奖惩情况"):
        lines.append(blocks["奖惩情况"])
    return "\n".join(lines) or "无"


def assessment_text(assessments, blocks: dict[str, str]) -> str:
    """`2021年度、2022年度考核均为称职；2023年度考核为优秀。` from the last three years."""
    recent = sorted(assessments, key=lambda a: a.year)[-ASSESSMENT_YEARS:]
    parts = []
    for result, group in groupby(recent, key=lambda a: a.result):
        years = [a.year for a in group]
        label = codes.AssessmentResult(result).label
        joined = "、".join(f"{year}年度" for year in years)
        parts.append(f"{joined}考核{'均' if len(years) > 1 else ''}为{label}")
    text = "；".join(parts) + ("。" if parts else "")
    if blocks.get("年度考核结果"):
        text = f"{text}\n{blocks['年度考核结果']}" if text else blocks["年度考核结果"]
    return text


def party_join_text(cadre) -> str:
    """入党时间 as the form writes it: `YYYYMM`, a party's short name, or both (`200108；民建`)."""
    status = cadre.political_status
    if status in ("01", "02"):
        other = other_parties(cadre.note)
        joined = compact(cadre.party_join_date)
        return f"{joined}；{other}" if joined and other else joined
    short = PARTY_SHORT.get(status, "")
    if cadre.party_join_date and short:
        return f"{compact(cadre.party_join_date)}；{short}"
    return short


def education_text(code: str) -> str:
    if not code:
        return ""
    return EDUCATION_SHORT.get(code) or str(codes.Education(code).label)


def degree_text(code: str) -> str:
    return str(codes.Degree(code).label) if code else ""


def current_post(cadre) -> str:
    """现任职务 with the unit, as the form writes it (`××局副局长`)."""
    return cadre.post_with_unit


def is_deceased(employer_post: str) -> bool:
    return any(word in (employer_post or "") for word in DECEASED_WORDS)


@dataclass
class FamilyRow:
    relation: str
    name: str
    birth_date: datetime.date | None
    political_status: str  # the form's short form
    employer_post: str
    age: int | None  # at the form's 计算年龄时间; None for the deceased


@dataclass
class ApprovalForm:
    """The 干部任免审批表 of one cadre (and case): typed where the form computes, text elsewhere."""

    cadre: object
    case: object
    on: datetime.date  # 计算年龄时间
    filled_on: datetime.date  # 填表时间
    filled_by: str  # 填表人
    sensitive: bool  # whether the viewer sees 健康状况 and discipline records
    age: int | None = None
    party_join: str = ""
    ft_education: str = ""
    ft_degree: str = ""
    pt_education: str = ""
    pt_degree: str = ""
    post: str = ""
    proposed_post: str = ""
    removed_post: str = ""
    reason: str = ""
    submitting_unit: str = ""
    resume: str = ""
    rewards: str = ""
    assessments: str = ""
    health: str = ""
    family: list[FamilyRow] = field(default_factory=list)


# The form's texts as an imported file wrote them (Cadre.form_elements: {element: [written, composed]},
# kept where they differ from what the record composes): shown instead of the composed text for as
# long as the record still composes what it did at the import — an edit of the record wins.
WRITTEN_ATTRIBUTES = {
    "RuDangShiJian": "party_join",
    "QuanRiZhiJiaoYu_XueLi": "ft_education",
    "QuanRiZhiJiaoYu_XueWei": "ft_degree",
    "ZaiZhiJiaoYu_XueLi": "pt_education",
    "ZaiZhiJiaoYu_XueWei": "pt_degree",
    "XianRenZhiWu": "post",
    "JianLi": "resume",
}


def as_written(cadre, element: str, composed: str) -> str:
    """The text the form shows for `element`: as the file wrote it, while the record is unchanged."""
    kept = (cadre.form_elements or {}).get(element)
    if kept and len(kept) == 2 and kept[1] == composed:
        return kept[0]
    return composed


def compose(cadre, *, user, case=None, on: datetime.date | None = None, written: bool = True) -> ApprovalForm:
    """The form of `cadre` (with 拟任/拟免/任免理由/呈报单位 from `case`), ages at `on` (today).
    Without orgportal.view_sensitive 健康状况 is masked and sanctions are left out of 奖惩情况.
    `written=False`: the texts as the record composes them, without an imported file's own."""
    on = on or timezone.localdate()
    sensitive = access.can_view_sensitive(user)
    blocks = note_blocks(cadre.form_text)
    if not sensitive:  # the kept 奖惩 text may hold discipline records
        blocks.pop("奖惩情况", None)
    sanctions = list(cadre.sanctions.all()) if sensitive else []
    form = ApprovalForm(
        cadre=cadre,
        case=case,
        on=on,
        filled_on=timezone.localdate(),
        filled_by=(user.get_full_name() or user.get_username()) if getattr(user, "pk", None) else "",
        sensitive=sensitive,
        age=age_on(cadre.birth_date, on) if cadre.birth_date else None,
        party_join=party_join_text(cadre),
        ft_education=education_text(cadre.ft_education),
        ft_degree=degree_text(cadre.ft_degree),
        pt_education=education_text(cadre.pt_education),
        pt_degree=degree_text(cadre.pt_degree),
        post=current_post(cadre),
        resume=resume_text(cadre.resume.order_by("start", "id"), blocks),
        rewards=rewards_text(list(cadre.rewards.all()), sanctions, blocks),
        assessments=assessment_text(list(cadre.assessments.all()), blocks),
        health=cadre.health if sensitive else access.mask(cadre.health),
    )
    if case is not None:
        form.proposed_post = case.proposed_post or (
            str(codes.Rank(case.proposed_rank).label) if case.proposed_rank else ""
        )
        form.removed_post = case.removed_post
        form.reason = case.reason
        form.submitting_unit = case.submitting_unit.name if case.submitting_unit_id else ""
    if written:
        for element, attribute in WRITTEN_ATTRIBUTES.items():
            setattr(form, attribute, as_written(cadre, element, getattr(form, attribute)))
    for member in cadre.family.order_by("id"):
        deceased = is_deceased(member.employer_post)
        form.family.append(
            FamilyRow(
                relation=member.relation,
                name=member.name,
                birth_date=member.birth_date,
                political_status=POLITICAL_SHORT.get(member.political_status, ""),
                employer_post=member.employer_post,
                age=None if deceased or not member.birth_date else age_on(member.birth_date, on),
            )
        )
    return form


def printed_party_join(form: ApprovalForm) -> str:
    """入党时间 as printed: `1991.07`, `2001.08；民建`, `民盟`."""
    return re.sub(r"\b([0-9]{4})([0-9]{2})\b", r"\1.\2", form.party_join)


def photo_bytes(cadre) -> bytes:
    """The photo's bytes, or b"" when there is none (or its file is gone from storage)."""
    if not cadre.photo:
        return b""
    try:
        with cadre.photo.open("rb") as handle:
            return handle.read()
    except (OSError, ValueError):
        return b""


def photo_data_uri(cadre) -> str:
    """The photo inline (`data:` URI), so that the printed page needs no media server."""
    data = photo_bytes(cadre)
    if not data:
        return ""
    kind = "png" if data.startswith(b"\x89PNG") else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"
