# %% [markdown]
# # 10 · An orchestrator on one machine: Swarm
#
# Hand an engine the desired state (three nginx replicas) instead of commands, and watch its
# orchestrator keep to it: scaling, a rolling update and a rollback, a killed container
# replaced; then reach the replicas over an overlay network, by host-mode publishing, and see
# what the routing mesh needs from the kernel.
#
# ## Overview
# 1. A swarm of one node
# 2. A service: tasks and replicas
# 3. Scaling up and down
# 4. A rolling update, then a rollback
# 5. When a task's container dies
# 6. Reaching the replicas: an overlay network and DNS
# 7. Host-mode publishing
# 8. The routing mesh, and what it needs from the kernel
# 9. Try it yourself
# 10. Leaving the swarm
#
# ## Prerequisites
# | Concept | Importance | Notes |
# | --- | --- | --- |
# | [01 · Containers, Pods and containerd](01-containers-pods-and-containerd.ipynb) | Helpful | control plane, nodes; a Pod's shared network |
# | [05 · Running containers and restart policies](05-running-containers-and-restart-policies.ipynb) | Necessary | `--restart`; a container stopped by hand stays down |
# | [06 · Publishing ports](06-publishing-ports.ipynb) | Necessary | `-p`, `docker port`, every interface vs `127.0.0.1` |
#
# **Time to learn:** 30 minutes
#
# ## Setup
# The lesson runs `nginx:stable` and `nginx:latest` (the setup fetches them when they are
# missing). Swarm publishes ports on every interface (section 7 shows why), so the lesson
# publishes on host ports 8100 and 8101 only for a moment each; when another program uses one,
# `free_port` says so and the lesson takes the next free port. As in every lesson,
# `setup_notebook` adds the series' labels to each `docker service create` (the service and its
# tasks' containers), `docker network create` and `docker run` line, so the clean-up removes
# exactly what this notebook made. One caution before you start: stop any Compose project of
# your own first, for the reason section 10 gives.

# %%
from helpers.cleanup import cleanup
from helpers.containers import free_port
from helpers.http import wait_http
from helpers.notebook import setup_notebook
from helpers.registry import ensure_image
from helpers.swarm import (
    check_dnsrr_service,
    init_needed,
    ipvs,
    leave_needed,
    rollout,
    overlay_networks,
    wait_tasks,
)

lab = setup_notebook("10")
client = lab.client
for image in ("nginx:stable", "nginx:latest"):
    _ = ensure_image(image, client=client)
HOST_PORT = free_port(8100, host="0.0.0.0", notebook="10", client=client)
MESH_PORT = free_port(
    8101, host="0.0.0.0", tries=[p for p in range(8101, 8202) if p != HOST_PORT], notebook="10",
    client=client,
)
_ = overlay_networks(lab.kind)  # says so when this engine cannot make overlay networks

# %% [markdown]
# ## 1. A swarm of one node
# Docker Engine has an orchestrator built in: *swarm mode*. A swarm is a group of engines, its
# *nodes*. Managers keep the desired state and decide which node runs what; workers run it. This
# is the role Kubernetes' control plane plays (lesson 01). Here one engine is both manager and
# worker. Is this engine in a swarm already? `docker info` says:

# %%
!docker info --format '{{.Swarm.LocalNodeState}}'

# %% [markdown]
# `inactive`: in none. `docker swarm init` makes this engine the first manager of a new swarm.
# `--advertise-addr` is the address other nodes would use to reach it and `--listen-addr` where
# the manager listens; both are the loopback address, so no other machine can join or talk to
# it. The lesson initialises a swarm only when the engine is in none: if yours is in a swarm
# already, `init_needed` says so in one sentence, the lesson uses that swarm as it is, and it
# never leaves it.

# %%
if init_needed("10", client):
    !docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:2377

# %% [markdown]
# The `docker swarm join` line it prints is how a second machine joins as a worker; its token
# is the swarm's secret. `docker node ls` lists the nodes: one, marked `*` (the engine you are
# talking to), a manager and its `Leader`:

# %%
!docker node ls

