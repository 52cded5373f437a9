"""The classroom load bench (issue #15, item 3): the whole series in every seat at once.

How many learners one server holds is a question of load, not of the set-up tests (which run
one lesson in three seats). This bench sets up ``--seats N`` seats (default 5) with
:func:`helpers.lab.classroom.up`, logs every seat in over HTTP with the workshop password and
starts its server through the hub's REST API, all at once as a room does (``login → ready``:
the login, the seat's rootless engine, its JupyterLab). Then it runs the series (or
``--notebooks``) as one seat alone (the solo time), and as every seat at once, each through its
own engine: ``tests/run_series.py`` as the seat (``setpriv``, the environment the hub gives
its server, ``DOCKER_HOST`` included), executing the seat's copies with the classroom's Python
as JupyterLab would. Memory is sampled each second (:func:`helpers.lab.classroom.memory_peaks`,
PSS) and the runner itself, which stands in for the learner's browser, is left out.

A seat is green when it executed every notebook, none printed an error or a traceback, and
every lesson printed ``Pass:`` and no ``Hint:``, as on a rootless engine of one's own
(``tests/test_rootless_series.py``): lesson 10 sets its overlay-network check aside there.
Every host port a lesson or an exercise's solution publishes is taken with ``free_port``,
which reserves it across the seats' engines (:mod:`helpers.ports`), so seats never collide.

One table of ratios and seconds is printed; ``--write`` puts it in the ``## Classroom load``
section of ``bench/RESULTS.md`` (the rest of the file stays). ``classroom.down()`` runs at the
end, pass or fail. Needs root, a lab registry that answers (``make setup``) and no classroom
already up. Run it as ``make bench-classroom SEATS=5 [BENCH_ARGS=--write]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from helpers.errors import TutorialError
from helpers.lab import classroom
from helpers.registry_api import registry_answers
from helpers.swarm import OVERLAY_SET_ASIDE

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import learner_runs  # noqa: E402  (tests/ holds the runner's reader; it imports no pytest)

RUNNER = ROOT / "tests" / "run_series.py"
#: Seconds the solo series may take; the run at once gets this plus the solo time per seat.
SERIES_SECONDS = 1800
HEADING = "## Classroom load"

READING = """How to read it: a seat's series time is `tests/run_series.py` executing its copies of
the notebooks as that seat (nbclient, a fresh kernel each, as JupyterLab runs them) through the
seat's own rootless engine; the solo run is the first seat alone while the other servers wait
idle. Memory is the proportional set size (PSS, `/proc/PID/smaps_rollup`) sampled each second:
a seat's server is its JupyterLab and kernels, its engine is rootlesskit, slirp4netns, dockerd,
containerd, the registry forwarder and what runs as the seat in its containers; "busiest" is
the most any seat took in one sample."""


@dataclass
class Run:
    """One seat's series run: its seconds and what keeps it from green."""

    seat: str
    seconds: float
    problems: list[str] = field(default_factory=list)


def notebook_names(numbers: list[str] | None) -> list[str]:
    """The notebooks' file names, all or those numbered ``numbers`` (``["01", "06"]``)."""
    names = [path.name for path in learner_runs.NOTEBOOKS]
    if not numbers:
        return names
    chosen = [name for name in names if name[:2] in numbers]
    missing = sorted(set(numbers) - {name[:2] for name in chosen})
    if missing:
        raise SystemExit(f"bench: no notebook numbered {', '.join(missing)} in notebooks/.")
    return chosen


def judge(lessons: dict[str, learner_runs.Lesson], names: list[str], printed: str) -> Run:
    """What keeps one seat's run from green (see the module's docstring), as short lines."""
    run = Run("", 0.0)
    for name in names:
        number, lesson = name[:2], lessons.get(name[:2])
        if lesson is None or f"{name}: " not in printed:
            run.problems.append(f"{number}: not executed")
            continue
        run.problems += [f"{number}: {error}" for error in lesson.errors()[:1]]
        hints, passes = lesson.lines_starting("Hint:"), lesson.lines_starting("Pass:")
        if passes and not hints:
            continue
        if number == "10" and not hints and OVERLAY_SET_ASIDE in lesson.text:
            continue  # a rootless engine makes no overlay network: the check is set aside
        run.problems.append(f"{number}: {(hints or ['printed no Pass line'])[0]}")
    return run


