"""Workbooks in memory for the import tests: a sheet from rows, and a sheet's rows back."""

import io

import openpyxl


def workbook(rows) -> io.BytesIO:
    """An .xlsx whose first sheet holds `rows`, ready to read."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def rows_of(buffer) -> list[list]:
    """The first sheet's rows as lists of values."""
    buffer.seek(0)
    sheet = openpyxl.load_workbook(buffer).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]
