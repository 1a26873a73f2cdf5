"""Composition root: command line, logging, database, services, sign-in, main window, timers."""

from __future__ import annotations

import argparse
import gc
import logging
import logging.handlers
import shutil
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path

from desktop_helpdesk.cli import COMMANDS
from desktop_helpdesk.cli.common import version_line
from desktop_helpdesk.config import AppConfig, load_config

log = logging.getLogger("desktop_helpdesk")

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
DEMO_CASES = 300


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="desktop-helpdesk",
        description="Desktop Helpdesk: log calls and emails as cases and work them to SLA.",
        epilog="Headless commands: " + ", ".join(COMMANDS) + " (desktop-helpdesk COMMAND --help)",
    )
    parser.add_argument("--version", action="version", version=version_line())
    parser.add_argument("--db", metavar="PATH", help="SQLite file or postgresql:// URL to open")
    parser.add_argument("--new", action="store_true",
                        help="with --db: create a new database there if the file is missing or "
                        "empty (without it such a file is refused)")
    parser.add_argument("--user", metavar="NAME", help="sign in as this team member (username)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="sign in as a demo agent on a throw-away database full of demo cases "
        "(with --db: fill that database if it is empty)",
    )
    parser.add_argument(
        "--screenshot",
        metavar="FILE.png",
        help="render the main window after start-up, save it as FILE.png and exit",
    )
    parser.add_argument(
        "--call",
        metavar="URL",
        help="open the phone intake for this ringing call (tel:, callto: or "
        "desktop-helpdesk://call?from=…); see also: desktop-helpdesk call --help",
    )
    parser.add_argument(
        "--screenshot-size",
        metavar="WxH",
        type=_window_size,
        help="with --screenshot: the window size in pixels, e.g. 1366x768 (a laptop screen)",
    )
    return parser


def _window_size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    try:
        size = int(width), int(height)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 1366x768, not {text!r}") from None
    if min(size) < 200 or max(size) > 10_000:
        raise argparse.ArgumentTypeError(f"{text!r} is not a sensible window size")
    return size


