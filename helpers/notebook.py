"""The setup step every notebook runs first.

:func:`setup_notebook` checks the engine (failing fast with one plain sentence), says which engine
and which registry the lesson will use, sets plot and table defaults, and installs two IPython
hooks: errors (the helpers' own and the Docker SDK's) show as one plain line instead of a
traceback, and ``!`` shell commands run as typed in a terminal, with the series' labels added to
``docker run`` (see :func:`_run_shell_command`). Nothing here happens on import.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from .engine import EngineFacts, check, connect
from .errors import TutorialError, explain_cli_output, learner_message
from .i18n import _
from .shell_line import commands, flag, literal


@dataclass(frozen=True)
class Setup:
    """What :func:`setup_notebook` found: the client to use and where pulls come from."""

    client: object
    facts: EngineFacts
    pulls_from: str
    waited: float = 0.0
    #: True when this kernel ran the notebook's setup before (the cell was run again mid-lesson).
    rerun: bool = False

    @property
    def kind(self) -> str:
        """The learner's set-up (:func:`helpers.setups.setup_kind`): ``root``,
        ``docker-group``, ``rootless``, ``desktop``, ``podman`` or ``other``."""
        from .setups import setup_kind

        return setup_kind(self.facts)

    def __str__(self) -> str:
        from .setups import describe

        waited = (
            _("Waited {seconds:.1f} s for another notebook of the series to finish.").format(
                seconds=self.waited
            )
            + "\n"
            if self.waited >= 0.1
            else ""
        )
        lines = (
            _("Engine: Docker {version} (API {api}), containerd {containerd}").format(
                version=self.facts.version,
                api=self.facts.api_version,
                containerd=self.facts.containerd_version,
            ),
            _("Pulls from: {source}").format(source=self.pulls_from),
            _("Set-up: {setup}").format(setup=describe(self.facts)),
        )
        return waited + "\n".join(lines)

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str(self))


def _show_tutorial_error(shell, etype, value, tb, tb_offset=None) -> None:
    """IPython custom exception handler: one plain line instead of a traceback, for the helpers'
    own errors and for the Docker SDK's (translated by :func:`helpers.errors.learner_message`)."""
    print(learner_message(value), file=sys.stderr)


