"""The application layer: one function per thing an office does, for every door.

The command line (bulletin/cli.py), the review desk and workbench (bulletin/web/) and the Prefect flows
(flows/) call only this package (and core's types: Workspace, Month, errors). Each function takes a
`Workspace` — which knows its series, so a 督查专报 runs through the same code — and a parsed `Month`.

    fetch.fetch          the submission mailbox -> drafts, receipts
    compile.compile_month  drafts -> the issue, its report, the ledger
    review.review        the issue -> its reviewers (personal desk links)
    decide.decide        a reviewer's decision on the version seen -> ledger, PDF edition, the waiting run
    send.send            the approved bytes -> the lists, once each
    status.status        what a door shows of a month
    stats.stats          the departments' score
    tasks.*              the 督查 round's stages
    setup.create_workspace  a new office

Below this layer the feature packages import only downward (core < intake < layout < delivery < stats <
supervision; tests/core/test_layers.py reads every module's imports and holds them to it). Modules here are
imported one by one (`from bulletin.office.compile import compile_month`) so a command loads what it needs.
"""
