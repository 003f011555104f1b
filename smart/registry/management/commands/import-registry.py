"""`smart import-registry --dealer CODE FILE`: load managers.csv or online.csv (D §5.3), all or nothing."""
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from smart.registry import csvio
from smart.registry.importer import ImportRefused, apply_import, plan_import
from smart.registry.models import Dealer


class Command(BaseCommand):
    help = (
        "Import a registry file (managers.csv or online.csv) for a dealer. Shows rows to add, change and "
        "remove and every error with its line; applies nothing if there is any error."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file (UTF-8 with or without BOM, or CP1251; ',' or ';')")
        parser.add_argument("--dealer", required=True, help="the dealer's 4-character code")
        parser.add_argument("--kind", choices=csvio.KINDS, help="default: decided from the column counts")
        parser.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--allow-remove", action="store_true",
                            help="archive the objects that are no longer in the file")
        parser.add_argument("--create-managers", action="store_true",
                            help="create users for managers that are not registered yet")

    def handle(self, *args, **opts):
        dealer = Dealer.objects.filter(code__iexact=opts["dealer"]).first()
        if dealer is None:
            raise CommandError(_("No dealer with code %(code)r.") % {"code": opts["dealer"]})
        path = Path(opts["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": path, "error": exc.strerror}) from None
        plan = plan_import(dealer, data, kind=opts["kind"], file_name=path.name,
                           create_managers=opts["create_managers"])
        if plan.ok and not opts["dry_run"]:
            try:
                plan = apply_import(plan, allow_remove=opts["allow_remove"])
            except ImportRefused:
                pass  # the registry changed under the plan; the refreshed plan's errors are shown below
        self._report(plan, opts, str(path))
        if plan.errors:
            raise CommandError(
                _("%(count)d error(s) in %(file)s; nothing was applied.") % {"count": len(plan.errors), "file": path},
                returncode=1,
            )

    def _report(self, plan, opts, file_name):
        if opts["json"]:
            result = plan.as_dict(allow_remove=opts["allow_remove"])
            result["file"] = file_name
            result["dry_run"] = opts["dry_run"]
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(self._summary(plan, opts))
        for item in plan.added:
            self.stdout.write(f"+ {_line(item.line)}{item.name}")
        for item in plan.changed:
            details = "; ".join(change.as_text() for change in item.changes)
            self.stdout.write(f"~ {_line(item.line)}{item.name} ({details})")
        for item in plan.removed:
            if plan.removals_applied:
                note = _("archived")
            elif opts["allow_remove"]:
                note = _("will be archived")
            else:
                note = _("needs --allow-remove")
            self.stdout.write(f"- {item.name} ({note})")
        for manager in plan.new_managers:
            self.stdout.write(f"+ {_line(manager['line'])}" + _("new manager %(name)s <%(email)s>") % manager)
        for error in plan.errors:
            where = _("line %(line)d") % {"line": error.line} if error.line else _("file")
            self.stdout.write(f"{where}: {error.reason} [{error.code}]")

    def _summary(self, plan, opts) -> str:
        values = {
            "file": plan.file_name, "kind": plan.kind or "?", "dealer": plan.dealer.header_value,
            "encoding": plan.encoding or "?", "delimiter": plan.delimiter or "?", "added": len(plan.added),
            "changed": len(plan.changed), "removed": len(plan.removed), "unchanged": plan.unchanged,
            "errors": len(plan.errors),
        }
        head = _("%(file)s: %(kind)s for dealer %(dealer)s (%(encoding)s, '%(delimiter)s'): ") % values
        if plan.applied:
            archived = len(plan.removed) if plan.removals_applied else 0
            return head + _(
                "applied: %(added)d added, %(changed)d changed, %(archived)d archived, %(unchanged)d unchanged."
            ) % {**values, "archived": archived} + self._removal_note(plan, opts)
        counts = _(
            "%(added)d to add, %(changed)d to change, %(removed)d to remove, %(unchanged)d unchanged, "
            "%(errors)d error(s); "
        ) % values
        state = _("nothing applied.") if plan.errors else _("dry run, nothing applied.")
        return head + counts + state + self._removal_note(plan, opts)

    @staticmethod
    def _removal_note(plan, opts) -> str:
        if plan.removed and not plan.removals_applied and not opts["allow_remove"]:
            return " " + _("Removing needs --allow-remove.")
        return ""


def _line(line) -> str:
    return f"line {line}: " if line else ""
