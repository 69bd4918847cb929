"""Pages of formal documents: the public verification page the QR code opens and the
authorities' seals (upload by the authority, confirmation by the province department)."""
