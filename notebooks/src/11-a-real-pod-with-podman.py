# %% [markdown]
# # 11 · A real Pod with Podman
#
# Make lesson 01's Pod for real with Podman: a Pod with its infra container, containers that
# share one IP address and `localhost`, then the Kubernetes YAML of that Pod, and the same Pod
# brought back from that YAML.
#
# ## Overview
# 1. Podman: Pods on one machine, without a cluster
# 2. A Pod and its infra container
# 3. Containers in the Pod: one IP address, one `localhost`
# 4. The Pod as Kubernetes YAML: `podman generate kube`
# 5. Back from the YAML: `podman kube play`
# 6. What a kubelet does with the same YAML
# 7. Try it yourself
#
# ## Prerequisites
# | Concept | Importance | Notes |
# | --- | --- | --- |
# | [01 · Containers, Pods and containerd](01-containers-pods-and-containerd.ipynb) | Necessary | a Pod by hand with `--network container:`; the CRI |
# | [06 · Publishing ports](06-publishing-ports.ipynb) | Helpful | `-p 127.0.0.1:8080:80` |
#
# **Time to learn:** 20 minutes
#
# ## Setup
# Podman is a container engine with no daemon that runs Pods itself; `make setup` installs
# Debian's `podman` beside the Docker Engine. The setup cell checks it, then points Podman at the
# series' own settings through two environment variables that every `!podman` line of this
# notebook inherits (nothing is written into `/etc`), and prints what they change and why. As
# with `docker run`, `setup_notebook` adds the series' labels to `podman pod create` and
# `podman run`; `podman kube play` takes no `--label` in Podman 4.3, so there it adds the same
# pairs as `--annotation`s, which the clean-up reads. The Pod publishes host port 8095 (the next
# free one when 8095 is taken, and the cell says so).

# %%
from helpers.cleanup import cleanup
from helpers.http import wait_http
from helpers.notebook import setup_notebook
from helpers.plots import cluster_diagram
from helpers.pods import check_own_pod, lesson_port, pod_table, setup_podman
from helpers.workdir import lesson_folder

lab = setup_notebook("11")
podman = setup_podman("11")
PORT = lesson_port(8095, notebook="11")
folder = lesson_folder("11")
podman

# %% [markdown]
# ## 1. Podman: Pods on one machine, without a cluster
# Lesson 01 drew where a container sits: control plane → worker node → Pod → containers, and
# built a Pod by hand with `docker run --network container:`. Podman makes the Pod itself, as a
# node does, with no control plane around it:

# %%
cluster_diagram()

# %% [markdown]
# Podman's commands read like Docker's:

# %%
!podman --version

# %% [markdown]
# Podman keeps its own images and containers, apart from the Docker Engine's, so it pulls
# `nginx:stable` although Docker has it. Podman writes image names in full, registry first:
# `docker.io/library/nginx:stable` is what Docker calls `nginx:stable`, and it is the name the
# Kubernetes YAML below will carry. In this lab the pull comes from the lab registry, Docker
# Hub's mirror, as `docker pull` does:

# %%
!podman pull docker.io/library/nginx:stable

# %% [markdown]
# ## 2. A Pod and its infra container
# `podman pod create` makes an empty Pod. A Pod has one network namespace, so its ports are
# published on the Pod, not on a container:

# %%
!podman pod create --name dn-11-pod -p 127.0.0.1:{PORT}:80

# %% [markdown]
# `podman pod ps` lists Pods. The new one is `Created`, with one container already, and an
# `INFRA ID`:

# %%
!podman pod ps --filter name=dn-11-pod

# %% [markdown]
# That container is the Pod's **infra container**, Kubernetes' "pause" container from lesson 01:
# it runs `catatonit`, a tiny init that does nothing but wait, from a pause image Podman builds on
# the spot (`localhost/podman-pause`). It holds the Pod's namespaces, so they live as long as the
# Pod, whatever its other containers do. `podman ps --pod` shows it with the Pod's name:

# %%
!podman ps -a --pod --filter pod=dn-11-pod

