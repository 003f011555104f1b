"""Damaged zip data (bad CRC, undecodable deflate stream) is `zip_corrupt`."""
import zipfile

from .samples import failure, report_xml, zip_of


def test_flipped_byte_in_stored_data_fails_the_crc():
    data = bytearray(zip_of({"sysinfo.xml": report_xml()}, zipfile.ZIP_STORED))
    at = data.index(b"<users>") + 2
    data[at] ^= 0x01
    assert failure(bytes(data)).status == "zip_corrupt"


def test_garbage_in_deflated_data():
    data = bytearray(zip_of({"sysinfo.xml": report_xml()}))
    start = data.index(b"sysinfo.xml") + len("sysinfo.xml")
    for i in range(start + 200, start + 260):
        data[i] = 0xFF
    assert failure(bytes(data)).status in ("zip_corrupt", "truncated")
    assert failure(bytes(data)).status == "zip_corrupt"


def test_local_header_name_differs_from_directory():
    data = bytearray(zip_of({"sysinfo.xml": report_xml()}))
    data[30:41] = b"otherinfo.x"  # the local header's copy of the name
    assert failure(bytes(data)).status == "zip_corrupt"
