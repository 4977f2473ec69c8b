"""Hostile files on every upload path (roster import in the kernel, the API and the admin; the
调训名单; the .lrmx import): not an .xlsx, a truncated zip, zip and XML bombs, a sheet of 1 000 000 rows,
a 50 MB upload — each refused with a clear message, within seconds and bounded memory, nothing written.
Every file is made here, on the fly."""

import io
import time
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from cadres import lrmx
from cadres.models import Cadre
from orgportal import rosters, uploads
from tests.contract import ModelContract
from tests.factories import CadreFactory, TrainingClassFactory, UserFactory
from training.enrolment_lists import import_enrolment_list
from training.models import Enrolment

pytestmark = pytest.mark.django_db

STANDARD = "cadres.standard"
SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
SECONDS = 10  # "within seconds", on a loaded 2-core CI machine


# --- the files -----------------------------------------------------------------------------------
def good_xlsx(rows=(("姓名", "公民身份号码"), ("张三", "11010519491231002X"))) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_parts(parts: dict[str, bytes | None], base: bytes | None = None) -> bytes:
    """A copy of an .xlsx with some parts replaced (None: left out) or added."""
    source = zipfile.ZipFile(io.BytesIO(base or good_xlsx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename not in parts:
                archive.writestr(info.filename, source.read(info))
        for name, data in parts.items():
            if data is not None:
                archive.writestr(name, data)
    return out.getvalue()


def sheet(body: bytes, dimension: str | None = "A1:B2") -> bytes:
    dim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    return SHEET_HEAD + dim + b"<sheetData>" + body + b"</sheetData></worksheet>"


ROW = b'<row r="1"><c r="A1" t="inlineStr"><is><t>\xe5\xa7\x93\xe5\x90\x8d</t></is></c></row>'


def million_rows(dimension: bool) -> bytes:
    """A sheet of 1 000 000 rows, streamed into the zip (about 70 MB of XML, a few MB zipped)."""
    base = with_parts({SHEET: None})
    out = io.BytesIO(base)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive, archive.open(SHEET, "w") as part:
        part.write(SHEET_HEAD)
        if dimension:
            part.write(b'<dimension ref="A1:B1000000"/>')
        part.write(b"<sheetData>")
        for start in range(1, 1_000_001, 10_000):
            part.write(
                b"".join(
                    b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x%d</t></is></c><c r="B%d"><v>%d</v></c></row>'
                    % (r, r, r, r, r)
                    for r in range(start, start + 10_000)
                )
            )
        part.write(b"</sheetData></worksheet>")
    return out.getvalue()


def billion_laughs() -> bytes:
    entities = "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' if i else '<!ENTITY lol0 "lol">' for i in range(10)
    )
    dtd = f"<!DOCTYPE worksheet [{entities}]>".encode()
    body = b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    return (
        SHEET_HEAD.replace(b"<worksheet", dtd + b"<worksheet")
        + b"<sheetData>"
        + body
        + b"</sheetData></worksheet>"
    )


def deep(levels: int = 100_000) -> bytes:  # 700 KB: under the ratio check's 1 MB
    return sheet(
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>'
        + b"<x>" * levels
        + b"</x>" * levels
        + b"</t></is></c></row>"
    )


HOSTILE = {
    # name: (file, words the message must contain)
    "not_xlsx": (lambda: b"%PDF-1.4\n" + b"x" * 5000, "不是 .xlsx"),
    "text": (lambda: "姓名,公民身份号码\n张三,1\n".encode("gbk"), "不是 .xlsx"),
    "truncated_zip": (lambda: good_xlsx()[:3000], "损坏或不完整"),
    "huge_declared_rows": (lambda: with_parts({SHEET: sheet(ROW, "A1:XFD1048576")}), "行数超过上限"),
    "huge_declared_columns": (lambda: with_parts({SHEET: sheet(ROW, "A1:XFD2")}), "列数过多"),
    "deep_xml": (lambda: with_parts({SHEET: deep()}), "嵌套过深"),
    "entity_bomb": (lambda: with_parts({SHEET: billion_laughs()}), "DTD"),
    "ratio_bomb": (lambda: with_parts({"xl/media/image1.png": b"\0" * (50 * 1024 * 1024)}), "压缩"),
}


# --- the paths -----------------------------------------------------------------------------------
@pytest.fixture
def importer(county_a):
    perms = ["cadres.view_cadre", "cadres.add_cadre", "cadres.change_cadre", "training.add_enrolment"]
    return ModelContract.fresh(UserFactory(perms=perms, units=[county_a]))


def via_kernel(data, user, client, api) -> str:
    report = rosters.import_file(rosters.get(STANDARD), io.BytesIO(data), user, dry_run=False)
    assert not report.written
    return "；".join(report.file_errors)


def via_api(data, user, client, api) -> str:
    upload = SimpleUploadedFile("名册.xlsx", data)
    response = api.as_user(user).post(
        reverse("cadre-import-roster"), {"file": upload, "dry_run": "false"}, format="multipart"
    )
    assert response.status_code == 400, response.status_code
    assert not response.data["written"]
    return "；".join(response.data["file_errors"])


def via_admin(data, user, client, api) -> str:
    client.force_login(user)
    upload = SimpleUploadedFile("名册.xlsx", data)
    response = client.post(reverse("admin:cadres_cadre_roster_import"), {"roster": STANDARD, "file": upload})
    assert response.status_code == 200
    report = response.context.get("report")
    if report is None:  # refused on the form (the size), before the upload was kept
        return "；".join(str(e) for e in response.context["form"].errors.get("file", []))
    assert not report.written
    return "；".join(report.file_errors)


def via_enrolment_list(data, user, client, api) -> str:
    report = import_enrolment_list(TrainingClassFactory(), io.BytesIO(data), user, dry_run=False)
    assert not report.written
    return "；".join(report.file_errors)


PATHS = [via_kernel, via_api, via_admin, via_enrolment_list]


def nothing_written(before: tuple[int, int]) -> bool:
    return (Cadre.objects.count(), Enrolment.objects.count()) == before


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.__name__)
@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_file_is_refused_quickly_with_a_clear_message(name, path, importer, client, api, county_a):
    CadreFactory(unit=county_a)
    before = (Cadre.objects.count(), Enrolment.objects.count())
    make, words = HOSTILE[name]
    data = make()
    started = time.monotonic()
    message = path(data, importer, client, api)
    assert time.monotonic() - started < SECONDS
    assert words in message, message
    assert nothing_written(before)


