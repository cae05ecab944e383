"""检索: full-text search over any text, with jieba tokens.

* :mod:`huiqi.search.tokens` — Chinese text into tokens (indexed text in search mode, queries in
  precise mode), domain words added by the caller;
* :mod:`huiqi.search.index` — collections of items made of parts: index, find stale items,
  search (SQLite FTS5, PostgreSQL full-text search, a substring scan as the fallback);
* :mod:`huiqi.search.highlight` — where a query matched, as segments for a template;
* :mod:`huiqi.search.policy` — the policy library (政策库) as the collection ``policy``.

Another collection (a product catalogue, buyers' demands) indexes its items with
:func:`huiqi.search.index.replace` under its own collection name and searches them with
:func:`huiqi.search.index.search_items`; nothing here knows what the items are.
"""
