"""Matching: every enterprise against every rule in force, column-wise, with stacking."""
