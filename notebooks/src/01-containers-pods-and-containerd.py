# %% [markdown]
# # 01 · Containers, Pods and containerd
#
# Where a Docker container sits in a Kubernetes cluster, and what actually runs it: containerd.
#
# ## Overview
# 1. The hierarchy: control plane, worker nodes, Pods, containers
# 2. Docker runs its containers through containerd
# 3. A Pod by hand: containers that share one network namespace
# 4. Kubernetes, the CRI and the end of dockershim
# 5. Try it yourself
#
# ## Prerequisites
# | Concept | Importance | Notes |
# | --- | --- | --- |
# | A shell and `docker` on the command line | Necessary | `!` runs a shell command from a cell |
# | Processes and ports | Helpful | what "listening on port 80" means |
#
# **Time to learn:** 20 minutes
#
# ## Setup
# The setup cell checks that a Docker Engine answers and says where images will come from. If it
# prints an error, the sentence says what to do. From here on, every `docker run` in a `!` cell
# also gets two labels (`tutorial=docker-notebooks`, `tutorial.notebook=01`), so the last cell
# can remove exactly what this notebook made, and re-running a cell with `--name` replaces that
# container instead of failing.

# %%
import os

from helpers.cleanup import cleanup
from helpers.notebook import setup_notebook
from helpers.plots import cluster_diagram
from helpers.registry import ensure_image
from helpers.runtime import check_joined_pod, network_namespace, wait_listening
from helpers.setups import containerd_address

lab = setup_notebook("01")
client = lab.client

# %% [markdown]
# The lesson runs `nginx:stable`; this pulls it quietly if it is not here yet (notebook 02 shows
# pulling properly) and prints its short image ID:

# %%
ensure_image("nginx:stable")

# %% [markdown]
# ## 1. The hierarchy
# A Kubernetes **cluster** is a control plane (older texts say "master") and worker **nodes**. The
# control plane decides what should run; each worker node runs **Pods**. A Pod is one or more
# **containers** that get one IP address and can share storage: inside a Pod, containers behave as
# if they were on one host. Docker is a tool that builds and runs containers.

# %%
cluster_diagram()

# %% [markdown]
# Who looks after whom: control plane → worker node → Pod → container.
#
# ## 2. Docker runs containers through containerd
# Docker split its container runtime out as **containerd** in 2016 and gave it to the CNCF in
# 2017, where it is a project of its own. `docker version` lists what the engine is made of: under
# `Server`, the Engine itself, then the containerd and runc it runs containers with (version
# numbers are masked when this notebook is checked, so any engine version passes):

# %%
!docker version

# %% [markdown]
# Start a container; `docker run -d` prints the new container's full ID:

# %%
!docker run -d --name dn-01-web nginx:stable

# %% [markdown]
# Now ask containerd directly. `ctr` is containerd's own command-line client, and Docker keeps its
# containers in containerd's `moby` namespace. `ctr` looks for containerd's socket at
# `/run/containerd/containerd.sock` unless the variable `CONTAINERD_ADDRESS` names another one; an
# engine that started its own containerd (as this lab's did) keeps the socket in a folder beside
# its own socket: `/var/run/docker/` for root's engine, `$XDG_RUNTIME_DIR/docker/` for a rootless
# engine. This cell points `ctr` at the containerd of the engine this notebook uses:

# %%
os.environ["CONTAINERD_ADDRESS"] = containerd_address(lab.facts.endpoint.host)
os.environ["CONTAINERD_ADDRESS"]

# %% [markdown]
# `ctr -n moby containers list` shows every container Docker runs, one row each (when this notebook
# is checked, the rows are folded into one, since other containers may be running). The socket
# belongs to whoever runs the engine: root for root's engine, so a user in the `docker` group gets
# "permission denied" here, and Docker Desktop keeps containerd inside its virtual machine. Then
# `ctr` cannot reach it and the cell says so instead.

# %%
!ctr -n moby containers list || echo "ctr cannot reach Docker's containerd here: it needs root on the engine's own machine."

# %% [markdown]
# The ID Docker printed is the ID containerd lists. Filter the list by that ID (`docker inspect`
# prints it): exactly one row comes back.

# %%
!ctr -n moby containers list "id==$(docker inspect --format '{{.Id}}' dn-01-web)" || echo "ctr cannot reach Docker's containerd here: it needs root."

# %% [markdown]
# Without root there is still a way to see containerd at work. containerd starts each container
# through a small process of its own, a **shim**, and the shim's command line names containerd's
# namespace and the container's ID. Any user on the engine's machine may read command lines with
# `ps`, so this works as root, in the `docker` group and with a rootless engine (whose shims run as
# you); on Docker Desktop the shims run inside its virtual machine and `ps` finds none:

# %%
!ps -eo args | grep -o -- "-namespace [m]oby -id $(docker inspect --format '{{.Id}}' dn-01-web)"

