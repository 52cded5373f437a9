# %% [markdown] en="5d96de38ea"
# # 04 · 이미지 히스토리
#
# 이미지(image)에서 그 레시피를 다시 읽어 냅니다. 어떤 명령어(instruction)가 각 레이어(layer)를
# 만들었고, 그 레이어가 얼마나 큰지 봅니다.
#
# 용어가 낯설면 [용어집](../../docs/glossary.ko.md)을 보세요.
#
# ## 개요
# 1. `docker history`
# 2. 레이어와 메타데이터(metadata) 단계
# 3. 행에 `<missing>`이 나오는 이유
# 4. 두 태그(tag), 하나의 베이스(base): `docker history nginx:latest`
# 5. 이 실습 환경(lab)의 이미지에만 해당하는 것
# 6. 직접 해 보기
#
# ## 사전 지식
# | 개념 | 중요도 | 비고 |
# | --- | --- | --- |
# | [03 · 이미지와 공유 레이어](03-images-and-shared-layers.ipynb) | 필수 | 레이어, `RootFS.Layers` |
# | Dockerfile의 명령어 | 도움 됨 | `FROM`, `RUN`, `ADD`, `CMD` |
#
# **학습 시간:** 15분
#
# ## 준비
# 엔진(engine)을 확인하고, 두 nginx 태그가 있는지 확인해 없으면 조용히 내려받습니다(pull).

# %%
from helpers.cleanup import cleanup
from helpers.history import check_own_build, history_frame
from helpers.notebook import setup_notebook
from helpers.plots import layer_size_chart
from helpers.registry import ensure_image

lab = setup_notebook("04", language="ko")
client = lab.client
TAGS = ["nginx:stable", "nginx:latest"]
for tag in TAGS:
    ensure_image(tag, client=client)

# %% [markdown] en="a7063b8929"
# ## 1. `docker history`
# `docker history`는 이미지를 만든 단계를 최신 것부터 나열합니다. 이미지를 빌드한 Dockerfile들의
# 명령어마다 한 행씩(베이스 이미지의 명령어도 포함하고, `FROM` 줄은 빼고), 그 단계가 더한 바이트
# 수와 함께 보여 줍니다.

# %%
!docker history nginx:stable

# %% [markdown] en="7c0d9726e7"
# 각 열의 뜻은 이렇습니다. IMAGE는 그 단계가 만든 이미지로, 이 엔진에 그 이미지가 있을 때
# 나옵니다(3절). CREATED BY는 명령어이며, 45자에서 잘립니다. SIZE는 그 단계가 더한 크기입니다.
# COMMENT의 `buildkit.dockerfile.v0`은 BuildKit이 Dockerfile로 이 이미지를 빌드했다는 뜻입니다.
#
# 아래에서 위로 읽습니다. `ADD rootfs.tar /`와 `CMD ["bash"]`는 베이스 이미지인
# `debian:trixie-slim`의 단계로, Debian 루트 파일 시스템과 기본 명령입니다. 나머지는 nginx:stable
# 자체의 Dockerfile입니다. `ARG`와 `ENV NGINX_VERSION`이 nginx 버전을 고정하고, `RUN` 하나가
# nginx를 설치한 다음, `EXPOSE`, `STOPSIGNAL`, `CMD`가 이 이미지로 만든 컨테이너(container)가
# 어떻게 실행될지 정합니다.
#
# `--no-trunc`는 명령어를 자르지 않고 전부 출력합니다. BuildKit은 `RUN` 단계를
# `RUN |N NAME=value ... /bin/sh -c <command>` 형태로 적습니다. 명령이 받은 빌드 인수(build
# argument) N개, 그다음에 명령 자체입니다.

# %%
!docker history --no-trunc --format '{{.CreatedBy}}' nginx:stable | grep '^RUN'

