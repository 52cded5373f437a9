# %% [markdown] en="aba94621eb"
# # 01 · 컨테이너, 파드, containerd
#
# Docker 컨테이너(container)가 쿠버네티스(Kubernetes) 클러스터(cluster)의 어디에 자리하는지,
# 그리고 그 컨테이너를 실제로 실행하는 것, 곧 containerd를 살펴봅니다.
#
# 용어가 낯설면 [용어집](../../docs/glossary.ko.md)을 보세요.
#
# ## 개요
# 1. 계층 구조: 컨트롤 플레인(control plane), 워커 노드(worker node), 파드(Pod), 컨테이너
# 2. Docker는 containerd를 통해 컨테이너를 실행합니다
# 3. 손으로 만드는 파드: 네트워크 네임스페이스(network namespace) 하나를 공유하는 컨테이너들
# 4. 쿠버네티스, CRI, 그리고 dockershim의 끝
# 5. 직접 해 보기
#
# ## 사전 지식
# | 개념 | 중요도 | 비고 |
# | --- | --- | --- |
# | 셸(shell)과 명령줄의 `docker` | 필수 | `!`는 셀(cell)에서 셸 명령을 실행합니다 |
# | 프로세스와 포트 | 도움 됨 | "포트 80에서 수신 대기(listen)한다"는 말의 뜻 |
#
# **학습 시간:** 20분
#
# ## 준비
# 준비 셀은 Docker 엔진(engine)이 응답하는지 확인하고, 이미지(image)를 어디에서 가져올지 알려
# 줍니다. 오류를 출력하면, 그 문장이 무엇을 해야 하는지 알려 줍니다. 여기서부터 `!` 셀의 모든
# `docker run`에는 라벨(label) 두 개(`tutorial=docker-notebooks`, `tutorial.notebook=01`)가 더
# 붙습니다. 그래서 마지막 셀이 이 노트북(notebook)이 만든 것만 정확히 정리(cleanup)할 수 있고,
# `--name`이 있는 셀을 다시 실행하면 실패하는 대신 그 컨테이너를 새것으로 바꿉니다.

# %%
import os

from helpers.cleanup import cleanup
from helpers.notebook import setup_notebook
from helpers.plots import cluster_diagram
from helpers.registry import ensure_image
from helpers.runtime import check_joined_pod, network_namespace, wait_listening
from helpers.setups import containerd_address

lab = setup_notebook("01", language="ko")
client = lab.client

# %% [markdown] en="7adaeb9d42"
# 이 레슨(lesson)은 `nginx:stable`을 실행합니다. 아래 셀은 이 이미지가 아직 없으면 조용히
# 내려받고(pull), 짧은 이미지 ID를 출력합니다. 제대로 내려받는 과정은 노트북 02에서 보여 줍니다.

# %%
ensure_image("nginx:stable")

# %% [markdown] en="ce4ab1ef18"
# ## 1. 계층 구조
# 쿠버네티스 **클러스터**는 컨트롤 플레인(예전 글에서는 "마스터(master)")과 워커 **노드**(node)로
# 이루어집니다. 컨트롤 플레인은 무엇을 실행할지 정하고, 각 워커 노드는 **파드**를 실행합니다.
# 파드는 IP 주소 하나를 받고 저장 공간을 공유할 수 있는 하나 이상의 **컨테이너**입니다. 파드 안의
# 컨테이너들은 마치 한 호스트에 있는 것처럼 동작합니다. Docker는 컨테이너를 빌드하고 실행하는
# 도구입니다.

# %%
cluster_diagram()

# %% [markdown] en="a9bd93bf88"
# 누가 누구를 돌보는지: 컨트롤 플레인 → 워커 노드 → 파드 → 컨테이너.
#
# ## 2. Docker는 containerd를 통해 컨테이너를 실행합니다
# Docker는 2016년에 자기 컨테이너 런타임(runtime)을 **containerd**로 분리했고, 2017년에 이를
# CNCF에 넘겼습니다. containerd는 그곳에서 독립된 프로젝트입니다. `docker version`은 엔진이 무엇으로
# 이루어져 있는지 나열합니다. `Server` 아래에 엔진 자체가 나오고, 이어서 엔진이 컨테이너를 실행할
# 때 쓰는 containerd와 runc가 나옵니다(이 노트북을 검사할 때는 버전 번호를 가리므로, 어떤 엔진
# 버전이든 통과합니다).

# %%
!docker version

# %% [markdown] en="e0ee5f21ce"
# 컨테이너를 하나 시작합니다. `docker run -d`는 새 컨테이너의 전체 ID를 출력합니다.

# %%
!docker run -d --name dn-01-web nginx:stable

