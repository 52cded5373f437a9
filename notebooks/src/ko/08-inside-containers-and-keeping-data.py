# %% [markdown] en="09221aaa30"
# # 08 · 실행 중인 컨테이너 안, 그리고 데이터 보존
#
# `docker logs`로 컨테이너(container)가 출력한 내용을 읽고, `docker exec`로 컨테이너 안을 살펴보며
# 무언가를 바꿔 보고, 그 변경이 컨테이너와 함께 사라지는 것을 확인한 다음, 파일을 컨테이너 밖에
# 보관합니다. 읽기 전용(read-only)으로 마운트한 호스트(host) 폴더와, 그것을 쓰는 모든 컨테이너보다
# 오래 남는 이름 있는 볼륨(named volume)이 그 방법입니다.
#
# 용어가 낯설면 [용어집](../../docs/glossary.ko.md)을 보세요.
#
# ## 개요
# 1. `docker logs`: 컨테이너가 출력한 내용
# 2. `docker exec`: 실행 중인 컨테이너 안에서 명령 실행
# 3. 바인드 마운트(bind mount): 컨테이너 안의 호스트 폴더
# 4. 이름 있는 볼륨: 컨테이너보다 오래 남는 데이터
# 5. 레슨(lesson)의 볼륨을 라벨(label)로 골라 지우기
# 6. 직접 해 보기
#
# ## 사전 지식
# | 개념 | 중요도 | 비고 |
# | --- | --- | --- |
# | [05 · 컨테이너 실행](05-running-containers-and-restart-policies.ipynb) | 필수 | `docker run -d`, `docker ps` |
# | [06 · 포트 게시](06-publishing-ports.ipynb) | 필수 | `-p 127.0.0.1:8080:80`, 게시된 포트(published port)에 curl로 요청하기 |
# | 셸(shell) | 도움 됨 | `echo ... > file`, `ls`, `cat` |
#
# **학습 시간:** 25분
#
# ## 준비
# 이 레슨은 `nginx:stable`을 실행하고(없으면 준비 단계에서 가져옵니다) 호스트 포트 8088에
# 게시합니다. 다른 프로그램이 8088을 쓰고 있으면 `free_port`가 그 사실을 알리고, 레슨은 다음 빈
# 포트를 씁니다. 레슨이 호스트에 쓰는 파일은 이 노트북(notebook) 옆의 폴더 `work-08/`에 들어가며,
# 마지막 셀(cell)이 이 폴더를 지웁니다. 다른 모든 레슨과 마찬가지로 `setup_notebook`이 `docker run`
# 줄과 `docker volume create` 줄마다 시리즈(series)의 라벨을 붙이므로, 마지막 셀은 이 노트북이
# 만든 것만 정확히 지웁니다.

# %%
from helpers.cleanup import cleanup
from helpers.containers import free_port
from helpers.exercises import check_page_from_volume
from helpers.http import wait_http
from helpers.notebook import setup_notebook
from helpers.registry import ensure_image
from helpers.runtime import wait_listening
from helpers.workdir import lesson_folder

lab = setup_notebook("08", language="ko")
client = lab.client
_ = ensure_image("nginx:stable", client=client)
PORT = free_port(8088, notebook="08", client=client)
folder = lesson_folder("08")

# %% [markdown] en="a352b493e6"
# ## 1. `docker logs`: 컨테이너가 출력한 내용
# nginx를 `web-08`이라는 이름으로 백그라운드에서 시작하고, 레슨 06에서처럼 127.0.0.1에 게시합니다
# (`{PORT}`는 이 레슨의 포트로, 다른 프로그램이 차지하지 않았다면 8088입니다):

# %%
!docker run -d --name web-08 -p 127.0.0.1:{PORT}:80 nginx:stable

# %% [markdown] en="1cea27bde3"
# 헬퍼(helper)가 nginx에 요청을 보내지 않고, nginx가 포트에서 수신 대기(listen)할 때까지
# (시간 제한을 두고) 기다립니다:

