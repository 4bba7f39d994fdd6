import io

from data_flywheel.terminal import Painter, Progress, colour_enabled


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_draws_only_on_a_terminal_and_clears_itself():
    tty = Tty()
    progress = Progress(tty, "exporting runs", enabled=True, delay=0)
    progress.tick()
    progress.done()
    assert tty.getvalue().startswith("\rexporting runs: 1 (")
    assert tty.getvalue().endswith("\r\033[K")
    pipe = io.StringIO()
    quiet = Progress(pipe, "exporting runs", enabled=True, delay=0)
    quiet.tick()
    quiet.done()
    assert pipe.getvalue() == ""


def test_progress_is_off_when_disabled_for_json():
    tty = Tty()
    progress = Progress(tty, "x", enabled=False, delay=0)
    progress.tick()
    progress.done()
    assert tty.getvalue() == ""


def test_progress_waits_before_drawing_so_quick_runs_print_nothing():
    tty = Tty()
    progress = Progress(tty, "x", enabled=True, delay=60)
    for _ in range(1000):
        progress.tick()
    progress.done()
    assert tty.getvalue() == ""


def test_colour_rules():
    assert colour_enabled(Tty(), {}) is True
    assert colour_enabled(Tty(), {"NO_COLOR": "1"}) is False
    assert colour_enabled(Tty(), {"TERM": "dumb"}) is False
    assert colour_enabled(io.StringIO(), {}) is False
    assert Painter(True)("x", "red") == "\033[31mx\033[0m"
    assert Painter(False)("x", "red") == "x"
