from rest_framework import serializers

from orgportal import codes
from orgportal.api import OrgSerializer, ScopedRelationsMixin
from orgportal.models import Unit

from . import models


class TalentSerializer(OrgSerializer):
    points_total = serializers.DecimalField(
        max_digits=7, decimal_places=1, read_only=True, label="乡土人才积分（已认可）"
    )
    points_level = serializers.CharField(read_only=True, label="积分对应层次")

    class Meta:
        model = models.Talent
        fields = "__all__"


class CertificationSerializer(OrgSerializer):
    class Meta:
        model = models.Certification
        fields = "__all__"


class TalentCardSerializer(OrgSerializer):
    state = serializers.ChoiceField(choices=models.CARD_STATES, read_only=True, label="卡状态（含过期）")
    state_display = serializers.CharField(source="state_label", read_only=True, label="卡状态（名称）")

    class Meta:
        model = models.TalentCard
        fields = "__all__"


class ServiceRequestSerializer(OrgSerializer):
    overdue = serializers.BooleanField(read_only=True, label="逾期未办结")

    class Meta:
        model = models.ServiceRequest
        fields = "__all__"


class TargetedTraineeSerializer(OrgSerializer):
    service_until = serializers.DateField(read_only=True, label="服务期至")

    class Meta:
        model = models.TargetedTrainee
        fields = "__all__"


class SigningEventSerializer(OrgSerializer):
    agreement_count = serializers.IntegerField(read_only=True, label="签约项数")
    headcount_total = serializers.IntegerField(read_only=True, label="引进人数")
    amount_total = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, label="签约金额合计（万元）"
    )

    class Meta:
        model = models.SigningEvent
        fields = "__all__"


class PlanIndicatorSerializer(OrgSerializer):
    achieved = serializers.BooleanField(read_only=True, label="是否完成")
    completion = serializers.DecimalField(
        max_digits=None, decimal_places=1, read_only=True, allow_null=True, label="完成率（%）"
    )

    class Meta:
        model = models.TalentPlanIndicator
        fields = "__all__"


# --- the requests of the service actions --------------------------------------------------------
class DepartureSerializer(serializers.Serializer):
    on = serializers.DateField(label="流失日期")
    reason = serializers.ChoiceField(choices=codes.TalentDepartureReason.choices, label="流失原因")
    destination = serializers.CharField(required=False, allow_blank=True, default="", label="流向")


class CardRenewSerializer(serializers.Serializer):
    expires_on = serializers.DateField(label="新的有效期至")


class CardLostSerializer(serializers.Serializer):
    on = serializers.DateField(label="挂失日期")


class CardCancelSerializer(serializers.Serializer):
    on = serializers.DateField(label="注销日期")
    reason = serializers.CharField(label="注销原因")


class RequestAdvanceSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=codes.ServiceRequestStatus.choices, label="变更为")
    reason = serializers.CharField(required=False, allow_blank=True, default="", label="不予办理理由")
    on = serializers.DateField(required=False, allow_null=True, default=None, label="办结日期（默认今天）")
    satisfaction = serializers.ChoiceField(
        choices=codes.Satisfaction.choices, required=False, allow_blank=True, default="", label="满意度"
    )
    handled_by = serializers.CharField(required=False, allow_blank=True, default="", label="承办单位（人）")


class CertifyByPointsSerializer(serializers.Serializer):
    on = serializers.DateField(label="认定日期")
    number = serializers.CharField(max_length=40, label="证书编号")
    valid_until = serializers.DateField(required=False, allow_null=True, default=None, label="有效期至")


class PlaceTraineeSerializer(ScopedRelationsMixin, serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), label="就业单位（管辖范围内）")
    on = serializers.DateField(label="就业日期")


class CompleteServiceSerializer(serializers.Serializer):
    on = serializers.DateField(label="期满日期")


class EndTraineeSerializer(serializers.Serializer):
    on = serializers.DateField(label="日期")
    reason = serializers.CharField(max_length=200, label="原因")
