"""The facts lesson 08 (inside a running container, and keeping data) states, checked on the real
engine (see tests/claims.toml). The commands are the lesson's own, run through the shell as a
learner types them, with the labels the notebook's ``!`` hook adds
(:func:`helpers.notebook.label_docker_runs`) for the test's own pseudo-notebook; what a test
creates is removed in teardown. Host folders live in pytest's ``tmp_path``, never in the lesson's
``work-08``.
"""

from __future__ import annotations

import re
import subprocess
import time

import pytest
import support
from support import assert_one_sentence, output_of, stored_outputs

from helpers import cleanup
from helpers.containers import free_port
from helpers.errors import explain_cli_output
from helpers.http import http_get, wait_http
from helpers.notebook import label_docker_runs
from helpers.polling import wait_for
from helpers.registry import ensure_image
from helpers.runtime import wait_listening

NOTEBOOK = "tests-08"
OURS = f"label=tutorial.notebook={NOTEBOOK}"
ROOT_DIR = "/var/www/html"
PAGE = f"{ROOT_DIR}/index.nginx-debian.html"
WELCOME = "Welcome to nginx!"
#: nginx's access-log line: client - user [time] "request" status bytes "referer" "agent".
ACCESS = re.compile(
    r'^\S+ - - \[[^]]+\] "GET (?P<path>\S+) HTTP/1\.1" (?P<status>\d{3}) (?P<bytes>\d+) '
    r'"-" "(?P<agent>[^"]+)"$'
)


def sh(command: str) -> subprocess.CompletedProcess:
    """:func:`support.sh`, with the series' labels (for this test's pseudo-notebook) added to
    what the command creates, as the notebook hook adds them."""
    return support.sh(label_docker_runs(command, NOTEBOOK))


def ok(command: str) -> str:
    done = sh(command)
    assert done.returncode == 0, f"{command}\n{done.stdout}"
    return done.stdout


def unique(stem: str) -> str:
    """A name no other run of these tests uses at the same time."""
    return f"{stem}-{NOTEBOOK}-{time.monotonic_ns() % 10**9}"


def access_lines(container: str, text: str | None = None) -> list[re.Match]:
    """The access-log lines of requests made with curl, from ``docker logs`` (or ``text``).
    Other clients are left out: a check that asks every published port for its page (lesson
    06's, run by another test or a learner's set-up at the same time) may log a line too."""
    text = ok(f"docker logs {container}") if text is None else text
    lines = map(ACCESS.match, text.splitlines())
    return [m for m in lines if m and m["agent"].startswith("curl/")]


@pytest.fixture(scope="module")
def nginx(client):
    ensure_image("nginx:stable", client=client)
    yield "nginx:stable"
    cleanup.remove_leftovers(NOTEBOOK, client)


@pytest.fixture
def web(client, nginx):
    """A running nginx:stable published on 127.0.0.1 (as the lesson's web-08), listening, with
    no request made yet; yields (name, port)."""
    name, port = unique("web"), free_port(18880)
    ok(f"docker run -d --name {name} -p 127.0.0.1:{port}:80 {nginx}")
    wait_listening(client.containers.get(name), 80)
    yield name, port
    sh(f"docker rm -f {name}")


@pytest.fixture
def unlabelled_volumes():
    """Names of volumes a test makes without the label (as a learner does); removed after."""
    names: list[str] = []
    yield names
    for name in names:
        subprocess.run(["docker", "volume", "rm", "-f", name], capture_output=True)


# --------------------------------------------------------------------------- 1. docker logs


def test_docker_logs_shows_the_access_log_line_of_a_curl(web):
    """08: nginx's access log reaches ``docker logs`` (the image links it to stdout): one line
    per request, GET / 200 615 bytes, curl as the user agent; waiting for the port logs none."""
    name, port = web
    logged = ok(f"docker logs {name}").splitlines()
    assert [x for x in logged if "python-requests" not in x] == [], "wait_listening logged"
    assert WELCOME in ok(f"curl -s 127.0.0.1:{port} | grep Welcome")
    [line] = wait_for(lambda: access_lines(name), timeout=5)
    assert (line["path"], line["status"], line["bytes"]) == ("/", "200", "615")
    assert line["agent"].startswith("curl/")
    links = ok(f"docker exec {name} readlink /var/log/nginx/access.log /var/log/nginx/error.log")
    assert links.split() == ["/dev/stdout", "/dev/stderr"]


