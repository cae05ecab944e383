"""The HTTP API (FastAPI) under /api/v1: the contract is ../shared/spec/api.md; docs/service.md."""
