"""Rectification ledger. Its models, services and pages arrive with issue 3 (ledger, plans,
close-out).
"""
