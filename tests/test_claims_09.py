"""The facts lesson 09 (Compose) states, checked on the real engine (see tests/claims.toml).

The project is the lesson's own: its files are read from the notebook's ``%%writefile`` cells,
and only the project's name and the notebook label change (``tests-09-hello``,
``tutorial.notebook=tests-09``), so the tests never touch a run of the notebook itself. The
commands are the lesson's, run through the shell as a learner types them. Teardown removes the
project, what the tests labelled, and the build cache their builds made.
"""

from __future__ import annotations

import re
import socket
import subprocess
import time
from pathlib import Path

import jupytext
import pytest
from support import assert_one_sentence, sh, skip_or_fail

from helpers import build_cache, cleanup, series_lock
from helpers.compose import project_containers, replies_seen, wait_healthy
from helpers.containers import free_port
from helpers.errors import explain_cli_output
from helpers.labels import project_labels
from helpers.notebook import label_docker_runs
from helpers.polling import wait_for
from helpers.registry import ensure_image

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "notebooks" / "src" / "09-compose.py"
NOTEBOOK = "tests-09"
PROJECT = "tests-09-hello"
#: What the tests make beside the module's project (containers of their own, a second project),
#: under a label of its own, so removing it never touches the project the other tests use.
SCRATCH = "tests-09-scratch"
LABELS = " ".join(f"--label {k}={v}" for k, v in project_labels(SCRATCH).items())


def lesson_files() -> dict[str, str]:
    """The files lesson 09 writes, ``{path under work-09: text}``, from its %%writefile cells."""
    files = {}
    for cell in jupytext.read(SOURCE).cells:
        first, _, body = cell.source.partition("\n")
        if cell.cell_type == "code" and first.startswith("%%writefile work-09/"):
            files[first.removeprefix("%%writefile work-09/")] = body + "\n"
    return files


def write_project(folder: Path, name: str, notebook: str, nginx_conf: str | None = None) -> Path:
    """The lesson's project in ``folder``, renamed and labelled for ``notebook``."""
    for path, text in lesson_files().items():
        if path == "compose.yaml":
            text = text.replace("name: dn-09-hello", f"name: {name}")
            text = text.replace('tutorial.notebook: "09"', f'tutorial.notebook: "{notebook}"')
        if path == "nginx.conf" and nginx_conf is not None:
            text = nginx_conf
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text)
    return folder


def compose(folder: Path, args: str, port: int, **env) -> subprocess.CompletedProcess:
    return sh(f"docker compose {args}", cwd=folder, env={"PROXY_PORT": str(port), **env})


@pytest.fixture(scope="module")
def project(client, tmp_path_factory):
    """The lesson's project, built and up, with one app replica; removed at the end."""
    ensure_image("nginx:stable", client=client)
    folder = write_project(tmp_path_factory.mktemp("compose"), PROJECT, NOTEBOOK)
    port = free_port(18089)
    with build_cache.recording(NOTEBOOK, client):
        built = compose(folder, "build", port)
    assert built.returncode == 0, built.stdout
    up = compose(folder, "up -d", port)
    assert up.returncode == 0, up.stdout
    wait_healthy(client, PROJECT, "app")
    replies_seen(f"http://127.0.0.1:{port}", want=1)
    yield {"folder": folder, "port": port, "up": up.stdout}
    compose(folder, "down -v", port)
    cleanup.remove_leftovers(NOTEBOOK, client)
    cleanup.remove_leftovers(SCRATCH, client)


def scale(client, project, replicas: int) -> None:
    done = compose(project["folder"], f"up -d --scale app={replicas}", project["port"])
    assert done.returncode == 0, done.stdout
    wait_healthy(client, PROJECT, "app", replicas=replicas)


# --------------------------------------------------------------------------- the lab's image


def test_python_image_is_a_lab_build_of_debians_python_3_13(client, project):
    """09 setup: in this lab, python:3.13-slim is a lab build from Debian's packages."""
    from helpers import registry_api

    if registry_api.hub_reachable():
        pytest.skip("Docker Hub answers: python:3.13-slim comes from Docker Hub here")
    labels = registry_api.registry_image_labels("library/python", "3.13-slim")
    assert "lab build" in labels["org.opencontainers.image.title"]
    assert "not Docker's official image" in labels["org.opencontainers.image.description"]
    assert labels["org.opencontainers.image.version"].startswith("3.13.")
    app = project_containers(client, PROJECT, "app")[0]
    done = sh(f"docker exec {app.name} python --version")
    assert done.stdout.startswith("Python 3.13."), done.stdout


