# %% [markdown]
# # 09 · Several containers with Compose
#
# Describe a small web app and an nginx reverse proxy in front of it in one `compose.yaml`, start
# them with `docker compose up -d`, run two copies of the app behind the proxy, and take it all
# down again, with or without its data.
#
# ## Overview
# 1. The app and its image
# 2. The proxy's configuration
# 3. `compose.yaml`
# 4. `docker compose up -d` and `docker compose ps`
# 5. `docker compose logs` and `exec`: services find each other by name
# 6. The restart policy, as in lesson 05
# 7. Two replicas behind the proxy
# 8. When the port is taken
# 9. `docker compose down` and `down -v`
# 10. Try it yourself
#
# ## Prerequisites
# | Concept | Importance | Notes |
# | --- | --- | --- |
# | [05 · Running containers and restart policies](05-running-containers-and-restart-policies.ipynb) | Necessary | `--restart unless-stopped`, `docker stop` |
# | [06 · Publishing ports](06-publishing-ports.ipynb) | Necessary | `-p 127.0.0.1:8080:80` |
# | [07 · Building and shipping your own image](07-building-and-shipping-images.ipynb) | Necessary | a Dockerfile, `docker build` |
# | [08 · Inside a running container, and keeping data](08-inside-containers-and-keeping-data.ipynb) | Helpful | `docker exec`, named volumes |
#
# **Time to learn:** 30 minutes
#
# ## Setup
# The lesson writes its files into a folder of its own, `work-09` beside this notebook, and
# publishes the proxy on host port 8089. When another program already uses 8089, `free_port`
# says so and the lesson takes the next free port; either way the setup writes the port into
# `work-09/.env`, a file `docker compose` reads (section 3). The proxy runs `nginx:stable`
# (fetched when it is missing); the app is built on `python:3.13-slim`, which in this lab, like
# the nginx images, is a lab build from Debian's packages under Docker Hub's name.

# %%
import socket

from helpers.cleanup import cleanup
from helpers.compose import (
    check_replicas_behind_proxy,
    replies_seen,
    wait_healthy,
    wait_restarted,
)
from helpers.containers import free_port
from helpers.http import wait_http
from helpers.notebook import setup_notebook
from helpers.registry import ensure_image
from helpers.workdir import lesson_folder

lab = setup_notebook("09")
client = lab.client
_ = ensure_image("nginx:stable", client=client)
folder = lesson_folder("09")
(folder / "app").mkdir(exist_ok=True)
PORT = free_port(8089, notebook="09", client=client)
_ = (folder / ".env").write_text(f"PROXY_PORT={PORT}\n")
PROJECT = "dn-09-hello"
URL = f"http://127.0.0.1:{PORT}"

# %% [markdown]
# ## 1. The app and its image
# The app is a few lines of Python's standard library: an HTTP server on port 8000 that answers
# every request with the name of the machine it runs on. In a container, that is the
# container's hostname, the first 12 characters of its ID, so two copies of the app answer
# differently. It also writes that name into `/data/visits.log`, one line per visit; `/data`
# will be a volume.

# %%
%%writefile work-09/app/app.py
import socket
from http.server import BaseHTTPRequestHandler, HTTPServer

HOSTNAME = socket.gethostname()


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        with open("/data/visits.log", "a") as visits:
            visits.write(HOSTNAME + "\n")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(f"Hello from {HOSTNAME}\n".encode())


HTTPServer(("", 8000), Hello).serve_forever()

# %% [markdown]
# Its Dockerfile starts from `python:3.13-slim`, copies the script in and runs it:

# %%
%%writefile work-09/app/Dockerfile
FROM python:3.13-slim
COPY app.py /app/app.py
CMD ["python", "/app/app.py"]

# %% [markdown]
# ## 2. The proxy's configuration
# nginx will take requests on port 80 and pass them on to the app, at `http://app:8000`: `app`
# is the name of the app's service in `compose.yaml`, and Docker's DNS server answers that name
# with the address of every container of the service. How nginx uses that answer matters once
# there are two of them. Written straight into `proxy_pass`, a name is looked up once, when
# nginx reads its configuration, and nginx keeps the addresses it got until it is reloaded: an
# app container started later gets no request. Written as a variable (`$app`), with a
# `resolver`, the name is looked up while nginx runs, and `valid=1s` keeps each answer for one
# second. `127.0.0.11` is Docker's DNS server: containers on a user-defined network, such as the
# project's own (section 3), send their lookups there. nginx 1.27.3 and later can also look names up again in an `upstream` block
# (`server app:8000 resolve;`); Debian 13's nginx 1.26, this lab's `nginx:stable`, cannot.
#
# This file replaces nginx's whole `nginx.conf`, so it works the same with this lab's Debian
# nginx and with Docker Hub's official nginx image:

# %%
%%writefile work-09/nginx.conf
events {}

