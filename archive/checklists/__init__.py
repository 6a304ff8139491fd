"""Shipped checklist data files (TOML), copied into each new archive home."""
