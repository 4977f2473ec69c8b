from rest_framework import serializers

from orgportal import codes
from orgportal.api import OrgSerializer, RuleReasonsField, ScopedRelationsMixin

from . import models
from .services import default_tier

DERIVED = [
    "age",
    "highest_education",
    "highest_education_label",
    "is_minority",
    "is_non_party",
    "warning_level",
]


class CadreSerializer(OrgSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True, label="单位名称")
    age = serializers.IntegerField(read_only=True, label="年龄")
    highest_education = serializers.CharField(read_only=True, label="最高学历代码")
    highest_education_label = serializers.CharField(read_only=True, label="最高学历")
    is_minority = serializers.BooleanField(read_only=True, label="少数民族")
    is_non_party = serializers.BooleanField(read_only=True, label="党外")
    warning_level = serializers.CharField(
        source="current_warning_level", read_only=True, label="当前预警等级"
    )
    retirement_month = serializers.DateField(read_only=True, label="到龄年月")
    reminders = RuleReasonsField(label="待提醒")

    class Meta:
        model = models.Cadre
        exclude = ["photo"]
        read_only_fields = ["status"]  # status follows movements (cadres.services.record_movement)


def child_serializer(model):
    meta = type("Meta", (), {"model": model, "exclude": ["cadre"]})
    return type(f"Nested{model.__name__}Serializer", (OrgSerializer,), {"Meta": meta})


class CadreDetailSerializer(CadreSerializer):
    """A cadre with every child record (read-only here; each is written through its own endpoint)."""

    resume = child_serializer(models.ResumeEntry)(many=True, read_only=True)
    family = child_serializer(models.FamilyMember)(many=True, read_only=True)
    assessments = child_serializer(models.AnnualAssessment)(many=True, read_only=True)
    rewards = child_serializer(models.Reward)(many=True, read_only=True)
    sanctions = child_serializer(models.Sanction)(many=True, read_only=True)
    movements = child_serializer(models.Movement)(many=True, read_only=True)
    warnings = child_serializer(models.CadreWarning)(many=True, read_only=True)
    measures = child_serializer(models.SupervisionMeasure)(many=True, read_only=True)
    personal_reports = child_serializer(models.PersonalMattersReport)(many=True, read_only=True)
    promotion_checks = child_serializer(models.PromotionCheck)(many=True, read_only=True)

    CHILDREN = [
        "resume",
        "family",
        "assessments",
        "rewards",
        "sanctions",
        "movements",
        "warnings",
        "measures",
        "personal_reports",
        "promotion_checks",
    ]

    class Meta(CadreSerializer.Meta):
        pass


class WarningCloseSerializer(serializers.Serializer):
    closed_on = serializers.DateField(label="解除日期")
    note = serializers.CharField(required=False, allow_blank=True, label="说明")


class PoolMembershipSerializer(OrgSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True, label="姓名")
    flags = RuleReasonsField(label="待调整")

    class Meta:
        model = models.PoolMembership
        fields = "__all__"
        extra_kwargs = {"tier": {"required": False, "allow_blank": True}}

    def validate(self, attrs):
        if not attrs.get("tier") and attrs.get("cadre"):
            attrs["tier"] = default_tier(attrs["cadre"], attrs.get("programme"))
        return super().validate(attrs)


class PoolExitSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=codes.PoolExitReason.choices, label="出库原因")
    on = serializers.DateField(label="出库日期")
    note = serializers.CharField(required=False, allow_blank=True, default="", label="出库说明")


# --- 任免事项 -------------------------------------------------------------------------------------
class AppointmentStepSerializer(OrgSerializer):
    share_for = serializers.DecimalField(
        max_digits=5, decimal_places=4, read_only=True, label="同意票比例", allow_null=True
    )

    class Meta:
        model = models.AppointmentStep
        fields = "__all__"


class NestedAppointmentStepSerializer(AppointmentStepSerializer):
    class Meta:
        model = models.AppointmentStep
        exclude = ["case"]


class AppointmentCaseSerializer(OrgSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True, label="姓名")
    steps = NestedAppointmentStepSerializer(many=True, read_only=True, label="任免程序步骤")

    class Meta:
        model = models.AppointmentCase
        fields = "__all__"


class StepRecordSerializer(ScopedRelationsMixin, serializers.Serializer):
    """POST …/appointment-cases/<id>/steps/: one step, as cadres.appointments.record_step takes it."""

    step = serializers.ChoiceField(choices=models.AppointmentStepKind.choices, label="步骤")
    started_on = serializers.DateField(label="日期（公示为开始日期）")
    ended_on = serializers.DateField(required=False, allow_null=True, label="截止日期（公示）")
    participants = serializers.CharField(required=False, allow_blank=True, label="参加人员")
    outcome = serializers.ChoiceField(
        choices=models.AppointmentStepOutcome.choices,
        required=False,
        label="结果（推荐、决定、凡提必核由记录得出）",
    )
    votes_for = serializers.IntegerField(required=False, allow_null=True, min_value=0, label="同意票")
    votes_against = serializers.IntegerField(required=False, allow_null=True, min_value=0, label="不同意票")
    votes_abstain = serializers.IntegerField(required=False, allow_null=True, min_value=0, label="弃权票")
    members_expected = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, label="应到会成员（讨论决定）"
    )
    meeting = serializers.CharField(required=False, allow_blank=True, label="会议")
    team = serializers.CharField(required=False, allow_blank=True, label="考察组")
    findings = serializers.CharField(required=False, allow_blank=True, label="考察情况")
    promotion_check = serializers.PrimaryKeyRelatedField(
        queryset=models.PromotionCheck.objects.all(),
        required=False,
        allow_null=True,
        label="凡提必核（默认该干部最近一次）",
    )
    doc_number = serializers.CharField(required=False, allow_blank=True, label="任职文号")
    notes = serializers.CharField(required=False, allow_blank=True, label="说明")


class CaseCompleteSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, label="办结日期（默认今天）")


class CaseWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(label="撤销原因")
    on = serializers.DateField(required=False, label="撤销日期（默认今天）")
