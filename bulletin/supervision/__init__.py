"""督查专报: the supervision round on the year's key tasks (task sheet, split, merge, report), published as its
own numbered series."""
