"""Readers of the CSO registry, by topic."""
