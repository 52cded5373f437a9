# %% [markdown] en="e038b39e3a"
# # 06 · 포트 게시
#
# 호스트에서 컨테이너(container) 안의 nginx에 접속합니다. 먼저 컨테이너 자신의 주소로 접속하고,
# `-p`로 포트 게시(publishing a port)를 한 다음에는 호스트 자신의 주소로 접속합니다. 그리고
# `-p 127.0.0.1:...`이 왜 더 안전한 습관인지 알아봅니다.
#
# 용어가 낯설면 [용어집](../../docs/glossary.ko.md)을 보세요.
#
# ## 개요
# 1. 게시된 포트(published port)가 없는 컨테이너
# 2. 컨테이너는 불변입니다: `-p`를 붙여 새로 실행하기
# 3. `docker port`: 게시된 포트가 어디에서 수신 대기(listen)하는지
# 4. `-p 80`: 엔진(engine)이 호스트 포트를 고릅니다
# 5. 직접 해 보기
#
# ## 사전 지식
# | 개념 | 중요도 | 비고 |
# | --- | --- | --- |
# | [05 · 컨테이너 실행](05-running-containers-and-restart-policies.ipynb) | 필수 | `docker run -d --restart`, `docker ps -f name=` |
# | 포트와 `curl` | 도움 됨 | 서버는 포트에서 수신 대기하고, `curl`은 서버에 페이지를 요청합니다 |
#
# **학습 시간:** 15분
#
# ## 준비
# 이 레슨(lesson)은 `nginx`(`nginx:latest` 태그(tag)이며, 없으면 준비 셀(cell)이 가져옵니다)를
# 실행하고 호스트 포트 8080에 게시합니다. 다른 프로그램이 이미 8080을 쓰고 있으면 `free_port`가
# 한 문장으로 알려 주고, 레슨은 다음 빈 포트를 씁니다. 모든 레슨에서처럼 `setup_notebook`은 각
# `docker run` 줄에 시리즈(series)의 라벨(label)을 붙이므로, 마지막 셀이 이 노트북(notebook)이
# 만든 것만 정확히 제거합니다.

# %%
from helpers.cleanup import cleanup
from helpers.containers import free_port
from helpers.http import check_published_on_loopback, wait_http
from helpers.notebook import setup_notebook
from helpers.registry import ensure_image
from helpers.runtime import wait_listening
from helpers.setups import bridge_ip_answers, bridge_unreached

lab = setup_notebook("06", language="ko")
client = lab.client
_ = ensure_image("nginx:latest", client=client)
PORT = free_port(8080, notebook="06", client=client)

# %% [markdown] en="6b805ea7c6"
# ## 1. 게시된 포트가 없는 컨테이너
# 원본 노트(source notes)처럼 nginx를 백그라운드에서, 항상 재시작되도록, `nginx-exposed`라는 이름으로, `-p` 없이
# 시작합니다:

# %%
!docker run -d --name nginx-exposed --restart always nginx

# %% [markdown] en="7e670d40b1"
# nginx는 시작하는 데 잠깐 걸립니다. 이 헬퍼(helper)는 컨테이너 안의 80번 포트에서 무언가 수신 대기할
# 때까지 (시간 제한을 두고) 기다립니다. 그래야 뒤에 오는 단계가 타이밍에 좌우되지 않습니다:

# %%
wait_listening(client.containers.get("nginx-exposed"), 80)

# %% [markdown] en="5679790dc1"
# 이제 호스트 자신의 루프백(loopback) 주소인 127.0.0.1의 80번 포트(curl의 기본값)에 요청하고,
# curl의 종료 코드를 출력합니다:

# %%
!curl -sS 127.0.0.1; echo "curl exit code: $?"

# %% [markdown] en="1e10e15003"
# curl은 종료 코드 7, "Couldn't connect to server"로 포기합니다. nginx는 컨테이너 안의 80번 포트에서
# 수신 대기하고 있지만, 호스트의 주소 127.0.0.1에서는 80번 포트로 오는 연결을 받는 것이 없습니다.
#
# 컨테이너에는 Docker의 기본 브리지 네트워크(bridge network)에 있는 자기만의 주소가 있습니다.
# `docker inspect`는 컨테이너의 설정에서 그 주소를 읽습니다:

# %%
!docker inspect --format '{{.NetworkSettings.IPAddress}}' nginx-exposed

# %% [markdown] en="cd1c73bc12"
# Linux 호스트에서는 `-p`가 전혀 없어도 호스트에서 그 주소로 요청하면 응답이 옵니다(`$(...)`는
# 주소를 curl 명령에 넣습니다). 모든 환경(set-up)에서 그렇지는 않습니다. Docker Desktop(Mac,
# Windows)에서는 엔진과 그 브리지 네트워크가 가상 머신 안에서 실행되고, 루트리스(rootless)
# Docker는 이들을 자기만의 네트워크 네임스페이스(namespace)에 두므로, 그런 환경에서는 호스트에서
# 브리지 주소로 요청해도 응답이 없습니다. 루트리스 엔진은 root의 엔진이 나눠 주는 주소를
# 재사용하기까지 하므로, 다른 사람의 컨테이너가 응답할 수도 있습니다. 그래서 이 셀은 먼저 무작위
# 토큰을 돌려주는 자기만의 점검용 컨테이너(probe container)에게 물어, 이 머신이 엔진의 브리지
# 주소에 닿는지 확인합니다. 닿지 않으면 셀은 그렇다고 알리고, 그 주소가 응답하는 곳, 즉 같은
# 네트워크에 있는 컨테이너에서 요청합니다.

# %%
if bridge_ip_answers(client, "nginx:latest"):
    !curl -s $(docker inspect --format '{{.NetworkSettings.IPAddress}}' nginx-exposed) | grep Welcome
else:
    print(bridge_unreached(lab.kind))
    !docker run --rm nginx bash -c "exec 3<>/dev/tcp/$(docker inspect --format '{{.NetworkSettings.IPAddress}}' nginx-exposed)/80; printf 'GET / HTTP/1.0\r\n\r\n' >&3; grep Welcome <&3"

# %% [markdown] en="96e13e0cc9"
# 주소 두 개, 답 두 개: 이 Linux 호스트에서 컨테이너의 브리지 주소는 80번 포트로 응답하고, 호스트
# 자신의 주소 127.0.0.1은 응답하지 않습니다. 다음 절들에서 보듯이, 컨테이너가 호스트 자신의
# 주소에서 응답하게 만드는 것은 `-p`로 하는 포트 게시입니다. Docker Desktop과 루트리스 Docker에서는
# 이것이 호스트에서 컨테이너로 들어가는 유일한 길입니다.
#
# ## 2. 컨테이너는 불변입니다: `-p`를 붙여 새로 실행하기
# 게시된 포트는 컨테이너를 만들 때 정해집니다. `docker update`는 컨테이너의 자원과 재시작
# 정책(restart policy)을 바꾸지만, 포트를 게시하는 옵션은 없습니다. 그러니 컨테이너를 불변
# 인프라(immutable infrastructure)로 다루세요. 컨테이너를 제거하고, `-p`를 붙여 새로 실행합니다.

# %%
!docker rm -f nginx-exposed

# %% [markdown] en="38d9ee81a6"
# `-p 127.0.0.1:8080:80`은 *호스트 주소*:*호스트 포트*:*컨테이너 포트*로 읽습니다. 호스트 주소
# 127.0.0.1의 8080번 포트로 오는 연결은 컨테이너의 80번 포트로 전달됩니다. (`{PORT}`는 레슨의
# Python 변수로, 8080이 이미 쓰이고 있지 않으면 8080입니다. 터미널에서는 숫자를 입력합니다.)

# %%
!docker run -d -p 127.0.0.1:{PORT}:80 --name nginx-exposed --restart always nginx

# %% [markdown] en="6bb7268656"
# `docker ps -f name=nginx-exposed`의 PORTS 열에 매핑이 보입니다:

# %%
!docker ps -f name=nginx-exposed

# %% [markdown] en="35a4921dfc"
# 헬퍼가 게시된 포트가 응답할 때까지 (시간 제한을 두고) 기다립니다:

