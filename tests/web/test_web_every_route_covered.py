"""No route escapes the authorisation matrices.

Each matrix (test_web_authz*.py) checks that it covers every route of the
blueprints it is about; this checks that every blueprint of the application is
one of those, so a new blueprint fails here until its matrix is written.
"""

from __future__ import annotations

import test_web_authz_core

# test_web_authz.py covers pages; test_web_authz_core.py its CORE; test_web_authz_local.py these three;
# test_web_drill.py the drill-down; test_web_as_at.py the figures as at a date.
COVERED = {"pages", "surveys", "public", "audits", "drill", "as_at"} | set(test_web_authz_core.CORE)


def test_every_blueprint_has_an_authorisation_matrix(app):
    blueprints = {rule.endpoint.split(".")[0] for rule in app.url_map.iter_rules()}
    assert blueprints - COVERED == set(), "routes with no authorisation matrix"
    assert COVERED - blueprints == set(), "a matrix for a blueprint that no longer exists"
