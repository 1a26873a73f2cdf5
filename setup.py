"""Maps the repository's top-level ``resources/`` into the package at build time.

Everything else about the build is declared in ``pyproject.toml``; only this mapping needs
code, because ``[tool.setuptools.packages.find]`` cannot name a package that lives outside
its parent's folder.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["desktop_helpdesk*"]), "desktop_helpdesk.resources"],
    package_dir={"desktop_helpdesk.resources": "resources"},
)
