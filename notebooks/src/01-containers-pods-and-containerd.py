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
# prints an error, the sentence says what to do.

# %%
from helpers.cleanup import cleanup
from helpers.notebook import setup_notebook
from helpers.plots import cluster_diagram
from helpers.registry import ensure_image
from helpers.runtime import containerd_containers, network_namespace, wait_listening

lab = setup_notebook("01")
client = lab.client
lab

# %% [markdown]
# The lesson uses `nginx:stable`; this pulls it if it is not here yet.

# %%
# NBVAL_IGNORE_OUTPUT
ensure_image("nginx:stable")

# %% [markdown]
# ## 1. The hierarchy
# A Kubernetes **cluster** is a control plane (older texts say "master") and worker **nodes**. The
# control plane decides what should run; each worker node runs **Pods**. A Pod is one or more
# **containers** that get one IP address and can share storage: inside a Pod, containers behave as
# if they were on one host. Docker is a tool that builds and manages containers.

# %%
cluster_diagram()

# %% [markdown]
# Who looks after whom: control plane → worker node → Pod → container.
#
# ## 2. Docker runs containers through containerd
# Docker split its container runtime out as **containerd**, an open-source project of its own. The
# engine reports the containerd (and runc) it uses:

# %%
%%bash
docker version --format '{{range .Server.Components}}{{.Name}} {{.Version}}{{"\n"}}{{end}}'

# %% [markdown]
# Start a container, then ask containerd directly. Docker keeps its containers in containerd's
# `moby` namespace; `ctr` is containerd's own command-line client.

# %%
!docker run -d --name dn-01-web --label tutorial=docker-notebooks --label tutorial.notebook=01 nginx:stable

# %% [markdown]
# The ID Docker gave the container is the ID containerd lists (`ctr -n moby containers list`):

# %%
web = client.containers.get("dn-01-web")
web.id in containerd_containers("moby")

# %% [markdown]
# ## 3. A Pod by hand
# Kubernetes starts a tiny "pause" container first; it owns the Pod's network namespace, and the
# Pod's other containers join it. Docker can do the same with `--network container:<name>`.
# First the owner of the namespace:

# %%
!docker run -d --name dn-01-pod --label tutorial=docker-notebooks --label tutorial.notebook=01 nginx:stable sleep infinity

# %% [markdown]
# Now nginx joins the Pod's network namespace instead of getting one of its own:

# %%
!docker run -d --name dn-01-pod-nginx --network container:dn-01-pod --label tutorial=docker-notebooks --label tutorial.notebook=01 nginx:stable

# %% [markdown]
# nginx needs a moment to start; wait until it listens on port 80 inside the Pod:

# %%
pod_nginx = client.containers.get("dn-01-pod-nginx")
wait_listening(pod_nginx, 80)

# %% [markdown]
# A second container joins too and reaches nginx on `localhost:80`, as two processes on one host
# would. It has no `curl`, so it speaks HTTP with bash's `/dev/tcp`:

# %%
!docker run --rm --network container:dn-01-pod nginx:stable bash -c 'exec 3<>/dev/tcp/127.0.0.1/80; printf "GET / HTTP/1.0\r\n\r\n" >&3; grep -o "<title>.*</title>" <&3'

# %% [markdown]
# All of them are in one network namespace, so they have one IP address. The kernel names each
# namespace; the Pod's containers name the same one, while `dn-01-web` has its own:

# %%
pod = client.containers.get("dn-01-pod")
{
    "pod and its nginx share a namespace": network_namespace(pod) == network_namespace(pod_nginx),
    "dn-01-web has its own": network_namespace(web) != network_namespace(pod),
}

# %% [markdown]
# ## 4. Kubernetes, the CRI and dockershim
# Kubernetes talks to a container runtime through the **Container Runtime Interface** (CRI).
# containerd implements it with a plugin, so a kubelet drives containerd directly. Kubernetes once
# had a built-in adapter for Docker, *dockershim*; it was removed in v1.24. Images built with
# Docker still run unchanged: they are OCI images, and containerd runs them, as it does for Docker.
#
# ## 5. Try it yourself
# **Exercise.** Add a third container, `dn-01-pod-shell`, to the Pod (`--network
# container:dn-01-pod`, running `sleep infinity`) and check that it shares the Pod's namespace.
# The check below prints `True` when you got it right.

# %%
!docker run -d --name dn-01-pod-shell --network container:dn-01-pod --label tutorial=docker-notebooks --label tutorial.notebook=01 nginx:stable sleep infinity

# %% [markdown]
# Check:

# %%
network_namespace(client.containers.get("dn-01-pod-shell")) == network_namespace(pod)

# %% [markdown]
# ## Clean up
# Remove the containers this notebook made; they all carry `tutorial.notebook=01`.

# %%
cleanup(notebook="01")["kind"].value_counts()

# %% [markdown]
# ## Summary
# - A cluster is a control plane and worker nodes; nodes run Pods; a Pod is one or more containers
#   sharing one IP and, optionally, storage.
# - Docker runs containers through containerd (`ctr -n moby` sees them).
# - Containers that join one network namespace reach each other on `localhost`: that is a Pod.
# - Kubernetes talks to containerd through the CRI; dockershim is gone since v1.24.
#
# ## What's next?
# [02 · Search and pull](02-search-and-pull.ipynb): find an image and download its layers.
#
# ## Resources
# - Kubernetes: [Pods](https://kubernetes.io/docs/concepts/workloads/pods/) and
#   [cluster components](https://kubernetes.io/docs/concepts/overview/components/)
# - Kubernetes: [Dockershim removal FAQ](https://kubernetes.io/blog/2022/02/17/dockershim-faq/)
# - Docker: [container networking, `--network container:`](https://docs.docker.com/engine/network/#container-networks)
# - containerd: [getting started with `ctr`](https://github.com/containerd/containerd/blob/main/docs/getting-started.md)
