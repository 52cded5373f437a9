"""The notebook plumbing a learner never has to type: ``!`` lines run as typed in a terminal (Go
templates included), ``docker run`` gets the series' labels and replaces only the series' own
container of the same name, and the Docker SDK's errors read as one plain sentence.

Every error here is produced by the real engine; the ``!`` lines run in a real kernel (nbclient).
"""

from __future__ import annotations

import socket
from pathlib import Path

import docker
import nbformat
import pytest
import requests
from nbclient import NotebookClient
from support import assert_one_sentence, cell_text

from helpers.errors import explain_sdk_error, learner_message
from helpers.labels import LABEL_KEY, LABEL_VALUE, NOTEBOOK_LABEL_KEY
from helpers.notebook import (
    _container_names,
    _protect_go_templates,
    _restore_go_templates,
    label_docker_runs,
)

ROOT = Path(__file__).resolve().parent.parent
NB = "tests-plumbing"
OURS = "dn-tests-plumbing"
LEARNERS = "dn-tests-learners-own"


# --------------------------------------------------------------------------- the text, no engine


@pytest.mark.parametrize(
    ("typed", "reaches_the_shell"),
    [
        ("docker ps --format '{{.Names}}'", "docker ps --format '{{.Names}}'"),
        ("docker ps --format '{{{{.Names}}}}'", "docker ps --format '{{.Names}}'"),
        ("docker ps --format '{{ .Names }}\\t{{.Image}}' {x}", "docker ps --format "
         "'{{ .Names }}\\t{{.Image}}' dn-x"),
        ("docker inspect -f '{{range $k, $v := .Config.Labels}}{{$k}} {{end}}' {x}",
         "docker inspect -f '{{range $k, $v := .Config.Labels}}{{$k}} {{end}}' dn-x"),
    ],
)  # fmt: skip
def test_go_templates_reach_the_shell_as_typed_and_variables_expand(typed, reaches_the_shell):
    from IPython.core.interactiveshell import InteractiveShell

    protected, templates = _protect_go_templates(typed)
    expanded = InteractiveShell.var_expand(_NS, protected, depth=0)
    assert _restore_go_templates(expanded, templates) == reaches_the_shell


class _Namespace:
    """Just enough of an IPython shell for ``var_expand``: a user namespace."""

    user_ns = {"x": "dn-x"}


_NS = _Namespace()


@pytest.mark.parametrize(
    ("line", "labelled"),
    [
        ("docker run -d --name web nginx",
         "docker run --label tutorial=docker-notebooks --label tutorial.notebook=05 -d --name web "
         "nginx"),
        ("docker rm -f web; docker run -d nginx && docker container create nginx",
         "docker rm -f web; docker run --label tutorial=docker-notebooks --label "
         "tutorial.notebook=05 -d nginx && docker container create --label "
         "tutorial=docker-notebooks --label tutorial.notebook=05 nginx"),
        ("docker ps -f name=web", "docker ps -f name=web"),
        ("echo 'docker run is the command' | grep docker", "echo 'docker run is the command' | "
         "grep docker"),
        ("docker runtime", "docker runtime"),
        ("cd work-07 && docker build -t my-site .",
         "cd work-07 && docker build --label tutorial=docker-notebooks --label "
         "tutorial.notebook=05 -t my-site ."),
        ("docker buildx build . ; docker image build .",
         "docker buildx build --label tutorial=docker-notebooks --label tutorial.notebook=05 . ; "
         "docker image build --label tutorial=docker-notebooks --label tutorial.notebook=05 ."),
        ("docker volume create data && docker network create net",
         "docker volume create --label tutorial=docker-notebooks --label tutorial.notebook=05 "
         "data && docker network create --label tutorial=docker-notebooks --label "
         "tutorial.notebook=05 net"),
        ("docker service create --name web nginx",
         "docker service create --label tutorial=docker-notebooks --label tutorial.notebook=05 "
         "--container-label tutorial=docker-notebooks --container-label tutorial.notebook=05 "
         "--name web nginx"),
        ("docker volume ls; docker network inspect net; docker service ps web",
         "docker volume ls; docker network inspect net; docker service ps web"),
        ("docker buildx ls", "docker buildx ls"),
    ],
)  # fmt: skip
def test_docker_run_lines_get_the_series_labels_and_nothing_else_does(line, labelled):
    assert label_docker_runs(line, "05") == labelled


