"""Neo4j: the only package that imports the ``neo4j`` driver (in :mod:`kg.neo4j.store` and :mod:`kg.neo4j.change`).

- :mod:`kg.neo4j.config`   connection settings (flags, ``NEO4J_*`` variables); no driver import
- :mod:`kg.neo4j.store`    connection and error translation, rows, the batched load with retries,
  queries, and reading a subgraph back
- :mod:`kg.neo4j.memory`   ``LoadMemory``: what one load wrote itself, in a temporary SQLite file
- :mod:`kg.neo4j.change`   forget documents; the digests that make a load skip an unchanged
  document and replace an edited one
- :mod:`kg.neo4j.bulk_csv` CSV files for ``neo4j-admin database import`` (the bulk path)

Importing this package imports no driver: ``kg --help`` stays fast.
"""
