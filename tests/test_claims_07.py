"""The facts lesson 07 (building and shipping an image) states, checked on the real engine (see
tests/claims.toml), and its prose checked against its own stored outputs.

The commands are the lesson's own, run through the shell as a learner types them, with the
series' labels for this test's pseudo-notebook added to each ``docker build``. Each test builds
in a temporary folder; its images go by label, its build-cache records by the ledger
(:mod:`helpers.build_cache`), and what it pushes to the lab registry with
:func:`helpers.shipping.delete_pushed`, in teardown.
"""

from __future__ import annotations

import json
import re
import subprocess
import urllib.request
from pathlib import Path

import pytest
from support import assert_one_sentence, import_sleeper_image, outputs_of, sh, stored_cells

from helpers import build_cache, cleanup, shipping
from helpers.containers import free_port
from helpers.errors import NotOwnedError, explain_cli_output
from helpers.labels import project_labels
from helpers.registry import ensure_image
from helpers.registry_api import REGISTRY_URL

NOTEBOOK = "tests-07"
LABELS = " ".join(f"--label {k}={v}" for k, v in project_labels(NOTEBOOK).items())
PAGE = "<h1>Hello from my own image</h1>\n"
DOCKERFILE = (
    "FROM nginx:stable\n"
    "COPY index.html /var/www/html/\n"
    'LABEL org.opencontainers.image.title="my-site"\n'
)


def build(
    context: Path, tag: str = "", extra: str = "", client=None
) -> subprocess.CompletedProcess:
    """``docker build [-t tag] [extra] context`` with the test's labels; its cache recorded."""
    tagging = f"-t {tag}" if tag else ""
    with build_cache.recording(NOTEBOOK, client):
        return sh(f"docker build {LABELS} {tagging} {extra} {context}")


def steps(log: str) -> dict[str, str]:
    """``{"[2/2] COPY index.html /var/www/html/": "CACHED" | "DONE" | "ERROR"}`` from a
    BuildKit plain log: each Dockerfile step (not the ``[internal]`` ones) and how it ended."""
    names = dict(re.findall(r"(?m)^#(\d+) (\[\d+/\d+\] [^\n]+)$", log))
    ends = {}
    for number, end in re.findall(r"(?m)^#(\d+) (CACHED|DONE|ERROR)\b", log):
        if number in names:
            ends[names[number]] = end
    return ends


def image_id(log: str) -> str:
    """The ID in ``writing image sha256:...`` (a slow step prints its line twice)."""
    [written] = set(re.findall(r"writing image (sha256:[0-9a-f]{64})", log))
    return written


@pytest.fixture(scope="module")
def base(client):
    ensure_image("nginx:stable", client=client)
    yield "nginx:stable"
    cleanup.remove_leftovers(NOTEBOOK, client)
    shipping.delete_pushed(NOTEBOOK)


@pytest.fixture
def site(tmp_path, base, client):
    """The lesson's folder: its Dockerfile and page; the test's images and cache go after."""
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "index.html").write_text(PAGE)
    yield tmp_path
    cleanup.remove_leftovers(NOTEBOOK, client)


# --------------------------------------------------------------------------- the build cache


def test_an_unchanged_rebuild_is_all_cached_and_gives_the_same_image(client, site):
    """07: a first build runs its COPY (DONE); the same build again says CACHED for the COPY
    and writes the same image ID; LABEL has no step of its own."""
    first = build(site, "dn-tests-07-site", client=client)
    assert first.returncode == 0, first.stdout
    assert steps(first.stdout)["[2/2] COPY index.html /var/www/html/"] == "DONE"
    assert not [s for s in steps(first.stdout) if "LABEL" in s]
    again = build(site, "dn-tests-07-site", client=client)
    ran = {step: end for step, end in steps(again.stdout).items() if "FROM" not in step}
    assert ran and set(ran.values()) == {"CACHED"}, again.stdout
    assert image_id(again.stdout) == image_id(first.stdout)


