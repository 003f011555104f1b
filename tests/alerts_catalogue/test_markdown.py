from smart.alerts.markdown_lite import render


def test_headings_paragraphs_and_lists():
    html = render("# Title\n## Sub\nline one\nline two\n\n- a\n- b\n  continued\n\n1. x\n2. y\n")
    assert html.split("\n") == [
        "<h1>Title</h1>", "<h2>Sub</h2>", "<p>line one line two</p>",
        "<ul><li>a</li><li>b continued</li></ul>", "<ol><li>x</li><li>y</li></ol>",
    ]


def test_html_is_escaped_and_inline_markup_applied():
    html = render("<script>alert(1)</script> **bold** `<code>` [ok](KodeksIcmp)")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<strong>bold</strong>" in html and "<code>&lt;code&gt;</code>" in html
    assert '<a href="KodeksIcmp">ok</a>' in html


def test_unsafe_link_targets_keep_only_the_label():
    html = render('[x](javascript:alert) [y](data:text/html,1) [z](a"onclick=1)')
    assert 'href="javascript' not in html and 'href="data' not in html
    assert html.startswith("<p>x y ")
    assert 'href="a&quot;onclick=1"' in html
