"""§2 of the kernel spec: the acceptance table of ``resolve_variables``, verbatim."""
import pytest

from exo_container.variables import EmptyPropertyName, java_trim, resolve_string, resolve_variables

PROPERTIES = {"a": "A", "b": "B", "empty": "", "sp": "  spaced  ", "a,b": "COMMA"}


def lookup(key):
    return PROPERTIES.get(key)


TABLE = [
    ("${a}", "A"),
    ("x${a}y", "xAy"),
    ("${a}${b}", "AB"),
    ("${undefined}", "${undefined}"),
    ("x${undefined}y", "x${undefined}y"),
    ("${a}-${undefined}", "A-"),
    ("${undefined}-${a}", "-A"),
    ("${undefined:def}", "def"),
    ("${undefined:}", ""),
    ("${a:def}", "A"),
    ("${empty:def}", ""),
    ("${empty}", ""),
    ("${undefined:a:b}", "a:b"),
    ("${undefined:http://x:8080}", "http://x:8080"),
    ("${undefined:-1}", "-1"),
    ("${undefined:property \\{0\\} value \\{1\\}}", "property {0} value {1}"),
    ("${undefined:a\\}b}", "a}b"),
    ("${a,b}", "COMMA"),
    ("${a,b:def}", "COMMA"),
    ("${c,d:def}", "def"),
    ("${}", "${}"),
    ("$", "$"),
    ("$$", "$$"),
    ("$${a}", "$A"),
    ("$a", "$a"),
    ("$\\{a}", "$\\{a}"),
    ("${a", "${a"),
    ("${a}${b", "A${b"),
    ("${a}}", "A}"),
    ("}${a}", "}A"),
    ("\\${a}", "\\A"),
    ("\\${undefined}", "\\${undefined}"),
    ("${a${b}}", "${a${b}}"),
    ("${sp}", "  spaced  "),
    (" ${a} ", " A "),
    ("${undefined:  d  }", "  d  "),
    ("", ""),
    ("no reference at all", "no reference at all"),
]


@pytest.mark.parametrize(("text", "expected"), TABLE, ids=[t for t, _ in TABLE])
def test_resolve_variables_matches_the_kernel_table(text, expected):
    assert resolve_variables(text, lookup) == expected


@pytest.mark.parametrize(("text", "expected"), [("${sp}", "spaced"), (" ${a} ", "A"), ("${undefined:  d  }", "d")])
def test_resolve_string_trims_after_substitution(text, expected):
    assert resolve_string(text, lookup) == expected


def test_values_are_not_resolved_again():
    assert resolve_variables("${x}", {"x": "${y}", "y": "Y"}.get) == "${y}"


def test_unresolved_reference_vanishes_when_another_resolves():
    assert resolve_variables("${nope}/${a}/${nope2}", lookup) == "/A/"


def test_java_trim_keeps_unicode_spaces_that_java_keeps():
    assert java_trim("\u00a0x\t\n ") == "\u00a0x"


# --- backslashes before "}" and empty keys, as the compiled Java kernel does --------------

@pytest.mark.parametrize(("text", "expected"), [
    ("${u:a\\\\}", "a\\\\"),          # Java: an even run of backslashes before } ends the reference
    ("${u:a\\\\\\}b}", "a\\\\}b"),    # an odd run escapes the }: the reference goes on to the next one
    ("${a}\\\\}", "A\\\\}"),          # outside a reference, backslashes and } are plain text
])
def test_a_run_of_backslashes_before_a_closing_brace_escapes_it_only_when_odd(text, expected):
    assert resolve_variables(text, lookup) == expected


@pytest.mark.parametrize("text", ["${:x}", "${:}", "a ${:x} b", "${a}${:x}"])
def test_an_empty_key_is_an_error_as_in_java(text):
    with pytest.raises(EmptyPropertyName, match="has no property name"):
        resolve_variables(text, lookup)


def test_missing_receives_every_key_nothing_answered():
    missing: list[str] = []
    resolve_variables("${a}${nope}${other:default}${again}", lookup, missing)
    assert missing == ["nope", "again"]
