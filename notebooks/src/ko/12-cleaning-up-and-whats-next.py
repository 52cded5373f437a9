# %% [markdown] en="fc59731001"
# # 12 · 정리와 다음 단계
#
# 시리즈(series)가 이 엔진(engine)에 남긴 모든 것을 라벨(label)로 찾아 정확히 그것만 제거하고,
# 여러분이 직접 만든 컨테이너(container)가 그대로 있는지 확인한 다음, 이제 어디로 나아갈지 살펴봅니다.
#
# 용어가 낯설면 [용어집](../../docs/glossary.ko.md)을 보세요.
#
# ## 개요
# 1. 시리즈가 만든 것을 표시하는 라벨
# 2. 직접 만든 컨테이너
# 3. 라벨로 정리(cleanup)하기: 명령, 그다음 헬퍼(helper)
# 4. 직접 해 보기
# 5. 다음 단계
#
# ## 사전 지식
# | 개념 | 중요도 | 비고 |
# | --- | --- | --- |
# | [05 · 컨테이너 실행](05-running-containers-and-restart-policies.ipynb) | 필수 | `docker run -d`, `docker ps -f` |
# | [06 · 포트 게시](06-publishing-ports.ipynb) | 도움 됨 | `-p 127.0.0.1:8080:80` |
#
# **학습 시간:** 10분
#
# ## 준비
# 이 레슨(lesson)은 `nginx:stable`을 실행합니다. 없으면 준비 단계에서 내려받습니다.

# %%
from helpers.cleanup import check_stopped_ids, cleanup
from helpers.notebook import setup_notebook
from helpers.registry import ensure_image

lab = setup_notebook("12", language="ko")
client = lab.client
_ = ensure_image("nginx:stable", client=client)

# %% [markdown] en="14f38fd3d0"
# ## 1. 시리즈가 만든 것을 표시하는 라벨
# 라벨은 컨테이너, 이미지(image), 네트워크, 볼륨(volume)에 저장되는 `key=value` 쌍입니다.
# `setup_notebook("12", language="ko")` 뒤로는 레슨의 `docker run` 줄마다 라벨 두 개가 붙습니다.
# 시리즈 전체를 가리키는 `tutorial=docker-notebooks`와 이 레슨을 가리키는 `tutorial.notebook=12`입니다.
# nginx 하나를 백그라운드에서 실행하고, 단어 하나를 출력하고 멈추는 컨테이너도 하나 실행합니다:

# %%
!docker run -d --name web-12 nginx:stable

# %%
!docker run --name once-12 nginx:stable echo done

# %% [markdown] en="75e212e520"
# `docker inspect`는 컨테이너에 붙은 라벨을 보여 줍니다. 이 Go 템플릿은 그중 `tutorial` 라벨 두 개를
# 골라냅니다:

# %%
!docker inspect --format '{{index .Config.Labels "tutorial"}} {{index .Config.Labels "tutorial.notebook"}}' web-12

# %% [markdown] en="8b28bfeea7"
# ## 2. 직접 만든 컨테이너
# `%%bash` 셀(cell)은 터미널처럼 명령을 입력한 그대로, 시리즈의 라벨 없이 실행합니다. 여기서는 이
# 셀이 여러분이 직접 시작한 컨테이너를 대신합니다. (이 셀을 앞서 실행해서 컨테이너가 이미 있으면,
# 대신 `docker start`가 그 컨테이너를 다시 시작합니다.)

# %% language="bash"
# docker start my-own-nginx-12 2>/dev/null || docker run -d --name my-own-nginx-12 nginx:stable

# %% [markdown] en="13470b032c"
# 이제 시리즈의 라벨이 붙은 것을 나열합니다. `-a`를 주면 `once-12`처럼 멈춘 컨테이너도 나오는데,
# 이런 컨테이너는 그냥 `docker ps`로는 빠집니다:

# %%
!docker ps -a --filter label=tutorial=docker-notebooks

