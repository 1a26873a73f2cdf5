"""Headless subcommands (``desktop-helpdesk export|worker|mail|crm|admin|...``): one registry.

Each subcommand is a module here with ``main(argv) -> int``; ``COMMANDS`` maps its name to
the module so ``app.main`` dispatches without importing Qt for commands that need none.
Conventions (see ``common``): a one-line error naming the field or file on stderr, exit 1 for
refused or failed work, 2 for usage, ``--json`` for machine-readable output, never a traceback
(it goes to the log file).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

# name -> module under desktop_helpdesk.cli; add one line per subcommand.
COMMANDS: dict[str, str] = {
    "export": "export",
    "worker": "worker",
    "call": "call",
    "crm": "crm",
    "verify-audit": "verify_audit",
    "admin": "admin",
    "backup": "backup",
    "restore": "restore",
    "mail": "mail",
}


def dispatch(argv: Sequence[str]) -> int | None:
    """Run ``argv`` as a subcommand if its first word names one; None when it does not."""
    if not argv or argv[0] not in COMMANDS:
        return None
    from desktop_helpdesk.cli.common import log_to_file
    from desktop_helpdesk.config import log_dir

    log_to_file(log_dir())
    module = importlib.import_module(f"{__name__}.{COMMANDS[argv[0]]}")
    return module.main(list(argv[1:]))