def setup_logging(log_dir: Path) -> logging.Handler:
    """Log to a rotating file in the user's log folder; returns the handler (its
    ``baseFilename`` is the file) so the caller can remove it when the app stops."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "desktop-helpdesk.log"
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    logging.getLogger().addHandler(handler)
    # Our own loggers only: peewee's per-query DEBUG lines stay out of the file.
    log.setLevel(logging.INFO)
    return handler


def install_excepthook(log_file: Path):
    """Log unexpected errors with their traceback and show the user a friendly dialog instead.

    Returns:
        The previous hook, to put back when the app stops.
    """
    previous = sys.excepthook

    def hook(kind, value, tb) -> None:
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QApplication, QMessageBox

        if QApplication.instance() is None:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Something went wrong", "", QMessageBox.StandardButton.Ok,
                          QApplication.activeWindow())
        box.setObjectName("errorDialog")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setText(
            "Desktop Helpdesk hit an unexpected problem. What you typed is kept as a draft.\n\n"
            f"{value}"
        )
        box.setInformativeText(f"The details were written to {log_file}.")
        _open_boxes.append(box)
        box.finished.connect(lambda _result: _open_boxes.remove(box))
        # open(), not exec(): the desk keeps working while the message is shown.
        box.open()

    sys.excepthook = hook
    return previous


# Error dialogs without a parent window stay referenced until they are closed.
_open_boxes: list = []


def freeze_startup_heap(window) -> None:
    """Once the window's first list shows, take what start-up built out of the garbage
    collector's sight (``gc.freeze``): the window's widgets, their Python wrappers and the
    loaded modules, about 80,000 objects. A full collection walked them all on the window's
    thread, a 14 ms stall at a moment nobody chose; now it walks what the session makes."""
    from PySide6.QtCore import Qt

    window.list_loaded.connect(lambda *_: gc.freeze(), type=Qt.ConnectionType.SingleShotConnection)


def main(argv: Sequence[str] | None = None, *, settings=None, clock=None) -> int:
    """Start the desktop app (or ``export ...``) and return the exit code.

    ``settings`` (a QSettings) replaces the per-user ``ui-state.ini`` and ``clock`` (a
    ``domain.clock.Clock``) the system clock; tests inject both."""
    argv = list(sys.argv[1:] if argv is None else argv)
    from desktop_helpdesk.cli import dispatch

    code = dispatch(argv)
    if code is not None:
        return code
    args = build_parser().parse_args(argv)

    demo_dir: Path | None = None
    db_option = args.db
    if args.demo and not db_option:
        demo_dir = Path(tempfile.mkdtemp(prefix="helpdesk-demo-"))
        db_option = str(demo_dir / "demo.sqlite3")
    config = load_config(db_option)
    handler = setup_logging(config.log_dir)
    log_file = Path(handler.baseFilename)
    previous_hook = install_excepthook(log_file)
    try:
        return _run_app(args, config, log_file, settings, clock)
    finally:
        sys.excepthook = previous_hook
        logging.getLogger().removeHandler(handler)
        handler.close()
        if demo_dir is not None:
            shutil.rmtree(demo_dir, ignore_errors=True)


def _run_app(args: argparse.Namespace, config: AppConfig, log_file: Path, settings=None, clock=None) -> int:
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_helpdesk.domain.clock import SystemClock
    from desktop_helpdesk.services.container import Services
    from desktop_helpdesk.storage.db import close_database, is_read_only
    from desktop_helpdesk.ui.context import UiContext
    from desktop_helpdesk.ui.database_problems import install_read_only_banner
    from desktop_helpdesk.ui.main_window import MainWindow
    from desktop_helpdesk.ui.pyside_workarounds import protect_singletons
    from desktop_helpdesk.ui.resources import icon, stylesheet
    from desktop_helpdesk.ui.ui_state import UiState

    protect_singletons()
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "desktop-helpdesk"])
    app.setApplicationName("Desktop Helpdesk")
    app.setOrganizationName("DesktopHelpdesk")
    app.setWindowIcon(icon("app"))
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())

    log.info("starting; database %s", config.database.display)
    target = _open_chosen_database(config, args)
    if target is None:
        return EXIT_ERROR

    clock = clock or SystemClock()
    window = None
    try:
        services = Services.create(clock)
        if args.demo and not _seed_demo(clock, log_file, headless=bool(args.screenshot)):
            return EXIT_ERROR
        if settings is None:
            settings = QSettings(str(config.data_dir / "ui-state.ini"), QSettings.Format.IniFormat)
        member = sign_in(args, services, settings)
        if isinstance(member, int):
            return member
        ui = UiContext.for_member(services, clock, member, drafts_folder=config.data_dir / "drafts")
        tray = _tray(app)
        notify = (lambda title, message: tray.showMessage(title, message)) if tray else None
        window = MainWindow(ui, notify=notify)
        if tray is not None:
            tray.messageClicked.connect(window.open_notified_case)
        if member.role in ("supervisor", "admin"):
            _install_supervisor(window)
        # Administration… (supervisors/admins); the team jobs (CRM delivery, client email,
        # the scheduled backup, email intake) under leases, so one workstation of the team runs
        # each; .eml import, the Email tab and the intake status for every window.
        from desktop_helpdesk.ui import admin, mail_intake, screen_pop, team_jobs

        admin.install(window)
        from desktop_helpdesk.ui import account_menu, backup_runner

        # "Back up now" (the scheduled backup is one of the team jobs below).
        backups = None
        if config.database.is_sqlite and not is_read_only():
            backups = backup_runner.install(window, config.database.sqlite_path)
        account_menu.install(window, member.role, has_password=member.has_password, backups=backups)
        if not args.screenshot:
            from desktop_helpdesk.services.accounts import AccountService
            from desktop_helpdesk.ui import idle_lock

            idle_lock.install(window, AccountService(services.context), member.username,
                              has_password=member.has_password)
        if is_read_only():
            # Nothing can be marked delivered (nor a lease held), so the outboxes wait for a
            # writable file.
            log.info("%s opened read-only: changes are refused", target.display)
            install_read_only_banner(window, target.sqlite_path)
        else:
            team_jobs.install(window)
            mail_intake.install(window)
        # Calls from the phone system (desktop-helpdesk call), missed calls, dialling out.
        screen_pop.install(window, target.display, call_url=args.call)
        if not args.screenshot:
            # Screenshots use the default layout so documentation images stay comparable.
            ui_state = UiState(settings)
            ui_state.restore(window)
            app.aboutToQuit.connect(lambda: ui_state.save(window))
        app.aboutToQuit.connect(window.shutdown)
        if args.screenshot and args.screenshot_size:
            window.resize(*args.screenshot_size)
        window.show()
        window.ticker.start()
        if not args.screenshot:  # a screenshot run ends before a collection matters
            freeze_startup_heap(window)
        if target.is_sqlite and not args.screenshot:
            # The file was opened without waiting for its integrity check (seconds on a big
            # file); it runs now, in the background, and a damaged file shows in the window.
            from desktop_helpdesk.ui.database_problems import IntegrityCheck

            integrity = IntegrityCheck(window, target.sqlite_path,
                                       reopen=lambda path: _restart_on(app, args, path))
            integrity.start_after(window.list_loaded)
        if args.screenshot:
            return _screenshot(app, window, Path(args.screenshot), QTimer)
        return app.exec()
    finally:
        if window is not None:
            window.shutdown()
            window.deleteLater()
        close_database()
        log.info("stopped")


def _open_chosen_database(config: AppConfig, args: argparse.Namespace):
    """Open the run's database; returns its target, or None after telling the user why not.
    A missing or empty file becomes a new database only where the user asked for one:
    ``--demo``, ``--new``, or the first start (no default database in the data folder yet; an
    existing empty one there is refused like any other)."""
    from PySide6.QtWidgets import QMessageBox

    from desktop_helpdesk.ui.database_problems import open_with_way_out

    target = config.database
    first_start = not config.named_by_user and target.is_sqlite and not target.sqlite_path.exists()
    return open_with_way_out(
        target, allow_new=args.new or args.demo or first_start,
        # A person waits for the window: its check runs in the background once the list
        # shows (IntegrityCheck). Automation (--screenshot) waits for nobody: checked first.
        headless=bool(args.screenshot), check_first=bool(args.screenshot),
        # The backup before an upgrade takes minutes on a large file: shown, and cancellable.
        upgrade_with_progress=not args.screenshot,
        refuse=lambda text: _error_box(QMessageBox, "The database cannot be opened", text, args.screenshot),
    )


def _restart_on(app, args: argparse.Namespace, path: Path) -> None:
    """Start the app over on ``path`` (a way out of a damaged file) and quit this one."""
    from PySide6.QtCore import QProcess

    command = [] if getattr(sys, "frozen", False) else ["-m", "desktop_helpdesk"]
    command += ["--db", str(path)]
    if args.user:
        command += ["--user", args.user]
    log.info("starting over on %s", path)
    if not QProcess.startDetached(sys.executable, command):
        log.error("could not start the app again on %s", path)
        return
    app.quit()


def _error_box(message_box, title: str, text: str, headless: bool) -> None:
    """Tell the user why the app stops: on stderr always, and in a dialog unless headless."""
    print(f"{title}: {text}", file=sys.stderr)
    if not headless:
        message_box.critical(None, title, text)


def _seed_demo(clock, log_file: Path, *, headless: bool, cases: int = DEMO_CASES) -> bool:
    """Fill an empty database with demo cases on a worker thread while a progress window
    shows how far it got (seeding takes seconds). False (after telling the user) on failure."""
    from PySide6.QtWidgets import QMessageBox

    from desktop_helpdesk.storage.records import CaseRecord, TeamMemberRecord

    if TeamMemberRecord.select().exists() or CaseRecord.select().exists():
        log.info("demo: database already has data; not seeding")
        return True
    from desktop_helpdesk.services.demo import seed_demo_data
    from desktop_helpdesk.ui.startup import run_with_progress

    try:
        run_with_progress(
            lambda progress: seed_demo_data(clock, cases=cases, progress=progress),
            title="Desktop Helpdesk",
            describe=lambda done, total: f"Preparing demo data… {done} of {total or cases} cases",
        )
    except Exception as error:  # noqa: BLE001 - the worker logged the traceback; the user gets a sentence
        log.error("demo: seeding failed: %s", error)
        _error_box(QMessageBox, "The demo data could not be prepared",
                   f"{error}\n\nThe details were written to {log_file}.", headless)
        return False
    log.info("demo: seeded %s cases", cases)
    return True


def demo_member(services):
    """The member ``--demo`` signs in as (the laptop tests look through the same eyes)."""
    members = [m for m in services.team.list_members() if m.active]
    agents = [m for m in members if m.role == "agent" and m.can_take_cases]
    # The demo signs in as the agent with the most open work, so "My cases" is lively.
    agents.sort(key=lambda m: (-m.open_cases, m.display_name))
    return agents[0] if agents else (members[0] if members else None)


PASSWORD_ENV = "HELPDESK_PASSWORD"


class _SignInStop(Exception):
    """Sign-in ends the start-up with this exit code (the reason was already told)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def sign_in(args, services, settings, accounts=None):
    """The signed-in member, or an exit code when start-up stops here.

    ``--user`` (automation) needs the password in ``HELPDESK_PASSWORD`` once the team has
    passwords; ``--demo`` signs in as the demo agent on a team without passwords. Otherwise:
    the first-admin wizard on an empty team, the password dialog, or (a team from before
    passwords) the name picker followed by "set your password". ``--screenshot`` never waits
    for input: whatever would need a dialog ends the run with one line instead.
    """
    import os

    from PySide6.QtWidgets import QMessageBox

    from desktop_helpdesk.services.accounts import AccountService, SignInRefused

    accounts = accounts or AccountService(services.context)
    headless = bool(args.screenshot)
    try:
        if args.user:
            password = os.environ.get(PASSWORD_ENV)
            try:
                if password is not None:
                    return accounts.sign_in(args.user, password).member
                return accounts.sign_in_without_password(args.user).member
            except SignInRefused as refusal:
                log.error("--user %s: %s", args.user, refusal)
                hint = ""
                if password is None and accounts.passwords_required():
                    hint = f"\nPut the password in the {PASSWORD_ENV} environment variable."
                elif password is None:
                    # No passwords yet: naming the usernames helps a script's author, and the
                    # name alone signs in anyway.
                    known = ", ".join(sorted(m.username for m in services.team.list_members() if m.active))
                    hint = f"\nActive usernames: {known}." if known else ""
                _error_box(QMessageBox, "Cannot sign in", f"--user {args.user}: {refusal}{hint}", headless)
                return EXIT_USAGE if password is None else EXIT_ERROR
        if args.demo and not accounts.passwords_required():
            member = demo_member(services)
            if member is not None:
                return member
        has_team = any(m.active for m in services.team.list_members())
        if headless:
            # Never wait behind a dialog nobody can see.
            if not has_team:
                reason = ("the database has no team yet; create the first admin with "
                          "'desktop-helpdesk admin create --username U --name N --role admin' "
                          "(password from HELPDESK_ADMIN_PASSWORD), or use --demo")
            else:
                reason = (f"say who signs in with --user NAME (and {PASSWORD_ENV} when the team "
                          "has passwords), or use --demo")
            _error_box(QMessageBox, "Cannot take a screenshot", f"--screenshot: {reason}", True)
            return EXIT_USAGE
        if not has_team:
            return _first_admin(accounts)
        if accounts.passwords_required():
            signed = _password_sign_in(accounts, settings)
        else:
            signed = _pick_member(services, accounts, settings)
        if signed.must_set_password and not _ask_new_password(accounts, signed):
            raise _SignInStop(EXIT_OK)
        return signed.member
    except _SignInStop as stop:
        return stop.code