def _ipython_shell():
    """The running IPython shell, or None outside IPython (a plain script, pytest)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


#: The notebook and client :func:`setup_notebook` prepared, for the ``!`` hook's labels.
_session: dict = {}

#: ``{{ ... }}`` in a ``!`` line: a Go template (``docker ps --format '{{.Names}}'``), kept as
#: typed. The older doubled form ``{{{{.Names}}}}`` still gives ``{{.Names}}``.
_GO_TEMPLATE = re.compile(r"\{\{\{\{(.*?)\}\}\}\}|\{\{(.*?)\}\}", re.DOTALL)

#: ``docker run`` / ``docker create`` (or ``docker container run|create``) where a shell command
#: starts: at the start of the line or after ``;``, ``&&``, ``||``, ``|``, ``(`` or a newline.
_DOCKER_RUN = re.compile(
    r"(?:^|(?<=[;&|(\n]))(?P<lead>\s*)docker(?P<sub>\s+(?:container\s+)?(?:run|create))(?=\s|$)"
)

#: Other commands that create something the clean-up must find by label: an image
#: (``docker build``, ``docker image build``, ``docker buildx build``), a volume, a network, or a
#: swarm service (whose task containers get the labels too, through ``--container-label``).
_DOCKER_CREATES = re.compile(
    r"(?:^|(?<=[;&|(\n]))(?P<lead>\s*)docker(?P<sub>\s+(?:(?:image\s+|buildx\s+)?build"
    r"|volume\s+create|network\s+create|service\s+create))(?=\s|$)"
)

#: Podman's commands that create something: ``podman pod create``, ``podman run|create`` (or
#: ``podman container run|create``) get ``--label``; ``podman kube play`` (``play kube``), which
#: takes no ``--label`` in Podman 4.3, gets the same pairs as ``--annotation`` (on the Pod's
#: containers; :mod:`helpers.pods` selects by either).
_PODMAN_CREATES = re.compile(
    r"(?:^|(?<=[;&|(\n]))(?P<lead>\s*)podman(?P<sub>\s+(?:pod\s+create|(?:container\s+)?(?:run|create)"
    r"|kube\s+play|play\s+kube))(?=\s|$)"
)

#: A ``!`` line that runs ``docker`` or ``podman``: when it fails, :func:`_run_shell_command`
#: adds the one sentence :func:`helpers.errors.explain_cli_output` has for its output.
_DOCKER_TOOL = re.compile(r"\b(?:docker|podman)\b")


def _protect_go_templates(cmd: str) -> tuple[str, list[str]]:
    """Swap each ``{{ ... }}`` for a placeholder ``var_expand`` leaves alone; return the
    templates as they must reach the shell."""
    templates: list[str] = []

    def keep(match: re.Match) -> str:
        inner = match.group(1) if match.group(1) is not None else match.group(2)
        templates.append("{{" + inner + "}}")
        return f"__dn_go_template_{len(templates) - 1}__"

    return _GO_TEMPLATE.sub(keep, cmd), templates


def _restore_go_templates(cmd: str, templates: list[str]) -> str:
    for index, template in enumerate(templates):
        cmd = cmd.replace(f"__dn_go_template_{index}__", template)
    return cmd


#: ``docker volume create``'s options that take a value.
_VOLUME_OPTIONS = {"-d", "--driver", "--label", "-o", "--opt", "--name"}
_VOLUME_CREATE = re.compile(r"(?:^|(?<=[;&|(\n]))\s*docker\s+volume\s+create(?=\s|$)")


def _volume_names(cmd: str) -> list[str]:
    """The volume each ``docker volume create`` in a shell line names.

    Example:
        >>> _volume_names("docker volume create --label a=b data-08 && docker volume ls")
        ['data-08']
    """
    names = []
    for words in commands(cmd, _VOLUME_CREATE):
        index = 0
        while index < len(words):
            word = words[index]
            if word == "--name" and index + 1 < len(words):
                names.append(words[index + 1])
                break
            if word in _VOLUME_OPTIONS:
                index += 2
            elif word.startswith("-"):
                index += 1
            else:
                names.append(word)
                break
    return [name for name in names if literal(name)]


_SERVICE_CREATE = re.compile(r"(?:^|(?<=[;&|(\n]))\s*docker\s+service\s+create(?=\s|$)")


def _service_names(cmd: str) -> list[str]:
    """The ``--name`` of every ``docker service create`` in a shell line.

    Example:
        >>> _service_names("docker service create --detach --name web --replicas 3 nginx")
        ['web']
    """
    names = [flag(words, "--name") for words in commands(cmd, _SERVICE_CREATE)]
    return [name for name in names if literal(name)]


def _replace_service(client, name: str) -> str | None:
    """Remove the series' own swarm service ``name`` (a re-run replaces it); the sentence to
    print instead when a service of that name is not the series'."""
    import docker

    from .labels import is_owned

    try:
        service = client.services.get(name)
    except docker.errors.APIError:  # no such service, or not a swarm manager: the CLI says so
        return None
    if not is_owned(service):
        return _(
            "A swarm service named {name} exists that this series did not make: rename or "
            "remove it, then run this cell again."
        ).format(name=name)
    service.remove()
    return None


def _container_names(cmd: str) -> list[str]:
    """The ``--name`` of every ``docker run``/``docker create`` in a shell line."""
    names = [flag(words, "--name") for words in commands(cmd, _DOCKER_RUN)]
    return [name for name in names if literal(name)]


