"""XML forms real eXo files use, which the Java kernel's parser (a namespace-aware JAXP DOM, then JiBX) accepts:
encodings other than UTF-8 (declared, or told by a byte order mark), character and predefined entity references,
CDATA sections, comments and processing instructions between the pieces of a value, a prefixed kernel namespace and
attributes of other namespaces. None of them is an error here; each gives the value Java reads."""
from __future__ import annotations

import codecs

import pytest

from exo_container.errors import ConfigurationError
from exo_container.properties import PropertyStore
from exo_container.xml.namespaces import KERNEL_1_2, KERNEL_1_3
from exo_container.xml.parser import parse_configuration


def document(value: str, declaration: str = '<?xml version="1.0" encoding="UTF-8"?>\n') -> str:
    return (f'{declaration}<configuration xmlns="{KERNEL_1_3}"><component><type>a.B</type><init-params>'
            f'<value-param><name>p</name><value>{value}</value></value-param></init-params></component>'
            '</configuration>\n')


def value_of(data: bytes) -> str:
    config = parse_configuration(data, url="test.xml", properties=PropertyStore(), run_code=False)
    return config.components["a.B"].init_params.get_value_param("p").value


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "windows-1252", "UTF-16", "UTF-8", "US-ASCII"])
def test_a_declared_encoding_is_read_as_declared(encoding):
    text = "caf\u00e9" if encoding != "US-ASCII" else "cafe"
    data = document(text, f'<?xml version="1.0" encoding="{encoding}"?>\n').encode(encoding)
    assert value_of(data) == text


def test_a_utf8_byte_order_mark_before_the_declaration_is_read_over():
    assert value_of(codecs.BOM_UTF8 + document("caf\u00e9").encode("utf-8")) == "caf\u00e9"


def test_a_utf16_document_with_its_byte_order_mark_and_no_declaration():
    assert value_of(codecs.BOM_UTF16_LE + document("caf\u00e9", "").encode("utf-16-le")) == "caf\u00e9"


def test_the_euro_sign_of_windows_1252_is_not_iso_8859_1s_control_character():
    data = document("\u20ac", '<?xml version="1.0" encoding="windows-1252"?>\n').encode("cp1252")
    assert value_of(data) == "\u20ac"


def test_predefined_and_character_entities_are_replaced():
    assert value_of(document("a&amp;b &lt;c&gt; &quot;&apos; &#233;&#x41;").encode()) == "a&b <c> \"' \u00e9A"


def test_a_cdata_section_is_text():
    assert value_of(document("<![CDATA[<not-an-element/> & ${x:y}]]>").encode()) == "<not-an-element/> & y"


def test_comments_and_processing_instructions_inside_a_value_are_left_out_of_it():
    assert value_of(document("a<!-- comment -->b<?pi data?>c<![CDATA[d]]>").encode()) == "abcd"


def test_a_doctype_without_entity_declarations_is_accepted():
    text = document("v").replace("<configuration", "<!DOCTYPE configuration>\n<configuration", 1)
    assert value_of(text.encode()) == "v"


def test_a_prefixed_kernel_namespace_and_foreign_attributes_are_read_as_the_kernel_reads_them():
    data = (f'<k:configuration xmlns:k="{KERNEL_1_2}" xmlns:x="urn:other" x:note="ignored">'
            '<k:component x:id="1"><k:key>K</k:key><k:type>a.B</k:type></k:component></k:configuration>').encode()
    config = parse_configuration(data, url="test.xml", properties=PropertyStore(), run_code=False)
    assert [(c.key, c.type) for c in config.components.values()] == [("K", "a.B")]


def test_a_latin_1_byte_in_a_document_declared_utf8_is_malformed_xml_as_in_java():
    # Java: MalformedByteSequenceException "Invalid byte 1 of 1-byte UTF-8 sequence": the file is dropped
    data = document("caf\u00e9").encode("latin-1")
    with pytest.raises(ConfigurationError) as raised:
        value_of(data)
    assert str(raised.value).startswith("test.xml:2: malformed XML: Invalid bytes in character encoding")