# %% [markdown]
# The manager listens on TCP port 2377 (the swarm's API) and 7946 (nodes finding each other),
# here on 127.0.0.1 only:

# %%
!ss -Hltn | grep -E ':(2377|7946) '

# %% [markdown]
# ## 2. A service: tasks and replicas
# On a swarm you do not run containers; you declare a *service*: an image and how many
# *replicas* of it should run. The manager turns that into *tasks*, one per replica, and each
# task runs as one container on a node. `--detach` returns as soon as the manager has accepted
# the service; without it the CLI draws a progress display that, outside a terminal, prints
# dozens of repeated lines.

# %%
!docker service create --detach --name dn-10-web --replicas 3 nginx:stable

# %% [markdown]
# `docker service create` printed the service's ID. The helper waits (bounded) until its three
# tasks run:

# %%
wait_tasks(client, "dn-10-web", running=3)

# %% [markdown]
# `docker service ls` shows the service and its replicas, running out of wanted:

# %%
!docker service ls --filter name=dn-10-web

# %% [markdown]
# `docker service ps` lists its tasks: each has a *slot* number (`dn-10-web.1` to `.3`), the
# node it runs on and its desired and current state:

# %%
!docker service ps dn-10-web

# %% [markdown]
# Each task is a container, named *service.slot.task-ID*, and the engine labels it with its
# service's name:

# %%
!docker ps --filter label=com.docker.swarm.service.name=dn-10-web --format '{{.Names}}' | sort

# %% [markdown]
# The service does not say `nginx:stable` alone: `docker service create` asked the registry for
# the tag's digest (the lab's mirror answered; Docker Hub is unreachable here) and pinned the
# service to it, so every node runs the very same image even if the tag moves on later:

# %%
!docker service inspect --format '{{.Spec.TaskTemplate.ContainerSpec.Image}}' dn-10-web

# %% [markdown]
# When no registry answers for an image, the CLI warns that it could not record a digest and
# each node resolves the tag by itself; `--no-resolve-image` skips the question on purpose.
#
# ## 3. Scaling up and down
# `docker service scale` changes the number of replicas; the manager starts or removes tasks
# until the service matches it:

# %%
!docker service scale --detach dn-10-web=5

# %%
wait_tasks(client, "dn-10-web", running=5)

# %% [markdown]
# Back down to three:

# %%
!docker service scale --detach dn-10-web=3

# %%
wait_tasks(client, "dn-10-web", running=3)

# %% [markdown]
# With every task running on the same node, the manager removed the highest-numbered slots, 4
# and 5; they are gone from `docker service ps`, not stopped:

# %%
!docker service ps dn-10-web

# %% [markdown]
# ## 4. A rolling update, then a rollback
# Changing the image of a running service replaces its tasks, and the update settings say how:
# `--update-parallelism 1` replaces one task at a time, and `--update-delay 1s` waits a second
# after each new task runs before the next. By default each old task stops before its
# replacement starts (`--update-order stop-first`).

# %%
!docker service update --detach --image nginx:latest --update-parallelism 1 --update-delay 1s dn-10-web

# %% [markdown]
# The helper waits (bounded) for the update to finish, then tells it task by task from the
# engine's own timestamps: each row is one task shut down or its replacement running, with the
# number of running tasks of each image just after it:

# %%
rollout(client, "dn-10-web")

# %% [markdown]
# One slot at a time, the `nginx:stable` task shut down, then its `nginx:latest` replacement ran:
# three tasks were running before and after, and two, never fewer, while a slot changed over.
# `docker service ps` keeps each slot's history, newest first (`\_` marks an earlier task of
# the same slot):

# %%
!docker service ps dn-10-web

# %% [markdown]
# `docker service rollback` returns the service to its previous settings, `nginx:stable`, the
# same way, one task at a time:

# %%
!docker service rollback --detach dn-10-web

# %%
rollout(client, "dn-10-web")

# %% [markdown]
# `--filter desired-state=running` shows only the tasks meant to run now: all three are
# `nginx:stable` again.

# %%
!docker service ps --filter desired-state=running dn-10-web

