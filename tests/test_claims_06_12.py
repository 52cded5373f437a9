"""The facts lessons 06 (publishing ports) and 12 (cleaning up) state, checked on the real engine
(see tests/claims.toml). The commands are the lessons' own, run through the shell as a learner
types them; what a test creates carries the series' label for its own pseudo-notebook and is
removed in teardown. Where a lesson's command selects the whole series
(``--filter label=tutorial=docker-notebooks``), the test selects its own pseudo-notebook's label
instead, so it never removes what another test or notebook is using at the same time.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support import output_of, sh, skip_or_fail, stored_outputs

from helpers import cleanup
from helpers.containers import free_port, port_is_free
from helpers.http import http_get, published_pages, wait_http
from helpers.labels import project_labels
from helpers.registry import ensure_image
from helpers.runtime import wait_listening

NOTEBOOK = "tests-06-12"
LABELS = " ".join(f"--label {k}={v}" for k, v in project_labels(NOTEBOOK).items())
#: The test's own label, standing in for the lessons' ``tutorial=docker-notebooks``.
OUR_LABEL = f"tutorial.notebook={NOTEBOOK}"
OURS = f"label={OUR_LABEL}"
WELCOME = "Welcome to nginx!"


def docker_run(flags: str, image: str = "nginx", command: str = "") -> str:
    """``docker run -d`` with the test's labels; returns the new container's ID."""
    done = sh(f"docker run -d {LABELS} {flags} {image} {command}")
    assert done.returncode == 0, done.stdout
    return done.stdout.strip().splitlines()[-1]


def run_to_the_end(image: str, command: str) -> str:
    """A labelled container that runs ``command`` and stops, like the lesson's ``once-12``."""
    container_id = docker_run("", image, command)
    assert sh(f"docker wait {container_id}").stdout.strip() == "0"
    return container_id


def host_network_address() -> str:
    """This host's first network address, as the lesson takes it (``hostname -I``)."""
    words = sh("hostname -I").stdout.split()
    addresses = [w for w in words if "." in w and not w.startswith("127.")]
    if not addresses:
        skip_or_fail("this host has no network address besides the loopback")
    return addresses[0]


@pytest.fixture(scope="module")
def nginx(client):
    ensure_image("nginx:latest", client=client)
    ensure_image("nginx:stable", client=client)
    yield "nginx"
    cleanup.remove_leftovers(NOTEBOOK, client)


# --------------------------------------------------------------------------- 06


def test_without_publishing_127_0_0_1_refuses_and_the_bridge_address_answers(client, nginx):
    """06: curl to the host's 127.0.0.1 fails (exit 7, "Couldn't connect to server") while nginx
    listens in the container; curl to the container's bridge address gets the welcome page."""
    if not port_is_free(80):
        skip_or_fail("something on this host listens on port 80 already")
    hidden = client.containers.get(docker_run("--restart always", nginx))
    wait_listening(hidden, 80)
    hidden.reload()
    assert not hidden.attrs["HostConfig"].get("PortBindings")
    refused = sh("curl -sS 127.0.0.1")
    assert refused.returncode == 7, refused.stdout
    assert re.search(r"Could(n't| not) connect to server", refused.stdout), refused.stdout
    assert http_get("http://127.0.0.1:80").error == "Connection refused"
    ip = sh(f"docker inspect --format '{{{{.NetworkSettings.IPAddress}}}}' {hidden.id}").stdout
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", ip.strip()), ip
    page = sh(f"curl -s {ip.strip()} | grep Welcome").stdout
    assert f"<h1>{WELCOME}</h1>" in page


def test_docker_update_has_no_option_to_publish_a_port():
    """06: published ports are fixed at creation; ``docker update`` changes resources and the
    restart policy, and has no ``-p``/``--publish``."""
    help_text = sh("docker update --help").stdout
    assert "--restart" in help_text and "--memory" in help_text, help_text
    assert not re.search(r"(^|\s)(-p,|--publish)", help_text), help_text


def test_publishing_on_127_0_0_1_answers_there_and_not_on_the_host_network_address(client, nginx):
    """06: ``-p 127.0.0.1:P:80``: curl on 127.0.0.1:P gets the welcome page, ``docker port``
    says ``80/tcp -> 127.0.0.1:P``, and the host's network address does not answer on P."""
    port = free_port(18090)
    name = docker_run(f"-p 127.0.0.1:{port}:80 --restart always", nginx)
    assert wait_http(f"http://127.0.0.1:{port}").title == WELCOME
    assert WELCOME in sh(f"curl -s 127.0.0.1:{port} | grep Welcome").stdout
    assert sh(f"docker port {name}").stdout.split("\n")[0] == f"80/tcp -> 127.0.0.1:{port}"
    ps = sh(f"docker ps -f id={name}").stdout
    assert f"127.0.0.1:{port}->80/tcp" in ps, ps
    assert http_get(f"http://{host_network_address()}:{port}").error == "Connection refused"


