# %% [markdown] en="f3a24ada09"
# # 10 · 머신 한 대 위의 오케스트레이터: 스웜
#
# 엔진(engine)에 명령 대신 원하는 상태(desired state), 즉 nginx 레플리카(replica) 세 개를 건네고,
# 엔진의 오케스트레이터(orchestrator)가 그 상태를 지키는 모습을 지켜봅니다. 스케일링(scaling),
# 롤링 업데이트(rolling update)와 롤백(rollback), 강제 종료한 컨테이너(container)가 새것으로 바뀌는 과정을
# 본 다음, 오버레이 네트워크(overlay network)와 호스트 모드 게시(host-mode publishing)로 레플리카에
# 닿아 보고, 라우팅 메시(routing mesh)가 커널(kernel)에 무엇을 요구하는지 확인합니다.
#
# 용어가 낯설면 [용어집](../../docs/glossary.ko.md)을 보세요.
#
# ## 개요
# 1. 노드(node) 하나짜리 스웜(Swarm)
# 2. 서비스(service): 태스크(task)와 레플리카
# 3. 스케일링: 늘리고 줄이기
# 4. 롤링 업데이트, 그리고 롤백
# 5. 태스크의 컨테이너가 죽으면
# 6. 레플리카에 닿기: 오버레이 네트워크와 DNS
# 7. 호스트 모드 게시
# 8. 라우팅 메시, 그리고 라우팅 메시가 커널에 요구하는 것
# 9. 직접 해 보기
# 10. 스웜 떠나기
#
# ## 사전 지식
# | 개념 | 중요도 | 비고 |
# | --- | --- | --- |
# | [01 · 컨테이너, 파드, containerd](01-containers-pods-and-containerd.ipynb) | 도움 됨 | 컨트롤 플레인(control plane), 노드; 파드(Pod)가 공유하는 네트워크 |
# | [05 · 컨테이너 실행과 재시작 정책](05-running-containers-and-restart-policies.ipynb) | 필수 | `--restart`; 직접 정지한 컨테이너는 멈춘 채로 남음 |
# | [06 · 포트 게시](06-publishing-ports.ipynb) | 필수 | `-p`, `docker port`, 모든 인터페이스(interface) 대 `127.0.0.1` |
#
# **학습 시간:** 30분
#
# ## 준비
# 이 레슨(lesson)은 `nginx:stable`과 `nginx:latest`를 실행합니다(없으면 준비 단계에서 내려받습니다).
# 스웜은 포트를 모든 인터페이스에 게시(publish)하므로(7절에서 그 이유를 봅니다), 이 레슨은
# 호스트 포트 8100과 8101에 각각 잠깐씩만 게시합니다. 다른 프로그램이 그중 하나를 쓰고 있으면
# `free_port`가 그렇다고 알리고, 레슨은 그다음 빈 포트를 씁니다. 모든 레슨에서처럼 `setup_notebook`은
# `docker service create`(서비스와 그 태스크의 컨테이너), `docker network create`, `docker run` 줄마다
# 시리즈(series)의 라벨(label)을 붙이므로, 정리(cleanup) 때는 이 노트북(notebook)이 만든 것만 정확히
# 제거합니다. 시작하기 전에 주의할 점이 하나 있습니다. 직접 띄운 Compose 프로젝트가 있다면 먼저
# 멈추세요. 이유는 10절에서 설명합니다.

# %%
from helpers.cleanup import cleanup
from helpers.containers import free_port
from helpers.http import wait_http
from helpers.notebook import setup_notebook
from helpers.registry import ensure_image
from helpers.swarm import (
    check_dnsrr_service,
    init_needed,
    ipvs,
    leave_needed,
    rollout,
    overlay_networks,
    wait_tasks,
)

lab = setup_notebook("10", language="ko")
client = lab.client
for image in ("nginx:stable", "nginx:latest"):
    _ = ensure_image(image, client=client)
