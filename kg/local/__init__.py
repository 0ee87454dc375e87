"""The local build store: one SQLite file (``kg-out/kg.sqlite``) that a build changes document by document.

A build keeps, keyed by document, everything it derives from the documents: the ledger and the
raw triple records (:mod:`kg.local.ledger`), the cross-document link state and each document's
resolved triples (:mod:`kg.local.linker`), and the graph's nodes and edges (:mod:`kg.local.graph_rows`).
Adding, replacing or forgetting a document changes the rows of that document and of the documents
and graph elements the change reaches, in one transaction, so its cost follows the change, not the
size of the build; and the store then holds exactly what a clean build of its documents holds.
"""
