"""The Telegram stand-in's HTML: the Bot API's HTML subset (checked as Telegram checks it) and the page a
person watches during the demo (Russian, English with ?lang=en, refreshes itself every 5 s)."""
import re
from datetime import datetime
from html import escape, unescape

# Telegram's formatting tags (core.telegram.org/bots/api#html-style); anything else is a Bad Request
TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "span", "tg-spoiler",
        "blockquote", "tg-emoji"}
_TOKEN = re.compile(r"<(/?)([a-zA-Z][\w-]*)((?:\s[^<>]*)?)>|&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);|[<>&]")
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def parse(text: str) -> tuple[str, str]:
    """(visible text, safe HTML to display) of a parse_mode=HTML message; ValueError with Telegram's
    wording ("can't parse entities: …") when Telegram would refuse it."""
    visible, shown, stack, pos = [], [], [], 0

    def offset(index: int) -> int:
        return len(text[:index].encode())

    for m in _TOKEN.finditer(text):
        plain = text[pos:m.start()]
        visible.append(plain)
        shown.append(escape(plain, quote=False))
        pos = m.end()
        closing, tag, attrs, entity = m.group(1), m.group(2), m.group(3), m.group(4)
        if tag is not None:
            tag = tag.lower()
            if tag not in TAGS:
                kind = "end" if closing else "start"
                raise ValueError(f'can\'t parse entities: Unsupported {kind} tag "{tag}" at byte offset '
                                 f"{offset(m.start())}")
            if closing:
                if not stack or stack[-1] != tag:
                    expected = f'"</{stack[-1]}>"' if stack else "nothing"
                    raise ValueError(f"can't parse entities: Unmatched end tag at byte offset {offset(m.start())}, "
                                     f'expected {expected}, found "</{tag}>"')
                stack.pop()
                shown.append(f"</{tag}>")
                continue
            stack.append(tag)
            href = _HREF.search(attrs or "")
            link = href and (href.group(1) or href.group(2) or "")
            if tag == "a" and link and unescape(link).startswith(("http://", "https://")):
                shown.append(f'<a href="{escape(unescape(link))}" rel="noopener noreferrer" target="_blank">')
            else:
                shown.append(f"<{tag}>")  # attributes dropped: nothing a page could run
        elif entity is not None:
            char = unescape(m.group(0))
            visible.append(char)
            shown.append(escape(char, quote=False))
        elif m.group(0) == "&":
            raise ValueError(f"can't parse entities: Can't find end of the entity starting at byte offset "
                             f"{offset(m.start())}")
        elif m.group(0) == "<":
            raise ValueError(f'can\'t parse entities: Unsupported start tag "" at byte offset {offset(m.start())}')
        else:  # a bare ">" is accepted by Telegram
            visible.append(">")
            shown.append("&gt;")
    if stack:
        raise ValueError(f'can\'t parse entities: Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    visible.append(text[pos:])
    shown.append(escape(text[pos:], quote=False))
    return "".join(visible), "".join(shown)


def shown_text(message: dict) -> str:
    """A message's text as safe HTML for the page."""
    if message.get("parse_mode") == "HTML":
        try:
            return parse(message["text"])[1]
        except ValueError:
            pass
    return escape(message["text"], quote=False)


WORDS = {
    "ru": {"title": "SMART · Telegram (стенд)", "bot": "Бот", "api": "Адрес Bot API", "faults": "Сбои",
           "none": "нет", "empty": "Сообщений пока нет.", "chat": "Чат", "messages": "сообщений",
           "out": "бот →", "in": "← пользователь", "edited": "изменено", "other": "English",
           "refresh": "Страница обновляется каждые 5 секунд. Новые сообщения сверху.", "lang": "ru",
           "say": "написать боту от имени пользователя, например /start КОД", "send": "Отправить"},
    "en": {"title": "SMART · Telegram (stand-in)", "bot": "Bot", "api": "Bot API base", "faults": "Faults",
           "none": "none", "empty": "No messages yet.", "chat": "Chat", "messages": "messages",
           "out": "bot →", "in": "← user", "edited": "edited", "other": "Русский",
           "refresh": "This page refreshes every 5 seconds. Newest messages first.", "lang": "en",
           "say": "write to the bot as a user, e.g. /start CODE", "send": "Send"},
}
STYLE = ("body{font:15px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:60em;color:#222}"
         "form.press{display:inline}button.btn{cursor:pointer}"
         "section{border:1px solid #ccd;border-radius:8px;margin:1em 0;padding:.5em 1em}"
         ".msg{border-top:1px solid #eee;padding:.5em 0}.in{color:#555;font-style:italic}"
         ".meta{color:#777;font-size:13px}.text{white-space:pre-wrap}"
         ".btn{display:inline-block;border:1px solid #89a;border-radius:5px;padding:1px 8px;margin:3px 3px 0 0;"
         "font-size:13px;background:#eef3fa}")


def _when(unix: float) -> str:
    return datetime.fromtimestamp(unix).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _faults(faults: dict, w: dict) -> str:
    return ", ".join(k if v is True else f"{k}={v:g}" for k, v in faults.items()) or w["none"]


def _button(m: dict, b: dict, w: dict) -> str:
    """A callback button is a form: pressing it on this page is a person pressing it in Telegram."""
    if not b.get("callback_data"):
        return f'<a class="btn" href="{escape(b.get("url") or "")}">{escape(b.get("text", ""))}</a>'
    return (f'<form method="post" action="/press" class="press"><input type="hidden" name="chat_id" '
            f'value="{escape(str(m["chat_id"]))}"><input type="hidden" name="message_id" value="{m["message_id"]}">'
            f'<input type="hidden" name="data" value="{escape(b["callback_data"])}">'
            f'<input type="hidden" name="lang" value="{w["lang"]}">'
            f'<button class="btn" title="{escape(b["callback_data"])}">{escape(b.get("text", ""))}</button></form>')


def _say_form(chat_id, w: dict) -> str:
    """Write to the bot as a person in this chat (e.g. `/start <code>` to bind the chat)."""
    return (f'<form method="post" action="/say" class="say"><input type="hidden" name="chat_id" '
            f'value="{escape(str(chat_id))}"><input type="hidden" name="lang" value="{w["lang"]}">'
            f'<input name="text" size="40" placeholder="{w["say"]}"> <button>{w["send"]}</button></form>')


def _message(m: dict, w: dict) -> str:
    edited = f" · {w['edited']} {_when(m['edited_at'])}" if m.get("edited_at") else ""
    buttons = "".join(_button(m, b, w) for row in (m.get("reply_markup") or {}).get("inline_keyboard", []) for b in row)
    who = w["out"] if m["direction"] == "out" else w["in"]
    return (f'<div class="msg {m["direction"]}"><div class="meta">{_when(m["date"])} · {who} · '
            f'#{m["message_id"]}{edited}</div><div class="text">{shown_text(m)}</div>'
            f"{'<div>' + buttons + '</div>' if buttons else ''}</div>")


def page(state: dict, lang: str = "ru") -> str:
    """The whole page from the stand-in's state: chats with the latest activity first, messages newest first."""
    lang = lang if lang in WORDS else "ru"
    w = WORDS[lang]
    other = "en" if lang == "ru" else "ru"
    chats = sorted(state["chats"], key=lambda c: max((m["date"] for m in c["messages"]), default=0), reverse=True)
    sections = []
    for chat in chats:
        faults = state["chat_faults"].get(str(chat["chat_id"]))
        extra = f" · {w['faults']}: {escape(_faults(faults, w))}" if faults else ""
        items = "".join(_message(m, w) for m in reversed(chat["messages"]))
        sections.append(f"<section><h2>{w['chat']} {escape(str(chat['chat_id']))} <small>({chat['type']}, "
                        f"{len(chat['messages'])} {w['messages']}{extra})</small></h2>{_say_form(chat['chat_id'], w)}{items}</section>")
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta http-equiv="refresh" content="5"><title>{w["title"]}</title><style>{STYLE}</style></head>'
            f'<body><h1>{w["title"]}</h1><p class="meta">{w["bot"]} @{escape(state["bot"]["username"])} · '
            f'{w["api"]} <code>{escape(state["url"])}</code> · {w["faults"]}: '
            f'{escape(_faults(state["faults"], w))} · <a href="?lang={other}">{w["other"]}</a></p>'
            f'<p class="meta">{w["refresh"]}</p>{"".join(sections) or "<p>" + w["empty"] + "</p>"}</body></html>')