@pytest.mark.parametrize("publish", ["-p {port}:80", "-p 80"])
def test_publishing_without_an_address_listens_on_every_interface(client, nginx, publish):
    """06: without an address (``-p 8080:80`` or ``-p 80``) the port is published on 0.0.0.0
    (and ``[::]`` where the host has IPv6), and the host's network address answers on it."""
    container = client.containers.get(
        docker_run(publish.format(port=free_port(18190, host="0.0.0.0")), nginx)
    )
    container.reload()
    bindings = container.ports["80/tcp"]
    assert {b["HostIp"] for b in bindings} <= {"0.0.0.0", "::"}
    assert "0.0.0.0" in {b["HostIp"] for b in bindings}
    port = bindings[0]["HostPort"]
    lines = sh(f"docker port {container.id}").stdout.split()
    assert f"0.0.0.0:{port}" in lines
    wait_http(f"http://127.0.0.1:{port}")
    assert http_get(f"http://{host_network_address()}:{port}").title == WELCOME


def test_dash_p_80_is_not_8080_the_engine_picks_an_ephemeral_host_port(client, nginx):
    """06: ``-p 80`` names only the container port; the engine picks a free host port from the
    kernel's ephemeral range (``ip_local_port_range``), a different one for each container."""
    low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    picked = []
    for _ in range(2):
        container = client.containers.get(docker_run("-p 80", nginx))
        container.reload()
        picked.append(int(container.ports["80/tcp"][0]["HostPort"]))
    assert all(low <= port <= high for port in picked), (picked, low, high)
    assert 8080 not in picked and 80 not in picked
    assert picked[0] != picked[1]


def test_the_exercise_check_tells_local_from_every_interface(client, nginx):
    """06's check: ``published_pages`` finds a container published on 127.0.0.1 answering with
    the welcome page, and tells one published on every interface apart."""
    local_port, open_port = free_port(18290), free_port(18390, host="0.0.0.0")
    local = docker_run(f"-p 127.0.0.1:{local_port}:80", nginx)
    everywhere = docker_run(f"-p {open_port}:80", nginx)
    names = {c.id: c.name for c in client.containers.list(filters={"label": OUR_LABEL})}
    pages = {p.name: p for p in published_pages(client) if p.name in names.values()}
    assert pages[names[local]].local_only
    assert pages[names[local]].reply.title == WELCOME
    assert not pages[names[everywhere]].local_only
    assert pages[names[everywhere]].reply.title == WELCOME


# --------------------------------------------------------------------------- 12


@pytest.fixture
def learners_own(client, nginx):
    """A container made the way a learner makes one in a terminal: no label at all. The test's
    own labelled containers from earlier tests are removed first, so the test starts clean."""
    cleanup.remove_leftovers(NOTEBOOK, client)
    done = sh(f"docker run -d --name learners-own-{NOTEBOOK} nginx:stable")
    assert done.returncode == 0, done.stdout
    container_id = done.stdout.strip()
    yield container_id
    sh(f"docker rm -f {container_id}")


def test_rm_by_label_removes_the_labelled_and_never_an_unlabelled_container(
    client, nginx, learners_own
):
    """12: ``docker ps -a --filter label=...`` lists running and stopped labelled containers and
    not the learner's; ``docker rm -f $(docker ps -aq --filter label=...)`` removes exactly
    those."""
    running = docker_run("", "nginx:stable")
    stopped = run_to_the_end("nginx:stable", "echo done")
    listed = sh(f"docker ps -a --filter {OURS} --format '{{{{.ID}}}}'").stdout.split()
    assert sorted(listed) == sorted([running[:12], stopped[:12]])
    assert stopped[:12] not in sh(f"docker ps --filter {OURS} -q").stdout.split()
    removed = sh(f"docker rm -f $(docker ps -aq --filter {OURS})")
    assert removed.returncode == 0, removed.stdout
    assert sorted(removed.stdout.split()) == sorted(listed)
    assert sh(f"docker ps -aq --filter {OURS} | wc -l").stdout.strip() == "0"
    mine = sh(f"docker ps --filter id={learners_own} --format '{{{{.Status}}}}'").stdout
    assert mine.startswith("Up"), mine


def test_rm_with_nothing_selected_requires_an_argument_and_removes_nothing(client, nginx):
    """12: run again with nothing left to select, ``docker rm -f $(...)`` gets no argument."""
    cleanup.remove_leftovers(NOTEBOOK, client)
    before = {c.id for c in client.containers.list(all=True)}
    done = sh(f"docker rm -f $(docker ps -aq --filter {OURS})")
    assert done.returncode != 0
    assert "requires at least 1 argument" in done.stdout, done.stdout
    assert before <= {c.id for c in client.containers.list(all=True)}


