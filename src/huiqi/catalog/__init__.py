"""工业产品信息平台: products and demands, 智能检索, 供需对接 and product catalogs.

* :mod:`.vocab` — product certifications and the platform's settings (``data/catalog.toml``)
* :mod:`.tokens`, :mod:`.synonyms` — jieba with the domain dictionary; synonym groups
* :mod:`.index`, :mod:`.fts`, :mod:`.search` — the search index and ranked, filtered search
  (SQLite FTS5 or PostgreSQL full-text search)
* :mod:`.matching` — 供需对接: suppliers for a demand, demands for a product, reasons in Chinese
* :mod:`.editions` — catalog editions (优势工业产品目录, 政府首购创新产品目录) and their facts
* :mod:`.export` — 对接清单 and published catalogs as Excel
* :mod:`.synthetic` — products and demands for the synthetic population

Products and demands are imported by the registry importer (``huiqi import products FILE``).
"""