# %% [markdown]
# ## 3. Containers in the Pod: one IP address, one `localhost`
# `podman run --pod` puts nginx in the Pod. Starting the first container starts the infra
# container too:

# %%
!podman run -d --pod dn-11-pod --name dn-11-web docker.io/library/nginx:stable

# %% [markdown]
# This waits (bounded) until nginx answers on the Pod's published port:

# %%
wait_http(f"http://127.0.0.1:{PORT}")

# %% [markdown]
# Both containers are up, and the `PORTS` column shows the Pod's port on each:

# %%
!podman ps --pod --filter pod=dn-11-pod

# %% [markdown]
# nginx runs in the infra container's network namespace: its network mode is `container:` and
# the infra container's ID, exactly what `--network container:dn-01-pod` did by hand in lesson
# 01:

# %%
!podman inspect dn-11-web --format '{{.HostConfig.NetworkMode}}'

# %% [markdown]
# So the Pod's containers have one IP address (masked when this notebook is checked; the check
# below compares them):

# %%
table = pod_table("dn-11-pod")
table

# %%
{"one IP address for the Pod": table["IP"].nunique() == 1}

# %% [markdown]
# A second container joins the Pod for one request. Like lesson 01's, it speaks HTTP with bash's
# `/dev/tcp` (the image has no `curl`) to `127.0.0.1:80`, its own `localhost`, and nginx answers:

# %%
!podman run --rm --pod dn-11-pod docker.io/library/nginx:stable bash -c 'exec 3<>/dev/tcp/127.0.0.1/80; printf "GET / HTTP/1.0\r\n\r\n" >&3; grep -o "<title>.*</title>" <&3'

# %% [markdown]
# ## 4. The Pod as Kubernetes YAML: `podman generate kube`
# `podman generate kube` writes the Kubernetes manifest of a Pod that runs: the YAML you would
# give a cluster to run the same Pod. Save it in the lesson's folder `work-11`:

# %%
!podman generate kube dn-11-pod > work-11/dn-11-pod.yaml

# %% [markdown]
# Podman warns that it cut the annotation holding the infra container's ID to 63 characters
# ("Kubernetes only allows 63 characters", its warning says). The file:

# %%
!cat work-11/dn-11-pod.yaml

# %% [markdown]
# Read it top-down: `kind: Pod` and its `metadata.name`; `spec.containers`, one entry per
# container besides the infra one (a cluster adds its own), with its `image` and the published
# port as `hostIP`/`hostPort`; `restartPolicy: Never`, because `dn-11-web` was run without a
# restart policy. The `annotations` are Podman's own notes about each container (a cluster keeps
# them as plain data). A kubelet would read the same file.
#
# ## 5. Back from the YAML: `podman kube play`
# Remove the Pod, with its containers:

# %%
!podman pod rm -f dn-11-pod

# %% [markdown]
# `podman pod exists` answers with its exit code: 1, no Pod of that name is left:

# %%
!podman pod exists dn-11-pod; echo "exit code: $?"

# %% [markdown]
# `podman kube play` makes the Pod from its YAML: the infra container, then each container of
# `spec.containers`. It prints the new Pod's ID and its containers' IDs. `kube play` puts Pods
# on a network of its own, with a DNS server, `aardvark-dns`; when that server starts on a
# machine with no syslog, like this one, it first says `failed to connect to syslog`, which is
# harmless.

# %%
!podman kube play work-11/dn-11-pod.yaml

# %% [markdown]
# The Pod is back, under its name from the YAML, with a new infra container; `kube play` names
# each of the other containers *Pod*-*container*:

# %%
!podman ps --pod --format '{{.Names}}' --filter pod=dn-11-pod

# %% [markdown]
# Wait (bounded) for nginx, then ask the Pod's published port on 127.0.0.1, as in lesson 06:

# %%
wait_http(f"http://127.0.0.1:{PORT}")

# %%
!curl -s 127.0.0.1:{PORT} | grep Welcome

