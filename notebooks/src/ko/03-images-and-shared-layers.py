# %% [markdown] en="c56bd398a8"
# # 03 · 이미지와 공유 레이어
#
# 로컬 이미지(image)를 나열하고, 이미지를 레이어(layer)로 열어 본 다음, 레이어를 공유하는
# 이미지들이 실제로 디스크를 얼마나 쓰는지 계산합니다.
#
# 용어가 낯설면 [용어집](../../docs/glossary.ko.md)을 보세요.
#
# ## 개요
# 1. `docker images`: 이 엔진(engine)이 가진 것
# 2. 이미지는 레이어를 쌓은 것: `RootFS.Layers`
# 3. 디스크 사용량 대 크기의 합
# 4. 엔진 자체의 집계: `docker system df -v`
# 5. 직접 해 보기
#
# ## 사전 지식
# | 개념 | 중요도 | 비고 |
# | --- | --- | --- |
# | [02 · 검색과 내려받기](02-search-and-pull.ipynb) | 필수 | 레이어와 "Already exists" |
#
# **학습 시간:** 15분
#
# ## 준비
# 엔진을 확인하고, 두 nginx 태그(tag)가 있는지 확인해 없으면 조용히 내려받습니다(pull).
# `claim_pulls`는 이 노트북(notebook)이 마지막에 `debian:trixie-slim`을 지워도 된다고 기록해
# 두는데, 그 이미지가 아직 엔진에 없을 때만 그렇습니다. 여러분이 직접 내려받은 이미지는 절대
# 지우지 않습니다.

# %%
from helpers.cleanup import claim_pulls, cleanup
from helpers.layers import (
    MB,
    check_disk_used,
    disk_usage,
    engine_shares,
    layer_sizes,
    layer_table,
    layer_users,
)
from helpers.notebook import setup_notebook
from helpers.plots import shared_bytes_chart
from helpers.registry import ensure_image

lab = setup_notebook("03", language="ko")
client = lab.client
TAGS = ["nginx:stable", "nginx:latest"]
THREE = [*TAGS, "debian:trixie-slim"]
for tag in TAGS:
    ensure_image(tag, client=client)
_ = claim_pulls(["debian:trixie-slim"], notebook="03", client=client)

# %% [markdown] en="c43b5403f4"
# ## 1. `docker images`
# `docker images nginx`는 `nginx` 저장소(repository)의 로컬 이미지를 태그마다 한 행씩 나열합니다.
# 어떤 열을 출력하는지는 CLI 버전에 따라 다릅니다. `--format`으로 출력할 열을 지정하므로, 버전과
# 상관없이 표에는 이 네 열이 나옵니다.

# %%
!docker images nginx --format 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}'

# %% [markdown] en="6ff0dd3cb1"
# 태그 두 개, 이미지 ID 두 개, 크기 두 개입니다. 크기를 더하면 두 이미지가 디스크에서 그 합만큼
# 차지하는 것처럼 보입니다. 실제로는 그보다 적게 차지합니다. 두 이미지가 레이어 하나를 공유하기
# 때문입니다.
#
# ## 2. 이미지는 레이어를 쌓은 것
# `docker image inspect`는 이미지의 레이어를 `RootFS.Layers` 아래에 맨 아래 레이어부터 보여
# 줍니다. 각 레이어의 이름은 압축을 푼 내용의 `sha256` 다이제스트(digest), 곧 그 레이어의 *diff
# ID*입니다.

# %%
!docker image inspect --format '{{json .RootFS.Layers}}' nginx:stable nginx:latest

# %% [markdown] en="e5bb0593e0"
# 태그마다 레이어가 두 개이고, 두 목록은 같은 다이제스트로 시작합니다. `layer_sizes`
# 헬퍼(helper)는 같은 목록을 Docker SDK로 읽어, 각 레이어를 이미지 히스토리(history)에 있는 크기와
# 짝짓습니다. `layer_table`은 두 이미지를 나란히 놓고, 서로 다른 레이어마다 한 행씩, 그 레이어를
# 쓰는 이미지 수(`users`)와 함께 보여 줍니다.

