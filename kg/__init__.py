"""kg: evidence-linked knowledge graphs from English news text.

    text -> spaCy Doc -> triples (with provenance) -> networkx -> Neo4j / pyvis

The Python API mirrors the command line: :func:`kg.extract` turns documents
into :class:`kg.records.Triple` records, :func:`kg.graph.build_graph` turns
triples into a networkx graph.
"""
__version__ = "0.1.0"

from .records import Argument, Document, Predicate, Rejection, Speaker, Triple  # noqa: E402

__all__ = ["Argument", "Document", "Predicate", "Rejection", "Speaker", "Triple", "extract", "__version__"]


def extract(inputs, **options):
    """Extract triples from documents (paths, :class:`Document` objects or strings).

    See :func:`kg.run.driver.extract`.
    """
    from .run.driver import extract as _extract

    return _extract(inputs, **options)
