"""Pages of one's own account (password, second factor) and the security administrator's."""
