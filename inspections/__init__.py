"""Inspections. Its models, services and pages arrive with issue 6 (inspection rounds,
findings, circulars).
"""
