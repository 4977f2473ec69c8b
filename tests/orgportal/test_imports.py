"""The one import pipeline (orgportal.imports): every import path — roster sheets, .lrmx files,
调训名单 — runs its matching rules, so a rule exists once and reads alike on every path."""

import pytest

from cadres import lrmx
from cadres.models import Cadre
from orgportal import access, imports
from orgportal import rosters as engine
from tests import factories as f
from tests.cadres.test_lrmx import lrmx_file
from tests.training.test_rosters import sending_list
from training.enrolment_lists import EnrolmentListFormat, import_enrolment_list

pytestmark = pytest.mark.django_db

EVERYTHING = ["cadres.view_cadre", "cadres.add_cadre", "cadres.change_cadre", "training.add_enrolment"]


@pytest.fixture
def clerk(county_a):
    return f.UserFactory(perms=[*EVERYTHING, access.VIEW_SENSITIVE], units=[county_a])


def roster_twice(cadre) -> list[list]:
    header = ["姓名", "性别", "出生年月", "公民身份号码", "工作单位"]
    row = [cadre.name, "男", "1985.03", cadre.id_number, cadre.unit.name]
    return [header, row, list(row)]


def each_path(county_a, clerk):
    """Each import path, on an upload naming one cadre twice: (its format class, its report)."""
    cadre = f.CadreFactory(unit=county_a, gender="1")
    file = lrmx.document(cadre, user=clerk)
    data = lrmx.to_bytes(file)
    return [
        (engine.RosterFormat, engine.import_rows(engine.get("cadres.standard"), roster_twice(cadre), clerk)),
        (lrmx.LrmxFormat, lrmx.import_files([("a.lrmx", data), ("b.lrmx", data)], clerk, unit=county_a)),
        (
            EnrolmentListFormat,
            import_enrolment_list(f.TrainingClassFactory(), sending_list(cadre, cadre), clerk),
        ),
    ]


def test_every_import_path_matches_through_the_pipelines_rules(county_a, clerk, monkeypatch):
    ran = []
    original = imports._match

    def recording(fmt, *args):
        ran.append(type(fmt))
        return original(fmt, *args)

    monkeypatch.setattr(imports, "_match", recording)
    paths = each_path(county_a, clerk)
    assert {cls for cls, _report in paths} <= set(ran)


def test_a_key_twice_reads_alike_on_every_path(county_a, clerk):
    for cls, report in each_path(county_a, clerk):
        duplicates = [e.message for e in report.errors if "重复" in e.message]
        assert duplicates and duplicates[0].startswith("与第"), (cls.__name__, report.as_text())
        assert not report.written


def test_a_record_outside_the_jurisdiction_reads_alike_on_the_paths_that_update(county_a, county_b, clerk):
    theirs = f.CadreFactory(unit=county_b)
    city = f.UserFactory(perms=EVERYTHING + [access.VIEW_SENSITIVE], units=[county_a.parent])
    sheet = engine.import_rows(engine.get("cadres.standard"), roster_twice(theirs)[:2], clerk)
    files = lrmx.import_files([("a.lrmx", lrmx.to_bytes(lrmx.document(theirs, user=city)))], clerk)
    for report in (sheet, files):
        assert str(imports.OUTSIDE) in [e.message for e in report.errors], report.as_text()
    assert Cadre.objects.get(pk=theirs.pk).history.count() == 1


def test_updating_needs_the_change_permission_on_every_path_that_updates(county_a):
    cadre = f.CadreFactory(unit=county_a, gender="1")
    adder = f.UserFactory(
        perms=["cadres.view_cadre", "cadres.add_cadre", access.VIEW_SENSITIVE], units=[county_a]
    )
    rows = roster_twice(cadre)[:2]
    sheet = engine.import_rows(engine.get("cadres.standard"), rows, adder, allow_update=False)
    files = lrmx.import_files([("a.lrmx", lrmx.to_bytes(lrmx.document(cadre, user=adder)))], adder)
    for report in (sheet, files):
        assert str(imports.NO_UPDATE) in [e.message for e in report.errors], report.as_text()


def test_an_lrmx_with_six_problems_reports_them_at_once(county_a, clerk):
    report = lrmx.import_files(
        [("a.lrmx", lrmx_file(MinZu="火星族", CanJiaGongZuoShiJian="197801", XingBie="未知"))],
        clerk,
        unit=county_a,
    )
    columns = {e.column.split("（")[0] for e in report.errors}
    assert {"民族", "性别", "参加工作时间"} <= columns, report.as_text()
