"""Reading policy documents into the interchange format (../shared/spec/policy-json.md)."""
