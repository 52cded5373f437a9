# %% [markdown]
# # 05 · Running containers and restart policies
#
# Start containers in the background, find them again with `docker ps` and its filters, and see
# what each restart policy does with a container that fails.
#
# ## Overview
# 1. `docker run -d --restart always nginx` and `docker ps`
# 2. Finding a container: `docker ps -f id=` and `-f name=`
# 3. Restart policies on a failing container
# 4. Stopped by hand: `docker stop`
# 5. When the daemon restarts: the observed table, and where the docs are wrong
# 6. Try it yourself
#
# ## Prerequisites
# | Concept | Importance | Notes |
# | --- | --- | --- |
# | [02 · Search and pull](02-search-and-pull.ipynb) | Necessary | the `nginx` image |
# | Exit codes | Helpful | 0 means success, anything else failure |
#
# **Time to learn:** 25 minutes
#
# ## Setup
# The setup cell checks the engine, says which one this lesson runs on, and makes sure both
# `nginx` tags are there. From here on, each `docker run` line in this notebook also gets the
# series' labels (`tutorial=docker-notebooks`, `tutorial.notebook=05`) so that the last cell
# removes exactly what this notebook made; in a terminal, type the commands as they are shown.

# %%
from helpers.cleanup import cleanup
from helpers.containers import id_twins, shortest_unique_prefix
from helpers.notebook import setup_notebook
from helpers.policy_observation import load as load_observation
from helpers.policy_observation import observed_table
from helpers.registry import ensure_image
from helpers.restarts import (
    check_restart_exercise,
    stays_down,
    still_rising,
    wait_exited,
    wait_restarting,
    watch_restarts,
)

lab = setup_notebook("05")
client = lab.client
for tag in ("nginx:latest", "nginx:stable"):
    ensure_image(tag, client=client)

# %% [markdown]
# ## 1. `docker run -d --restart always nginx` and `docker ps`
# `docker run` creates a container from an image and starts it. `-d` (`--detach`) runs it in
# the background: the command returns at once and prints the new container's full ID.
# `--restart always` is its restart policy: the engine starts it again whenever it stops by
# itself. `nginx` without a tag means `nginx:latest`. The command from the source notes:

# %%
!docker run -d --restart always nginx

# %% [markdown]
# `docker ps` lists the running containers. STATUS says `Up` and for how long; NAMES is a random
# `adjective_name` pair, because the command gave no `--name`. It lists every running container
# on the engine, yours too, so your list may be longer than the one stored here (which is why
# this one output is not compared when the notebook is checked; the next cells filter the list
# down to this lesson's containers, and those outputs are):

# %% tags=["nbval-ignore-output"]
!docker ps

# %% [markdown]
# ## 2. Finding a container
# ### `-f id=`: the start of an ID
# `docker ps -f id=` takes the start of a container ID. The source notes type three characters
# (`docker ps -f id=1c6`); fewer do, as long as no other container's ID (stopped ones included)
# starts the same way. The cell below finds the shortest such start for the container above,
# and a piece from the middle of its ID for later:

# %%
first = client.containers.list(limit=1, filters={"label": "tutorial.notebook=05"})[0]
prefix = shortest_unique_prefix(client, first.id)
middle = first.id[20:32]

# %%
!docker ps -f id={prefix}

# %% [markdown]
# A start that two IDs share is ambiguous. IDs are random, so the helper creates stopped
# containers until two of them start with the same character, and keeps those two:

# %%
twins = id_twins(client, notebook="05")
twins

# %% [markdown]
# With that shared first character, `-f id=` lists nothing at all, not both containers (`-a`
# includes stopped containers):

# %%
!docker ps -a -f id={twins.prefix} --format 'table {{.ID}}\t{{.Names}}'

# %% [markdown]
# Nor does a piece from the middle of an ID match: `-f id=` only ever looks at the start.

# %%
!docker ps -a -f id={middle} --format 'table {{.ID}}\t{{.Names}}'

# %% [markdown]
# ### `-f name=`: anywhere in the name
# Two containers with names of your choice (`--name`), one name the start of the other:

# %%
!docker run -d --restart always --name nginx-web nginx
!docker run -d --restart always --name nginx-web2 nginx

# %% [markdown]
# `-f name=` matches its value anywhere in a name, so `nginx-web` finds both (`--format` with a
# Go template picks the columns; `{{.Names}}` is the NAMES column):

