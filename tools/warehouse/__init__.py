"""Warehouse access: connections (read-only by default) and query execution."""
