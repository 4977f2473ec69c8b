"""Every training model through the shared contract (API, filters, query counts, jurisdiction,
history)."""

import datetime

import pytest
from django.utils import timezone

from tests import factories as f
from tests.contract import ModelContract

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


class TestTrainingPlan(ModelContract):
    factory = f.TrainingPlanFactory
    basename = "trainingplan"

    def create_payload(self, unit):
        return {"year": 2026, "name": "2026年度调训计划", "organiser": unit.pk, "status": "draft"}

    def update_payload(self, obj):
        return {"status": "in_progress"}

    def filter_cases(self, unit):
        yield {"year": 2023}, self.make(unit, year=2023), self.make(unit, year=2024)
        yield {"status": "done"}, self.make(unit, status="done"), self.make(unit, status="draft")


class TestPlanQuota(ModelContract):
    factory = f.PlanQuotaFactory
    basename = "planquota"

    def create_payload(self, unit):
        plan = f.TrainingPlanFactory()
        return {
            "plan": plan.pk,
            "training_class": f.TrainingClassFactory(plan=plan).pk,
            "unit": unit.pk,
            "count": 3,
        }

    def update_payload(self, obj):
        return {"count": obj.count + 1}

    def filter_cases(self, unit):
        mine = self.make(unit)
        yield {"training_class": mine.training_class_id}, mine, self.make(unit)
        yield {"plan": mine.plan_id}, mine, self.make(unit)


class TestVenue(ModelContract):
    factory = f.VenueFactory
    basename = "venue"

    def create_payload(self, unit):
        return {"name": "遵义会议会址", "kind": "red_base", "address": "遵义市红花岗区子尹路96号"}

    def update_payload(self, obj):
        return {"address": "遵义市红花岗区"}

    def filter_cases(self, unit):
        yield {"kind": "red_base"}, self.make(unit, kind="red_base"), self.make(unit, kind="party_school")
        named = self.make(unit, name="娄山关红军战斗遗址")
        yield {"search": "娄山关"}, named, self.make(unit, name="市委党校")


class TestTeacher(ModelContract):
    factory = f.TeacherFactory
    basename = "teacher"

    def create_payload(self, unit):
        return {"name": "王立新", "kind": "scholar", "employer": "贵州大学", "field": "乡村振兴"}

    def update_payload(self, obj):
        return {"field": "基层治理"}

    def filter_cases(self, unit):
        yield {"kind": "model"}, self.make(unit, kind="model"), self.make(unit, kind="leader")


class TestTrainingClass(ModelContract):
    factory = f.TrainingClassFactory
    basename = "trainingclass"

    def create_payload(self, unit):
        start = TODAY + datetime.timedelta(days=10)
        return {
            "name": "乡村振兴专题培训班",
            "kind": "rural_revitalisation",
            "organiser": unit.pk,
            "venue": f.VenueFactory().pk,
            "cohort": 2,
            "start_date": str(start),
            "end_date": str(start + datetime.timedelta(days=2)),
            "hours": "24.0",
            "capacity": 60,
            "target_levels": "township_deputy,township_chief",
            "full_time": True,
            "status": "enrolling",
        }

    def update_payload(self, obj):
        return {"capacity": obj.capacity + 10}

    def filter_cases(self, unit):
        county = self.make(unit, target_levels="county_chief,county_deputy")
        township = self.make(unit, target_levels="township_chief")
        yield {"target_level": "county_deputy"}, county, township
        yield {"target_level": "township_chief"}, township, county
        yield {"kind": "online"}, self.make(unit, kind="online"), county
        yield {"status": "preparing"}, self.make(unit, status="preparing"), county


class TestCourse(ModelContract):
    factory = f.CourseFactory
    basename = "course"

    def create_payload(self, unit):
        training_class = f.TrainingClassFactory()
        return {
            "training_class": training_class.pk,
            "title": "遵义会议精神专题",
            "teacher": f.TeacherFactory().pk,
            "date": str(training_class.start_date),
            "hours": "3.5",
            "mode": "field",
        }

    def update_payload(self, obj):
        return {"title": obj.title + "（二）"}

    def filter_cases(self, unit):
        mine = self.make(unit)
        yield {"training_class": mine.training_class_id}, mine, self.make(unit)
        yield {"mode": "case"}, self.make(unit, mode="case"), mine


class TestEnrolment(ModelContract):
    factory = f.EnrolmentFactory
    basename = "enrolment"

    def create_payload(self, unit):
        return {"cadre": f.CadreFactory(unit=unit).pk, "training_class": f.TrainingClassFactory().pk}

    def update_payload(self, obj):
        return {"result": "优秀学员"}

    def filter_cases(self, unit):
        mine = self.make(unit)
        yield {"training_class": mine.training_class_id}, mine, self.make(unit)
        yield {"status": "confirmed"}, self.make(unit, status="confirmed"), mine
        yield {"cadre": mine.cadre_id}, mine, self.make(unit)


class TestAttendance(ModelContract):
    factory = f.AttendanceFactory
    basename = "attendance"
    updatable = False

    def create_payload(self, unit):
        enrolment = f.EnrolmentFactory(cadre__unit=unit, status="confirmed")
        course = f.CourseFactory(training_class=enrolment.training_class)
        return {"enrolment": enrolment.pk, "course": course.pk, "status": "leave"}

    def update_payload(self, obj):
        return {"status": "absent"}

    def filter_cases(self, unit):
        present = self.make(unit)
        yield {"status": "absent"}, self.make(unit, status="absent"), present
        yield {"training_class": present.course.training_class_id}, present, self.make(unit)