# %%
wait_http(f"http://127.0.0.1:{PORT}")

# %% [markdown] en="5207145236"
# 그리고 curl은 호스트 주소 127.0.0.1과 게시된 포트로 nginx의 환영 페이지를 받습니다:

# %%
!curl -s 127.0.0.1:{PORT} | grep Welcome

# %% [markdown] en="52a23d745a"
# ## 3. `docker port`: 게시된 포트가 어디에서 수신 대기하는지
# `docker port`는 컨테이너의 게시된 포트를 나열합니다. 각 포트는 *컨테이너 포트* -> *호스트
# 주소*:*호스트 포트* 형태입니다:

# %%
!docker port nginx-exposed

# %% [markdown] en="2a330599a0"
# 127.0.0.1은 루프백 주소입니다. 이 머신의 프로그램만 이 주소로 연결합니다. `-p 8080:80`처럼
# 주소 없이 쓰면 포트는 호스트의 모든 인터페이스에 게시됩니다(IPv4는 `0.0.0.0`, IPv6는 `[::]`).
# 이 호스트에 닿을 수 있는 머신이라면 어느 것이든 nginx에 닿으며, Linux에서는 ufw 같은 호스트
# 방화벽이 닫혀 있는 것처럼 보여도 Docker 자신의 방화벽 규칙이 그 연결을 들여보냅니다. 그러니
# 다른 머신이 그 포트를 써야 하는 경우가 아니면 127.0.0.1에 바인딩하세요. 공유 네트워크(카페,
# 워크숍 Wi-Fi)에서는 이것이 더 안전한 습관입니다.
#
# 한 가지 주의할 점은 이 레슨을 실행한 엔진인 Engine 26.1에 관한 것입니다. 같은 로컬 네트워크
# 세그먼트(같은 스위치)에 있는 머신은 직접 만든 패킷을 보내 127.0.0.1에 게시된 포트에 여전히 닿을
# 수 있습니다. Engine 28.0이 그 구멍을 막습니다
# ([moby/moby#45610](https://github.com/moby/moby/issues/45610)).
#
# ## 4. `-p 80`: 엔진이 호스트 포트를 고릅니다
# `-p 80`은 컨테이너 포트만 지정합니다. 이것은 `-p 8080:80`의 줄임 형태가 아닙니다. 엔진이 빈
# 호스트 포트를 직접 고르고, 주소가 주어지지 않았으므로 모든 인터페이스에 게시합니다. 두 번째
# nginx로 해 봅니다:

# %%
!docker run -d -p 80 --name dn-06-everywhere nginx

# %% [markdown] en="f0f7757853"
# `docker port`는 엔진이 어떤 호스트 포트를 골랐는지 보여 줍니다. 하나는 `0.0.0.0`(IPv4)에, 다른
# 하나는 `[::]`(IPv6)에 있습니다. 두 번호가 같은 경우가 많지만, Engine 26.1은 각각 따로 고르므로
# 하나 이상 차이 날 수 있습니다. 이 포트들은 이 머신이 임시 포트(ephemeral port)용으로 남겨 둔
# 범위(`/proc/sys/net/ipv4/ip_local_port_range`)에서 나오므로, 80도 8080도 아닙니다:

# %%
!docker port dn-06-everywhere

# %% [markdown] en="5ef4ab3307"
# 두 포트의 차이는 호스트의 네트워크 주소, 즉 다른 머신들이 쓰는 주소에서 드러납니다(여기서는
# `hostname -I`가 나열하는 첫 번째 주소가 그 머신들을 대신합니다). 127.0.0.1에 게시된 포트는
# 거기서 응답하지 않고, 모든 인터페이스에 게시된 포트는 응답합니다. (`$1`은 레슨의 포트이고,
# `2>&1`은 curl의 오류 메시지를 출력에 보여 줍니다.)

# %% magic_args="-s {PORT}" language="bash"
# host_ip=$(hostname -I | cut -d' ' -f1)
# picked=$(docker port dn-06-everywhere 80/tcp | head -n 1 | cut -d: -f2)
# curl -sS "$host_ip:$1" 2>&1
# curl -s "$host_ip:$picked" | grep Welcome

