"""Local information: surveys of children, families, staff and partner agencies, and case-file audits.

The domain of docs/local.md, as documented functions the CLI and the web
service call:

- :mod:`.bank`: the question bank (TOML files; ``load_bank``), every question
  tied to a local key question of the framework;
- :mod:`.appdb`: the application database (``open_app_db``; SQLite by default,
  PostgreSQL by URL) and its Alembic migrations; :mod:`.schema` its tables;
- :mod:`.surveys`: ``create_survey``, ``submit_response``, ``close_survey``, actions;
- :mod:`.triage`: free text that may disclose harm, and the queue;
- :mod:`.results`: ``survey_results``, disclosure-controlled (:mod:`.overlap`);
"""
