"""Entry point for ``python -m desktop_helpdesk``."""

import sys

from desktop_helpdesk.app import main

sys.exit(main(sys.argv[1:]))
