"""Products: the catalogue, its prices and its stock."""
