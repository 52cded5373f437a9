"""The offline lab: a real Docker Engine and a local registry that stands in for Docker Hub.

``python -m helpers.lab up`` makes the plain commands of the lessons (``docker pull nginx:stable``)
work on a machine that cannot reach Docker Hub:

1. It uses an engine that already answers and never reconfigures or restarts it. When none
   answers and it runs as root on Debian or Ubuntu, it installs Debian's ``docker.io`` and starts
   ``dockerd`` with ``--registry-mirror http://127.0.0.1:5000`` (its log and pid file in the state
   directory), then waits, bounded, until it answers.
2. When Docker Hub is unreachable it runs Debian's ``docker-registry`` on 127.0.0.1:5000 and seeds
   it, once, with lab-built images under Docker Hub's names (see ``lab/images/``):
   ``library/debian:bookworm-slim`` from ``debootstrap --variant=minbase``, and
   ``library/nginx:stable`` and ``library/nginx:latest`` built on it. A second ``up`` finds them
   there and finishes in seconds.

``status`` reports the engine, who serves pulls and what the lab registry holds; ``down`` stops
only what ``up`` started and leaves images and containers alone.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import engine as engine_mod
from .errors import EnginePermissionDenied, EngineUnavailable, LabError, TutorialError
from .state import state_dir

REPO_ROOT = Path(__file__).resolve().parent.parent
IMAGES_DIR = REPO_ROOT / "lab" / "images"
REGISTRY_HOST = "127.0.0.1:5000"
REGISTRY_URL = f"http://{REGISTRY_HOST}"
HUB_PROBE_URL = "https://registry-1.docker.io/v2/"
DEBIAN_SUITE = "bookworm"
DEBIAN_MIRROR = os.environ.get("DOCKER_NOTEBOOKS_DEBIAN_MIRROR", "http://deb.debian.org/debian")
APT_PACKAGES = ("docker.io", "docker-registry", "debootstrap", "iproute2")
#: Label on every lab image; its value changes whenever a recipe changes, which triggers a rebuild.
RECIPE_LABEL = "io.github.docker-notebooks.lab.recipe"
ENGINE_WAIT_SECONDS = 90
REGISTRY_WAIT_SECONDS = 30


@dataclass(frozen=True)
class LabImage:
    """One image the lab builds and serves under a Docker Hub name."""

    repository: str  # Docker Hub name, e.g. "library/nginx"
    tag: str
    context: str  # folder under lab/images/
    description: str

    @property
    def hub_name(self) -> str:
        short = self.repository.removeprefix("library/")
        return f"{short}:{self.tag}"

    @property
    def lab_ref(self) -> str:
        return f"{REGISTRY_HOST}/{self.repository}:{self.tag}"


BASE = LabImage(
    "library/debian",
    "bookworm-slim",
    "debian",
    "Lab build for the docker-notebooks series: a Debian bookworm root filesystem from "
    "debootstrap --variant=minbase, trimmed; not Docker's official image.",
)
NGINX_IMAGES = (
    LabImage(
        "library/nginx",
        "stable",
        "nginx-stable",
        "Lab build for the docker-notebooks series: Debian bookworm's nginx package on the lab's "
        "debian:bookworm-slim; not Docker's official image.",
    ),
    LabImage(
        "library/nginx",
        "latest",
        "nginx-latest",
        "Lab build for the docker-notebooks series: Debian bookworm's nginx with its stream and "
        "GeoIP modules on the lab's debian:bookworm-slim; not Docker's official image.",
    ),
)
LAB_IMAGES = (BASE, *NGINX_IMAGES)


def say(message: str) -> None:
    """Print one progress line of the lab, flushed at once so `make` shows it live."""
    print(f"lab: {message}", flush=True)


# --------------------------------------------------------------------------- state


def _state_file() -> Path:
    return state_dir() / "lab.json"


def load_state() -> dict:
    """What ``up`` recorded: which processes it started, and how."""
    try:
        return json.loads(_state_file().read_text())
    except (OSError, ValueError):
        return {}


def _save_state(state: dict) -> None:
    _state_file().write_text(json.dumps(state, indent=2, sort_keys=True))


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); treat it as gone.
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def _pid_command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


# --------------------------------------------------------------------------- engine


def _spawn(state: dict, key: str, cmd: list[str], log: Path) -> subprocess.Popen:
    """Start ``cmd`` detached (its own session, output to ``log``) and record it in the state.

    The record is what lets ``down`` stop exactly the processes ``up`` started.
    """
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    state[key] = {"pid": proc.pid, "cmd": cmd, "log": str(log)}
    _save_state(state)
    return proc


def _can_install_packages() -> bool:
    """True when the lab may install Debian packages itself: root, with apt-get."""
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get") is not None


def _apt_install(packages: tuple[str, ...]) -> None:
    """Install Debian packages that are missing, updating the package lists only if needed."""
    missing = [
        p
        for p in packages
        if subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", p], capture_output=True, text=True
        ).stdout.strip()
        != "install ok installed"
    ]
    if not missing:
        return
    say(f"installing Debian packages: {' '.join(missing)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing]
    if subprocess.run(cmd, env=env, capture_output=True, text=True).returncode == 0:
        return
    subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, text=True)
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["?"]
        raise LabError(
            f"apt-get could not install {' '.join(missing)} ({last[0]}): check that this machine "
            "reaches Debian's package mirror, then run `make setup` again."
        )


def _daemon_json() -> dict:
    try:
        return json.loads(Path("/etc/docker/daemon.json").read_text())
    except (OSError, ValueError):
        return {}


def dockerd_command(pidfile: Path) -> list[str]:
    """The dockerd command line the lab uses.

    A setting that ``/etc/docker/daemon.json`` already makes is not repeated as a flag: dockerd
    refuses to start when the same option is set in both places.
    """
    config = _daemon_json()
    cmd = ["dockerd"]
    if "pidfile" not in config:
        cmd += ["--pidfile", str(pidfile)]
    if "registry-mirrors" not in config:
        cmd += ["--registry-mirror", REGISTRY_URL]
    return cmd


def _start_dockerd(state: dict) -> None:
    if not _can_install_packages():
        raise LabError(
            "No Docker Engine answers and the lab can install one only as root on Debian or "
            "Ubuntu: install Docker Engine (https://docs.docker.com/engine/install/), start it, "
            "then run `make setup` again."
        )
    _apt_install(APT_PACKAGES)
    directory = state_dir()
    pidfile = directory / "dockerd.pid"
    log = directory / "dockerd.log"
    cmd = dockerd_command(pidfile)
    say(f"starting the lab engine: {' '.join(cmd)} (log: {log})")
    proc = _spawn(state, "dockerd", cmd, log)
    deadline = time.monotonic() + ENGINE_WAIT_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["?"]
            raise LabError(f"dockerd exited at start ({tail[0][-200:]}): see {log}.")
        try:
            engine_mod.connect(engine_mod.Endpoint(engine_mod.DEFAULT_HOST, "lab"), timeout=5)
            return
        except TutorialError:
            time.sleep(0.2)
    raise LabError(f"dockerd did not answer within {ENGINE_WAIT_SECONDS} s: see {log}.")


def ensure_engine(state: dict):
    """Connect to the engine that answers, or start the lab's own; return (client, origin)."""
    endpoint = engine_mod.resolve_endpoint()
    try:
        client = engine_mod.connect(endpoint)
    except EnginePermissionDenied:
        raise
    except EngineUnavailable:
        if endpoint.source != "default socket":
            raise LabError(
                f"No Docker Engine answers at {endpoint.host} ({endpoint.source}): start that "
                "engine, or unset it so the lab can start its own."
            ) from None
        _start_dockerd(state)
        client = engine_mod.connect(engine_mod.Endpoint(engine_mod.DEFAULT_HOST, "default socket"))
        return client, "lab"
    return client, engine_origin(state)