def run_series(seat: str, names: list[str], timeout: float) -> Run:
    """Run the notebooks ``names`` of ``seat``'s copy as the seat (bounded); its :class:`Run`."""
    folder = classroom.seat_folder(seat)
    python = str(classroom.PREFIX / "bin" / "python")
    cmd = [python, str(RUNNER), *(str(folder / name) for name in names)]
    started = time.monotonic()
    try:
        done = classroom.run_as_seat(seat, cmd, timeout=timeout)
        printed = done.stdout + done.stderr
        failed = [f"runner exit {done.returncode}: {printed[-300:]}"] if done.returncode else []
    except subprocess.TimeoutExpired:
        printed, failed = "", [f"the series took more than {timeout:.0f} s"]
    seconds = time.monotonic() - started
    run = judge(learner_runs.results(folder), names, printed)
    run.seat, run.seconds, run.problems = seat, seconds, failed + run.problems
    return run


def folder_name(seat: str) -> str:
    """A folder name for a run's seat.

    Example:
        >>> folder_name("dn-seat-1 (solo)")
        'dn-seat-1-solo'
    """
    return re.sub(r"[^\w-]+", "-", seat).strip("-")


def keep_outputs(seat: str) -> Path:
    """Copy a seat's executed notebooks out of its home (``down`` removes the seat with its
    home) into ``build/bench-classroom/<seat>/``, so a red seat can be traced afterwards (the
    solo run's seat runs again at once, so its copy holds its latest run)."""
    source = classroom.seat_folder(seat.split()[0])
    target = ROOT / "build" / "bench-classroom" / folder_name(seat)
    shutil.copytree(source, target, dirs_exist_ok=True)
    return target


def login_to_ready(url: str, seat: str, password: str) -> float:
    """Seconds from ``seat``'s login to its ready server; the hub's pre-spawn hook starts the
    seat's engine first, so its engine answers too."""
    started = time.monotonic()
    classroom.HubSession(url, seat, password).login().wait_ready()
    return time.monotonic() - started


def spread(values: list[float], digits: int = 0) -> str:
    """``low–high`` of ``values`` (one number when they agree).

    Example:
        >>> spread([7.04, 9.91, 8.0], 1), spread([108.0, 108.2])
        ('7.0–9.9', '108')
    """
    low, high = f"{min(values):.{digits}f}", f"{max(values):.{digits}f}"
    return low if low == high else f"{low}–{high}"


def machine() -> str:
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {ram:.0f} GiB, {platform.platform()}"


def measure(seats: int, names: list[str]) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Set the classroom up and load it (the caller takes it down); the table's rows (measure,
    value, goal) and one line per seat that is not green."""
    started = time.monotonic()
    info = classroom.up(seats, f"127.0.0.1:{classroom._free_port()}")
    up_seconds = time.monotonic() - started
    password = Path(info["password_file"]).read_text().strip()
    seat_names = info["seats"]
    ignore = (RUNNER.name,)
    with ThreadPoolExecutor(len(seat_names)) as pool:  # the whole room logs in at once
        ready = list(pool.map(lambda s: login_to_ready(info["url"], s, password), seat_names))
    rest = classroom.memory(ignore)
    print(f"bench: every seat is ready; the series runs in {seat_names[0]} alone", flush=True)
    solo = run_series(seat_names[0], names, SERIES_SECONDS)
    solo.seat += " (solo)"
    print(f"bench: solo {solo.seconds:.0f} s; now in all {seats} seats at once", flush=True)
    timeout = SERIES_SECONDS + solo.seconds * seats
    with classroom.memory_peaks(ignore=ignore) as peaks, ThreadPoolExecutor(seats) as pool:
        runs = list(pool.map(lambda s: run_series(s, names, timeout), seat_names))

    red = [run for run in runs if run.problems]
    slowest = max(run.seconds for run in runs)
    each = ", ".join(f"{run.seconds:.0f}" for run in runs)
    logins = ", ".join(f"{seconds:.1f}" for seconds in ready)
    lessons = f"{names[0][:2]}–{names[-1][:2]}" if len(names) > 1 else names[0][:2]
    at_rest = [rest["seats"][s] for s in seat_names]
    busiest = [peaks["seats"].get(s, {"server": 0, "engine": 0, "total": 0}) for s in seat_names]

    def mib(samples: list[dict], *keys: str) -> str:
        return ", ".join(spread([sample[key] for sample in samples]) for key in keys)

    rows = [
        ("seats; notebooks", f"{seats}; {len(names)} ({lessons})", ""),
        ("all green", f"no: {len(red)} of {seats} seats" if red else "yes", "yes"),
        ("  the solo run green", "no" if solo.problems else "yes", "yes"),
        ("slowest seat / solo (series time)", f"{slowest / solo.seconds:.2f}", ""),
        ("  solo; each seat at once (s)", f"{solo.seconds:.0f}; {each}", ""),
        ("login → ready server and engine, all at once (s)", logins, ""),
        ("hub with its proxy: at rest, peak (MiB)", f"{rest['hub']:.0f}, {peaks['hub']:.0f}", ""),
        ("a seat at rest: server, engine (MiB)", mib(at_rest, "server", "engine"), ""),
        (
            "a seat at its busiest: server with kernels, engine, both (MiB)",
            mib(busiest, "server", "engine", "total"),
            "",
        ),
        (f"classroom up, {seats} seats (s)", f"{up_seconds:.0f}", ""),
    ]
    for run in [solo, *runs]:
        if run.problems:
            print(f"bench: {run.seat}'s notebooks, as run, kept in {keep_outputs(run.seat)}")
    why = [f"{run.seat}: {'; '.join(run.problems)}" for run in [solo, *runs] if run.problems]
    why = [(line[:300] + "…" if len(line) > 300 else line).replace("\n", " ") for line in why]
    return rows, why


def table(rows: list[tuple[str, str, str]]) -> str:
    """The rows as bench/__main__.py prints its own (measure | value | goal)."""
    width = max(len(row[0]) for row in rows)
    lines = [f"| {'measure':<{width}} | value | goal |", f"| {'-' * width} | --- | --- |"]
    return "\n".join(lines + [f"| {m:<{width}} | {v} | {g} |" for m, v, g in rows])


SECTION = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.M | re.S)


def section(text: str) -> str | None:
    """The ``## Classroom load`` section of ``text`` (up to the next ``## `` heading), or None."""
    found = SECTION.search(text)
    return found.group(0) if found else None