def _first_admin(accounts):
    from PySide6.QtWidgets import QDialog

    from desktop_helpdesk.ui.dialogs.sign_in import FirstAdminDialog

    def create(username: str, name: str, password: str):
        return accounts.create_account(None, username, name, role="admin", password=password)

    dialog = FirstAdminDialog(create)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        raise _SignInStop(EXIT_OK)
    return dialog.result_value


def _password_sign_in(accounts, settings):
    from PySide6.QtWidgets import QDialog

    from desktop_helpdesk.ui.dialogs.sign_in import SignInDialog

    dialog = SignInDialog(accounts.sign_in, _remembered_username(settings))
    if dialog.exec() != QDialog.DialogCode.Accepted:
        raise _SignInStop(EXIT_OK)
    signed = dialog.result_value
    # The username only: the password is never kept anywhere on the workstation.
    settings.setValue("signIn/username", signed.member.username)
    settings.sync()
    return signed


def _pick_member(services, accounts, settings):
    """A team from before passwords: pick the name (then the member sets a password)."""
    from PySide6.QtWidgets import QDialog

    from desktop_helpdesk.ui.dialogs.member_picker import MemberPickerDialog

    members = [m for m in services.team.list_members() if m.active]
    picker = MemberPickerDialog(members, _remembered_member_id(settings))
    if picker.exec() != QDialog.DialogCode.Accepted or picker.chosen_member_id() is None:
        raise _SignInStop(EXIT_OK)
    chosen = picker.chosen_member_id()
    settings.setValue("signIn/memberId", chosen)
    member = next(m for m in members if m.id == chosen)
    settings.setValue("signIn/username", member.username)
    settings.sync()
    return accounts.sign_in_without_password(member.username)