# %% [markdown] en="e2ddd563c3"
# 모든 인터페이스에 게시된 컨테이너는 바로 제거합니다:

# %%
!docker rm -f dn-06-everywhere

# %% [markdown] en="af04082cf3"
# ## 5. 직접 해 보기
# **연습 문제.** 여러분만의 두 번째 nginx를 원하는 이름으로 실행하세요. 127.0.0.1에, 직접 고른
# 호스트 포트로 게시합니다(레슨의 포트는 `nginx-exposed`가 쓰고 있으니 피하세요). 그리고 `curl`로
# 환영 페이지를 받아 보세요. 그다음 아래 확인 셀을 실행하세요. 확인 셀은 80번 포트를 게시하는
# 실행 중인 모든 컨테이너(`nginx-exposed` 제외)에 페이지를 요청합니다.

# %%

# %% tags=["solution"] jupyter={"source_hidden": true}
MY_PORT = free_port(8090, notebook="06", client=client)
!docker run -d -p 127.0.0.1:{MY_PORT}:80 --name my-nginx nginx
_ = wait_http(f"http://127.0.0.1:{MY_PORT}")
!curl -s 127.0.0.1:{MY_PORT} | grep '<h1>'

# %% [markdown] en="e00f42e49d"
# 확인:

# %%
print(check_published_on_loopback(client, exclude="nginx-exposed"))

# %% [markdown] en="9263b0966a"
# ## 정리
# 이 노트북이 만든 것을 (라벨로 골라) 제거하고, 다음 노트북이 엔진을 쓸 수 있게 합니다:

# %%
cleanup(notebook="06")["kind"].value_counts()

# %% [markdown] en="db338eb05a"
# ## 요약
# - Linux 호스트에서는 컨테이너의 브리지 주소가 `-p` 없이도 호스트에서 응답합니다. 호스트 자신의
#   주소(127.0.0.1, 호스트의 네트워크 주소)는 게시된 포트에서만 응답합니다.
# - 게시된 포트는 컨테이너를 만들 때 정해집니다. 컨테이너를 제거하고 `-p`를 붙여 새로 실행하세요.
# - `-p 127.0.0.1:8080:80`은 *호스트 주소*:*호스트 포트*:*컨테이너 포트*입니다. 주소가 없으면
#   (`-p 8080:80`, `-p 80`) 포트는 모든 인터페이스에서 수신 대기합니다. `127.0.0.1`은 포트를 이 머신
#   안으로 한정하며, 이것이 더 안전한 습관입니다.
# - `-p 80`은 `-p 8080:80`이 아닙니다. 엔진이 호스트 포트를 고르고, `docker port`가 어떤 포트인지
#   보여 줍니다.
# - `docker ps`(PORTS 열)와 `docker port`는 컨테이너의 매핑을 보여 줍니다.
#
# ## 다음 단계
# [07 · 나만의 이미지 빌드와 배포](07-building-and-shipping-images.ipynb): Dockerfile을 쓰고,
# 나만의 페이지를 이미지(image)로 빌드하고, 레지스트리(registry)에 푸시한 뒤 거기서 실행합니다.
#
# ## 참고 자료
# - Docker: [포트 게시와 매핑](https://docs.docker.com/engine/network/port-publishing/)
# - Docker: [`docker port`](https://docs.docker.com/reference/cli/docker/container/port/)와
#   [`docker update`](https://docs.docker.com/reference/cli/docker/container/update/)
# - Docker: [패킷 필터링과 방화벽](https://docs.docker.com/engine/network/packet-filtering-firewalls/)
# - Docker Desktop: [네트워킹](https://docs.docker.com/desktop/features/networking/)
#   (호스트에서 컨테이너의 주소로 가는 경로가 없음)
# - Docker: [루트리스 모드](https://docs.docker.com/engine/security/rootless/) (컨테이너의 주소는
#   RootlessKit의 네트워크 네임스페이스 안에 있음)
# - moby/moby#45610: [같은 네트워크 세그먼트에서 닿는, 127.0.0.1에 게시된 포트](https://github.com/moby/moby/issues/45610)
