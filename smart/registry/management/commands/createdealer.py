import json
import secrets

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from smart.registry.models import Dealer, IngestToken, Role, User


class Command(BaseCommand):
    help = "Create a dealer with its legacy upload token and a dealer-admin login."

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True, help="4 Latin letters or digits")
        parser.add_argument("--name", required=True, help="short name (Latin letters, digits, _ -)")
        parser.add_argument("--display-name", default="")
        parser.add_argument("--token", help="keep an existing legacy token (the value in the dealer's scripts)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        dealer = Dealer(code=opts["code"], name=opts["name"], display_name=opts["display_name"] or opts["name"])
        try:
            dealer.clean()
        except ValidationError as exc:
            raise CommandError("; ".join(m for msgs in exc.message_dict.values() for m in msgs)) from None
        if Dealer.objects.filter(code__iexact=dealer.code).exists():
            raise CommandError(f"dealer code {dealer.code!r} is taken")
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            dealer.save()
            _, token = IngestToken.issue(dealer, value=opts["token"], label="legacy dealer token")
            admin = User(username=f"{dealer.code.lower()}-admin", role=Role.DEALER_ADMIN, dealer=dealer)
            admin.set_password(password)
            admin.save()
        result = {"dealer": dealer.header_value, "token": token, "admin_user": admin.username, "admin_password": password}
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(
                f"Dealer {dealer.header_value} created.\n"
                f"  scripts send:   dealer: {dealer.header_value}\n"
                f"  legacy token:   {token}\n"
                f"  admin login:    {admin.username}\n"
                f"  admin password: {password}\n"
            )
