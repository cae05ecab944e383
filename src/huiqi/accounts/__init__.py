"""账号与权限: users and roles, password hashing, expiring tokens, sign-in throttling, scopes."""
