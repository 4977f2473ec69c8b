"""The 干部任免审批表 as a Word document (.docx, python-docx): the same two A4 pages as the printable
admin page, from the same composed form (cadres.approval_form)."""

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from orgportal.validators import format_date, format_year_month

from .approval_form import ApprovalForm, photo_bytes, printed_party_join

FONT = "宋体"
LABEL, VALUE, TEXT = "label", "value", "text"


def _font(run, size: float = 10.5, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _write(cell, text: str, kind: str) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if kind == TEXT else WD_ALIGN_PARAGRAPH.CENTER
    cell.vertical_alignment = (
        WD_CELL_VERTICAL_ALIGNMENT.TOP if kind == TEXT else WD_CELL_VERTICAL_ALIGNMENT.CENTER
    )
    for number, line in enumerate((text or "").split("\n")):
        if number:
            paragraph.runs[-1].add_break(WD_BREAK.LINE)
        _font(paragraph.add_run(line))


def _grid(document, widths_mm: list[float], rows: list[tuple[float, list[tuple]]]):
    """A table from rows of (height mm, cells); a cell is (text, kind, colspan, rowspan) and covered
    positions are skipped, as in HTML."""
    table = document.add_table(rows=len(rows), cols=len(widths_mm))
    table.style = "Table Grid"
    table.autofit = False
    for row, (height, _cells) in zip(table.rows, rows, strict=True):
        row.height = Mm(height)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    covered: set[tuple[int, int]] = set()
    for r, (_height, cells) in enumerate(rows):
        c = 0
        for text, kind, colspan, rowspan in cells:
            while (r, c) in covered:
                c += 1
            cell = table.cell(r, c)
            if colspan > 1 or rowspan > 1:
                cell = cell.merge(table.cell(r + rowspan - 1, c + colspan - 1))
                covered.update((r + i, c + j) for i in range(rowspan) for j in range(colspan))
            _write(cell, text, kind)
            c += colspan
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)  # the table grid (LibreOffice reads this)
        for cell in column.cells:
            cell.width = Mm(width)
    return table


def _cell(text, kind=VALUE, colspan=1, rowspan=1) -> tuple:
    return (text, kind, colspan, rowspan)


def docx_bytes(form: ApprovalForm) -> bytes:
    cadre = form.cadre
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(15)
    section.left_margin = section.right_margin = Mm(15)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run("干部任免审批表"), size=22, bold=True)

    birth = format_year_month(cadre.birth_date) + (f"\n（{form.age}岁）" if form.age is not None else "")
    education_ft = "\n".join(v for v in (form.ft_education, form.ft_degree) if v)
    education_pt = "\n".join(v for v in (form.pt_education, form.pt_degree) if v)
    page_one = [
        (
            10,
            [
                _cell("姓　名", LABEL),
                _cell(cadre.name),
                _cell("性　别", LABEL),
                _cell(cadre.get_gender_display()),
                _cell("出生年月\n（　岁）", LABEL),
                _cell(birth),
                _cell("" if photo_bytes(cadre) else "照片", rowspan=4),
            ],
        ),
        (
            10,
            [
                _cell("民　族", LABEL),
                _cell(cadre.get_ethnicity_display()),
                _cell("籍　贯", LABEL),
                _cell(cadre.native_place),
                _cell("出 生 地", LABEL),
                _cell(cadre.birthplace),
            ],
        ),
        (
            10,
            [
                _cell("入　党\n时　间", LABEL),
                _cell(printed_party_join(form)),
                _cell("参加工\n作时间", LABEL),
                _cell(format_year_month(cadre.work_start_date)),
                _cell("健康状况", LABEL),
                _cell(form.health),
            ],
        ),
        (
            10,
            [
                _cell("专业技\n术职务", LABEL),
                _cell(cadre.professional_title, TEXT, colspan=2),
                _cell("熟悉专业\n有何专长", LABEL),
                _cell(cadre.expertise, TEXT, colspan=2),
            ],
        ),
        (
            10,
            [
                _cell("学　历\n学　位", LABEL, rowspan=2),
                _cell("全日制\n教　育", LABEL),
                _cell(education_ft, colspan=2),
                _cell("毕业院校\n系及专业", LABEL),
                _cell(cadre.ft_school, TEXT, colspan=2),
            ],
        ),
        (
            10,
            [
                _cell("在　职\n教　育", LABEL),
                _cell(education_pt, colspan=2),
                _cell("毕业院校\n系及专业", LABEL),
                _cell(cadre.pt_school, TEXT, colspan=2),
            ],
        ),
        (9, [_cell("现任职务", LABEL), _cell(form.post, TEXT, colspan=6)]),
        (9, [_cell("拟任职务", LABEL), _cell(form.proposed_post, TEXT, colspan=6)]),
        (9, [_cell("拟免职务", LABEL), _cell(form.removed_post, TEXT, colspan=6)]),
        (140, [_cell("简\n\n\n\n历", LABEL), _cell(form.resume, TEXT, colspan=6)]),
    ]
    table = _grid(document, [24, 26, 20, 26, 24, 26, 34], page_one)
    photo = photo_bytes(cadre)
    if photo:
        table.cell(0, 6).paragraphs[0].add_run().add_picture(io.BytesIO(photo), width=Mm(30), height=Mm(38))
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    family = form.family + [None] * max(0, 7 - len(form.family))
    family_rows = [
        (
            9,
            [
                _cell(m.relation),
                _cell(m.name),
                _cell("" if m.age is None else str(m.age)),
                _cell(m.political_status),
                _cell(m.employer_post, TEXT),
            ]
            if m
            else [_cell("")] * 5,
        )
        for m in family
    ]
    seal = "（盖章）\n年　　月　　日"
    page_two = [
        (30, [_cell("奖　惩\n情　况", LABEL), _cell(form.rewards, TEXT, colspan=5)]),
        (16, [_cell("年度考\n核结果", LABEL), _cell(form.assessments, TEXT, colspan=5)]),
        (22, [_cell("任　免\n理　由", LABEL), _cell(form.reason, TEXT, colspan=5)]),
        (
            9,
            [
                _cell("家庭主要\n成员及重\n要社会关\n系", LABEL, rowspan=len(family) + 1),
                _cell("称　谓", LABEL),
                _cell("姓　名", LABEL),
                _cell("年龄", LABEL),
                _cell("政治面貌", LABEL),
                _cell("工作单位及职务", LABEL),
            ],
        ),
        *family_rows,
        (30, [_cell("呈　报\n单　位", LABEL), _cell(f"{form.submitting_unit}\n{seal}".strip(), colspan=5)]),
        (
            34,
            [
                _cell("审　批\n机　关\n意　见", LABEL),
                _cell(seal, colspan=2),
                _cell("行政机\n关任免\n意　见", LABEL),
                _cell(seal, colspan=2),
            ],
        ),
    ]
    _grid(document, [24, 20, 22, 18, 24, 72], page_two)
    footer = document.add_paragraph()
    _font(
        footer.add_run(
            f"填表人：{form.filled_by}　　　计算年龄时间：{format_date(form.on)}　　　填表时间：{format_date(form.filled_on)}"
        )
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
