"""The facts lesson 11 (a real Pod with Podman) states, checked with the real Podman (see
tests/claims.toml). The commands are the lesson's own, run through the shell as a learner types
them, with the series' settings (``helpers.pods.setup_podman``) in the environment; what a test
makes carries its own pseudo-notebook's label (or, for ``podman kube play``, annotation) and is
removed in teardown, and what a learner makes (no label) must survive the clean-up.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from support import assert_one_sentence, output_of, sh, skip_or_fail, stored_outputs

from helpers import cleanup, pods
from helpers.containers import free_port
from helpers.errors import explain_cli_output
from helpers.http import wait_http
from helpers.labels import project_labels
from helpers.notebook import label_docker_runs

NOTEBOOK = "tests-11"
LABELS = " ".join(f"--label {k}={v}" for k, v in project_labels(NOTEBOOK).items())
IMAGE = "docker.io/library/nginx:stable"
WELCOME = "Welcome to nginx!"
REQUEST = (
    'bash -c \'exec 3<>/dev/tcp/127.0.0.1/80; printf "GET / HTTP/1.0\\r\\n\\r\\n" >&3; '
    'grep -o "<title>.*</title>" <&3\''
)


def ours(command: str) -> subprocess.CompletedProcess:
    """``command`` with the test's labels added the way the notebook's ``!`` hook adds them."""
    done = sh(label_docker_runs(command, NOTEBOOK))
    assert done.returncode == 0, done.stdout
    return done


def inspect(name: str) -> dict:
    return json.loads(sh(f"podman inspect {name}").stdout)[0]


@pytest.fixture(scope="module")
def podman():
    """Podman with the series' settings, nginx:stable in its store (claimed by the test when
    it was absent, so teardown removes it again), and nothing of the test's left afterwards."""
    if not pods.podman_installed():
        skip_or_fail("Podman is not installed here: `make setup` installs it as root on Debian")
    saved = {k: os.environ.get(k) for k in ("CONTAINERS_CONF", "CONTAINERS_REGISTRIES_CONF")}
    setup = pods.setup_podman(None)
    pods.claim_pulls([IMAGE], NOTEBOOK)
    pulled = sh(f"podman pull {IMAGE}")
    assert pulled.returncode == 0, pulled.stdout
    yield setup
    pods.remove_leftovers(NOTEBOOK)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def pod(podman):
    """The lesson's Pod: nginx in a Pod publishing 127.0.0.1:<port>:80; yields (name, port)."""
    name, port = f"dn-{NOTEBOOK}-pod", free_port(18595)
    pods.remove_pods_and_containers(NOTEBOOK)
    ours(f"podman pod create --name {name} -p 127.0.0.1:{port}:80")
    ours(f"podman run -d --pod {name} --name dn-{NOTEBOOK}-web {IMAGE}")
    assert wait_http(f"http://127.0.0.1:{port}").title == WELCOME
    yield name, port
    pods.remove_pods_and_containers(NOTEBOOK)


# --------------------------------------------------------------------------- set-up


def test_podman_keeps_its_own_store_apart_from_dockers(podman, client):
    """11: Podman (Debian 12's 4.3) keeps its own images and containers, apart from the Docker
    Engine's, so it pulls an image Docker already has; its pull names the full reference."""
    assert re.fullmatch(r"podman version \d+\.\d+\.\d+\n", sh("podman --version").stdout)
    podman_root = sh("podman info --format '{{.Store.GraphRoot}}'").stdout.strip()
    assert podman_root and podman_root != client.info()["DockerRootDir"]
    assert not podman_root.startswith(client.info()["DockerRootDir"])
    again = sh(f"podman pull {IMAGE}").stdout
    assert f"Trying to pull {IMAGE}..." in again