def engine_origin(state: dict | None = None) -> str:
    """``lab`` when the answering engine is the dockerd ``up`` started, else ``existing``."""
    state = load_state() if state is None else state
    pid = (state.get("dockerd") or {}).get("pid")
    return "lab" if _pid_alive(pid) and "dockerd" in _pid_command(pid) else "existing"


# --------------------------------------------------------------------------- hub and registry


def hub_reachable(timeout: float = 3.0) -> bool:
    """True when Docker Hub's registry answers over HTTPS (any HTTP status counts).

    ``DOCKER_NOTEBOOKS_OFFLINE=1`` makes it False, to rehearse the offline lab on a connected
    machine.
    """
    if os.environ.get("DOCKER_NOTEBOOKS_OFFLINE") == "1":
        return False
    import requests

    try:
        requests.get(HUB_PROBE_URL, timeout=timeout)
    except requests.RequestException:
        return False
    return True


def registry_answers(timeout: float = 2.0) -> bool:
    """True when a Docker registry (API v2) answers at :data:`REGISTRY_URL`."""
    import requests

    try:
        response = requests.get(f"{REGISTRY_URL}/v2/", timeout=timeout)
    except requests.RequestException:
        return False
    return response.status_code == 200 and "Docker-Distribution-Api-Version" in response.headers


