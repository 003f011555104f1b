"""`smart telegram-bind --dealer CODE [--route ID]`: a one-time code that connects a Telegram chat."""
import json
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from smart.notify.bot import BINDING_TTL, create_binding
from smart.notify.models import Channel, Route
from smart.registry.models import Dealer


class Command(BaseCommand):
    help = ("Create a one-time code that binds a Telegram chat to a dealer's Telegram route: add the bot to "
            "the chat and send it /start <code>.")

    def add_arguments(self, parser):
        parser.add_argument("--dealer", required=True, help="the dealer's 4-character code")
        parser.add_argument("--route", type=int, help="an existing Telegram route to point at the chat "
                                                      "(default: a new route is created on binding)")
        parser.add_argument("--hours", type=float, default=BINDING_TTL.total_seconds() / 3600,
                            help="how long the code stays valid (default 24)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        dealer = Dealer.objects.filter(code__iexact=opts["dealer"]).first()
        if dealer is None:
            raise CommandError(f"no dealer with code {opts['dealer']!r}")
        route = None
        if opts["route"] is not None:
            route = Route.objects.filter(pk=opts["route"], dealer=dealer).first()
            if route is None:
                raise CommandError(f"dealer {dealer} has no route {opts['route']}")
            if route.channel != Channel.TELEGRAM:
                raise CommandError(f"route {route.pk} is a {route.channel} route, not Telegram")
        if opts["hours"] <= 0:
            raise CommandError("--hours must be positive")
        binding = create_binding(dealer, route, timedelta(hours=opts["hours"]))
        if opts["json"]:
            self.stdout.write(json.dumps({"code": binding.code, "dealer": dealer.header_value,
                                          "route": route.pk if route else None,
                                          "expires_at": binding.expires_at.isoformat()}))
            return
        self.stdout.write(f"Code: {binding.code}\n"
                          f"Add the SMART bot to the chat (or open a private chat with it) and send:\n\n"
                          f"    /start {binding.code}\n\n"
                          f"Valid until {binding.expires_at:%Y-%m-%d %H:%M %Z}, once. "
                          + (f"Route {route.pk} ({route.name}) will point at that chat."
                             if route else f"A new Telegram route of {dealer} will be created for that chat."))
