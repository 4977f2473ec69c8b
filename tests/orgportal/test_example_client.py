"""docs/examples/sync_client.py runs green against the live test server with a system token:
initial load, incremental sync through the change feed (an update, a deletion, a new cadre),
and an idempotent bulk push of training hours sent twice."""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from orgportal import access
from tests.factories import CadreFactory, UnitFactory, UserFactory
from training.models import ExternalHours

CLIENT = Path(django_settings.BASE_DIR) / "docs" / "examples" / "sync_client.py"


def system_token(user) -> str:
    """A key for `user` as another system holds it (the kernel's API tokens of system accounts)."""
    from orgportal.tokens import create_token, make_system_account

    make_system_account(user)
    _token, key = create_token(user, "示例同步程序")
    return key


@pytest.fixture
def run(live_server, tmp_path, settings):
    settings.ORGPORTAL_FEED_LAG_SECONDS = 0
    settings.ORGPORTAL_FEED_SKEW_SECONDS = 0

    def run(token, *args):
        env = {**os.environ, "ORGPORTAL_URL": live_server.url, "ORGPORTAL_TOKEN": token}
        done = subprocess.run(
            [sys.executable, str(CLIENT), "--state", str(tmp_path / "state.json"), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    return run


@pytest.mark.django_db(transaction=True)
def test_example_client_syncs_and_pushes(run, tmp_path):
    unit = UnitFactory(name="甲县")
    other = UnitFactory(name="乙县")
    cadres = [CadreFactory(unit=unit) for _ in range(3)]
    CadreFactory(unit=other)  # outside the token's jurisdiction
    perms = ["cadres.view_cadre", access.VIEW_SENSITIVE]
    perms += [f"training.{a}_externalhours" for a in ("view", "add", "change")]
    token = system_token(UserFactory(username="payroll_sync", perms=perms, units=[unit]))

    first = run(token, "sync")
    assert (first["event"], first["cadres"]) == ("full_load", 3)

    cadres[0].post = "新任职务"
    cadres[0].save()
    gone = cadres[1].pk
    cadres[1].delete()
    CadreFactory(unit=unit)
    second = run(token, "sync")
    assert (second["event"], second["upserted"], second["deleted"], second["cadres"]) == ("sync", 2, 1, 3)
    state = json.loads((tmp_path / "state.json").read_text(encoding="utf-8"))
    assert state["cadres"][str(cadres[0].pk)]["post"] == "新任职务"
    assert str(gone) not in state["cadres"]
    assert state["cadres"][str(cadres[0].pk)]["id_number"] == cadres[0].id_number
    assert run(token, "sync")["changes"] == 0

    year = datetime.date.today().year - 1
    items = [
        {"id_number": c.id_number, "year": year, "provider": "干部网络学院", "kind": "online", "hours": "8"}
        for c in (cadres[0], cadres[2])
    ]
    (tmp_path / "hours.json").write_text(json.dumps(items), encoding="utf-8")
    pushed = run(token, "push-hours", str(tmp_path / "hours.json"))
    assert pushed == {"event": "push_hours", "created": 2, "updated": 0, "unchanged": 0}
    again = run(token, "push-hours", str(tmp_path / "hours.json"))  # replayed from the idempotency store
    assert again == pushed
    assert ExternalHours.objects.count() == 2
