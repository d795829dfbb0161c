"""Settings, the workspace and its ledger, errors, atomic files: what every stage stands on."""
