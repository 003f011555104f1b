"""The small subset of Markdown the runbooks use, rendered to HTML: ATX headings, paragraphs, unordered
and ordered lists, `code`, **bold** and [links](url). Everything is HTML-escaped first; link targets
other than relative paths and http(s) URLs are dropped."""
import re
from html import escape

HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def inline(text: str) -> str:
    """Escape, then apply code, bold and links (code spans are left alone)."""
    out = []
    for i, part in enumerate(re.split(r"(`[^`]*`)", text)):
        if i % 2:
            out.append(f"<code>{escape(part[1:-1])}</code>")
            continue
        part = escape(part, quote=False)
        part = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", part)
        part = LINK.sub(_link, part)
        out.append(part)
    return "".join(out)


def _link(match: re.Match) -> str:
    """A link whose (already escaped) target is relative or http(s); any other scheme keeps only the label."""
    label, target = match.group(1), match.group(2)
    scheme = target.split("/", 1)[0]
    if ":" in scheme and not target.startswith(("http://", "https://")):
        return label
    return f'<a href="{target.replace(chr(34), "&quot;").replace(chr(39), "&#x27;")}">{label}</a>'


def render(markdown: str) -> str:
    html, paragraph, items, list_tag = [], [], [], None

    def flush():
        nonlocal list_tag
        if paragraph:
            html.append(f"<p>{inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            html.append(f"<{list_tag}>" + "".join(f"<li>{inline(i)}</li>" for i in items) + f"</{list_tag}>")
            items.clear()
            list_tag = None

    for line in markdown.splitlines():
        stripped = line.strip()
        heading, bullet, numbered = HEADING.match(stripped), BULLET.match(line), NUMBERED.match(line)
        if not stripped:
            flush()
        elif heading:
            flush()
            level = len(heading.group(1))
            html.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif bullet or numbered:
            tag = "ul" if bullet else "ol"
            if paragraph or (list_tag and list_tag != tag):
                flush()
            list_tag = tag
            items.append((bullet or numbered).group(1))
        elif items and line.startswith((" ", "\t")):
            items[-1] += " " + stripped  # continuation of a list item
        else:
            if items:
                flush()
            paragraph.append(stripped)
    flush()
    return "\n".join(html)