# %%
wait_listening(client.containers.get("web-08"), 80)

# %% [markdown] en="2ecb268bc8"
# 페이지를 한 번 요청합니다:

# %%
!curl -s 127.0.0.1:{PORT} | grep Welcome

# %% [markdown] en="42e77d34db"
# 엔진(engine)은 컨테이너의 메인 프로세스가 표준 출력(standard output)과 표준 오류(standard error)에
# 쓰는 모든 내용을 보관합니다(기본 로깅 드라이버(logging driver)에서는 컨테이너마다 따로 두는 로그
# 파일에 보관합니다). `docker logs`는 그 내용을 다시 출력합니다:

# %%
!docker logs web-08

# %% [markdown] en="9b251169a6"
# 방금 보낸 curl 요청에 대한 nginx의 접근 로그(access log) 한 줄입니다. 클라이언트의 주소(컨테이너의
# 네트워크에서 본 호스트), 시각, 요청 `GET /`, 상태 코드 200, 페이지의 615바이트, 그리고 사용자
# 에이전트(user agent)인 curl이 나옵니다. nginx는 이 줄을 `/var/log/nginx/access.log`에 쓰는데, 이
# 이미지(image)는 Docker의 공식 nginx 이미지처럼 그 파일을 컨테이너의 표준 출력에 링크해
# 둡니다(2절에서 안을 들여다봅니다). 컨테이너 안의 파일에만 로그를 남기는 프로그램은 여기에 아무것도
# 나오지 않습니다.
#
# `--since`는 어떤 시각 이후에 나온 줄만 남깁니다. 시각은 기간(`10m`: 최근 10분)이나 타임스탬프로
# 줍니다. 이 셀은 `/before`를 요청하고, 1초 뒤의 시각을 적어 둔 다음, `/after`를 요청하고, 그 시각
# 이후에 나온 줄을 보여 줍니다(`$1`은 이 레슨의 포트입니다):

# %% magic_args="-s {PORT}" language="bash"
# curl -s -o /dev/null "127.0.0.1:$1/before"
# sleep 1
# since=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
# curl -s -o /dev/null "127.0.0.1:$1/after"
# docker logs --since "$since" web-08

# %% [markdown] en="3c7ef068cc"
# `/after`만 나옵니다(nginx에 그런 페이지가 없으므로 상태 코드는 404입니다). `-f`(`--follow`)는
# 로그에 새 줄이 생기는 대로 출력하며, 컨테이너가 실행 중인 동안에는 스스로 끝나지 않습니다.
# 터미널에서는 Ctrl-C로 멈춥니다.
# 노트북에서는 끝나지 않는 명령이 셀을 멈춘 채로 붙잡아 두므로, `timeout 3`이 3초 뒤에 명령을
# 멈춥니다. `--tail 0`은 이미 있던 줄을 빼고, 1초 뒤에 보낸 요청이 로그를 따라가는 동안 나타납니다:

# %% magic_args="-s {PORT}" language="bash"
# (sleep 1; curl -s -o /dev/null "127.0.0.1:$1/while-following") &
# timeout 3 docker logs -f --tail 0 web-08
# echo "exit code: $?"

# %% [markdown] en="34806a00a6"
# 종료 코드(exit code) 124는 `timeout` 자신의 종료 코드입니다. 아직 로그를 따라가던
# `docker logs -f`를 `timeout`이 멈췄다는 뜻입니다.
#
# ## 2. `docker exec`: 실행 중인 컨테이너 안에서 명령 실행
# `docker exec`는 실행 중인 컨테이너에서 명령을 하나 더 실행합니다. 그 명령은 메인 프로세스 옆에서,
# 같은 파일을 보며 실행됩니다. 먼저 `docker logs`에 nginx의 접근 로그가 나오는 이유부터 봅니다.
# 컨테이너 안에서 로그 파일은 표준 출력과 표준 오류를 가리키는 링크입니다:

# %%
!docker exec web-08 readlink /var/log/nginx/access.log /var/log/nginx/error.log

