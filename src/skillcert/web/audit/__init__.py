"""The audit administrator's pages: search, verify and export the audit record (三员分立)."""
