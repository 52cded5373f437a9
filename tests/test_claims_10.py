"""The facts lesson 10 (Swarm) states, checked on the real engine (see tests/claims.toml), and
the promise that a learner's own swarm survives the lesson as it was.

The commands are the lesson's own, run through the shell as a learner types them, with the
labels the notebook's ``!`` hook adds, for the test's own pseudo-notebook. The tests that need
a swarm share one, made the way the lesson makes it, under the series lock (so no notebook runs
meanwhile), and leave it at the end; the engine must be in no swarm before.
"""

from __future__ import annotations

import re
import socket
import subprocess
import time
from pathlib import Path

import pytest
import support
from support import assert_one_sentence, outputs_of, skip_or_fail, stored_cells

from helpers import cleanup, series_lock, swarm
from helpers.containers import free_port
from helpers.errors import TutorialError, explain_cli_output
from helpers.http import wait_http
from helpers.labels import project_labels
from helpers.registry import ensure_image
from helpers.state import state_dir

NOTEBOOK = "tests-10"
_LABELS = project_labels(NOTEBOOK).items()
#: What the notebook's ``!`` hook adds to ``docker service create``.
SERVICE_LABELS = " ".join(
    [f"--label {k}={v}" for k, v in _LABELS] + [f"--container-label {k}={v}" for k, v in _LABELS]
)
LABELS = " ".join(f"--label {k}={v}" for k, v in _LABELS)
INIT = "docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:2377"
#: The first line of a lesson-10 cell that needs an overlay network (set aside on rootless Docker).
OVERLAY = "# needs: overlay network\n"
WELCOME = "Welcome to nginx!"
ROOT = Path(__file__).resolve().parent.parent