def test_the_default_logging_driver_keeps_a_log_file_per_container(client, web):
    """08: with the default logging driver, json-file, each container's output goes to a log
    file of its own, which ``docker logs`` reads."""
    name, _ = web
    assert ok("docker info --format '{{.LoggingDriver}}'").strip() == "json-file"
    container = client.containers.get(name)
    assert container.attrs["HostConfig"]["LogConfig"]["Type"] == "json-file"
    assert container.attrs["LogPath"].endswith(f"{container.id}-json.log")


def test_since_a_timestamp_keeps_only_the_newer_lines(web):
    """08: ``--since`` with a timestamp taken between two requests lists only the second."""
    name, port = web
    out = ok(
        f'curl -s -o /dev/null "127.0.0.1:{port}/before"; sleep 1; '
        'since=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ); '
        f'curl -s -o /dev/null "127.0.0.1:{port}/after"; sleep 0.2; '
        f'docker logs --since "$since" {name}'
    )  # fmt: skip
    paths = [m["path"] for m in access_lines(name, out)]
    assert paths == ["/after"], out
    assert " 404 " in out
    assert [m["path"] for m in access_lines(name)] == ["/before", "/after"]


def test_follow_never_ends_by_itself_and_timeout_stops_it_with_124(web):
    """08: ``docker logs -f --tail 0`` leaves out older lines, prints a new one as it comes, and
    runs until stopped: ``timeout 3`` ends it with timeout's exit code 124."""
    name, port = web
    ok(f"curl -s -o /dev/null 127.0.0.1:{port}/old")
    wait_for(lambda: access_lines(name), timeout=5)
    started = time.monotonic()
    done = sh(
        f'(sleep 1; curl -s -o /dev/null "127.0.0.1:{port}/while-following") & '
        f"timeout 3 docker logs -f --tail 0 {name}"
    )
    assert done.returncode == 124, done.stdout
    assert time.monotonic() - started >= 3
    paths = [m["path"] for m in access_lines(name, done.stdout)]
    assert paths == ["/while-following"], done.stdout


# --------------------------------------------------------------------------- 2. docker exec


def test_this_nginx_serves_var_www_html_holding_one_debian_page(web):
    """08: the lab's nginx:stable (Debian's nginx) has ``root /var/www/html`` as the first root
    line of ``nginx -T``, and that folder holds one page, index.nginx-debian.html."""
    name, _ = web
    assert ok(f"docker exec {name} nginx -T 2>/dev/null | grep -m1 root").strip() == (
        f"root {ROOT_DIR};"
    )
    assert ok(f"docker exec {name} ls {ROOT_DIR}").split() == ["index.nginx-debian.html"]


def test_a_change_made_with_exec_stays_in_that_container_only(web, nginx):
    """08: ``docker exec ... sed -i`` changes the served page at once; ``docker diff`` lists the
    page as changed (C); a fresh container of the same image has the page as the image has it."""
    name, port = web
    ok(f"docker exec {name} sed -i 's/{WELCOME}/Changed inside the container/' {PAGE}")
    assert http_get(f"http://127.0.0.1:{port}").title == "Changed inside the container"
    diff = ok(f"docker diff {name} | grep html").splitlines()
    assert diff == [f"C {ROOT_DIR}", f"C {PAGE}"], diff
    fresh = ok(f"docker run --rm {nginx} grep '<h1>' {PAGE}")
    assert fresh.strip() == f"<h1>{WELCOME}</h1>"


def test_exec_into_a_stopped_container_is_refused_in_one_sentence(client, nginx):
    """08: ``docker exec`` needs a running container; the CLI's refusal gets one sentence."""
    name = unique("stopped")
    ok(f"docker run --name {name} {nginx} true")
    done = sh(f"docker exec {name} ls")
    assert done.returncode != 0
    container_id = client.containers.get(name).id
    assert f"container {container_id} is not running" in done.stdout, done.stdout
    sentence = explain_cli_output(done.stdout)
    assert sentence and sentence.startswith(f"Container {container_id[:12]} is not running")
    assert f"docker start {container_id[:12]}" in sentence
    assert_one_sentence(sentence)


def test_mounts_are_fixed_at_creation_docker_update_has_no_mount_option():
    """08: like published ports, mounts are set when a container is created: ``docker update``
    has no ``-v``/``--volume``/``--mount``."""
    help_text = ok("docker update --help")
    assert "--restart" in help_text
    assert not re.search(r"(^|\s)(-v,|--volume|--mount)", help_text), help_text