def test_container_names_are_read_from_each_docker_run():
    line = "docker run -d --name a nginx; docker create --name=b nginx && docker ps --name c"
    assert _container_names(line) == ["a", "b"]
    assert _container_names("docker run -d nginx") == []
    assert _container_names("docker run --name $NAME nginx") == []  # the shell decides


# --------------------------------------------------------------------------- SDK errors, for real


def _raised(call) -> BaseException:
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - the test inspects whatever the SDK raised
        return exc
    raise AssertionError("the engine accepted what should fail")


@pytest.fixture
def running_container(client):
    """A running container of the series' (labelled), removed after the test."""
    from helpers.registry import ensure_image

    ensure_image("nginx:stable", client=client)
    name = "dn-tests-errors"
    _remove(client, name)
    container = client.containers.run(
        "nginx:stable", ["sleep", "300"], name=name, detach=True,
        labels={LABEL_KEY: LABEL_VALUE, NOTEBOOK_LABEL_KEY: "tests-errors"},
    )  # fmt: skip
    yield container
    container.remove(force=True)


def _remove(client, name: str) -> None:
    try:
        client.containers.get(name).remove(force=True)
    except docker.errors.NotFound:
        pass


def test_no_such_container_is_one_sentence(client):
    exc = _raised(lambda: client.containers.get("dn-no-such"))
    assert type(exc) is docker.errors.NotFound
    sentence = explain_sdk_error(exc)
    assert_one_sentence(sentence)
    assert "There is no container dn-no-such" in sentence
    assert learner_message(exc) == f"NotFound: {sentence}"


def test_no_such_image_is_one_sentence_naming_the_pull(client):
    exc = _raised(lambda: client.containers.create("dn-no-such-image:1"))
    assert isinstance(exc, docker.errors.ImageNotFound)
    sentence = explain_sdk_error(exc)
    assert_one_sentence(sentence)
    assert "docker pull dn-no-such-image:1" in sentence


def test_name_conflict_409_is_one_sentence(client, running_container):
    exc = _raised(lambda: client.containers.create("nginx:stable", name=running_container.name))
    assert isinstance(exc, docker.errors.APIError) and exc.status_code == 409
    sentence = explain_sdk_error(exc)
    assert_one_sentence(sentence)
    assert f"A container named {running_container.name} already exists" in sentence


def test_removing_a_running_container_409_is_one_sentence(client, running_container):
    exc = _raised(running_container.remove)
    assert exc.status_code == 409
    sentence = explain_sdk_error(exc)
    assert_one_sentence(sentence)
    assert f"docker stop {running_container.name}" in sentence


def test_removing_an_image_in_use_409_is_one_sentence(client, running_container):
    exc = _raised(lambda: client.images.remove("nginx:stable"))
    assert exc.status_code == 409
    sentence = explain_sdk_error(exc)
    assert_one_sentence(sentence)
    assert "still used by container" in sentence
    assert running_container.id[:12] in sentence


def test_exec_in_a_stopped_container_409_is_one_sentence(client, running_container):
    running_container.stop(timeout=0)
    exc = _raised(lambda: client.api.exec_create(running_container.id, ["true"]))
    assert exc.status_code == 409
    sentence = explain_sdk_error(exc)
    assert_one_sentence(sentence)
    assert f"docker start {running_container.id[:12]}" in sentence


def test_other_api_errors_keep_the_engines_reason_in_one_sentence(client):
    exc = _raised(lambda: client.containers.create("nginx:stable", name="bad name!"))
    assert exc.status_code == 400
    sentence = explain_sdk_error(exc)
    assert_one_sentence(sentence)
    assert "Invalid container name (bad name!)" in sentence


def test_a_socket_that_stopped_answering_is_one_sentence(tmp_path):
    gone = docker.DockerClient(base_url=f"unix://{tmp_path}/docker.sock", version="1.41")
    exc = _raised(lambda: gone.containers.get("dn-anything"))
    assert isinstance(exc, requests.exceptions.ConnectionError)
    sentence = explain_sdk_error(exc)
    assert_one_sentence(sentence)
    assert "stopped answering" in sentence


def test_errors_that_are_not_dockers_are_left_alone():
    assert explain_sdk_error(KeyError("x")) is None


# --------------------------------------------------------------------------- in a real kernel


@pytest.fixture
def learners_container(client):
    """A container the learner made (no label) with the name a cell asks for."""
    from helpers.registry import ensure_image

    ensure_image("nginx:stable", client=client)
    _remove(client, LEARNERS)
    container = client.containers.create("nginx:stable", ["sleep", "300"], name=LEARNERS)
    yield container
    container.remove(force=True)