def test_a_changed_file_reruns_its_copy_and_every_later_step_only(client, site):
    """07: the cache key covers the files a COPY copies: change the page and that COPY runs
    again, and so does every step after it; the steps before it stay CACHED."""
    (site / "Dockerfile").write_text(
        "FROM nginx:stable\nRUN echo before > /before.txt\nCOPY index.html /var/www/html/\n"
        "RUN echo after > /after.txt\n"
    )
    assert build(site, client=client).returncode == 0
    (site / "index.html").write_text("<h1>Changed</h1>\n")
    log = build(site, client=client).stdout
    ran = {step: end for step, end in steps(log).items() if "FROM" not in step}
    assert ran == {
        "[2/4] RUN echo before > /before.txt": "CACHED",
        "[3/4] COPY index.html /var/www/html/": "DONE",
        "[4/4] RUN echo after > /after.txt": "DONE",
    }, log


def test_the_cache_key_is_the_files_content_not_their_date(client, site):
    """07: writing the same content again (a new modification time) keeps the COPY CACHED."""
    assert build(site, client=client).returncode == 0
    (site / "index.html").write_text(PAGE)
    sh(f"touch -d '+1 hour' {site / 'index.html'}")
    log = build(site, client=client).stdout
    assert steps(log)["[2/2] COPY index.html /var/www/html/"] == "CACHED", log


def test_a_cached_step_does_not_run(client, site):
    """07: a CACHED step does not run at all: a RUN that records the time it ran gives the
    same file (and the same image) on the second build."""
    (site / "Dockerfile").write_text("FROM nginx:stable\nRUN date +%s%N > /built-at\n")
    first = build(site, "dn-tests-07-stamp", client=client)
    stamp = sh("docker run --rm dn-tests-07-stamp cat /built-at").stdout
    again = build(site, "dn-tests-07-stamp", client=client)
    assert steps(again.stdout)["[2/2] RUN date +%s%N > /built-at"] == "CACHED"
    assert image_id(again.stdout) == image_id(first.stdout)
    assert sh("docker run --rm dn-tests-07-stamp cat /built-at").stdout == stamp


def test_the_build_log_names_a_local_image_as_docker_hubs(client, site):
    """07: BuildKit is the builder (its log starts ``#0 building with``) and names ``my-site``
    ``docker.io/library/my-site``."""
    log = build(site, "dn-tests-07-site", client=client).stdout
    assert log.startswith('#0 building with "default" instance using docker driver'), log
    assert "naming to docker.io/library/dn-tests-07-site" in log


# --------------------------------------------------------------------------- layers and sizes


def test_the_new_image_is_the_bases_layers_plus_one(client, site):
    """07: COPY adds one layer of the page's size, LABEL a 0-byte metadata step; the image's
    RootFS.Layers are nginx:stable's, in order, plus one; its size is the base's plus the
    page's bytes."""
    assert build(site, "dn-tests-07-site", client=client).returncode == 0
    base_image = client.images.get("nginx:stable")
    mine = client.images.get("dn-tests-07-site")
    base_layers, my_layers = base_image.attrs["RootFS"]["Layers"], mine.attrs["RootFS"]["Layers"]
    assert my_layers[:-1] == base_layers and len(my_layers) == len(base_layers) + 1
    top = client.api.history("dn-tests-07-site")[:2]
    assert top[0]["CreatedBy"].startswith("LABEL org.opencontainers.image.title=my-site")
    assert top[0]["Size"] == 0
    assert top[1]["CreatedBy"].startswith("COPY index.html /var/www/html/")
    assert top[1]["Size"] == len(PAGE.encode())
    assert mine.attrs["Size"] - base_image.attrs["Size"] == len(PAGE.encode())


def test_the_lab_nginx_serves_var_www_html(client, base):
    """07: the lab's nginx:stable is Debian's nginx, whose site serves /var/www/html."""
    done = sh(f"docker run --rm {LABELS} nginx:stable nginx -T")
    assert re.search(r"(?m)^\s*root /var/www/html;", done.stdout), done.stdout


