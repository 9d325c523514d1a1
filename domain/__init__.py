"""Foodbot's business rules: pure Python, no I/O, time passed in."""