# --------------------------------------------------------------------------- labels and names


def test_the_notebook_hook_adds_no_labels_to_docker_compose():
    """09 §3: the ! lines do not label what docker compose makes, so compose.yaml must."""
    for line in ("docker compose up -d", "cd work-09 && docker compose up -d --scale app=2"):
        assert label_docker_runs(line, "09") == line


def test_every_object_of_the_project_carries_the_series_labels(client, project):
    """09 §3: containers, the network, the volume and the built image carry the labels."""
    wanted = project_labels(NOTEBOOK)
    compose_label = {"label": [f"com.docker.compose.project={PROJECT}"]}
    containers = client.containers.list(all=True, filters=compose_label)
    networks = client.networks.list(filters=compose_label)
    volumes = client.volumes.list(filters=compose_label)
    image = client.images.get(f"{PROJECT}-app")
    assert len(containers) == 2 and len(networks) == 1 and len(volumes) == 1
    for obj in [*containers, *networks, *volumes, image]:
        labels = obj.attrs.get("Labels") or obj.attrs.get("Config", {}).get("Labels") or {}
        assert {k: labels.get(k) for k in wanted} == wanted, obj


def test_names_are_project_service_number(client, project):
    """09 §4: containers are named project-service-number, the network project_network."""
    names = [c.name for c in project_containers(client, PROJECT)]
    assert names == [f"{PROJECT}-app-1", f"{PROJECT}-proxy-1"]
    assert client.networks.list(names=[f"{PROJECT}_backend"])
    assert f'Volume "{PROJECT}_visits"' in project["up"]


def test_the_hostname_is_the_first_12_characters_of_the_container_id(client, project):
    """09 §1: the app answers with its container's hostname, the ID's first 12 characters."""
    app = project_containers(client, PROJECT, "app")[0]
    reply = sh(f"curl -s 127.0.0.1:{project['port']}").stdout
    assert reply == f"Hello from {app.id[:12]}\n"


# --------------------------------------------------------------------------- health and order


def test_up_starts_the_proxy_only_once_the_app_is_healthy(project):
    """09 §4: the output of up shows the app Healthy before the proxy Starting."""
    lines = [" ".join(line.split()) for line in project["up"].splitlines()]
    healthy = lines.index(f"Container {PROJECT}-app-1 Healthy")
    starting = lines.index(f"Container {PROJECT}-proxy-1 Starting")
    assert lines.index(f"Container {PROJECT}-app-1 Started") < healthy < starting


def test_the_health_check_runs_every_second_and_the_proxy_has_none(client, project):
    app, proxy = project_containers(client, PROJECT)
    assert app.attrs["Config"]["Healthcheck"]["Interval"] == 1_000_000_000
    assert app.attrs["State"]["Health"]["Status"] == "healthy"
    assert "Health" not in proxy.attrs["State"]


def test_only_the_proxy_publishes_on_127_0_0_1(client, project):
    app, proxy = project_containers(client, PROJECT)
    assert not any(app.attrs["NetworkSettings"]["Ports"].values())
    bindings = proxy.attrs["NetworkSettings"]["Ports"]["80/tcp"]
    assert [(b["HostIp"], b["HostPort"]) for b in bindings] == [("127.0.0.1", str(project["port"]))]


def test_an_unhealthy_container_is_not_restarted(client, project):
    """09 §6: a failing health check marks the container unhealthy; the engine keeps it
    running, restart policy or not."""
    image = f"{PROJECT}-app"
    started = sh(
        f"docker run -d {LABELS} --restart unless-stopped --health-cmd false "
        f"--health-interval 1s --health-retries 1 {image} sleep 60"
    )
    assert started.returncode == 0, started.stdout
    container = client.containers.get(started.stdout.strip())
    try:

        def unhealthy():
            container.reload()
            return container.attrs["State"]["Health"]["Status"] == "unhealthy"

        wait_for(unhealthy, timeout=20, what="the container to be unhealthy")
        time.sleep(2)
        container.reload()
        assert container.attrs["State"]["Status"] == "running"
        assert container.attrs["RestartCount"] == 0
    finally:
        container.remove(force=True, v=True)


