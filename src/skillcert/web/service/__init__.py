"""Government-service pages: the service guides (办事指南), service ratings (好差评) and the
site footer's settings."""
