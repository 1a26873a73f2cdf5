"""``desktop-helpdesk crm``: set the webhook or the drop folder (audited), and see the state."""

from __future__ import annotations

import io
import json

from desktop_helpdesk.cli.crm import main
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.storage.records import AuditRecord


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_set_webhook_then_status(db, db_path, clock):
    code, out, err = run("set-webhook", "--url", "https://hooks.crm.example/helpdesk", "--db", str(db_path))
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "CRM target: webhook https://hooks.crm.example/helpdesk (saved)"
    assert ServiceContext(clock).settings().crm_webhook_url == "https://hooks.crm.example/helpdesk"
    audit = AuditRecord.get(AuditRecord.action == "setting_changed")
    assert (audit.field, audit.after, audit.reason) == ("crm_webhook_url", "https://hooks.crm.example/helpdesk",
                                                        "desktop-helpdesk crm set-webhook")
    code, out, err = run("status", "--json", "--db", str(db_path))
    assert code == 0
    assert json.loads(out) == {"webhook_url": "https://hooks.crm.example/helpdesk", "drop_folder": "",
                               "waiting": 0, "parked": 0, "delivered_by": None, "webhook_disabled": None}


def test_set_folder_and_refusals(db, db_path, clock, tmp_path):
    code, out, _ = run("set-folder", str(tmp_path / "drop"), "--db", str(db_path), "--reason", "new share")
    assert code == 0 and out.startswith(f"CRM target: drop folder {tmp_path / 'drop'}")
    code, out, err = run("set-webhook", "--url", "http://crm.example/hook", "--db", str(db_path))
    assert (code, out) == (1, "")
    assert err.strip() == ("desktop-helpdesk crm: error: crm_webhook_url: must use https:// "
                           "(plain http only to this machine)")
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert run("set-folder", str(a_file), "--db", str(db_path))[0] == 1
    assert run("--db", str(db_path))[0] == 2  # no subcommand
    assert run("status", "--db", str(tmp_path / "missing.sqlite3"))[0] == 2