# %% [markdown] en="d31d64bc6c"
# 이 nginx는 페이지를 어디에 둘까요? `nginx -T`는 nginx가 실행에 쓰는 설정을 출력합니다. 그중 첫
# 번째 `root` 줄이 nginx가 제공하는 폴더를 알려 줍니다:

# %%
!docker exec web-08 nginx -T 2>/dev/null | grep -m1 root

# %% [markdown] en="8159217ee6"
# 이 실습 환경(lab)의 `nginx:stable`에는 Debian의 nginx가 들어 있고, 이 nginx는 `/var/www/html`을
# 제공합니다. Docker의 공식 nginx 이미지는 그 대신 `/usr/share/nginx/html`을 제공합니다. 짐작하기보다
# 여기서처럼 이미지에 물어보는 편이 낫습니다. 이 폴더에는 페이지가 하나 있습니다:

# %%
!docker exec web-08 ls /var/www/html

# %% [markdown] en="e515241706"
# 실행 중인 컨테이너 안에서 그 페이지를 제자리에서 고칩니다(`sed -i`는 파일을 있는 자리에서
# 편집합니다):

# %%
!docker exec web-08 sed -i 's/Welcome to nginx!/Changed inside the container/' /var/www/html/index.nginx-debian.html

# %% [markdown] en="6d51d8829b"
# nginx는 바뀐 페이지를 바로 제공합니다:

# %%
!curl -s 127.0.0.1:{PORT} | grep Changed

# %% [markdown] en="b8cb6e2966"
# 이 변경은 이미지가 아니라 컨테이너에 있습니다. `docker diff`는 컨테이너가 이미지 위에서
# 바꾼(`C`) 것과 추가한(`A`) 것을 나열합니다. 그 페이지가 보입니다:

# %%
!docker diff web-08 | grep html

# %% [markdown] en="fd4b0e1b23"
# 같은 이미지로 만든 새 컨테이너(`--rm`은 명령이 끝나면 컨테이너를 지웁니다)에서는 페이지가
# 이미지에 있는 그대로입니다:

# %%
!docker run --rm nginx:stable grep '<h1>' /var/www/html/index.nginx-debian.html

# %% [markdown] en="a159ab1f00"
# 컨테이너는 저마다 이미지의 읽기 전용 레이어(layer) 위에 자기만의 레이어를 두고 거기에 쓰며, 그
# 레이어는 컨테이너를 지울 때 함께 사라집니다. 그래서 `docker exec`로 고친 내용은 다음에 컨테이너를
# 새것으로 바꿀 때 사라집니다. 레슨 06에서 포트를 게시하려고 컨테이너를 바꾼 것처럼 말입니다.
# 컨테이너는 불변 인프라(immutable infrastructure)로 다루고, 오래 남길 변경은 이미지에(레슨 07에서
# 이미지를 하나 빌드합니다), 오래 남길 데이터는 컨테이너 밖에 두세요. 다음 두 절에서 그렇게 합니다.
#
# ## 3. 바인드 마운트: 컨테이너 안의 호스트 폴더
# 바인드 마운트는 호스트의 폴더를 컨테이너 안의 한 경로에 놓습니다. 호스트의 `work-08/site`에 작은
# 사이트를 씁니다:

# %%
site = folder / "site"
site.mkdir(exist_ok=True)
_ = (site / "index.html").write_text("<h1>Served from the host</h1>\n")
!cat work-08/site/index.html

# %% [markdown] en="524c1fa7d6"
# 마운트(mount)는 게시된 포트처럼 컨테이너를 만들 때 정해지므로, `web-08`을 지우고 새 컨테이너를
# 실행합니다:

# %%
!docker rm -f web-08

