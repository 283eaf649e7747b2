"""Data safety: locked fields, protected deletes, transactions, backup and restore."""