# --------------------------------------------------------------------------- restart and init


def test_restart_policy_and_init_are_set_as_with_docker_run(client, project):
    """09 §6: restart: unless-stopped and init: true land where docker run puts them."""
    done = sh(
        "docker inspect --format '{{.HostConfig.RestartPolicy.Name}} init={{.HostConfig.Init}}' "
        f"{PROJECT}-app-1"
    )
    assert done.stdout == "unless-stopped init=true\n"
    assert "docker-init" in sh(f"docker top {PROJECT}-app-1").stdout


def test_kill_1_ends_the_app_and_the_engine_restarts_it(client, project):
    """09 §6: kill 1 reaches Python through the init process; the container stops by itself
    (exit 143) and unless-stopped starts it again."""
    name = f"{PROJECT}-app-1"
    before = client.containers.get(name).attrs["RestartCount"]
    since = int(time.time()) - 1
    done = compose(project["folder"], "exec app sh -c 'kill 1'", project["port"])
    assert done.returncode == 0, done.stdout

    def restarted():
        attrs = client.containers.get(name).attrs
        return attrs["RestartCount"] > before and attrs["State"]["Status"] == "running"

    wait_for(restarted, timeout=30, what=f"{name} to restart")
    events = sh(
        f"docker events --since {since} --until {int(time.time()) + 1} "
        f"--filter container={name} --filter event=die "
        "--format '{{.Actor.Attributes.exitCode}}'"
    ).stdout.split()
    assert events and events[-1] == "143", events
    wait_healthy(client, PROJECT, "app")


def test_python_as_process_1_ignores_sigterm_and_init_passes_it_on(client, project):
    """09 §3: without an init, docker stop waits out its timeout and kills the app (137); with
    --init (init: true) the app ends at once on SIGTERM (143)."""
    image = f"{PROJECT}-app"
    results = {}
    for flag in ("", "--init"):
        started = sh(f"docker run -d {LABELS} {flag} {image}")
        assert started.returncode == 0, started.stdout
        container = client.containers.get(started.stdout.strip())
        try:
            wait_for(lambda c=container: "python" in sh(f"docker top {c.id}").stdout, timeout=10)
            began = time.monotonic()
            sh(f"docker stop -t 3 {container.id}")
            container.reload()
            results[flag] = (time.monotonic() - began, container.attrs["State"]["ExitCode"])
        finally:
            container.remove(force=True, v=True)
    assert results[""][0] >= 3 and results[""][1] == 137, results
    assert results["--init"][0] < 2 and results["--init"][1] == 143, results


# --------------------------------------------------------------------------- names and replicas


def test_containers_ask_dockers_dns_at_127_0_0_11(project):
    command = "exec proxy grep nameserver /etc/resolv.conf"
    done = compose(project["folder"], command, project["port"])
    assert done.stdout == "nameserver 127.0.0.11\n", done.stdout


def test_a_service_name_resolves_to_every_replica_and_the_proxy_reaches_both(client, project):
    """09 §7: after --scale app=2, Docker's DNS answers app with both replicas' addresses, and
    nginx (resolver + variable) spreads requests over both."""
    scale(client, project, 2)
    try:
        apps = project_containers(client, PROJECT, "app")
        addresses = {
            c.attrs["NetworkSettings"]["Networks"][f"{PROJECT}_backend"]["IPAddress"] for c in apps
        }
        done = compose(project["folder"], "exec proxy getent hosts app", project["port"])
        assert {line.split()[0] for line in done.stdout.splitlines()} == addresses
        seen = replies_seen(f"http://127.0.0.1:{project['port']}", want=2)
        assert seen == {f"Hello from {c.id[:12]}" for c in apps}
    finally:
        scale(client, project, 1)


def test_up_without_scale_goes_back_to_one_replica(client, project):
    """09 §8: --scale is not remembered: a plain up returns to the file's one container."""
    scale(client, project, 2)
    done = compose(project["folder"], "up -d", project["port"])
    assert done.returncode == 0, done.stdout
    assert f"Container {PROJECT}-app-2  Removed" in done.stdout
    assert [c.name for c in project_containers(client, PROJECT, "app", all=True)] == [
        f"{PROJECT}-app-1"
    ]


