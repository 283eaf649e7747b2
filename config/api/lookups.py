"""URL lookups every API router shares."""

# Slugs as the models' SlugFields allow them; anything else in the path is a 404 before a
# query is made.
SLUG_PATTERN = "[-a-zA-Z0-9_]+"
