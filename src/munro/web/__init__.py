"""munro's web service (issue 8): ``create_app(config)`` is the Flask application factory.

``munro serve`` runs it under waitress; the tests call it with a ``Config``
built for a temporary store and application database.
"""

from .app import create_app
from .config import Config

__all__ = ["create_app", "Config"]
