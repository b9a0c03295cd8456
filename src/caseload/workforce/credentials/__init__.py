"""Credential rule files: one JSON file per credential (docs/credentials.md)."""