@pytest.fixture(scope="module")
def million():
    return {declared: million_rows(declared) for declared in (True, False)}


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "undeclared"])
def test_a_sheet_of_a_million_rows_is_refused_within_seconds(declared, million, importer):
    data = million[declared]
    assert len(data) < uploads.max_bytes()  # small enough to pass the size check: the rows are refused
    started = time.monotonic()
    report = rosters.import_file(rosters.get(STANDARD), io.BytesIO(data), importer, dry_run=False)
    elapsed = time.monotonic() - started
    assert "行数超过上限" in "".join(report.file_errors)
    assert not report.written and not Cadre.objects.exists()
    # its rows are counted in the zip's XML stream (C speed) before openpyxl reads any of them
    assert elapsed < SECONDS, elapsed


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "undeclared"])
def test_a_million_rows_are_refused_in_bounded_memory(declared, million, importer):
    """The XML is streamed in 1 MB chunks: memory stays flat, the million rows are never held."""
    tracemalloc.start()
    try:
        with override_settings(ORGPORTAL_IMPORT_MAX_ROWS=2000):
            report = rosters.import_file(rosters.get(STANDARD), io.BytesIO(million[declared]), importer)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "最多 2000 行" in "".join(report.file_errors)
    assert peak < 30 * 1024 * 1024, peak


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.__name__)
def test_a_50_mb_upload_is_refused_before_it_is_read(path, importer, client, api):
    data = b"PK\x03\x04" + b"\0" * (50 * 1024 * 1024)
    started = time.monotonic()
    message = path(data, importer, client, api)
    assert time.monotonic() - started < SECONDS
    assert "文件过大" in message and "50.0 MB" in message


