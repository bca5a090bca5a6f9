"""Webhooks: receivers of the shop's events, and their signed, retried deliveries."""
