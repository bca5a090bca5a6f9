"""Shipping: the zones the shop ships to (sets of countries) and the rates of each."""
