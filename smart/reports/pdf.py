"""PDF documents in Russian with fpdf2 and the DejaVu fonts (Debian's fonts-dejavu-core, present on the
machines SMART runs on; SMART_PDF_FONT_DIR points elsewhere)."""
import os
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

FONT_DIRS = [os.environ.get("SMART_PDF_FONT_DIR", ""), "/usr/share/fonts/truetype/dejavu",
             "/usr/share/fonts/dejavu", "/usr/local/share/fonts/dejavu"]


class FontMissing(RuntimeError):
    pass


def _font(name: str) -> str:
    for d in FONT_DIRS:
        if d and (Path(d) / name).exists():
            return str(Path(d) / name)
    raise FontMissing(f"{name} not found in {', '.join(d for d in FONT_DIRS if d)}: install fonts-dejavu-core "
                      "or set SMART_PDF_FONT_DIR")


class Document(FPDF):
    """A4 portrait, DejaVu Sans, a running footer with the title and page number."""

    def __init__(self, title: str, footer: str = ""):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.add_font("DejaVu", "", _font("DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", _font("DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.set_creator("SMART")
        self.footer_text = footer or title
        self.set_auto_page_break(True, margin=16)
        self.set_margins(16, 14, 16)
        self.add_page()
        self.set_font("DejaVu", size=10)

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", size=7)
        self.set_text_color(110)
        self.cell(0, 5, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)

    def h1(self, text: str):
        self.set_font("DejaVu", "B", 16)
        self.multi_cell(0, 8, text, align="L")
        self.ln(2)
        self.set_font("DejaVu", size=10)

    def h2(self, text: str):
        self.ln(3)
        self.set_font("DejaVu", "B", 12)
        self.multi_cell(0, 6, text, align="L")
        self.ln(1)
        self.set_font("DejaVu", size=10)

    def para(self, text: str, size: float = 10):
        self.set_font("DejaVu", size=size)
        self.multi_cell(0, 5, text, align="L")
        self.ln(1.5)

    def bullets(self, items):
        for item in items:
            self.set_x(self.l_margin)
            self.multi_cell(0, 5, f"•  {item}", align="L")
        self.ln(1.5)

    def table(self, header: list[str], rows: list[list], widths: list[float] | None = None, size: float = 8):
        self.set_font("DejaVu", size=size)
        head = FontFace(emphasis="BOLD", fill_color=(230, 233, 238))
        with super().table(col_widths=widths, headings_style=head, line_height=4.2, text_align="LEFT",
                           first_row_as_headings=True) as t:
            t.row([str(h) for h in header])
            for r in rows:
                t.row(["" if v is None else str(v) for v in r])
        self.ln(2)
        self.set_font("DejaVu", size=10)

    def bytes(self) -> bytes:
        return bytes(self.output())
