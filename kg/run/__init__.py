"""Running extraction: the driver (:func:`kg.run.driver.run`), where it runs (:mod:`kg.run.local`,
:mod:`kg.run.dask`) and where results go (:mod:`kg.run.sink`, :mod:`kg.run.shards`).

    items -> once_each (one document per id) -> sink.pending -> engine -> sink.record -> results
"""
