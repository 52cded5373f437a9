# %% [markdown]
# # 12 · Cleaning up and what's next
#
# Find everything the series left on this engine by its label, remove exactly that, check that a
# container of your own is still there, and see where to go next.
#
# ## Overview
# 1. Labels mark what the series made
# 2. A container of your own
# 3. Clean up by label: the command, then the helper
# 4. Try it yourself
# 5. What's next
#
# ## Prerequisites
# | Concept | Importance | Notes |
# | --- | --- | --- |
# | [05 · Running containers](05-running-containers-and-restart-policies.ipynb) | Necessary | `docker run -d`, `docker ps -f` |
# | [06 · Publishing ports](06-publishing-ports.ipynb) | Helpful | `-p 127.0.0.1:8080:80` |
#
# **Time to learn:** 10 minutes
#
# ## Setup
# The lesson runs `nginx:stable`; the setup fetches it when it is missing.

# %%
from helpers.cleanup import check_stopped_ids, cleanup
from helpers.notebook import setup_notebook
from helpers.registry import ensure_image

lab = setup_notebook("12")
client = lab.client
_ = ensure_image("nginx:stable", client=client)

# %% [markdown]
# ## 1. Labels mark what the series made
# A label is a `key=value` pair stored on a container, an image, a network or a volume. After
# `setup_notebook("12")`, each `docker run` line of a lesson gets two: `tutorial=docker-notebooks`
# for the whole series and `tutorial.notebook=12` for this lesson. Run one nginx in the background
# and one container that prints a word and stops:

# %%
!docker run -d --name web-12 nginx:stable

# %%
!docker run --name once-12 nginx:stable echo done

# %% [markdown]
# `docker inspect` shows the labels a container carries; this Go template picks out the two
# `tutorial` ones:

# %%
!docker inspect --format '{{index .Config.Labels "tutorial"}} {{index .Config.Labels "tutorial.notebook"}}' web-12

# %% [markdown]
# ## 2. A container of your own
# A `%%bash` cell runs its commands exactly as typed, without the series' labels, as a terminal
# would: here it stands for a container you started yourself. (When an earlier run of this cell
# already made it, `docker start` starts it again instead.)

# %%
%%bash
docker start my-own-nginx-12 2>/dev/null || docker run -d --name my-own-nginx-12 nginx:stable

# %% [markdown]
# Now list what carries the series' label. `-a` includes stopped containers such as `once-12`,
# which plain `docker ps` leaves out:

# %%
!docker ps -a --filter label=tutorial=docker-notebooks

# %% [markdown]
# `web-12` and `once-12` are listed; `my-own-nginx-12` is not, because it has no `tutorial` label.
# (`--filter` and lesson 05's `-f` are the same option.)
#
# ## 3. Clean up by label: the command, then the helper
# `docker ps -aq` prints only the IDs of what the filter selects, and `docker rm -f` removes those
# containers, running or stopped. The filter selects by the series' label, so this command can
# only remove containers that carry it, never yours:

# %%
!docker rm -f $(docker ps -aq --filter label=tutorial=docker-notebooks)

# %% [markdown]
# Run that cell a second time and there is nothing left to select: `docker rm` then gets no
# argument, says it "requires at least 1 argument", and removes nothing.
#
# Nothing with the series' label is left (`wc -l` counts the IDs):

# %%
!docker ps -aq --filter label=tutorial=docker-notebooks | wc -l

# %% [markdown]
# and your container is still running (`^...$` makes the name filter exact, as in lesson 05):

# %%
!docker ps --filter 'name=^my-own-nginx-12$' --format '{{.Names}}: {{.Status}}'