def with_section(text: str, body: str) -> str:
    """``text`` with its ``## Classroom load`` section replaced by ``body``, or ``body``
    appended when it has none (``bench/__main__.py`` keeps the section the same way).

    Example:
        >>> with_section("# R\\n## Classroom load\\nold\\n## Next\\n", "## Classroom load\\nnew\\n")
        '# R\\n## Classroom load\\nnew\\n## Next\\n'
        >>> with_section("# R\\n", "## Classroom load\\nnew\\n")
        '# R\\n\\n## Classroom load\\nnew\\n'
    """
    if section(text) is not None:
        return SECTION.sub(lambda _: body, text, count=1)
    return text.rstrip("\n") + "\n\n" + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.classroom", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--seats", type=int, default=5, help="seats to set up (default 5)")
    parser.add_argument(
        "--notebooks", nargs="+", metavar="NN", help="only these lessons (default: the series)"
    )
    parser.add_argument("--write", action="store_true", help="store results in bench/RESULTS.md")
    args = parser.parse_args(argv)
    names = notebook_names(args.notebooks)
    if os.geteuid() != 0:
        sys.exit("bench: the classroom makes users and runs JupyterHub: run it as root.")
    if classroom.existing_seats() or classroom.hub_pid():
        sys.exit("bench: a classroom is already up here: run `make classroom-server-down` first.")
    if not registry_answers():
        sys.exit("bench: the lab registry does not answer on 127.0.0.1:5000: run `make setup`.")

    try:
        rows, why = measure(args.seats, names)
    except (TutorialError, OSError) as error:  # LabError, and requests' errors, are among them
        print(f"bench: {error}", file=sys.stderr)
        return 1
    finally:
        classroom.down()
    today = dt.date.today().isoformat()
    print(table(rows))
    print(f"\n{machine()}; {today}")
    for line in why:
        print(f"not green: {line}")
    if args.write:
        results = ROOT / "bench" / "RESULTS.md"
        notes = "".join(f"- not green: {line}\n" for line in why)
        body = (
            f"{HEADING}\n\nLatest `make bench-classroom SEATS={args.seats}` on {today}: "
            f"{machine()}.\n\n{table(rows)}\n\n{notes + chr(10) if notes else ''}{READING}\n"
        )
        old = results.read_text() if results.exists() else "# Benchmark results\n"
        results.write_text(with_section(old, body))
    return 0 if not why else 1


if __name__ == "__main__":
    sys.exit(main())
