# %% [markdown] en="2d93085e75"
# # 09 · Compose로 여러 컨테이너 다루기
#
# 작은 웹 앱과 그 앞에 놓인 nginx 리버스 프록시(reverse proxy)를 `compose.yaml` 하나에 기술하고,
# `docker compose up -d`로 시작하고, 프록시 뒤에서 앱을 두 개 실행한 다음, 데이터와 함께 또는
# 데이터는 남기고 모두 다시 내립니다.
#
# 용어가 낯설면 [용어집](../../docs/glossary.ko.md)을 보세요.
#
# ## 개요
# 1. 앱과 그 이미지(image)
# 2. 프록시의 설정
# 3. `compose.yaml`
# 4. `docker compose up -d`와 `docker compose ps`
# 5. `docker compose logs`와 `exec`: 서비스(service)는 이름으로 서로를 찾습니다
# 6. 레슨(lesson) 05에서 본 재시작 정책(restart policy)
# 7. 프록시 뒤의 레플리카(replica) 두 개
# 8. 포트가 이미 쓰이고 있을 때
# 9. `docker compose down`과 `down -v`
# 10. 직접 해 보기
#
# ## 사전 지식
# | 개념 | 중요도 | 비고 |
# | --- | --- | --- |
# | [05 · 컨테이너 실행과 재시작 정책](05-running-containers-and-restart-policies.ipynb) | 필수 | `--restart unless-stopped`, `docker stop` |
# | [06 · 포트 게시](06-publishing-ports.ipynb) | 필수 | `-p 127.0.0.1:8080:80` |
# | [07 · 나만의 이미지 빌드와 배포](07-building-and-shipping-images.ipynb) | 필수 | Dockerfile, `docker build` |
# | [08 · 실행 중인 컨테이너 안, 그리고 데이터 보존](08-inside-containers-and-keeping-data.ipynb) | 도움 됨 | `docker exec`, 이름 있는 볼륨(named volume) |
#
# **학습 시간:** 30분
#
# ## 준비
# 이 레슨은 이 노트북(notebook) 옆에 있는 전용 폴더 `work-09`에 파일을 쓰고, 프록시를 호스트(host)
# 포트 8089에 게시합니다. 다른 프로그램이 이미 8089를 쓰고 있으면 `free_port`가 그 사실을 알리고
# 레슨은 다음 빈 포트를 씁니다. 어느 쪽이든 준비 단계에서 그 포트를 `docker compose`가 읽는 파일인
# `work-09/.env`에 씁니다(3절). 프록시는 `nginx:stable`을 실행하고(없으면 가져옵니다), 앱은
# `python:3.13-slim`을 바탕으로 빌드합니다. 이 실습 환경(lab)에서 `python:3.13-slim`은 nginx
# 이미지들과 마찬가지로, Debian의 패키지로 만든 실습 환경용 빌드에 Docker Hub의 이름을 붙인
# 것입니다.

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

lab = setup_notebook("09", language="ko")
client = lab.client
_ = ensure_image("nginx:stable", client=client)
folder = lesson_folder("09")
(folder / "app").mkdir(exist_ok=True)
PORT = free_port(8089, notebook="09", client=client)
_ = (folder / ".env").write_text(f"PROXY_PORT={PORT}\n")
PROJECT = "dn-09-hello"
URL = f"http://127.0.0.1:{PORT}"

# %% [markdown] en="a936b009cd"
# ## 1. 앱과 그 이미지
# 앱은 Python 표준 라이브러리만 쓰는 몇 줄짜리 코드입니다. 포트 8000에서 동작하는 HTTP 서버로, 모든
# 요청에 자신이 실행 중인 머신의 이름으로 답합니다. 컨테이너(container) 안에서는 그 이름이
# 컨테이너의 호스트 이름(hostname), 즉 컨테이너 ID의 앞 12자이므로, 앱 두 개는 서로 다르게 답합니다.
# 앱은 그 이름을 `/data/visits.log`에 방문마다 한 줄씩 쓰기도 합니다. `/data`는 볼륨이 됩니다.

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

# %% [markdown] en="277511573d"
# 앱의 Dockerfile은 `python:3.13-slim`에서 시작해 스크립트를 복사해 넣고 실행합니다:

# %%
%%writefile work-09/app/Dockerfile
FROM python:3.13-slim
COPY app.py /app/app.py
CMD ["python", "/app/app.py"]