# --------------------------------------------------------------------------- 3. bind mounts


def test_a_read_only_bind_mount_serves_live_host_files_and_refuses_writes(client, nginx, tmp_path):
    """08: ``-v "$(pwd)/site":/var/www/html:ro`` serves the host's page, a file written on the
    host later is served at once, a write from inside is refused (Read-only file system, with
    one sentence), and ``docker inspect`` shows the mount: bind, the host path, ro, RW false."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<h1>Served from the host</h1>\n")
    name, port = unique("bind"), free_port(18890)
    ok(f'cd {tmp_path} && docker run -d --name {name} -p 127.0.0.1:{port}:80 '
       f'-v "$(pwd)/site":{ROOT_DIR}:ro {nginx}')  # fmt: skip
    wait_listening(client.containers.get(name), 80)
    assert ok(f"curl -s 127.0.0.1:{port}") == "<h1>Served from the host</h1>\n"
    (site / "about.html").write_text("<h1>About</h1>\n")
    assert ok(f"curl -s 127.0.0.1:{port}/about.html") == "<h1>About</h1>\n"
    refused = sh(f"docker exec {name} sh -c 'echo changed > {ROOT_DIR}/index.html'")
    assert refused.returncode != 0
    assert "Read-only file system" in refused.stdout, refused.stdout
    assert (site / "index.html").read_text() == "<h1>Served from the host</h1>\n"
    sentence = explain_cli_output(refused.stdout)
    assert sentence and "read-only" in sentence
    assert_one_sentence(sentence)
    mounts = ok(f"docker inspect --format '{{{{json .Mounts}}}}' {name}").strip()
    assert mounts == (
        f'[{{"Type":"bind","Source":"{site}","Destination":"{ROOT_DIR}","Mode":"ro",'
        '"RW":false,"Propagation":"rprivate"}]'
    )


def test_dash_v_creates_a_missing_host_folder_and_mount_refuses_it(nginx, tmp_path):
    """08: on this engine (root, Linux) ``-v`` with a missing host path creates it, empty, and
    the container starts with an empty folder; ``--mount type=bind`` refuses a missing source
    ("bind source path does not exist") and creates nothing; the refusal gets one sentence."""
    missing = tmp_path / "stie"
    refused = sh(
        f"docker run --rm --mount type=bind,source={missing},target={ROOT_DIR},readonly "
        f"{nginx} ls {ROOT_DIR}"
    )
    assert refused.returncode == 125, refused.stdout
    assert f"bind source path does not exist: {missing}" in refused.stdout, refused.stdout
    assert not missing.exists()
    sentence = explain_cli_output(refused.stdout)
    assert sentence == (
        f"The host folder {missing} does not exist, and --mount never creates one: create it "
        f"(mkdir -p {missing}) or correct the path, then run this cell again."
    )
    assert_one_sentence(sentence)
    made = ok(f'docker run --rm -v "{missing}":{ROOT_DIR}:ro {nginx} ls -A {ROOT_DIR} | wc -l')
    assert made.strip() == "0"
    assert missing.is_dir() and list(missing.iterdir()) == []
    assert missing.stat().st_uid == 0  # made by the engine, as root


# --------------------------------------------------------------------------- 4. named volumes


def test_volume_create_in_a_notebook_line_gets_the_labels(nginx):
    """08: the ``!`` hook labels ``docker volume create``, so a label filter lists the volume."""
    name = unique("data")
    assert ok(f"docker volume create {name}").strip() == name
    listed = ok(f"docker volume ls -q --filter {OURS}").split()
    assert name in listed
    labels = ok(f"docker volume inspect --format '{{{{json .Labels}}}}' {name}")
    assert '"tutorial":"docker-notebooks"' in labels and f'"{NOTEBOOK}"' in labels


def test_a_named_volume_outlives_the_container_that_wrote_it(client, nginx):
    """08: a container writes into a named volume and is removed (``docker rm``, and even
    ``docker rm -v``); the volume stays, and a second container reads what the first wrote."""
    volume, writer = unique("data"), unique("writer")
    ok(f"docker volume create {volume}")
    ok(f"docker run --name {writer} -v {volume}:/data {nginx} "
       "sh -c 'echo \"written by writer-08\" > /data/note.txt'")  # fmt: skip
    assert ok(f"docker rm {writer}").strip() == writer
    assert ok(f"docker run --rm -v {volume}:/data:ro {nginx} cat /data/note.txt") == (
        "written by writer-08\n"
    )
    again = unique("writer")
    ok(f"docker run --name {again} -v {volume}:/data {nginx} true")
    ok(f"docker rm -v {again}")
    assert ok(f"docker volume ls -q --filter name=^{volume}$").split() == [volume]


def test_volume_inspect_shows_the_mountpoint_under_the_engines_data_root(client, nginx):
    """08: ``docker volume inspect`` shows Driver local, the labels, and the Mountpoint:
    <engine data root>/volumes/NAME/_data, a folder on the engine's machine."""
    volume = unique("data")
    ok(f"docker volume create {volume}")
    import json

    [info] = json.loads(ok(f"docker volume inspect {volume}"))
    root = client.info()["DockerRootDir"]
    assert info["Mountpoint"] == f"{root}/volumes/{volume}/_data"
    assert info["Driver"] == "local" and info["Scope"] == "local"
    assert info["Labels"]["tutorial.notebook"] == NOTEBOOK
    assert set(info) == {
        "CreatedAt", "Driver", "Labels", "Mountpoint", "Name", "Options", "Scope"
    }  # fmt: skip


