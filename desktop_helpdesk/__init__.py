"""Desktop Helpdesk: a desktop case manager that runs a support policy with business-time SLAs."""

from __future__ import annotations

from pathlib import Path


def _version() -> str:
    """The version in ``pyproject.toml``: from the installed metadata (a wheel, or the bundle,
    which copies it), else read from the checkout's ``pyproject.toml``."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("desktop-helpdesk")
    except PackageNotFoundError:
        pass
    import tomllib

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    try:
        with pyproject.open("rb") as stream:
            return tomllib.load(stream)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "0+unknown"


__version__ = _version()