# %% [markdown] en="08fd55a0a2"
# ## 2. 레이어와 메타데이터 단계
# `history_frame` 헬퍼(helper)는 같은 히스토리(history)를 Docker SDK로 단계마다 한 행씩 읽고, 각
# 단계를 `layer`(바이트를 더함) 또는 `metadata`(0바이트)로 표시합니다.

# %%
stable = history_frame(client, "nginx:stable")
stable[["image", "instruction", "size_mb", "kind"]]

# %% [markdown] en="38d670c2ca"
# `ARG`, `ENV`, `EXPOSE`, `STOPSIGNAL`, `CMD`는 이미지의 설정만 바꾸고 0바이트를 더합니다. 파일을
# 바꾸는 단계(`ADD`, `COPY`, `RUN`)가 레이어를 만들며, 이 이미지에서는 `ADD`와 `RUN`이 그렇습니다.

# %%
stable["kind"].value_counts()

# %% [markdown] en="59143b1ed2"
# 레이어를 만든 단계를 맨 아래부터 보면 `RootFS.Layers`와 하나씩 대응합니다(`layer`는 03에서 본
# 짧은 diff ID입니다).

# %%
stable[stable["kind"] == "layer"].iloc[::-1][["instruction", "size_mb", "layer"]]

# %% [markdown] en="e85cfb89dc"
# ## 3. 행에 `<missing>`이 나오는 이유
# 이미지 ID가 있는 것은 맨 위 행뿐입니다. IMAGE는 그 단계가 만든 이미지가 이 엔진의 이미지
# 스토어(image store)에 있으면 그 이미지를 가리키고, `<missing>`은 없다는 뜻입니다. 내려받기는
# 이미지의 레이어와 히스토리를 가져오지만 단계마다의 이미지는 가져오지 않으므로, 내려받은 이미지는
# 맨 위 행을 뺀 모든 행에 `<missing>`이 나옵니다.
#
# 내려받기만의 문제가 아닙니다. 이 이미지들을 만든 빌더이자 `docker build`의 기본 빌더인
# BuildKit은 단계마다 이미지를 남기는 일이 없고, 빌드를 실행한 머신에서도 마찬가지입니다. 여기서
# `nginx:stable` 위에 작은 이미지를 빌드해 확인해 봅니다. `LABEL` 줄이 이 이미지에
# 시리즈(series)의 라벨(label)을 붙이므로, 마지막의 정리(cleanup)가 이 이미지를 찾습니다. (준비
# 셀은 이 노트북(notebook)이 빌드한 것을 지웁니다. 준비 셀을 다시 실행했다면, 아래 셀들보다 먼저
# 이 셀을 다시 실행하세요.)

# %% language="bash"
# docker build -q -t dn-04-hello - <<'EOF'
# FROM nginx:stable
# LABEL tutorial=docker-notebooks tutorial.notebook=04
# RUN echo 'hello from 04' > /var/www/html/hello.txt
# EOF

# %% [markdown] en="3090a72a84"
# (`-q`는 새 이미지의 ID만 출력하고, Dockerfile은 표준 입력 `-`에서 옵니다.) 이 이미지의
# 히스토리를 보면, 방금 바로 이 엔진에서 빌드한 두 단계도 `<missing>`이고, `nginx:stable`이 바로
# 여기 있는데도 `nginx:stable`의 마지막 단계 행 역시 `<missing>`입니다.

# %%
!docker history dn-04-hello

# %% [markdown] en="5bc0672ac6"
# `docker history`는 각 이미지의 *부모*(parent)를 따라가며 단계의 이미지를 찾는데, BuildKit이 만든
# 이미지에는 부모가 기록되어 있지 않습니다.

# %%
!docker image inspect --format 'parent={{.Parent}}' dn-04-hello

# %% [markdown] en="922a1d8ef3"
# 태그 없는 단계별 이미지도 없습니다. `docker images --all`은 중간 이미지(intermediate image)까지
# 나열하는데, 시리즈의 라벨로 찾으면 위에서 빌드한 이미지 하나만 나옵니다.

# %%
!docker images --all --filter label=tutorial.notebook=04 --format 'table {{.Repository}}\t{{.Tag}}'

