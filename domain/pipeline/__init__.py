"""The order pipeline (DESIGN.md §2, §4, §5): how an order moves after it is placed.

model.py    what a step sees and decides: the read views, `Effects` with the one function
            that moves an order (`Effects.move`), steps, snapshots, the tick report
steps.py    what each queued task does (confirm, dispatch, mark ready), cancel and fail
presses.py  the rules for presses: partners', restaurant managers', cancelling
worker.py   the queue worker's use case: claim, run the steps, retry or dead-letter, settle
actions.py  the presses' use cases: read, ask the rules, write guarded, look again on a race
ports.py    what these need from storage, and what the chat layer calls
"""
