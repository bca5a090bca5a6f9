"""Users: accounts, their roles, and their sessions."""
