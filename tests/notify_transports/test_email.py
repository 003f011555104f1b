"""E-mail over real SMTP to the sink: content, encoding, and how SMTP answers become typed errors."""
import mailbox

import pytest

from smart.notify.transports import PermanentError, TransientError
from smart.notify.transports.email import send_email

SUBJECT = "[FIRING:2] KodeksXmlSensLockStatus — ключ SenseLock не работает"


def test_delivered_with_headers_and_both_parts(sink):
    result = send_email(["manager@dealer.ru", "Иван Петров <ivan@dealer.ru>"], "[FIRING:1] KodeksBehindProxyDown",
                        "ЗАВОД-ЗВЕЗДА – прокси недоступен", html="<p><b>ЗАВОД-ЗВЕЗДА</b> – прокси недоступен</p>",
                        headers={"X-Smart-Alert": "KodeksBehindProxyDown", "X-Smart-Priority": "P1"},
                        port=sink.port)
    assert result.accepted == ["manager@dealer.ru", "ivan@dealer.ru"] and result.refused == {}
    [mail] = sink.messages()
    assert mail.envelope_from == "alert@smart.local"
    assert mail.envelope_to == ["manager@dealer.ru", "ivan@dealer.ru"]
    assert mail.from_ == "SMART <alert@smart.local>"
    assert "Иван Петров <ivan@dealer.ru>" in mail.to
    assert mail.headers["X-Smart-Alert"] == "KodeksBehindProxyDown"
    assert mail.headers["X-Smart-Priority"] == "P1"
    assert mail.headers["Message-ID"] == result.message_id
    assert mail.message.get_content_type() == "multipart/alternative"
    assert mail.text.strip() == "ЗАВОД-ЗВЕЗДА – прокси недоступен"
    assert "<b>ЗАВОД-ЗВЕЗДА</b>" in mail.html


def test_cyrillic_subject_is_encoded_on_the_wire_and_decodes_back(sink):
    send_email(["a@dealer.ru"], SUBJECT, "текст", port=sink.port)
    [mail] = sink.messages()
    head = mail.raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii()  # RFC 2047 words, no raw 8-bit header bytes
    assert b"=?utf-8?" in head.lower()
    assert mail.subject == SUBJECT
    assert mail.text.strip() == "текст"


def test_line_breaks_in_a_subject_cannot_add_headers(sink):
    send_email(["a@dealer.ru"], "Alert\r\nBcc: evil@example.com", "x", port=sink.port)
    [mail] = sink.messages()
    assert mail.subject == "Alert Bcc: evil@example.com"
    assert "Bcc" not in mail.headers
    with pytest.raises(ValueError):
        send_email(["a@dealer.ru"], "s", "x", headers={"X-Note": "a\r\nBcc: evil@example.com"}, port=sink.port)


def test_settings_drive_the_connection_and_sender(sink, settings):
    settings.SMART_SMTP_HOST, settings.SMART_SMTP_PORT = "127.0.0.1", sink.port
    settings.SMART_MAIL_FROM = "SMART Дилер <alert@smart.uniclass.ru>"
    send_email(["a@dealer.ru"], "s", "x")
    [mail] = sink.messages()
    assert mail.envelope_from == "alert@smart.uniclass.ru"
    assert mail.from_ == "SMART Дилер <alert@smart.uniclass.ru>"


def test_every_message_lands_in_the_maildir(sink, tmp_path):
    send_email(["a@dealer.ru"], SUBJECT, "x", port=sink.port)
    box = mailbox.Maildir(str(tmp_path / "mail"), create=False)
    assert len(box) == 1
    assert next(iter(box.values()))["Message-ID"] == sink.messages()[0].headers["Message-ID"]


def test_451_is_transient(sink):
    sink.set_fault("refuse_all")
    with pytest.raises(TransientError) as caught:
        send_email(["a@dealer.ru"], "s", "x", port=sink.port)
    assert caught.value.code == 451
    assert sink.messages() == []


def test_550_for_every_recipient_is_permanent(sink):
    sink.set_fault("reject_recipient", ["gone@dealer.ru", "left@dealer.ru"])
    with pytest.raises(PermanentError) as caught:
        send_email(["gone@dealer.ru", "left@dealer.ru"], "s", "x", port=sink.port)
    assert caught.value.code == 550
    assert "gone@dealer.ru" in caught.value.reason and "mailbox refused" in caught.value.reason


def test_partial_refusal_is_reported_and_the_rest_delivered(sink):
    sink.set_fault("reject_recipient", "gone@dealer.ru")
    result = send_email(["ok@dealer.ru", "gone@dealer.ru"], "s", "x", port=sink.port)
    assert result.accepted == ["ok@dealer.ru"]
    assert result.refused["gone@dealer.ru"][0] == 550
    assert sink.messages()[0].envelope_to == ["ok@dealer.ru"]


def test_sink_down_is_transient_and_delivery_resumes_on_the_same_port(sink):
    port = sink.port
    sink.set_fault("down")
    with pytest.raises(TransientError, match="refused"):
        send_email(["a@dealer.ru"], "s", "x", port=port, timeout=3)
    sink.set_fault("down", False)
    assert sink.port == port
    send_email(["a@dealer.ru"], "s", "x", port=port)
    assert len(sink.messages()) == 1


def test_a_given_message_id_is_kept_and_the_sink_counts_repeats(sink):
    from smart.notify.transports.email import make_message_id

    mid = make_message_id("smart.n7.1700000000")
    assert mid == "<smart.n7.1700000000@smart.local>"
    assert send_email(["a@dealer.ru"], "s", "x", port=sink.port, message_id=mid).message_id == mid
    send_email(["a@dealer.ru"], "s", "x", port=sink.port, message_id=mid)
    send_email(["a@dealer.ru"], "s", "other", port=sink.port)
    assert len(sink.messages()) == 3 and len(sink.unique_messages()) == 2
    assert sink.duplicates() == {mid: 2}
    with pytest.raises(ValueError):
        make_message_id("a>b")


def test_a_reply_lost_after_data_leaves_the_outcome_unknown(sink):
    sink.set_fault("lose_reply")
    with pytest.raises(TransientError) as caught:
        send_email(["a@dealer.ru"], "s", "x", port=sink.port)
    assert caught.value.outcome_unknown
    assert len(sink.messages()) == 1  # it did arrive


@pytest.mark.parametrize("fault", ["disconnect", "refuse_all", "down"])
def test_failures_before_data_are_known_not_sent(sink, fault):
    sink.set_fault(fault)
    with pytest.raises(TransientError) as caught:
        send_email(["a@dealer.ru"], "s", "x", port=sink.port, timeout=3)
    assert not caught.value.outcome_unknown
    assert sink.messages() == []
