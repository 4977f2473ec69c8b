"""The roster engine's aggregate tables (`export_table`): the roster layout, text never a formula,
numbers kept as numbers, the export logged."""

import io

import openpyxl
import pytest

from orgportal import rosters
from orgportal.models import ExportLog
from tests import factories as f

pytestmark = pytest.mark.django_db


def table(rows, user=None, **kwargs):
    buffer = io.BytesIO()
    count = rosters.export_table(
        "班子统计", ["单位", "核定", "平均年龄"], rows, user, buffer, what="test.table", **kwargs
    )
    buffer.seek(0)
    return count, openpyxl.load_workbook(buffer).worksheets[0]


def test_export_table_has_the_roster_layout():
    count, sheet = table([["甲县", 4, 45.5], ["乙县", 2, None]])
    assert count == 2
    assert sheet["A1"].value.startswith("班子统计  导出日期：")
    assert [c.value for c in sheet[2]] == ["序号", "单位", "核定", "平均年龄"]
    assert [c.value for c in sheet[3]] == [1, "甲县", 4, 45.5]
    assert [c.value for c in sheet[4]] == [2, "乙县", 2, None]
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:D4"


def test_export_table_writes_formulas_as_text():
    _count, sheet = table([["=SUM(A1)", 1, None], ["+1", 2, None]])
    assert sheet["B3"].value == "=SUM(A1)"
    assert sheet["B3"].data_type == "s"
    assert sheet["B4"].data_type == "s"


def test_export_table_is_logged():
    user = f.UserFactory()
    table([["甲县", 4, 45.5]], user, description="unit_subtree=3", channel="api")
    log = ExportLog.objects.get()
    assert (log.user, log.roster, log.row_count, log.channel, log.filters) == (
        user,
        "test.table",
        1,
        "api",
        "unit_subtree=3",
    )
    assert not log.included_sensitive
