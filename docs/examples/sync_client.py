#!/usr/bin/env python3
"""An example integration client for the OrgPortal API (Python standard library only).

    export ORGPORTAL_URL=https://org.example.cn ORGPORTAL_TOKEN=<the system account's key>
    python sync_client.py --state cadres.json sync           # first run: full load; then: changes only
    python sync_client.py --state cadres.json push-hours hours.json   # training hours, idempotent

`sync` keeps a local copy of the cadres the token may see (ten payroll fields) in the state file:
the first run pages through /api/v1/cadres/?fields=… and remembers where the change feed stands;
every later run follows /api/v1/changes/?after=<cursor> and re-reads only the cadres that changed,
500 at a time (`?ids=…&fields=…`); deleted ones, and ones that left the token's jurisdiction, are
dropped. The cursor is saved
only after the changes it covers are applied, so a run that dies halfway simply repeats.

`push-hours` sends a JSON list of training-hours items to /api/v1/training-external-hours/bulk/ in
batches, each with an Idempotency-Key derived from its content: a retry after a dropped
connection (or the whole command run again) applies nothing twice.

Both retry on network errors, 5xx and 429 (waiting Retry-After seconds). See docs/api.md.
"""

import argparse
import hashlib
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

FIELDS = "id,name,gender,birth_date,id_number,unit,unit_name,post,level,rank,updated_at"
BATCH = 500
RETRIES = 5


class ApiError(Exception):
    def __init__(self, status: int, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status, self.body = status, body


def call(method: str, path: str, *, params=None, body=None, headers=None):
    """One API call with the token; retried on network errors, 5xx and 429. Returns parsed JSON."""
    base = os.environ["ORGPORTAL_URL"].rstrip("/")
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    data = json.dumps(body).encode() if body is not None else None
    sent = {
        "Authorization": f"Token {os.environ['ORGPORTAL_TOKEN']}",
        "Accept": "application/json",
        **({"Content-Type": "application/json"} if data is not None else {}),
        **(headers or {}),
    }
    for attempt in range(RETRIES):
        request = urllib.request.Request(url, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            payload = error.read()
            try:
                parsed = json.loads(payload)
            except ValueError:
                parsed = payload.decode(errors="replace")
            if error.code == 429 or error.code >= 500:
                wait = float(error.headers.get("Retry-After") or 2**attempt)
                time.sleep(min(wait, 60))
                continue
            raise ApiError(error.code, parsed) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError):
            time.sleep(2**attempt)
    raise ApiError(0, f"gave up after {RETRIES} attempts: {method} {path}")


def load(path: str) -> dict:
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    return {"cursor": None, "cadres": {}}


def save(path: str, state: dict) -> None:
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(state, handle, ensure_ascii=False, indent=1)
    os.replace(temporary, path)  # never a half-written state file


def feed_head() -> str | None:
    """The cursor of the newest settled change: where an initial load starts following."""
    cursor = None
    while True:
        page = call(
            "GET", "/api/v1/changes/", params={"limit": 1000, **({"after": cursor} if cursor else {})}
        )
        cursor = page["next"]
        if not page["more"]:
            return cursor


def full_load(state: dict) -> dict:
    # Take the feed's position first: whatever changes during the load is replayed afterwards.
    state["cursor"] = feed_head()
    state["cadres"] = {}
    page = 1
    while True:
        data = call("GET", "/api/v1/cadres/", params={"fields": FIELDS, "page_size": 500, "page": page})
        for row in data["results"]:
            state["cadres"][str(row["id"])] = row
        if not data["next"]:
            return {"event": "full_load", "cadres": len(state["cadres"]), "cursor": state["cursor"]}
        page += 1


def follow_feed(state: dict) -> dict:
    upserted, deleted, seen = 0, 0, 0
    while True:
        params = {"limit": 1000, **({"after": state["cursor"]} if state["cursor"] else {})}
        page = call("GET", "/api/v1/changes/", params=params)
        seen += len(page["results"])
        changed = []
        for change in page["results"]:
            if change["model"] != "cadres.cadre":
                continue
            key = str(change["id"])
            if key in changed:
                changed.remove(key)  # only its latest change counts
            changed.append(key)
            if change["action"] == "delete":
                changed.remove(key)
                deleted += state["cadres"].pop(key, None) is not None
        # Re-read the changed cadres in batches; one not returned was deleted since or left the
        # jurisdiction.
        for start in range(0, len(changed), BATCH):
            wanted = changed[start : start + BATCH]
            params = {"ids": ",".join(wanted), "fields": FIELDS, "page_size": BATCH}
            rows = {str(row["id"]): row for row in call("GET", "/api/v1/cadres/", params=params)["results"]}
            for key in wanted:
                if key in rows:
                    state["cadres"][key] = rows[key]
                    upserted += 1
                else:
                    deleted += state["cadres"].pop(key, None) is not None
        state["cursor"] = page["next"]  # saved only once this page's changes are applied
        if not page["more"]:
            return {"event": "sync", "changes": seen, "upserted": upserted, "deleted": deleted,
                    "cadres": len(state["cadres"]), "cursor": state["cursor"]}  # fmt: skip


def sync(args) -> dict:
    state = load(args.state)
    result = full_load(state) if state["cursor"] is None and not state["cadres"] else follow_feed(state)
    save(args.state, state)
    return result


def push_hours(args) -> dict:
    with open(args.file, encoding="utf-8") as handle:
        items = json.load(handle)
    totals = {"created": 0, "updated": 0, "unchanged": 0}
    for start in range(0, len(items), BATCH):
        batch = {"items": items[start : start + BATCH]}
        # The same content always gets the same key: re-sending it is answered from the server's store.
        key = hashlib.sha256(json.dumps(batch, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        try:
            result = call(
                "POST", "/api/v1/training-external-hours/bulk/", body=batch, headers={"Idempotency-Key": key}
            )
        except ApiError as error:
            if error.status == 400 and isinstance(error.body, dict) and "errors" in error.body:
                for item in error.body["errors"]:
                    print(json.dumps({"event": "item_error", "index": start + item["index"], **item},
                                     ensure_ascii=False), file=sys.stderr)  # fmt: skip
            raise
        for name in totals:
            totals[name] += result[name]
    return {"event": "push_hours", **totals}


def main() -> int:
    parser = argparse.ArgumentParser(description="OrgPortal API example client")
    parser.add_argument("--state", default="orgportal-sync.json", help="local state file (cursor and cadres)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("sync", help="initial load, then incremental sync through the change feed")
    push = commands.add_parser("push-hours", help="push training hours (JSON list of items)")
    push.add_argument("file")
    args = parser.parse_args()
    try:
        result = sync(args) if args.command == "sync" else push_hours(args)
    except ApiError as error:
        print(json.dumps({"event": "error", "status": error.status, "body": error.body}, ensure_ascii=False))
        return 1
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
