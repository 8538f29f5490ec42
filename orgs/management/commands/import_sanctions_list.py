"""Import a sanctions list file (UN consolidated XML or simple CSV) into one or all tenants."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from orgs.sanctions import guess_format
from orgs.services.screening import sanctions_list_import
from relais.actor import Actor
from relais.errors import Refused, refusal_text
from relais.models import Tenant


class Command(BaseCommand):
    help = "Import a sanctions list (UN Security Council consolidated XML, or CSV: name,aliases,list,reference)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the list file (.xml or .csv).")
        parser.add_argument("--tenant", help="Tenant slug; every active tenant when omitted.")
        parser.add_argument("--format", choices=["un_xml", "csv"], help="Guessed from the extension when omitted.")
        parser.add_argument("--source", choices=["un", "eu", "ofac", "uk", "other"],
                            help="Which list this is (default: un for UN XML, other for CSV).")
        parser.add_argument("--name", help="Name shown to managers (default: the file name).")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        data = path.read_bytes()
        source_format = options["format"] or guess_format(path.name)
        tenants = Tenant.objects.filter(is_active=True)
        if options["tenant"]:
            tenants = tenants.filter(slug=options["tenant"])
            if not tenants.exists():
                raise CommandError(f"No active tenant with slug {options['tenant']!r}.")
        for tenant in tenants:
            try:
                version, created = sanctions_list_import(
                    actor=Actor.system(tenant), data=data, name=options["name"] or path.name,
                    source_format=source_format, source=options["source"],
                )
            except Refused as exc:
                raise CommandError(refusal_text(exc)) from exc
            verb = "imported" if created else "already present"
            self.stdout.write(f"{tenant.slug}: {version.entry_count} entries {verb} (version {version.pk}).")
