"""The ledger (台账): screening, cases, one-village-one-policy plans, acceptance, close-out."""
