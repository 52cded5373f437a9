"""Notebook 05's claims, each checked on the real engine (see tests/claims.toml), and its prose
checked against its own stored outputs."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import nbformat
import pytest

from helpers import cleanup, series_lock
from helpers.containers import id_twins, run, shortest_unique_prefix
from helpers.labels import project_labels
from helpers.registry import ensure_image
from helpers.restarts import (
    check_restart_exercise,
    next_delay,
    stays_down,
    still_rising,
    wait_restarting,
    watch_restarts,
)

NOTEBOOK = "tests-05"
ROOT = Path(__file__).resolve().parent.parent
STORED = ROOT / "notebooks" / "05-running-containers-and-restart-policies.ipynb"
LABELS = [word for k, v in project_labels(NOTEBOOK).items() for word in ("--label", f"{k}={v}")]
FAILS = ["sh", "-c", "sleep 1; exit 1"]


@pytest.fixture(scope="module")
def nginx(client):
    """nginx:stable, with the series lock held as a notebook does, so that no notebook's
    clean-up (12 removes everything the series made) takes these containers away mid-test."""
    series_lock.acquire(NOTEBOOK, notice=None)
    try:
        ensure_image("nginx:stable", client=client)
        yield "nginx:stable"
    finally:
        cleanup.cleanup(notebook=NOTEBOOK, client=client)  # lets the lock go too


def docker(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True)


def names(*filter_args: str) -> list[str]:
    out = docker("ps", "-a", *filter_args, "--format", "{{.Names}}").stdout
    return out.split()


def test_docker_run_detached_prints_the_full_id_and_ps_shows_up(client, nginx):
    ensure_image("nginx:latest", client=client)
    done = docker("run", "-d", "--restart", "always", *LABELS, "nginx")
    full_id = done.stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", full_id), done.stdout
    image = docker("inspect", "--format", "{{.Image}}", full_id).stdout.strip()
    assert image == docker("image", "inspect", "--format", "{{.Id}}", "nginx:latest").stdout.strip()
    table = docker("ps").stdout.splitlines()
    assert table[0].split() == "CONTAINER ID IMAGE COMMAND CREATED STATUS PORTS NAMES".split()
    row = next(line for line in table if line.startswith(full_id[:12]))
    assert re.search(r"\bUp (Less than a second|\d+ seconds?)\b", row), row
    assert re.search(r"\s[a-z]+_[a-z]+$", row), f"no random adjective_name: {row}"


def test_id_filter_matches_a_unique_start_only(client, nginx):
    web = run(client, nginx, "t05", "id", notebook=NOTEBOOK)
    prefix = shortest_unique_prefix(client, web.id)
    assert names("-f", f"id={prefix}") == [web.name]
    twins = id_twins(client, NOTEBOOK, names=("dn-t05-twin-a", "dn-t05-twin-b"))
    ids = [client.containers.get(n).id for n in twins.names]
    assert all(i.startswith(twins.prefix) for i in ids)
    assert names("-f", f"id={twins.prefix}") == [], "an ambiguous start lists nothing"
    middle = web.id[20:32]
    assert not any(c.id.startswith(middle) for c in client.containers.list(all=True))
    assert middle in web.id
    assert names("-f", f"id={middle}") == [], "a piece from the middle matches nothing"


def test_name_filter_matches_anywhere_and_anchors_are_exact(client, nginx):
    run(client, nginx, "t05", "web", notebook=NOTEBOOK)
    run(client, nginx, "t05", "web2", notebook=NOTEBOOK)
    both = ["dn-t05-web2", "dn-t05-web"]
    assert names("-f", "name=dn-t05-web") == both
    assert names("-f", "name=t05-we") == both, "a piece from the middle of a name matches"
    assert names("-f", "name=^dn-t05-web$") == ["dn-t05-web"]


def test_each_policy_on_a_container_failing_after_one_second(client, nginx):
    """no: never; on-failure:2: twice, then down; always, unless-stopped: past that, and on.

    The containers run one second each time and are restarted all the same (the docs say a
    policy takes effect only after 10 s up)."""
    policies = {"no": "no", "onf": "on-failure:2", "always": "always", "unless": "unless-stopped"}
    made = []
    for word, policy in policies.items():
        spec = {"Name": policy.partition(":")[0]}
        if ":" in policy:
            spec["MaximumRetryCount"] = int(policy.partition(":")[2])
        made.append(
            run(
                client,
                nginx,
                "t05",
                "fails",
                word,
                notebook=NOTEBOOK,
                command=FAILS,
                restart_policy=spec,
            ).name  # fmt: skip
        )
    watched = watch_restarts(client, made, beyond=2)
    assert list(watched["policy"]) == list(policies.values())
    assert list(watched["last_exit_code"]) == [1, 1, 1, 1]
    assert list(watched["restarts"])[:2] == [0, 2]
    assert all(n > 2 for n in list(watched["restarts"])[2:])
    assert list(watched["stays_down"]) == [True, True, False, False]
    assert list(still_rising(client, watched)) == [False, False, True, True]


def test_restarting_status_shows_the_last_exit_code(client, nginx):
    run(client, nginx, "t05", "exit3", notebook=NOTEBOOK, command=["sh", "-c", "exit 3"],
        restart_policy={"Name": "always"})  # fmt: skip
    facts = wait_restarting(client, "dn-t05-exit3", at_least=2)
    status = docker("ps", "-a", "-f", "name=^dn-t05-exit3$", "--format", "{{.Status}}").stdout
    assert status.startswith("Restarting (3) "), status
    assert facts["restarts"] >= 2, "the number in brackets is not the restart count"


def test_docker_stop_suspends_always(client, nginx):
    run(client, nginx, "t05", "stopped", notebook=NOTEBOOK, restart_policy={"Name": "always"})
    assert docker("stop", "dn-t05-stopped").returncode == 0
    watched = stays_down(client, "dn-t05-stopped")
    assert watched["next_restart_delay_s"] == next_delay(0) == 0.1
    assert watched["watched_s"] >= 10 * watched["next_restart_delay_s"]
    assert watched == {**watched, "state": "exited", "restarts": 0, "came_back": False}
    assert client.containers.get("dn-t05-stopped").attrs["State"]["ExitCode"] == 0


def test_restart_with_rm_is_refused_and_creates_nothing(nginx):
    done = docker("run", "--rm", "--restart", "always", *LABELS, "--label", "dn-t05-rm=1", nginx)
    assert done.returncode != 0
    assert "conflicting options: cannot specify both --restart and --rm" in done.stderr
    assert names("-f", "label=dn-t05-rm") == []


def test_the_exercise_check(client, nginx):
    assert check_restart_exercise(client, "dn-t05-nothing", 3).startswith("Hint: no container")
    run(client, nginx, "t05", "try", notebook=NOTEBOOK, command=["sh", "-c", "exit 1"],
        restart_policy={"Name": "on-failure", "MaximumRetryCount": 3})  # fmt: skip
    assert check_restart_exercise(client, "dn-t05-try", 3).startswith("Pass: ")
    assert client.containers.get("dn-t05-try").attrs["RestartCount"] == 3
    run(client, nginx, "t05", "try0", notebook=NOTEBOOK, command=["sh", "-c", "exit 0"],
        restart_policy={"Name": "on-failure", "MaximumRetryCount": 3})  # fmt: skip
    assert "exit code" in check_restart_exercise(client, "dn-t05-try0", 3)


def test_setup_labels_the_docker_run_lines():
    from helpers.notebook import label_docker_runs

    line = label_docker_runs("docker run -d --restart always nginx", "05")
    assert "--label tutorial=docker-notebooks --label tutorial.notebook=05" in line


# ------------------------------------------------------------- the prose against stored outputs


def _output(start: str) -> str:
    cells = [
        c
        for c in nbformat.read(STORED, as_version=4).cells
        if c.cell_type == "code" and c.source.startswith(start)
    ]
    assert len(cells) == 1, start
    parts = []
    for out in cells[0].outputs:
        parts.append(out.get("text") or out.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def test_stored_outputs_say_what_the_prose_says():
    assert re.fullmatch(r"[0-9a-f]{64}\n", _output("!docker run -d --restart always nginx"))
    assert "Up " in _output("!docker ps -f id={prefix}")
    assert _output("!docker ps -a -f id={twins.prefix}").split() == ["CONTAINER", "ID", "NAMES"]
    assert _output("!docker ps -a -f id={middle}").split() == ["CONTAINER", "ID", "NAMES"]
    assert _output("!docker ps -f name=nginx-web").split() == ["nginx-web2", "nginx-web"]
    assert _output("!docker ps -f 'name=^nginx-web$'").split() == ["nginx-web"]
    watched = _output("failing = [").splitlines()[2:]
    assert [line.split()[1:] for line in watched] == [
        ["no", "1", "0", "True"],
        ["on-failure:2", "1", "2", "True"],
        ["always", "1", "3", "False"],
        ["unless-stopped", "1", "3", "False"],
    ]
    assert "Restarting (1) " in _output("wait_restarting(")
    rising = _output("still_rising(").split()
    assert rising[:8] == ["fails-no", "False", "fails-on-failure", "False", "fails-always",
                          "True", "fails-unless-stopped", "True"]  # fmt: skip
    assert "Exited (0) " in _output("!docker ps -a -f 'name=^nginx-web$'")
    assert "'came_back': False" in _output('stays_down(client, "nginx-web")')
    assert "'next_restart_delay_s': 0.1" in _output('stays_down(client, "nginx-web")')
    assert "cannot specify both --restart and --rm" in _output("!docker run --rm --restart")
    disagree = [line for line in _output("import pandas as pd").splitlines() if "False" in line]
    assert len(disagree) == 1 and "on-failure" in disagree[0] and "killed" in disagree[0]
    assert _output('recorded["exit_codes_at_shutdown"]').count("137") == 1
    assert _output("print(check_restart_exercise(").startswith("Pass: ")