http {
    resolver 127.0.0.11 valid=1s;

    server {
        listen 80;

        location / {
            set $app http://app:8000;
            proxy_pass $app;
        }
    }
}

# %% [markdown]
# ## 3. `compose.yaml`
# `compose.yaml` describes the whole project: its name, two services, one network and one
# volume. Line by line:
#
# - `name: dn-09-hello` names the project. Compose puts the name in front of everything it makes
#   (`dn-09-hello-app-1`, `dn-09-hello_backend`), so two projects never collide; without it,
#   the folder's name is used.
# - `x-series-labels` is a block of labels written once (`&series-labels`) and used five times
#   (`*series-labels`): on each service's containers, on the image `build:` makes, on the
#   network and on the volume. In this notebook the `!` lines do not add the series' labels to
#   what `docker compose` makes, as they do for `docker run`, so the file carries them itself,
#   and the lesson's clean-up, which removes only what has these labels, finds the project. A
#   project of your own has no such labels, and the series' clean-up leaves it alone.
# - `app` is built from `./app` (`build:`), runs with `init: true` (Docker's small init process
#   runs as process 1 and passes signals on to Python, so the app stops at once when asked to),
#   writes its visits into the volume `visits`, and has a health check: every second the
#   engine runs `python -c "..."` inside the container, which succeeds when the app accepts a
#   connection on port 8000.
# - `proxy` runs `nginx:stable` with `nginx.conf` mounted read-only, publishes port 80 on
#   `127.0.0.1` only, as lesson 06 recommends, on the port `${PROXY_PORT:-8089}`: the variable
#   `PROXY_PORT` when it is set and not empty, else 8089. Compose takes variables from the shell first, then
#   from a `.env` file beside `compose.yaml` (the setup wrote one). `depends_on` with
#   `condition: service_healthy` starts the proxy only once the app is healthy.
# - Both have `restart: unless-stopped`, the policy of lesson 05 (section 6), and join the
#   network `backend`, a network of the project's own on which containers find each other by
#   service name.

# %%
%%writefile work-09/compose.yaml
name: dn-09-hello

x-series-labels: &series-labels
  tutorial: docker-notebooks
  tutorial.notebook: "09"

services:
  app:
    build:
      context: ./app
      labels: *series-labels
    labels: *series-labels
    init: true
    restart: unless-stopped
    healthcheck:
      test: ["CMD", "python", "-c", "import socket; socket.create_connection(('localhost', 8000))"]
      interval: 1s
      timeout: 5s
      retries: 3
    volumes:
      - visits:/data
    networks:
      - backend

  proxy:
    image: nginx:stable
    labels: *series-labels
    restart: unless-stopped
    ports:
      - "127.0.0.1:${PROXY_PORT:-8089}:80"
    volumes:
      - ./nginx.conf:/etc/nginx/nginx.conf:ro
    depends_on:
      app:
        condition: service_healthy
    networks:
      - backend

networks:
  backend:
    labels: *series-labels

volumes:
  visits:
    labels: *series-labels

# %% [markdown]
# ## 4. `docker compose up -d` and `docker compose ps`
# `docker compose` looks for `compose.yaml` in the folder it runs in. In a terminal you would
# `cd work-09` once; each `!` line of a notebook starts in the notebook's folder, so each one
# begins with `cd work-09 &&`.
#
# `docker compose build` builds the images of the services that have a `build:` section, here
# `app`, with BuildKit, as `docker build` does in lesson 07 (its log changes from run to run, so
# it is not compared):

# %%
# NBVAL_IGNORE_OUTPUT
!cd work-09 && docker compose build

# %% [markdown]
# `docker compose up -d` then makes what the file describes and starts it in the background:
# the network, the volume, one container per service, named *project*-*service*-*number*. Read
# the order: the app starts, Compose waits for it to be healthy, and only then starts the
# proxy.

# %%
!cd work-09 && docker compose up -d

# %% [markdown]
# The app is healthy when its health check has succeeded; this helper waits for that (bounded),
# and for the proxy to answer on the published port:

# %%
wait_healthy(client, PROJECT, "app")
_ = wait_http(URL)

# %% [markdown]
# `docker compose ps` lists the project's containers: `(healthy)` in the app's STATUS is its
# health check's verdict; the proxy has no health check, so it says only `Up`. Only the proxy
# publishes a port, on 127.0.0.1.

# %%
!cd work-09 && docker compose ps

# %% [markdown]
# Through the proxy, the app answers with its container's hostname:

# %%
!curl -s 127.0.0.1:{PORT}

# %% [markdown]
# ## 5. `docker compose logs` and `exec`: services find each other by name
# `docker compose logs app` shows the output of every container of the service, each line
# prefixed with the container's name; `--tail 1` keeps each container's last line. Python's
# server logs each request: from the proxy's address on the project's network, over HTTP/1.0,
# which nginx uses towards the app.

