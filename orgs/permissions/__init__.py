"""Who may see and do what in the CSO registry, by topic."""
