"""Binding a chat with `/start <code>` (codes from `smart telegram-bind`), and the poller's offset."""
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from smart.notify.bot import BotPoller, create_binding
from smart.notify.models import BotState, Channel, Route, TelegramBinding

pytestmark = pytest.mark.django_db
GROUP = -100555


def replies(telegram, chat) -> list[str]:
    return [m["text"] for m in telegram.messages(chat)]


def test_a_valid_code_creates_a_route_for_the_chat(dealer, telegram, poller):
    binding = create_binding(dealer)
    telegram.user_says(GROUP, f"/start {binding.code}")
    assert poller.run_once() == 1
    binding.refresh_from_db()
    assert binding.chat_id == str(GROUP) and binding.chat_title == f"SMART {GROUP}" and binding.bound_at
    route = binding.route
    assert (route.dealer, route.channel, route.target, route.max_priority) == (dealer, Channel.TELEGRAM, str(GROUP), "P2")
    [reply] = replies(telegram, GROUP)
    assert reply.startswith("Чат подключён к SMART") and "Кодекс-Юг" in reply


def test_a_code_for_an_existing_route_points_it_at_the_chat(dealer, telegram, poller):
    route = Route.objects.create(dealer=dealer, name="duty", channel=Channel.TELEGRAM, target="", language="en")
    binding = create_binding(dealer, route)
    telegram.user_says(GROUP, f"/start@smart_alert_bot {binding.code.lower()}")
    poller.run_once()
    route.refresh_from_db()
    assert route.target == str(GROUP) and Route.objects.count() == 1
    assert replies(telegram, GROUP) == ["This chat is now connected to SMART: alerts of Кодекс-Юг (route “duty”) "
                                        "will come here."]


def test_a_code_works_once(dealer, telegram, poller):
    binding = create_binding(dealer)
    telegram.user_says(GROUP, f"/start {binding.code}")
    telegram.user_says(GROUP, f"/start {binding.code}")  # the same chat again: still fine
    telegram.user_says(42, f"/start {binding.code}")  # another chat: refused
    poller.run_once()
    assert TelegramBinding.objects.get().chat_id == str(GROUP) and Route.objects.count() == 1
    assert replies(telegram, GROUP)[1].startswith("Этот чат уже подключён")
    assert replies(telegram, 42) == ["Этот код уже использован в другом чате. Попросите у администратора SMART новый код."]


def test_unknown_and_expired_codes_are_explained(dealer, telegram, poller):
    expired = create_binding(dealer, now=timezone.now() - timedelta(days=2))
    telegram.user_says(42, "/start NOSUCHCODE")
    telegram.user_says(43, f"/start {expired.code}")
    telegram.user_says(44, "/start")
    telegram.user_says(45, "/start NOSUCHCODE", language="en")
    poller.run_once()
    assert replies(telegram, 42) == ["Неизвестный код. Проверьте его или попросите у администратора SMART новый код."]
    assert replies(telegram, 43) == ["Срок действия кода истёк. Попросите у администратора SMART новый код."]
    assert replies(telegram, 44)[0].startswith("Чтобы подключить этот чат к SMART, отправьте /start")
    assert replies(telegram, 45) == ["Unknown code. Check it, or ask your SMART administrator for a new code."]
    expired.refresh_from_db()
    assert expired.bound_at is None and not Route.objects.exists()


def test_other_messages_are_ignored(dealer, telegram, poller):
    telegram.user_says(GROUP, "hello bot")
    telegram.user_says(GROUP, "/help")
    assert poller.run_once() == 2
    assert replies(telegram, GROUP) == []


def test_a_restarted_poller_does_not_handle_old_updates_again(dealer, telegram, poller):
    binding = create_binding(dealer)
    telegram.user_says(GROUP, f"/start {binding.code}")
    assert poller.run_once() == 1
    offset = BotState.objects.get(name=poller.state_name).value["offset"]
    restarted = BotPoller(poll_timeout=0)  # a new process: nothing but the database remembers
    try:
        assert restarted.offset() == offset
        assert restarted.run_once() == 0
        telegram.user_says(42, "/start NOSUCHCODE")
        assert restarted.run_once() == 1
    finally:
        restarted.client.close()
    assert len(replies(telegram, GROUP)) == 1 and len(replies(telegram, 42)) == 1
    assert BotState.objects.get(name=poller.state_name).value["offset"] == offset + 1


def test_the_command_prints_the_code_and_the_instruction(dealer):
    out = StringIO()
    call_command("telegram-bind", "--dealer", "0042", stdout=out)
    binding = TelegramBinding.objects.get()
    text = out.getvalue()
    assert f"/start {binding.code}" in text and binding.route is None
    assert timedelta(hours=23) < binding.expires_at - timezone.now() <= timedelta(hours=24)
    assert len(binding.code) == 10 and binding.code.isalnum() and binding.code.isupper()


def test_the_command_checks_dealer_and_route(dealer):
    mail = Route.objects.create(dealer=dealer, name="mail", channel=Channel.EMAIL, target="a@b.ru")
    chat = Route.objects.create(dealer=dealer, name="chat", channel=Channel.TELEGRAM, target="")
    with pytest.raises(CommandError, match="no dealer"):
        call_command("telegram-bind", "--dealer", "XXXX", stdout=StringIO())
    with pytest.raises(CommandError, match="not Telegram"):
        call_command("telegram-bind", "--dealer", "0042", "--route", str(mail.pk), stdout=StringIO())
    with pytest.raises(CommandError, match="no route"):
        call_command("telegram-bind", "--dealer", "0042", "--route", "999", stdout=StringIO())
    out = StringIO()
    call_command("telegram-bind", "--dealer", "0042", "--route", str(chat.pk), "--hours", "2", "--json", stdout=out)
    binding = TelegramBinding.objects.get()
    assert binding.route == chat and binding.code in out.getvalue()
    assert binding.expires_at - timezone.now() <= timedelta(hours=2)


@pytest.mark.django_db(transaction=True)
def test_the_poller_thread_answers_while_it_runs(dealer, telegram):
    import time

    binding = create_binding(dealer)
    bot = BotPoller(poll_timeout=1)
    bot.start()
    try:
        telegram.user_says(GROUP, f"/start {binding.code}")
        deadline = time.monotonic() + 10
        while not replies(telegram, GROUP) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        bot.stop.set()
        bot.join(5)
    assert not bot.is_alive()
    assert replies(telegram, GROUP)[0].startswith("Чат подключён к SMART")
    assert TelegramBinding.objects.get().bound_at is not None
