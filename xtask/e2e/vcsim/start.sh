#!/usr/bin/env bash
# Start vcsim (govmomi's vCenter simulator, from Debian's packages) and the vi-json bridge in
# front of it, both on 127.0.0.1. Installs what is missing (as root: apt-get, pip), builds the
# simulator once into DIR, and prints the variables to use:
#   VIJSON_URL=http://127.0.0.1:PORT            (the vi-json base is $VIJSON_URL/sdk/vim25/RELEASE)
#   VIJSON_SOAP_URL=http://127.0.0.1:PORT/sdk   (vcsim itself, SOAP)
# The same lines go to DIR/env; stop both with stop.sh DIR.
# usage: start.sh [DIR]   (default: target/vcsim-vijson under the current directory)
# With VCSIM_VIJSON_BUILD_ONLY=1 it stops after installing and building: `cargo xtask e2e` starts
# the two processes itself, as its own children, so that it can stop them on any exit.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="$(mkdir -p "${1:-target/vcsim-vijson}" && cd "${1:-target/vcsim-vijson}" && pwd)"
gosrc=/usr/share/gocode/src/github.com/vmware/govmomi/simulator

if ! command -v go >/dev/null || [ ! -d "$gosrc" ]; then
  echo "vcsim-vijson: installing golang-go and golang-github-vmware-govmomi-dev" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go golang-github-vmware-govmomi-dev >/dev/null
fi
if ! python3 -c 'import pyVmomi' 2>/dev/null; then
  echo "vcsim-vijson: installing pyvmomi" >&2
  python3 -m pip install -q 'pyvmomi==9.1.1.0' >/dev/null
fi
if [ ! -x "$dir/vcsim" ] || [ "$here/vcsim.go" -nt "$dir/vcsim" ]; then
  mkdir -p "$dir/go/src/vcsim"
  cp "$here/vcsim.go" "$dir/go/src/vcsim/main.go"
  (cd "$dir/go/src/vcsim" && GO111MODULE=off GOPATH="$dir/go:/usr/share/gocode" GOPROXY=off \
    GOFLAGS= GOCACHE="$dir/gocache" go build -o "$dir/vcsim" .)
fi
[ -n "${VCSIM_VIJSON_BUILD_ONLY:-}" ] && exit 0

[ -f "$dir/pids" ] && "$here/stop.sh" "$dir" || true
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
soap_port=$(free_port)
"$dir/vcsim" -l "127.0.0.1:$soap_port" >"$dir/vcsim.log" 2>&1 &
echo $! >"$dir/pids"
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$soap_port/about" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$soap_port/about" >/dev/null || { echo "vcsim did not start:" >&2; tail -5 "$dir/vcsim.log" >&2; exit 1; }

json_port=$(free_port)
python3 "$here/bridge.py" "$soap_port" "$json_port" ${VIJSON_TRACE:+--trace} >"$dir/bridge.log" 2>&1 &
echo $! >>"$dir/pids"
for _ in $(seq 100); do
  grep -q 'bridge ready' "$dir/bridge.log" 2>/dev/null && break
  sleep 0.1
done
grep -q 'bridge ready' "$dir/bridge.log" || { echo "bridge did not start:" >&2; tail -5 "$dir/bridge.log" >&2; exit 1; }

printf 'VIJSON_URL=http://127.0.0.1:%s\nVIJSON_SOAP_URL=http://127.0.0.1:%s/sdk\n' "$json_port" "$soap_port" | tee "$dir/env"
