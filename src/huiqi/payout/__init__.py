"""线上兑付: tracked entitlements, applications, review decisions, payouts and their ledger."""