# %% [markdown] en="1cfd6a2697"
# ## 2. 프록시의 설정
# nginx는 포트 80으로 요청을 받아 `http://app:8000`에 있는 앱으로 넘깁니다. `app`은
# `compose.yaml`에 있는 앱 서비스의 이름이고, Docker의 DNS 서버는 이 이름에 그 서비스의 모든
# 컨테이너 주소로 답합니다. 컨테이너가 둘이 되면 nginx가 이 답을 어떻게 쓰는지가 중요해집니다.
# 이름을 `proxy_pass`에 그대로 적으면, nginx가 설정을 읽을 때 한 번만 조회하고, 다시
# 불러오기(reload) 전까지 그때 받은 주소를 계속 씁니다. 그러면 나중에 시작한 앱 컨테이너는 요청을
# 하나도 받지 못합니다. 이름을 변수(`$app`)로 적고 `resolver`를 두면 nginx가 실행되는 동안 이름을
# 조회하며, `valid=1s`는 각 답을 1초 동안 유지합니다. `127.0.0.11`은 Docker의 DNS 서버입니다.
# 프로젝트(project) 전용 네트워크(3절)처럼 사용자 정의 네트워크(user-defined network)에 있는
# 컨테이너는 조회를 이 주소로 보냅니다. nginx 1.27.3 이상은 `upstream` 블록에서도 이름을 다시 조회할
# 수 있지만(`server app:8000 resolve;`), 이 실습 환경의 `nginx:stable`인 Debian 13의 nginx 1.26은
# 그렇게 하지 못합니다.
#
# 이 파일은 nginx의 `nginx.conf` 전체를 대신하므로, 이 실습 환경의 Debian nginx에서도, Docker Hub의
# 공식 nginx 이미지에서도 똑같이 작동합니다:

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

# %% [markdown] en="709b04bfc5"
# ## 3. `compose.yaml`
# `compose.yaml`은 프로젝트 전체를 기술합니다. 프로젝트의 이름, 서비스 두 개, 네트워크 하나, 볼륨
# 하나입니다. 한 줄씩 봅니다:
#
# - `name: dn-09-hello`는 프로젝트의 이름을 정합니다. Compose는 자기가 만드는 모든 것 앞에 이 이름을
#   붙이므로(`dn-09-hello-app-1`, `dn-09-hello_backend`) 두 프로젝트가 서로 부딪히지 않습니다. 이
#   줄이 없으면 폴더 이름을 씁니다.
# - `x-series-labels`는 한 번 적고(`&series-labels`) 다섯 번 쓰는(`*series-labels`) 라벨(label)
#   묶음입니다. 각 서비스의 컨테이너, `build:`가 만드는 이미지, 네트워크, 볼륨에 붙습니다. 이
#   노트북에서 `!` 줄은 `docker run`에서와 달리 `docker compose`가 만드는 것에는 시리즈(series)의
#   라벨을 붙이지 않습니다. 그래서 파일이 라벨을 직접 지니고, 이 라벨이 붙은 것만 지우는 레슨의
#   정리(cleanup)가 프로젝트를 찾아냅니다. 여러분의 프로젝트에는 이런 라벨이 없으므로 시리즈의
#   정리가 건드리지 않습니다.
# - `app`은 `./app`에서 빌드하고(`build:`), `init: true`로 실행하며(Docker의 작은 init 프로세스가
#   프로세스 1로 실행되어 시그널(signal)을 Python에 넘겨 주므로, 멈추라고 하면 앱이 바로 멈춥니다),
#   방문 기록을 볼륨 `visits`에 쓰고, 헬스 체크(health check)를 갖습니다. 엔진(engine)이 1초마다
#   컨테이너 안에서 `python -c "..."`를 실행하며, 이 명령은 앱이 포트 8000에서 연결을 받으면
#   성공합니다.
# - `proxy`는 `nginx.conf`를 읽기 전용으로 마운트해 `nginx:stable`을 실행하고, 레슨 06에서 권장한
#   대로 포트 80을 `127.0.0.1`에만, `${PROXY_PORT:-8089}` 포트로 게시합니다. 변수 `PROXY_PORT`가
#   설정되어 있고 비어 있지 않으면 그 값, 아니면 8089입니다. Compose는 변수를 먼저 셸(shell)에서, 그다음 `compose.yaml`
#   옆의 `.env` 파일에서 가져옵니다(준비 단계에서 이 파일을 써 두었습니다).
#   `condition: service_healthy`를 단 `depends_on`은 앱이 정상(healthy)이 된 뒤에야 프록시를
#   시작합니다.
# - 두 서비스 모두 레슨 05의 정책인 `restart: unless-stopped`를 가지며(6절), 네트워크 `backend`에
#   참여합니다. `backend`는 프로젝트 전용 네트워크로, 여기서 컨테이너는 서비스 이름으로 서로를
#   찾습니다.

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