# %% [markdown] en="0e73251f4a"
# `-v "$(pwd)/work-08/site":/var/www/html:ro`는 *호스트 경로*:*컨테이너 경로*:*옵션*으로 읽습니다.
# 호스트 폴더(절대 경로입니다. `$(pwd)`는 현재 폴더, 여기서는 이 노트북의 폴더입니다)가
# `/var/www/html`에 나타나 이미지가 그 자리에 둔 내용을 가리고, `ro`는 이를 읽기 전용으로
# 마운트합니다:

# %%
!docker run -d --name web-08 -p 127.0.0.1:{PORT}:80 -v "$(pwd)/work-08/site":/var/www/html:ro nginx:stable

# %% [markdown] en="56af5972a9"
# 헬퍼가 nginx가 다시 수신 대기할 때까지 기다립니다:

# %%
wait_listening(client.containers.get("web-08"), 80)

# %% [markdown] en="59594f3738"
# 이제 nginx는 호스트의 페이지를 제공합니다:

# %%
!curl -s 127.0.0.1:{PORT}

# %% [markdown] en="320f4128a0"
# 컨테이너는 복사본이 아니라 호스트 폴더 자체를 봅니다. 지금 호스트에 쓴 페이지가 재시작 없이
# 바로 제공됩니다:

# %%
!echo '<h1>About</h1>' > work-08/site/about.html
!curl -s 127.0.0.1:{PORT}/about.html

# %% [markdown] en="dda9298df9"
# 읽기 전용은 반대 방향에 작용합니다. 컨테이너는 호스트의 파일을 바꿀 수 없습니다. 컨테이너 안의
# 셸은 거부당합니다(여기서는 실패 자체가 보려는 결과입니다):

# %%
!docker exec web-08 sh -c 'echo "<h1>Changed inside</h1>" > /var/www/html/index.html'

# %% [markdown] en="74196687da"
# `docker inspect`는 컨테이너의 마운트를 보여 줍니다. 종류, 호스트 경로(`Source`), 컨테이너 안의
# 경로(`Destination`), 그리고 읽기 전용이면 `"RW":false`입니다:

# %%
!docker inspect --format '{{json .Mounts}}' web-08

# %% [markdown] en="027b5767d8"
# 호스트 경로의 오타는 흔한 실수이고, 바인드 마운트를 적는 두 가지 방법은 이를 다르게 다룹니다.
# `--mount`는 각 부분을 하나하나 밝혀 적으며, 존재하지 않는 호스트 폴더는 거부합니다:

# %%
!docker run --rm --mount type=bind,source="$(pwd)/work-08/stie",target=/var/www/html,readonly nginx:stable ls /var/www/html

# %% [markdown] en="f7299d1a0c"
# 같은 오타가 있어도 `-v`는 거부하지 않습니다. 이 엔진(root, Linux)에서는 없는 호스트 폴더를 빈
# 채로 만들어 마운트하므로, 컨테이너는 `/var/www/html`에 아무것도 없는 상태로 시작합니다:

# %%
!docker run --rm -v "$(pwd)/work-08/stie":/var/www/html:ro nginx:stable ls -A /var/www/html | wc -l

# %% [markdown] en="63cc14e485"
# 이제 오타가 엔진이 만든 호스트의 폴더로 남아 있습니다:

# %%
!ls work-08

# %% [markdown] en="fbbe83a9e1"
# 그러니 스크립트에서는 `--mount`를 쓰세요. 경로가 틀리면 빈 폴더를 제공하는 대신 오류로
# 멈춥니다. 오타로 생긴 폴더를 지웁니다:

# %%
!rmdir work-08/stie

# %% [markdown] en="d1bc531231"
# ## 4. 이름 있는 볼륨: 컨테이너보다 오래 남는 데이터
# 바인드 마운트는 컨테이너를 한 호스트의 경로에 묶어 둡니다. 이름 있는 볼륨은 여러분이 고른 이름으로
# 엔진이 관리하는 저장 공간입니다. 하나 만듭니다:

# %%
!docker volume create data-08

# %% [markdown] en="6af79c9393"
# 준비 셀의 훅(hook)이 모든 `docker volume create` 줄에 그러듯 이 볼륨에도 라벨을 붙였으므로,
# 레슨은 라벨 필터로 자기 볼륨만 나열합니다(터미널에서는 `docker volume ls`가 볼륨을 모두
# 나열합니다):

