"""Excel saves with `;`; both delimiters read the same rows (D §5.3 IM-1)."""
from smart.registry import csvio

COMMA = "srv.example.ru:443,Иванов,a@b.ru,https,download,upload,process,ping,-1,3600,604800\n"


def test_semicolon_file_reads_like_comma_file():
    comma = csvio.parse(COMMA.encode())
    semicolon = csvio.parse(COMMA.replace(",", ";").encode())
    assert semicolon.delimiter == ";"
    assert comma.delimiter == ","
    assert semicolon.rows == comma.rows


def test_semicolon_inside_email_field_of_comma_file_is_not_a_delimiter():
    data = "romashka,m,a@b.ru;c@d.ru,smartupload,download,upload,process,donotping,-1\n".encode()
    parsed = csvio.parse(data)
    assert parsed.delimiter == ","
    assert parsed.rows[0].alert_emails == "a@b.ru;c@d.ru"


def test_semicolon_file_with_comma_in_firm_name_unquoted():
    data = "ООО Ромашка, филиал;login;pw;online.kodeks.ru;docs;https;m;a@b.ru\r\n".encode("cp1251")
    parsed = csvio.parse(data)
    assert parsed.delimiter == ";"
    assert parsed.rows[0].firm == "ООО Ромашка, филиал"


def test_several_emails_quoted_in_semicolon_file():
    data = 'romashka;m;"a@b.ru;c@d.ru";smartupload;download;upload;process;donotping;-1\n'.encode()
    assert csvio.parse(data).rows[0].alert_emails == "a@b.ru;c@d.ru"
