"""审计日志: an append-only log of every change, each entry chained to the previous by SHA-256."""
