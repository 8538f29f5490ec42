"""The ledger is append-only in the database: UPDATE and DELETE of a ledger entry are refused by
triggers, so no code path, admin action or stray script can rewrite it. PostgreSQL refuses both;
SQLite (the laptop default) refuses UPDATE only, because Django's test flush empties tables with
DELETE there (PostgreSQL's TRUNCATE fires no row trigger); the model refuses delete() everywhere."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION grants_ledgerentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'grants_ledgerentry is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER grants_ledgerentry_no_update BEFORE UPDATE ON grants_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION grants_ledgerentry_append_only();
CREATE TRIGGER grants_ledgerentry_no_delete BEFORE DELETE ON grants_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION grants_ledgerentry_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS grants_ledgerentry_no_update ON grants_ledgerentry;
DROP TRIGGER IF EXISTS grants_ledgerentry_no_delete ON grants_ledgerentry;
DROP FUNCTION IF EXISTS grants_ledgerentry_append_only();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER grants_ledgerentry_no_update BEFORE UPDATE ON grants_ledgerentry
       BEGIN SELECT RAISE(ABORT, 'grants_ledgerentry is append-only: UPDATE refused'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS grants_ledgerentry_no_update;",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)  # no client-side %-interpolation: RAISE uses %
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("grants", "0008_awards")]
    operations = [migrations.RunPython(forward, backward)]