# ------------------------------------------------------------------ .dockerignore, failures


def test_dockerignore_keeps_a_file_out_of_the_context(client, site):
    """07: a COPY of a file .dockerignore lists fails with ``"/notes.txt": not found`` although
    the file is in the folder; without .dockerignore the same build works. The hook's sentence
    names the file and .dockerignore."""
    (site / "notes.txt").write_text("Ideas for the site. Not for the image.\n")
    (site / "Dockerfile.notes").write_text("FROM nginx:stable\nCOPY notes.txt /var/www/html/\n")
    (site / ".dockerignore").write_text("notes.txt\n")
    failed = build(site, extra=f"-f {site / 'Dockerfile.notes'}", client=client)
    assert failed.returncode != 0
    assert '"/notes.txt": not found' in failed.stdout, failed.stdout
    sentence = explain_cli_output(failed.stdout)
    assert_one_sentence(sentence)
    assert "notes.txt" in sentence and ".dockerignore" in sentence
    (site / ".dockerignore").unlink()
    assert build(site, extra=f"-f {site / 'Dockerfile.notes'}", client=client).returncode == 0


def test_a_misspelt_instruction_fails_before_any_step_with_one_sentence(client, site):
    """07: ``COPPY`` is a parse error (``unknown instruction: COPPY``) before any step runs."""
    (site / "Dockerfile").write_text("FROM nginx:stable\nCOPPY index.html /var/www/html/\n")
    failed = build(site, client=client)
    assert failed.returncode != 0
    assert "unknown instruction: COPPY" in failed.stdout, failed.stdout
    assert not steps(failed.stdout)
    sentence = explain_cli_output(failed.stdout)
    assert_one_sentence(sentence)
    assert "Line 2" in sentence and "COPPY" in sentence


def test_a_push_to_a_registry_that_is_down_fails_with_one_sentence(client, site):
    """07: pushing to an address where no registry listens fails (connection refused), and the
    sentence names that address; the lab registry is not touched."""
    port = free_port(15099)
    ref = f"127.0.0.1:{port}/docker-notebooks/tests-07-nowhere"
    assert build(site, ref, client=client).returncode == 0
    failed = sh(f"docker push {ref}")
    assert failed.returncode != 0
    assert "connection refused" in failed.stdout, failed.stdout
    sentence = explain_cli_output(failed.stdout)
    assert_one_sentence(sentence)
    assert f"127.0.0.1:{port}" in sentence


# ------------------------------------------------------------------ push and pull by digest


def _catalog() -> list[str]:
    with urllib.request.urlopen(f"{REGISTRY_URL}/v2/_catalog", timeout=5) as reply:
        return json.load(reply)["repositories"]


def test_push_then_pull_by_digest_gives_the_same_image(client, site):
    """07: ``docker tag`` adds a name to the same image; ``docker push`` prints the tag's
    digest, which is the image's repo digest and the registry's; after ``docker rmi`` of both
    names (the image goes), ``docker pull NAME@DIGEST`` brings back the same image ID, with no
    tag, and a container of it serves the page. ``delete_pushed`` then deletes the repository:
    no tag, and the catalog no longer lists it."""
    ref = shipping.series_repository(NOTEBOOK, "tests-07-site")
    repository = shipping.repository_of(ref)
    assert build(site, "dn-tests-07-site", client=client).returncode == 0
    assert sh(f"docker tag dn-tests-07-site {ref}").returncode == 0
    built = client.images.get(ref)
    assert built.id == client.images.get("dn-tests-07-site").id
    assert sorted(built.tags) == sorted([f"{ref}:latest", "dn-tests-07-site:latest"])
    pushed = sh(f"docker push {ref}")
    assert pushed.returncode == 0, pushed.stdout
    [digest] = re.findall(r"latest: digest: (sha256:[0-9a-f]{64}) size: \d+", pushed.stdout)
    assert shipping.registry_tags(repository) == ["latest"]
    assert shipping.registry_digest(repository, "latest") == digest
    pinned = client.images.get(ref).attrs["RepoDigests"][0]
    assert pinned == f"{ref}@{digest}"
    removed = sh(f"docker rmi dn-tests-07-site {ref}").stdout
    assert f"Deleted: {built.id}" in removed, removed
    pulled = sh(f"docker pull {pinned}")
    assert pulled.returncode == 0, pulled.stdout
    assert f"Digest: {digest}" in pulled.stdout
    again = client.images.get(pinned)
    assert again.id == built.id and again.tags == []
    port = free_port(18087)
    sh(f"docker run -d {LABELS} -p 127.0.0.1:{port}:80 {pinned}")
    from helpers.http import wait_http

    assert wait_http(f"http://127.0.0.1:{port}").ok
    assert sh(f"curl -s 127.0.0.1:{port}").stdout == PAGE
    assert shipping.delete_pushed(NOTEBOOK) == [repository]
    assert shipping.registry_tags(repository) == []
    assert repository not in _catalog()