def test_reading_stops_at_the_limit_even_when_the_count_is_dodged(importer, monkeypatch):
    """Rows the pre-count misses (a prefix it does not know): openpyxl's reading stops at the limit."""
    monkeypatch.setattr(uploads, "ROW_TAGS", ())
    with override_settings(ORGPORTAL_IMPORT_MAX_ROWS=10):
        data = with_parts(
            {
                SHEET: sheet(
                    b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(1, 41)),
                    dimension=None,
                )
            }
        )
        report = rosters.import_file(rosters.get(STANDARD), io.BytesIO(data), importer)
    assert "最多 10 行" in "".join(report.file_errors)


def test_the_limits_are_settings(importer):
    rows = [("姓名", "公民身份号码"), *((f"人{i}", "") for i in range(30))]
    with override_settings(ORGPORTAL_IMPORT_MAX_ROWS=10):
        report = rosters.import_file(rosters.get(STANDARD), io.BytesIO(good_xlsx(rows)), importer)
    assert "最多 10 行" in "".join(report.file_errors)
    with override_settings(ORGPORTAL_UPLOAD_MAX_BYTES=1000):
        report = rosters.import_file(rosters.get(STANDARD), io.BytesIO(good_xlsx()), importer)
    assert "文件过大" in "".join(report.file_errors)
    with override_settings(ORGPORTAL_UPLOAD_MAX_UNCOMPRESSED=1000):
        report = rosters.import_file(rosters.get(STANDARD), io.BytesIO(good_xlsx()), importer)
    assert "解压后过大" in "".join(report.file_errors)


def test_an_ordinary_workbook_passes_the_checks():
    data = good_xlsx([("序号", "姓名", "公民身份号码"), *((i, f"人{i}", "") for i in range(2000))])
    uploads.check_xlsx(io.BytesIO(data))  # nothing raised
    assert len(rosters.read_workbook(io.BytesIO(data))) == 2001


# --- .lrmx: a single XML file, or a zip of them ----------------------------------------------------
LRMX_HOSTILE = {
    "entity_bomb": (
        lambda: (
            b'<?xml version="1.0"?><!DOCTYPE Person [<!ENTITY a "aaaa">]><Person><XingMing>&a;</XingMing></Person>'
        ),
        "DTD",
    ),
    "deep_xml": (lambda: b"<Person>" + b"<x>" * 100_000 + b"</x>" * 100_000 + b"</Person>", "嵌套过深"),
    "not_xml": (lambda: b"%PDF-1.4 not a person", "不是有效的 XML"),
    "truncated_zip": (lambda: zipped({"a.lrmx": b"<Person/>", "b.lrmx": b"<Person/>"})[:120], "损坏"),
    "ratio_bomb": (lambda: zipped({"a.lrmx": b" " * (9 * 1024 * 1024)}), "压缩比"),
    "too_big": (lambda: b"<Person>" + b" " * (21 * 1024 * 1024) + b"</Person>", "文件过大"),
}


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("name", list(LRMX_HOSTILE))
def test_a_hostile_lrmx_upload_is_refused(name, importer):
    make, words = LRMX_HOSTILE[name]
    started = time.monotonic()
    report = lrmx.import_files([("上传.lrmx", make())], importer, dry_run=False)
    assert time.monotonic() - started < SECONDS
    messages = "；".join([*report.file_errors, *(e.message for e in report.errors)])
    assert words in messages, messages
    assert not report.written and not Cadre.objects.exists()
