"""The customers' address books: the addresses each user ships to, one of them their default."""