# %% [markdown]
# ## 3. A Pod by hand
# Kubernetes starts a tiny "pause" container first; it owns the Pod's network namespace, and the
# Pod's other containers join it. Docker can do the same with `--network container:<name>`.
# First the owner of the namespace, a container that only sleeps:

# %%
!docker run -d --name dn-01-pod nginx:stable sleep infinity

# %% [markdown]
# Now nginx joins the Pod's network namespace instead of getting one of its own:

# %%
!docker run -d --name dn-01-pod-nginx --network container:dn-01-pod nginx:stable

# %% [markdown]
# nginx needs a moment to start; this waits (at most 15 s) until it listens on port 80 inside the
# Pod:

# %%
wait_listening(client.containers.get("dn-01-pod-nginx"), 80)

# %% [markdown]
# A third container joins too and reaches nginx on `localhost:80`, as two processes on one host
# would. The image has no `curl`, so it speaks HTTP with bash's `/dev/tcp` and prints the page's
# title:

# %%
!docker run --rm --network container:dn-01-pod nginx:stable bash -c 'exec 3<>/dev/tcp/127.0.0.1/80; printf "GET / HTTP/1.0\r\n\r\n" >&3; grep -o "<title>.*</title>" <&3'

# %% [markdown]
# The kernel names each network namespace (`net:[number]`); `/proc/self/ns/net` inside a container
# says which one it is in. Ask the Pod's two containers, then `dn-01-web`. The numbers differ from
# run to run; when this notebook is checked, a namespace equal to the one on the line before it
# shows as `net:[SAME]` and any other as `net:[NS]`:

# %%
!docker exec dn-01-pod readlink /proc/self/ns/net
!docker exec dn-01-pod-nginx readlink /proc/self/ns/net
!docker exec dn-01-web readlink /proc/self/ns/net

# %% [markdown]
# The same comparison from Python: the Pod's containers share one namespace (so one IP address),
# while `dn-01-web` has its own.

# %%
pod = client.containers.get("dn-01-pod")
{
    "pod and its nginx share a namespace": network_namespace(pod)
    == network_namespace(client.containers.get("dn-01-pod-nginx")),
    "dn-01-web has its own": network_namespace(client.containers.get("dn-01-web"))
    != network_namespace(pod),
}

# %% [markdown]
# ## 4. Kubernetes, the CRI and dockershim
# Kubernetes talks to a container runtime through the **Container Runtime Interface** (CRI).
# containerd implements it with a plugin, so a kubelet drives containerd directly. Kubernetes once
# had a built-in adapter for Docker, *dockershim*; it was removed in v1.24. Images built with
# Docker still run unchanged: they are OCI images, and containerd runs them, as it does for Docker.
#
# ## 5. Try it yourself
# **Exercise.** Add a container named `dn-01-pod-shell` to the Pod: it should run `sleep infinity`
# from `nginx:stable` and live in `dn-01-pod`'s network namespace. Write the `!docker run` line in
# the empty cell, run it, then run the check below it.

# %%

# %% [markdown]
# Solution (hidden; click to show):

# %% tags=["solution"] jupyter={"source_hidden": true}
!docker run -d --name dn-01-pod-shell --network container:dn-01-pod nginx:stable sleep infinity

# %% [markdown]
# Check:

# %%
print(check_joined_pod(client, "dn-01-pod-shell", "dn-01-pod", joined="dn-01-pod-nginx"))

# %% [markdown]
# ## Clean up
# Remove the containers this notebook made; they all carry `tutorial.notebook=01`. This also lets
# the next notebook use the engine.

# %%
cleanup(notebook="01")["kind"].value_counts()

# %% [markdown]
# ## Summary
# - A cluster is a control plane and worker nodes; nodes run Pods; a Pod is one or more containers
#   sharing one IP and, optionally, storage.
# - Docker runs containers through containerd: `docker version` names it, and
#   `ctr -n moby containers list` lists Docker's containers under the same IDs.
# - Containers that join one network namespace (`--network container:<name>`) reach each other on
#   `localhost`: that is a Pod.
# - Kubernetes talks to containerd through the CRI; dockershim is gone since v1.24.
#
# ## What's next?
# [02 · Search and pull](02-search-and-pull.ipynb): find an image and download its layers.
#
# ## Resources
# - Kubernetes: [Pods](https://kubernetes.io/docs/concepts/workloads/pods/) and
#   [cluster components](https://kubernetes.io/docs/concepts/overview/components/)
# - Kubernetes: [Dockershim removal FAQ](https://kubernetes.io/blog/2022/02/17/dockershim-faq/)
# - Docker: [`docker version`](https://docs.docker.com/reference/cli/docker/version/)
# - Docker: [container networking, `--network container:`](https://docs.docker.com/engine/network/#container-networks)
# - containerd: [project page at the CNCF](https://www.cncf.io/projects/containerd/) and
#   [getting started with `ctr`](https://github.com/containerd/containerd/blob/main/docs/getting-started.md)
