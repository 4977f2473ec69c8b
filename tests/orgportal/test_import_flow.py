"""orgportal.admin.preview_import: the admin's upload → dry-run preview → confirm → write-all flow."""

from pathlib import Path

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage import default_storage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from orgportal.admin import preview_import
from orgportal.rosters import ImportReport, RowResult

KEY = "test_import"
PAGE = "/admin/things/import/"


class UploadForm(forms.Form):
    file = forms.FileField()
    note = forms.CharField()


class Importer:
    """A `run` that records each call: (file content, kept choices, dry_run)."""

    def __init__(self):
        self.calls = []
        self.refuse = False  # the write fails (a conflict since the preview): nothing written

    def __call__(self, file, kept, *, dry_run):
        self.calls.append((file.read(), kept, dry_run))
        report = ImportReport(roster="测试", rows=[RowResult(row=2, outcome="new")])
        if self.refuse and not dry_run:
            report.file_errors.append("冲突")
        report.written = report.ok and not dry_run
        return report

    @property
    def writes(self):
        return [call for call in self.calls if not call[2]]


@pytest.fixture
def flow():
    session, run = SessionStore(), Importer()

    def send(data=None, *, content=None, path=PAGE):
        files = {"file": SimpleUploadedFile("a.xlsx", content)} if content is not None else {}
        request = RequestFactory().post(path, {**(data or {}), **files})
        request.session = session
        request._messages = default_storage(request)
        response = preview_import(
            request,
            session_key=KEY,
            form=UploadForm(request.POST, request.FILES or None),
            keep=lambda data: {"note": data["note"]},
            run=run,
            context={"title": "导入"},
            template="admin/orgportal/roster_import.html",
        )
        response.messages = [str(m) for m in get_messages(request)]
        return response

    send.session, send.run = session, run
    yield send
    if KEY in session:
        Path(session[KEY]["path"]).unlink(missing_ok=True)


def test_preview_runs_dry_and_keeps_the_upload_for_the_confirm(flow):
    preview = flow({"note": "甲"}, content=b"rows")
    assert preview.context_data["report"].rows[0].outcome_label == "新增"
    assert flow.run.calls == [(b"rows", {"note": "甲"}, True)]
    pending = flow.session[KEY]
    assert pending["token"] == preview.context_data["token"] and Path(pending["path"]).read_bytes() == b"rows"


def test_confirm_writes_the_kept_upload_then_forgets_it(flow):
    token = flow({"note": "甲"}, content=b"rows").context_data["token"]
    path = flow.session[KEY]["path"]
    done = flow({"confirm": "1", "token": token})
    assert done.context_data["report"].written
    assert flow.run.writes == [(b"rows", {"note": "甲"}, False)]
    assert not Path(path).exists() and KEY not in flow.session


def test_token_mismatch_writes_nothing(flow):
    flow({"note": "甲"}, content=b"rows")
    response = flow({"confirm": "1", "token": "guessed"})
    assert response.status_code == 302 and response.messages == ["上传的文件已失效，请重新上传"]
    assert flow.run.writes == [] and Path(flow.session[KEY]["path"]).exists()


def test_confirm_without_an_upload_writes_nothing(flow):
    response = flow({"confirm": "1", "token": ""})
    assert response.status_code == 302 and flow.run.calls == []


def test_an_upload_is_confirmed_only_on_the_page_it_was_sent_to(flow):
    token = flow({"note": "甲"}, content=b"rows").context_data["token"]
    response = flow({"confirm": "1", "token": token}, path="/admin/other/import/")
    assert response.status_code == 302 and flow.run.writes == []


def test_a_vanished_upload_is_a_warning_not_an_error(flow):
    token = flow({"note": "甲"}, content=b"rows").context_data["token"]
    Path(flow.session[KEY]["path"]).unlink()
    response = flow({"confirm": "1", "token": token})
    assert response.status_code == 302 and response["Location"] == PAGE
    assert response.messages == ["上传的文件已失效，请重新上传"]
    assert flow.run.writes == [] and KEY not in flow.session


def test_a_second_upload_replaces_the_first(flow):
    first = flow({"note": "甲"}, content=b"one").context_data["token"]
    first_path = flow.session[KEY]["path"]
    flow({"note": "乙"}, content=b"two")
    assert not Path(first_path).exists()
    assert flow({"confirm": "1", "token": first}).status_code == 302  # the first token is spent
    assert flow.run.writes == []


def test_a_refused_write_keeps_the_upload_to_confirm_again(flow):
    token = flow({"note": "甲"}, content=b"rows").context_data["token"]
    flow.run.refuse = True
    done = flow({"confirm": "1", "token": token})
    assert not done.context_data["report"].written and Path(flow.session[KEY]["path"]).exists()


def test_an_invalid_form_shows_the_form_again(flow):
    response = flow({"note": ""}, content=b"rows")
    assert response.context_data["form"].errors and flow.run.calls == [] and KEY not in flow.session


def test_no_admin_action_form_preselects_a_choice_the_clerk_must_make():
    """Every required choice on an action form of the project's admins starts empty (no default)."""
    import importlib

    from django import forms as django_forms

    found = []
    for module in (
        "orgportal.admin",
        "cadres.admin",
        "talent.admin",
        "training.admin",
        "training.hours_admin",
    ):
        for value in vars(importlib.import_module(module)).values():
            if (
                isinstance(value, type)
                and issubclass(value, django_forms.Form)
                and value.__module__ == module
            ):
                for name, field in value.base_fields.items():
                    if isinstance(field, django_forms.ChoiceField) and field.required and field.choices:
                        found.append((value.__name__, name))
                        assert list(field.choices)[0][0] == "", f"{value.__name__}.{name} preselects a choice"
    assert len(found) >= 5, found
