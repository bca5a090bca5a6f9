"""Logging in and out: tokens for credentials, and the brute-force rule per user and client address."""
