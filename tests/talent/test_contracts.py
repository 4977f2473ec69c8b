"""Every talent model through the shared contract (API, filters, query counts, jurisdiction,
masking, history)."""

import datetime

import pytest
from django.utils import timezone

from orgportal import codes
from tests import factories as f
from tests.contract import MaskingContract, ModelContract

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
ID_NUMBER = "520302198503150017"  # male, born 1985-03


class TestTalentProgramme(ModelContract):
    factory = f.TalentProgrammeFactory
    basename = "talentprogramme"

    def create_payload(self, unit):
        return {"name": "英才计划", "kind": codes.TalentProgrammeKind.RECRUITMENT, "year": 2026, "quota": 100}

    def update_payload(self, obj):
        return {"status": codes.ProgrammeStatus.CLOSED}

    def filter_cases(self, unit):
        yield {"year": 2023}, self.make(unit, year=2023), self.make(unit, year=2024)
        yield (
            {"kind": "cultivation"},
            self.make(unit, kind=codes.TalentProgrammeKind.CULTIVATION),
            self.make(unit, kind=codes.TalentProgrammeKind.RECRUITMENT),
        )


class TestTalent(ModelContract, MaskingContract):
    factory = f.TalentFactory
    basename = "talent"

    def create_payload(self, unit):
        return {
            "name": "张建华",
            "gender": "1",
            "birth_date": "1985-03-01",
            "id_number": ID_NUMBER,
            "education": codes.Education.DOCTORATE_GRADUATED,
            "unit": unit.pk,
            "category": codes.TalentCategory.PROFESSIONAL_TECHNICAL,
            "level": "B",
            "field": codes.TalentField.HEALTH,
            "employer": "遵义医科大学附属医院",
            "title": "主任医师",
            "source": codes.TalentSource.LOCAL,
        }

    def update_payload(self, obj):
        return {"title": obj.title + "（二级）"}

    def filter_cases(self, unit):
        yield (
            {"category": "rural_practical"},
            self.make(unit, category=codes.TalentCategory.RURAL_PRACTICAL),
            self.make(unit, category=codes.TalentCategory.HIGH_SKILLED),
        )
        yield {"level": "A"}, self.make(unit, level="A"), self.make(unit, level="C")
        yield (
            {"source": "returnee"},
            self.make(unit, source=codes.TalentSource.RETURNEE),
            self.make(unit, source=codes.TalentSource.LOCAL),
        )
        departed, active = self.make(unit, departed=True), self.make(unit)
        yield {"status": "departed"}, departed, active
        yield {"status": "active"}, active, departed
        selected = f.SelectionFactory(talent=self.make(unit))
        f.SelectionFactory(talent=selected.talent, programme=selected.programme)  # another batch: listed once
        yield {"programme": selected.programme_id}, selected.talent, active
        named = self.make(unit, name="欧阳明远")
        yield {"search": "欧阳明远"}, named, active


class TestSelection(ModelContract):
    factory = f.SelectionFactory
    basename = "selection"

    def create_payload(self, unit):
        return {
            "talent": f.TalentFactory(unit=unit).pk,
            "programme": f.TalentProgrammeFactory().pk,
            "batch": "2025年第一批",
            "selected_on": "2025-06-01",
            "support": "安家补贴",
            "amount": "30.00",
        }

    def update_payload(self, obj):
        return {"status": codes.SelectionStatus.COMPLETED}

    def filter_cases(self, unit):
        mine = self.make(unit)
        yield {"programme": mine.programme_id}, mine, self.make(unit)
        yield (
            {"status": "revoked"},
            self.make(unit, status=codes.SelectionStatus.REVOKED),
            mine,
        )


class TestCertification(ModelContract):
    factory = f.CertificationFactory
    basename = "certification"
    updatable = False

    def create_payload(self, unit):
        return {
            "talent": f.TalentFactory(unit=unit).pk,
            "level": "B",
            "certified_on": "2025-05-01",
            "certificate_number": "遵人才认〔2025〕9001号",
            "valid_until": "2028-04-30",
            "basis": "《遵义市高层次人才认定标准》B类第2条",
        }

    def update_payload(self, obj):
        return {"basis": "改"}

    def filter_cases(self, unit):
        yield {"level": "A"}, self.make(unit, level="A"), self.make(unit, level="C")
        expired = self.make(
            unit,
            certified_on=TODAY.replace(year=TODAY.year - 4),
            valid_until=TODAY.replace(year=TODAY.year - 1),
        )
        valid = self.make(unit)
        yield {"validity": "expired"}, expired, valid
        yield {"validity": "valid"}, valid, expired
        expiring = self.make(unit, valid_until=TODAY + datetime.timedelta(days=90))
        yield {"validity": "expiring"}, expiring, valid


class TestTalentCard(ModelContract):
    factory = f.TalentCardFactory
    basename = "talentcard"
    updatable = False

    def create_payload(self, unit):
        return {
            "talent": f.TalentFactory(unit=unit).pk,
            "number": "ZYYC900001",
            "tier": "A",
            "issued_on": "2025-01-01",
            "expires_on": "2027-12-31",
            "commissioner": f.UserFactory().pk,
        }

    def update_payload(self, obj):
        return {"tier": "C"}

    def filter_cases(self, unit):
        valid = self.make(unit)
        expired = self.make(
            unit,
            issued_on=TODAY - datetime.timedelta(days=400),
            expires_on=TODAY - datetime.timedelta(days=1),
        )
        cancelled = self.make(unit, cancelled=True)
        yield {"card_state": "expired"}, expired, valid
        yield {"card_state": "valid"}, valid, expired
        yield {"card_state": "cancelled"}, cancelled, valid
        yield {"tier": "A"}, self.make(unit, tier="A"), valid


class TestServiceRequest(ModelContract):
    factory = f.ServiceRequestFactory
    basename = "servicerequest"
    updatable = False

    def create_payload(self, unit):
        card = f.TalentCardFactory(talent__unit=unit)
        return {
            "card": card.pk,
            "kind": codes.ServiceKind.SCHOOLING,
            "detail": "子女申请就读市第一小学",
            "opened_on": str(TODAY),
            "due_on": str(TODAY + datetime.timedelta(days=30)),
        }

    def update_payload(self, obj):
        return {"handled_by": "市教育局"}

    def filter_cases(self, unit):
        on_time = self.make(unit)
        overdue = self.make(
            unit, opened_on=TODAY - datetime.timedelta(days=60), due_on=TODAY - datetime.timedelta(days=1)
        )
        yield {"overdue": "1"}, overdue, on_time
        yield {"overdue": "0"}, on_time, overdue
        yield {"kind": "medical"}, self.make(unit, kind=codes.ServiceKind.MEDICAL), on_time
        yield {"talent": on_time.card.talent_id}, on_time, overdue
