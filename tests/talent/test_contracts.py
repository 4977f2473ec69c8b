"""Every talent model through the shared contract (API, filters, query counts, jurisdiction,
masking, history)."""

import datetime
from decimal import Decimal

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


# --- the talent office's other lines of work ------------------------------------------------------
class TestPointsLevel(ModelContract):
    factory = f.PointsLevelFactory
    basename = "pointslevel"

    def create_payload(self, unit):
        return {"level": "A", "min_points": "500", "note": "省级乡土专家"}

    def update_payload(self, obj):
        return {"note": "改"}

    def filter_cases(self, unit):
        yield {"level": "B"}, self.make(unit, level="B"), self.make(unit, level="A", min_points=500)


class TestPointEntry(ModelContract):
    factory = f.PointEntryFactory
    basename = "pointentry"

    def create_payload(self, unit):
        return {
            "talent": f.TalentFactory(unit=unit, category=codes.TalentCategory.RURAL_PRACTICAL).pk,
            "item": codes.PointsItem.EMPLOYMENT,
            "description": "带动120户农户种植方竹",
            "points": "25",
            "earned_on": str(TODAY - datetime.timedelta(days=10)),
            "evidence": "村委会证明",
        }

    def update_payload(self, obj):
        return {"evidence": "乡政府证明"}

    def filter_cases(self, unit):
        pending, approved = self.make(unit), self.make(unit, approved=True)
        yield {"status": "approved"}, approved, pending
        yield {"item": "honour"}, self.make(unit, item=codes.PointsItem.HONOUR), pending
        yield {"talent": pending.talent_id}, pending, approved


class TestStudio(ModelContract):
    factory = f.StudioFactory
    basename = "studio"

    def create_payload(self, unit):
        return {
            "name": "王强技能大师工作室",
            "kind": codes.StudioKind.MASTER,
            "field": codes.StudioField.TRADITIONAL_SKILL,
            "leader": f.TalentFactory(unit=unit).pk,
            "unit": unit.pk,
            "founded_on": "2023-06-01",
            "level": "市级",
        }

    def update_payload(self, obj):
        return {"level": "省级"}

    def filter_cases(self, unit):
        master = self.make(unit)
        yield {"kind": "teacher"}, self.make(unit, kind=codes.StudioKind.TEACHER), master
        yield {"field": "health"}, self.make(unit, field=codes.StudioField.HEALTH), master
        yield {"leader": master.leader_id}, master, self.make(unit)


class TestStudioMember(ModelContract):
    factory = f.StudioMemberFactory
    basename = "studiomember"

    def create_payload(self, unit):
        studio = f.StudioFactory(unit=unit)
        return {
            "studio": studio.pk,
            "talent": f.TalentFactory(unit=unit).pk,
            "role": codes.StudioRole.APPRENTICE,
            "joined_on": str(studio.founded_on + datetime.timedelta(days=100)),
        }

    def update_payload(self, obj):
        return {"role": codes.StudioRole.CORE}

    def filter_cases(self, unit):
        current = self.make(unit)
        left = self.make(unit, left_on=TODAY - datetime.timedelta(days=5))
        yield {"current": "1"}, current, left
        yield {"current": "0"}, left, current
        yield {"studio": current.studio_id}, current, left


class TestStudioEvaluation(ModelContract):
    factory = f.StudioEvaluationFactory
    basename = "studioevaluation"

    def create_payload(self, unit):
        return {
            "studio": f.StudioFactory(unit=unit).pk,
            "year": TODAY.year - 1,
            "grade": codes.EvaluationGrade.EXCELLENT,
            "score": "95.0",
        }

    def update_payload(self, obj):
        return {"score": "90.0"}

    def filter_cases(self, unit):
        good = self.make(unit)
        yield {"grade": "excellent"}, self.make(unit, grade=codes.EvaluationGrade.EXCELLENT), good
        yield {"year": good.year}, good, self.make(unit, year=good.year - 1)


