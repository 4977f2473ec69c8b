"""Round trips that lose nothing: for every importable roster and every section (its real permission
group, as the migrations set it) that may export and import it, the section's own export imported back
changes nothing; one edited cell changes one field; a cell the user sees masked is never written.

By discovery: the rosters from the engine's registry, the records from each model's contract
(tests/orgportal/test_jurisdiction_matrix.py), the sections from the groups — a roster or a section
added later is covered without a line here."""

import io

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.db import models

from orgportal import access
from orgportal import rosters as engine
from orgportal.sections import ALL_SECTIONS
from tests.factories import UserFactory
from tests.orgportal.test_jurisdiction_matrix import contract
from tests.sheets import rows_of

pytestmark = pytest.mark.django_db

IMPORTABLE = [r for r in engine.ROSTERS.values() if r.importable]
COUNTY_SECTION = "县区组织部"


def section_user(section, county_a, city):
    """A demo user of `section`: a county's own department is attached to its county, the others to the city."""
    user = UserFactory(units=[county_a if section == COUNTY_SECTION else city])
    user.groups.add(Group.objects.get(name=section))
    return user


def may_round_trip(user, roster) -> bool:
    meta = roster.model._meta
    return all(user.has_perm(f"{meta.app_label}.{action}_{meta.model_name}") for action in ("view", "change"))


def exported(roster, user) -> io.BytesIO:
    buffer = io.BytesIO()
    engine.export(roster, roster.model._default_manager.all(), user, buffer)
    buffer.seek(0)
    return buffer


def editable_column(roster, masked) -> engine.Col:
    """A plain text column of the roster a clerk may edit freely (notes first)."""
    candidates = [
        c
        for c in roster.columns
        if c.importable
        and "__" not in c.path
        and c.path != roster.key
        and c.path not in masked
        and isinstance(c.field, models.CharField | models.TextField)
        and not c.field.choices
    ]
    return next((c for c in candidates if isinstance(c.field, models.TextField)), candidates[0])


CASES = [(r, s) for r in IMPORTABLE for s in ALL_SECTIONS]


@pytest.mark.parametrize(("roster", "section"), CASES, ids=[f"{r.name}-{s}" for r, s in CASES])
def test_a_section_imports_its_own_export_back(roster, section, county_a, city):
    user = section_user(section, county_a, city)
    if not may_round_trip(user, roster):
        pytest.skip(f"{section} does not edit {roster.name}")
    kit = contract(roster.model)
    records = [kit.make(county_a) for _ in range(3)]
    rows = rows_of(exported(roster, user))
    assert len(rows) == 2 + len(records)

    unchanged = engine.import_rows(roster, rows, user, dry_run=True)
    assert unchanged.ok, unchanged.as_text()
    assert unchanged.counts() == {"new": 0, "update": 0, "unchanged": 3, "error": 0}, unchanged.as_text()

    masked = set(access.masked_fields(roster.model, user))
    column = editable_column(roster, masked)
    index = rows[1].index(str(column.header))
    rows[2][index] = "改过的内容"
    edited = engine.import_rows(roster, rows, user, dry_run=False)
    assert edited.written and edited.counts()["update"] == 1, edited.as_text()
    values = {
        getattr(r, column.path) for r in roster.model._default_manager.filter(pk__in=[o.pk for o in records])
    }
    assert "改过的内容" in values


@pytest.mark.parametrize("roster", IMPORTABLE, ids=lambda r: r.name)
def test_a_user_who_sees_values_masked_round_trips_and_cannot_overwrite_them(roster, county_a):
    """A user who may edit the records but sees their sensitive values masked (as 培训办 sees cadres):
    the export carries the record key, the masked cells come back as they went out, nothing changes;
    a masked cell typed over is refused, and nothing is written."""
    meta = roster.model._meta
    user = UserFactory(
        perms=[f"{meta.app_label}.{a}_{meta.model_name}" for a in ("view", "add", "change")], units=[county_a]
    )
    masked = set(access.masked_fields(roster.model, user))
    assert roster.key in masked, "the case this test is about: the key itself is masked"
    kit = contract(roster.model)
    records = [kit.make(county_a) for _ in range(2)]
    rows = rows_of(exported(roster, user))
    key_index = rows[1].index(str(next(c.header for c in roster.columns if c.path == roster.key)))
    assert "*" in rows[2][key_index]
    assert engine.RECORD_KEY_HEADER in rows[1]

    report = engine.import_rows(roster, rows, user, dry_run=True)
    assert report.counts() == {"new": 0, "update": 0, "unchanged": 2, "error": 0}, report.as_text()

    stored = getattr(records[0], roster.key)
    row = next(r for r in rows[2:] if r[rows[1].index(engine.RECORD_KEY_HEADER)] == records[0].pk)
    row[key_index] = "110105194912310021"
    history = records[0].history.count()
    report = engine.import_rows(roster, rows, user, dry_run=False)
    assert not report.written
    (error,) = report.errors
    assert "隐去" in error.message and error.value == "110105194912310021"
    records[0].refresh_from_db()
    assert getattr(records[0], roster.key) == stored and records[0].history.count() == history