# %% [markdown] en="73746220a1"
# 이번에는 containerd에 직접 물어봅니다. `ctr`은 containerd 자체의 명령줄 클라이언트이고, Docker는
# 자기 컨테이너를 containerd의 `moby` 네임스페이스에 둡니다. `ctr`은 변수 `CONTAINERD_ADDRESS`가
# 다른 소켓을 지정하지 않으면 `/run/containerd/containerd.sock`에서 containerd의 소켓을 찾습니다.
# 자기 containerd를 직접 띄운 엔진은(이 실습 환경(lab)의 엔진처럼) 그 소켓을 자기 소켓 옆의 폴더에
# 둡니다. root의 엔진은 `/var/run/docker/`, 루트리스(rootless) 엔진은
# `$XDG_RUNTIME_DIR/docker/`입니다. 이 셀은 `ctr`이 이 노트북이 쓰는 엔진의 containerd를 가리키게
# 합니다.

# %%
os.environ["CONTAINERD_ADDRESS"] = containerd_address(lab.facts.endpoint.host)
os.environ["CONTAINERD_ADDRESS"]

# %% [markdown] en="0fbf32acc5"
# `ctr -n moby containers list`는 Docker가 실행하는 모든 컨테이너를 한 행에 하나씩 보여 줍니다(이
# 노트북을 검사할 때는 다른 컨테이너가 실행 중일 수 있으므로 행들을 하나로 합칩니다). 소켓은
# 엔진을 실행하는 사용자의 것입니다. root의 엔진이면 root의 것이므로 `docker` 그룹(docker group)의
# 사용자는 여기서 "permission denied"를 받고, Docker Desktop은 containerd를 자기 가상 머신 안에
# 둡니다. 그러면 `ctr`이 containerd에 닿을 수 없고, 셀이 대신 그렇다고 알려 줍니다.

# %%
!ctr -n moby containers list || echo "ctr cannot reach Docker's containerd here: it needs root on the engine's own machine."

# %% [markdown] en="83ad4870c6"
# Docker가 출력한 ID가 곧 containerd가 나열하는 ID입니다. 목록을 그 ID로 걸러
# 보세요(`docker inspect`가 ID를 출력합니다). 정확히 한 행이 나옵니다.

# %%
!ctr -n moby containers list "id==$(docker inspect --format '{{.Id}}' dn-01-web)" || echo "ctr cannot reach Docker's containerd here: it needs root."

# %% [markdown] en="b63d7c36b5"
# root가 아니어도 containerd가 일하는 모습을 볼 방법이 있습니다. containerd는 각 컨테이너를 자기의
# 작은 프로세스인 **심**(shim)을 통해 시작하고, 심의 명령줄에는 containerd의 네임스페이스와
# 컨테이너의 ID가 들어 있습니다. 엔진이 도는 머신의 사용자라면 누구나 `ps`로 명령줄을 읽을 수
# 있으므로, 이 방법은 root로도, `docker` 그룹에서도, 루트리스 엔진(심이 여러분의 계정으로
# 실행됩니다)에서도 통합니다. Docker Desktop에서는 심이 그 가상 머신 안에서 실행되므로 `ps`는
# 아무것도 찾지 못합니다.

# %%
!ps -eo args | grep -o -- "-namespace [m]oby -id $(docker inspect --format '{{.Id}}' dn-01-web)"

# %% [markdown] en="79ce22192f"
# ## 3. 손으로 만드는 파드
# 쿠버네티스는 먼저 작은 "pause" 컨테이너를 시작합니다. 이 컨테이너가 파드의 네트워크
# 네임스페이스를 소유하고, 파드의 다른 컨테이너들은 거기에 합류합니다. Docker도
# `--network container:<name>`으로 똑같이 할 수 있습니다. 먼저 네임스페이스의 주인으로, 잠만 자는
# 컨테이너를 띄웁니다.

# %%
!docker run -d --name dn-01-pod nginx:stable sleep infinity

# %% [markdown] en="a6c2307f2d"
# 이제 nginx가 자기 네임스페이스를 따로 받는 대신 파드의 네트워크 네임스페이스에 합류합니다.

# %%
!docker run -d --name dn-01-pod-nginx --network container:dn-01-pod nginx:stable

# %% [markdown] en="f0efe9201e"
# nginx는 시작하는 데 잠시 걸립니다. 아래 셀은 nginx가 파드 안에서 포트 80을 수신 대기할 때까지
# (최대 15초) 기다립니다.

# %%
wait_listening(client.containers.get("dn-01-pod-nginx"), 80)

# %% [markdown] en="ff8625cddf"
# 세 번째 컨테이너도 합류해, 한 호스트의 두 프로세스가 그러듯 `localhost:80`으로 nginx에
# 접속합니다. 이 이미지에는 `curl`이 없으므로, bash의 `/dev/tcp`로 HTTP를 주고받고 페이지의 제목을
# 출력합니다.

# %%
!docker run --rm --network container:dn-01-pod nginx:stable bash -c 'exec 3<>/dev/tcp/127.0.0.1/80; printf "GET / HTTP/1.0\r\n\r\n" >&3; grep -o "<title>.*</title>" <&3'