class TestTargetedTrainee(ModelContract, MaskingContract):
    factory = f.TargetedTraineeFactory
    basename = "targetedtrainee"

    def create_payload(self, unit):
        return {
            "name": "李小花",
            "gender": "2",
            "birth_date": "2006-05-12",
            "id_number": "520302200605124426",
            "school": "贵州医科大学",
            "specialty": "临床医学",
            "field": codes.TalentField.HEALTH,
            "unit": unit.pk,
            "agreement_signed_on": "2024-07-20",
            "enrolled_on": "2024-09-01",
            "expected_graduation": "2029-07-01",
            "service_years": 6,
        }

    def update_payload(self, obj):
        return {"note": "已转入全科方向"}

    def filter_cases(self, unit):
        studying = self.make(unit)
        placed = self.make(
            unit,
            enrolled_on=datetime.date(TODAY.year - 8, 9, 1),
            status=codes.TraineeStatus.PLACED,
            placement_unit=unit,
            placed_on=datetime.date(TODAY.year - 2, 8, 1),
        )
        due = self.make(
            unit,
            enrolled_on=datetime.date(TODAY.year - 12, 9, 1),
            status=codes.TraineeStatus.PLACED,
            placement_unit=unit,
            placed_on=datetime.date(TODAY.year - 7, 8, 1),
        )
        yield {"status": "placed"}, placed, studying
        yield {"service_due": "1"}, due, placed
        yield {"service_due": "0"}, placed, due
        yield {"graduation_year": studying.expected_graduation.year}, studying, placed
        yield {"search": studying.name}, studying, placed


class TestTraineeTracking(ModelContract):
    factory = f.TraineeTrackingFactory
    basename = "traineetracking"

    def create_payload(self, unit):
        trainee = f.TargetedTraineeFactory(unit=unit)
        return {
            "trainee": trainee.pk,
            "year": trainee.enrolled_on.year + 1,
            "performance": codes.EvaluationGrade.EXCELLENT,
            "contacted_on": str(TODAY),
        }

    def update_payload(self, obj):
        return {"note": "获国家奖学金"}

    def filter_cases(self, unit):
        good = self.make(unit)
        yield {"performance": "excellent"}, self.make(unit, performance=codes.EvaluationGrade.EXCELLENT), good
        yield {"trainee": good.trainee_id}, good, self.make(unit)


class TestSigningEvent(ModelContract):
    factory = f.SigningEventFactory
    basename = "signingevent"

    def create_payload(self, unit):
        return {
            "name": "2026年“6·19”人才集中推介签约仪式",
            "kind": codes.SigningEventKind.PROMOTION,
            "held_on": "2026-06-19",
            "place": "遵义市会展中心",
            "unit": unit.pk,
        }

    def update_payload(self, obj):
        return {"place": "遵义大剧院"}

    def filter_cases(self, unit):
        promotion = self.make(unit)
        yield {"kind": "campus"}, self.make(unit, kind=codes.SigningEventKind.CAMPUS), promotion
        earlier = self.make(unit, held_on=promotion.held_on.replace(year=promotion.held_on.year - 1))
        yield {"year": earlier.held_on.year}, earlier, promotion


class TestSigningAgreement(ModelContract):
    factory = f.SigningAgreementFactory
    basename = "signingagreement"

    def create_payload(self, unit):
        return {
            "event": f.SigningEventFactory(unit=unit).pk,
            "kind": codes.AgreementKind.PROJECT,
            "employer": "遵义市农业科学研究院",
            "party": "辣椒育种创新团队",
            "project": "朝天椒新品种选育",
            "amount": "300.00",
            "headcount": 6,
        }

    def update_payload(self, obj):
        return {"amount": "120.00"}

    def filter_cases(self, unit):
        employment = self.make(unit)
        yield {"kind": "flexible"}, self.make(unit, kind=codes.AgreementKind.FLEXIBLE), employment
        yield {"event": employment.event_id}, employment, self.make(unit)


class TestTalentPlanIndicator(ModelContract):
    factory = f.TalentPlanIndicatorFactory
    basename = "talentplanindicator"

    def create_payload(self, unit):
        return {
            "unit": unit.pk,
            "year": TODAY.year,
            "indicator": "新增技能人才",
            "target": "2000",
            "measure": "人",
        }

    def update_payload(self, obj):
        return {"actual": "2100"}

    def filter_cases(self, unit):
        short = self.make(unit)
        met = self.make(unit, actual=Decimal(60))
        yield {"achieved": "1"}, met, short
        yield {"achieved": "0"}, short, met
        yield {"year": short.year - 1}, self.make(unit, year=short.year - 1), short