# %%
!docker ps -f name=nginx-web --format '{{.Names}}'

# %% [markdown]
# The value is a regular expression: `^` anchors it at the start of the name and `$` at the end,
# so `^nginx-web$` finds exactly one container:

# %%
!docker ps -f 'name=^nginx-web$' --format '{{.Names}}'

# %% [markdown]
# ## 3. Restart policies on a failing container
# To see a policy at work, the container must stop by itself: `docker stop` counts as "stopped by
# hand" and suspends the policy (section 4). The words after the image replace its command, so
# each container below runs `sh -c 'sleep 1; exit 1'`: it fails after one second. One container
# per policy; `on-failure:2` allows at most two restarts:

# %%
!docker run -d --restart no --name fails-no nginx sh -c 'sleep 1; exit 1'
!docker run -d --restart on-failure:2 --name fails-on-failure nginx sh -c 'sleep 1; exit 1'
!docker run -d --restart always --name fails-always nginx sh -c 'sleep 1; exit 1'
!docker run -d --restart unless-stopped --name fails-unless-stopped nginx sh -c 'sleep 1; exit 1'

# %% [markdown]
# The helper watches them (bounded) until each one either stays down (exited for twice as long
# as the engine's next restart delay would be, at least a second) or has restarted more than
# twice. Everything in the table is read from the engine: the policy, the exit code of the last
# exit (from the engine's `die` events), and the restart count (`RestartCount`):

# %%
failing = ["fails-no", "fails-on-failure", "fails-always", "fails-unless-stopped"]
watched = watch_restarts(client, failing, beyond=2)
watched

# %% [markdown]
# `no` never restarted the container. `on-failure:2` restarted it twice, then left it down.
# `always` and `unless-stopped` restarted it a third time, past `on-failure:2`'s limit. Every
# container exited with code 1, and each had run for only a second, yet the engine restarted it.
#
# Between two attempts the engine waits: 100 ms before the first restart, then twice as long
# each time (200 ms, 400 ms, ...) up to a minute. While it waits, `docker ps -a` shows the
# container as `Restarting (1)`; the number in brackets is the last exit code, not a count.
# The helper waits until `fails-always` is in such a pause, then the command shows it:

# %%
wait_restarting(client, "fails-always")
!docker ps -a -f name=fails-always

# %% [markdown]
# Read again now, the restart counts of `always` and `unless-stopped` have risen since the
# table above; those of the two containers that stayed down have not:

# %%
still_rising(client, watched)

# %% [markdown]
# ## 4. Stopped by hand
# `docker stop` marks a container as stopped by hand, and the engine no longer applies its
# restart policy. `nginx-web` runs under `always`:

# %%
!docker stop nginx-web

# %% [markdown]
# nginx exits with code 0 when stopped, and the container stays `Exited`:

# %%
!docker ps -a -f 'name=^nginx-web$'

# %% [markdown]
# `nginx-web` had never been restarted, so had the policy applied, the engine would have started
# it again after 100 ms. The helper computes that delay from the container's restart count and
# watches for ten times as long: it stays down.

# %%
stays_down(client, "nginx-web")

# %% [markdown]
# A container run with `--rm` is removed when it stops, so it cannot be restarted: the CLI
# refuses `--restart` together with `--rm`, and creates nothing:

# %%
!docker run --rm --restart always nginx

# %% [markdown]
# ## 5. When the daemon restarts
# What happens when the daemon itself restarts (a reboot, an upgrade) cannot be shown here
# without stopping every container on your engine. The series observes it on a scratch engine
# instead: containers under every policy, put in six situations, and the scratch daemon
# restarted. The outcomes are kept in `data/restart-policies.json`, with the engine they were
# observed on; the test suite observes again and fails if the engine disagrees with the file:

# %%
recorded = load_observation()
recorded["engine"], recorded["observed_on"]

# %% [markdown]
# One row per policy, one column per situation:

# %%
policies = observed_table(recorded)
policies.T

# %% [markdown]
# How the daemon's shutdown ended the running containers explains the `on-failure` row: nginx
# stops gracefully (exit code 0), while a process that ignores the stop signal is killed when
# the stop timeout runs out (137):

# %%
recorded["exit_codes_at_shutdown"]

