"""munro: child protection performance information for English local authorities."""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

try:
    # The installed distribution's version (pyproject.toml's), so a report names the munro that made it.
    __version__ = _version("munro")
except PackageNotFoundError:  # run from a source tree that was never installed: say so rather than guess
    __version__ = "0+unknown"