def test_dash_v_with_an_unknown_volume_name_creates_a_new_empty_unlabelled_one(
    nginx, unlabelled_volumes
):
    """08: ``-v NAME:/path`` with a volume that does not exist creates it (empty, and without
    the series' label: the hook labels containers and ``docker volume create``, not this)."""
    name = unique("typo")
    unlabelled_volumes.append(name)
    assert ok(f"docker run --rm -v {name}:/data {nginx} ls -A /data").strip() == ""
    assert ok(f"docker volume ls -q --filter name=^{name}$").split() == [name]
    assert ok(f"docker volume inspect --format '{{{{json .Labels}}}}' {name}").strip() in {
        "null", "{}"
    }  # fmt: skip


def test_an_empty_volume_mounted_over_image_files_gets_a_copy_of_them(nginx):
    """08's exercise hint: an empty named volume mounted at /var/www/html is filled with the
    image's files there, so nginx serves its own welcome page from it."""
    volume = unique("pages")
    ok(f"docker volume create {volume}")
    listing = ok(f"docker run --rm -v {volume}:{ROOT_DIR}:ro {nginx} ls -A {ROOT_DIR}")
    assert listing.split() == ["index.nginx-debian.html"]


def test_the_exercise_solution_serves_the_volume_page_read_only(client, nginx):
    """08's exercise: a page written into a volume by a throwaway container is what nginx
    serves with the volume mounted read-only at /var/www/html; the mount reads RW false."""
    volume, name, port = unique("pages"), unique("my-web"), free_port(18898)
    ok(f"docker volume create {volume}")
    ok(f"docker run --rm -v {volume}:/site {nginx} "
       "sh -c 'echo \"<h1>From a volume</h1>\" > /site/index.html'")  # fmt: skip
    ok(f"docker run -d --name {name} -p 127.0.0.1:{port}:80 -v {volume}:{ROOT_DIR}:ro {nginx}")
    wait_http(f"http://127.0.0.1:{port}")
    assert ok(f"curl -s 127.0.0.1:{port}") == "<h1>From a volume</h1>\n"
    [mount] = client.containers.get(name).attrs["Mounts"]
    assert (mount["Type"], mount["Name"], mount["Destination"], mount["RW"]) == (
        "volume", volume, ROOT_DIR, False
    )  # fmt: skip


# --------------------------------------------------------------------------- 5. by label


def test_volume_rm_by_label_and_the_cleanup_leave_a_learners_volume(
    client, nginx, unlabelled_volumes
):
    """08: ``docker volume rm $(docker volume ls -q --filter label=...)`` removes the labelled
    volumes and prints their names; a learner's own volume, made without the label, stays, and
    so it does through the series' clean-up (helpers.cleanup)."""
    cleanup.remove_leftovers(NOTEBOOK, client)
    mine = unique("my-volume")
    unlabelled_volumes.append(mine)
    subprocess.run(["docker", "volume", "create", mine], check=True, capture_output=True)
    ours = sorted(unique(f"data{i}") for i in range(2))
    for name in ours:
        ok(f"docker volume create {name}")
    removed = ok(f"docker volume rm $(docker volume ls -q --filter {OURS})")
    assert sorted(removed.split()) == ours
    assert ok(f"docker volume ls -q --filter {OURS}").split() == []
    assert ok(f"docker volume ls -q --filter name=^{mine}$").split() == [mine]
    ok(f"docker volume create {unique('data')}")
    gone = cleanup.remove_leftovers(NOTEBOOK, client)
    assert [kind for kind, _ in gone] == ["volume"]
    assert ok(f"docker volume ls -q --filter name=^{mine}$").split() == [mine]