def _ask_new_password(accounts, signed) -> bool:
    """Ask the member for a new password; False when they decline (the app then stops)."""
    from PySide6.QtWidgets import QDialog

    from desktop_helpdesk.ui.dialogs.sign_in import SetPasswordDialog

    member = signed.member
    if member.has_password:
        reason = f"{member.display_name}, an admin reset your password: choose your own now."
    else:
        reason = (f"{member.display_name}, accounts on this desk now have passwords. Choose "
                  "yours (at least 8 characters); you will need it at every start.")
    dialog = SetPasswordDialog(
        lambda current, new: accounts.change_own_password(member.id, current, new),
        has_password=member.has_password, reason=reason)
    return dialog.exec() == QDialog.DialogCode.Accepted


def _remembered_username(settings) -> str:
    value = settings.value("signIn/username")
    return value if isinstance(value, str) else ""


def _remembered_member_id(settings) -> int | None:
    """The member chosen at the last start on this workstation (None if unset or unreadable)."""
    try:
        return int(settings.value("signIn/memberId"))
    except (TypeError, ValueError):
        return None


def _tray(app):
    from PySide6.QtWidgets import QSystemTrayIcon

    from desktop_helpdesk.ui.resources import icon

    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    tray = QSystemTrayIcon(icon("app"), app)
    tray.setToolTip("Desktop Helpdesk")
    tray.show()
    return tray


