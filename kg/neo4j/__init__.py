"""Neo4j: the only package that imports the ``neo4j`` driver, and only in :mod:`kg.neo4j.store`.

- :mod:`kg.neo4j.config`   connection settings (flags, ``NEO4J_*`` variables); no driver import
- :mod:`kg.neo4j.store`    connection and error translation, rows, the batched load with retries
  and ``LoadMemory``, queries, and reading a subgraph back
- :mod:`kg.neo4j.bulk_csv` CSV files for ``neo4j-admin database import`` (the bulk path)

Importing this package imports no driver: ``kg --help`` stays fast.
"""