def test_pulls_of_docker_io_come_from_the_lab_registry_mirror(podman):
    """11: with the series' registries.conf, docker.io/... is pulled from the lab registry (Docker
    Hub unreachable here), as the engine's registry-mirrors does for docker pull."""
    from helpers.registry_api import REGISTRY_HOST, hub_reachable, registry_answers

    if hub_reachable() or not registry_answers():
        skip_or_fail("this check needs the offline lab: no Docker Hub, the lab registry up")
    text = Path(os.environ["CONTAINERS_REGISTRIES_CONF"]).read_text()
    assert f'location = "{REGISTRY_HOST}"' in text and 'prefix = "docker.io"' in text
    assert sh(f"podman pull {IMAGE}").returncode == 0
    env = {**os.environ, "CONTAINERS_REGISTRIES_CONF": "/dev/null"}
    alone = sh(f"podman pull --retry 0 {IMAGE}", env=env)
    assert alone.returncode != 0, alone.stdout


def test_the_default_open_files_limit_breaks_container_starts_here_and_the_conf_fixes_it(podman):
    """11 (setup): Podman gives each container nofile=1048576 unless containers.conf says
    otherwise; above this machine's hard limit the start fails (runc: error setting rlimit), and
    ``default_ulimits = []`` lets containers keep the machine's limit."""
    hard = pods.nofile_hard_limit()
    env = {**os.environ, "CONTAINERS_CONF": "/dev/null"}
    name = f"dn-{NOTEBOOK}-ulimit"
    sh(f"podman rm -f {name}")
    try:
        made = sh(f"podman create {LABELS} --name {name} {IMAGE} sh -c 'ulimit -n'", env=env)
        assert made.returncode == 0, made.stdout
        limits = {u["Name"]: u for u in inspect(name)["HostConfig"]["Ulimits"]}
        assert limits["RLIMIT_NOFILE"]["Hard"] == pods.PODMAN_NOFILE
        started = sh(f"podman start -a {name}", env=env)
        if hard < pods.PODMAN_NOFILE:
            assert started.returncode != 0
            assert "error setting rlimit" in started.stdout, started.stdout
            assert podman.containers_conf is not None
            assert "default_ulimits = []" in podman.containers_conf.read_text()
            assert f"at most {hard} files" in str(podman)
        else:
            assert started.returncode == 0 and podman.containers_conf is None
    finally:
        sh(f"podman rm -f {name}")
    kept = sh(f"podman run --rm {LABELS} {IMAGE} sh -c 'ulimit -n'")
    assert kept.returncode == 0 and kept.stdout.strip() == str(min(hard, pods.PODMAN_NOFILE))


def test_without_podman_the_setup_and_a_podman_line_say_to_run_make_setup(monkeypatch):
    """11: no Podman installed: the setup cell says in one sentence to run make setup, a
    ``!podman`` line gets the same advice, and the series' clean-up skips Podman silently."""
    monkeypatch.setattr(pods.shutil, "which", lambda name: None)
    with pytest.raises(pods.PodmanMissing) as raised:
        pods.setup_podman("11")
    assert_one_sentence(str(raised.value))
    assert "make setup" in str(raised.value)
    assert pods.remove_leftovers(NOTEBOOK) == []
    said = sh("PATH=/nonexistent podman pod ps").stdout
    sentence = explain_cli_output(said)
    assert sentence and "make setup" in sentence, said
    assert_one_sentence(sentence)


def test_a_taken_port_gets_the_one_sentence(podman):
    """11: a Pod publishing a port another program holds fails to start, and the failed line
    gets the series' sentence for a port in use."""
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        name = f"dn-{NOTEBOOK}-busy"
        try:
            ours(f"podman pod create --name {name} -p 127.0.0.1:{port}:80")
            done = sh(label_docker_runs(f"podman run -d --pod {name} {IMAGE}", NOTEBOOK))
        finally:
            pods.remove_pods_and_containers(NOTEBOOK)
    assert done.returncode != 0
    assert "address already in use" in done.stdout, done.stdout
    assert "already in use" in (explain_cli_output(done.stdout) or "")


# --------------------------------------------------------------------------- the Pod


