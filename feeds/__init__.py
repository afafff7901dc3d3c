"""feeds: turn a folder of Hexo-style articles into Atom and RSS feeds.

The pipeline reads left to right in the module names:
read -> frontmatter/dates/parse -> body -> group -> render -> validate -> publish,
driven by pipeline.py (workers.py: what each of its processes does), with cli.py as the only place that prints or exits.
"""

__version__ = "0.1.0"

STATE_DIR = ".feeds"
"""In every output folder, feeds' own bookkeeping (manifest, cache, lock): never published, never removed,
and the mark by which a scan of the articles knows an output folder inside them."""
