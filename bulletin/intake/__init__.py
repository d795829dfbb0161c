"""Sources -> Draft: screening, cleaning and reading submitted drafts, the roster, the notice sheet."""