def test_a_pod_has_an_infra_container_from_the_pause_image_running_catatonit(podman):
    """11: ``podman pod create`` makes a Pod in state Created with one container, its infra
    container, from the locally built localhost/podman-pause image, running catatonit; the Pod's
    port shows on it."""
    name, port = f"dn-{NOTEBOOK}-empty", free_port(18695)
    try:
        ours(f"podman pod create --name {name} -p 127.0.0.1:{port}:80")
        about = json.loads(sh(f"podman pod inspect {name}").stdout)
        about = about[0] if isinstance(about, list) else about
        assert about["State"] == "Created" and about["NumContainers"] == 1
        infra = inspect(about["InfraContainerID"])
        assert infra["IsInfra"] and infra["ImageName"].startswith("localhost/podman-pause:")
        assert infra["Path"].endswith("catatonit")
        listing = sh(f"podman ps -a --pod --filter pod={name}").stdout
        assert f"127.0.0.1:{port}->80/tcp" in listing and "-infra" in listing
    finally:
        pods.remove_pods_and_containers(NOTEBOOK)


def test_the_pods_containers_share_the_infra_network_namespace_ip_and_localhost(pod):
    """11: nginx in the Pod runs in network mode container:<infra ID> (lesson 01's
    --network container:), both have one IP address, and another container in the Pod reaches
    nginx on 127.0.0.1:80."""
    name, _ = pod
    infra_id = json.loads(sh(f"podman pod inspect {name}").stdout)
    infra_id = (infra_id[0] if isinstance(infra_id, list) else infra_id)["InfraContainerID"]
    web = inspect(f"dn-{NOTEBOOK}-web")
    assert web["HostConfig"]["NetworkMode"] == f"container:{infra_id}"
    table = pods.pod_table(name)
    assert table["infra"].tolist() == [True, False]
    assert table["IP"].nunique() == 1 and table["IP"][0]
    reply = ours(f"podman run --rm --pod {name} {IMAGE} {REQUEST}").stdout
    assert f"<title>{WELCOME}</title>" in reply


def test_generate_kube_writes_the_pods_manifest_and_kube_play_brings_it_back(pod, tmp_path):
    """11: ``podman generate kube`` writes kind: Pod with the Pod's name, the container's full
    image name and its hostIP/hostPort, restartPolicy: Never, and warns that it cut the infra
    ID annotation to 63 characters; after ``podman pod rm -f``, ``podman kube play`` makes the
    Pod again (containers named <pod>-<container>), and it answers "Welcome to nginx!"."""
    name, port = pod
    yaml_path = tmp_path / f"{name}.yaml"
    done = sh(f"podman generate kube {name} > {yaml_path}")
    assert "Truncation Annotation" in done.stdout and "only allows 63 characters" in done.stdout
    text = yaml_path.read_text()
    assert "kind: Pod" in text and f"  name: {name}\n" in text
    assert f"- image: {IMAGE}" in text and f"name: dn-{NOTEBOOK}-web" in text
    assert "hostIP: 127.0.0.1" in text and f"hostPort: {port}" in text
    assert "restartPolicy: Never" in text
    assert re.search(r"SandboxID/\S+: [0-9a-f]{63}\n", text)
    assert sh(f"podman pod rm -f {name}").returncode == 0
    assert name not in sh(f"podman pod ps --filter name={name}").stdout
    played = ours(f"podman kube play {yaml_path}").stdout
    assert re.search(r"Pod:\n[0-9a-f]{64}\nContainer:\n[0-9a-f]{64}\n", played), played
    assert f"{name}-dn-{NOTEBOOK}-web" in sh(f"podman ps --pod --filter pod={name}").stdout
    assert wait_http(f"http://127.0.0.1:{port}").title == WELCOME
    assert WELCOME in sh(f"curl -s 127.0.0.1:{port} | grep Welcome").stdout


def test_kube_play_takes_no_label_so_the_hook_adds_annotations_that_cleanup_reads(pod, tmp_path):
    """11 (setup): Podman 4.3's ``kube play`` has --annotation and no --label; the hook's
    annotations land on the Pod's containers, and the clean-up finds that Pod by them."""
    help_text = sh("podman kube play --help").stdout
    assert "--annotation" in help_text and not re.search(r"\s--label\b", help_text)
    name, _ = pod
    yaml_path = tmp_path / "p.yaml"
    sh(f"podman generate kube {name} > {yaml_path}")
    sh(f"podman pod rm -f {name}")
    ours(f"podman kube play {yaml_path}")
    annotations = inspect(f"{name}-dn-{NOTEBOOK}-web")["Config"]["Annotations"]
    assert annotations["tutorial"] == "docker-notebooks"
    assert annotations["tutorial.notebook"] == NOTEBOOK
    assert name in [p["Name"] for p in pods.series_pods(NOTEBOOK)]