# %% [markdown]
# So at daemon start, `on-failure` started again the container the shutdown had killed (137),
# and left the one that had stopped gracefully (0) down. Docker's documentation,
# [Start containers automatically](https://docs.docker.com/engine/containers/start-containers-automatically/),
# says otherwise in one place. Its statements set beside the observed cells:

# %%
import pandas as pd

docs_say = {
    ("always", "docker stop"): "stays down",
    ("always", "daemon restart, stopped by hand before"): "started again",
    ("unless-stopped", "daemon restart, stopped by hand before"): "stays down",
    ("on-failure", "daemon restart, was running"): "stays down",
    ("on-failure", "daemon restart, was running, killed at shutdown"): "stays down",
}
pd.DataFrame(
    [(p, s, says, policies.loc[p, s]) for (p, s), says in docs_say.items()],
    columns=["policy", "situation", "docs say", "observed"],
).assign(agree=lambda t: t["docs say"] == t["observed"])

# %% [markdown]
# The observed table corrects the docs in two places:
# - The docs say `on-failure` "doesn't restart the container if the daemon restarts". It does
#   when the container was killed at shutdown: the engine counts the kill (137) as a failure.
#   [moby#47846](https://github.com/moby/moby/issues/47846) reports the same on Engine 26.1.3
#   after a host reset.
# - The docs say a policy "only takes effect after a container starts successfully", meaning
#   "up for at least 10 seconds". The containers of section 3 ran for one second each time and
#   were restarted all the same.
#
# The source notes' table says `on-failure` containers start with the Docker service: in the
# observation, only the one the shutdown had killed did.
#
# ## 6. Try it yourself
# **Exercise.** Run a container named `try-on-failure` from `nginx` under the policy
# `on-failure:3`, with the command `sh -c 'exit 1'` (it fails at once). When it has stopped
# restarting, read its restart count with
# `docker inspect --format '{{.RestartCount}}' try-on-failure`.

# %%

# %% tags=["solution"] jupyter={"source_hidden": true}
!docker run -d --restart on-failure:3 --name try-on-failure nginx sh -c 'exit 1'
wait_exited(client, "try-on-failure")
!docker inspect --format '{{.RestartCount}}' try-on-failure

# %% [markdown]
# Check (a pass line, or a hint on what to look at):

# %%
print(check_restart_exercise(client, "try-on-failure", limit=3))

# %% [markdown]
# ## Clean up
# Removes the containers this notebook made (selected by its label) and lets the next notebook
# use the engine:

# %%
cleanup(notebook="05")["kind"].value_counts()

# %% [markdown]
# ## Summary
# - `docker run -d` starts a container in the background and prints its ID; `docker ps` shows
#   its STATUS (`Up ...`, `Restarting (exit code) ...`, `Exited (exit code) ...` with `-a`).
# - `docker ps -f id=` matches a start of an ID that only one container has: an ambiguous start,
#   or a piece from the middle, lists nothing. `-f name=` matches anywhere in the name; anchor
#   it as `^name$` for one exact name.
# - A policy acts on containers that exit by themselves: `no` never restarts them,
#   `on-failure:N` restarts after a non-zero exit at most N times, `always` and `unless-stopped`
#   keep restarting them, waiting 100 ms and doubling the wait each time.
# - `docker stop` suspends the policy; `--restart` cannot be combined with `--rm`.
# - When the daemon starts again (observed on a scratch engine), `always` starts every container,
#   `unless-stopped` those you did not stop, and `on-failure` only one the shutdown had killed
#   (exit code 137): the docs say it starts none.
#
# ## What's next?
# [06 · Publishing ports](06-publishing-ports.ipynb): reach nginx from the host.
#
# ## Resources
# - Docker: [Start containers automatically (restart policies)](https://docs.docker.com/engine/containers/start-containers-automatically/)
# - Docker: [`docker run --restart`](https://docs.docker.com/reference/cli/docker/container/run/#restart)
# - Docker: [`docker ps` filtering](https://docs.docker.com/reference/cli/docker/container/ls/#filter)
# - Docker Engine API: [RestartPolicy](https://docs.docker.com/reference/api/engine/version/v1.45/#tag/Container/operation/ContainerCreate) (the delay that doubles from 100 ms)
# - moby: [#47846, on-failure containers started after a host reset](https://github.com/moby/moby/issues/47846)
