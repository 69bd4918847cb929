"""Private keys held in the database, encrypted under a master key kept outside it."""