def test_label_and_status_filters_must_both_match(client, nginx, learners_own):
    """12's exercise: ``docker ps -q --filter label=... --filter status=exited`` lists the
    labelled stopped containers only (not the running one, not an unlabelled stopped one)."""
    sh(f"docker stop {learners_own}")
    docker_run("", "nginx:stable")
    stopped = run_to_the_end("nginx:stable", "echo done")
    found = sh(f"docker ps -q --filter {OURS} --filter status=exited").stdout.split()
    assert found == [stopped[:12]]


def test_filter_is_the_long_form_of_f():
    """12: ``--filter`` and lesson 05's ``-f`` are the same option of ``docker ps``."""
    assert re.search(r"-f, --filter", sh("docker ps --help").stdout)


def test_the_engine_has_the_compose_plugin():
    """12: the lab engine has the Compose plugin (``docker compose version``)."""
    done = sh("docker compose version")
    assert done.returncode == 0 and done.stdout.startswith("Docker Compose version"), done.stdout


# --------------------------------------------------------------------------- setup re-run


def test_free_port_counts_the_notebooks_own_port_as_free(client, nginx):
    """06's setup: re-run mid-lesson, ``free_port(..., notebook=, client=)`` keeps the port the
    lesson's own container publishes (its cells replace that container); another program's port
    is still taken."""
    port = free_port(18490)
    docker_run(f"-p 127.0.0.1:{port}:80", nginx)
    assert not port_is_free(port)
    assert free_port(port, notebook=NOTEBOOK, client=client) == port
    assert free_port(port, notebook=f"{NOTEBOOK}-other", client=client) != port


# --------------------------------------------------------------------------- stored outputs


def test_06_stored_outputs_say_what_the_prose_says():
    """What 06's prose says about its outputs: curl exit 7 "Couldn't connect to server" on
    127.0.0.1; the bridge address and the published port answer "Welcome to nginx!"; ``docker
    port`` shows 127.0.0.1 for nginx-exposed and 0.0.0.0/[::] on a picked port (neither 80 nor
    8080) for ``-p 80``; the host's network address refuses the local-only port and answers on the
    picked one; the exercise's check passes."""
    cells = stored_outputs("06")
    refused = output_of(cells, "!curl -sS 127.0.0.1;")
    assert "Couldn't connect to server" in refused and "curl exit code: 7" in refused
    assert "Connection refused" not in refused
    assert f"<h1>{WELCOME}</h1>" in output_of(cells, "if bridge_ip_answers(")
    assert f"<h1>{WELCOME}</h1>" in output_of(cells, "!curl -s 127.0.0.1:{PORT} | grep Welcome")
    assert "127.0.0.1:" in output_of(cells, "!docker ps -f name=nginx-exposed")
    assert re.fullmatch(
        r"80/tcp -> 127\.0\.0\.1:\d+\n", output_of(cells, "!docker port nginx-exposed")
    )
    picked = output_of(cells, "!docker port dn-06-everywhere")
    ports = set(re.findall(r"80/tcp -> (?:0\.0\.0\.0|\[::\]):(\d+)", picked))
    low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    assert ports and all(low <= int(p) <= high for p in ports), picked
    assert "0.0.0.0:" in picked
    both = output_of(cells, "%%bash -s {PORT}")
    assert "Couldn't connect to server" in both and f"<h1>{WELCOME}</h1>" in both
    assert both.index("Couldn't connect") < both.index(WELCOME)
    assert output_of(cells, "print(check_published_on_loopback(").startswith("Pass:")


def test_12_stored_outputs_say_what_the_prose_says():
    """What 12's prose says about its outputs: the labels are the series' and the lesson's; the
    label listing shows web-12 and once-12 (stopped) and not the learner's container; rm removed
    two; none is left; the learner's container is still up; the exercise's check passes."""
    cells = stored_outputs("12")
    assert output_of(cells, "!docker inspect --format").strip() == "docker-notebooks 12"
    listing = output_of(cells, "!docker ps -a --filter label=tutorial=docker-notebooks")
    assert "web-12" in listing and "once-12" in listing and "my-own-nginx-12" not in listing
    assert re.search(r"Exited \(0\).*once-12", listing)
    assert len(output_of(cells, "!docker rm -f $(docker ps -aq").split()) == 2
    assert (
        output_of(cells, "!docker ps -aq --filter label=tutorial=docker-notebooks | wc -l") == "0\n"
    )
    assert output_of(cells, "!docker ps --filter 'name=^my-own-nginx-12$'").startswith(
        "my-own-nginx-12: Up"
    )
    assert output_of(cells, "print(check_stopped_ids(").startswith("Pass:")
