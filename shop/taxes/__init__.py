"""Taxes: the rate of each class of goods in each country."""