# %%
images = {tag: layer_sizes(client, tag) for tag in TAGS}
table = layer_table(images)
table[["layer", "size_mb", *TAGS, "users"]]

# %% [markdown] en="50f22db50b"
# 서로 다른 레이어는 세 개입니다. 맨 아래 레이어는 두 태그가 함께 쓰고(Debian 베이스(base)), 각
# 태그에는 자기만의 레이어가 하나씩 있습니다(그 태그의 nginx). 두 태그가 함께 쓰는 레이어 수는
# 다음과 같습니다.

# %%
int(table["shared"].sum())

# %% [markdown] en="14e4d05805"
# ## 3. 디스크 사용량 대 크기의 합
# 이미지 크기를 더하면 레이어 하나를 그 레이어를 쓰는 이미지마다 한 번씩 세지만, 엔진은 그
# 레이어를 한 번만 저장합니다. 그래서 여러 이미지가 함께 쓰는 디스크는 다음과 같습니다.
#
# > **디스크 사용량 = 크기의 합 − Σ 공유 레이어마다 (쓰는 이미지 수 − 1) × 레이어 크기**
#
# 베이스 하나 위에 빌드한 두 태그처럼 모든 공유 레이어를 쓰는 이미지가 정확히 둘이면, 이 식은
# 간단히 *크기의 합 − 공유 바이트*입니다. 쓰는 이미지가 셋 이상이면 그렇지 않습니다(5절).
#
# 원본 노트(source notes)는 당시 Docker Hub의 이미지로 이 계산을 합니다. 69.3 MB 베이스를 공유하는
# 133 MB짜리 태그 두 개는 266 MB가 아니라 133 + 133 − (2 − 1) × 69.3 = 196.7 MB를 차지합니다. 이
# 엔진의 이미지로 같은 규칙을 적용해 봅니다. `overcount_mb`는 각 레이어의 (쓰는 이미지 수 − 1) ×
# 크기입니다.

# %%
table[["layer", "size_mb", "users", "overcount_mb"]]

# %% [markdown] en="114e79fa2a"
# MB 단위의 합계입니다. `sum_of_sizes`는 두 크기를 더한 값, `saved`는 위의 중복 계산분,
# `disk_used`는 서로 다른 레이어를 한 번씩만 센 값입니다.

# %%
usage = disk_usage(images)
{key: round(value / MB, 1) for key, value in usage.items()}

# %% [markdown] en="526847ad06"
# 서로 다른 레이어를 한 번씩 세면 규칙과 같은 바이트 수가 나오고, 이미지가 둘일 때 중복 계산분은
# 정확히 공유 바이트와 같습니다.

# %%
(
    usage["disk_used"] == usage["sum_of_sizes"] - usage["saved"],
    usage["saved"] == usage["shared"],
)

# %% [markdown] en="fe60d45a08"
# 이미지별로 그려 보면, 파란 부분이 두 이미지가 공유해 한 번만 저장되는 레이어입니다.

# %%
shared_bytes_chart(images)

# %% [markdown] en="4e9e123587"
# ## 4. 엔진 자체의 집계
# `docker system df -v`는 이미지별 디스크 사용량을 보고합니다. 그 이미지 표에서 SIZE는 이미지의
# 전체 크기, SHARED SIZE는 그 이미지의 레이어 가운데 이 엔진의 다른 이미지도 쓰는 레이어의 바이트,
# UNIQUE SIZE는 나머지입니다. `grep`으로 머리글 행과 nginx 행만 남깁니다.

# %%
!docker system df -v | grep -E '^(REPOSITORY|nginx) '

# %% [markdown] en="7ea7804e32"
# `engine_shares`는 같은 세 숫자를 `RootFS.Layers`에서 계산합니다. 엔진이 하듯 이 엔진의 모든
# 이미지 가운데 각 레이어를 쓰는 이미지를 세고, 그 결과를 엔진 자체의 숫자와 바이트 단위까지
# 비교합니다.

# %%
engine_shares(client, TAGS)

