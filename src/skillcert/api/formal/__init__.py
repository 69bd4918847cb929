"""v1 endpoints of formal documents (文书): an object's documents, their PDF, the public check."""