def sh(command: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """:func:`support.sh`, bounded: a swarm command that hangs fails the test instead."""
    return support.sh(command, timeout=timeout)


def create(name: str, flags: str = "", image: str = "nginx:stable") -> str:
    """``docker service create --detach`` with the test's labels; returns what it printed."""
    done = sh(f"docker service create --detach {SERVICE_LABELS} --name {name} {flags} {image}")
    assert done.returncode == 0, done.stdout
    return done.stdout


def state(client) -> str:
    return swarm.swarm_facts(client).get("LocalNodeState") or "inactive"


def init_our_swarm(client) -> None:
    """The lesson's init, for the test's pseudo-notebook (the engine must be in no swarm)."""
    if state(client) != "inactive":
        skip_or_fail("this engine is in a swarm already: these tests make one of their own")
    assert swarm.init_needed(NOTEBOOK, client)
    done = sh(INIT)
    assert done.returncode == 0 and "Swarm initialized" in done.stdout, done.stdout


@pytest.fixture(scope="module")
def images(client):
    ensure_image("nginx:stable", client=client)
    ensure_image("nginx:latest", client=client)


@pytest.fixture(scope="module")
def swarm_client(client, images):
    """A swarm of the test's own, as the lesson makes it; left (with its docker_gwbridge) at
    the end, by the series' clean-up for the pseudo-notebook."""
    series_lock.acquire(NOTEBOOK, wait=900)
    try:
        init_our_swarm(client)
        yield client
    finally:
        cleanup.remove_leftovers(NOTEBOOK, client)
        series_lock.release(NOTEBOOK)
    assert state(client) == "inactive"


def task_rows(service: str) -> list[dict]:
    """``docker service ps`` as rows (name, image, desired and current state, error)."""
    fmt = "{{.Name}}|{{.Image}}|{{.DesiredState}}|{{.CurrentState}}|{{.Error}}"
    out = sh(f"docker service ps --no-trunc --format '{fmt}' {service}").stdout
    keys = ("name", "image", "desired", "current", "error")
    rows = [dict(zip(keys, line.split("|"), strict=True)) for line in out.splitlines()]
    for row in rows:
        row["image"] = row["image"].split("@")[0]  # --no-trunc shows the pinned digest
    return rows


@pytest.fixture
def our_lock(images):
    series_lock.acquire(NOTEBOOK, wait=900)
    yield
    series_lock.release(NOTEBOOK)


def test_leave_ends_the_swarm_keeps_gwbridge_and_the_clean_up_removes_it(client, our_lock):
    """10: docker service rm returns before the tasks' containers are removed, and
    leave_needed waits until they are; docker swarm leave --force on the last manager ends the
    swarm with its services and their containers, and keeps the docker_gwbridge network its init
    made; the clean-up then removes that network (only because the series' init made it) and
    forgets the swarm."""
    had_gwbridge = bool(client.networks.list(names=[swarm.GWBRIDGE]))
    init_our_swarm(client)
    try:
        sh(f"docker network create {LABELS} --driver overlay --attachable dn-tests-10-leave")
        create("dn-tests-10-leave", "--network dn-tests-10-leave --endpoint-mode dnsrr")
        swarm.wait_tasks(client, "dn-tests-10-leave", running=1)
        create("dn-tests-10-gone", "--replicas 2")
        swarm.wait_tasks(client, "dn-tests-10-gone", running=2)
        assert sh("docker service rm dn-tests-10-gone").stdout == "dn-tests-10-gone\n"
        going = {"label": "com.docker.swarm.service.name=dn-tests-10-gone"}
        assert client.containers.list(all=True, sparse=True, filters=going)  # not yet removed
        assert swarm.leave_needed(client)
        assert not client.containers.list(all=True, sparse=True, filters=going)
        assert sh("docker swarm leave --force").stdout == "Node left the swarm.\n"
        assert state(client) == "inactive"
        assert not client.containers.list(
            all=True, sparse=True, filters={"label": f"tutorial.notebook={NOTEBOOK}"}
        )
        assert bool(client.networks.list(names=[swarm.GWBRIDGE]))
        removed = cleanup.remove_leftovers(NOTEBOOK, client)
        assert (("network", swarm.GWBRIDGE) in removed) is not had_gwbridge
    finally:
        cleanup.remove_leftovers(NOTEBOOK, client)
    assert state(client) == "inactive"
    assert bool(client.networks.list(names=[swarm.GWBRIDGE])) is had_gwbridge


def test_an_interrupted_lesson_leaves_its_swarm_at_the_next_clean_up(client, our_lock, capsys):
    """10: the series' clean-up (an interrupted lesson's next setup, or lesson 12's) leaves a
    swarm the lesson initialised and never left; leave_needed then says there is nothing."""
    init_our_swarm(client)
    removed = cleanup.remove_leftovers(NOTEBOOK, client)
    assert ("swarm", "left") in removed and state(client) == "inactive"
    assert swarm.leave_needed(client) is False
    assert "in no swarm" in capsys.readouterr().out


# --------------------------------------------------------------------------- a learner's swarm


@pytest.mark.slow
def test_a_learners_swarm_and_service_survive_the_lesson_as_they_were(client, images, tmp_path):
    """10: on a swarm the learner initialised, with an unlabelled service of theirs, lesson 10
    runs to the end without error, uses that swarm without leaving it, removes what it
    labelled, and leaves the swarm as it was: same cluster, nodes, networks and service."""
    import nbformat
    from nbclient import NotebookClient

    series_lock.acquire(NOTEBOOK, wait=900)
    try:
        if state(client) != "inactive":
            skip_or_fail("this engine is in a swarm already: the test makes the learner's own")
        had_gwbridge = bool(client.networks.list(names=[swarm.GWBRIDGE]))
        assert sh(INIT).returncode == 0  # as the learner types it: no series record
        done = sh("docker service create --detach --name learners-own-10 --replicas 1 nginx:stable")
        assert done.returncode == 0, done.stdout
        swarm.wait_tasks(client, "learners-own-10", running=1)
        before = _swarm_snapshot(client)
    finally:
        series_lock.release(NOTEBOOK)
    try:
        path = next((ROOT / "notebooks").glob("10-*.ipynb"))
        notebook = nbformat.read(path, as_version=4)
        NotebookClient(
            notebook, timeout=600, kernel_name="python3",
            resources={"metadata": {"path": str(ROOT / "notebooks")}},
        ).execute()  # fmt: skip
        nbformat.write(notebook, tmp_path / path.name)
        texts = "".join(
            o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs
        )
        assert "a swarm (1 node) that the series did not make" in texts
        assert "stays in it" in texts and "Node left the swarm" not in texts
        assert "Traceback" not in texts
        assert _swarm_snapshot(client) == before
        assert not client.services.list(filters={"label": "tutorial=docker-notebooks"})
    finally:
        series_lock.acquire(NOTEBOOK, wait=900)
        try:
            sh("docker service rm learners-own-10; docker swarm leave --force")
            if not had_gwbridge:
                sh(f"docker network rm {swarm.GWBRIDGE}")
        finally:
            series_lock.release(NOTEBOOK)


def _swarm_snapshot(client) -> dict:
    """What must be the same before and after the lesson on a learner's swarm."""
    facts = swarm.swarm_facts(client)
    mine = client.services.get("learners-own-10")
    return {
        "state": facts.get("LocalNodeState"),
        "cluster": facts["Cluster"]["ID"],
        "nodes": sorted(n.id for n in client.nodes.list()),
        "swarm networks": sorted(n.name for n in client.networks.list(filters={"scope": "swarm"})),
        "docker_gwbridge": bool(client.networks.list(names=[swarm.GWBRIDGE])),
        "services": sorted(s.name for s in client.services.list()),
        "my service version": mine.attrs["Version"]["Index"],
        "my service running": sum(
            t["Status"]["State"] == "running" for t in mine.tasks({"desired-state": "running"})
        ),
    }


# --------------------------------------------------------------------------- stored outputs


def test_10_stored_outputs_say_what_the_prose_says():
    """What 10's prose says about its outputs: inactive, then initialised on loopback; three
    tasks, pinned digest; slots 4 and 5 gone; the update and rollback one slot at a time; the
    killed task Failed with 137 and replaced; three DNS addresses each answering; host mode on
    every interface with a pending second task; -p 127.0.0.1 refused; no IPVS and curl exit 7;
    the exercise passes; the lesson left the swarm it made."""
    cells = stored_cells("10")
    assert outputs_of(cells, "!docker info --format")[0] == "inactive\n"
    assert "Swarm initialized" in outputs_of(cells, "if init_needed(")[0]
    assert outputs_of(cells, "!ss -Hltn")[0].split()[3::5] == ["127.0.0.1:2377", "127.0.0.1:7946"]
    assert "3/3" in outputs_of(cells, "!docker service ls --filter name=dn-10-web")[0]
    assert re.fullmatch(
        r"nginx:stable@sha256:[0-9a-f]{64}\n",
        outputs_of(cells, "!docker service inspect --format '{{.Spec")[0],
    )
    created, after_scale, history = outputs_of(cells, "!docker service ps dn-10-web")
    assert created.count("Running") == 6 and created.count("dn-10-web.") == 3
    assert "dn-10-web.4" not in after_scale and after_scale.count("dn-10-web.") == 3
    assert history.count("nginx:latest") == 3 and history.count("\\_ dn-10-web.") == 3
    update, rollback = outputs_of(cells, "rollout(client")
    assert "update starts" in update and "rollback starts" in rollback
    running = outputs_of(cells, "!docker service ps --filter desired-state=running")[0]
    assert running.count("nginx:stable") == 3 and "nginx:latest" not in running
    assert outputs_of(cells, "!docker inspect --format '{{.HostConfig.RestartPolicy")[0] == "no\n"
    slot1 = outputs_of(cells, "!docker service ps --filter name=dn-10-web.1")[0]
    assert "Failed" in slot1 and "task: non-zero exit (137)" in slot1
    assert (
        len(
            outputs_of(cells, f"{OVERLAY}!docker run --rm --network dn-10-net nginx:stable getent")[
                0
            ].splitlines()
        )
        == 3
    )
    asked = f"{OVERLAY}!docker run --rm --network dn-10-net nginx:stable bash -c"
    answers = outputs_of(cells, asked)[0]
    assert answers.count(f"<title>{WELCOME}</title>") == 3
    assert (
        "host-mode port already in use on 1 node"
        in outputs_of(cells, 'wait_tasks(client, "dn-10-host", running=1, pending=1)')[0]
    )
    assert re.fullmatch(
        r"80/tcp -> 0\.0\.0\.0:\d+\n80/tcp -> \[::\]:\d+\n", outputs_of(cells, "!docker port")[0]
    )
    assert (
        "hostip is not supported"
        in outputs_of(cells, "!docker service create --detach --name dn-10-local")[0]
    )
    assert "No such file or directory" in outputs_of(cells, "!ls /proc/sys/net/ipv4/vs")[0]
    assert "curl exit code: 7" in outputs_of(cells, "!curl -sS -m 5")[0]
    assert outputs_of(cells, f"{OVERLAY}print(check_dnsrr_service(")[0].startswith("Pass:")
    assert "Node left the swarm." in outputs_of(cells, "if leave_needed(")[0]


# --------------------------------------------------------------------------- on one swarm
# (last in the file: the module-scoped swarm and lock are set up at the first of these tests and
# let go when the module ends, so the tests above run without them)


def test_init_on_loopback_listens_there_only(swarm_client):
    """10: with --advertise-addr/--listen-addr 127.0.0.1 the manager listens on
    127.0.0.1:2377 and 127.0.0.1:7946 (TCP) and on no other address; docker node ls shows
    one node, itself (*), Leader."""
    lines = sh("ss -Hltn").stdout.splitlines()
    swarm_ports = [ln.split()[3] for ln in lines if re.search(r":(2377|7946)\s", ln)]
    assert sorted(swarm_ports) == ["127.0.0.1:2377", "127.0.0.1:7946"], swarm_ports
    nodes = sh("docker node ls").stdout.splitlines()
    assert len(nodes) == 2 and " * " in nodes[1] and "Leader" in nodes[1], nodes
    assert swarm.swarm_facts(swarm_client)["NodeAddr"] == "127.0.0.1"


def test_init_is_refused_in_a_swarm_and_init_needed_says_whose(swarm_client, capsys):
    """10: a second swarm init is refused ("already part of a swarm", one sentence);
    init_needed says the swarm is the lesson's own and does not ask for an init."""
    done = sh(INIT)
    assert done.returncode != 0 and "already part of a swarm" in done.stdout, done.stdout
    assert_one_sentence(explain_cli_output(done.stdout))
    assert swarm.init_needed(NOTEBOOK, swarm_client) is False
    assert "swarm this lesson initialised" in capsys.readouterr().out
    assert swarm.made_by_series(swarm_client, NOTEBOOK)


def test_service_create_pins_the_digest_the_registry_gives(swarm_client):
    """10: docker service create asks the registry (here the lab mirror) for the tag's
    digest and pins the service to it; --no-resolve-image keeps the bare tag; an image no
    registry knows gets a warning and no digest."""
    create("dn-tests-10-pinned")
    image = sh(
        "docker service inspect --format '{{.Spec.TaskTemplate.ContainerSpec.Image}}' "
        "dn-tests-10-pinned"
    ).stdout.strip()
    digest = swarm_client.images.get("nginx:stable").attrs["RepoDigests"][0].split("@")[1]
    assert image == f"nginx:stable@{digest}"
    create("dn-tests-10-unresolved", "--no-resolve-image")
    bare = swarm_client.services.get("dn-tests-10-unresolved").attrs["Spec"]["TaskTemplate"]
    assert bare["ContainerSpec"]["Image"] == "nginx:stable"
    sh("docker tag nginx:stable dn-tests-10-local:1")
    try:
        said = create("dn-tests-10-local", image="dn-tests-10-local:1")
        said = " ".join(said.split())
        assert "could not be accessed on a registry to record its digest" in said, said
    finally:
        sh("docker service rm dn-tests-10-local; docker rmi dn-tests-10-local:1")


def test_without_detach_a_pipe_gets_dozens_of_progress_lines(swarm_client):
    """10: without --detach, docker service create through a pipe prints its progress
    display as many repeated lines."""
    out = sh(
        f"docker service create {SERVICE_LABELS} --name dn-tests-10-progress nginx:stable"
    ).stdout
    assert out.count("overall progress") + out.count("verify: Waiting") >= 12, out
    assert "converged" in out


def test_scaling_down_removes_the_highest_slots(swarm_client):
    """10: scale 3 -> 5 -> 3: the manager starts two tasks, then removes slots 4 and 5
    (gone from docker service ps, not stopped)."""
    create("dn-tests-10-scale", "--replicas 3")
    swarm.wait_tasks(swarm_client, "dn-tests-10-scale", running=3)
    assert "scaled to 5" in sh("docker service scale --detach dn-tests-10-scale=5").stdout
    swarm.wait_tasks(swarm_client, "dn-tests-10-scale", running=5)
    sh("docker service scale --detach dn-tests-10-scale=3")
    swarm.wait_tasks(swarm_client, "dn-tests-10-scale", running=3)
    names = sorted(r["name"] for r in task_rows("dn-tests-10-scale"))
    assert names == [f"dn-tests-10-scale.{n}" for n in (1, 2, 3)], names


def test_rolling_update_one_task_at_a_time_then_rollback(swarm_client):
    """10: update --update-parallelism 1 --update-delay 1s: one slot at a time, the old task
    shuts down and then its replacement runs (stop-first, the default), never fewer than
    two running; each slot keeps its history; rollback returns to nginx:stable the same
    way."""
    name = "dn-tests-10-update"
    create(name, "--replicas 3")
    swarm.wait_tasks(swarm_client, name, running=3)
    done = sh(
        "docker service update --detach --image nginx:latest --update-parallelism 1 "
        f"--update-delay 1s {name}"
    )
    assert done.returncode == 0, done.stdout
    timeline = swarm.rollout(swarm_client, name)
    assert list(timeline["nginx:stable"]) == [3, 2, 2, 1, 1, 0, 0]
    assert list(timeline["nginx:latest"]) == [0, 0, 1, 1, 2, 2, 3]
    assert min(timeline["nginx:stable"] + timeline["nginx:latest"]) == 2
    config = swarm_client.services.get(name).attrs["Spec"]["UpdateConfig"]
    assert config["Parallelism"] == 1 and config["Delay"] == 10**9
    assert config["Order"] == "stop-first"
    rows = task_rows(name)
    for slot in (1, 2, 3):
        mine = [r for r in rows if r["name"].strip() == f"{name}.{slot}"]
        assert [(r["image"], r["desired"]) for r in mine] == [
            ("nginx:latest", "Running"),
            ("nginx:stable", "Shutdown"),
        ], rows
    assert sh(f"docker service rollback --detach {name}").returncode == 0
    back = swarm.rollout(swarm_client, name)
    assert list(back["nginx:stable"]) == [0, 0, 1, 1, 2, 2, 3]
    assert back["event"][0] == "rollback starts"
    running = [r for r in task_rows(name) if r["desired"] == "Running"]
    assert {r["image"] for r in running} == {"nginx:stable"} and len(running) == 3


def test_a_killed_task_is_replaced_by_a_new_container(swarm_client):
    """10: a task's container has restart policy no; the service's is any, 5 s, no limit;
    docker kill on it: the task fails (exit 137) and a new task runs in a new container."""
    name = "dn-tests-10-kill"
    create(name, "--replicas 2")
    swarm.wait_tasks(swarm_client, name, running=2)
    old = sh(f"docker ps -q --filter name={name}.1").stdout.strip()
    assert (
        sh(f"docker inspect --format '{{{{.HostConfig.RestartPolicy.Name}}}}' {old}").stdout
        == "no\n"
    )
    policy = sh(
        "docker service inspect --format '{{json .Spec.TaskTemplate.RestartPolicy}}' " + name
    ).stdout.strip()
    assert policy == '{"Condition":"any","Delay":5000000000,"MaxAttempts":0}'
    assert sh(f"docker kill {old}").returncode == 0
    swarm.wait_tasks(swarm_client, name, running=2, failed=1)
    new = sh(f"docker ps -q --filter name={name}.1").stdout.strip()
    assert new and new != old
    assert swarm_client.containers.get(old).status == "exited"
    slot = [r for r in task_rows(name) if r["name"].strip() == f"{name}.1"]
    assert [r["current"].split()[0] for r in slot] == ["Running", "Failed"], slot
    assert slot[1]["error"] == '"task: non-zero exit (137)"'


def test_dnsrr_name_resolves_to_every_task_each_answering(swarm_client):
    """10: on an attachable overlay network, a service with --endpoint-mode dnsrr resolves
    to one address per task, each answering with nginx's page, from a plain container."""
    net = "dn-tests-10-net"
    assert sh(f"docker network create {LABELS} --driver overlay --attachable {net}").returncode == 0
    create("dn-tests-10-dns", f"--replicas 3 --network {net} --endpoint-mode dnsrr")
    swarm.wait_tasks(swarm_client, "dn-tests-10-dns", running=3, port=80)
    pages = swarm.pages_by_name(swarm_client, net, "dn-tests-10-dns", NOTEBOOK)
    assert len(pages) == 3 and set(pages.values()) == {WELCOME}, pages
    out = sh(
        f"docker run --rm {LABELS} --network {net} nginx:stable getent hosts tasks.dn-tests-10-dns"
    )
    assert len(out.stdout.split("\n")) - 1 == 3, out.stdout
    found = swarm.services_on(swarm_client, net)
    assert [(s.name, s.endpoint_mode, s.running) for s in found] == [
        ("dn-tests-10-dns", "dnsrr", 3)
    ]


def test_a_virtual_ip_is_one_address_that_needs_ipvs(swarm_client):
    """10: the default endpoint mode gives the service one virtual address; without IPVS
    in the kernel nothing answers there, while tasks.<name> still lists the tasks."""
    net = "dn-tests-10-vipnet"
    sh(f"docker network create {LABELS} --driver overlay --attachable {net}")
    create("dn-tests-10-vip", f"--replicas 2 --network {net}")
    swarm.wait_tasks(swarm_client, "dn-tests-10-vip", running=2, port=80)
    run = f"docker run --rm {LABELS} --network {net} nginx:stable"
    assert len(sh(f"{run} getent hosts dn-tests-10-vip").stdout.splitlines()) == 1
    assert len(sh(f"{run} getent hosts tasks.dn-tests-10-vip").stdout.splitlines()) == 2
    pages = swarm.pages_by_name(swarm_client, net, "dn-tests-10-vip", NOTEBOOK)
    expected = WELCOME if swarm.ipvs().loaded else ""
    assert list(pages.values()) == [expected], pages


def test_host_mode_publishes_on_every_interface_one_task_per_node(swarm_client):
    """10: --publish mode=host publishes on 0.0.0.0 and [::] (docker port), answers on
    127.0.0.1; a second replica stays pending: host-mode port already in use on 1 node."""
    port = free_port(18100, host="0.0.0.0")
    create("dn-tests-10-host", f"--publish mode=host,target=80,published={port}")
    swarm.wait_tasks(swarm_client, "dn-tests-10-host", running=1, port=80)
    assert wait_http(f"http://127.0.0.1:{port}").title == WELCOME
    ports = sh("docker port $(docker ps -q --filter name=dn-tests-10-host)").stdout.split("\n")
    assert ports[:2] == [f"80/tcp -> 0.0.0.0:{port}", f"80/tcp -> [::]:{port}"], ports
    sh("docker service scale --detach dn-tests-10-host=2")
    tasks = swarm.wait_tasks(swarm_client, "dn-tests-10-host", running=1, pending=1)
    assert tasks.pending == ("no suitable node (host-mode port already in use on 1 node)",)
    assert "*:" in sh("docker service ps dn-tests-10-host").stdout


def test_a_host_address_in_publish_is_refused(swarm_client):
    """10: -p 127.0.0.1:P:80 on a service: the CLI refuses it ("hostip is not supported",
    exit 125), creates nothing, and the hook's sentence explains it."""
    done = sh(
        f"docker service create --detach {SERVICE_LABELS} --name dn-tests-10-local "
        "-p 127.0.0.1:18199:80 nginx:stable"
    )
    assert done.returncode == 125 and "hostip is not supported" in done.stdout, done.stdout
    assert "dn-tests-10-local" not in sh("docker service ls --format '{{.Name}}'").stdout
    assert_one_sentence(explain_cli_output(done.stdout))


def test_the_routing_mesh_forwards_only_with_ipvs(swarm_client):
    """10: IPVS is loaded exactly when /proc/sys/net/ipv4/vs exists; a port published
    through the mesh shows in docker service ls (*:P->80/tcp) with its task running, and
    answers only when the kernel has IPVS (here: refused, curl exit 7); the lab engine logs
    that it could not get IPVS from the kernel; a second service on the same port is
    refused (one sentence)."""
    facts = swarm.ipvs()
    assert facts.loaded == Path("/proc/sys/net/ipv4/vs").is_dir()
    port = free_port(18101, host="0.0.0.0")
    create("dn-tests-10-mesh", f"-p {port}:80")
    swarm.wait_tasks(swarm_client, "dn-tests-10-mesh", running=1, port=80)
    assert f"*:{port}->80/tcp" in sh("docker service ls --filter name=dn-tests-10-mesh").stdout
    curl = sh(f'curl -sS -m 5 -o /dev/null 127.0.0.1:{port}; echo "curl exit code: $?"')
    if facts.loaded:
        assert wait_http(f"http://127.0.0.1:{port}").title == WELCOME
    else:
        assert "curl exit code: 7" in curl.stdout and "Couldn't connect" in curl.stdout
        assert facts.config in (None, "# CONFIG_IP_VS is not set"), facts
        log = state_dir() / "dockerd.log"
        if log.exists():
            assert "Could not get ipvs family information from the kernel" in log.read_text(
                errors="replace"
            )
    taken = sh(f"docker service create --detach {SERVICE_LABELS} -p {port}:80 nginx:stable")
    assert f"port '{port}' is already in use by service 'dn-tests-10-mesh'" in taken.stdout
    assert_one_sentence(explain_cli_output(taken.stdout))


def test_a_host_port_taken_by_another_program_stops_the_wait_at_once(swarm_client):
    """10: a host-mode port another program holds: the task fails to start ("address
    already in use") and wait_tasks says so in one sentence at once, not after its
    timeout."""
    port = free_port(18102, host="0.0.0.0")
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("0.0.0.0", port))
        holder.listen()
        create("dn-tests-10-taken", f"--publish mode=host,target=80,published={port}")
        start = time.monotonic()
        with pytest.raises(TutorialError) as raised:
            swarm.wait_tasks(swarm_client, "dn-tests-10-taken", running=1, timeout=60)
        assert time.monotonic() - start < 30
    assert_one_sentence(str(raised.value))
    assert "already in use" in str(raised.value)


def test_running_a_service_create_cell_again_replaces_the_series_service_only(swarm_client):
    """The ``!`` hook: ``docker service create --name X`` again replaces the series' own X (a
    re-run cell), and refuses, in one sentence, an X the learner made."""
    from helpers.notebook import _replace_service

    create("tests-10-again")
    first = swarm_client.services.get("tests-10-again").id
    assert _replace_service(swarm_client, "tests-10-again") is None
    create("tests-10-again")
    assert swarm_client.services.get("tests-10-again").id != first

    done = sh("docker service create --detach --name tests-10-learners nginx:stable")
    assert done.returncode == 0, done.stdout
    try:
        sentence = _replace_service(swarm_client, "tests-10-learners")
        assert sentence and sentence.startswith("A swarm service named tests-10-learners exists")
        assert_one_sentence(sentence)
        assert swarm_client.services.get("tests-10-learners")  # untouched
    finally:
        sh("docker service rm tests-10-learners")
    assert _replace_service(swarm_client, "tests-10-nothing") is None