def test_a_second_push_of_the_same_base_says_its_layers_already_exist(client, site):
    """07: a layer the registry already holds in the repository is not uploaded again."""
    ref = shipping.series_repository(NOTEBOOK, "tests-07-again")
    assert build(site, f"{ref}:1", client=client).returncode == 0
    assert sh(f"docker push {ref}:1").returncode == 0
    (site / "index.html").write_text("<h1>Second</h1>\n")
    assert build(site, f"{ref}:2", client=client).returncode == 0
    second = sh(f"docker push {ref}:2").stdout
    base_layers = len(client.images.get("nginx:stable").attrs["RootFS"]["Layers"])
    assert len(re.findall(r"(?m): (Layer already exists|Mounted from .*)$", second)) == base_layers
    assert len(re.findall(r"(?m): Pushed$", second)) == 1, second
    shipping.delete_pushed(NOTEBOOK)


# --------------------------------------------------------------------------- yours untouched


def test_a_learners_own_my_site_image_is_refused_and_survives_the_clean_up(client, base):
    """07's setup: an image of the learner's tagged my-site (no label) stops the lesson with one
    sentence instead of losing its tag to the build; the lesson's clean-up leaves it, and
    deleting the lesson's registry repository leaves a learner's own repository in the lab
    registry alone."""
    own = "my-site:learners-own-07"
    own_id = import_sleeper_image(client, own)
    learners_repo = "learners-own-07/site"
    try:
        with pytest.raises(NotOwnedError) as refused:
            shipping.check_tags_free([own], client=client)
        assert_one_sentence(str(refused.value))
        shipping.check_tags_free(["dn-tests-07-not-there"], client=client)
        assert sh(f"docker tag {own} 127.0.0.1:5000/{learners_repo}").returncode == 0
        assert sh(f"docker push 127.0.0.1:5000/{learners_repo}").returncode == 0
        shipping.series_repository(NOTEBOOK, "tests-07-site")
        cleanup.remove_leftovers(NOTEBOOK, client)
        shipping.delete_pushed(NOTEBOOK)
        assert client.images.get(own).id == own_id
        assert shipping.registry_tags(learners_repo) == ["latest"]
        assert learners_repo in _catalog()
    finally:
        sh(f"docker rmi {own} 127.0.0.1:5000/{learners_repo}")
        # The learner's repository was this test's: delete it the way the lab would.
        shipping._delete_tags(learners_repo)
        storage = shipping.lab_registry_storage()
        if storage is not None:
            import shutil

            shutil.rmtree(storage / "learners-own-07", ignore_errors=True)
    assert learners_repo not in _catalog()


# --------------------------------------------------------------------------- stored outputs