# %%
!docker volume ls --filter label=tutorial.notebook=08

# %% [markdown] en="30e6d8eac7"
# `-v data-08:/data`는 볼륨을 `/data`에 마운트합니다. `/`로 시작하는 경로가 아니라 이름이면 볼륨을
# 뜻합니다. 첫 번째 컨테이너 `writer-08`이 볼륨에 메모를 쓰고 종료합니다:

# %%
!docker run --name writer-08 -v data-08:/data nginx:stable sh -c 'echo "written by writer-08" > /data/note.txt'

# %% [markdown] en="e36fe6038d"
# 그 컨테이너를 지웁니다:

# %%
!docker rm writer-08

# %% [markdown] en="e61af8fe0f"
# 같은 볼륨을 (이번에는 읽기 전용으로) 마운트한 두 번째 컨테이너가, 첫 번째 컨테이너가 사라진
# 뒤에 그 컨테이너가 쓴 메모를 읽습니다:

# %%
!docker run --rm -v data-08:/data:ro nginx:stable cat /data/note.txt

# %% [markdown] en="db9800f857"
# `docker volume inspect`는 볼륨의 라벨과, 엔진이 볼륨의 파일을 두는 곳(`Mountpoint`)을 보여
# 줍니다. 엔진이 실행되는 머신에 있는, 엔진의 데이터 디렉터리 안의 폴더입니다. Docker Desktop은
# 엔진을 Linux 가상 머신(virtual machine)에서 실행하므로
# ([Docker Desktop 네트워킹](https://docs.docker.com/desktop/features/networking/)), 거기서는 이
# 폴더가 여러분의 Mac이나 PC가 아니라 그 가상 머신 안에 있습니다:

# %%
!docker volume inspect data-08

# %% [markdown] en="238353a90e"
# 한 가지 주의할 점이 있습니다. `-v`는 없는 호스트 폴더를 만들듯 찾지 못한 볼륨도 새로 만듭니다.
# 그래서 볼륨 이름에 오타가 있으면 실패하는 대신, 새로 만든 빈 볼륨으로 컨테이너가 시작됩니다.
# 데이터가 없어진 것 같으면 `docker volume ls`로 이름을 확인하세요.
#
# ## 5. 레슨의 볼륨을 라벨로 골라 지우기
# 컨테이너를 지워도 그 컨테이너의 이름 있는 볼륨은 남습니다. 4절은 바로 이 점에 기댔습니다. 그래서
# 직접 지우지 않으면 볼륨이 쌓입니다. 레슨 12에서 컨테이너에 하듯, 레슨의 볼륨을 라벨로 골라 정확히
# 그것만 지웁니다. 라벨이 없는 여러분의 볼륨은 그대로 남습니다:

# %%
!docker volume rm $(docker volume ls -q --filter label=tutorial.notebook=08)

# %% [markdown] en="f2167016a2"
# ## 6. 직접 해 보기
# **연습 문제.** 이름 있는 볼륨에서 페이지를 제공해 보세요. 볼륨을 하나 만들고(이름은 자유), 한 번 쓰고
# 버릴 컨테이너(`--rm`)로 그 안에 `index.html`을 쓴 다음, 그 볼륨을 `/var/www/html`에 읽기 전용으로
# 마운트한 nginx를 실행합니다. 127.0.0.1의 원하는 호스트 포트(`web-08`이 쓰고 있는 레슨의 포트는
# 빼고)에 게시하고, `curl`로 요청하세요. 아래 확인 셀은 `/var/www/html`에 볼륨을 마운트한 실행 중인
# 컨테이너(`web-08` 제외) 모두에게 페이지를 요청합니다.

# %%