# %% [markdown] en="f18c44aa56"
# 레거시 빌더(legacy builder, `DOCKER_BUILDKIT=0`, Docker 23.0부터 사용 중단 예정(deprecated))는
# 빌드한 머신에서만 단계마다 이미지를 남겼습니다. 그래서 그 머신에서는 자기 행에 ID가 있었고, 다른
# 모든 곳에서는 `<missing>`이었습니다. "`<missing>` 행은 빌드 머신에 있는 중간 이미지"라는 예전
# 설명은 여기서 나왔으며, BuildKit이 빌드한 이미지에는 더 이상 맞지 않습니다.
#
# ## 4. 두 태그, 하나의 베이스
# `nginx:latest`의 히스토리입니다.

# %%
!docker history nginx:latest

# %% [markdown] en="ac5d8bdd7e"
# 맨 아래 두 행은 `nginx:stable`과 같은 `ADD`와 `CMD`입니다. 두 태그는 같은 베이스 위에
# 빌드되었습니다. `ADD`는 두 이미지에서 같은 레이어를 만들었고, 그것이 03에서 두 태그가 공유한다고
# 확인한 레이어입니다.

# %%
latest = history_frame(client, "nginx:latest")
base = {name: frame[frame["kind"] == "layer"].iloc[-1]["layer"]
        for name, frame in {"nginx:stable": stable, "nginx:latest": latest}.items()}  # fmt: skip
base["nginx:stable"] == base["nginx:latest"]

# %% [markdown] en="ca0f524a98"
# 레이어 크기를 나란히 놓고 봅니다.

# %%
layer_size_chart({"nginx:stable": stable, "nginx:latest": latest})

# %% [markdown] en="85739664b0"
# ## 5. 이 실습 환경의 이미지에만 해당하는 것
# 두 태그는 단계가 같습니다. 다른 점은 nginx 버전, 그 nginx를 설치하는 `RUN`, 그리고 그 레이어의
# 크기이며, 두 태그 모두 가장 큰 레이어는 Debian 베이스의 `ADD`입니다. 이것은 nginx 일반에 대한
# 사실이 아니라, 라벨에 적혀 있듯이 이 시리즈를 위해 빌드한 **이 실습 환경의 이미지**에 대한
# 사실입니다.

# %%
!docker image inspect --format '{{index .Config.Labels "org.opencontainers.image.description"}}' nginx:stable nginx:latest

# %% [markdown] en="621a8b2dc8"
# 이 실습 환경에서 `stable`은 Debian 13("trixie")의 nginx, 버전 1.26이고, `latest`는 Debian이
# 패키징한 가장 새로운 nginx, 버전 1.30으로, Debian의 다음 릴리스("forky")에서 가져온 것입니다.

# %%
versions = {tag: client.images.get(tag).labels["org.opencontainers.image.version"] for tag in TAGS}
versions["nginx:stable"].startswith("1.26."), versions["nginx:latest"].startswith("1.30.")

# %% [markdown] en="c58d031104"
# 그리고 각 태그에서 가장 큰 레이어를 만든 단계입니다.

# %%
{name: frame.loc[frame["size_mb"].idxmax(), "instruction"].split()[0]
 for name, frame in {"nginx:stable": stable, "nginx:latest": latest}.items()}  # fmt: skip