# %% [markdown]
# ## 5. When a task's container dies
# In lesson 05, a container under `--restart always` stayed down after `docker stop`: a stop by
# hand switches the engine's restart policy off. A task's container has no restart policy at all:

# %%
!docker inspect --format '{{.HostConfig.RestartPolicy.Name}}' $(docker ps -q --filter name=dn-10-web.1)

# %% [markdown]
# The service has one, for its tasks: restart on any exit, after a delay of 5 s (the
# `Delay` is in nanoseconds), with no limit on attempts.

# %%
!docker service inspect --format '{{json .Spec.TaskTemplate.RestartPolicy}}' dn-10-web

# %% [markdown]
# Kill slot 1's container, by hand:

# %%
!docker kill $(docker ps -q --filter name=dn-10-web.1)

# %% [markdown]
# The manager sees two tasks running out of three wanted, and after the delay starts a new task:
# a new container, not the old one started again. The helper waits (bounded) for it:

# %%
wait_tasks(client, "dn-10-web", running=3, failed=1)

# %% [markdown]
# Slot 1's history shows the killed task as `Failed`, with its container's exit code (137, killed
# by signal 9), and the new task running above it:

# %%
!docker service ps --filter name=dn-10-web.1 dn-10-web

# %% [markdown]
# This is the difference between a restart policy and an orchestrator: the policy restarts one
# container on one engine (and obeys a stop by hand), while the orchestrator keeps the declared
# number of tasks running, with new containers on whichever node can take them.
#
# ## 6. Reaching the replicas: an overlay network and DNS
# The replicas need one address for their clients. Remove `dn-10-web`; the next service sits on
# a network of its own:

# %%
!docker service rm dn-10-web

# %% [markdown]
# An *overlay* network spans every node of the swarm (it carries traffic between nodes inside
# UDP packets, VXLAN). `--attachable` lets plain containers (`docker run`) join it too, not just
# services' tasks. Rootless Docker cannot make overlay networks (its
# [documentation](https://docs.docker.com/engine/security/rootless/) lists them as unsupported),
# so the cells that need one start with `# needs: overlay network`; with a rootless engine the
# setup said so, and each of them prints one line instead of running:

# %%
# needs: overlay network
!docker network create --driver overlay --attachable dn-10-net

# %% [markdown]
# By default a service on a network gets one virtual IP, which the kernel's IPVS load balancer
# spreads over its tasks (section 8 looks for IPVS). With `--endpoint-mode dnsrr` the service
# gets no virtual IP: its name resolves to the addresses of all its tasks (DNS round robin), and
# clients pick one.

# %%
# needs: overlay network
!docker service create --detach --name dn-10-dns --replicas 3 --network dn-10-net --endpoint-mode dnsrr nginx:stable

# %%
# needs: overlay network
wait_tasks(client, "dn-10-dns", running=3, port=80)

# %% [markdown]
# A throwaway container on `dn-10-net` asks Docker's DNS for the service's name and gets three
# addresses, one per task:

# %%
# needs: overlay network
!docker run --rm --network dn-10-net nginx:stable getent hosts dn-10-dns

# %% [markdown]
# Each address is one replica. The lab's nginx image has no `curl`, so bash's `/dev/tcp` asks
# each address for its page (as in lesson 01) and prints its title:

# %%
# needs: overlay network
!docker run --rm --network dn-10-net nginx:stable bash -c 'for ip in $(getent hosts dn-10-dns | cut -d" " -f1); do exec 3<>/dev/tcp/$ip/80; printf "GET / HTTP/1.0\r\n\r\n" >&3; echo "$ip $(grep -o "<title>.*</title>" <&3)"; done'

# %% [markdown]
# Three addresses, three answers: every replica is reachable by one name from anywhere on the
# overlay network, on any node.
#
# ## 7. Host-mode publishing
# To reach a service from outside the swarm, publish a port. `mode=host` publishes it on the
# node where a task runs, straight to that task, like `docker run -p`:

# %%
!docker service create --detach --name dn-10-host --publish mode=host,target=80,published={HOST_PORT} nginx:stable

