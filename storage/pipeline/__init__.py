"""The pipeline's persistence (DESIGN.md §4): the task queue, the outbox, and the reads and
guarded writes behind `domain.pipeline.ports.PipelineStore`. Reads and writes only.

store.py    SqlPipelineStore: claims, and transactions for the worker and the presses
load.py     reading views a batch at a time          apply.py   writing Effects, guarded
assign.py   accepting an offer atomically, waking     tasks.py   the task queue's rows
            dispatch                                  outbox.py  the sender's outbox
sql.py, bulk.py  shared SQL helpers and many-row statements; direct.py: built-once
            statements run through the driver; cursor.py: SQL and values handed
            to the driver's cursor
"""