# %% [markdown] en="d4066cce7f"
# ## 4. `docker compose up -d`와 `docker compose ps`
# `docker compose`는 자신이 실행된 폴더에서 `compose.yaml`을 찾습니다. 터미널이라면 `cd work-09`를
# 한 번만 하면 되지만, 노트북의 `!` 줄은 각각 노트북의 폴더에서 시작하므로 줄마다 `cd work-09 &&`로
# 시작합니다.
#
# `docker compose build`는 `build:` 항목이 있는 서비스(여기서는 `app`)의 이미지를, 레슨 07의
# `docker build`처럼 BuildKit으로 빌드합니다(로그가 실행할 때마다 달라지므로 출력을 비교하지
# 않습니다):

# %%
# NBVAL_IGNORE_OUTPUT
!cd work-09 && docker compose build

# %% [markdown] en="3aec997fd1"
# 이어서 `docker compose up -d`가 파일에 기술된 것을 만들어 백그라운드에서 시작합니다. 네트워크,
# 볼륨, 그리고 서비스마다 컨테이너 하나이며, 컨테이너 이름은 *프로젝트*-*서비스*-*번호*입니다.
# 순서를 읽어 보세요. 앱이 시작되고, Compose가 앱이 정상이 되기를 기다린 다음에야 프록시를
# 시작합니다.

# %%
!cd work-09 && docker compose up -d

# %% [markdown] en="badf47b466"
# 앱은 헬스 체크가 성공하면 정상입니다. 이 헬퍼(helper)는 그때까지, 그리고 프록시가 게시된
# 포트(published port)에서 답할 때까지 (시간 제한을 두고) 기다립니다:

# %%
wait_healthy(client, PROJECT, "app")
_ = wait_http(URL)

# %% [markdown] en="2614c0ed34"
# `docker compose ps`는 프로젝트의 컨테이너를 나열합니다. 앱의 STATUS에 있는 `(healthy)`는 헬스
# 체크의 판정입니다. 프록시에는 헬스 체크가 없으므로 `Up`만 표시됩니다. 포트를 게시하는 것은
# 프록시뿐이며, 127.0.0.1에 게시합니다.

# %%
!cd work-09 && docker compose ps

# %% [markdown] en="ee1fb29996"
# 프록시를 거쳐, 앱이 자기 컨테이너의 호스트 이름으로 답합니다:

# %%
!curl -s 127.0.0.1:{PORT}

# %% [markdown] en="513f567640"
# ## 5. `docker compose logs`와 `exec`: 서비스는 이름으로 서로를 찾습니다
# `docker compose logs app`은 서비스의 모든 컨테이너가 출력한 내용을 보여 주며, 줄마다 앞에 컨테이너
# 이름을 붙입니다. `--tail 1`은 컨테이너마다 마지막 한 줄만 남깁니다. Python의 서버는 요청마다 로그를
# 남깁니다. 요청은 프로젝트 네트워크에 있는 프록시의 주소에서, nginx가 앱 쪽으로 쓰는 HTTP/1.0으로
# 옵니다.

# %%
!cd work-09 && docker compose logs --tail 1 app

# %% [markdown] en="81f0624662"
# `docker compose exec`는 `docker exec`가 컨테이너 이름으로 하듯, 서비스의 실행 중인 컨테이너에서
# 명령을 실행합니다. 프록시의 컨테이너에서 실행한 `getent hosts app proxy`는 DNS에 이름 `app`과
# `proxy`를 물어보고 받은 주소를 출력합니다:

# %%
!cd work-09 && docker compose exec proxy getent hosts app proxy

# %% [markdown] en="00878fdaf7"
# 서비스마다 주소가 하나이고, 각각 네트워크 `backend`에서의 컨테이너 주소입니다. 같은 네트워크에
# 있는 다른 서비스에서 모든 서비스에 이름으로 닿을 수 있으며, 주소는 어디에도 적혀 있지 않습니다.
#
# ## 6. 레슨 05에서 본 재시작 정책
# `compose.yaml`의 `restart: unless-stopped`는 `docker run --restart unless-stopped`와 같습니다.
# Compose는 그 정책으로 컨테이너를 만들고, `docker inspect`는 같은 자리에서, `init: true` 옆에서 그
# 정책을 찾습니다:

