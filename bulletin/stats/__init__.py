"""Information-work statistics (信息报送统计): what each unit submitted (报送) and had printed (采用), points and
ranking, from the ledger. Read-only over the ledger; writes only the workbook, the chart and the suggestions."""