# %% [markdown]
# The Pod came back from its own Kubernetes YAML and answers "Welcome to nginx!".
#
# ## 6. What a kubelet does with the same YAML
# Given this manifest through a cluster's control plane, the kubelet on the chosen node does what
# `podman kube play` just did, through the CRI of lesson 01 (with containerd, its CRI plugin):
# `RunPodSandbox` makes the Pod's sandbox, a pause container holding the network namespace and
# the Pod's IP address (Podman's infra container); then, for each entry of `spec.containers`,
# `PullImage`, `CreateContainer` in that sandbox and `StartContainer`. The image is the same OCI
# image: `docker.io/library/nginx:stable` runs under Docker, Podman and containerd alike. What
# differs is around it: a cluster picks the node, restarts containers as `restartPolicy` says,
# and usually reaches Pods through a Service rather than a `hostPort`.
#
# ## 7. Try it yourself
# **Exercise.** Make a Pod of your own named `dn-11-exercise`: publish container port 80 on
# 127.0.0.1 at a host port other than the lesson's (`{PORT}`), run `nginx:stable` in it, and save
# its Kubernetes YAML as `work-11/dn-11-exercise.yaml`. Then run the check below.

# %%

# %% tags=["solution"] jupyter={"source_hidden": true}
EXERCISE_PORT = lesson_port(8096 if PORT != 8096 else 8097, notebook="11")
!podman pod create --name dn-11-exercise -p 127.0.0.1:{EXERCISE_PORT}:80
!podman run -d --pod dn-11-exercise --name dn-11-exercise-web docker.io/library/nginx:stable
_ = wait_http(f"http://127.0.0.1:{EXERCISE_PORT}")
!podman generate kube dn-11-exercise > work-11/dn-11-exercise.yaml

# %% [markdown]
# Check:

# %%
print(check_own_pod("dn-11-exercise", lesson_port=PORT, saved=folder / "dn-11-exercise.yaml"))

# %% [markdown]
# ## Clean up
# Remove what this notebook made (its Pods with their containers, selected by label or
# annotation, and `work-11`) and let the next notebook use the engine. The nginx image stays in
# Podman's store, as lesson 01's stays in Docker's:

# %%
cleanup(notebook="11")["kind"].value_counts().sort_index()

# %% [markdown]
# ## Summary
# - Podman makes Pods on one machine: `podman pod create`, then `podman run --pod`. It keeps its
#   own images and containers, apart from Docker's, and writes image names in full
#   (`docker.io/library/nginx:stable`).
# - Each Pod has an infra container (Kubernetes' pause container) that holds its namespaces; the
#   other containers join its network namespace (`container:<infra ID>`), so they share one IP
#   address and reach each other on `localhost`. Ports are published on the Pod.
# - `podman generate kube` writes the Kubernetes YAML of a running Pod; `podman kube play` makes
#   the Pod again from it.
# - A kubelet does the same through the CRI: a sandbox for the Pod, then each container in it.
#
# ## What's next?
# [12 · Cleaning up and what's next](12-cleaning-up-and-whats-next.ipynb): find and remove
# everything the series made, by its label.
#
# ## Resources
# - Podman: [`podman pod create`](https://docs.podman.io/en/v4.3/markdown/podman-pod-create.1.html),
#   [`podman generate kube`](https://docs.podman.io/en/v4.3/markdown/podman-generate-kube.1.html)
#   and [`podman kube play`](https://docs.podman.io/en/v4.3/markdown/podman-kube-play.1.html)
# - Podman: [containers.conf](https://github.com/containers/common/blob/main/docs/containers.conf.5.md)
#   and [registries.conf](https://github.com/containers/image/blob/main/docs/containers-registries.conf.5.md)
# - Kubernetes: [Pods](https://kubernetes.io/docs/concepts/workloads/pods/) and
#   [Container Runtime Interface](https://kubernetes.io/docs/concepts/architecture/cri/)
# - Kubernetes: the CRI's [RunPodSandbox, CreateContainer, StartContainer](https://github.com/kubernetes/cri-api/blob/master/pkg/apis/runtime/v1/api.proto)
