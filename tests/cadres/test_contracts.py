"""Every cadres model through the shared contract (API, filters, query counts, jurisdiction,
masking, history)."""

import datetime

import pytest

from orgportal import codes
from tests import factories as f
from tests.cadres.contract import CadreChildContract
from tests.contract import MaskingContract, ModelContract

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
ID_NUMBER = "520302198503150017"  # male, born 1985-03


class TestCadre(ModelContract, MaskingContract):
    factory = f.CadreFactory
    basename = "cadre"

    def make(self, unit, **kwargs):
        # 任免审批表原文 is filled only by an .lrmx import; the masking tests need every sensitive field
        kwargs.setdefault("imported", True)
        return super().make(unit, **kwargs)

    def create_payload(self, unit):
        return {
            "name": "李明",
            "gender": "1",
            "birth_date": "1985-03-01",
            "id_number": ID_NUMBER,
            "ethnicity": "01",
            "political_status": "01",
            "unit": unit.pk,
            "post": "副局长",
            "level": codes.LeadershipLevel.COUNTY_DEPUTY,
        }

    def update_payload(self, obj):
        return {"post": obj.post + "（兼）"}

    def filter_cases(self, unit):
        male, female = self.make(unit, gender="1"), self.make(unit, gender="2")
        yield {"gender": "2"}, female, male
        yield (
            {"search": female.name},
            female,
            male if male.name != female.name else self.make(unit, name="某某"),
        )
        party = self.make(unit, political_status="01")
        yield {"non_party": "1"}, self.make(unit, political_status="13"), party
        yield {"non_party": "0"}, party, self.make(unit, political_status="12")
        yield {"minority": "1"}, self.make(unit, ethnicity="03"), self.make(unit, ethnicity="01")
        yield (
            {"education_level": "10"},
            self.make(unit, ft_education="21", pt_education="14"),
            self.make(unit, ft_education="21", pt_education=""),
        )
        young = self.make(unit, birth_date=TODAY.replace(year=TODAY.year - 30, day=1))
        old = self.make(unit, birth_date=TODAY.replace(year=TODAY.year - 50, day=1))
        yield {"age_band": "35岁及以下"}, young, old
        red, none = self.make(unit), self.make(unit)
        f.WarningFactory(cadre=red, level="blue")
        f.WarningFactory(cadre=red, level="red")
        yield {"warning_level": "red"}, red, none
        yield {"warning_level": "none"}, none, red
        sanctioned = self.make(unit)
        f.SanctionFactory(cadre=sanctioned, sanction=codes.Sanction.ADMONITION, decided_on=TODAY)
        yield {"under_sanction": "1"}, sanctioned, none
        yield {"under_sanction": "0"}, none, sanctioned
        never, reviewed, open_ = self.make(unit), self.make(unit), self.make(unit)
        f.ArchiveReviewFactory(cadre=reviewed)
        f.ArchiveFindingFactory(review__cadre=open_, resolved=False)
        f.ArchiveFindingFactory(review__cadre=reviewed, resolved=True)
        yield {"archive_status": "never"}, never, reviewed
        yield {"archive_status": "open"}, open_, reviewed
        yield {"archive_status": "complete"}, reviewed, open_


class TestResumeEntry(CadreChildContract):
    factory = f.ResumeEntryFactory
    basename = "resumeentry"

    def create_payload(self, unit):
        return {"cadre": self.cadre_in(unit), "start": "2010-07-01", "end": None, "text": "某县某镇党委书记"}

    def update_payload(self, obj):
        return {"text": "某县某镇镇长"}


class TestFamilyMember(CadreChildContract):
    factory = f.FamilyMemberFactory
    basename = "familymember"

    def create_payload(self, unit):
        return {"cadre": self.cadre_in(unit), "relation": "妻子", "name": "王芳", "political_status": "01"}

    def update_payload(self, obj):
        return {"employer_post": "某中学教师"}


class TestAnnualAssessment(CadreChildContract):
    factory = f.AnnualAssessmentFactory
    basename = "annualassessment"

    def create_payload(self, unit):
        return {"cadre": self.cadre_in(unit), "year": 2024, "result": "excellent"}

    def update_payload(self, obj):
        return {"result": "competent"}


class TestReward(CadreChildContract):
    factory = f.RewardFactory
    basename = "reward"

    def create_payload(self, unit):
        return {"cadre": self.cadre_in(unit), "date": "2023-05-01", "name": "优秀共产党员", "issuer": "市委"}

    def update_payload(self, obj):
        return {"doc_number": "市委发〔2023〕1号"}


