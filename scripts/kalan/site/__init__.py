"""The thin mkdocs layer: hooks, theme overrides, and site post-processing."""
