"""Printable documents (WeasyPrint): handouts, facilitator guides, manuals, fiches.

`documents` says which PDFs exist; `assemble` turns one into a self-contained
HTML string from the Markdown sources and the manifests; `render` prints them
in parallel processes with a content-hash cache.
"""
