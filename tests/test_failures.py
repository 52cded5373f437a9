"""Each way a lesson can fail says, in one sentence, what is wrong and what to do, and leaves
nothing half made. Every failure here is produced for real: a user without the docker group, a
taken port, a stopped registry, an engine with no mirror, an interrupted pull.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import docker
import nbformat
import pytest
from nbclient import NotebookClient
from support import assert_one_sentence, skip_or_fail

from helpers import cleanup, engine, i18n, lab, registry, registry_api
from helpers.errors import EnginePermissionDenied, RegistryUnreachable, TutorialError
from helpers.lab import daemon, records

ROOT = Path(__file__).resolve().parent.parent
NOBODY = 65534


def _needs_root():
    if os.geteuid() != 0:
        message = "this failure is produced as root (it needs another user, or the lab's processes)"
        skip_or_fail(message)


def _as_nobody(function) -> str:
    """Run ``function`` in a child process as the unprivileged user nobody; return its message."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: drop to nobody, outside every group
        os.close(read)
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            message = function()
        except BaseException as exc:  # report whatever happened to the parent
            message = f"{type(exc).__name__}: {exc}"
        os.write(write, message.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        message = pipe.read()
    os.waitpid(pid, 0)
    return message


def test_socket_permission_denied_for_a_user_outside_the_docker_group(client):
    _needs_root()
    endpoint = engine.resolve_endpoint()
    if not endpoint.host.startswith("unix://"):
        pytest.skip("the engine is not reached through a Unix socket")

    def connect_as_nobody() -> str:
        try:
            engine.connect(endpoint)
        except TutorialError as exc:
            return f"{type(exc).__name__}: {exc}"
        return "connected"

    message = _as_nobody(connect_as_nobody)
    kind, _, sentence = message.partition(": ")
    assert kind == EnginePermissionDenied.__name__, message
    assert_one_sentence(sentence)
    assert "docker group" in sentence or "sudo" in sentence, sentence


def test_taken_port_8080_lesson_goes_on_with_a_free_port_and_says_so(client):
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            squatter.bind(("127.0.0.1", 8080))
        except OSError:
            pytest.skip("port 8080 is already taken on this machine by another program")
        squatter.listen()
        notebook = nbformat.read(ROOT / "notebooks" / "06-publishing-ports.ipynb", as_version=4)
        NotebookClient(
            notebook, timeout=300, resources={"metadata": {"path": str(ROOT / "notebooks")}}
        ).execute()
    texts = [
        output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    ]
    said = [t for t in texts if "Port 8080 is taken" in t]
    assert said and "so this lesson uses 8081" in said[0], said
    assert any("Welcome to nginx!" in t for t in texts)
    assert not client.containers.list(all=True, filters={"label": "tutorial.notebook=06"})


@pytest.mark.slow
def test_hub_unreachable_and_no_mirror_says_how_to_get_one(client):
    """A second engine with no mirror configured, on a machine that cannot reach Docker Hub."""
    _needs_root()
    if registry_api.hub_reachable():
        pytest.skip("Docker Hub is reachable here")
    from helpers.lab.scratch import scratch_engine

    with scratch_engine("no-mirror-engine") as bare, pytest.raises(RegistryUnreachable) as info:
        registry.pull("nginx:stable", client=bare.client, progress=False)
    assert_one_sentence(str(info.value))
    assert "registry-mirrors" in str(info.value) or "make setup" in str(info.value)


@pytest.fixture
def absent_nginx_latest(client):
    """nginx:latest not present, claimed for this test (the series' own copy may go)."""
    ref = "nginx:latest"
    if cleanup.claim_fresh([ref], notebook="tests-failures", client=client) != [ref]:
        cleanup.release_pulls("tests-failures", client=client)
        message = f"{ref} is here and is not the series': it cannot be pulled fresh"
        skip_or_fail(message)
    yield ref
    cleanup.release_pulls("tests-failures", client=client)


def test_lab_registry_stopped_mid_series_then_up_repairs_it(client, absent_nginx_latest):
    _needs_root()
    state = records.load_state()
    pid = (state.get("registry") or {}).get("pid")
    if not pid or not registry_api.registry_answers():
        pytest.skip("the lab registry is not running here")
    daemon.stop_pid(pid, "docker-registry")
    try:
        with pytest.raises(RegistryUnreachable) as info:
            registry.pull(absent_nginx_latest, client=client, progress=False)
        assert_one_sentence(str(info.value))
        assert "make setup" in str(info.value)
    finally:
        lab.up()
    assert registry_api.registry_answers()
    layers = registry.pull(absent_nginx_latest, client=client, progress=False)
    assert layers.attrs["status"].startswith("Downloaded newer image")


def test_interrupted_pull_then_run_again(client, absent_nginx_latest):
    """A kernel interrupt lands while layers download; running the cell again completes it."""

    class InterruptingBar:
        """Progress bar that interrupts the pull at its first progress update, as Ctrl-C would."""

        def __init__(self, *args, **kwargs):
            self.n, self.total = 0, kwargs.get("total", 0)

        def update(self, n):
            raise KeyboardInterrupt

        def close(self):
            pass

    with pytest.raises(KeyboardInterrupt):
        registry.pull(absent_nginx_latest, client=client, progress=InterruptingBar)
    with pytest.raises(docker.errors.ImageNotFound):  # nothing half made carries the tag
        client.images.get(absent_nginx_latest)

    layers = registry.pull(absent_nginx_latest, client=client, progress=False)
    assert layers.attrs["status"].startswith("Downloaded newer image")
    image = client.images.get(absent_nginx_latest)
    assert len(image.attrs["RootFS"]["Layers"]) == len(layers)
    assert client.containers.run(image.id, ["nginx", "-v"], remove=True, stderr=True)


def test_taken_host_port_leaves_no_half_made_container(client):
    from helpers.containers import run
    from helpers.errors import PortInUse

    ensure_image = registry.ensure_image
    ensure_image("nginx:stable", client=client)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(PortInUse) as info:
            run(client, "nginx:stable", "test", "taken", notebook="tests", ports={"80/tcp": port})
    assert_one_sentence(str(info.value))
    assert not client.containers.list(all=True, filters={"name": "dn-test-taken"})


def test_missing_image_is_one_sentence_and_nothing_is_created(client):
    from helpers.containers import run
    from helpers.errors import ImageNotFound

    with pytest.raises(ImageNotFound) as info:
        run(client, "dn-no-such-image:1", "test", "missing", notebook="tests")
    assert_one_sentence(str(info.value))
    assert not client.containers.list(all=True, filters={"name": "dn-test-missing"})


@pytest.mark.parametrize(
    "language, locale", [("en", "C.UTF-8"), ("ko", "C.UTF-8"), (None, "ko_KR.UTF-8")]
)
def test_no_engine_at_docker_host_is_one_sentence_in_the_learners_language(
    tmp_path, language, locale
):
    """The same failure (DOCKER_HOST names a socket that does not exist), met by the setup call
    in a process of its own: its ``language`` (or else the learner's locale) chooses whether the
    one sentence is English or Korean; the cause and the fix it names are the same."""
    host = f"unix://{tmp_path / 'no-engine' / 'docker.sock'}"
    code = (
        "from helpers.errors import learner_message\n"
        "from helpers.notebook import setup_notebook\n"
        "try:\n"
        f"    setup_notebook(language={language!r})\n"
        "except Exception as exc:\n"
        "    print(learner_message(exc))\n"
        "else:\n"
        "    print('connected')\n"
    )
    chosen_elsewhere = ("DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "LC_ALL",
                        "LC_MESSAGES", "LANGUAGE", i18n.LANGUAGE_ENV)  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in chosen_elsewhere}
    env.update(DOCKER_HOST=host, LANG=locale)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    kind, _colon, sentence = done.stdout.strip().partition(": ")
    assert kind == "EngineUnavailable", done.stdout + done.stderr
    assert_one_sentence(sentence)
    korean = language == "ko" or locale.startswith("ko")
    i18n.set_language("ko" if korean else "en")
    try:
        expected = i18n._("No Docker Engine answers at {where} ({source}): {hint}.").format(
            where=host,
            source="DOCKER_HOST",
            hint=i18n._("fix or unset DOCKER_HOST, or start the engine it names"),
        )
    finally:
        i18n.set_language(None)
    assert sentence == expected
    assert host in sentence and "DOCKER_HOST" in sentence
    if korean:
        assert re.search(r"[\uac00-\ud7a3]", sentence), sentence
    else:
        assert sentence.startswith(
            f"No Docker Engine answers at {host} (DOCKER_HOST): fix or unset"
        )