# %% [markdown]
# `docker rm` removes containers only. The series may also have left swarm services, networks,
# volumes and images it built, all labelled; Podman Pods (lesson 11), also labelled; the
# working folders `work-NN` its lessons wrote files into; what lesson 07 pushed to the lab
# registry; and images it pulled. A pulled image keeps the labels its authors gave it (labels
# are fixed for an object's lifetime), so the series records instead which tags it pulled that
# were not here before, as it records its folders and pushes. `cleanup()` removes all of these,
# selected the same way: by label, or from those records. An image that a container still uses
# (yours included) stays, and stays recorded, until that container is gone. What it removes
# depends on what the earlier lessons left, so its table differs from run to run:

# %%
# NBVAL_IGNORE_OUTPUT
cleanup(client=client)

# %% [markdown]
# The container you made stays yours: removing it is your call. This lesson made it, so it removes
# it, by name:

# %%
!docker rm -f my-own-nginx-12

# %% [markdown]
# ## 4. Try it yourself
# **Exercise.** The next cell leaves two containers of the series again: `web-12` running and
# `once-12` stopped. Put the IDs of the series' *stopped* containers, and only those, into a
# Python list named `stopped`, with one `docker ps` command and filters. The form
# `stopped = !docker ps ...` keeps a command's output lines in a Python list.

# %%
!docker run -d --name web-12 nginx:stable
!docker run --name once-12 nginx:stable echo done

# %%

# %% tags=["solution"] jupyter={"source_hidden": true}
stopped = !docker ps -q --filter label=tutorial=docker-notebooks --filter status=exited

# %% [markdown]
# Check:

# %%
print(check_stopped_ids(client, globals().get("stopped")))

# %% [markdown]
# ## Clean up
# Remove what this notebook made (selected by its label) and let the next notebook use the
# engine:

# %%
cleanup(notebook="12")["kind"].value_counts()

# %% [markdown]
# ## Summary
# - Label what you create, and look before you delete: `docker ps -a --filter label=KEY=VALUE`
#   lists exactly what the label selects, stopped containers included.
# - `docker rm -f $(docker ps -aq --filter label=...)` removes exactly those containers; one
#   without the label is never selected.
# - The series' `cleanup()` also removes its swarm services, networks, volumes, built images,
#   Pods, working folders and pushes, and the tags it pulled, and keeps an image while any
#   container uses it.
# - Filters on different keys (`label`, `status`) must all match.
#
# ## What's next
# You have built an image, kept data, run a Compose project, a swarm service and a Pod. From
# here:
# - **Kubernetes** runs Pods (lessons 01 and 11) on a cluster of machines. The YAML that
#   `podman generate kube` wrote in lesson 11 is a Pod manifest: `kubectl apply -f` gives it to
#   a cluster. A Deployment keeps a chosen number of copies of a Pod running and replaces the
#   ones that fail, as lesson 10's swarm service did, and a Service gives them one stable
#   address. [kind](https://kind.sigs.k8s.io/) and [minikube](https://minikube.sigs.k8s.io/)
#   run a small cluster on one machine for practice.
# - **Better images**: multi-stage builds keep build tools out of the image you ship, and a
#   `USER` instruction runs it as someone other than root (Docker's
#   [building best practices](https://docs.docker.com/build/building/best-practices/)).
# - **Docker without root**: [rootless mode](https://docs.docker.com/engine/security/rootless/)
#   runs the whole engine as an ordinary user.
#
# ## Resources
# - Docker: [Object labels](https://docs.docker.com/engine/manage-resources/labels/)
# - Docker: [`docker ps` and its filters](https://docs.docker.com/reference/cli/docker/container/ls/)
# - Docker: [Prune unused objects (and `--filter label=`)](https://docs.docker.com/engine/manage-resources/pruning/)
# - Docker: [Building best practices](https://docs.docker.com/build/building/best-practices/)
#   and [rootless mode](https://docs.docker.com/engine/security/rootless/)
# - Kubernetes: [Pods](https://kubernetes.io/docs/concepts/workloads/pods/),
#   [Deployments](https://kubernetes.io/docs/concepts/workloads/controllers/deployment/) and
#   [Services](https://kubernetes.io/docs/concepts/services-networking/service/)