def _install_supervisor(window) -> None:
    try:
        from desktop_helpdesk.ui import supervisor
    except ImportError:
        return
    install = getattr(supervisor, "install", None)
    if install is None:
        return
    try:
        install(window)
    except Exception:  # noqa: BLE001 - a broken report tab must not stop the desk from working
        log.exception("could not add the supervisor view")


def _screenshot(app, window, path: Path, timer_type) -> int:
    """Wait until the list, counts and first case are shown, then save the window as PNG."""
    state = {"list": False, "refresh": False, "code": EXIT_ERROR, "shot": False}

    def maybe_shoot() -> None:
        if not (state["list"] and state["refresh"]) or state["shot"]:
            return
        state["shot"] = True
        if window.model.rowCount() and window.detail.case_id is None:
            window.select_case(window.model.case_id_at(0))
        # One more turn of the event loop lets layouts and thumbnails settle before grabbing.
        timer_type.singleShot(400, grab)

    def grab() -> None:
        window.on_ticked(window.ui_context.clock.now())
        path.parent.mkdir(parents=True, exist_ok=True)
        ok = window.grab().save(str(path), "PNG")
        state["code"] = EXIT_OK if ok else EXIT_ERROR
        log.info("screenshot %s saved: %s", path, ok)
        app.exit(state["code"])

    def on_list(_count: int) -> None:
        state["list"] = True
        maybe_shoot()

    def on_refresh() -> None:
        state["refresh"] = True
        maybe_shoot()

    window.list_loaded.connect(on_list)
    window.refreshed.connect(on_refresh)
    # A safety net: never hang a documentation build (parented, so it dies with the window).
    safety = timer_type(window)
    safety.setObjectName("screenshotSafetyTimer")
    safety.setSingleShot(True)
    safety.timeout.connect(lambda: app.exit(EXIT_ERROR))
    safety.start(60_000)
    app.exec()
    safety.stop()
    return state["code"]


def run() -> None:
    """Entry point of the ``desktop-helpdesk`` gui-script."""
    sys.exit(main(sys.argv[1:]))
