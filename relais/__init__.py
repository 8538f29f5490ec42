"""Relais shared kernel: money, audit context, permission decisions, safe exports.

Nothing here imports from the domain apps (orgs, grants, training).
"""
