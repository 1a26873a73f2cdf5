"""Desktop Helpdesk: a desktop case manager that runs a support policy with business-time SLAs."""

__version__ = "0.1.0"
