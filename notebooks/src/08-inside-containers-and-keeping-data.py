# %% [markdown]
# # 08 · Inside a running container, and keeping data
#
# Read what a container prints with `docker logs`, look and change things inside it with
# `docker exec`, see those changes vanish with the container, and keep files outside it: a host
# folder mounted read-only, and a named volume that outlives every container that uses it.
#
# ## Overview
# 1. `docker logs`: what a container printed
# 2. `docker exec`: a command inside a running container
# 3. A bind mount: a host folder inside the container
# 4. A named volume: data that outlives its containers
# 5. Removing the lesson's volumes by label
# 6. Try it yourself
#
# ## Prerequisites
# | Concept | Importance | Notes |
# | --- | --- | --- |
# | [05 · Running containers](05-running-containers-and-restart-policies.ipynb) | Necessary | `docker run -d`, `docker ps` |
# | [06 · Publishing ports](06-publishing-ports.ipynb) | Necessary | `-p 127.0.0.1:8080:80`, curl a published port |
# | A shell | Helpful | `echo ... > file`, `ls`, `cat` |
#
# **Time to learn:** 25 minutes
#
# ## Setup
# The lesson runs `nginx:stable` (the setup fetches it when it is missing) and publishes it on
# host port 8088; when another program uses 8088, `free_port` says so and the lesson takes the
# next free port. The files the lesson writes on the host go in `work-08/`, a folder beside this
# notebook that the last cell removes. As in every lesson, `setup_notebook` adds the series'
# labels to each `docker run` and `docker volume create` line, so the last cell removes exactly
# what this notebook made.

# %%
from helpers.cleanup import cleanup
from helpers.containers import free_port
from helpers.exercises import check_page_from_volume
from helpers.http import wait_http
from helpers.notebook import setup_notebook
from helpers.registry import ensure_image
from helpers.runtime import wait_listening
from helpers.workdir import lesson_folder

lab = setup_notebook("08")
client = lab.client
_ = ensure_image("nginx:stable", client=client)
PORT = free_port(8088, notebook="08", client=client)
folder = lesson_folder("08")

# %% [markdown]
# ## 1. `docker logs`: what a container printed
# Start nginx in the background, named `web-08`, published on 127.0.0.1 as in lesson 06 (`{PORT}`
# is the lesson's port, 8088 unless it was taken):

# %%
!docker run -d --name web-08 -p 127.0.0.1:{PORT}:80 nginx:stable

# %% [markdown]
# The helper waits (bounded) until nginx listens, without sending it a request:

# %%
wait_listening(client.containers.get("web-08"), 80)

# %% [markdown]
# Ask it for its page once:

# %%
!curl -s 127.0.0.1:{PORT} | grep Welcome

# %% [markdown]
# The engine keeps everything a container's main process writes to its standard output and
# standard error (in a log file of its own, with the default logging driver). `docker logs`
# prints it back:

# %%
!docker logs web-08

# %% [markdown]
# That is nginx's access log line for the curl just made: the client's address (the host, as
# seen from the container's network), the time, the request `GET /`, the status 200, the 615
# bytes of the page, and curl as the user agent. nginx writes it to `/var/log/nginx/access.log`,
# and this image links that file to the container's standard output (section 2 looks inside), as
# Docker's official nginx image does; a program that logs only into files inside its container
# shows nothing here.
#
# `--since` keeps the lines that came after a time, given as a duration (`10m`: the last ten
# minutes) or a timestamp. This cell asks for `/before`, notes the time a second later, asks for
# `/after`, and lists what came since that time (`$1` is the lesson's port):

# %%
%%bash -s {PORT}
curl -s -o /dev/null "127.0.0.1:$1/before"
sleep 1
since=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
curl -s -o /dev/null "127.0.0.1:$1/after"
docker logs --since "$since" web-08

# %% [markdown]
# Only `/after` is listed (with status 404: nginx has no such page). `-f` (`--follow`) prints the
# log's new lines as they come and, while the container runs, does not end by itself: in a
# terminal you stop it with Ctrl-C.
# In a notebook a command that never ends would hang the cell, so `timeout 3` stops it after three
# seconds; `--tail 0` leaves out the lines that were there already, and a request made a second
# later shows up while it follows:

# %%
%%bash -s {PORT}
(sleep 1; curl -s -o /dev/null "127.0.0.1:$1/while-following") &
timeout 3 docker logs -f --tail 0 web-08
echo "exit code: $?"

# %% [markdown]
# Exit code 124 is `timeout`'s own: it stopped `docker logs -f`, which was still following.
#
# ## 2. `docker exec`: a command inside a running container
# `docker exec` runs one more command in a running container, next to its main process, with the
# same files. First, why `docker logs` shows nginx's access log: inside the container, the log
# files are links to the standard output and error:

# %%
!docker exec web-08 readlink /var/log/nginx/access.log /var/log/nginx/error.log

# %% [markdown]
# Where does this nginx keep its pages? `nginx -T` prints the configuration nginx runs with; its
# first `root` line names the folder it serves:

# %%
!docker exec web-08 nginx -T 2>/dev/null | grep -m1 root

