"""The facts notebooks 03 (shared layers) and 04 (image history) state, on the real engine.

Each test backs entries in tests/claims.toml. Images built here carry the series' label (with
``tutorial.notebook=tests-03-04``) and are removed afterwards; ``debian:trixie-slim`` is pulled
only when absent, and then removed again.
"""

from __future__ import annotations

import json
import os
import subprocess
import time

import docker
import pytest

from helpers import build_cache, cleanup, layers
from helpers.history import history_frame
from helpers.labels import is_owned
from helpers.registry import ensure_image, pull

NOTEBOOK = "tests-03-04"
TAGS = ["nginx:stable", "nginx:latest"]
MB = layers.MB


def _dockerfile(base: str, *steps: str) -> str:
    label = f"LABEL tutorial=docker-notebooks tutorial.notebook={NOTEBOOK}"
    return "\n".join([f"FROM {base}", label, *steps]) + "\n"


def _build(tag: str, dockerfile: str, buildkit: bool = True) -> str:
    """``docker build -q -t tag -`` with BuildKit (the default) or the legacy builder."""
    env = {k: v for k, v in os.environ.items() if k != "DOCKER_BUILDKIT"}
    if not buildkit:
        env["DOCKER_BUILDKIT"] = "0"
    with build_cache.recording(NOTEBOOK):  # the module's cleanup prunes what the build cached
        done = subprocess.run(["docker", "build", "-q", "-t", tag, "-"], input=dockerfile,
                              env=env, capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return tag


def _remove(client, tag: str) -> None:
    """``docker rmi`` a tag built here (its untagged parent images go with it)."""
    try:
        image = client.images.get(tag)
    except docker.errors.ImageNotFound:
        return
    assert is_owned(image), f"{tag} was not built by this test"
    client.images.remove(tag)


@pytest.fixture(scope="module")
def nginx(client):
    for tag in TAGS:
        ensure_image(tag, client=client)
    yield client
    cleanup.cleanup(notebook=NOTEBOOK, client=client)


@pytest.fixture
def debian(nginx):
    """``debian:trixie-slim`` present, pulled (and claimed for removal) only if it was absent."""
    client = nginx
    cleanup.claim_pulls(["debian:trixie-slim"], notebook=NOTEBOOK, client=client)
    try:
        client.images.get("debian:trixie-slim")
    except docker.errors.ImageNotFound:
        pull("debian:trixie-slim", client=client, progress=False)
    return client


def _history_ids(client, ref: str) -> list[str]:
    return [step["Id"] for step in client.api.history(client.images.get(ref).id)]


# --------------------------------------------------------------------------------- 04: history


def test_a_pulled_image_has_an_id_on_its_top_row_only(nginx):
    """A pull brings the layers and the history, but no image per step."""
    client = nginx
    for tag in TAGS:
        ids = _history_ids(client, tag)
        assert ids[0] == client.images.get(tag).id
        assert ids[1:] and set(ids[1:]) == {"<missing>"}, tag


def test_buildkit_keeps_no_image_per_step_even_where_it_builds(nginx):
    """BuildKit (docker build's default) leaves `<missing>` on every row but the top, also on
    the build machine and also on the row of the local base image; it records no parent, and
    there is no untagged image per step. Its rows carry the comment buildkit.dockerfile.v0 and
    a RUN step is written `RUN |N ARG=value ... /bin/sh -c <command>`."""
    client = nginx
    tag = "dn-tests-03-04-buildkit"
    dockerfile = _dockerfile("nginx:stable", "ARG GREETING=hello",
                             "RUN echo $GREETING > /var/www/html/hello.txt")  # fmt: skip
    try:
        _build(tag, dockerfile)
        image = client.images.get(tag)
        steps = client.api.history(image.id)
        assert steps[0]["Id"] == image.id
        assert {s["Id"] for s in steps[1:]} == {"<missing>"}
        assert {s["Comment"] for s in steps[:3]} == {"buildkit.dockerfile.v0"}
        assert steps[0]["CreatedBy"].startswith("RUN |1 GREETING=hello /bin/sh -c echo")
        assert image.attrs["Parent"] == ""
        built_here = client.images.list(
            all=True, filters={"label": f"tutorial.notebook={NOTEBOOK}"}
        )
        assert [i.id for i in built_here] == [image.id]
        stable = client.images.get("nginx:stable").attrs["RootFS"]["Layers"]
        assert image.attrs["RootFS"]["Layers"][:-1] == stable
    finally:
        _remove(client, tag)


def test_the_legacy_builder_kept_an_image_per_step_on_the_build_machine(nginx):
    """DOCKER_BUILDKIT=0: each of its own steps has an image ID here (untagged images that
    `docker images --all` lists), the base's top row shows the base's ID through the recorded
    parent, and the rows the base was pulled with stay `<missing>`."""
    client = nginx
    tag = "dn-tests-03-04-legacy"
    dockerfile = _dockerfile("nginx:stable", "RUN echo hello > /var/www/html/hello.txt")
    try:
        _build(tag, dockerfile, buildkit=False)
        image = client.images.get(tag)
        steps = client.api.history(image.id)
        stable = client.images.get("nginx:stable")
        own, base = steps[:2], steps[2:]
        assert all(s["Id"].startswith("sha256:") for s in own)
        assert all(s["Comment"] == "" for s in own)
        assert own[1]["CreatedBy"].startswith("/bin/sh -c #(nop)  LABEL")
        assert base[0]["Id"] == stable.id
        assert {s["Id"] for s in base[1:]} == {"<missing>"}
        assert image.attrs["Parent"] == own[1]["Id"]
        every = client.images.list(all=True, filters={"label": f"tutorial.notebook={NOTEBOOK}"})
        untagged = [i for i in every if not i.tags]
        assert {i.id for i in untagged} == {own[1]["Id"]}
        assert untagged[0].id not in {i.id for i in client.images.list()}
    finally:
        _remove(client, tag)
    with pytest.raises(docker.errors.ImageNotFound):
        client.images.get(own[1]["Id"])


def test_lab_images_facts(nginx):
    """The lab's tags: same steps, Debian 13's nginx 1.26 vs Debian's newest 1.30, only ADD and
    RUN add bytes (one layer each, matching RootFS.Layers), the base's ADD is the largest layer,
    and the labels say they are lab builds, not Docker's official images."""
    client = nginx
    frames = {tag: history_frame(client, tag) for tag in TAGS}
    steps = {tag: [i.split()[0] for i in f["instruction"]] for tag, f in frames.items()}
    assert steps["nginx:stable"] == steps["nginx:latest"] == [
        "CMD", "STOPSIGNAL", "EXPOSE", "RUN", "ENV", "ARG", "CMD", "ADD"]  # fmt: skip
    for tag, frame in frames.items():
        image = client.images.get(tag)
        made_layers = frame[frame["kind"] == "layer"]
        assert [i.split()[0] for i in made_layers["instruction"]] == ["RUN", "ADD"]
        assert len(made_layers) == len(image.attrs["RootFS"]["Layers"])
        assert frame.loc[frame["size_mb"].idxmax(), "instruction"].startswith("ADD rootfs.tar")
        assert "not Docker's official image" in image.labels["org.opencontainers.image.description"]
        assert image.attrs["Config"]["Env"].count(
            f"NGINX_VERSION={image.labels['org.opencontainers.image.version']}") == 1  # fmt: skip
    stable = client.images.get("nginx:stable").labels
    latest = client.images.get("nginx:latest").labels
    assert stable["org.opencontainers.image.version"].startswith("1.26.")
    assert "trixie" in stable["org.opencontainers.image.description"]
    assert latest["org.opencontainers.image.version"].startswith("1.30.")
    assert "forky" in latest["org.opencontainers.image.description"]


def test_the_bottom_steps_are_the_debian_base(debian):
    """The two bottom history rows of both nginx tags are debian:trixie-slim's own steps
    (ADD rootfs.tar /, CMD ["bash"]), and its one layer is their first."""
    client = debian
    base = client.api.history(client.images.get("debian:trixie-slim").id)
    assert [s["CreatedBy"] for s in base] == ['CMD ["bash"]', "ADD rootfs.tar / # buildkit"]
    base_layers = client.images.get("debian:trixie-slim").attrs["RootFS"]["Layers"]
    for tag in TAGS:
        steps = client.api.history(client.images.get(tag).id)
        assert [s["CreatedBy"] for s in steps[-2:]] == [s["CreatedBy"] for s in base]
        assert client.images.get(tag).attrs["RootFS"]["Layers"][:1] == base_layers


# --------------------------------------------------------------------------- 03: shared layers


def test_the_rule_on_plain_data():
    """disk used = sum - sum over shared layers of (users - 1) x size; "sum - shared" only
    when each shared layer has two users."""
    two = {"a": {"base": 69_300, "x": 63_700}, "b": {"base": 69_300, "y": 63_700}}
    usage = layers.disk_usage(two)
    assert usage["disk_used"] == 266_000 - 69_300 == usage["sum_of_sizes"] - usage["shared"]
    three = {**two, "c": {"base": 69_300}}
    usage = layers.disk_usage(three)
    assert usage["disk_used"] == 196_700  # the base, x and y, each stored once
    assert usage["disk_used"] == usage["sum_of_sizes"] - (3 - 1) * 69_300
    assert usage["disk_used"] != usage["sum_of_sizes"] - usage["shared"]


def _human(size: float, precision: int) -> str:
    """go-units' HumanSizeWithPrecision, which the CLI prints sizes with (decimal units)."""
    units = ["B", "kB", "MB", "GB", "TB", "PB"]
    index = 0
    while size >= 1000 and index < len(units) - 1:
        size /= 1000
        index += 1
    return f"{size:.{precision}g}{units[index]}"


def test_docker_system_df_v_reports_the_layer_arithmetic(nginx):
    """SIZE, SHARED SIZE and UNIQUE SIZE of `docker system df -v` (the CLI's own strings) equal
    the sizes worked out from RootFS.Layers and history; the nginx tags share the base."""
    client = nginx
    shares = layers.engine_shares(client, TAGS)
    assert shares["same_as_engine"].all(), shares
    cli = subprocess.run(["docker", "system", "df", "-v", "--format", "json"],
                         capture_output=True, text=True, check=True)  # fmt: skip
    rows = {r["ID"]: r for r in json.loads(cli.stdout)["Images"]}  # one row per image
    for tag in TAGS:
        sizes = layers.layer_sizes(client, tag)
        users = layers.engine_layer_users(client)
        chains = layers.chain_ids(list(sizes))
        shared = sum(s for s, c in zip(sizes.values(), chains, strict=True) if users[c] > 1)
        size = sum(sizes.values())
        row = rows[client.images.get(tag).id]
        assert row["Size"] == _human(size, 3)
        assert row["SharedSize"] == _human(shared, 4)
        assert row["UniqueSize"] == _human(size - shared, 4)
    pair = {tag: layers.layer_sizes(client, tag) for tag in TAGS}
    table = layers.layer_table(pair)
    assert table["users"].tolist() == [2, 1, 1]
    base = next(iter(pair["nginx:stable"]))
    assert base == next(iter(pair["nginx:latest"]))
    assert table.loc[0, "layer"] == layers.short(base)


def _disk_used_by_every_image(client) -> tuple[int, int]:
    """(distinct layers of every image, each once, in bytes; the engine's LayersSize), read
    while no image comes or goes."""
    for _ in range(5):
        before = sorted(i.id for i in client.images.list())
        stored: dict[str, int] = {}
        for image_id in before:
            sizes = layers.layer_sizes(client, image_id)
            stored.update(zip(layers.chain_ids(list(sizes)), sizes.values(), strict=True))
        engine = client.df()["LayersSize"]
        if sorted(i.id for i in client.images.list()) == before:
            return sum(stored.values()), engine
        time.sleep(1)
    pytest.fail("images kept changing on the engine while the test read them")


def test_disk_used_rule_holds_with_three_users(debian):
    """With debian:trixie-slim the base layer has three users: the rule gives the disk the three
    use, "sum - shared" does not; and the engine's own total (docker system df's Images SIZE)
    is every image's distinct layers counted once."""
    client = debian
    three = {ref: layers.layer_sizes(client, ref) for ref in [*TAGS, "debian:trixie-slim"]}
    assert layers.layer_users(three)[next(iter(three["debian:trixie-slim"]))] == 3
    usage = layers.disk_usage(three)
    assert usage["disk_used"] == usage["sum_of_sizes"] - usage["saved"]
    assert usage["disk_used"] != usage["sum_of_sizes"] - usage["shared"]
    assert layers.engine_shares(client, list(three))["same_as_engine"].all()
    ours, engine = _disk_used_by_every_image(client)
    assert ours == engine
    answer = usage["sum_of_sizes"] - usage["saved"]
    check = layers.check_disk_used(client, list(three), answer, name="three_used")
    assert check.startswith("Pass:")
    wrong = layers.check_disk_used(client, list(three), usage["sum_of_sizes"] - usage["shared"])
    assert wrong.startswith("Hint:") and "count how many" in wrong
