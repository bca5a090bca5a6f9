"""Discount codes: what admins offer, percentages, amounts off or free shipping, within limits."""