@pytest.mark.usefixtures("series_lock_released")
def test_bang_lines_in_a_kernel(client, learners_container):
    learners_volume = client.volumes.create(LEARNERS)
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    taken = holder.getsockname()[1]
    cells = [
        f'from helpers.notebook import setup_notebook\nlab = setup_notebook("{NB}")\n'
        f'client = lab.client\nname = "{OURS}"\ntaken = {taken}',
        # 1, 2: the same run twice: the second replaces the first
        "!docker run -d --name {name} nginx:stable sleep 300 > /dev/null && echo started",
        "!docker run -d --name {name} nginx:stable sleep 300 > /dev/null && echo started",
        # 3: Go templates as typed in a terminal, a Python variable, the old doubled form
        "!docker ps -f name={name} --format '{{.Names}} {{.Label \"tutorial.notebook\"}}'\n"
        "!docker ps -f name={name} --format '{{{{.Names}}}}'",
        # 4: a container of that name that the series did not make
        f"!docker run -d --name {LEARNERS} nginx:stable sleep 300\nprint('exit', _exit_code)",
        # 5, 6: SDK errors
        'client.containers.get("dn-no-such")',
        f'client.containers.create("nginx:stable", name="{LEARNERS}")',
        # 7: setup again mid-lesson: no wait, the lesson's container stays
        f'lab = setup_notebook("{NB}")\nprint(lab.waited, client.containers.get(name).status)',
        # 8: a %%bash cell whose script fails
        "%%bash\necho trying\nexit 3",
        # 9: a docker line that fails: the CLI's message, then one plain sentence
        "!docker run -d -p 127.0.0.1:{taken}:80 nginx:stable > /dev/null",
        # 10: a volume of that name that the series did not make
        f"!docker volume create {LEARNERS}\nprint('exit', _exit_code)",
        f'from helpers.cleanup import cleanup\n_ = cleanup(notebook="{NB}")',
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    replies = {}
    NotebookClient(
        notebook, timeout=900, kernel_name="python3", allow_errors=True,
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
        on_cell_executed=lambda cell, cell_index, execute_reply: replies.update(
            {cell_index: execute_reply["content"]["status"]}
        ),
    ).execute()  # fmt: skip
    holder.close()
    volume_after = client.volumes.get(LEARNERS).attrs
    learners_volume.remove()
    out = [cell_text(cell) for cell in notebook.cells]
    everything = "\n".join(out)
    assert "Traceback" not in everything, everything
    assert not [o for c in notebook.cells for o in c.outputs if o.output_type == "error"]

    assert out[1] == "started\n" and out[2] == "started\n", out[1:3]
    assert out[3] == f"{OURS} {NB}\n{OURS}\n", out[3]
    assert out[4] == (
        f"A container named {LEARNERS} exists that this series did not make: rename or remove "
        "it, then run this cell again.\nexit 1\n"
    ), out[4]
    assert client.containers.get(LEARNERS).id == learners_container.id  # untouched
    assert LABEL_KEY not in client.containers.get(LEARNERS).labels

    for index, expected in [
        (5, "NotFound: There is no container dn-no-such"),
        (6, f"APIError: A container named {LEARNERS} already exists"),
    ]:
        assert replies[index] == "error"  # the cell failed: Run All stops here, as it should
        assert out[index].count("\n") == 1 and out[index].startswith(expected), out[index]
        assert_one_sentence(out[index].rstrip("\n").split(": ", 1)[1])
    assert out[7].endswith("\n0.0 running\n"), out[7]
    assert replies[8] == "error" and out[8] == (
        "trying\nCalledProcessError: The shell commands of this cell ended with exit status 3: "
        "read their output above, fix what it names, then run this cell again.\n"
    ), out[8]
    assert "already" in out[9] and out[9].endswith(
        "A host port this command publishes is already in use: stop the program using it or "
        "publish on another port, then run this cell again.\n"
    ), out[9]
    assert out[10] == (
        f"A volume named {LEARNERS} exists that this series did not make: rename or remove it, "
        "then run this cell again.\nexit 1\n"
    ), out[10]
    assert not (volume_after.get("Labels") or {}), volume_after  # never labelled or touched
    assert not [i for i, status in replies.items() if status == "error" and i not in (5, 6, 8)]
    assert not client.containers.list(all=True, filters={"name": OURS})  # cleanup removed it
