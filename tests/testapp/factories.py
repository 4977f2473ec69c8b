import factory

from tests.factories import UnitFactory

from .models import Specimen


class SpecimenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specimen

    name = factory.Sequence(lambda n: f"样本{n}")
    id_number = "11010519491231002X"
    unit = factory.SubFactory(UnitFactory)
