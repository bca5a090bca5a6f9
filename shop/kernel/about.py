"""What this shop is called where it is installed."""

# The name on PyPI (and in importlib.metadata); the package and the command are `shop`.
DISTRIBUTION = "falcon-shop"