def label_docker_runs(cmd: str, notebook: str | None) -> str:
    """Add the series' labels to each command in a shell line that creates something: ``docker
    run``/``docker create``, ``docker build`` (the image), ``docker volume create``, ``docker
    network create`` and ``docker service create`` (the service and its task containers).

    Example:
        >>> label_docker_runs("docker run -d nginx", "05")
        'docker run --label tutorial=docker-notebooks --label tutorial.notebook=05 -d nginx'
        >>> label_docker_runs("docker ps; docker container create nginx", None)
        'docker ps; docker container create --label tutorial=docker-notebooks nginx'
        >>> label_docker_runs("docker build -t site .", None)
        'docker build --label tutorial=docker-notebooks -t site .'
        >>> label_docker_runs("docker volume create data", "08")
        'docker volume create --label tutorial=docker-notebooks --label tutorial.notebook=08 data'
        >>> label_docker_runs("docker service create nginx", None).split(" --")[1:]
        ['label tutorial=docker-notebooks', 'container-label tutorial=docker-notebooks nginx']
        >>> label_docker_runs("podman pod create --name p", None)
        'podman pod create --label tutorial=docker-notebooks --name p'
        >>> label_docker_runs("podman run -d --pod p nginx", "11")
        'podman run --label tutorial=docker-notebooks --label tutorial.notebook=11 -d --pod p nginx'
        >>> label_docker_runs("podman kube play p.yaml", None)
        'podman kube play --annotation tutorial=docker-notebooks p.yaml'
        >>> label_docker_runs("podman generate kube p; podman ps --pod", None)
        'podman generate kube p; podman ps --pod'
    """
    from .labels import project_labels

    labels = project_labels(notebook).items()
    flags = " ".join(f"--label {key}={value}" for key, value in labels)
    tasks = " ".join(f"--container-label {key}={value}" for key, value in labels)

    def creates(match: re.Match) -> str:
        extra = f" {tasks}" if match.group("sub").split()[0] == "service" else ""
        return f"{match.group('lead')}docker{match.group('sub')} {flags}{extra}"

    cmd = _DOCKER_RUN.sub(lambda m: f"{m.group('lead')}docker{m.group('sub')} {flags}", cmd)
    cmd = _DOCKER_CREATES.sub(creates, cmd)
    notes = " ".join(f"--annotation {key}={value}" for key, value in labels)

    def podman(match: re.Match) -> str:
        plays = match.group("sub").split()[0] in ("kube", "play")
        return f"{match.group('lead')}podman{match.group('sub')} {notes if plays else flags}"

    return _PODMAN_CREATES.sub(podman, cmd)


def _make_room(cmd: str) -> str | None:
    """Remove the series' own containers that the line's ``--name`` flags will re-create.

    Returns:
        None when the line may run, else the one sentence saying why it must not: a container
        of that name exists that the series did not make (it is left alone).
    """
    from .containers import replace_container
    from .errors import NotOwnedError
    from .labels import is_owned

    client = _session.get("client")
    if client is None:
        return None
    for name in _container_names(cmd):
        try:
            replace_container(client, name)
        except NotOwnedError:
            return _(
                "A container named {name} exists that this series did not make: rename or "
                "remove it, then run this cell again."
            ).format(name=name)
    for name in _service_names(cmd):
        refusal = _replace_service(client, name)
        if refusal:
            return refusal
    for name in _volume_names(cmd):
        # `docker volume create NAME` quietly reuses a volume NAME that exists, without the
        # series' labels: the lesson would write into the learner's volume.
        try:
            volume = client.volumes.get(name)
        except Exception:  # noqa: BLE001 - absent (or the engine will say why)
            continue
        if not is_owned(volume):
            return _(
                "A volume named {name} exists that this series did not make: rename or "
                "remove it, then run this cell again."
            ).format(name=name)
    if "podman" in cmd:  # the series' own Pods and Podman containers, likewise
        from .pods import make_room

        return make_room(cmd)
    return None


def _run_shell_command(cmd: str) -> None:
    """``!command`` as a learner would type it in a terminal, run without a terminal.

    - Output streams as plain text and the exit code goes to ``_exit_code`` (as IPython does).
      IPython runs ``!`` commands in a pseudo-terminal, which makes ``docker pull`` draw its
      progress with terminal escape codes (unreadable in a saved notebook) and costs about 0.1 s
      per command. A pipe gives the plain output ``docker`` writes for scripts.
    - ``{var}`` expands a Python variable, as in IPython, but a Go template ``{{.Names}}`` reaches
      the shell as typed, so ``docker ps --format '{{.Names}}'`` pastes into a terminal.
    - After ``setup_notebook("NN")``, each ``docker run``/``docker create`` gets
      ``--label tutorial=docker-notebooks --label tutorial.notebook=NN``: cleanup selects by
      these labels only, so it finds what the series made and never the learner's own
      containers. The command in the cell is the one a learner types in a terminal; the labels
      are the only addition. With ``--name X``, a container X the series made earlier is removed
      first, so re-running the cell replaces it; a container X the series did not make is left
      alone, and the line does not run (one sentence says why). ``%%bash`` cells run unchanged.
    - When a ``docker``/``podman`` line fails, its own message stays, and one plain sentence
      follows it when :data:`helpers.errors.CLI_SENTENCES` knows what it means.
    """
    import subprocess

    shell = _ipython_shell()
    protected, templates = _protect_go_templates(cmd)
    command = _restore_go_templates(shell.var_expand(protected, depth=1), templates)
    if _session:
        refusal = _make_room(command)
        if refusal is not None:
            print(refusal, flush=True)
            shell.user_ns["_exit_code"] = 1
            return
        command = label_docker_runs(command, _session.get("notebook"))
    with subprocess.Popen(
        command,
        shell=True,
        executable="/bin/bash",
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    ) as proc:
        shown = []
        for line in proc.stdout:
            print(line, end="", flush=True)
            shown.append(line)
    shell.user_ns["_exit_code"] = proc.returncode
    if proc.returncode != 0 and _DOCKER_TOOL.search(command):
        sentence = explain_cli_output("".join(shown))
        if sentence:
            print(sentence, flush=True)


