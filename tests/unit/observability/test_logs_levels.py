"""ApplicationLogLevel for LogFormat JSON: the level Lambda reads from each line, and which lines it keeps."""

from host.observability.logs.core.levels import INFO, LEVELS, kept, line_level


def test_a_json_line_has_the_level_it_names_in_any_case():
    assert line_level(b'{"level": "ERROR", "message": "x"}') == LEVELS["ERROR"]
    assert line_level(b'{"level": "debug"}') == LEVELS["DEBUG"]
    assert line_level(b'{"log_level": "ERROR", "errorType": "T"}') == LEVELS["ERROR"]


def test_text_broken_json_and_missing_or_unknown_levels_count_as_info():
    for line in (b"plain print", b"{not json", b'{"message": "no level"}', b'{"level": "LOUD"}', b"[1, 2]"):
        assert line_level(line) == INFO


def test_lines_below_the_application_level_are_dropped():
    lines = [b'{"level": "DEBUG"}', b"print", b'{"level": "WARN"}', b'{"level": "FATAL"}']
    assert kept(lines, "WARN") == [b'{"level": "WARN"}', b'{"level": "FATAL"}']
    assert kept(lines, "INFO") == lines[1:]
    assert kept(lines, "TRACE") == lines
    assert kept([b"print"], None) == [b"print"]
