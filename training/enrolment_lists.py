"""调训名单导入: a unit sends the list of its cadres to enrol in a class, as an .xlsx with a
公民身份号码 column (姓名 optional, checked against the record when given; other columns ignored).

On the kernel's import pipeline (orgportal.imports): a row names a cadre by ID number (must exist,
inside the importer's jurisdiction — one message for both: a number outside it is not told apart) and
its plan is the service call training.services.enrol, rehearsed inside the pipeline's transaction: every
row is enrolled, or (any row wrong, or a dry run) none, and the dry run's report is what the real
import would do. The pipeline's rules make a missing or repeated ID number an error; a name differing
from the cadre's and every refusal of the service (a cadre not 在职, already enrolled, a class already
finished) are the row's errors. Exposed in the admin on a class (upload → preview → confirm) and in the
API (POST /api/v1/training-classes/<id>/import-enrolments/).
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from cadres.models import Cadre
from orgportal import access, imports
from orgportal.admin import preview_import
from orgportal.api import ERROR_WORKBOOK_DESCRIPTION, XLSX, RosterImportReportSerializer, router
from orgportal.imports import ImportReport
from orgportal.rosters import (
    HEADER_SCAN_ROWS,
    FormulaCell,
    error_workbook_response,
    normalize_header,
    read_workbook,
)
from orgportal.uploads import UploadRefused
from orgportal.validators import normalize_id_number

from . import services
from .models import TrainingClass

TITLE = gettext_lazy("调训名单")
ID_HEADERS = {"公民身份号码", "身份证号码", "身份证号", "身份证"}
NAME_HEADERS = {"姓名"}
IGNORED = {"序号"}
ADD_PERMISSION = "training.add_enrolment"


def _find_header(rows: list[list]) -> tuple[int, int | None, int | None, list[str]]:
    """The header row, the ID number's and the name's column, and the other headers."""
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        headers = [normalize_header(value) for value in row]
        id_col = next((i for i, h in enumerate(headers) if h in ID_HEADERS), None)
        if id_col is not None:
            name_col = next((i for i, h in enumerate(headers) if h in NAME_HEADERS), None)
            others = [
                h for i, h in enumerate(headers) if h and i not in (id_col, name_col) and h not in IGNORED
            ]
            return index, id_col, name_col, others
    return -1, None, None, []


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class EnrolmentListFormat(imports.Format):
    """A 调训名单 on the import pipeline: a row names a cadre (by ID number, within the importer's
    jurisdiction) and its plan is the service call 报名 — rehearsed and rolled back on a dry run."""

    key_label = gettext_lazy("公民身份号码")
    must_exist = True
    not_found_message = gettext_lazy("找不到该公民身份号码的干部，或不在您的管辖范围内")
    rehearse = True

    def __init__(self, training_class: TrainingClass):
        self.training_class = training_class
        self.title = f"{TITLE}：{training_class}"

    def items(self, file, ctx):
        report = ctx.report
        try:
            rows = read_workbook(file)
        except UploadRefused as error:  # too big, a zip bomb, too many rows …: nothing read
            report.file_errors.append(str(error))
            return []
        except Exception as error:  # a file that is not an .xlsx workbook
            report.file_errors.append(_("无法读取该文件（应为 .xlsx 格式）：%s") % type(error).__name__)
            return []
        header_row, self.id_col, self.name_col, others = _find_header(rows)
        if header_row < 0:
            report.file_errors.append(_("找不到表头行（应含“公民身份号码”列）"))
            return []
        report.ignored_columns, report.header_row = others, header_row + 1
        self.key_index = self.id_col
        items = []
        for number, row in enumerate(rows[header_row + 1 :], start=header_row + 2):
            raw_id = row[self.id_col] if self.id_col < len(row) else None
            raw_name = row[self.name_col] if self.name_col is not None and self.name_col < len(row) else None
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in (raw_id, raw_name)):
                continue  # empty or a note row
            result = imports.RowResult(row=number, outcome="new")
            items.append(imports.Item(number=number, raw=(raw_id, raw_name), result=result))
        return items

    def parse(self, item, ctx):
        raw_id, raw_name = item.raw
        for header, raw, index in (
            (self.key_label, raw_id, self.id_col),
            (_("姓名"), raw_name, self.name_col),
        ):
            if isinstance(raw, FormulaCell):
                ctx.error(item, header, raw.text, _("单元格是公式，请填写数值本身"), index)
        item.key_failed = isinstance(raw_id, FormulaCell)
        item.key = "" if item.key_failed else normalize_id_number(_text(raw_id))
        item.data["name"] = "" if isinstance(raw_name, FormulaCell) else _text(raw_name)

    def find(self, keys, ctx):
        """The cadres named, inside the importer's jurisdiction only: a number outside it is told
        apart from no number at all by nothing."""
        cadres = access.scope(Cadre.objects.filter(id_number__in=keys), ctx.user).select_related("unit")
        return {cadre.id_number: cadre for cadre in cadres}

    def plan(self, item, ctx):
        cadre, name = item.record, item.data["name"]
        if cadre is None:
            return
        item.result.label = f"{cadre.name}（{cadre.unit.name}）"
        if name and normalize_header(name) != normalize_header(cadre.name):
            message = _("与该公民身份号码的干部姓名（%s）不符") % cadre.name
            ctx.error(item, _("姓名"), name, message, self.name_col)

    def write(self, items, ctx):
        for item in items:  # every row through the service; the pipeline rolls back on any refusal
            try:
                services.enrol(item.record, self.training_class, by=ctx.user)
            except ValidationError as error:
                ctx.error(item, self.key_label, item.key, "；".join(error.messages), self.id_col)


def import_enrolment_list(training_class: TrainingClass, file, user, *, dry_run: bool = True) -> ImportReport:
    """Enrol the cadres of the file's rows in `training_class` (training.services.enrol), all or none."""
    return imports.run(EnrolmentListFormat(training_class), file, user, dry_run=dry_run)


