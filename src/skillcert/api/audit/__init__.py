"""v1 endpoints of the audit record for the audit administrator (三员分立)."""
