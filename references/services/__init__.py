"""Writes on references: upsert from parsed records, import jobs, refreshes."""