# %% [markdown] en="360aa98f0c"
# Docker Hub의 공식 `nginx` 이미지는 nginx의 두 릴리스 브랜치를 따릅니다. **mainline**은 새 기능과
# 수정을 먼저 받고, **stable**은 중요한 수정만 받습니다. `mainline` 태그는 가장 새로운 mainline
# 릴리스이고 `latest`는 같은 이미지를 가리키며, `stable` 태그는 가장 새로운 stable
# 릴리스입니다(이미지의 Docker Hub 페이지에 있는 태그 목록을 보세요). 공식 이미지는 [nginx 자체의
# Dockerfile](https://github.com/nginx/docker-nginx)로 빌드됩니다. 그 히스토리는 우리 이미지보다
# 단계가 많고(원본 노트(source notes)의 출력에는 엔트리포인트 스크립트를 넣는 `COPY` 행이 네 개
# 있습니다) 크기도 다릅니다.
#
# ## 6. 직접 해 보기
# **연습 문제.** `nginx:latest`에서 시작해, 파일 하나를 추가하는 단계를 직접 하나 넣어
# `dn-04-mine`이라는 이미지를 빌드하세요. 정리가 이 이미지를 지우도록
# `LABEL tutorial=docker-notebooks tutorial.notebook=04` 줄은 그대로 두세요. 그런 다음 이미지의
# 히스토리를 읽어 보세요. 어느 행에 이미지 ID가 있고, 어느 단계가 새 레이어를 만들었나요?

# %%

# %% tags=["solution"] jupyter={"source_hidden": true} language="bash"
# docker build -q -t dn-04-mine - <<'EOF'
# FROM nginx:latest
# LABEL tutorial=docker-notebooks tutorial.notebook=04
# RUN echo 'my own page' > /var/www/html/mine.html
# EOF
# docker history dn-04-mine

# %% [markdown] en="72ba08496d"
# 여러분의 이미지를 확인합니다:

# %%
print(check_own_build(client, "dn-04-mine", base="nginx:latest"))

# %% [markdown] en="f3bf56ca51"
# ## 정리
# 정리는 이 노트북이 빌드한 이미지(`dn-04-hello`, `dn-04-mine`)를 지우고, 다음 노트북이 엔진을 쓸
# 수 있게 합니다.

# %%
sorted(cleanup(notebook="04")["name"])

# %% [markdown] en="9d393e54cc"
# ## 요약
# - `docker history`는 이미지를 빌드한 단계를 최신 것부터, 각 단계가 더한 바이트 수와 함께 보여
#   줍니다. `--no-trunc`는 각 명령어를 전부 출력합니다.
# - 파일을 바꾸는 단계(`ADD`, `COPY`, `RUN`)가 레이어를 만들고, `ARG`, `ENV`, `EXPOSE`,
#   `STOPSIGNAL`, `CMD`는 0바이트짜리 설정 단계입니다.
# - `<missing>`은 그 단계의 이미지가 이 엔진의 스토어에 없다는 뜻입니다. 내려받기는 그런 이미지를
#   가져오지 않고, BuildKit은 빌드하는 머신에서도 그런 이미지를 만들지 않습니다. (레거시 빌더는
#   빌드 머신에 그 이미지들을 남겼습니다.)
# - 두 nginx 태그의 맨 아래 단계들은 같은 베이스이며, 같은 레이어를 만들었습니다.
# - 어느 태그에 어떤 nginx가 있는지, 어느 레이어가 가장 큰지는 실습 환경 이미지에 대한 사실입니다.
#   Docker Hub에서 `latest`는 가장 새로운 mainline nginx이고, `stable`은 가장 새로운 stable
#   nginx입니다.
#
# ## 다음 단계
# [05 · 컨테이너 실행과 재시작 정책](05-running-containers-and-restart-policies.ipynb)
#
# ## 참고 자료
# - Docker: [`docker history`](https://docs.docker.com/reference/cli/docker/image/history/)
# - Docker: [Dockerfile 레퍼런스](https://docs.docker.com/reference/dockerfile/)
# - Docker: [이미지 레이어
#   이해하기](https://docs.docker.com/get-started/docker-concepts/building-images/understanding-image-layers/)
# - Docker: [BuildKit](https://docs.docker.com/build/buildkit/)과 [레거시 빌더의 사용
#   중단](https://docs.docker.com/engine/deprecated/#legacy-builder-for-linux-images)
# - Docker Hub: [공식 `nginx` 이미지와 그 태그](https://hub.docker.com/_/nginx)
# - nginx: [mainline과 stable 버전](https://nginx.org/en/download.html)