# %% [markdown] en="dbe75a9299"
# ## 5. 직접 해 보기
# **연습 문제.** 실습 환경(lab)의 nginx 이미지는 `debian:trixie-slim` 위에 빌드되었습니다. 이
# 이미지를 내려받고, `docker image inspect`로 레이어를 살펴본 뒤, `nginx:stable`, `nginx:latest`,
# `debian:trixie-slim` 세 이미지가 함께 쓰는 디스크를 바이트 단위로 계산하세요. 결과는
# `three_used`라는 변수에 넣으세요. (`layer_sizes(client, "debian:trixie-slim")`가 그 레이어
# 크기를 알려 주고, `images`에는 두 nginx 태그의 레이어 크기가 이미 들어 있습니다.)

# %%

# %% tags=["solution"] jupyter={"source_hidden": true}
!docker pull -q debian:trixie-slim
!docker image inspect --format '{{json .RootFS.Layers}}' debian:trixie-slim
three = {**images, "debian:trixie-slim": layer_sizes(client, "debian:trixie-slim")}
users = layer_users(three)
sizes = {layer: size for layers in three.values() for layer, size in layers.items()}
sum_of_sizes = sum(sum(layers.values()) for layers in three.values())
three_used = sum_of_sizes - sum((users[layer] - 1) * size for layer, size in sizes.items())

# %% [markdown] en="8027a4f776"
# 답을 확인합니다:

# %%
print(check_disk_used(client, THREE, globals().get("three_used"), name="three_used"))

# %% [markdown] en="e9e1147c01"
# Debian의 레이어 하나는 nginx 이미지들의 베이스이므로, 이제 베이스를 쓰는 이미지는 셋이고 크기의
# 합은 이 레이어를 두 번 더 셉니다. 이미지가 둘일 때처럼 공유 바이트를 한 번만 빼면 한 벌이 더
# 남습니다. 규칙은 그렇지 않습니다.

# %%
three_usage = disk_usage({ref: layer_sizes(client, ref) for ref in THREE})
(
    three_usage["disk_used"] == three_usage["sum_of_sizes"] - three_usage["saved"],
    three_usage["disk_used"] == three_usage["sum_of_sizes"] - three_usage["shared"],
)

# %% [markdown] en="ca37638e95"
# ## 정리
# 이 레슨(lesson)은 이미지를 읽기만 했습니다. 정리(cleanup)는 이 노트북이 `debian:trixie-slim`을
# 내려받았다면 그것을 지우고, 다음 노트북이 엔진을 쓸 수 있게 합니다.

# %%
_ = cleanup(notebook="03")

# %% [markdown] en="0576a25574"
# ## 요약
# - `docker images`는 각 이미지의 전체 크기를 보여 주고, `--format`으로 열을 고릅니다.
# - `docker image inspect --format '{{json .RootFS.Layers}}'`는 이미지의 레이어를 맨 아래부터
#   나열합니다. 두 목록을 비교하면 두 이미지가 공유하는 레이어를 찾을 수 있습니다.
# - 디스크 사용량 = 크기의 합 − Σ 공유 레이어마다 (쓰는 이미지 수 − 1) × 레이어 크기. "합 −
#   공유"는 모든 공유 레이어를 쓰는 이미지가 둘인 특수한 경우입니다.
# - `docker system df -v`는 이미지마다 SHARED SIZE와 UNIQUE SIZE를 보고하며, 이 값은 레이어 계산과
#   바이트 단위까지 일치합니다.
#
# ## 다음 단계
# [04 · 이미지 히스토리](04-image-history.ipynb): 어떤 명령어가 어떤 레이어를 만들었는지
# 알아봅니다.
#
# ## 참고 자료
# - Docker: [`docker image ls`](https://docs.docker.com/reference/cli/docker/image/ls/)와 그
#   `--format`
# - Docker: [`docker image inspect`](https://docs.docker.com/reference/cli/docker/image/inspect/)
# - Docker: [스토리지 드라이버: 이미지와 레이어](https://docs.docker.com/engine/storage/drivers/)
# - Docker: [`docker system df`](https://docs.docker.com/reference/cli/docker/system/df/)
# - OCI 이미지 명세: [레이어 diff ID와 chain
#   ID](https://github.com/opencontainers/image-spec/blob/main/config.md)