# %%
!docker inspect --format '{{.HostConfig.RestartPolicy.Name}} init={{.HostConfig.Init}}' dn-09-hello-app-1

# %% [markdown] en="a56dd47a03"
# 레슨 05에서 보았듯, 엔진은 이런 컨테이너가 스스로 멈추면 다시 시작하고, `docker stop`(또는
# `docker compose stop`)으로 멈춘 컨테이너는 멈춘 채로 둡니다. 앱이 스스로 멈추게 하려면, 컨테이너의
# 프로세스 1인 init 프로세스에 시그널을 보냅니다. init 프로세스가 이를 Python에 넘기면 Python이
# 끝나고, 컨테이너도 함께 끝납니다.

# %%
!cd work-09 && docker compose exec app sh -c 'kill 1'

# %% [markdown] en="620eb54ac9"
# 엔진이 컨테이너를 다시 시작하고 재시작 횟수를 셉니다(헬퍼가 시간 제한을 두고 기다립니다):

# %%
wait_restarted(client, "dn-09-hello-app-1")

# %% [markdown] en="c19b16d14d"
# 헬스 체크는 알려 주기만 합니다. 엔진은 헬스 체크에 실패한 컨테이너를 다시 시작하지 않고,
# `(unhealthy)`로 표시한 채 계속 실행합니다. 재시작 정책은 프로세스가 끝났을 때만 작동합니다.
#
# ## 7. 프록시 뒤의 레플리카 두 개
# `--scale app=2`는 서비스 `app`의 컨테이너를 두 개 요청합니다. Compose는 `dn-09-hello-app-2`를
# 추가하고 나머지는 그대로 둡니다. 둘 중 어느 쪽이 먼저 정상이 되는지는 실행할 때마다 달라지고 줄의
# 순서도 달라지므로, 이 출력은 비교하지 않습니다:

# %%
# NBVAL_IGNORE_OUTPUT
!cd work-09 && docker compose up -d --scale app=2

# %% [markdown] en="d14a42a8f0"
# 헬퍼가 두 레플리카가 모두 정상이 될 때까지 (시간 제한을 두고) 기다립니다:

# %%
wait_healthy(client, PROJECT, "app", replicas=2)

# %% [markdown] en="16a1170e68"
# `docker compose ps app`은 그 서비스의 컨테이너만 나열합니다:

# %%
!cd work-09 && docker compose ps app

# %% [markdown] en="8f8503d345"
# 이제 Docker의 DNS는 `app`에 레플리카마다 하나씩, 주소 두 개로 답합니다:

# %%
!cd work-09 && docker compose exec proxy getent hosts app

# %% [markdown] en="6eb062007d"
# nginx는 1초짜리 답이 만료되면 다시 묻고, 그 뒤로 요청을 두 주소에 나누어 보냅니다. 헬퍼가 두
# 레플리카가 모두 한 번씩 답할 때까지 (시간 제한을 두고) 기다립니다:

# %%
_ = replies_seen(URL, want=2)

# %% [markdown] en="89419a3d01"
# 프록시를 거친 요청 스무 개와, 그중 서로 다른 답(`sort -u`)입니다. 호스트 이름 두 개, 곧 컨테이너
# 두 개입니다.

# %%
!for i in $(seq 20); do curl -s 127.0.0.1:{PORT}; done | sort -u

# %% [markdown] en="11e7a8ff9c"
# ## 8. 포트가 이미 쓰이고 있을 때
# 게시할 포트는 호스트에서 비어 있어야 합니다. 이 Python 셀(cell)은 다른 프로그램 역할을 합니다.
# 호스트의 포트 하나(시스템이 고릅니다)에서 수신 대기(listen)하며 그 포트를 붙잡고 있습니다.

# %%
squatter = socket.create_server(("127.0.0.1", 0))
BUSY = squatter.getsockname()[1]

# %% [markdown] en="bd1a88c1d0"
# 이제 Compose에 프록시를 그 포트에 게시하라고 요청합니다. 명령 앞의 `PROXY_PORT=...`는 이 명령
# 하나에만 변수를 설정하며, `.env`보다 우선합니다.