# %% tags=["solution"] jupyter={"source_hidden": true}
!docker volume create pages-08
!docker run --rm -v pages-08:/site nginx:stable sh -c 'echo "<h1>From a volume</h1>" > /site/index.html'
MY_PORT = free_port(8098, notebook="08", client=client)
!docker run -d --name my-web-08 -p 127.0.0.1:{MY_PORT}:80 -v pages-08:/var/www/html:ro nginx:stable
_ = wait_http(f"http://127.0.0.1:{MY_PORT}")
!curl -s 127.0.0.1:{MY_PORT}

# %% [markdown] en="e00f42e49d"
# 확인:

# %%
print(check_page_from_volume(client, exclude="web-08"))

# %% [markdown] en="3fbb627692"
# ## 정리
# 이 노트북이 만든 것(라벨로 고릅니다)과 `work-08` 폴더를 지우고, 다음 노트북이 엔진을 쓸 수 있게
# 합니다:

# %%
cleanup(notebook="08")["kind"].value_counts()

# %% [markdown] en="779cfdb81f"
# ## 요약
# - `docker logs`는 컨테이너의 메인 프로세스가 표준 출력과 표준 오류에 쓴 내용(이 이미지에서는
#   nginx의 접근 로그)을 출력합니다. `--since`는 더 최근의 줄만 남기고, `-f`는 멈출 때까지(Ctrl-C,
#   스크립트에서는 `timeout`) 로그를 따라갑니다.
# - `docker exec`는 실행 중인 컨테이너 안에서 명령을 실행합니다. 멈춘 컨테이너는 먼저 시작해야
#   합니다.
# - 컨테이너 안에서 한 변경은 그 컨테이너만의 레이어(`docker diff`)에 남고 컨테이너와 함께
#   사라집니다. 같은 이미지로 만든 새 컨테이너는 이미지 상태에서 시작합니다.
# - 바인드 마운트(`-v /host/path:/path:ro`)는 호스트 폴더를 컨테이너 안에 실시간으로 보여 줍니다.
#   `ro`는 컨테이너가 그 폴더에 쓰지 못하게 합니다. `-v`는 없는 호스트 폴더를 만들고, `--mount`는
#   거부합니다.
# - 이름 있는 볼륨(`docker volume create`, `-v NAME:/path`)은 그것을 쓰는 컨테이너보다 오래
#   남습니다. `docker volume inspect`는 엔진이 볼륨을 두는 곳을, `docker inspect`는 컨테이너의
#   마운트를 보여 줍니다.
# - 컨테이너를 지워도 볼륨은 남으므로, 볼륨은 라벨로 골라 직접 지우세요.
#
# ## 다음 단계
# [09 · Compose로 여러 컨테이너 다루기](09-compose.ipynb): 여러 컨테이너와 그 포트, 볼륨을 파일
# 하나에 기술하고 함께 시작합니다.
#
# ## 참고 자료
# - Docker: [`docker logs`](https://docs.docker.com/reference/cli/docker/container/logs/),
#   [로깅 드라이버](https://docs.docker.com/engine/logging/configure/),
#   [`docker exec`](https://docs.docker.com/reference/cli/docker/container/exec/)
# - Docker: [바인드 마운트](https://docs.docker.com/engine/storage/bind-mounts/) (없는 호스트
#   경로에서 `-v`와 `--mount`가 하는 일)
# - Docker: [볼륨](https://docs.docker.com/engine/storage/volumes/),
#   [`docker volume`](https://docs.docker.com/reference/cli/docker/volume/)
# - Docker: [스토리지 드라이버](https://docs.docker.com/engine/storage/drivers/) (컨테이너의 쓰기
#   가능한 레이어), [`docker diff`](https://docs.docker.com/reference/cli/docker/container/diff/)
# - Docker의 공식 nginx 이미지: [Docker Hub의 페이지](https://hub.docker.com/_/nginx)
#   (`/usr/share/nginx/html`을 제공합니다),
#   [Dockerfile](https://github.com/nginxinc/docker-nginx/blob/master/stable/debian/Dockerfile)
#   (접근 로그를 stdout에 링크합니다)