def _port_taken(host: str, port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def registry_config(root: Path) -> str:
    """The docker-registry configuration: loopback only, data under ``root``, deletes allowed."""
    return f"""version: 0.1
log:
  level: warn
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: {root}
  delete:
    enabled: true
http:
  addr: {REGISTRY_HOST}
  headers:
    X-Content-Type-Options: [nosniff]
"""


def ensure_registry(state: dict) -> str:
    """Make sure a registry answers on 127.0.0.1:5000; return who runs it (``lab``/``existing``)."""
    if registry_answers():
        pid = (state.get("registry") or {}).get("pid")
        return "lab" if _pid_alive(pid) else "existing"
    if _port_taken("127.0.0.1", 5000):
        raise LabError(
            "Port 5000 on 127.0.0.1 is taken by a program that is not a Docker registry: stop it "
            "so the lab registry can listen there, then run `make setup` again."
        )
    if not shutil.which("docker-registry"):
        if not _can_install_packages():
            raise LabError(
                "Docker Hub is unreachable and the lab registry is not installed: install "
                "Debian's docker-registry package (as root), then run `make setup` again."
            )
        _apt_install(("docker-registry",))
    directory = state_dir()
    config = directory / "registry.yml"
    config.write_text(registry_config(directory / "registry"))
    log = directory / "registry.log"
    cmd = ["docker-registry", "serve", str(config)]
    say(f"starting the lab registry on {REGISTRY_HOST} (log: {log})")
    proc = _spawn(state, "registry", cmd, log)
    deadline = time.monotonic() + REGISTRY_WAIT_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise LabError(f"docker-registry exited at start: see {log}.")
        if registry_answers(timeout=1):
            return "lab"
        time.sleep(0.1)
    raise LabError(f"docker-registry did not answer within {REGISTRY_WAIT_SECONDS} s: see {log}.")


MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
    ]
)


def registry_catalog() -> dict[str, list[str]]:
    """Repositories and their tags in the lab registry (``/v2/_catalog`` and ``tags/list``)."""
    import requests

    repos = requests.get(f"{REGISTRY_URL}/v2/_catalog", timeout=5).json().get("repositories") or []
    catalog = {}
    for repo in repos:
        tags = requests.get(f"{REGISTRY_URL}/v2/{repo}/tags/list", timeout=5).json().get("tags")
        catalog[repo] = sorted(tags or [])
    return catalog


def registry_image_labels(repository: str, tag: str) -> dict[str, str] | None:
    """The labels of ``repository:tag`` in the lab registry, or None when it is not there."""
    import requests

    url = f"{REGISTRY_URL}/v2/{repository}/manifests/{tag}"
    response = requests.get(url, headers={"Accept": MANIFEST_TYPES}, timeout=5)
    if response.status_code != 200:
        return None
    config_digest = response.json().get("config", {}).get("digest")
    if not config_digest:
        return None
    blob = requests.get(f"{REGISTRY_URL}/v2/{repository}/blobs/{config_digest}", timeout=5)
    if blob.status_code != 200:
        return None
    return (blob.json().get("config") or {}).get("Labels") or {}


# --------------------------------------------------------------------------- seeding


