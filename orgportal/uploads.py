"""Hostile uploads, refused before they are parsed: too big, not a zip, a truncated zip, a zip bomb
(huge uncompressed size, or a ratio no office file has), XML with a DTD (entity expansion), a sheet
declaring or holding more rows or columns than an import takes.

Every upload path calls these once: the roster engine's `read_workbook` (roster imports in the
admin, the API and the command; the 调训名单), the admin's `preview_import` (the size, before the
upload is kept) and the .lrmx import. Limits are settings (README "Security"):
ORGPORTAL_UPLOAD_MAX_BYTES, ORGPORTAL_IMPORT_MAX_ROWS, ORGPORTAL_IMPORT_MAX_COLUMNS,
ORGPORTAL_UPLOAD_MAX_UNCOMPRESSED, ORGPORTAL_UPLOAD_MAX_RATIO.
"""

import io
import re
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

MAX_MEMBERS = 1000  # an .xlsx has a few dozen parts; a .zip of .lrmx at most lrmx.MAX_FILES
RATIO_FROM_BYTES = 1024 * 1024  # small parts compress well (styles, repeated headers): ratio not checked
DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
MAX_DEPTH = 100  # an .xlsx sheet nests 5 deep (worksheet, sheetData, row, c, is/t), an .lrmx 3
STEP = 4096  # depth is measured every STEP bytes or so (at a tag's end): a nest deeper than a few
# thousand levels cannot hide between two measures
CHUNK = 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
ROW_TAGS = (b"<row ", b"<row>", b":row ", b":row>")  # <row r="1">, <x:row> (a namespace prefix)


class UploadRefused(ValueError):
    """A file refused before parsing; str() is the message for the user (Chinese)."""


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def max_bytes() -> int:
    return settings.ORGPORTAL_UPLOAD_MAX_BYTES


def max_rows() -> int:
    return settings.ORGPORTAL_IMPORT_MAX_ROWS


def max_columns() -> int:
    return getattr(settings, "ORGPORTAL_IMPORT_MAX_COLUMNS", 200)


def size_of(file) -> int:
    """The size of an upload (Django's UploadedFile), a binary file or bytes, without reading it."""
    if isinstance(file, (bytes, bytearray)):
        return len(file)
    size = getattr(file, "size", None)
    if size is not None:
        return size
    position = file.tell()
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(position)
    return size


def check_size(file) -> None:
    size = size_of(file)
    if size > max_bytes():
        raise UploadRefused(
            _("文件过大（%(size)s，上限 %(limit)s）") % {"size": _mb(size), "limit": _mb(max_bytes())}
        )


def check_zip(archive: zipfile.ZipFile) -> None:
    """The archive's declared sizes: member count, total uncompressed size, compression ratio."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise UploadRefused(_("压缩包内文件过多（%d 个）") % len(members))
    total = sum(info.file_size for info in members)
    if total > settings.ORGPORTAL_UPLOAD_MAX_UNCOMPRESSED:
        raise UploadRefused(
            _("文件解压后过大（%(size)s，上限 %(limit)s），疑似压缩炸弹")
            % {"size": _mb(total), "limit": _mb(settings.ORGPORTAL_UPLOAD_MAX_UNCOMPRESSED)}
        )
    for info in members:
        if info.file_size > RATIO_FROM_BYTES and (
            info.file_size > settings.ORGPORTAL_UPLOAD_MAX_RATIO * max(info.compress_size, 1)
        ):
            raise UploadRefused(_("文件压缩比异常（%s），疑似压缩炸弹") % info.filename)


def check_xml(data: bytes, name: str = "") -> None:
    """XML with a DTD (an entity bomb, or an external entity) or nested deeper than MAX_DEPTH is
    refused: no office file or .lrmx has either."""
    if DTD.search(data):
        raise UploadRefused(_("文件包含不允许的 XML 文档类型定义（DTD）%s") % name)
    if xml_depth(data) > MAX_DEPTH:
        raise UploadRefused(_("文件的 XML 嵌套过深（%s），疑似恶意构造") % name)


def xml_depth(data: bytes, depth: int = 0) -> int:
    """The element depth after `data` (a run of whole tags), starting at `depth`; MAX_DEPTH + 1 as
    soon as it goes deeper at a measuring point. Counted with bytes.count (C speed), not parsed."""
    start = 0
    while start < len(data):
        end = data.find(b">", start + STEP)
        end = len(data) if end < 0 else end + 1
        part = data[start:end]
        opened = part.count(b"<") - part.count(b"</") - part.count(b"<?") - part.count(b"<!")
        depth += opened - part.count(b"</") - part.count(b"/>")
        if depth > MAX_DEPTH:
            return MAX_DEPTH + 1
        start = end
    return depth


def check_xml_stream(part, name: str = "") -> int:
    """An XML part read in chunks (bounded memory): no DTD, no nesting deeper than MAX_DEPTH.
    Returns how many <row> elements it has (a sheet's rows, counted without parsing)."""
    rest, depth, rows = b"", 0, 0
    while chunk := part.read(CHUNK):
        data = rest + chunk
        cut = data.rfind(b">") + 1  # whole tags only; the rest waits for the next chunk
        data, rest = data[:cut], data[cut:]
        if DTD.search(data):
            raise UploadRefused(_("文件包含不允许的 XML 文档类型定义（DTD）%s") % name)
        depth = xml_depth(data, depth)
        if depth > MAX_DEPTH:
            raise UploadRefused(_("文件的 XML 嵌套过深（%s），疑似恶意构造") % name)
        rows += sum(data.count(tag) for tag in ROW_TAGS)
    return rows


def check_xlsx(file) -> None:
    """Refuse what is not a sane .xlsx: the zip's directory first (sizes, ratio), then each XML part
    streamed once in 1 MB chunks (DTD, depth, a sheet's rows); `file` is left at its start."""
    check_size(file)
    file.seek(0)
    try:
        if not zipfile.is_zipfile(file):
            file.seek(0)
            if file.read(4) == ZIP_MAGIC:  # a zip's start without its end: cut short
                raise zipfile.BadZipFile
            raise UploadRefused(_("不是 .xlsx 文件（请用 Excel 或 WPS 另存为 .xlsx 后上传）"))
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            check_zip(archive)
            for info in archive.infolist():
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    with archive.open(info) as part:
                        rows = check_xml_stream(part, info.filename)
                    if info.filename.startswith("xl/worksheets/") and rows > sheet_row_limit():
                        raise UploadRefused(too_many_rows())  # counted, whatever <dimension> says
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError, OSError):
        raise UploadRefused(_("文件已损坏或不完整（不是有效的 .xlsx 压缩包）")) from None
    finally:
        file.seek(0)


def check_sheet(sheet) -> None:
    """A read-only openpyxl sheet's declared size (its <dimension>): refused before any row is read."""
    check_sheet_size(sheet.max_row or 0, sheet.max_column or 0)


def check_sheet_size(rows: int, columns: int) -> None:
    if rows > sheet_row_limit():
        raise UploadRefused(too_many_rows())
    if columns > max_columns():
        raise UploadRefused(
            _("表格列数过多（%(columns)d 列，上限 %(limit)d 列）")
            % {"columns": columns, "limit": max_columns()}
        )


def sheet_row_limit() -> int:
    """Rows a sheet may have: the data rows allowed plus room for title and header rows."""
    from .rosters import HEADER_SCAN_ROWS

    return max_rows() + HEADER_SCAN_ROWS


def too_many_rows() -> str:
    return _("表格行数超过上限（最多 %d 行数据），请分成多个文件导入") % max_rows()