def test_a_rerun_replaces_the_series_pod_and_refuses_a_learners(pod, tmp_path):
    """11 (re-runnable cells): before a ``!podman`` line, the series' own Pod of the same name is
    removed (pod create, kube play); a learner's Pod of that name is refused in one sentence."""
    name, port = pod
    assert pods.make_room(f"podman pod create --name {name} -p 127.0.0.1:{port}:80") is None
    assert name not in sh("podman pod ps --format '{{.Name}}'").stdout.split()
    learners = "learners-own-pod-tests-11"
    sh(f"podman pod rm -f {learners}")
    try:
        assert sh(f"podman pod create --name {learners}").returncode == 0
        yaml_path = tmp_path / "l.yaml"
        yaml_path.write_text(f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {learners}\n")
        for line in (f"podman pod create --name {learners}", f"podman kube play {yaml_path}"):
            refusal = pods.make_room(line)
            assert refusal and learners in refusal, line
            assert_one_sentence(refusal)
        assert learners in sh("podman pod ps --format '{{.Name}}'").stdout.split()
    finally:
        sh(f"podman pod rm -f {learners}")


def test_the_clean_up_leaves_a_learners_pods_and_containers(pod, tmp_path, client):
    """11 (clean-up): the series' Pods and containers go, selected by label or annotation; a
    learner's own Pod (made by pod create, or by kube play), its containers and a learner's
    container outside any Pod stay."""
    name, _ = pod
    mine = "learners-own-tests-11"
    sh(f"podman pod rm -f {mine} {mine}-played; podman rm -f {mine}-alone")
    try:
        assert sh(f"podman pod create --name {mine}").returncode == 0
        assert sh(f"podman run -d --pod {mine} --name {mine}-web {IMAGE}").returncode == 0
        assert sh(f"podman run -d --name {mine}-alone {IMAGE}").returncode == 0
        yaml_path = tmp_path / "mine.yaml"
        sh(f"podman generate kube {mine} > {yaml_path}")
        played = yaml_path.read_text().replace(f"name: {mine}\n", f"name: {mine}-played\n")
        yaml_path.write_text(played)
        assert sh(f"podman kube play {yaml_path}").returncode == 0
        ours(f"podman run -d --name dn-{NOTEBOOK}-alone {IMAGE}")
        removed = cleanup.remove_leftovers(NOTEBOOK, client)  # what the lesson's cell runs
        assert ("podman pod", name) in removed
        assert ("podman container", f"dn-{NOTEBOOK}-alone") in removed
        left_pods = sh("podman pod ps --format '{{.Name}}'").stdout.split()
        assert mine in left_pods and f"{mine}-played" in left_pods and name not in left_pods
        left = sh("podman ps --format '{{.Names}}'").stdout.split()
        assert f"{mine}-web" in left and f"{mine}-alone" in left
    finally:
        sh(f"podman pod rm -f -t 0 {mine} {mine}-played; podman rm -f -t 0 {mine}-alone")


def test_kube_play_uses_a_network_with_dns_and_this_machine_has_no_syslog(pod, tmp_path):
    """11: the Pods ``kube play`` makes join podman-default-kube-network, which has DNS
    (aardvark-dns) enabled, unlike Podman's default network; this machine has no syslog socket
    (/dev/log), which is what the syslog line in the stored output is about."""
    name, _ = pod
    yaml_path = tmp_path / "dns.yaml"
    sh(f"podman generate kube {name} > {yaml_path}")
    sh(f"podman pod rm -f {name}")
    ours(f"podman kube play {yaml_path}")
    networks = inspect(f"{name}-dn-{NOTEBOOK}-web")["NetworkSettings"]["Networks"]
    assert "podman-default-kube-network" in networks, networks
    dns = "podman network inspect {} --format '{{{{.DNSEnabled}}}}'"
    assert sh(dns.format("podman-default-kube-network")).stdout.strip() == "true"
    assert sh(dns.format("podman")).stdout.strip() == "false"
    played = output_of(stored_outputs("11"), "!podman kube play")
    if "failed to connect to syslog" in played:
        assert not Path("/dev/log").exists()
        assert played.index("failed to connect to syslog") < played.index("Pod:")


# --------------------------------------------------------------------------- lab


def test_the_lab_installs_podman_idempotently_and_reports_its_version():
    """make setup installs Debian's podman with catatonit and netavark (a no-op when they are
    there) and lab-status reports its version; lessons never import helpers.lab."""
    from helpers.lab import commands
    from helpers.lab.podman import PODMAN_PACKAGES, ensure_podman

    assert {"podman", "catatonit", "netavark"} <= set(PODMAN_PACKAGES)
    if not pods.podman_installed():
        skip_or_fail("Podman is not installed here")
    version = ensure_podman()
    assert version == pods.podman_version()
    assert commands.status()["podman"] == version


# --------------------------------------------------------------------------- stored outputs


def test_11_stored_outputs_say_what_the_prose_says():
    """What 11's prose says about its outputs: the setup names the open-files limit and
    default_ulimits = []; the pull is of docker.io/library/nginx:stable; the new Pod is Created
    with one container, its infra container from localhost/podman-pause; nginx runs in network
    mode container:<infra ID>, the two share one IP; the extra container gets nginx's title on
    127.0.0.1:80; the YAML is kind: Pod with hostPort and restartPolicy: Never; nothing named
    dn-11-pod is left after pod rm; kube play prints the Pod and container IDs, names the
    container dn-11-pod-dn-11-web, and the Pod answers "Welcome to nginx!"; the check passes."""
    cells = stored_outputs("11")
    setup = output_of(cells, "from helpers.cleanup import cleanup")
    assert "default_ulimits = []" in setup and "1048576" in setup
    assert "Trying to pull docker.io/library/nginx:stable..." in output_of(cells, "!podman pull")
    created = output_of(cells, "!podman pod ps --filter name=dn-11-pod")
    assert re.search(r"dn-11-pod\s+Created\s+.*\s1\n", created), created
    infra = output_of(cells, "!podman ps -a --pod --filter pod=dn-11-pod")
    assert "localhost/podman-pause" in infra and "-infra" in infra
    mode = output_of(cells, "!podman inspect dn-11-web")
    infra_id = re.search(r"^([0-9a-f]{12})\s", infra.splitlines()[1]).group(1)
    assert mode.startswith(f"container:{infra_id}"), (mode, infra_id)
    ips = re.findall(r"\b(\d+\.\d+\.\d+\.\d+)\s*$", output_of(cells, "table = pod_table("), re.M)
    assert len(ips) == 2 and len(set(ips)) == 1, ips
    assert "True" in output_of(cells, '{"one IP address for the Pod"')
    assert f"<title>{WELCOME}</title>" in output_of(cells, "!podman run --rm --pod dn-11-pod")
    assert "only allows 63 characters" in output_of(cells, "!podman generate kube dn-11-pod")
    yaml = output_of(cells, "!cat work-11/dn-11-pod.yaml")
    assert "kind: Pod" in yaml and "restartPolicy: Never" in yaml and "hostPort:" in yaml
    assert "image: docker.io/library/nginx:stable" in yaml
    assert output_of(cells, "!podman pod exists dn-11-pod") == "exit code: 1\n"
    played = output_of(cells, "!podman kube play")
    assert re.search(r"Pod:\n[0-9a-f]{64}\nContainer:\n[0-9a-f]{64}\n", played), played
    names = output_of(cells, "!podman ps --pod --format").split()
    assert len(names) == 2 and names[0].endswith("-infra") and names[1] == "dn-11-pod-dn-11-web"
    assert f"<h1>{WELCOME}</h1>" in output_of(cells, "!curl -s 127.0.0.1:{PORT}")
    assert output_of(cells, "print(check_own_pod(").startswith("Pass:")