HOST_PORT = free_port(8100, host="0.0.0.0", notebook="10", client=client)
MESH_PORT = free_port(
    8101, host="0.0.0.0", tries=[p for p in range(8101, 8202) if p != HOST_PORT], notebook="10",
    client=client,
)
_ = overlay_networks(lab.kind)  # says so when this engine cannot make overlay networks

# %% [markdown] en="98b5e3f944"
# ## 1. 노드 하나짜리 스웜
# Docker Engine에는 오케스트레이터가 내장되어 있습니다. 바로 *스웜 모드*(swarm mode)입니다. 스웜은 엔진들의
# 모임이고, 그 엔진 하나하나가 *노드*입니다. 매니저(manager)는 원하는 상태를 보관하고 어느 노드가
# 무엇을 실행할지 정하며, 워커(worker)는 그것을 실행합니다. 쿠버네티스(Kubernetes)의 컨트롤 플레인이
# 맡는 역할이 바로 이것입니다(레슨 01). 여기서는 엔진 하나가 매니저이자 워커입니다. 이 엔진은 이미
# 스웜에 속해 있을까요? `docker info`가 알려 줍니다:

# %%
!docker info --format '{{.Swarm.LocalNodeState}}'

# %% [markdown] en="9568e33fca"
# `inactive`: 어느 스웜에도 속해 있지 않습니다. `docker swarm init`은 이 엔진을 새 스웜의 첫 매니저로
# 만듭니다. `--advertise-addr`는 다른 노드가 이 엔진에 닿을 때 쓸 주소이고, `--listen-addr`는 매니저가
# 수신 대기(listen)하는 주소입니다. 둘 다 루프백 주소(loopback address)이므로 다른 머신은 이 스웜에 참여할
# 수도, 매니저와 통신할 수도 없습니다. 이 레슨은 엔진이 어느 스웜에도 속해 있지 않을 때만 스웜을
# 초기화합니다. 엔진이 이미 스웜에 속해 있으면 `init_needed`가 한 문장으로 그렇다고 알리고, 레슨은 그
# 스웜을 있는 그대로 쓰며 절대 떠나지 않습니다.

# %%
if init_needed("10", client):
    !docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:2377

# %% [markdown] en="083ac1f420"
# 출력된 `docker swarm join` 줄은 두 번째 머신이 워커로 참여하는 방법이고, 그 안의 토큰(token)은
# 스웜의 비밀 값입니다. `docker node ls`는 노드를 나열합니다. 노드는 하나뿐이고, `*` 표시(지금 명령을
# 받는 엔진)가 붙어 있으며, 매니저이자 그 스웜의 `Leader`입니다:

# %%
!docker node ls

# %% [markdown] en="85304bf587"
# 매니저는 TCP 포트 2377(스웜의 API)과 7946(노드끼리 서로를 찾는 용도)에서 수신 대기하며, 여기서는
# 127.0.0.1에서만 수신 대기합니다:

# %%
!ss -Hltn | grep -E ':(2377|7946) '

# %% [markdown] en="df0d2f6b68"
# ## 2. 서비스: 태스크와 레플리카
# 스웜에서는 컨테이너를 직접 실행하지 않고 *서비스*를 선언합니다. 서비스란 이미지(image) 하나와, 그
# 이미지의 *레플리카*를 몇 개 실행할지를 묶은 것입니다. 매니저는 이를 레플리카마다 하나씩 *태스크*로
# 바꾸고, 각 태스크는 어느 한 노드에서 컨테이너 하나로 실행됩니다. `--detach`를 주면 매니저가 서비스를
# 받아들이는 즉시 명령이 끝납니다. 주지 않으면 CLI가 진행 상황을 그리는데, 터미널 밖에서는 같은 줄이
# 수십 번 반복해 출력됩니다.

# %%
!docker service create --detach --name dn-10-web --replicas 3 nginx:stable

# %% [markdown] en="2b6d2889e5"
# `docker service create`는 서비스의 ID를 출력했습니다. 헬퍼(helper)가 세 태스크가 실행될 때까지
# (시간 제한을 두고) 기다립니다:

# %%
wait_tasks(client, "dn-10-web", running=3)

# %% [markdown] en="935a697786"
# `docker service ls`는 서비스와 그 레플리카를 보여 줍니다. 레플리카는 원하는 수 가운데 실행 중인
# 수로 나옵니다:

# %%
!docker service ls --filter name=dn-10-web

# %% [markdown] en="1562c234c1"
# `docker service ps`는 서비스의 태스크를 나열합니다. 태스크마다 *슬롯*(slot) 번호(`dn-10-web.1`부터
# `.3`까지), 실행되는 노드, 원하는 상태와 현재 상태가 나옵니다:

# %%
!docker service ps dn-10-web

# %% [markdown] en="4817cc0cea"
# 태스크 하나하나가 *서비스.슬롯.태스크 ID* 꼴의 이름을 가진 컨테이너이고, 엔진은 여기에 서비스 이름을
# 라벨로 붙입니다:

# %%
!docker ps --filter label=com.docker.swarm.service.name=dn-10-web --format '{{.Names}}' | sort

# %% [markdown] en="9009349e51"
# 서비스에는 `nginx:stable`만 적혀 있지 않습니다. `docker service create`가 레지스트리(registry)에
# 태그(tag)의 다이제스트(digest)를 물었고(실습 환경(lab)의 미러(mirror)가 답했습니다. 여기서는
# Docker Hub에 닿을 수 없습니다), 서비스를 그 다이제스트에 고정했습니다. 그래서 나중에 태그가 다른
# 이미지로 옮겨 가도 모든 노드가 똑같은 이미지를 실행합니다:

# %%
!docker service inspect --format '{{.Spec.TaskTemplate.ContainerSpec.Image}}' dn-10-web

# %% [markdown] en="14c71d3506"
# 이미지에 대해 답하는 레지스트리가 없으면, CLI는 다이제스트를 기록하지 못했다고 경고하고 각 노드가
# 태그를 스스로 해석합니다. `--no-resolve-image`는 일부러 이 질문을 건너뜁니다.
#
# ## 3. 스케일링: 늘리고 줄이기
# `docker service scale`은 레플리카 수를 바꿉니다. 매니저는 서비스가 그 수에 맞을 때까지 태스크를
# 시작하거나 제거합니다:

# %%
!docker service scale --detach dn-10-web=5

# %%
wait_tasks(client, "dn-10-web", running=5)

# %% [markdown] en="b7eddbab10"
# 다시 세 개로 줄입니다:

# %%
!docker service scale --detach dn-10-web=3

# %%
wait_tasks(client, "dn-10-web", running=3)

# %% [markdown] en="4810e31073"
# 모든 태스크가 같은 노드에서 실행되고 있으니, 매니저는 번호가 가장 큰 슬롯인 4와 5를 제거했습니다.
# 두 슬롯은 멈춘 것이 아니라 `docker service ps`에서 아예 사라졌습니다:

# %%
!docker service ps dn-10-web

# %% [markdown] en="64e4e3302d"
# ## 4. 롤링 업데이트, 그리고 롤백
# 실행 중인 서비스의 이미지를 바꾸면 태스크가 교체되고, 어떻게 교체할지는 업데이트 설정이 정합니다.
# `--update-parallelism 1`은 한 번에 태스크 하나씩 교체하고, `--update-delay 1s`는 새 태스크가 실행될
# 때마다 1초를 기다린 뒤 다음 태스크로 넘어갑니다. 기본값으로는 옛 태스크가 먼저 멈춘 뒤 그 대체
# 태스크가 시작됩니다(`--update-order stop-first`).

# %%
!docker service update --detach --image nginx:latest --update-parallelism 1 --update-delay 1s dn-10-web