# %% [markdown] en="26d59c435d"
# 커널은 네트워크 네임스페이스마다 이름(`net:[number]`)을 붙이고, 컨테이너 안의
# `/proc/self/ns/net`은 그 컨테이너가 어느 네임스페이스에 있는지 알려 줍니다. 파드의 두
# 컨테이너에게, 그다음 `dn-01-web`에게 물어봅니다. 번호는 실행할 때마다 다릅니다. 이 노트북을
# 검사할 때는 바로 앞 줄과 같은 네임스페이스는 `net:[SAME]`으로, 그 밖의 것은 `net:[NS]`로
# 나타납니다.

# %%
!docker exec dn-01-pod readlink /proc/self/ns/net
!docker exec dn-01-pod-nginx readlink /proc/self/ns/net
!docker exec dn-01-web readlink /proc/self/ns/net

# %% [markdown] en="b70e18e719"
# 같은 비교를 Python으로 합니다. 파드의 컨테이너들은 네임스페이스 하나(따라서 IP 주소 하나)를
# 공유하고, `dn-01-web`은 자기 네임스페이스를 따로 가집니다.

# %%
pod = client.containers.get("dn-01-pod")
{
    "pod and its nginx share a namespace": network_namespace(pod)
    == network_namespace(client.containers.get("dn-01-pod-nginx")),
    "dn-01-web has its own": network_namespace(client.containers.get("dn-01-web"))
    != network_namespace(pod),
}

# %% [markdown] en="4d61c8c7c5"
# ## 4. 쿠버네티스, CRI, dockershim
# 쿠버네티스는 **컨테이너 런타임 인터페이스**(Container Runtime Interface, CRI)를 통해 컨테이너
# 런타임과 대화합니다. containerd는 플러그인으로 CRI를 구현하므로, kubelet이 containerd를 직접
# 다룹니다. 쿠버네티스에는 한때 Docker용 내장 어댑터인 *dockershim*이 있었지만, v1.24에서
# 제거되었습니다. Docker로 빌드한 이미지는 여전히 그대로 실행됩니다. 그 이미지들은 OCI 이미지이고,
# containerd가 Docker에서 하듯이 그 이미지를 실행하기 때문입니다.
#
# ## 5. 직접 해 보기
# **연습 문제.** 파드에 `dn-01-pod-shell`이라는 컨테이너를 추가하세요. 이 컨테이너는
# `nginx:stable`로 `sleep infinity`를 실행하고, `dn-01-pod`의 네트워크 네임스페이스 안에 있어야
# 합니다. 빈 셀에 `!docker run` 줄을 써서 실행한 다음, 그 아래의 확인 셀을 실행하세요.

# %%

# %% [markdown] en="80bdaf022e"
# 풀이(solution)는 숨겨져 있습니다. 클릭하면 보입니다.

# %% tags=["solution"] jupyter={"source_hidden": true}
!docker run -d --name dn-01-pod-shell --network container:dn-01-pod nginx:stable sleep infinity

# %% [markdown] en="e00f42e49d"
# 확인:

# %%
print(check_joined_pod(client, "dn-01-pod-shell", "dn-01-pod", joined="dn-01-pod-nginx"))

# %% [markdown] en="d06480394d"
# ## 정리
# 이 노트북이 만든 컨테이너를 지웁니다. 모두 `tutorial.notebook=01`을 달고 있습니다. 이렇게 하면
# 다음 노트북도 엔진을 쓸 수 있습니다.

# %%
cleanup(notebook="01")["kind"].value_counts()

# %% [markdown] en="dcf2847a96"
# ## 요약
# - 클러스터는 컨트롤 플레인과 워커 노드로 이루어지고, 노드는 파드를 실행합니다. 파드는 IP 하나와,
#   선택에 따라 저장 공간을 공유하는 하나 이상의 컨테이너입니다.
# - Docker는 containerd를 통해 컨테이너를 실행합니다. `docker version`에 containerd가 나오고,
#   `ctr -n moby containers list`는 Docker의 컨테이너를 같은 ID로 나열합니다.
# - 네트워크 네임스페이스 하나에 합류한 컨테이너들(`--network container:<name>`)은 `localhost`로
#   서로에게 닿습니다. 그것이 파드입니다.
# - 쿠버네티스는 CRI를 통해 containerd와 대화합니다. dockershim은 v1.24부터 없습니다.
#
# ## 다음 단계
# [02 · 검색과 내려받기](02-search-and-pull.ipynb): 이미지를 찾아 그 레이어(layer)를 내려받습니다.
#
# ## 참고 자료
# - 쿠버네티스: [파드](https://kubernetes.io/docs/concepts/workloads/pods/)와 [클러스터 구성
#   요소](https://kubernetes.io/docs/concepts/overview/components/)
# - 쿠버네티스: [Dockershim 제거 FAQ](https://kubernetes.io/blog/2022/02/17/dockershim-faq/)
# - Docker: [`docker version`](https://docs.docker.com/reference/cli/docker/version/)
# - Docker: [컨테이너 네트워킹,
#   `--network container:`](https://docs.docker.com/engine/network/#container-networks)
# - containerd: [CNCF의 프로젝트 페이지](https://www.cncf.io/projects/containerd/)와 [`ctr`로
#   시작하기](https://github.com/containerd/containerd/blob/main/docs/getting-started.md)
