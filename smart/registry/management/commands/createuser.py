import json
import secrets

from django.core.management.base import BaseCommand, CommandError

from smart.registry.models import Dealer, Role, User


class Command(BaseCommand):
    help = "Create a personal login for a dealer's employee (or an operator without --dealer)."

    def add_arguments(self, parser):
        parser.add_argument("--dealer", help="dealer code; omit for an operator")
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", choices=[r.value for r in Role], default=Role.MANAGER)
        parser.add_argument("--email", default="")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--password", help="default: a generated one, printed once")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        dealer = None
        if opts["dealer"]:
            dealer = Dealer.objects.filter(code__iexact=opts["dealer"]).first()
            if dealer is None:
                raise CommandError(f"no dealer with code {opts['dealer']!r}")
        elif opts["role"] != Role.OPERATOR:
            raise CommandError("--dealer is required for every role except operator")
        if User.objects.filter(username__iexact=opts["username"]).exists():
            raise CommandError(f"user {opts['username']!r} exists")
        password = opts["password"] or secrets.token_urlsafe(12)
        user = User(
            username=opts["username"],
            role=opts["role"],
            dealer=dealer,
            email=opts["email"],
            full_name=opts["full_name"],
            is_staff=opts["role"] == Role.OPERATOR,
            is_superuser=opts["role"] == Role.OPERATOR,
        )
        user.set_password(password)
        user.save()
        result = {"username": user.username, "password": password, "role": user.role}
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(f"User {user.username} ({user.role}) created; password: {password}")
