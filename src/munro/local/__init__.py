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
- :mod:`.survey_import`: ``import_responses`` from Microsoft Forms, SmartSurvey
  and SurveyMonkey exports; :mod:`.tabular` reads CSV and XLSX;
- :mod:`.audits`: ``sample_cases`` from the store, ``record_audits``,
  ``audit_results``; :mod:`.audit_import` ``import_audits``; :mod:`.agreement`
  percent agreement and Cohen's kappa;
- :mod:`.evidence`: ``local_evidence``, the report's view by key question;
- :mod:`.output`: text and JSON for the CLI; :mod:`.roles`: who may see what.
"""
