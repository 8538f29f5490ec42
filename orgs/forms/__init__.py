"""orgs forms, one module per topic."""