class TestSanction(CadreChildContract, MaskingContract):
    factory = f.SanctionFactory
    basename = "sanction"

    def create_payload(self, unit):
        return {
            "cadre": self.cadre_in(unit),
            "sanction": codes.Sanction.ADMONITION,
            "decided_on": "2025-01-10",
            "reason": "违反工作纪律",
            "doc_number": "纪发〔2025〕3号",
        }

    def update_payload(self, obj):
        return {"influence_months": 12}


class TestMovement(CadreChildContract):
    factory = f.MovementFactory
    basename = "movement"
    updatable = False

    def create_payload(self, unit):
        return {
            "cadre": self.cadre_in(unit),
            "kind": codes.MovementKind.LATERAL,
            "date": str(TODAY),  # a drawn cadre may have started work after any fixed date
            "to_post": "某局副局长",
        }

    def update_payload(self, obj):
        return {"note": "改"}


class TestWarning(CadreChildContract):
    factory = f.WarningFactory
    basename = "cadrewarning"
    updatable = False

    def create_payload(self, unit):
        return {
            "cadre": self.cadre_in(unit),
            "level": "yellow",
            "source": "inquiry",
            "raised_on": "2025-02-01",
        }

    def update_payload(self, obj):
        return {"note": "改"}


class TestSupervisionMeasure(CadreChildContract, MaskingContract):
    factory = f.SupervisionMeasureFactory
    basename = "supervisionmeasure"

    def create_payload(self, unit):
        return {
            "cadre": self.cadre_in(unit),
            "kind": "reminder",
            "date": "2025-02-01",
            "reason": "工作作风问题",
            "outcome": "已整改",
        }

    def update_payload(self, obj):
        return {"handled_by": "张三"}


class TestPersonalMattersReport(CadreChildContract, MaskingContract):
    factory = f.PersonalMattersReportFactory
    basename = "personalmattersreport"

    def create_payload(self, unit):
        return {"cadre": self.cadre_in(unit), "year": 2025, "submitted_on": "2025-01-20"}

    def update_payload(self, obj):
        return {"checked_on": str(obj.submitted_on + datetime.timedelta(days=30))}


class TestPromotionCheck(CadreChildContract):
    factory = f.PromotionCheckFactory
    basename = "promotioncheck"

    def create_payload(self, unit):
        return {
            "cadre": self.cadre_in(unit),
            "proposed_post": "某局局长",
            "checked_on": "2025-04-01",
            "archive": "passed",
            "personal_matters": "passed",
            "petition": "passed",
        }

    def update_payload(self, obj):
        return {"notes": "补充说明"}


class TestArchiveReview(CadreChildContract):
    factory = f.ArchiveReviewFactory
    basename = "archivereview"

    def create_payload(self, unit):
        return {"cadre": self.cadre_in(unit), "reviewed_on": "2025-04-01", "reviewer": "干档科"}

    def update_payload(self, obj):
        return {"status": "done", "conclusion": "无问题"}


class TestArchiveFinding(ModelContract):
    factory = f.ArchiveFindingFactory
    basename = "archivefinding"

    def make(self, unit, **kwargs):
        kwargs.setdefault("review", f.ArchiveReviewFactory(cadre__unit=unit))
        return self.factory(**kwargs)

    def create_payload(self, unit):
        review = f.ArchiveReviewFactory(cadre__unit=unit)
        return {
            "review": review.pk,
            "item": "birth_date",
            "recorded_value": "1980.03",
            "archive_value": "1980.05",
        }

    def update_payload(self, obj):
        return {"resolved": True}

    def filter_cases(self, unit):
        yield {"resolved": "true"}, self.make(unit, resolved=True), self.make(unit, resolved=False)


class TestSavedQuery(ModelContract):
    factory = f.SavedQueryFactory
    basename = "savedquery"

    def create_payload(self, unit):
        return {
            "name": "近三年有优秀的女干部",
            "sharing": "all",
            "document": {
                "op": "and",
                "conditions": [
                    {"field": "gender", "op": "in", "value": ["2"]},
                    {"field": "assessment", "op": "has", "value": {"result": ["excellent"], "last_years": 3}},
                ],
            },
        }

    def update_payload(self, obj):
        return {"description": "每季度用于女干部选配"}

    def filter_cases(self, unit):
        yield {"sharing": "all"}, self.make(unit), self.make(unit, sharing="private", owner=None)
        yield {"search": "专项"}, self.make(unit, name="专项查询"), self.make(unit, name="其他")
