"""Repository tools that are not part of the package: tools/pictures.py draws the docs' pictures."""