# %%
wait_tasks(client, "dn-10-host", running=1, port=80)

# %% [markdown]
# The task answers on the host's port:

# %%
!curl -s 127.0.0.1:{HOST_PORT} | grep Welcome

# %% [markdown]
# One node can give a host port to one task only. Scale to two replicas on this one-node swarm:

# %%
!docker service scale --detach dn-10-host=2

# %% [markdown]
# The second task stays pending, because no node has the port free for it:

# %%
wait_tasks(client, "dn-10-host", running=1, pending=1)

# %%
!docker service ps dn-10-host

# %% [markdown]
# The `*` in the PORTS column above means every interface. `docker port` on the running task's
# container says it the way lesson 06 showed for `-p 8080:80`:

# %%
!docker port $(docker ps -q --filter name=dn-10-host)

# %% [markdown]
# A swarm service cannot do what lesson 06 recommends, `-p 127.0.0.1:...`: the CLI refuses a
# host address in `--publish`, so a published service port is open to every machine that can
# reach the node ([moby/moby#26696](https://github.com/moby/moby/issues/26696)). On a shared
# network, publish only what must be public, behind a firewall, and reach the rest over an
# overlay network as in section 6.

# %%
!docker service create --detach --name dn-10-local -p 127.0.0.1:{MESH_PORT}:80 nginx:stable

# %% [markdown]
# Remove the host-mode service right away:

# %%
!docker service rm dn-10-host

# %% [markdown]
# ## 8. The routing mesh, and what it needs from the kernel
# Published without `mode=host`, as `-p 8080:80`, a port goes through the *routing mesh*: every
# node of the swarm listens on it, even a node that runs no task of the service, and forwards
# each connection over the `ingress` overlay network to the service's virtual IP, where IPVS
# passes it to one of the tasks. IPVS (IP Virtual Server) is a load balancer inside the Linux
# kernel. The kernel shows its settings under `/proc/sys/net/ipv4/vs` once it is loaded:

# %%
!ls /proc/sys/net/ipv4/vs

# %% [markdown]
# Not here. The helper also reads the kernel's build options, where the machine keeps them:

# %%
ipvs()

# %% [markdown]
# This kernel was built without IPVS (`CONFIG_IP_VS`, an option Docker's own
# `check-config.sh` lists). Publish a service through the mesh all the same:

# %%
!docker service create --detach --name dn-10-mesh -p {MESH_PORT}:80 nginx:stable

# %%
wait_tasks(client, "dn-10-mesh", running=1, port=80)

# %% [markdown]
# The service publishes the port (`*:PORT->80/tcp`) and its task runs:

# %%
!docker service ls --filter name=dn-10-mesh

# %% [markdown]
# and yet, on this machine, nothing answers on the port: curl gives up with exit code 7,
# "Couldn't connect to server", as on an unpublished port in lesson 06 (`-o /dev/null` drops the
# page a working mesh would send):

# %%
!curl -sS -m 5 -o /dev/null 127.0.0.1:{MESH_PORT}; echo "curl exit code: $?"

# %% [markdown]
# Without IPVS the mesh has nothing to forward with, and the engine says so only in its log
# ("Could not get ipvs family information from the kernel"). The service's virtual IP (the
# default endpoint mode of section 6) needs IPVS for the same reason, which is why that section
# used `--endpoint-mode dnsrr`. On a machine whose kernel has IPVS, `ls` lists its settings, and
# the same `curl` gets the page (exit code 0), on any node of the swarm. Host-mode publishing and DNS
# round robin need no IPVS, and work on both.

# %%
!docker service rm dn-10-mesh

# %% [markdown]
# ## 9. Try it yourself
# **Exercise.** Create a service of your own on `dn-10-net`, named as you like (not `dn-10-...`):
# two replicas of `nginx:latest`, with `--endpoint-mode dnsrr`. Then, from a throwaway container
# on `dn-10-net`, resolve your service's name and fetch the page from each address. The check
# below looks for your service on `dn-10-net` and asks each of its addresses for a page.

# %%