# %%
!cd work-09 && PROXY_PORT={BUSY} docker compose up -d

# %% [markdown] en="7cd28b404c"
# 위에서부터 읽어 보세요. `--scale`이 없으면 `up`은 파일에 적힌 대로, 즉 앱 컨테이너 하나로
# 돌아가므로 `dn-09-hello-app-2`를 지웠습니다. `--scale`은 기억되지 않습니다. 프록시의 포트가
# 바뀌었으므로 Compose는 프록시 컨테이너를 다시 만들었고, 그 주소에서 이미 다른 무언가가 수신 대기하고
# 있어서 엔진이 그 컨테이너의 시작을 거부했습니다. `up`은 전부 아니면 전무로 동작하지 않습니다.
# 실패 전에 바꾼 것은 바뀐 채로 남습니다.

# %%
!cd work-09 && docker compose ps -a

# %% [markdown] en="831c98dbbe"
# 앱은 실행 중이고, 새 프록시 컨테이너는 한 번도 시작되지 않은 `Created` 상태입니다. 포트를
# 놓아주고 `up`을 다시 실행합니다. Compose는 프로젝트를 파일과 비교해 빠진 것을 합니다. 여기서는
# 레슨의 포트에 프록시를 두는 일입니다.

# %%
squatter.close()

# %%
!cd work-09 && docker compose up -d

# %% [markdown] en="6b4e444c21"
# ## 9. `docker compose down`과 `down -v`
# 볼륨 `visits`에는 앱이 쓰는 로그가 있습니다. `dn-09-hello-app-2`는 사라졌지만, 그 컨테이너가 쓴
# 내용은 `dn-09-hello-app-1`이 쓴 내용 옆에 그대로 있습니다. 두 레플리카가 볼륨을 공유했기
# 때문입니다.

# %%
!cd work-09 && docker compose exec app sort -u /data/visits.log

# %% [markdown] en="3112dfa190"
# `docker compose down`은 프로젝트의 컨테이너와 네트워크를 멈추고 지웁니다:

# %%
!cd work-09 && docker compose down

# %% [markdown] en="2424531655"
# 이름 있는 볼륨은 방문 기록이 든 채로 다음 `up`을 위해 남겨 둡니다. Compose는 자기가 만든 것에
# 프로젝트 이름으로 라벨을 붙이므로, `docker volume ls`로 그 라벨을 걸러 볼 수 있습니다:

# %%
!docker volume ls --filter label=com.docker.compose.project=dn-09-hello

# %% [markdown] en="eee3a0f28e"
# `down -v`는 프로젝트의 이름 있는 볼륨까지 지웁니다(네트워크와 컨테이너는 이미 없습니다):

# %%
!cd work-09 && docker compose down -v

# %%
!docker volume ls --filter label=com.docker.compose.project=dn-09-hello

# %% [markdown] en="f9c573086f"
# 앱의 이미지는 남으므로(`docker compose down --rmi local`이라면 이미지도 지웁니다), 다음 `up`은
# 빌드 없이 시작합니다.
#
# ## 10. 직접 해 보기
# **연습 문제.** `docker compose` 명령 하나로, 프록시를 레슨의 포트가 아닌 다른 호스트 포트에 두고(풀이는
# 8189를, 쓰이고 있으면 다음 빈 포트를 씁니다) 앱 레플리카를 세 개로 하여 프로젝트를 다시 시작하세요. 그런 다음 확인 셀을 실행합니다. 확인 셀은
# 프로젝트의 프록시 컨테이너와 앱 컨테이너를 찾고, 레플리카 세 개가 답할 때까지 프록시에
# 요청합니다.

# %%

# %% tags=["solution", "nbval-ignore-output"] jupyter={"source_hidden": true}
MY_PORT = free_port(8189, notebook="09", client=client)
!cd work-09 && PROXY_PORT={MY_PORT} docker compose up -d --scale app=3

# %% [markdown] en="e00f42e49d"
# 확인:

# %%
print(check_replicas_behind_proxy(client, PROJECT, lesson_port=PORT))

# %% [markdown] en="ae8047f080"
# ## 정리
# 이 노트북이 만든 것(라벨로 고릅니다. 프로젝트의 컨테이너, 네트워크, 볼륨, 이미지, 그리고 폴더
# `work-09`)을 지우고, 다음 노트북이 엔진을 쓸 수 있게 합니다:

# %%
cleanup(notebook="09")["kind"].value_counts()