def recipe_hash(image: LabImage) -> str:
    """A short hash of all that shapes ``image``: its build context and, for nginx, the base."""
    digest = hashlib.sha256(DEBIAN_SUITE.encode())
    contexts = [BASE.context] if image is BASE else [BASE.context, image.context]
    for context in contexts:
        for path in sorted((IMAGES_DIR / context).rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(IMAGES_DIR).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def image_labels(image: LabImage) -> dict[str, str]:
    """The OCI labels a lab image carries: what it is, that it is a lab build, and from what."""
    return {
        "org.opencontainers.image.title": f"{image.hub_name} (lab build)",
        "org.opencontainers.image.description": image.description,
        "org.opencontainers.image.base.name": "scratch" if image is BASE else BASE.hub_name,
        "org.opencontainers.image.vendor": "docker-notebooks offline lab",
        RECIPE_LABEL: recipe_hash(image),
    }


def is_seeded(image: LabImage) -> bool:
    """True when the lab registry holds ``image`` built from the current recipe."""
    labels = registry_image_labels(image.repository, image.tag)
    return bool(labels) and labels.get(RECIPE_LABEL) == recipe_hash(image)


def _trim_rootfs(root: Path) -> None:
    """Drop what the official slim images drop: package lists, caches, docs, man pages, locales."""
    for pattern in (
        "var/lib/apt/lists/*",
        "var/cache/apt/*.bin",
        "var/cache/apt/archives/*.deb",
        "var/log/*",
        "usr/share/man/*",
        "usr/share/info/*",
        "usr/share/groff/*",
        "usr/share/lintian/*",
        "usr/share/linda/*",
    ):
        for path in root.glob(pattern):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
    for path in (root / "usr/share/doc").rglob("*"):
        if path.is_file() and path.name != "copyright":
            path.unlink()
    locale = root / "usr/share/locale"
    for path in locale.glob("*"):
        if path.name != "locale.alias":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    apt_conf = IMAGES_DIR / BASE.context / "apt.conf.d"
    for conf in apt_conf.glob("*"):
        shutil.copy(conf, root / "etc/apt/apt.conf.d" / conf.name)


def build_rootfs_tar(dest: Path) -> None:
    """Make a trimmed Debian root filesystem with debootstrap and pack it as ``dest``."""
    if not shutil.which("debootstrap"):
        if not _can_install_packages():
            raise LabError(
                "Building the lab's Debian image needs debootstrap as root: install Debian's "
                "debootstrap package and run `make setup` as root."
            )
        _apt_install(("debootstrap",))
    work = Path(tempfile.mkdtemp(prefix="rootfs-", dir=state_dir()))
    try:
        root = work / "rootfs"
        say(f"debootstrap --variant=minbase {DEBIAN_SUITE} from {DEBIAN_MIRROR} (about 30 s)")
        done = subprocess.run(
            ["debootstrap", "--variant=minbase", DEBIAN_SUITE, str(root), DEBIAN_MIRROR],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["?"]
            raise LabError(
                f"debootstrap failed ({last[0]}): check that this machine reaches {DEBIAN_MIRROR}."
            )
        _trim_rootfs(root)
        partial = dest.with_suffix(".partial")
        subprocess.run(
            ["tar", "--numeric-owner", "--sort=name", "-C", str(root), "-cf", str(partial), "."],
            check=True,
        )
        partial.replace(dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _stream(events, what: str) -> None:
    """Consume a build or push event stream; raise a LabError on the first error it reports."""
    log = state_dir() / "build.log"
    with open(log, "a") as out:
        for event in events:
            if "error" in event:
                raise LabError(f"{what} failed ({event['error'].strip()}): see {log}.")
            text = event.get("stream") or event.get("status")
            if text:
                out.write(text if text.endswith("\n") else text + "\n")


def build_and_push(client, image: LabImage) -> None:
    """Build ``image`` from ``lab/images/<context>`` and push it to the lab registry."""
    context = IMAGES_DIR / image.context
    buildargs = {}
    with tempfile.TemporaryDirectory(dir=state_dir()) as tmp:
        if image is BASE:
            cache = state_dir() / f"debian-{DEBIAN_SUITE}-rootfs-{recipe_hash(BASE)}.tar"
            if not cache.exists():
                build_rootfs_tar(cache)
            build_dir = Path(tmp)
            shutil.copy(context / "Dockerfile", build_dir / "Dockerfile")
            os.link(cache, build_dir / "rootfs.tar")
        else:
            build_dir = context
            buildargs["BASE"] = BASE.lab_ref
        say(f"building {image.hub_name}")
        _stream(
            client.api.build(
                path=str(build_dir),
                tag=image.lab_ref,
                buildargs=buildargs,
                labels=image_labels(image),
                rm=True,
                forcerm=True,
                decode=True,
            ),
            f"Building {image.hub_name}",
        )
    say(f"pushing {image.hub_name} to the lab registry")
    repo, tag = image.lab_ref.rsplit(":", 1)
    _stream(client.api.push(repo, tag, stream=True, decode=True), f"Pushing {image.hub_name}")


def seed(client) -> list[str]:
    """Build and push the lab images the registry lacks; return the names built.

    The nginx images are built on the very base the registry holds, so the two tags share its
    layer. The local ``127.0.0.1:5000/...`` build tags are removed afterwards so that a lesson's
    first ``docker pull`` really downloads.
    """
    import docker

    missing = [image for image in LAB_IMAGES if not is_seeded(image)]
    if not missing:
        return []
    made_refs = []
    try:
        if BASE in missing:
            build_and_push(client, BASE)
        else:
            say(f"pulling the lab base {BASE.lab_ref}")
            client.images.pull(BASE.lab_ref)
        made_refs.append(BASE.lab_ref)
        for image in NGINX_IMAGES:
            if image in missing:
                build_and_push(client, image)
                made_refs.append(image.lab_ref)
    finally:
        for ref in reversed(made_refs):
            with contextlib.suppress(docker.errors.APIError):
                client.images.remove(ref, noprune=False)
    return [image.hub_name for image in missing]


# --------------------------------------------------------------------------- commands


def up() -> dict:
    """Bring the lab up (idempotent) and return a summary of what it found and did."""
    started = time.monotonic()
    state = load_state()
    client, origin = ensure_engine(state)
    facts = engine_mod.check(client)
    say(f"engine: {facts} [{origin}]")
    summary = {"engine": origin, "engine_version": facts.version, "built": []}
    if hub_reachable():
        say("Docker Hub answers: lessons pull from it directly; the lab registry is not needed.")
        summary["pulls_from"] = "Docker Hub"
    else:
        summary["registry"] = ensure_registry(state)
        summary["built"] = seed(client)
        summary["pulls_from"] = "lab registry mirror"
        if summary["built"]:
            say(f"seeded the lab registry with {', '.join(summary['built'])}")
        else:
            say("lab registry already seeded: " + ", ".join(i.hub_name for i in LAB_IMAGES))
        if REGISTRY_URL not in facts.mirrors:
            say(
                "warning: Docker Hub is unreachable and this engine has no registry mirror, so "
                f'plain `docker pull nginx` fails: add "registry-mirrors": ["{REGISTRY_URL}"] '
                "to /etc/docker/daemon.json and restart Docker."
            )
    summary["seconds"] = round(time.monotonic() - started, 1)
    say(f"ready in {summary['seconds']} s")
    return summary


def status() -> dict:
    """Report the engine, who serves pulls, and what the lab registry holds."""
    facts = engine_mod.check()
    origin = engine_origin()
    hub = hub_reachable()
    registry = registry_answers()
    report = {
        "engine": str(facts),
        "engine_origin": origin,
        "docker_hub": "reachable" if hub else "unreachable",
        "mirror": REGISTRY_URL if REGISTRY_URL in facts.mirrors else None,
        "lab_registry": REGISTRY_URL if registry else None,
        "catalog": registry_catalog() if registry else {},
    }
    if hub:
        report["pulls_from"] = "Docker Hub"
    elif registry and report["mirror"]:
        report["pulls_from"] = f"lab registry mirror {REGISTRY_URL}"
    else:
        report["pulls_from"] = "nothing: run `make setup`"
    return report


def _stop(pid: int, name: str, wait: float = 30) -> None:
    if not (_pid_alive(pid) and name in _pid_command(pid)):
        return
    say(f"stopping {name} (pid {pid})")
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and _pid_alive(pid):
        time.sleep(0.1)
    if _pid_alive(pid):
        os.kill(pid, signal.SIGKILL)


def down() -> list[str]:
    """Stop the registry and engine that ``up`` started, and nothing else; keep images."""
    state = load_state()
    stopped = []
    for key, name in (("registry", "docker-registry"), ("dockerd", "dockerd")):
        pid = (state.get(key) or {}).get("pid")
        if pid and _pid_alive(pid) and name in _pid_command(pid):
            _stop(pid, name)
            stopped.append(name)
        state.pop(key, None)
    _save_state(state)
    if not stopped:
        say("nothing to stop: the lab started no engine or registry that is still running")
    return stopped


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m helpers.lab up|status|down``."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.lab", description=__doc__.split("\n")[0]
    )
    parser.add_argument("command", choices=["up", "status", "down"])
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    try:
        result = {"up": up, "status": status, "down": down}[args.command]()
    except TutorialError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result, indent=2))
    elif args.command == "status":
        for key, value in result.items():
            if key == "catalog":
                for repo, tags in value.items():
                    print(f"  {repo}: {', '.join(tags)}")
            else:
                print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