STATIC = """events {}

http {
    server {
        listen 80;

        location / {
            proxy_pass http://app:8000;
        }
    }
}
"""


def test_nginx_looks_up_a_name_in_proxy_pass_once_at_start(client, tmp_path):
    """09 §2: with the name straight in proxy_pass, a replica added later gets no request until
    nginx reloads; after `nginx -s reload` both answer."""
    name = "tests-09-static"
    folder = write_project(tmp_path, name, SCRATCH, nginx_conf=STATIC)
    port = free_port(18189)
    url = f"http://127.0.0.1:{port}"
    try:
        with build_cache.recording(SCRATCH, client):
            assert compose(folder, "up -d", port).returncode == 0
        wait_healthy(client, name, "app")
        assert len(replies_seen(url, want=1)) == 1
        assert compose(folder, "up -d --scale app=2", port).returncode == 0
        wait_healthy(client, name, "app", replicas=2)
        time.sleep(2)  # longer than the lesson's valid=1s: no lookup happens anyway
        assert len(replies_seen(url, want=2, timeout=3)) == 1
        assert compose(folder, "exec proxy nginx -s reload", port).returncode == 0
        assert len(replies_seen(url, want=2)) == 2
    finally:
        compose(folder, "down -v", port)
        cleanup.remove_leftovers(SCRATCH, client)


RESOLVE = """events {}
http {
    resolver 127.0.0.11;
    upstream app {
        zone app 64k;
        server app:8000 resolve;
    }
    server {
        listen 80;
        location / { proxy_pass http://app; }
    }
}
"""