# %% [markdown] en="905810c4c6"
# ## 요약
# - `compose.yaml`은 프로젝트를 기술합니다. 서비스(이미지 또는 `build:` 폴더)와 그 포트, 볼륨,
#   네트워크, 헬스 체크, 재시작 정책입니다. `name:`은 프로젝트와, Compose가 프로젝트를 위해 만드는
#   모든 오브젝트(object)의 이름을 정합니다.
# - `docker compose up -d`는 없는 것을 만들어 시작하고, 파일과 다른 것은 바꿉니다. `ps`, `logs`,
#   `exec`는 서비스 이름으로 동작합니다. `down`은 컨테이너와 네트워크를, `down -v`는 이름 있는
#   볼륨까지 지웁니다.
# - 프로젝트의 네트워크에서 컨테이너는 Docker의 DNS(`127.0.0.11`)를 통해 서비스 이름으로 서로를
#   찾으며, DNS는 레플리카마다 주소 하나씩으로 답합니다.
# - `--scale app=2`는 레플리카 두 개를 실행합니다. nginx는 `proxy_pass`에 적힌 이름을 시작할 때 한
#   번 조회합니다. `resolver`와 변수를 쓰면 실행 중에 다시 조회하고 요청을 레플리카들에 나누어
#   보냅니다.
# - `condition: service_healthy`를 단 `depends_on`은 헬스 체크를 기다립니다. 헬스 체크가 실패해도
#   컨테이너는 다시 시작되지 않으며, 재시작 정책은 프로세스가 끝났을 때 작동합니다.
# - `up`은 전부 아니면 전무로 동작하지 않습니다. 포트가 이미 쓰이고 있으면 그전에 바꾼 것은 바뀐
#   채로 남습니다. 원인을 고치고 `up`을 다시 실행하세요.
#
# ## 다음 단계
# [10 · 머신 한 대 위의 오케스트레이터: 스웜](10-swarm-services.ipynb): 오케스트레이터(orchestrator)가
# 레플리카를 계속 실행해 두는 서비스로, Compose 다음 단계입니다.
#
# ## 참고 자료
# - Docker: [Compose 파일 레퍼런스](https://docs.docker.com/reference/compose-file/):
#   [프로젝트의 `name`](https://docs.docker.com/reference/compose-file/version-and-name/),
#   [서비스](https://docs.docker.com/reference/compose-file/services/) (`build`, `ports`,
#   `healthcheck`, `depends_on`, `restart`, `init`),
#   [네트워크](https://docs.docker.com/reference/compose-file/networks/),
#   [볼륨](https://docs.docker.com/reference/compose-file/volumes/),
#   [프래그먼트](https://docs.docker.com/reference/compose-file/fragments/) (`&`와 `*`),
#   [확장](https://docs.docker.com/reference/compose-file/extension/) (`x-`)
# - Docker: [Compose의 변수](https://docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/)와
#   [변수의 우선순위](https://docs.docker.com/compose/how-tos/environment-variables/envvars-precedence/)
# - Docker: [`docker compose up`](https://docs.docker.com/reference/cli/docker/compose/up/),
#   [`ps`](https://docs.docker.com/reference/cli/docker/compose/ps/),
#   [`logs`](https://docs.docker.com/reference/cli/docker/compose/logs/),
#   [`exec`](https://docs.docker.com/reference/cli/docker/compose/exec/),
#   [`down`](https://docs.docker.com/reference/cli/docker/compose/down/)
# - Docker: [Compose의 네트워킹](https://docs.docker.com/compose/how-tos/networking/),
#   [내장 DNS 서버](https://docs.docker.com/engine/network/#dns-services)
# - Docker: [HEALTHCHECK](https://docs.docker.com/reference/dockerfile/#healthcheck),
#   [컨테이너 자동 시작](https://docs.docker.com/engine/containers/start-containers-automatically/)
# - nginx: [`resolver`](https://nginx.org/en/docs/http/ngx_http_core_module.html#resolver),
#   [`proxy_pass`](https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass),
#   [`server ... resolve`](https://nginx.org/en/docs/http/ngx_http_upstream_module.html#resolve)
#   (오픈 소스 nginx 1.27.3부터)
# - Docker Hub: [공식 nginx 이미지](https://hub.docker.com/_/nginx) (설정 파일은
#   `/etc/nginx/nginx.conf`이며, 마운트한 파일로 이를 대신할 수 있습니다)