def test_07_stored_outputs_say_what_the_prose_says():
    """What 07's prose says about its outputs: the first build runs the COPY, the same build
    again says CACHED and writes the same image, the build after the page changed runs the
    COPY again and writes another; history has LABEL (0 B) and COPY on top; 2 and 3 layers;
    the size difference is the page's; the .dockerignore'd COPY fails with not found and the
    sentence; the push's digest is the repo digest and the pull's; every pulled layer already
    exists; pulled by digest there is no tag; same ID; curl gets the page last written; the
    exercise passes; the clean-up deleted the repository."""
    cells = stored_cells("07")
    first, again, changed = outputs_of(cells, "%%time\n!docker build -t my-site work-07")
    copy = "[2/2] COPY index.html /var/www/html/"
    assert steps(first)[copy] == "DONE" and steps(again)[copy] == "CACHED"
    assert steps(changed)[copy] == "DONE"
    assert image_id(first) == image_id(again) != image_id(changed)
    assert all("Wall time:" in out for out in (first, again, changed))
    history = outputs_of(cells, "!docker history my-site")[0].splitlines()
    assert "LABEL org.opencontainers.image.title=my-site" in history[1]
    assert re.search(r"\s0B\s", history[1]) and "COPY index.html /var/www/html/" in history[2]
    assert "<missing>" in history[2]
    assert (
        outputs_of(cells, "!docker image inspect --format '{{len .RootFS.Layers}}'")[0] == "2\n3\n"
    )
    assert (
        outputs_of(cells, "base_layers = ")[0]
        == "my-site's first 2 layers are nginx:stable's 2: True\n"
    )
    sizes = outputs_of(cells, "sizes = ")[0]
    difference, page = re.findall(r"(\d+) bytes", sizes)
    assert difference == page
    notes = outputs_of(cells, "!docker build -f work-07/Dockerfile.notes work-07")[0]
    assert '"/notes.txt": not found' in notes
    assert notes.rstrip().endswith("that .dockerignore does not leave it out, then build again.")
    assert "notes.txt" in outputs_of(cells, "!ls work-07")[0].split()
    names = outputs_of(cells, "!docker image inspect --format '{{.Id}} {{.RepoTags}}' my-site")[0]
    assert "127.0.0.1:5000/docker-notebooks/my-site:latest" in names and "my-site:latest" in names
    [digest] = re.findall(
        r"latest: digest: (sha256:\w+)", outputs_of(cells, "!docker push 127.0.0.1")[0]
    )
    assert outputs_of(
        cells, "!curl -s http://127.0.0.1:5000/v2/docker-notebooks/my-site/tags/list"
    )[0] == ('{"name":"docker-notebooks/my-site","tags":["latest"]}\n')
    repo_digest = outputs_of(cells, "!docker image inspect --format '{{index .RepoDigests 0}}'")[0]
    assert repo_digest == f"127.0.0.1:5000/docker-notebooks/my-site@{digest}\n"
    assert outputs_of(cells, "PINNED = ")[0] == "True\n"
    assert "Deleted: sha256:" in outputs_of(cells, "!docker rmi my-site")[0]
    pulled = outputs_of(cells, "!docker pull {PINNED}")[0]
    assert f"Digest: {digest}" in pulled
    assert pulled.count(": Already exists") == 3 and "Pull complete" not in pulled
    listed = outputs_of(cells, "!docker images --digests")[0]
    assert listed == f"127.0.0.1:5000/docker-notebooks/my-site <none> {digest}\n"
    assert outputs_of(cells, 'print("same image ID')[0] == "same image ID as the one built: True\n"
    written = [s for s, _ in cells if s.startswith("%%writefile work-07/index.html")][-1]
    assert (
        outputs_of(cells, "!curl -s 127.0.0.1:{PORT}")[0].strip()
        == written.split("\n", 1)[1].strip()
    )
    assert outputs_of(cells, "print(check_new_push(")[0].startswith("Pass:")
    assert outputs_of(cells, 'print("deleted from the lab registry:"')[0].startswith(
        "deleted from the lab registry: docker-notebooks/my-site\n"
    )
