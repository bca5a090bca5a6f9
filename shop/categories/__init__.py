"""Categories: the catalogue's tree, and which products are in which category."""
