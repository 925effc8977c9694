"""Inspections (督查): quarterly rounds, teams, visits, findings and circulars (通报)."""