@pytest.mark.parametrize("roster", IMPORTABLE, ids=lambda r: r.name)
def test_a_record_key_outside_the_jurisdiction_or_unknown_is_refused(roster, county_a, county_b, city):
    meta = roster.model._meta
    perms = [f"{meta.app_label}.{a}_{meta.model_name}" for a in ("view", "add", "change")]
    county, whole_city = UserFactory(perms=perms, units=[county_a]), UserFactory(perms=perms, units=[city])
    theirs = contract(roster.model).make(county_b)
    rows = rows_of(exported(roster, whole_city))
    pk_index = rows[1].index(engine.RECORD_KEY_HEADER)
    report = engine.import_rows(roster, rows, county, dry_run=True)
    assert report.counts()["error"] == 1 and not report.ok
    rows[2][pk_index] = theirs.pk + 1000
    report = engine.import_rows(roster, rows, whole_city, dry_run=True)
    assert any(e.column == engine.RECORD_KEY_HEADER for e in report.errors), report.as_text()


def test_one_record_named_twice_by_its_record_key_is_refused(county_a, city):
    roster = engine.get("cadres.standard")
    user = section_user("干部科", county_a, city)
    contract(roster.model).make(county_a)
    rows = rows_of(exported(roster, user))
    rows.append(list(rows[2]))  # the same record again (another row edited elsewhere in the sheet)
    report = engine.import_rows(roster, rows, user, dry_run=True)
    assert not report.ok and any("同一条记录" in e.message for e in report.errors), report.as_text()


def test_a_rule_against_a_masked_value_does_not_tell_its_digits(county_a):
    """A user who sees ID numbers masked types a birth date that disagrees with the stored number:
    refused, without the number's digits in the message."""
    roster = engine.get("cadres.standard")
    perms = ["cadres.view_cadre", "cadres.add_cadre", "cadres.change_cadre"]
    user = UserFactory(perms=perms, units=[county_a])
    cadre = contract(roster.model).make(county_a)
    rows = rows_of(exported(roster, user))
    column = rows[1].index("出生年月")
    other = cadre.birth_date.replace(year=cadre.birth_date.year - 1)
    rows[2][column] = f"{other:%Y.%m}"
    report = engine.import_rows(roster, rows, user, dry_run=True)
    (error,) = [e for e in report.errors if e.column == "出生年月"]
    assert "公民身份号码" in error.message and f"{cadre.birth_date:%Y.%m}" not in error.message


def test_an_integer_cell_too_large_for_a_number_is_a_cell_error():
    col = next(
        c
        for r in engine.ROSTERS.values()
        for c in r.columns
        if c.importable and isinstance(c.field, models.IntegerField) and not c.field.choices
    )
    with pytest.raises(ValueError, match="整数"):
        engine._parse(col, "1e400", {})


def test_the_error_list_writes_what_the_clerk_typed_as_text(tmp_path):
    from orgportal.imports import CellError, ImportReport, RowResult

    report = ImportReport(
        roster="花名册",
        rows=[RowResult(row=3, outcome="error", label="=1+1", errors=[CellError(3, "姓名", "=A1", "错")])],
    )
    target = tmp_path / "errors.xlsx"
    engine.error_workbook(None, report, target)
    listing = openpyxl.load_workbook(target)["错误清单"]
    assert [c.data_type for c in listing[2]][1:4] == ["s", "s", "s"] and listing["B2"].value == "=1+1"
