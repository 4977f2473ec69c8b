"""The kernel's masking mechanism, on a test-only model with a sensitive field."""

import pytest

from tests.contract import MaskingContract, ModelContract
from tests.testapp.factories import SpecimenFactory

pytestmark = pytest.mark.django_db


class TestSpecimen(ModelContract, MaskingContract):
    factory = SpecimenFactory
    basename = "specimen"

    def create_payload(self, unit):
        return {"name": "新样本", "id_number": "11010519491231002X", "unit": unit.pk}

    def update_payload(self, obj):
        return {"name": obj.name + "改"}