# %% tags=["solution"] jupyter={"source_hidden": true}
# needs: overlay network
!docker service create --detach --name my-site --replicas 2 --network dn-10-net --endpoint-mode dnsrr nginx:latest
_ = wait_tasks(client, "my-site", running=2, port=80)
!docker run --rm --network dn-10-net nginx:stable getent hosts my-site

# %% [markdown]
# Check:

# %%
# needs: overlay network
print(check_dnsrr_service(client, "dn-10-net", notebook="10"))

# %% [markdown]
# ## 10. Leaving the swarm
# The lesson leaves the swarm only if it initialised it; a swarm that was there before stays as
# it was, with every service the series did not label. `docker swarm leave` on the last manager
# needs `--force`: it ends the swarm, with its services, tasks and overlay networks.
# `docker service rm` returns before the engine has removed the tasks' containers, so
# `leave_needed` first waits (bounded) until the containers of the services removed above are
# gone, and none can be left behind when the swarm ends. A known engine bug, still open: after
# `docker swarm leave`, containers that were already running on a network of their own (a
# Compose project's, say) may no longer find each other by name
# ([moby/moby#45144](https://github.com/moby/moby/issues/45144)); hence the caution at the start.

# %%
if leave_needed(client):
    !docker swarm leave --force

# %% [markdown]
# ## Clean up
# Remove what this notebook made (selected by its label), and the `docker_gwbridge` network that
# the lesson's `docker swarm init` made and `docker swarm leave` keeps; then let the next notebook
# use the engine:

# %%
cleanup(notebook="10")["kind"].value_counts()

# %% [markdown]
# ## Summary
# - `docker swarm init` turns an engine into a swarm's first manager;
#   `--advertise-addr`/`--listen-addr 127.0.0.1` keep a one-node swarm to this machine.
# - A service declares an image and a number of replicas; the manager runs one task, one
#   container, per replica and keeps that many running: `docker service ls`, `docker service ps`.
# - `docker service create` pins the tag's digest; `--detach` returns at once.
# - `docker service scale` adds or removes tasks; `docker service update --image` replaces them
#   one `--update-parallelism` batch at a time, `--update-delay` apart, and
#   `docker service rollback` returns to the previous settings the same way.
# - A killed task is not restarted: the orchestrator starts a new task, in a new container, after
#   the service's restart delay.
# - On an overlay network a service's name resolves to its tasks with `--endpoint-mode dnsrr`, or
#   to one virtual IP that needs IPVS; `--publish mode=host` gives one task per node a host port.
# - The routing mesh (`-p` on a service) needs IPVS in the kernel; swarm publishes on every
#   interface and refuses `-p 127.0.0.1:...`.
#
# ## What's next?
# [11 · A real Pod with Podman](11-a-real-pod-with-podman.ipynb): the Pod of lesson 01, built by
# a tool that knows what a Pod is.
#
# ## Resources
# - Docker: [Swarm mode key concepts](https://docs.docker.com/engine/swarm/key-concepts/) and
#   [`docker swarm init`](https://docs.docker.com/reference/cli/docker/swarm/init/)
# - Docker: [Deploy services to a swarm](https://docs.docker.com/engine/swarm/services/)
#   (replicas, `--detach`, digests, update and rollback settings)
# - Docker: [Apply rolling updates](https://docs.docker.com/engine/swarm/swarm-tutorial/rolling-update/)
#   and [`docker service rollback`](https://docs.docker.com/reference/cli/docker/service/rollback/)
# - Docker: [Manage swarm service networks](https://docs.docker.com/engine/swarm/networking/)
#   (overlay, `--attachable`, virtual IP and `dnsrr`) and
#   [Use the routing mesh](https://docs.docker.com/engine/swarm/ingress/) (ingress, `mode=host`)
# - Docker: [`contrib/check-config.sh`](https://github.com/moby/moby/blob/master/contrib/check-config.sh)
#   (the kernel options Docker uses, `CONFIG_IP_VS` among them)
# - moby/moby#26696: [publish a service's port on one host address](https://github.com/moby/moby/issues/26696)
