from rest_framework import serializers

from orgportal import codes
from orgportal.api import OrgSerializer

from . import models


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