# %% [markdown] en="bef17379ae"
# 헬퍼가 업데이트가 끝날 때까지 (시간 제한을 두고) 기다린 다음, 엔진이 직접 남긴 타임스탬프로 과정을
# 태스크 단위로 보여 줍니다. 각 행은 태스크 하나가 종료되었거나 그 대체 태스크가 실행된 시점이며,
# 그 직후 이미지별로 실행 중인 태스크 수가 함께 나옵니다:

# %%
rollout(client, "dn-10-web")

# %% [markdown] en="f7c8bbdef5"
# 슬롯 하나씩, `nginx:stable` 태스크가 종료된 다음 그 자리의 `nginx:latest` 대체 태스크가 실행되었습니다.
# 전후로는 태스크 세 개가 실행 중이었고, 슬롯이 바뀌는 동안에는 두 개였으며 한 번도 그보다 줄지
# 않았습니다. `docker service ps`는 슬롯마다 이력을 최신순으로 보관합니다(`\_`는 같은 슬롯의 이전
# 태스크를 표시합니다):

# %%
!docker service ps dn-10-web

# %% [markdown] en="872d4a412b"
# `docker service rollback`은 서비스를 이전 설정인 `nginx:stable`로 되돌립니다. 방식은 같아서, 태스크를
# 하나씩 바꿉니다:

# %%
!docker service rollback --detach dn-10-web

# %%
rollout(client, "dn-10-web")

# %% [markdown] en="ab83e894b3"
# `--filter desired-state=running`은 지금 실행되어야 할 태스크만 보여 줍니다. 세 개 모두 다시
# `nginx:stable`입니다.

# %%
!docker service ps --filter desired-state=running dn-10-web

# %% [markdown] en="cea4a44677"
# ## 5. 태스크의 컨테이너가 죽으면
# 레슨 05에서 `--restart always`로 실행한 컨테이너는 `docker stop` 뒤에 멈춘 채로 남았습니다. 직접
# 정지하면 엔진의 재시작 정책(restart policy)이 꺼지기 때문입니다. 태스크의 컨테이너에는 재시작 정책이
# 아예 없습니다:

# %%
!docker inspect --format '{{.HostConfig.RestartPolicy.Name}}' $(docker ps -q --filter name=dn-10-web.1)

# %% [markdown] en="01e5fc352d"
# 재시작 정책은 서비스에 있으며, 서비스의 태스크에 적용됩니다. 어떤 이유로 종료되든 5초 지연 후
# 재시작하고(`Delay`는 나노초 단위입니다), 시도 횟수에는 제한이 없습니다.

# %%
!docker service inspect --format '{{json .Spec.TaskTemplate.RestartPolicy}}' dn-10-web

# %% [markdown] en="dac19645bd"
# 슬롯 1의 컨테이너를 직접 강제 종료합니다:

# %%
!docker kill $(docker ps -q --filter name=dn-10-web.1)

# %% [markdown] en="d9e0471eaa"
# 매니저는 원하는 세 개 가운데 두 개만 실행 중인 것을 보고, 지연 시간이 지나면 새 태스크를
# 시작합니다. 옛 컨테이너를 다시 시작하는 것이 아니라 새 컨테이너입니다. 헬퍼가 (시간 제한을 두고)
# 이를 기다립니다:

# %%
wait_tasks(client, "dn-10-web", running=3, failed=1)

# %% [markdown] en="6fd689606b"
# 슬롯 1의 이력에는 강제 종료한 태스크가 컨테이너의 종료 코드(137, 시그널 9로 강제 종료됨)와 함께 `Failed`로 나오고,
# 그 위에 실행 중인 새 태스크가 나옵니다:

# %%
!docker service ps --filter name=dn-10-web.1 dn-10-web

# %% [markdown] en="c943f2ba5f"
# 이것이 재시작 정책과 오케스트레이터의 차이입니다. 재시작 정책은 엔진 하나에서 컨테이너 하나를 다시
# 시작하고(직접 정지하면 그에 따릅니다), 오케스트레이터는 선언한 수만큼 태스크가 실행되도록 유지하되
# 그 태스크를 받을 수 있는 노드라면 어디서든 새 컨테이너로 실행합니다.
#
# ## 6. 레플리카에 닿기: 오버레이 네트워크와 DNS
# 레플리카에게는 클라이언트가 쓸 주소 하나가 필요합니다. `dn-10-web`을 제거합니다. 다음 서비스는 자기만의
# 네트워크 위에 놓입니다:

# %%
!docker service rm dn-10-web

# %% [markdown] en="a10f868bc2"
# *오버레이* 네트워크는 스웜의 모든 노드에 걸쳐 있습니다(노드 사이의 트래픽을 UDP 패킷에 담아
# 나릅니다. VXLAN입니다). `--attachable`을 주면 서비스의 태스크뿐 아니라 일반 컨테이너(`docker run`)도
# 이 네트워크에 참여할 수 있습니다. 루트리스(rootless) Docker는 오버레이 네트워크를 만들 수 없으므로
# ([문서](https://docs.docker.com/engine/security/rootless/)에 지원하지 않는 기능으로 나옵니다),
# 오버레이 네트워크가 필요한 셀(cell)은 `# needs: overlay network`로 시작합니다. 루트리스 엔진에서는
# 준비 단계에서 그렇다고 알렸고, 이 셀들은 실행되는 대신 한 줄을 출력합니다:

# %%
# needs: overlay network
!docker network create --driver overlay --attachable dn-10-net

# %% [markdown] en="9220a4172d"
# 기본적으로 네트워크에 붙은 서비스는 가상 IP(virtual IP) 하나를 받고, 커널의 IPVS 부하
# 분산기(load balancer)가 이를 태스크들에 분산합니다(IPVS는 8절에서 찾아봅니다).
# `--endpoint-mode dnsrr`를 주면 서비스는 가상 IP를 받지 않습니다. 서비스 이름이 모든 태스크의
# 주소로 해석되고(DNS 라운드 로빈, DNS round robin), 클라이언트가 그중 하나를 고릅니다.

# %%
# needs: overlay network
!docker service create --detach --name dn-10-dns --replicas 3 --network dn-10-net --endpoint-mode dnsrr nginx:stable

# %%
# needs: overlay network
wait_tasks(client, "dn-10-dns", running=3, port=80)

# %% [markdown] en="a387fbe246"
# `dn-10-net`에 붙인 일회용 컨테이너가 Docker의 DNS에 서비스 이름을 묻고, 태스크마다 하나씩 주소 세
# 개를 받습니다:

# %%
# needs: overlay network
!docker run --rm --network dn-10-net nginx:stable getent hosts dn-10-dns

# %% [markdown] en="5c8e922018"
# 주소 하나가 레플리카 하나입니다. 실습 환경의 nginx 이미지에는 `curl`이 없으므로, bash의 `/dev/tcp`로
# 주소마다 페이지를 요청하고(레슨 01에서처럼) 그 제목을 출력합니다:

# %%
# needs: overlay network
!docker run --rm --network dn-10-net nginx:stable bash -c 'for ip in $(getent hosts dn-10-dns | cut -d" " -f1); do exec 3<>/dev/tcp/$ip/80; printf "GET / HTTP/1.0\r\n\r\n" >&3; echo "$ip $(grep -o "<title>.*</title>" <&3)"; done'

# %% [markdown] en="cc7a653466"
# 주소 세 개에 응답 세 개입니다. 모든 레플리카에 오버레이 네트워크의 어디서든, 어느 노드에서든 이름
# 하나로 닿을 수 있습니다.
#
# ## 7. 호스트 모드 게시
# 스웜 밖에서 서비스에 닿으려면 포트를 게시합니다. `mode=host`는 태스크가 실행되는 노드에 포트를
# 게시하고, 그 태스크로 곧바로 연결합니다. `docker run -p`와 같습니다:

# %%
!docker service create --detach --name dn-10-host --publish mode=host,target=80,published={HOST_PORT} nginx:stable