# %% [markdown]
# This lab's `nginx:stable` holds Debian's nginx, which serves `/var/www/html`; Docker's official
# nginx image serves `/usr/share/nginx/html` instead. Asking the image, as here, beats guessing.
# The folder holds one page:

# %%
!docker exec web-08 ls /var/www/html

# %% [markdown]
# Change that page in place, inside the running container (`sed -i` edits a file where it is):

# %%
!docker exec web-08 sed -i 's/Welcome to nginx!/Changed inside the container/' /var/www/html/index.nginx-debian.html

# %% [markdown]
# nginx serves the changed page at once:

# %%
!curl -s 127.0.0.1:{PORT} | grep Changed

# %% [markdown]
# The change lives in the container, not in the image. `docker diff` lists what a container
# changed (`C`) or added (`A`) on top of its image; the page is there:

# %%
!docker diff web-08 | grep html

# %% [markdown]
# A fresh container from the same image (`--rm` removes it when its command ends) finds the page
# as the image has it:

# %%
!docker run --rm nginx:stable grep '<h1>' /var/www/html/index.nginx-debian.html

# %% [markdown]
# Each container writes into a layer of its own on top of the image's read-only layers, and that
# layer goes when the container is removed. So a fix made with `docker exec` is lost the next
# time the container is replaced, as lesson 06 replaced one to publish a port: treat containers
# as immutable infrastructure, and put lasting changes in the image (lesson 07 builds one) and
# lasting data outside the container, as the next two sections do.
#
# ## 3. A bind mount: a host folder inside the container
# A bind mount puts a folder of the host at a path inside the container. Write a small site into
# `work-08/site` on the host:

# %%
site = folder / "site"
site.mkdir(exist_ok=True)
_ = (site / "index.html").write_text("<h1>Served from the host</h1>\n")
!cat work-08/site/index.html

# %% [markdown]
# Mounts, like published ports, are fixed when a container is created, so remove `web-08` and
# run a new one:

# %%
!docker rm -f web-08

# %% [markdown]
# `-v "$(pwd)/work-08/site":/var/www/html:ro` reads *host path*:*container path*:*options*: the
# host folder (an absolute path: `$(pwd)` is the current folder, here this notebook's) appears at
# `/var/www/html`, hiding what the image has there, and `ro` mounts it read-only:

# %%
!docker run -d --name web-08 -p 127.0.0.1:{PORT}:80 -v "$(pwd)/work-08/site":/var/www/html:ro nginx:stable

# %% [markdown]
# The helper waits until nginx listens again:

# %%
wait_listening(client.containers.get("web-08"), 80)

# %% [markdown]
# nginx now serves the host's page:

# %%
!curl -s 127.0.0.1:{PORT}

# %% [markdown]
# The container sees the host folder itself, not a copy: a page written on the host now is
# served at once, with no restart:

# %%
!echo '<h1>About</h1>' > work-08/site/about.html
!curl -s 127.0.0.1:{PORT}/about.html

# %% [markdown]
# Read-only works the other way: the container may not change the host's files. The shell inside
# the container is refused (the failure is the data here):

# %%
!docker exec web-08 sh -c 'echo "<h1>Changed inside</h1>" > /var/www/html/index.html'

# %% [markdown]
# `docker inspect` shows a container's mounts: the type, the host path (`Source`), the path in
# the container (`Destination`), and `"RW":false` for read-only:

# %%
!docker inspect --format '{{json .Mounts}}' web-08

# %% [markdown]
# A misspelt host path is a classic mistake, and the two ways to write a bind mount treat it
# differently. `--mount` spells each part out, and refuses a host folder that does not exist:

# %%
!docker run --rm --mount type=bind,source="$(pwd)/work-08/stie",target=/var/www/html,readonly nginx:stable ls /var/www/html

# %% [markdown]
# `-v` with the same typo does not refuse: on this engine (root, Linux), it creates the missing
# host folder, empty, and mounts that, so the container starts with nothing in `/var/www/html`:

# %%
!docker run --rm -v "$(pwd)/work-08/stie":/var/www/html:ro nginx:stable ls -A /var/www/html | wc -l

# %% [markdown]
# The typo is now a folder on the host, made by the engine:

# %%
!ls work-08

# %% [markdown]
# So prefer `--mount` in scripts: a wrong path stops with an error instead of serving an empty
# folder. Remove the folder the typo made:

# %%
!rmdir work-08/stie

# %% [markdown]
# ## 4. A named volume: data that outlives its containers
# A bind mount ties a container to a path on one host. A named volume is storage the engine
# manages under a name of your choice. Create one:

# %%
!docker volume create data-08

# %% [markdown]
# The setup cell's hook labelled it, as it labels every `docker volume create` line, so the
# lesson lists its own volumes with a label filter (in a terminal, `docker volume ls` lists them
# all):

# %%
!docker volume ls --filter label=tutorial.notebook=08

# %% [markdown]
# `-v data-08:/data` mounts the volume at `/data`: a name, not a path starting with `/`, means a
# volume. A first container, `writer-08`, writes a note into it and exits:

# %%
!docker run --name writer-08 -v data-08:/data nginx:stable sh -c 'echo "written by writer-08" > /data/note.txt'

# %% [markdown]
# Remove that container:

# %%
!docker rm writer-08

# %% [markdown]
# A second container, mounting the same volume (read-only this time), reads the note the first
# one wrote, after the first is gone:

# %%
!docker run --rm -v data-08:/data:ro nginx:stable cat /data/note.txt

# %% [markdown]
# `docker volume inspect` shows the volume's labels and where the engine keeps its files
# (`Mountpoint`): a folder in the engine's data directory, on the machine the engine runs on.
# Docker Desktop runs its engine in a Linux virtual machine
# ([Docker Desktop networking](https://docs.docker.com/desktop/features/networking/)), so there
# the folder is inside that machine, not on your Mac or PC:

# %%
!docker volume inspect data-08

# %% [markdown]
# One caution: `-v` creates a volume it does not find, as it creates a missing host folder, so a
# misspelt volume name starts a container with a new, empty volume instead of failing. Check the
# name with `docker volume ls` when data seems to be missing.
#
# ## 5. Removing the lesson's volumes by label
# Removing a container leaves its named volumes, as section 4 relied on, so volumes pile up
# unless you remove them. As lesson 12 does for containers, select the lesson's volumes by their
# label and remove exactly those; volumes of your own, without the label, stay:

# %%
!docker volume rm $(docker volume ls -q --filter label=tutorial.notebook=08)

# %% [markdown]
# ## 6. Try it yourself
# **Exercise.** Serve a page from a named volume: create a volume (any name), write an
# `index.html` into it with a throwaway container (`--rm`), then run nginx with the volume mounted
# read-only at `/var/www/html`, published on 127.0.0.1 on a host port of your choice (not the
# lesson's port, which `web-08` holds), and `curl` it. The check below asks every running
# container (except `web-08`) that mounts a volume at `/var/www/html` for its page.

# %%

# %% tags=["solution"] jupyter={"source_hidden": true}
!docker volume create pages-08
!docker run --rm -v pages-08:/site nginx:stable sh -c 'echo "<h1>From a volume</h1>" > /site/index.html'
MY_PORT = free_port(8098, notebook="08", client=client)
!docker run -d --name my-web-08 -p 127.0.0.1:{MY_PORT}:80 -v pages-08:/var/www/html:ro nginx:stable
_ = wait_http(f"http://127.0.0.1:{MY_PORT}")
!curl -s 127.0.0.1:{MY_PORT}

# %% [markdown]
# Check:

# %%
print(check_page_from_volume(client, exclude="web-08"))

# %% [markdown]
# ## Clean up
# Remove what this notebook made (selected by its label), its `work-08` folder too, and let the
# next notebook use the engine:

# %%
cleanup(notebook="08")["kind"].value_counts()

# %% [markdown]
# ## Summary
# - `docker logs` prints what a container's main process wrote to its standard output and error
#   (nginx's access log, in this image); `--since` keeps the newer lines, and `-f` follows the log
#   until stopped (Ctrl-C, or `timeout` in a script).
# - `docker exec` runs a command inside a running container; a stopped one must be started first.
# - Changes made inside a container stay in that container's own layer (`docker diff`) and go
#   with it: a fresh container of the same image starts from the image.
# - A bind mount (`-v /host/path:/path:ro`) shows a host folder inside the container, live;
#   `ro` keeps the container from writing to it. `-v` creates a missing host folder, `--mount`
#   refuses one.
# - A named volume (`docker volume create`, `-v NAME:/path`) outlives the containers that use it;
#   `docker volume inspect` shows where the engine keeps it, `docker inspect` a container's
#   mounts.
# - Remove volumes yourself, selected by label, since removing a container leaves them.
#
# ## What's next?
# [09 · Several containers with Compose](09-compose.ipynb): describe several containers, their
# ports and their volumes in one file, and start them together.
#
# ## Resources
# - Docker: [`docker logs`](https://docs.docker.com/reference/cli/docker/container/logs/),
#   [logging drivers](https://docs.docker.com/engine/logging/configure/) and
#   [`docker exec`](https://docs.docker.com/reference/cli/docker/container/exec/)
# - Docker: [Bind mounts](https://docs.docker.com/engine/storage/bind-mounts/) (`-v` and
#   `--mount` on a missing host path)
# - Docker: [Volumes](https://docs.docker.com/engine/storage/volumes/) and
#   [`docker volume`](https://docs.docker.com/reference/cli/docker/volume/)
# - Docker: [Storage drivers](https://docs.docker.com/engine/storage/drivers/) (the container's
#   writable layer) and [`docker diff`](https://docs.docker.com/reference/cli/docker/container/diff/)
# - Docker's official nginx image: [its page on Docker Hub](https://hub.docker.com/_/nginx) (it
#   serves `/usr/share/nginx/html`) and [its Dockerfile](https://github.com/nginxinc/docker-nginx/blob/master/stable/debian/Dockerfile)
#   (the access log linked to stdout)
