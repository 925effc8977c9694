"""First secretaries. Its models, services and pages arrive with issue 4 (first secretaries
and the support network).
"""