# %%
!cd work-09 && docker compose logs --tail 1 app

# %% [markdown]
# `docker compose exec` runs a command in a running container of a service, as `docker exec`
# does with a container's name. `getent hosts app proxy`, run in the proxy's container, asks the
# DNS for the names `app` and `proxy` and prints the addresses it gets:

# %%
!cd work-09 && docker compose exec proxy getent hosts app proxy

# %% [markdown]
# One address per service, each container's address on the network `backend`: every service is
# reachable by its name from the others on the same network, and no address is written
# anywhere.
#
# ## 6. The restart policy, as in lesson 05
# `restart: unless-stopped` in `compose.yaml` is `docker run --restart unless-stopped`: Compose
# creates the container with that policy, and `docker inspect` finds it in the same place, next
# to `init: true`:

# %%
!docker inspect --format '{{.HostConfig.RestartPolicy.Name}} init={{.HostConfig.Init}}' dn-09-hello-app-1

# %% [markdown]
# As lesson 05 showed, the engine restarts such a container when it stops by itself, and
# `docker stop` (or `docker compose stop`) keeps it stopped. To make the app stop by itself,
# send a signal to process 1 of its container, the init process, which passes it on to Python:
# Python ends, and the container with it.

# %%
!cd work-09 && docker compose exec app sh -c 'kill 1'

# %% [markdown]
# The engine starts it again, and counts the restart (the helper waits, bounded):

# %%
wait_restarted(client, "dn-09-hello-app-1")

# %% [markdown]
# A health check only reports: the engine does not restart a container whose health check
# fails. It marks it `(unhealthy)` and keeps it running; a restart policy acts only when the
# process ends.
#
# ## 7. Two replicas behind the proxy
# `--scale app=2` asks for two containers of the service `app`; Compose adds `dn-09-hello-app-2`
# and leaves the others as they are. Which of the two becomes healthy first changes from run to
# run, and so does the order of the lines, so this output is not compared:

# %%
# NBVAL_IGNORE_OUTPUT
!cd work-09 && docker compose up -d --scale app=2

# %% [markdown]
# The helper waits (bounded) until both replicas are healthy:

# %%
wait_healthy(client, PROJECT, "app", replicas=2)

# %% [markdown]
# `docker compose ps app` lists the service's containers only:

# %%
!cd work-09 && docker compose ps app

# %% [markdown]
# Docker's DNS now answers `app` with two addresses, one per replica:

# %%
!cd work-09 && docker compose exec proxy getent hosts app

# %% [markdown]
# nginx asks again once its one-second answer has expired, and then spreads the requests over
# both addresses. The helper waits (bounded) until both replicas have answered once:

# %%
_ = replies_seen(URL, want=2)

# %% [markdown]
# Twenty requests through the proxy, and the different answers among them (`sort -u`): two
# hostnames, two containers.

# %%
!for i in $(seq 20); do curl -s 127.0.0.1:{PORT}; done | sort -u

# %% [markdown]
# ## 8. When the port is taken
# A published port must be free on the host. This Python cell plays another program: it listens
# on a port of the host (one the system picks) and keeps it.

# %%
squatter = socket.create_server(("127.0.0.1", 0))
BUSY = squatter.getsockname()[1]

# %% [markdown]
# Now ask Compose to publish the proxy on that port: `PROXY_PORT=...` before the command sets
# the variable for this one command, and wins over `.env`.

# %%
!cd work-09 && PROXY_PORT={BUSY} docker compose up -d

# %% [markdown]
# Read it from the top. Without `--scale`, `up` goes back to what the file says, one app
# container, so it removed `dn-09-hello-app-2`; `--scale` is not remembered. The proxy's port
# changed, so Compose recreated its container; the engine then refused to start it, since
# something else listens on that address. `up` is not all or nothing: what it changed before
# the failure stays changed.

# %%
!cd work-09 && docker compose ps -a

# %% [markdown]
# The app runs; the new proxy container is `Created`, never started. Let the port go, and run
# `up` again: Compose compares the project with the file and does what is missing, here a
# proxy on the lesson's port.

# %%
squatter.close()

# %%
!cd work-09 && docker compose up -d

# %% [markdown]
# ## 9. `docker compose down` and `down -v`
# The volume `visits` holds the log the app writes. `dn-09-hello-app-2` is gone, but what it
# wrote is still there, next to what `dn-09-hello-app-1` wrote: both replicas shared the volume.

# %%
!cd work-09 && docker compose exec app sort -u /data/visits.log

# %% [markdown]
# `docker compose down` stops and removes the project's containers and its network:

# %%
!cd work-09 && docker compose down

# %% [markdown]
# It keeps the named volume, with the visits in it, for the next `up`. Compose labels what it
# makes with the project's name, so `docker volume ls` can filter on it:

