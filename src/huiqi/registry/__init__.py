"""Enterprise registry tables (企业名录) as officials hand them over: reading, checking, templates.

* :mod:`~huiqi.registry.codes` — credit, region and industry codes.
* :mod:`~huiqi.registry.schema` — the four tables and their columns.
* :mod:`~huiqi.registry.reader` — CSV / .xlsx into raw rows.
* :mod:`~huiqi.registry.validate` — raw rows into clean records and row errors.
* :mod:`~huiqi.registry.templates` and :mod:`~huiqi.registry.report` — files for the official.

Storage lives in :mod:`~huiqi.registry.store` and :mod:`~huiqi.registry.importer`.
"""