#: A cell that builds an image, in a ``!`` line or a ``%%bash`` cell: ``docker build`` and its
#: long forms, and the ``docker compose`` commands that build a service's image (``build``, and
#: ``up``/``create``/``run`` when the image is missing).
_BUILDS = re.compile(
    r"\bdocker\s+(?:image\s+|buildx\s+)?build\b"
    r"|\bdocker\s+compose\b[^\n;&|]*?\s(?:build|up|create|run)\b"
)


def _before_cell(info) -> None:
    """Before a cell that builds: note the build-cache records (see :func:`_after_cell`)."""
    if _session and _BUILDS.search(getattr(info, "raw_cell", "") or ""):
        from . import build_cache

        _session["cache_before"] = build_cache.cache_ids(_session["client"])


def _after_cell(result) -> None:
    """After a cell that builds: record the cache records its build made, so the notebook's
    cleanup prunes exactly those (:mod:`helpers.build_cache`) and its base image's layers go
    with the image."""
    before = _session.pop("cache_before", None) if _session else None
    if before is not None and _session.get("notebook"):
        from . import build_cache

        made = build_cache.cache_ids(_session["client"]) - before
        build_cache.remember(_session["notebook"], made)


def _install_shell_hooks() -> None:
    """In IPython: the helpers' and the SDK's errors as one line, ``!`` commands through a pipe."""
    shell = _ipython_shell()
    if shell is not None:
        import subprocess

        import docker
        import requests

        shown_as_one_line = (
            TutorialError,
            docker.errors.DockerException,  # NotFound, ImageNotFound, APIError (409), ...
            requests.exceptions.ConnectionError,  # the engine's socket went away
            requests.exceptions.Timeout,
            subprocess.CalledProcessError,  # a %%bash cell whose script failed
        )
        shell.set_custom_exc(shown_as_one_line, _show_tutorial_error)
        for event, callback in (("pre_run_cell", _before_cell), ("post_run_cell", _after_cell)):
            if callback not in shell.events.callbacks[event]:
                shell.events.register(event, callback)
        shell.system = _run_shell_command
        if _set_aside_cell not in shell.input_transformers_cleanup:
            shell.input_transformers_cleanup.append(_set_aside_cell)


#: The comment that opens a code cell needing something a set-up may lack.
NEEDS = "# needs:"
#: What this kernel's set-up lacks (``overlay network``), with the sentence said instead.
_set_aside: dict[str, str] = {}


def set_aside(need: str, sentence: str) -> None:
    """From now on in this kernel, a code cell whose first line is ``# needs: <need>`` prints
    ``sentence`` instead of running: a lesson calls this, after saying why, when this set-up
    lacks what those cells need (rootless Docker has no overlay networks), so the lesson goes on
    with no error while the handout keeps what those cells print on root's engine. A sentence of
    the helpers' catalog (marked with ``N_``) is said in the learner's language."""
    _install_shell_hooks()
    _set_aside[need] = sentence


def _set_aside_cell(lines: list[str]) -> list[str]:
    r"""IPython input transformer: a cell that needs what :func:`set_aside` named is replaced by
    one line printing its sentence.

    Example:
        >>> _set_aside["an example"] = "Not here."
        >>> _set_aside_cell(["# needs: an example\n", "!docker network ls\n"])
        ["print('Not here.')\n"]
        >>> _set_aside_cell(["!docker network ls\n"])
        ['!docker network ls\n']
        >>> del _set_aside["an example"]
    """
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.startswith(NEEDS):
        sentence = _set_aside.get(first[len(NEEDS) :].strip())
        if sentence is not None:
            return [f"print({_(sentence)!r})\n"]
    return lines


