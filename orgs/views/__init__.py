"""orgs views, one module per topic; urls.py imports the modules."""
