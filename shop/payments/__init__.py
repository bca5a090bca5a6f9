"""Payments: the ledger of money in and out of orders, and its providers."""
