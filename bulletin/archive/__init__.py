"""The archive of approved issues (issue 27): what was printed, kept for the years after.

    store.py       the archive's tables in the office ledger (.bulletin/ledger.sqlite3): issues, articles,
                   a trigram full-text index, each article's MinHash signature
    reader.py      an approved .docx read back into its articles (title, text), units and columns from the ledger
    similar.py     near-duplicates: Jaccard over character 3-grams, estimated by MinHash, confirmed exactly
    search.py      `bulletin search`: FTS5 trigram for words of three characters or more, a scan for shorter ones
    compendium.py  the year's 汇编 (.docx): cover, contents by issue, every approved issue's articles, indexes

Why one archive in the office ledger and not one per series' ledger: a search, a compendium's unit index and the
near-duplicate check all look across publications (a township copying a department's text does not care which
series printed it first). The rows carry their series ("" for the monthly bulletin).
"""
