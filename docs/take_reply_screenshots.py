"""Documentation screenshots of the reply composer (Ctrl+R) with a canned reply and its template
preview, on the demo data, for a desktop (1600x900) and a laptop (1366x768) window.

Usage (from the repository root): ``python3 docs/take_reply_screenshots.py [--out docs]``; writes
``screenshot-reply-composer.png``, ``screenshot-1366-reply-composer.png`` and, as an admin sees it,
``screenshot-1366-email-templates.png`` (Administration → Email templates with a preview) and
``screenshot-1366-canned-replies.png``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QBuffer, QIODevice, Qt  # noqa: E402
from PySide6.QtGui import QColor, QImage  # noqa: E402

from desktop_helpdesk.services.drafts import reply_key  # noqa: E402
from desktop_helpdesk.storage.db import close_database  # noqa: E402
from desktop_helpdesk.storage.records import CaseRecord, ContactRecord  # noqa: E402
from desktop_helpdesk.ui.context import UiContext  # noqa: E402
from desktop_helpdesk.ui.main_window import MainWindow  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from take_screenshots import NOW, demo_desk, settle  # noqa: E402

SIZES = (((1600, 900), "screenshot-reply-composer.png"), ((1366, 768), "screenshot-1366-reply-composer.png"))
_CHROME = 72
CANNED = ("Clear the browser cache",
          "Thank you for the details on case {case_number}. Most course-player problems come from an "
          "old copy of the player kept by the browser:\n\n"
          "1. Press Ctrl+Shift+Delete, tick \"Cached images and files\" and clear them.\n"
          "2. Close every browser window and open the course again.\n\n"
          "If it still happens, reply to this email with a screenshot and I will call you "
          "before {respond_due}.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs")
    out = Path(parser.parse_args(argv).out)
    clock, services = demo_desk()
    members = services.team.list_members()
    admin = next(m for m in members if m.role == "admin")
    agent = next(m for m in members if m.role == "agent" and m.can_take_cases)
    services.settings.update(admin.id, smtp_host="smtp.velsoft.example", smtp_port=587,
                             mail_from_address="support@velsoft.example", mail_from_name="Velsoft Support")
    services.canned_replies.add(admin.id, CANNED[0], CANNED[1], shared=True)
    services.canned_replies.add(admin.id, "Ask for a screenshot", "Could you send a screenshot of the error?",
                                shared=True)
    case = (CaseRecord.select().join(ContactRecord, on=(CaseRecord.contact == ContactRecord.id))
            .where((CaseRecord.status == "new") & (ContactRecord.email != "") & (CaseRecord.respond_due_at > NOW))
            .order_by(CaseRecord.id).first())
    services.cases.add_attachment(agent.id, case.id, filename="blank-player.png", data=_blank_screenshot(),
                                  content_type="image/png")
    for (width, height), name in SIZES:
        context = UiContext.for_member(services, clock, agent)
        window = MainWindow(context)
        window.resize(width, height)
        window.show()
        settle(1500)
        window.detail.load_case(case.id)
        settle()
        dialog = window.detail.compose_reply()
        settle(800)
        picker = dialog.open_canned_picker()
        picker.filter_field.setText("cache")
        picker.chosen.emit(picker.current_reply())
        picker.reject()
        dialog.cc_field.setText("it-desk@" + case.contact.email.partition("@")[2])
        dialog.attachments.item(0).setCheckState(Qt.CheckState.Checked)
        settle(300)
        usable = height - _CHROME
        print(f"{width}x{height}: composer {dialog.width()}x{dialog.height()} (usable height {usable})"
              f"{'' if dialog.height() <= usable else ' TOO TALL'}")
        dialog.grab().save(str(out / name))
        dialog.reject()
        settle(300)
        context.drafts.discard(agent.id, reply_key(case.id))  # each size starts from a fresh composer
        window.shutdown()
        window.deleteLater()
        settle(200)
    _email_templates(services, clock, admin, case, out)
    close_database()
    return 0


def _blank_screenshot() -> bytes:
    """A real PNG (a white 800x450 "blank player") the attachments view can thumbnail."""
    image = QImage(800, 450, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


def _email_templates(services, clock, admin, case, out: Path) -> None:
    from desktop_helpdesk.ui import admin as admin_ui

    window = MainWindow(UiContext.for_member(services, clock, admin))
    window.resize(1366, 768)
    window.show()
    settle(1500)
    dialog = admin_ui.open_admin_dialog(window)
    settle(1000)
    page = dialog.email_templates_page
    dialog.tabs.setCurrentWidget(page)
    page.select_kind("acknowledgement")
    page.case_field.setText(case.number)
    page.preview()
    settle(800)
    print(f"1366x768: Administration {dialog.width()}x{dialog.height()} (usable height {768 - _CHROME})")
    dialog.grab().save(str(out / "screenshot-1366-email-templates.png"))
    dialog.tabs.setCurrentWidget(dialog.canned_replies_page)
    settle(300)
    dialog.canned_replies_page.select_reply(services.canned_replies.list_for(admin.id)[0].id)
    settle(300)
    dialog.grab().save(str(out / "screenshot-1366-canned-replies.png"))
    dialog.reject()
    window.shutdown()
    window.deleteLater()
    settle(200)


if __name__ == "__main__":
    sys.exit(main())
