"""Orders: stock taken atomically, the status machine, and the expiry of unpaid orders."""