# %%
wait_tasks(client, "dn-10-host", running=1, port=80)

# %% [markdown] en="7be7ee5801"
# 태스크가 호스트의 포트에서 응답합니다:

# %%
!curl -s 127.0.0.1:{HOST_PORT} | grep Welcome

# %% [markdown] en="5a6687b02a"
# 노드 하나는 호스트 포트 하나를 태스크 하나에만 줄 수 있습니다. 노드 하나짜리 이 스웜에서 레플리카를
# 두 개로 늘립니다:

# %%
!docker service scale --detach dn-10-host=2

# %% [markdown] en="5f5c5478cc"
# 두 번째 태스크는 대기(pending) 상태로 남습니다. 그 포트가 비어 있는 노드가 없기 때문입니다:

# %%
wait_tasks(client, "dn-10-host", running=1, pending=1)

# %%
!docker service ps dn-10-host

# %% [markdown] en="cb4119f738"
# 위 PORTS 열의 `*`는 모든 인터페이스를 뜻합니다. 실행 중인 태스크의 컨테이너에 `docker port`를 쓰면,
# 레슨 06에서 `-p 8080:80`에 대해 본 것과 같은 방식으로 이를 보여 줍니다:

# %%
!docker port $(docker ps -q --filter name=dn-10-host)

# %% [markdown] en="c69a5281f1"
# 스웜 서비스는 레슨 06이 권하는 `-p 127.0.0.1:...`을 쓸 수 없습니다. CLI가 `--publish`에 호스트
# 주소를 받아 주지 않으므로, 서비스의 게시된 포트(published port)는 그 노드에 닿을 수 있는 모든 머신에
# 열려 있습니다([moby/moby#26696](https://github.com/moby/moby/issues/26696)). 공유 네트워크에서는
# 공개해야 하는 것만 방화벽(firewall) 뒤에 게시하고, 나머지는 6절에서처럼 오버레이 네트워크로
# 접근하세요.

# %%
!docker service create --detach --name dn-10-local -p 127.0.0.1:{MESH_PORT}:80 nginx:stable

# %% [markdown] en="600c6e4251"
# 호스트 모드 서비스는 바로 제거합니다:

# %%
!docker service rm dn-10-host

# %% [markdown] en="e2129d37f4"
# ## 8. 라우팅 메시, 그리고 라우팅 메시가 커널에 요구하는 것
# `mode=host` 없이 `-p 8080:80`처럼 게시한 포트는 *라우팅 메시*를 거칩니다. 스웜의 모든 노드가, 그
# 서비스의 태스크를 하나도 실행하지 않는 노드까지도 그 포트에서 수신 대기하고, 들어온 연결을
# `ingress` 오버레이 네트워크를 통해 서비스의 가상 IP로 전달하며, 거기서 IPVS가 태스크 중 하나에
# 넘깁니다. IPVS(IP Virtual Server)는 리눅스 커널 안의 부하 분산기입니다. IPVS가 로드되면 커널은 그
# 설정을 `/proc/sys/net/ipv4/vs` 아래에 보여 줍니다:

# %%
!ls /proc/sys/net/ipv4/vs

# %% [markdown] en="32ecbc1a26"
# 여기에는 없습니다. 헬퍼는 머신이 커널의 빌드 옵션을 보관하는 곳에서 그 옵션도 읽습니다:

# %%
ipvs()

# %% [markdown] en="54a87a6167"
# 이 커널은 IPVS 없이 빌드되었습니다(`CONFIG_IP_VS`, Docker가 직접 제공하는 `check-config.sh`가 나열하는
# 옵션입니다). 그래도 라우팅 메시를 통해 서비스를 게시해 봅니다:

# %%
!docker service create --detach --name dn-10-mesh -p {MESH_PORT}:80 nginx:stable

# %%
wait_tasks(client, "dn-10-mesh", running=1, port=80)

# %% [markdown] en="bd061952d8"
# 서비스는 포트를 게시하고 있고(`*:PORT->80/tcp`), 태스크도 실행 중입니다:

# %%
!docker service ls --filter name=dn-10-mesh

# %% [markdown] en="78d0b92ee6"
# 그런데도 이 머신에서는 그 포트에서 아무것도 응답하지 않습니다. curl은 레슨 06에서 게시하지 않은
# 포트에 접속했을 때처럼 종료 코드 7, "Couldn't connect to server"로 포기합니다(`-o /dev/null`은 제대로
# 동작하는 메시가 보냈을 페이지를 버립니다):

# %%
!curl -sS -m 5 -o /dev/null 127.0.0.1:{MESH_PORT}; echo "curl exit code: $?"

# %% [markdown] en="cbf66813f3"
# IPVS가 없으면 라우팅 메시는 연결을 전달할 수단이 없고, 엔진은 이를 로그에만 남깁니다
# ("Could not get ipvs family information from the kernel"). 서비스의 가상 IP(6절의 기본 엔드포인트
# 모드)도 같은 이유로 IPVS가 필요하며, 그래서 6절에서는 `--endpoint-mode dnsrr`를 썼습니다. 커널에
# IPVS가 있는 머신에서는 `ls`가 IPVS의 설정을 나열하고, 같은 `curl`이 스웜의 어느 노드에서든 페이지를
# 받아 옵니다(종료 코드 0). 호스트 모드 게시와 DNS 라운드 로빈은 IPVS가 필요 없고, 두 경우 모두에서
# 동작합니다.

# %%
!docker service rm dn-10-mesh

# %% [markdown] en="aa3eb565e3"
# ## 9. 직접 해 보기
# **연습 문제.** `dn-10-net`에 나만의 서비스를 만드세요. 이름은 마음대로 정하되 `dn-10-...`은 피합니다.
# `nginx:latest` 레플리카 두 개에 `--endpoint-mode dnsrr`를 줍니다. 그런 다음 `dn-10-net`에 붙인
# 일회용 컨테이너에서 서비스 이름을 해석하고, 주소마다 페이지를 받아 오세요. 아래 확인 셀은
# `dn-10-net`에서 여러분의 서비스를 찾아 그 주소마다 페이지를 요청합니다.

# %%

# %% tags=["solution"] jupyter={"source_hidden": true}
# needs: overlay network
!docker service create --detach --name my-site --replicas 2 --network dn-10-net --endpoint-mode dnsrr nginx:latest
_ = wait_tasks(client, "my-site", running=2, port=80)
!docker run --rm --network dn-10-net nginx:stable getent hosts my-site

# %% [markdown] en="e00f42e49d"
# 확인:

# %%
# needs: overlay network
print(check_dnsrr_service(client, "dn-10-net", notebook="10"))

# %% [markdown] en="d4be15255d"
# ## 10. 스웜 떠나기
# 이 레슨은 자신이 초기화한 스웜만 떠납니다. 전부터 있던 스웜은 시리즈가 라벨을 붙이지 않은 서비스를
# 모두 그대로 둔 채 원래대로 남습니다. 마지막 매니저에서 `docker swarm leave`를 하려면 `--force`가
# 필요합니다. 이 명령은 스웜을 끝내며, 스웜의 서비스, 태스크, 오버레이 네트워크도 함께 사라집니다.
# `docker service rm`은 엔진이 태스크의 컨테이너를 제거하기 전에 돌아오므로, `leave_needed`는 먼저
# 위에서 제거한 서비스의 컨테이너가 사라질 때까지 (시간 제한을 두고) 기다립니다. 그래서 스웜이 끝날
# 때 남겨지는 컨테이너는 없습니다. 아직 해결되지 않은, 알려진 엔진 버그가 하나 있습니다.
# `docker swarm leave` 뒤에는, 그 전부터 자기만의 네트워크(예: Compose 프로젝트의 네트워크)에서 실행
# 중이던 컨테이너들이 더는 이름으로 서로를 찾지 못할 수 있습니다
# ([moby/moby#45144](https://github.com/moby/moby/issues/45144)). 처음에 주의를 준 이유가 이것입니다.