# --------------------------------------------------------------------------- stored outputs


def _paths(text: str) -> list[tuple[str, str, str]]:
    return [
        (m["path"], m["status"], m["agent"].split("/")[0])
        for m in map(ACCESS.match, text.splitlines())
        if m
    ]


def test_08_stored_outputs_say_what_the_prose_says():
    """What 08's prose says about its outputs, as stored: the one access line of the curl (GET /
    200, 615 bytes, curl); --since lists /after only (404); -f shows /while-following then exit
    code 124; the log files link to stdout/stderr; the root is /var/www/html with one page; the
    changed page, the diff and the fresh container's original page; the host's pages; the
    read-only refusal with its sentence; the bind mount's JSON; the --mount refusal with its
    sentence; -v's empty folder and the typo folder; the volume listed, the note read back, its
    inspect; the label removal; the exercise check passes."""
    cells = stored_outputs("08")
    assert _paths(output_of(cells, "!docker logs web-08")) == [("/", "200", "curl")]
    assert '"GET / HTTP/1.1" 200 615 ' in output_of(cells, "!docker logs web-08")
    assert _paths(output_of(cells, "%%bash -s {PORT}\ncurl")) == [("/after", "404", "curl")]
    follow = output_of(cells, "%%bash -s {PORT}\n(sleep 1")
    assert _paths(follow) == [("/while-following", "404", "curl")]
    assert follow.endswith("exit code: 124\n")
    assert output_of(cells, "!docker exec web-08 readlink").split() == [
        "/dev/stdout",
        "/dev/stderr",
    ]
    assert output_of(cells, "!docker exec web-08 nginx -T").strip() == "root /var/www/html;"
    assert output_of(cells, "!docker exec web-08 ls").split() == ["index.nginx-debian.html"]
    assert "<h1>Changed inside the container</h1>" in output_of(
        cells, "!curl -s 127.0.0.1:{PORT} | grep Changed"
    )
    assert output_of(cells, "!docker diff web-08").split("\n")[:2] == [
        "C /var/www/html", "C /var/www/html/index.nginx-debian.html"
    ]  # fmt: skip
    assert output_of(cells, "!docker run --rm nginx:stable grep") == f"<h1>{WELCOME}</h1>\n"
    assert cells["!curl -s 127.0.0.1:{PORT}"] == "<h1>Served from the host</h1>\n"
    assert "Welcome to nginx!</h1>" in output_of(cells, "!curl -s 127.0.0.1:{PORT} | grep Welcome")
    assert output_of(cells, "!echo '<h1>About</h1>'") == "<h1>About</h1>\n"
    refused = output_of(cells, "!docker exec web-08 sh -c")
    assert "Read-only file system" in refused and "mounted read-only" in refused
    mounts = output_of(cells, "!docker inspect --format '{{json .Mounts}}'")
    assert '"Type":"bind"' in mounts and '"RW":false' in mounts and '"Mode":"ro"' in mounts
    assert mounts.count("/work-08/site") == 1
    mount = output_of(cells, "!docker run --rm --mount")
    assert "bind source path does not exist:" in mount and "/work-08/stie" in mount
    assert "and --mount never creates one" in mount
    assert output_of(cells, '!docker run --rm -v "$(pwd)/work-08/stie"') == "0\n"
    assert output_of(cells, "!ls work-08").split() == ["site", "stie"]
    assert "data-08" in output_of(cells, "!docker volume ls --filter")
    assert output_of(cells, "!docker run --rm -v data-08") == "written by writer-08\n"
    inspect = output_of(cells, "!docker volume inspect data-08")
    assert '"tutorial.notebook": "08"' in inspect and "/volumes/data-08/_data" in inspect
    assert output_of(cells, "!docker volume rm $(").split() == ["data-08"]
    assert output_of(cells, "print(check_page_from_volume(").startswith("Pass:")