# %% [markdown] en="682556a119"
# `web-12`와 `once-12`는 나오고, `my-own-nginx-12`는 `tutorial` 라벨이 없으므로 나오지 않습니다.
# (`--filter`와 레슨 05의 `-f`는 같은 옵션입니다.)
#
# ## 3. 라벨로 정리하기: 명령, 그다음 헬퍼
# `docker ps -aq`는 필터가 고른 것의 ID만 출력하고, `docker rm -f`는 그 컨테이너들을 실행 중이든
# 멈췄든 제거합니다. 필터가 시리즈의 라벨로 고르므로, 이 명령은 그 라벨이 붙은 컨테이너만 제거할 수
# 있고 여러분의 컨테이너는 절대 제거하지 않습니다:

# %%
!docker rm -f $(docker ps -aq --filter label=tutorial=docker-notebooks)

# %% [markdown] en="36ae255c9f"
# 이 셀을 한 번 더 실행하면 고를 것이 남아 있지 않습니다. 그러면 `docker rm`은 인자를 하나도 받지 못해
# "requires at least 1 argument"라고 말하고, 아무것도 제거하지 않습니다.
#
# 시리즈의 라벨이 붙은 것은 하나도 남지 않았습니다(`wc -l`이 ID 개수를 셉니다):

# %%
!docker ps -aq --filter label=tutorial=docker-notebooks | wc -l

# %% [markdown] en="bd8c95f1bc"
# 그리고 여러분의 컨테이너는 여전히 실행 중입니다(레슨 05에서처럼 `^...$`는 이름 필터가 정확히
# 일치하는 것만 고르게 합니다):

# %%
!docker ps --filter 'name=^my-own-nginx-12$' --format '{{.Names}}: {{.Status}}'

# %% [markdown] en="f0b51af6a7"
# `docker rm`은 컨테이너만 제거합니다. 시리즈는 그 밖에도 다음을 남겼을 수 있습니다. 라벨이 붙은
# 스웜(Swarm) 서비스(service), 네트워크, 볼륨과 시리즈가 빌드한 이미지, 역시 라벨이 붙은 레슨 11의
# Podman 파드(Pod), 레슨들이 파일을 써 넣은 작업 폴더 `work-NN`, 레슨 07이 실습 환경(lab)
# 레지스트리(registry)에 푸시(push)한 것, 그리고 시리즈가 내려받은 이미지입니다. 내려받은 이미지는 그
# 이미지를 만든 사람들이 붙인 라벨을 그대로 지닙니다(라벨은 오브젝트(object)가 존재하는 동안 바뀌지
# 않습니다). 그래서 시리즈는 폴더와 푸시를 기록하듯이, 전에는 없다가 자신이 내려받은 태그(tag)를 따로
# 기록합니다. `cleanup()`은 이 모두를 같은 방식으로, 즉 라벨로 또는 그 기록으로 골라 제거합니다.
# 컨테이너(여러분의 것 포함)가 아직 쓰는 이미지는 그 컨테이너가 없어질 때까지 남고, 기록에도
# 남습니다. 무엇을 제거할지는 앞선 레슨들이 무엇을 남겼는지에 달려 있으므로, 그 표는 실행할 때마다
# 다릅니다:

# %%
# NBVAL_IGNORE_OUTPUT
cleanup(client=client)

# %% [markdown] en="ee3bc74a4b"
# 여러분이 만든 컨테이너는 여러분의 것으로 남습니다. 제거할지는 여러분이 정합니다. 이 컨테이너는 이
# 레슨이 만들었으므로, 레슨이 이름으로 지정해 제거합니다:

# %%
!docker rm -f my-own-nginx-12

# %% [markdown] en="4a768600ad"
# ## 4. 직접 해 보기
# **연습 문제.** 다음 셀은 시리즈의 컨테이너 두 개를 다시 남깁니다. 실행 중인 `web-12`와 멈춘
# `once-12`입니다. `docker ps` 명령 하나와 필터로, 시리즈의 *멈춘* 컨테이너의 ID를
# `stopped`라는 Python 리스트에 담으세요. 다른 ID는 담지 않아야 합니다.
# `stopped = !docker ps ...` 꼴로 쓰면 명령의 출력 줄들이 Python 리스트에 담깁니다.

# %%
!docker run -d --name web-12 nginx:stable
!docker run --name once-12 nginx:stable echo done