def _figure_png(figure) -> bytes:
    """A matplotlib Figure as PNG bytes, the way Jupyter's inline backend draws it."""
    import io

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def _set_display_defaults() -> None:
    import matplotlib
    import pandas as pd

    shell = _ipython_shell()
    if shell is not None:
        # A Figure returned by a cell is drawn as PNG. Registered by name, so matplotlib's
        # plotting machinery loads only when a lesson draws its first figure.
        formatter = shell.display_formatter.formatters["image/png"]
        formatter.for_type_by_name("matplotlib.figure", "Figure", _figure_png)

    matplotlib.rcParams.update(
        {
            "figure.figsize": (8, 4),
            "figure.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    pd.set_option("display.max_colwidth", 60)
    pd.set_option("display.width", 120)


def pulls_from(facts: EngineFacts) -> str:
    """Say who serves this engine's pulls: Docker Hub, or the lab registry through the mirror."""
    from .registry_api import hub_reachable, lab_mirror_urls, registry_answers

    mirror = next((url for url in lab_mirror_urls() if url in facts.mirrors), None)
    if mirror and registry_answers():
        if hub_reachable():
            return _("the lab registry mirror {mirror}, then Docker Hub").format(mirror=mirror)
        return _("the offline lab registry mirror {mirror} (Docker Hub is unreachable)").format(
            mirror=mirror
        )
    if hub_reachable():
        return _("Docker Hub")
    return _("nothing: Docker Hub is unreachable and no lab mirror is set up; run `make setup`")


def setup_notebook(notebook: str | None = None, language: str | None = None) -> Setup:
    """Check the engine and prepare the notebook; the first call in every lesson.

    With ``notebook``, it also takes the series lock (waiting, bounded, while another notebook
    uses the engine: :mod:`helpers.series_lock`) and removes what an earlier, interrupted run of
    this notebook left behind. The notebook's last cell, ``cleanup(notebook=...)``, lets go.
    Running it again in the same kernel (a re-run setup cell) neither waits nor removes what the
    lesson made so far. It prints which engine and registry the lesson uses (and, when it had to
    wait, for how long).

    Args:
        notebook: Short name of the notebook, e.g. ``"05"``.
        language: The edition's language for everything the helpers print from now on in this
            kernel: ``"ko"`` in the Korean edition; None leaves it to ``$DOCKER_NOTEBOOKS_LANG``
            or the learner's locale (:mod:`helpers.i18n`).

    Returns:
        A :class:`Setup` with the ``client`` to use, the engine ``facts`` and ``pulls_from``.

    Raises:
        EngineUnavailable: No engine answers (with what to do).
        EnginePermissionDenied: The socket exists but this user may not use it.
        EngineTooOld: The engine is older than the series needs.
        SeriesBusy: Another notebook kept the engine longer than the lock wait.

    Example:
        >>> lab = setup_notebook("05")  # doctest: +SKIP
        >>> lab.client.ping()  # doctest: +SKIP
        True
    """
    from .i18n import set_language

    set_language(language)
    _install_shell_hooks()
    client = connect()
    facts = check(client)
    _session.clear()
    _session.update(notebook=notebook, client=client)
    waited = 0.0
    rerun = False
    if notebook is not None:
        from . import series_lock
        from .cleanup import remove_leftovers

        # Re-run mid-lesson (this kernel already holds the lock for this notebook): what the
        # notebook made so far is the lesson's, not an interrupted run's leftovers, so it stays.
        rerun = series_lock.held_by() == notebook
        waited = series_lock.acquire(notebook)
        if not rerun:
            remove_leftovers(notebook, client)
    _set_display_defaults()
    setup = Setup(
        client=client, facts=facts, pulls_from=pulls_from(facts), waited=waited, rerun=rerun
    )
    # Always printed, so a setup cell's output has the same shape whether or not it waited for
    # the series lock (nbval compares shapes; tests/sanitize.cfg masks the wait's own lines).
    print(setup, flush=True)
    return setup
