"""First secretaries (第一书记) and the support network of each case (五个一, 包保, 结对)."""