# %%

# %% tags=["solution"] jupyter={"source_hidden": true}
stopped = !docker ps -q --filter label=tutorial=docker-notebooks --filter status=exited

# %% [markdown] en="e00f42e49d"
# 확인:

# %%
print(check_stopped_ids(client, globals().get("stopped")))

# %% [markdown] en="9263b0966a"
# ## 정리
# 이 노트북(notebook)이 만든 것(라벨로 골라냅니다)을 제거하고, 다음 노트북이 엔진을 쓸 수 있게
# 합니다:

# %%
cleanup(notebook="12")["kind"].value_counts()

# %% [markdown] en="32e6d2f4df"
# ## 요약
# - 만드는 것에는 라벨을 붙이고, 지우기 전에 먼저 살펴보세요. `docker ps -a --filter label=KEY=VALUE`는
#   그 라벨이 고르는 것을 멈춘 컨테이너까지 포함해 정확히 나열합니다.
# - `docker rm -f $(docker ps -aq --filter label=...)`는 정확히 그 컨테이너들을 제거합니다. 라벨이 없는
#   컨테이너는 절대 골라지지 않습니다.
# - 시리즈의 `cleanup()`은 시리즈의 스웜 서비스, 네트워크, 볼륨, 빌드한 이미지, 파드, 작업 폴더와
#   푸시한 것, 그리고 내려받은 태그도 제거하며, 어떤 컨테이너든 이미지를 쓰는 동안에는 그 이미지를
#   남겨 둡니다.
# - 서로 다른 키(`label`, `status`)에 건 필터는 모두 일치해야 합니다.
#
# ## 다음 단계
# 여러분은 이미지를 빌드하고, 데이터를 보존하고, Compose 프로젝트와 스웜 서비스와 파드를 실행해
# 보았습니다. 여기서부터는:
# - **쿠버네티스**(Kubernetes)는 여러 머신으로 이루어진 클러스터(cluster)에서 파드를 실행합니다(레슨
#   01과 11). 레슨 11에서 `podman generate kube`가 쓴 YAML은 파드 매니페스트(manifest)이며,
#   `kubectl apply -f`로 클러스터에 건넵니다. 디플로이먼트(Deployment)는 정해 둔 수만큼 파드의 복사본을
#   실행해 두고 실패한 것을 교체합니다. 레슨 10의 스웜 서비스가 그랬던 것과 같습니다. 그리고
#   서비스(Service)는 그 파드들에 안정된 주소 하나를 줍니다. [kind](https://kind.sigs.k8s.io/)와
#   [minikube](https://minikube.sigs.k8s.io/)는 연습용으로 머신 한 대에서 작은 클러스터를 실행합니다.
# - **더 나은 이미지**: 멀티 스테이지 빌드(multi-stage build)는 빌드 도구를 배포하는 이미지 밖에 두고,
#   `USER` 명령어는 이미지를 root가 아닌 사용자로 실행합니다(Docker의
#   [빌드 모범 사례](https://docs.docker.com/build/building/best-practices/)).
# - **root 없이 쓰는 Docker**: [루트리스(rootless) 모드](https://docs.docker.com/engine/security/rootless/)는
#   엔진 전체를 일반 사용자로 실행합니다.
#
# ## 참고 자료
# - Docker: [오브젝트 라벨](https://docs.docker.com/engine/manage-resources/labels/)
# - Docker: [`docker ps`와 그 필터](https://docs.docker.com/reference/cli/docker/container/ls/)
# - Docker: [사용하지 않는 오브젝트 정리하기(`--filter label=` 포함)](https://docs.docker.com/engine/manage-resources/pruning/)
# - Docker: [빌드 모범 사례](https://docs.docker.com/build/building/best-practices/),
#   [루트리스 모드](https://docs.docker.com/engine/security/rootless/)
# - 쿠버네티스: [파드](https://kubernetes.io/docs/concepts/workloads/pods/),
#   [디플로이먼트](https://kubernetes.io/docs/concepts/workloads/controllers/deployment/),
#   [서비스](https://kubernetes.io/docs/concepts/services-networking/service/)