def test_upstream_resolve_needs_nginx_1_27_3_and_stable_is_1_26(client, tmp_path):
    """09 §2: `server app:8000 resolve;` is refused by nginx:stable (Debian 13's 1.26) and
    accepted by nginx:latest (Debian's 1.30 here)."""
    ensure_image("nginx:latest", client=client)
    conf = tmp_path / "nginx.conf"
    conf.write_text(RESOLVE)
    mount = f"-v {conf}:/etc/nginx/nginx.conf:ro"
    stable = sh(f"docker run --rm {LABELS} {mount} nginx:stable nginx -t")
    latest = sh(f"docker run --rm {LABELS} {mount} nginx:latest nginx -t")
    assert stable.returncode == 1 and 'invalid parameter "resolve"' in stable.stdout
    assert latest.returncode == 0, latest.stdout
    version = sh(f"docker run --rm {LABELS} nginx:stable nginx -v").stdout
    assert re.search(r"nginx/1\.26\.", version), version
    version = sh(f"docker run --rm {LABELS} nginx:latest nginx -v").stdout
    major, minor, patch = map(int, re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", version).groups())
    assert (major, minor, patch) >= (1, 27, 3), version


# --------------------------------------------------------------------------- variables


def test_proxy_port_defaults_to_8089_and_the_shell_wins_over_dotenv(tmp_path):
    """09 §3: ${PROXY_PORT:-8089} is 8089 when unset; .env sets it; the shell's value wins."""
    import os

    folder = write_project(tmp_path, "tests-09-config", SCRATCH)
    env = {k: v for k, v in os.environ.items() if k != "PROXY_PORT"}

    def published(extra: dict) -> str:
        done = subprocess.run(
            ["docker", "compose", "config", "--format", "json"],
            cwd=folder, env={**env, **extra}, capture_output=True, text=True,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        import json

        return json.loads(done.stdout)["services"]["proxy"]["ports"][0]["published"]

    assert published({}) == "8089"
    (folder / ".env").write_text("PROXY_PORT=18090\n")
    assert published({}) == "18090"
    assert published({"PROXY_PORT": "18091"}) == "18091"


# --------------------------------------------------------------------------- the taken port


def test_a_taken_port_stops_up_half_done_with_one_sentence(client, project):
    """09 §8: up with a published port another program holds fails; the app keeps running, the
    new proxy container stays Created, one plain sentence says what to do, and up again
    repairs it."""
    squatter = socket.create_server(("127.0.0.1", 0))
    busy = squatter.getsockname()[1]
    try:
        done = compose(project["folder"], "up -d", busy)
    finally:
        squatter.close()
    assert done.returncode != 0
    assert f"127.0.0.1:{busy}: bind: address already in use" in done.stdout
    sentence = explain_cli_output(done.stdout)
    assert sentence and sentence.startswith(f"A host port that {PROJECT}-proxy-1 publishes")
    assert_one_sentence(sentence)
    states = {c.name: c.status for c in project_containers(client, PROJECT, all=True)}
    assert states == {f"{PROJECT}-app-1": "running", f"{PROJECT}-proxy-1": "created"}
    again = compose(project["folder"], "up -d", project["port"])
    assert again.returncode == 0, again.stdout
    assert replies_seen(f"http://127.0.0.1:{project['port']}", want=1)


def test_a_taken_port_with_docker_run_keeps_the_general_sentence(client):
    """The compose sentence is only for compose's output: docker run gets the general one."""
    squatter = socket.create_server(("127.0.0.1", 0))
    busy = squatter.getsockname()[1]
    try:
        done = sh(f"docker run -d {LABELS} -p 127.0.0.1:{busy}:80 nginx:stable")
    finally:
        squatter.close()
        cleanup.remove_leftovers(SCRATCH, client)
    assert done.returncode != 0
    sentence = explain_cli_output(done.stdout)
    assert sentence and sentence.startswith("A host port this command publishes")


# --------------------------------------------------------------------------- down, volumes


def test_down_keeps_the_volume_and_its_data_and_down_v_removes_it(client, project, tmp_path):
    """09 §9: down removes containers and network, keeps the named volume with its data (and
    the image); up finds the data again; down -v removes the volume."""
    folder, port = project["folder"], project["port"]
    volume = f"{PROJECT}_visits"
    sh(f"curl -s 127.0.0.1:{port}")
    before = compose(folder, "exec app cat /data/visits.log", port).stdout
    assert before.strip()
    down = compose(folder, "down", port)
    assert down.returncode == 0 and f"Network {PROJECT}_backend  Removed" in down.stdout
    assert not project_containers(client, PROJECT, all=True)
    assert client.volumes.get(volume) and client.images.get(f"{PROJECT}-app")
    assert compose(folder, "up -d", port).returncode == 0
    wait_healthy(client, PROJECT, "app")
    after = compose(folder, "exec app cat /data/visits.log", port).stdout
    assert after.startswith(before)
    assert compose(folder, "down -v", port).returncode == 0
    assert not client.volumes.list(filters={"name": f"^{volume}$"})
    assert compose(folder, "up -d", port).returncode == 0  # for the tests that follow
    wait_healthy(client, PROJECT, "app")


# --------------------------------------------------------------------------- yours untouched


LEARNERS = """name: my-own-09
services:
  web:
    image: nginx:stable
    volumes:
      - mine:/srv
    networks:
      - mynet
networks:
  mynet:
volumes:
  mine:
"""


@pytest.mark.usefixtures("series_lock_released")
def test_a_learners_own_compose_project_survives_the_lessons_clean_up(client, tmp_path):
    """Lesson 09's clean-up removes its project by label and never a project of yours."""
    import docker

    ensure_image("nginx:stable", client=client)
    if client.containers.list(all=True, filters={"name": "^my-own-09-web-1$"}):
        skip_or_fail("a container my-own-09-web-1 exists here already: it is not the test's")
    (tmp_path / "compose.yaml").write_text(LEARNERS)
    ours = write_project(tmp_path / "ours", "dn-09-hello", "09")
    port = free_port(18289)
    try:
        assert sh("docker compose up -d", cwd=tmp_path).returncode == 0
        series_lock.acquire("09")
        try:
            with build_cache.recording("09", client):
                assert compose(ours, "up -d", port).returncode == 0
            assert project_containers(client, "dn-09-hello")
            removed = cleanup.remove_leftovers("09", client)
        finally:
            series_lock.release("09")
        kinds = {kind for kind, _ in removed}
        assert {"container", "network", "volume", "image"} <= kinds
        assert not project_containers(client, "dn-09-hello", all=True)
        assert client.containers.get("my-own-09-web-1").status == "running"
        client.networks.get("my-own-09_mynet")
        client.volumes.get("my-own-09_mine")
    except docker.errors.NotFound as exc:
        pytest.fail(f"the learner's project lost something: {exc}")
    finally:
        sh("docker compose down -v", cwd=tmp_path)
        compose(ours, "down -v --rmi local", port)
        build_cache.release("09", client)
