"""kalan — bilingual (French / Bambara) first-responder curriculum and its toolchain.

The library does the real work (manifests, schedule, translation status, site
post-processing); the `kalan` command and the mkdocs hooks are thin callers.
"""

__version__ = "0.1.0"
