# %% [markdown]
# # 05 · Running containers and restart policies
#
# Start containers in the background, find them again with `docker ps` filters, and see what each
# restart policy does when a container fails.
#
# ## Overview
# 1. `docker run -d --restart always`
# 2. Finding containers: `docker ps -f id=` and `-f name=`
# 3. Restart policies, observed
# 4. Stopped by hand
# 5. The policy table, observed
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

# %%
from helpers.cleanup import cleanup
from helpers.containers import ps_frame, restart_facts, wait_for
from helpers.errors import TutorialError
from helpers.notebook import setup_notebook
from helpers.policy_observation import load as load_observation
from helpers.policy_observation import observed_table
from helpers.registry import ensure_image
from helpers.restarts import demonstrate, demonstrate_all

lab = setup_notebook("05")
client = lab.client
for tag in ("nginx:latest", "nginx:stable"):
    ensure_image(tag, client=client)

# %% [markdown]
# ## 1. `docker run -d --restart always`
# `-d` (`--detach`) runs the container in the background and prints its ID; `--restart always`
# asks the engine to restart it whenever it stops. Every container this series starts also gets
# its label and a `dn-` name, so cleanup can find it:

# %%
!docker run -d --restart always --name dn-05-web --label tutorial=docker-notebooks --label tutorial.notebook=05 nginx

# %% [markdown]
# ## 2. Finding containers
# `docker ps` lists running containers (`-a` adds stopped ones). `-f name=` filters by name:

# %%
!docker ps -f name=dn-05-web --format '{{{{.Names}}}}  {{{{.Image}}}}  {{{{.Ports}}}}'

# %% [markdown]
# `-f id=` takes the start of an ID, as short as it stays unique (the source notes use three
# characters, `-f id=1c6`):

# %%
prefix = client.containers.get("dn-05-web").id[:6]
!docker ps -f id={prefix} --format '{{{{.Names}}}}'

# %% [markdown]
# The same from Python, as a table:

# %%
ps_frame(client, filters={"name": "dn-05-web"})

# %% [markdown]
# ## 3. Restart policies, observed
# To see a policy work, the container must fail by itself: `docker stop` counts as "stopped by
# hand" and suspends the policy. Each container below runs `sh -c 'sleep 1; exit 1'` under one
# policy; the helper waits (bounded) until it settles and reads the engine's `RestartCount`:

# %%
failing = demonstrate_all(client)
failing[["policy", "exit_code", "restarts", "keeps_restarting"]]

# %% [markdown]
# `no` never restarts; `on-failure:2` restarts a failing container at most twice; `always` and
# `unless-stopped` keep restarting it, waiting 100 ms, then 200 ms, 400 ms, ... up to a minute
# between attempts.
#
# `on-failure` acts only on failure. The same container exiting with code 0:

# %%
ok = demonstrate(client, "on-failure", exit_code=0)
ok["policy"], ok["restarts"]

# %% [markdown]
# ## 4. Stopped by hand
# `docker stop` on the `always` container: the engine does not restart a container you stopped,
# until the daemon itself restarts.

# %%
always = client.containers.get(failing.set_index("policy").loc["always", "container"])
!docker stop {always.name}

# %% [markdown]
# It stays down: its restart count does not move while we watch for three seconds, longer than
# the next restart delay.

# %%
before = restart_facts(always)["restarts"]
try:
    wait_for(lambda: restart_facts(always)["restarts"] > before, timeout=3, what="a restart")
    came_back = True
except TutorialError:  # the bounded wait ran out: no restart
    came_back = False
restart_facts(always)["state"], came_back

# %% [markdown]
# `--restart` and `--rm` exclude each other: a container removed when it stops cannot be
# restarted. The CLI refuses the combination:

# %%
!docker run --rm --restart always nginx true

# %% [markdown]
# ## 5. The policy table, observed
# What happens when the daemon itself restarts (a reboot, an upgrade) cannot be shown on the
# engine you are using without stopping all of its containers. The series observes it instead on
# a scratch engine of the lab's build: containers under every policy, in six situations, and the
# daemon restarted. The outcomes are kept in `data/restart-policies.json`, and the test suite
# observes again and fails if the engine ever disagrees with the file:

# %%
recorded = load_observation()
recorded["engine"], recorded["observed_on"]

# %% [markdown]
# One row per policy, one column per situation:

# %%
policies = observed_table(recorded)
policies.T

# %% [markdown]
# How the containers ended when the daemon shut down explains the `on-failure` row: nginx stops
# gracefully (exit code 0), while a process that ignores the stop signal is killed after the
# stop timeout (137):

# %%
recorded["exit_codes_at_shutdown"]

# %% [markdown]
# So at daemon start, `on-failure` starts a container again only when it last exited with a
# failure. The source notes' table says `on-failure` containers always start with the Docker
# service; set beside what the engine did with a gracefully stopped container, only that row
# differs:

# %%
notes_say_started = {"no": False, "on-failure": True, "always": True, "unless-stopped": True}
observed_started = policies["daemon restart, was running"].eq("started again")
{p: (says, bool(observed_started[p])) for p, says in notes_say_started.items()}

# %% [markdown]
# The documentation ("Start containers automatically") agrees with every cell: `always` brings a
# container you stopped by hand back when the daemon restarts, and `unless-stopped` does not.
#
# ## 6. Try it yourself
# **Exercise.** Run a container with `--restart on-failure:3` that fails after one second and
# check that it restarts exactly three times.

# %%
three = demonstrate(client, "on-failure:3")
three["restarts"]

# %% [markdown]
# Check (`True` when it restarted three times):

# %%
three["restarts"] == "3"

# %% [markdown]
# ## Clean up

# %%
cleanup(notebook="05")["kind"].value_counts()

# %% [markdown]
# ## Summary
# - `docker run -d` starts a container in the background; `docker ps -f name=` / `-f id=` find it.
# - Restart policies act on containers that exit by themselves; `docker stop` suspends them.
# - `on-failure[:N]` restarts only after a non-zero exit, at most N times; `always` and
#   `unless-stopped` restart after any exit.
# - When the daemon starts again, `always` starts every container, `unless-stopped` only those
#   you did not stop, and `on-failure` only those whose last exit was a failure (the source
#   notes' table misses that last point).
# - `--restart` cannot be combined with `--rm`.
#
# ## What's next?
# [06 · Publishing ports](06-publishing-ports.ipynb): reach nginx from the host.
#
# ## Resources
# - Docker: [Start containers automatically (restart policies)](https://docs.docker.com/engine/containers/start-containers-automatically/)
# - Docker: [`docker run --restart`](https://docs.docker.com/reference/cli/docker/container/run/#restart)
# - Docker: [`docker ps` filtering](https://docs.docker.com/reference/cli/docker/container/ls/#filter)
