# %% [markdown]
# # 07 · Cleaning up and what's next
#
# Remove everything the series made, by its label, and check that nothing else was touched.
#
# ## Overview
# 1. What the series made
# 2. Your own things stay
# 3. Clean up by label
# 4. Try it yourself
# 5. What's next: Compose and Kubernetes
#
# ## Prerequisites
# | Concept | Importance | Notes |
# | --- | --- | --- |
# | [05 · Running containers](05-running-containers-and-restart-policies.ipynb) | Helpful | labels, `docker ps -f` |
#
# **Time to learn:** 10 minutes
#
# ## Setup

# %%
from helpers.cleanup import claimed_images, cleanup
from helpers.containers import ps_frame, run
from helpers.notebook import setup_notebook
from helpers.registry import ensure_image

lab = setup_notebook("07")
client = lab.client
_ = ensure_image("nginx:stable", client=client)

# %% [markdown]
# ## 1. What the series made
# Everything the series creates carries the label `tutorial=docker-notebooks`. Start one such
# container, as the earlier lessons did, so there is something to clean up:

# %%
web = run(client, "nginx:stable", "07", "web", notebook="07")
web.name

# %% [markdown]
# `docker ps -f label=...` lists the series' containers, and only those:

# %%
!docker ps -a -f label=tutorial=docker-notebooks --format '{{{{.Names}}}}'

# %% [markdown]
# ## 2. Your own things stay
# Now a container *you* might have made, without the label:

# %%
!docker run -d --name my-own-nginx-07 nginx:stable

# %% [markdown]
# ## 3. Clean up by label
# `cleanup()` removes the containers, networks, volumes and built images that carry the label,
# and the images the series pulled that were not here before it ran:

# %%
# NBVAL_IGNORE_OUTPUT
removed = cleanup(client=client)
removed

# %% [markdown]
# The series' container is gone:

# %%
web.name in removed["name"].tolist()

# %% [markdown]
# and yours is still running:

# %%
ps_frame(client, filters={"name": "my-own-nginx-07"})[["name", "state"]]

# %% [markdown]
# No container with the label is left:

# %%
client.containers.list(all=True, filters={"label": "tutorial=docker-notebooks"})

# %% [markdown]
# It is yours, so removing it is your call; this lesson made it, so it removes it by name:

# %%
!docker rm -f my-own-nginx-07

# %% [markdown]
# The cleanup above left `nginx:stable` alone although the series pulled it: your container
# runs from it, and removing the tag would leave your container's image without a name. The
# cleanup keeps its claim instead. With your container gone, run it once more; afterwards no image
# the series pulled is left:

# %%
_ = cleanup(client=client)
claimed_images()

# %% [markdown]
# ## 4. Try it yourself
# **Exercise.** Networks are cleaned up the same way. Create a labelled network `dn-07-net`, then
# run the notebook's cleanup and check the network is gone.

# %%
!docker network create --label tutorial=docker-notebooks --label tutorial.notebook=07 dn-07-net

# %%
cleanup(notebook="07", client=client)

# %% [markdown]
# Check (an empty list: no network of that name is left):

# %%
client.networks.list(names=["dn-07-net"])

# %% [markdown]
# Everything else you had (containers, images, networks) was never selected: the cleanup asks
# the engine only for objects with the label. `make lab-down` stops the lab's engine and
# registry, if the lab started them, and keeps images.
#
# ## What's next: Compose and Kubernetes
# - **Docker Compose** describes several containers, their networks, volumes and published ports
#   in one `compose.yaml`, and starts them with `docker compose up`.
# - **Kubernetes** runs Pods (lesson 01) across a cluster of nodes: a Deployment keeps N copies of
#   a Pod running (restart policies across machines), and a Service publishes them (lesson 06).
#   `kind` or `minikube` give you a cluster on a laptop.
# - **Building images**: write a Dockerfile and `docker build` your own; lesson 04's history is
#   the recipe read backwards.
#
# ## Summary
# - Label everything you create; clean up by label, never by "everything".
# - `docker ps -f label=...` shows exactly what a label selects before you delete it.
#
# ## Resources
# - Docker: [Object labels](https://docs.docker.com/engine/manage-resources/labels/)
# - Docker: [Prune unused objects (and `--filter label=`)](https://docs.docker.com/engine/manage-resources/pruning/)
# - Docker: [Compose overview](https://docs.docker.com/compose/)
# - Kubernetes: [Deployments](https://kubernetes.io/docs/concepts/workloads/controllers/deployment/) and [Services](https://kubernetes.io/docs/concepts/services-networking/service/)
