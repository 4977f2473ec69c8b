"""The cadres part of `seed_demo` and the cadre factories: everything they make is valid."""

import datetime
import io

import pytest
from django.core.management import call_command
from stdnum.cn import ric

from cadres import demo
from cadres.models import (
    AnnualAssessment,
    ArchiveReview,
    Cadre,
    FamilyMember,
    Movement,
    ResumeEntry,
    Sanction,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

CHILD_MODELS = [
    model for model in Cadre._meta.apps.get_app_config("cadres").get_models() if model is not Cadre
]
CHILD_FACTORIES = [
    f.ResumeEntryFactory,
    f.FamilyMemberFactory,
    f.AnnualAssessmentFactory,
    f.RewardFactory,
    f.SanctionFactory,
    f.MovementFactory,
    f.WarningFactory,
    f.SupervisionMeasureFactory,
    f.PersonalMattersReportFactory,
    f.PromotionCheckFactory,
    f.ArchiveReviewFactory,
    f.ArchiveFindingFactory,
]


def seed(cadres: int) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--cadres", str(cadres), stdout=out)
    return out.getvalue()


def child_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count() for model in CHILD_MODELS if "Historical" not in model.__name__
    }


def test_seed_demo_creates_cadres_with_children():
    output = seed(50)
    assert Cadre.objects.count() == 50
    assert "干部 50 个新建" in output
    for cadre in Cadre.objects.prefetch_related("resume", "family", "movements"):
        assert len(cadre.resume.all()) >= 2
        assert len(cadre.family.all()) == 3
        assert len(cadre.movements.all()) >= 1
    assert AnnualAssessment.objects.count() >= 50
    assert Sanction.objects.exists()
    assert ArchiveReview.objects.exists()


def test_seeded_records_pass_full_clean():
    seed(50)
    checked = 0
    for model in CHILD_MODELS + [Cadre]:
        if "Historical" in model.__name__:
            continue
        for obj in model.objects.all():
            obj.full_clean()
            checked += 1
    assert checked > 50 * 10


def test_seeded_cadres_ids_agree_and_are_unique():
    seed(50)
    numbers = list(Cadre.objects.values_list("id_number", flat=True))
    assert len(set(numbers)) == 50
    assert all(ric.is_valid(number) for number in numbers)


def test_seed_demo_again_adds_nothing():
    seed(50)
    before = child_counts()
    output = seed(50)
    assert Cadre.objects.count() == 50
    assert child_counts() == before
    assert "未新建" in output


def test_seed_demo_tops_up_without_id_collisions():
    f.CadreFactory.create_batch(5)
    seed(30)
    assert Cadre.objects.count() == 30
    seed(40)
    numbers = list(Cadre.objects.values_list("id_number", flat=True))
    assert len(numbers) == len(set(numbers)) == 40


def test_seeded_sanctions_match_what_save_computes():
    seed(50)
    seeded = list(Sanction.objects.all())
    assert seeded
    for sanction in seeded:
        saved = Sanction.objects.create(
            cadre=sanction.cadre, sanction=sanction.sanction, decided_on=sanction.decided_on
        )
        assert (sanction.kind, sanction.influence_months, sanction.influence_until) == (
            saved.kind,
            saved.influence_months,
            saved.influence_until,
        )


def test_seed_demo_zero_creates_no_cadres():
    seed(0)
    assert not Cadre.objects.exists()


def test_cadre_factory_makes_valid_cadres():
    for cadre in f.CadreFactory.create_batch(20):
        cadre.full_clean()
        assert ric.is_valid(cadre.id_number)
        assert cadre.work_start_date <= cadre.post_since <= datetime.date.today()


def test_cadre_factory_keeps_the_id_number_agreeing_with_overrides():
    cadre = f.CadreFactory(gender="2", birth_date=datetime.date(1985, 3, 15))
    cadre.full_clean()
    assert cadre.id_number[6:14] == "19850315"
    assert int(cadre.id_number[16]) % 2 == 0


def test_id_numbers_are_unique_for_ten_thousand_people_born_the_same_month():
    born = datetime.date(1985, 3, 1)
    numbers = {demo.id_number_for(n, born, "1") for n in range(10_000)}
    assert len(numbers) == 10_000
    assert all(number[-1] == ric.calc_check_digit(number) for number in numbers)


def test_id_numbers_use_the_region_code_in_force_in_the_birth_year():
    for year in range(1960, 2001):
        for n in range(2 * len(demo.REGIONS)):
            number = demo.id_number_for(n, datetime.date(year, 6, 1), "2")
            assert ric.is_valid(number), number
            assert demo.native_place_of(number).startswith("贵州")


@pytest.mark.parametrize("factory", CHILD_FACTORIES, ids=lambda factory: factory.__name__)
def test_child_factories_make_valid_records(factory):
    first = factory()
    parent = "review" if factory is f.ArchiveFindingFactory else "cadre"
    records = [
        first,
        factory(**{parent: getattr(first, parent)}),
        factory(**{parent: getattr(first, parent)}),
    ]
    for record in records:
        record.full_clean()


@pytest.mark.parametrize(
    "factory",
    [f.CadreFactory, f.SanctionFactory, f.SupervisionMeasureFactory, f.PersonalMattersReportFactory],
    ids=lambda factory: factory.__name__,
)
def test_factories_fill_every_sensitive_field(factory):
    record = factory()
    for field in record.sensitive_fields:
        assert len(str(getattr(record, field))) >= 2, field


def test_factories_place_records_by_unit(county_a):
    assert f.CadreFactory(unit=county_a).unit == county_a
    assert f.SanctionFactory(cadre__unit=county_a).cadre.unit == county_a
    assert f.ArchiveFindingFactory(review__cadre__unit=county_a).review.cadre.unit == county_a


def test_resume_and_family_of_a_seeded_cadre_are_in_order():
    seed(20)
    for cadre in Cadre.objects.all():
        entries = list(ResumeEntry.objects.filter(cadre=cadre).order_by("start", "id"))
        assert entries[-1].end is None and entries[-1].text == cadre.post
        for earlier, later in zip(entries, entries[1:], strict=False):
            assert earlier.end == later.start
        assert FamilyMember.objects.filter(cadre=cadre).count() == 3
        latest = Movement.objects.filter(cadre=cadre).order_by("-date", "-id").first()
        assert latest.to_post == cadre.post
