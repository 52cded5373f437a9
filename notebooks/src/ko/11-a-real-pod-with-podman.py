# %% [markdown] en="d60b134198"
# # 11 · Podman으로 만드는 진짜 파드
#
# 레슨(lesson) 01의 파드(Pod)를 Podman으로 실제로 만들어 봅니다. 인프라 컨테이너(infra container)가
# 있는 파드, IP 주소 하나와 `localhost`를 함께 쓰는 컨테이너(container)들, 그 파드의
# 쿠버네티스(Kubernetes) YAML, 그리고 그 YAML로 되살린 같은 파드까지 다룹니다.
#
# 용어가 낯설면 [용어집](../../docs/glossary.ko.md)을 보세요.
#
# ## 개요
# 1. Podman: 클러스터(cluster) 없이 머신 한 대에서 만드는 파드
# 2. 파드와 그 인프라 컨테이너
# 3. 파드 안의 컨테이너: IP 주소 하나, `localhost` 하나
# 4. 쿠버네티스 YAML로 본 파드: `podman generate kube`
# 5. YAML에서 되살리기: `podman kube play`
# 6. kubelet이 같은 YAML로 하는 일
# 7. 직접 해 보기
#
# ## 사전 지식
# | 개념 | 중요도 | 비고 |
# | --- | --- | --- |
# | [01 · 컨테이너, 파드, containerd](01-containers-pods-and-containerd.ipynb) | 필수 | `--network container:`로 손으로 만든 파드; CRI |
# | [06 · 포트 게시](06-publishing-ports.ipynb) | 도움 됨 | `-p 127.0.0.1:8080:80` |
#
# **학습 시간:** 20분
#
# ## 준비
# Podman은 데몬(daemon) 없이 동작하며 파드를 직접 실행하는 컨테이너 엔진(engine)입니다.
# `make setup`은 Debian의 `podman`을 Docker Engine 옆에 설치합니다. 준비 셀(cell)은 Podman을 확인한
# 다음, 이 노트북(notebook)의 모든 `!podman` 줄이 물려받는 환경 변수 두 개로 Podman이 시리즈(series)
# 자체의 설정을 쓰게 하고(`/etc`에는 아무것도 쓰지 않습니다), 이 변수들이 무엇을 왜 바꾸는지
# 출력합니다. `docker run`에서처럼 `setup_notebook`은 `podman pod create`와 `podman run`에 시리즈의
# 라벨(label)을 붙입니다. Podman 4.3의 `podman kube play`는 `--label`을 받지 않으므로 거기서는 같은
# 쌍을 `--annotation`으로 붙이며, 정리(cleanup) 과정이 이 어노테이션(annotation)을 읽습니다. 파드는
# 호스트 포트 8095를 게시(publish)합니다(8095가 사용 중이면 그다음 빈 포트를 쓰고, 셀이 그렇다고
# 알립니다).

# %%
from helpers.cleanup import cleanup
from helpers.http import wait_http
from helpers.notebook import setup_notebook
from helpers.plots import cluster_diagram
from helpers.pods import check_own_pod, lesson_port, pod_table, setup_podman
from helpers.workdir import lesson_folder

lab = setup_notebook("11", language="ko")
podman = setup_podman("11")
PORT = lesson_port(8095, notebook="11")
folder = lesson_folder("11")
podman

# %% [markdown] en="7bdad8e527"
# ## 1. Podman: 클러스터 없이 머신 한 대에서 만드는 파드
# 레슨 01은 컨테이너가 놓이는 자리를 컨트롤 플레인(control plane) → 워커 노드(worker node) → 파드 →
# 컨테이너로 그려 보였고, `docker run --network container:`로 파드를 손으로 만들었습니다. Podman은
# 노드(node)가 하듯이 파드를 직접 만들며, 그 주변에 컨트롤 플레인은 없습니다:

# %%
cluster_diagram()

# %% [markdown] en="be165863a1"
# Podman의 명령은 Docker의 명령과 비슷하게 읽힙니다:

# %%
!podman --version

# %% [markdown] en="6134309ce8"
# Podman은 Docker Engine과 따로 자기 이미지(image)와 컨테이너를 둡니다. 그래서 Docker에 `nginx:stable`이
# 있어도 Podman은 이를 내려받습니다. Podman은 이미지 이름을 레지스트리(registry)부터 전부 적습니다.
# Docker가 `nginx:stable`이라고 부르는 것이 `docker.io/library/nginx:stable`이며, 아래 쿠버네티스
# YAML에 들어갈 이름도 이것입니다. 이 실습 환경(lab)에서는 `docker pull`과 마찬가지로 Docker Hub의
# 미러(mirror)인 실습 환경 레지스트리에서 내려받습니다:

# %%
!podman pull docker.io/library/nginx:stable

# %% [markdown] en="19cdb95acd"
# ## 2. 파드와 그 인프라 컨테이너
# `podman pod create`는 빈 파드를 만듭니다. 파드에는 네트워크 네임스페이스(namespace)가 하나뿐이므로,
# 포트는 컨테이너가 아니라 파드에 게시됩니다:

# %%
!podman pod create --name dn-11-pod -p 127.0.0.1:{PORT}:80

# %% [markdown] en="b66a9a8349"
# `podman pod ps`는 파드를 나열합니다. 새 파드는 `Created` 상태이고, 벌써 컨테이너가 하나 있으며,
# `INFRA ID`도 있습니다:

# %%
!podman pod ps --filter name=dn-11-pod

# %% [markdown] en="f34a6a4dcd"
# 이 컨테이너가 파드의 **인프라 컨테이너**로, 레슨 01에서 본 쿠버네티스의 "pause" 컨테이너입니다.
# Podman이 그 자리에서 빌드하는 pause 이미지(`localhost/podman-pause`)로 `catatonit`을 실행하는데,
# `catatonit`은 기다리는 일만 하는 아주 작은 init입니다. 인프라 컨테이너가 파드의 네임스페이스를 쥐고
# 있으므로, 다른 컨테이너가 무엇을 하든 네임스페이스는 파드가 있는 동안 유지됩니다.
# `podman ps --pod`는 이 컨테이너를 파드 이름과 함께 보여 줍니다:

# %%
!podman ps -a --pod --filter pod=dn-11-pod

# %% [markdown] en="846986bb6a"
# ## 3. 파드 안의 컨테이너: IP 주소 하나, `localhost` 하나
# `podman run --pod`는 nginx를 파드에 넣습니다. 첫 컨테이너를 시작하면 인프라 컨테이너도 함께
# 시작됩니다:

# %%
!podman run -d --pod dn-11-pod --name dn-11-web docker.io/library/nginx:stable

# %% [markdown] en="720de6ffbd"
# 이 셀은 nginx가 파드의 게시된 포트(published port)에서 응답할 때까지 (시간 제한을 두고) 기다립니다:

# %%
wait_http(f"http://127.0.0.1:{PORT}")

# %% [markdown] en="1a43cf2e0f"
# 두 컨테이너 모두 실행 중이고, `PORTS` 열에는 둘 다 파드의 포트가 나옵니다:

# %%
!podman ps --pod --filter pod=dn-11-pod

# %% [markdown] en="22823b8c83"
# nginx는 인프라 컨테이너의 네트워크 네임스페이스에서 실행됩니다. 네트워크 모드는 `container:` 뒤에
# 인프라 컨테이너의 ID가 붙은 값으로, 레슨 01에서 `--network container:dn-01-pod`로 손으로 한 일과
# 똑같습니다:

# %%
!podman inspect dn-11-web --format '{{.HostConfig.NetworkMode}}'

# %% [markdown] en="e8b2ae95fb"
# 그래서 파드의 컨테이너들은 IP 주소가 하나입니다(이 노트북을 검사할 때는 주소를 가리며, 아래 확인
# 셀이 주소들을 비교합니다):

# %%
table = pod_table("dn-11-pod")
table

# %%
{"one IP address for the Pod": table["IP"].nunique() == 1}

# %% [markdown] en="2b9414533c"
# 두 번째 컨테이너가 요청 하나를 보내려고 파드에 들어옵니다. 레슨 01의 컨테이너처럼 bash의
# `/dev/tcp`로(이미지에 `curl`이 없습니다) 자기 자신의 `localhost`인 `127.0.0.1:80`에 HTTP로 요청하고,
# nginx가 응답합니다:

# %%
!podman run --rm --pod dn-11-pod docker.io/library/nginx:stable bash -c 'exec 3<>/dev/tcp/127.0.0.1/80; printf "GET / HTTP/1.0\r\n\r\n" >&3; grep -o "<title>.*</title>" <&3'

# %% [markdown] en="d7d265ae07"
# ## 4. 쿠버네티스 YAML로 본 파드: `podman generate kube`
# `podman generate kube`는 실행 중인 파드의 쿠버네티스 매니페스트(manifest)를 씁니다. 같은 파드를
# 실행하도록 클러스터에 건넬 YAML입니다. 레슨 폴더 `work-11`에 저장합니다:

# %%
!podman generate kube dn-11-pod > work-11/dn-11-pod.yaml

# %% [markdown] en="ab57ea0e17"
# Podman은 인프라 컨테이너의 ID를 담은 어노테이션을 63자로 잘랐다고 경고합니다(경고에는
# "Kubernetes only allows 63 characters"라고 나옵니다). 파일 내용은 다음과 같습니다:

# %%
!cat work-11/dn-11-pod.yaml

# %% [markdown] en="000f20a35a"
# 위에서 아래로 읽어 봅니다. `kind: Pod`와 그 `metadata.name`이 있고, `spec.containers`에는 인프라
# 컨테이너를 뺀 컨테이너마다 항목이 하나씩 있으며(인프라 컨테이너는 클러스터가 자기 것을 더합니다),
# 항목마다 `image`와, `hostIP`/`hostPort`로 적힌 게시된 포트가 있습니다. `dn-11-web`을 재시작
# 정책(restart policy) 없이 실행했으므로 `restartPolicy: Never`입니다. `annotations`는 각 컨테이너에
# 대해 Podman이 남긴 메모입니다(클러스터는 이를 그냥 데이터로 보관합니다). kubelet도 같은 파일을 읽을
# 것입니다.
#
# ## 5. YAML에서 되살리기: `podman kube play`
# 파드를 그 컨테이너들과 함께 제거합니다:

# %%
!podman pod rm -f dn-11-pod

# %% [markdown] en="98e3828b80"
# `podman pod exists`는 종료 코드로 답합니다. 1, 즉 그 이름의 파드는 남아 있지 않습니다:

# %%
!podman pod exists dn-11-pod; echo "exit code: $?"

# %% [markdown] en="1fd4bccb3b"
# `podman kube play`는 YAML로 파드를 만듭니다. 인프라 컨테이너를 먼저, 그다음 `spec.containers`의
# 컨테이너를 하나씩 만듭니다. 새 파드의 ID와 그 컨테이너들의 ID를 출력합니다. `kube play`는 파드를
# 자기 전용 네트워크에 두는데, 이 네트워크에는 DNS 서버 `aardvark-dns`가 있습니다. 이 머신처럼
# syslog가 없는 머신에서 이 서버가 시작되면 먼저 `failed to connect to syslog`라고 출력하는데, 해가
# 없는 메시지입니다.

# %%
!podman kube play work-11/dn-11-pod.yaml

# %% [markdown] en="078f3ca117"
# 파드가 YAML에 적힌 이름으로, 새 인프라 컨테이너와 함께 돌아왔습니다. `kube play`는 나머지
# 컨테이너에 각각 *파드*-*컨테이너* 꼴의 이름을 붙입니다:

# %%
!podman ps --pod --format '{{.Names}}' --filter pod=dn-11-pod

# %% [markdown] en="e9bc10f047"
# nginx를 (시간 제한을 두고) 기다린 다음, 레슨 06에서처럼 127.0.0.1에서 파드의 게시된 포트에
# 요청합니다:

# %%
wait_http(f"http://127.0.0.1:{PORT}")

# %%
!curl -s 127.0.0.1:{PORT} | grep Welcome

# %% [markdown] en="74040ac445"
# 파드가 자신의 쿠버네티스 YAML로부터 되살아나 "Welcome to nginx!"로 응답합니다.
#
# ## 6. kubelet이 같은 YAML로 하는 일
# 클러스터의 컨트롤 플레인을 통해 이 매니페스트를 받으면, 선택된 노드의 kubelet은 `podman kube play`가
# 방금 한 일을 레슨 01의 CRI를 통해 합니다(containerd라면 containerd의 CRI 플러그인으로).
# `RunPodSandbox`가 파드의 샌드박스(sandbox)를 만드는데, 이는 네트워크 네임스페이스와 파드의 IP 주소를
# 쥔 pause 컨테이너입니다(Podman의 인프라 컨테이너에 해당합니다). 그다음 `spec.containers`의 항목마다
# `PullImage`, 그 샌드박스 안에서 `CreateContainer`, 그리고 `StartContainer`를 실행합니다. 이미지는
# 같은 OCI 이미지입니다. `docker.io/library/nginx:stable`은 Docker, Podman, containerd에서 똑같이
# 실행됩니다. 다른 것은 그 주변입니다. 클러스터는 노드를 고르고, `restartPolicy`에 따라 컨테이너를
# 재시작하며, 보통 `hostPort`보다는 서비스(Service)를 통해 파드에 닿습니다.
#
# ## 7. 직접 해 보기
# **연습 문제.** `dn-11-exercise`라는 이름으로 나만의 파드를 만드세요. 컨테이너 포트 80을 127.0.0.1에,
# 레슨이 쓰는 포트(`{PORT}`)가 아닌 호스트 포트로 게시하고, 그 안에서 `nginx:stable`을 실행한 다음,
# 그 파드의 쿠버네티스 YAML을 `work-11/dn-11-exercise.yaml`로 저장하세요. 그리고 아래 확인 셀을
# 실행하세요.