class EnrolmentListRequest(serializers.Serializer):
    file = serializers.FileField(label=gettext_lazy("Excel 文件（.xlsx）：公民身份号码列必填，姓名列可选"))
    dry_run = serializers.BooleanField(default=True, label=gettext_lazy("只校验不写入（默认 true）"))


class CanEnrol(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(ADD_PERMISSION))


class EnrolmentListImportViewSet(viewsets.GenericViewSet):
    """调训名单导入 into a class: every row 报名 (training.services.enrol), or none."""

    queryset = TrainingClass.objects.all()
    permission_classes = [CanEnrol]
    parser_classes = [MultiPartParser]
    filter_backends = []
    pagination_class = None
    serializer_class = EnrolmentListRequest

    @extend_schema(
        summary=gettext_lazy("导入调训名单"),
        description=gettext_lazy(
            "上传单位的调训名单（.xlsx，按公民身份号码逐行报名该班次）。dry_run 默认 true：只校验、不写入；"
            "任何一行有错误时整份文件都不写入，返回 400 和逐行报告。需要调训的新增权限。"
        ),
        parameters=[OpenApiParameter("class_pk", int, OpenApiParameter.PATH, description="班次编号")],
        request={"multipart/form-data": EnrolmentListRequest},
        responses={200: RosterImportReportSerializer, 400: RosterImportReportSerializer},
    )
    def create(self, request, class_pk=None):
        training_class, form = self._request(request, class_pk)
        report = import_enrolment_list(
            training_class, form.validated_data["file"], request.user, dry_run=form.validated_data["dry_run"]
        )
        return Response(
            report.as_dict(), status=status.HTTP_200_OK if report.ok else status.HTTP_400_BAD_REQUEST
        )

    @extend_schema(
        summary=gettext_lazy("调训名单的错误说明表"),
        description=ERROR_WORKBOOK_DESCRIPTION,
        parameters=[OpenApiParameter("class_pk", int, OpenApiParameter.PATH, description="班次编号")],
        request={"multipart/form-data": EnrolmentListRequest},
        responses={(200, XLSX): OpenApiTypes.BINARY},
    )
    @action(detail=False, methods=["post"], url_path="errors")
    def errors(self, request, class_pk=None):
        training_class, form = self._request(request, class_pk)
        report = import_enrolment_list(
            training_class, form.validated_data["file"], request.user, dry_run=True
        )
        return error_workbook_response(form.validated_data["file"], report)

    def _request(self, request, class_pk):
        training_class = (
            TrainingClass.objects.filter(pk=class_pk).first() if str(class_pk).isdigit() else None
        )
        if training_class is None:
            raise exceptions.NotFound(_("该班次不存在"))
        form = EnrolmentListRequest(data=request.data)
        form.is_valid(raise_exception=True)
        return training_class, form


router.register(
    r"training-classes/(?P<class_pk>[^/.]+)/import-enrolments",
    EnrolmentListImportViewSet,
    basename="training-class-import-enrolments",
)


# --- admin: on a class's page --------------------------------------------------------------------------
class EnrolmentListForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("调训名单（.xlsx）"),
        help_text=gettext_lazy("须有“公民身份号码”列；“姓名”列可选，填写时须与干部记录一致；其他列忽略。"),
    )


SESSION_KEY = "training_enrolment_list"


class EnrolmentListAdminMixin:
    """“导入调训名单” on a class's change page: upload → a preview of every row → confirm."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/import-enrolments/",
                wrap(self.enrolment_list_view),
                name="training_trainingclass_import_enrolments",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        if request.user.has_perm(ADD_PERMISSION) and object_id:
            url = reverse("admin:training_trainingclass_import_enrolments", args=[object_id])
            extra["enrolment_list_url"] = url
        return super().change_view(request, object_id, form_url, extra)

    def enrolment_list_view(self, request, object_id):
        if not request.user.has_perm(ADD_PERMISSION):
            raise PermissionDenied
        training_class = get_object_or_404(TrainingClass, pk=object_id) if object_id.isdigit() else None
        if training_class is None:
            raise Http404
        return preview_import(  # an upload belongs to its class's page: confirmed on another, refused
            request,
            session_key=SESSION_KEY,
            form=EnrolmentListForm(request.POST or None, request.FILES or None),
            run=lambda file, kept, *, dry_run: import_enrolment_list(
                training_class, file, request.user, dry_run=dry_run
            ),
            context={
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("导入调训名单：%s") % training_class,
                "rosters": [],
            },
            template="admin/orgportal/roster_import.html",
        )