# %%
if leave_needed(client):
    !docker swarm leave --force

# %% [markdown] en="9d74ec86e6"
# ## 정리
# 이 노트북이 만든 것(라벨로 골라냅니다)과, 이 레슨의 `docker swarm init`이 만들고 `docker swarm leave`가
# 남겨 두는 `docker_gwbridge` 네트워크를 제거한 다음, 다음 노트북이 엔진을 쓸 수 있게 합니다:

# %%
cleanup(notebook="10")["kind"].value_counts()

# %% [markdown] en="5b08f206f2"
# ## 요약
# - `docker swarm init`은 엔진을 스웜의 첫 매니저로 만듭니다.
#   `--advertise-addr`/`--listen-addr 127.0.0.1`은 노드 하나짜리 스웜을 이 머신 안에 묶어 둡니다.
# - 서비스는 이미지와 레플리카 수를 선언합니다. 매니저는 레플리카마다 태스크 하나, 곧 컨테이너 하나를
#   실행하고 그 수를 유지합니다: `docker service ls`, `docker service ps`.
# - `docker service create`는 태그의 다이제스트를 고정합니다. `--detach`를 주면 곧바로 돌아옵니다.
# - `docker service scale`은 태스크를 더하거나 뺍니다. `docker service update --image`는 태스크를
#   `--update-parallelism` 묶음 단위로 `--update-delay` 간격을 두고 교체하며,
#   `docker service rollback`은 같은 방식으로 이전 설정으로 되돌립니다.
# - 강제 종료한 태스크는 다시 시작되지 않습니다. 오케스트레이터가 서비스의 재시작 지연 시간이 지난 뒤 새
#   태스크를 새 컨테이너로 시작합니다.
# - 오버레이 네트워크에서 서비스 이름은 `--endpoint-mode dnsrr`이면 태스크들의 주소로, 아니면 IPVS가
#   필요한 가상 IP 하나로 해석됩니다. `--publish mode=host`는 노드마다 태스크 하나에 호스트 포트를
#   줍니다.
# - 라우팅 메시(서비스의 `-p`)에는 커널의 IPVS가 필요합니다. 스웜은 모든 인터페이스에 게시하며
#   `-p 127.0.0.1:...`을 거부합니다.
#
# ## 다음 단계
# [11 · Podman으로 만드는 진짜 파드](11-a-real-pod-with-podman.ipynb): 레슨 01의 파드를, 파드가
# 무엇인지 아는 도구로 만듭니다.
#
# ## 참고 자료
# - Docker: [스웜 모드 핵심 개념](https://docs.docker.com/engine/swarm/key-concepts/),
#   [`docker swarm init`](https://docs.docker.com/reference/cli/docker/swarm/init/)
# - Docker: [스웜에 서비스 배포하기](https://docs.docker.com/engine/swarm/services/)
#   (레플리카, `--detach`, 다이제스트, 업데이트와 롤백 설정)
# - Docker: [롤링 업데이트 적용하기](https://docs.docker.com/engine/swarm/swarm-tutorial/rolling-update/),
#   [`docker service rollback`](https://docs.docker.com/reference/cli/docker/service/rollback/)
# - Docker: [스웜 서비스 네트워크 관리하기](https://docs.docker.com/engine/swarm/networking/)
#   (오버레이, `--attachable`, 가상 IP와 `dnsrr`),
#   [라우팅 메시 사용하기](https://docs.docker.com/engine/swarm/ingress/) (ingress, `mode=host`)
# - Docker: [`contrib/check-config.sh`](https://github.com/moby/moby/blob/master/contrib/check-config.sh)
#   (Docker가 쓰는 커널 옵션, `CONFIG_IP_VS`도 그중 하나)
# - moby/moby#26696: [서비스의 포트를 호스트 주소 하나에 게시하기](https://github.com/moby/moby/issues/26696)
