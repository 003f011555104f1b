"""Stray spaces, blank lines and Excel's padded rows (E15); line numbers stay those of the file."""
from smart.registry import csvio


def test_spaces_around_fields_are_trimmed():
    data = " srv.example.ru:443 , Иванов ,  a@b.ru , https ,download, upload,process ,ping , -1 , 3600 ,604800 \n"
    row = csvio.parse(data.encode()).rows[0]
    assert (row.name, row.manager, row.alert_emails, row.scheme) == ("srv.example.ru:443", "Иванов", "a@b.ru", "https")
    assert (row.time_zone, row.expected_interval_s, row.asrp_period_s) == ("Europe/Moscow", 3600, 604800)


def test_blank_lines_are_skipped_and_line_numbers_kept():
    data = ("\r\n   \r\n"
            "a,login,pw,online.kodeks.ru,docs,https,m,a@b.ru\r\n"
            ",,,,,,,\r\n\r\n"
            "b,login2,pw,online.kodeks.ru,docs,https,m,a@b.ru\r\n")
    parsed = csvio.parse(data.encode())
    assert [r.line for r in parsed.rows] == [3, 6]
    assert parsed.errors == []


def test_excel_padding_of_old_rows_is_ignored():
    data = ("srv.example.ru:443;m;a@b.ru;https;download;upload;process;ping;-1;3600;604800\r\n"
            "romashka;m;a@b.ru;smartupload;download;upload;process;donotping;-1;;\r\n")
    rows = csvio.parse(data.encode()).rows
    assert [r.columns for r in rows] == [11, 9]