# %%

# %% tags=["solution"] jupyter={"source_hidden": true}
EXERCISE_PORT = lesson_port(8096 if PORT != 8096 else 8097, notebook="11")
!podman pod create --name dn-11-exercise -p 127.0.0.1:{EXERCISE_PORT}:80
!podman run -d --pod dn-11-exercise --name dn-11-exercise-web docker.io/library/nginx:stable
_ = wait_http(f"http://127.0.0.1:{EXERCISE_PORT}")
!podman generate kube dn-11-exercise > work-11/dn-11-exercise.yaml

# %% [markdown] en="e00f42e49d"
# 확인:

# %%
print(check_own_pod("dn-11-exercise", lesson_port=PORT, saved=folder / "dn-11-exercise.yaml"))

# %% [markdown] en="b7f29dbab4"
# ## 정리
# 이 노트북이 만든 것(라벨이나 어노테이션으로 골라낸 파드와 그 컨테이너들, 그리고 `work-11`)을
# 제거하고, 다음 노트북이 엔진을 쓸 수 있게 합니다. nginx 이미지는 Podman의 스토어(store)에
# 남습니다. 레슨 01의 nginx 이미지가 Docker의 스토어에 남는 것과 같습니다:

# %%
cleanup(notebook="11")["kind"].value_counts().sort_index()

# %% [markdown] en="fc8c169e17"
# ## 요약
# - Podman은 머신 한 대에서 파드를 만듭니다: `podman pod create`, 그다음 `podman run --pod`. Docker와
#   따로 자기 이미지와 컨테이너를 두며, 이미지 이름을 전부 적습니다(`docker.io/library/nginx:stable`).
# - 파드마다 네임스페이스를 쥔 인프라 컨테이너(쿠버네티스의 pause 컨테이너)가 있습니다. 다른
#   컨테이너들은 그 네트워크 네임스페이스에 들어가므로(`container:<infra ID>`), IP 주소 하나를 함께
#   쓰고 `localhost`로 서로에게 닿습니다. 포트는 파드에 게시됩니다.
# - `podman generate kube`는 실행 중인 파드의 쿠버네티스 YAML을 쓰고, `podman kube play`는 그 YAML로
#   파드를 다시 만듭니다.
# - kubelet은 같은 일을 CRI를 통해 합니다. 파드를 위한 샌드박스를 만들고, 그다음 그 안에 컨테이너를
#   하나씩 만듭니다.
#
# ## 다음 단계
# [12 · 정리와 다음 단계](12-cleaning-up-and-whats-next.ipynb): 시리즈가 만든 모든 것을 라벨로 찾아
# 제거합니다.
#
# ## 참고 자료
# - Podman: [`podman pod create`](https://docs.podman.io/en/v4.3/markdown/podman-pod-create.1.html),
#   [`podman generate kube`](https://docs.podman.io/en/v4.3/markdown/podman-generate-kube.1.html),
#   [`podman kube play`](https://docs.podman.io/en/v4.3/markdown/podman-kube-play.1.html)
# - Podman: [containers.conf](https://github.com/containers/common/blob/main/docs/containers.conf.5.md),
#   [registries.conf](https://github.com/containers/image/blob/main/docs/containers-registries.conf.5.md)
# - 쿠버네티스: [파드](https://kubernetes.io/docs/concepts/workloads/pods/),
#   [컨테이너 런타임 인터페이스(Container Runtime Interface)](https://kubernetes.io/docs/concepts/architecture/cri/)
# - 쿠버네티스: CRI의 [RunPodSandbox, CreateContainer, StartContainer](https://github.com/kubernetes/cri-api/blob/master/pkg/apis/runtime/v1/api.proto)
