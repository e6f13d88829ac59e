"""The one stylesheet parses: a rule left open (as a merge once left an @media
block) silently swallows every rule after it in the browser."""

from pathlib import Path

STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "css" / "site.css"


def unclosed_blocks(text):
    depth = 0
    in_comment = False
    for index, char in enumerate(text):
        if in_comment:
            in_comment = text[index - 1 : index + 1] != "*/"
            continue
        if text[index : index + 2] == "/*":
            in_comment = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            line = text.count("\n", 0, index) + 1
            assert depth >= 0, f"a '}}' with no block to close on line {line}"
    return depth


def test_every_block_of_the_stylesheet_is_closed():
    assert unclosed_blocks(STYLESHEET.read_text()) == 0


def test_a_block_left_open_is_found():
    merged = "@media (max-width: 30rem) {\n  .a { b: c; }\n/* d */\n.e { f: g; }\n"
    assert unclosed_blocks(merged) == 1