# %%
!docker volume ls --filter label=com.docker.compose.project=dn-09-hello

# %% [markdown]
# `down -v` removes the project's named volumes too (the network and containers are gone
# already):

# %%
!cd work-09 && docker compose down -v

# %%
!docker volume ls --filter label=com.docker.compose.project=dn-09-hello

# %% [markdown]
# The app's image stays (`docker compose down --rmi local` would remove it too), so the next
# `up` starts without building.
#
# ## 10. Try it yourself
# **Exercise.** With one `docker compose` command, start the project again with the proxy on
# another host port than the lesson's (the solution takes 8189, or the next free one), and three
# app replicas. Then run the check: it
# looks for the project's proxy and app containers and asks the proxy until three replicas
# have answered.

# %%

# %% tags=["solution", "nbval-ignore-output"] jupyter={"source_hidden": true}
MY_PORT = free_port(8189, notebook="09", client=client)
!cd work-09 && PROXY_PORT={MY_PORT} docker compose up -d --scale app=3

# %% [markdown]
# Check:

# %%
print(check_replicas_behind_proxy(client, PROJECT, lesson_port=PORT))

# %% [markdown]
# ## Clean up
# Remove what this notebook made (selected by its label: the project's containers, network,
# volume and image, and the folder `work-09`) and let the next notebook use the engine:

# %%
cleanup(notebook="09")["kind"].value_counts()

# %% [markdown]
# ## Summary
# - `compose.yaml` describes a project: services (an image, or a `build:` folder), their ports,
#   volumes, networks, health checks and restart policies. `name:` names the project and every
#   object Compose makes for it.
# - `docker compose up -d` makes and starts what is missing and changes what differs from the
#   file; `ps`, `logs` and `exec` work by service name; `down` removes the containers and
#   networks, `down -v` the named volumes too.
# - On a project's network, containers find each other by service name through Docker's DNS
#   (`127.0.0.11`), which answers with one address per replica.
# - `--scale app=2` runs two replicas. nginx looks up a name in `proxy_pass` once at start;
#   with a `resolver` and a variable it looks it up again while it runs and spreads requests
#   over the replicas.
# - `depends_on` with `condition: service_healthy` waits for a health check; a failing health
#   check does not restart a container, a restart policy acts when the process ends.
# - `up` is not all or nothing: when a port is taken, what it changed before stays changed; fix
#   the cause and run `up` again.
#
# ## What's next?
# [10 · An orchestrator on one machine: Swarm](10-swarm-services.ipynb): services whose
# replicas an orchestrator keeps running, the next step after Compose.
#
# ## Resources
# - Docker: [Compose file reference](https://docs.docker.com/reference/compose-file/):
#   [the project's `name`](https://docs.docker.com/reference/compose-file/version-and-name/),
#   [services](https://docs.docker.com/reference/compose-file/services/) (`build`, `ports`,
#   `healthcheck`, `depends_on`, `restart`, `init`),
#   [networks](https://docs.docker.com/reference/compose-file/networks/),
#   [volumes](https://docs.docker.com/reference/compose-file/volumes/),
#   [fragments](https://docs.docker.com/reference/compose-file/fragments/) (`&` and `*`) and
#   [extensions](https://docs.docker.com/reference/compose-file/extension/) (`x-`)
# - Docker: [Variables in Compose](https://docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/)
#   and [their precedence](https://docs.docker.com/compose/how-tos/environment-variables/envvars-precedence/)
# - Docker: [`docker compose up`](https://docs.docker.com/reference/cli/docker/compose/up/),
#   [`ps`](https://docs.docker.com/reference/cli/docker/compose/ps/),
#   [`logs`](https://docs.docker.com/reference/cli/docker/compose/logs/),
#   [`exec`](https://docs.docker.com/reference/cli/docker/compose/exec/),
#   [`down`](https://docs.docker.com/reference/cli/docker/compose/down/)
# - Docker: [Networking in Compose](https://docs.docker.com/compose/how-tos/networking/) and
#   [the embedded DNS server](https://docs.docker.com/engine/network/#dns-services)
# - Docker: [HEALTHCHECK](https://docs.docker.com/reference/dockerfile/#healthcheck) and
#   [Start containers automatically](https://docs.docker.com/engine/containers/start-containers-automatically/)
# - nginx: [`resolver`](https://nginx.org/en/docs/http/ngx_http_core_module.html#resolver),
#   [`proxy_pass`](https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass) and
#   [`server ... resolve`](https://nginx.org/en/docs/http/ngx_http_upstream_module.html#resolve)
#   (open source nginx since 1.27.3)
# - Docker Hub: [the official nginx image](https://hub.docker.com/_/nginx) (its configuration
#   is `/etc/nginx/nginx.conf`, which a mounted file may replace)
