#!/usr/bin/env bash
# A throw-away Ceph RADOS Gateway on 127.0.0.1 for the storage tests: one monitor, one in-memory
# OSD (memstore), no manager, cephx off. Learned from shared/reference/ceph-rgw.sh, with what a
# fresh CI machine and a shared test machine need on top: free ports chosen here (two suites may
# run RGW at once), a readiness check that fails with the log instead of hanging, and the ability
# to stop and restart only radosgw (the outage test) while mon and osd keep the data.
#
#   rgw.sh start DIR        -> writes DIR/env (S3_ENDPOINT, AWS_* for the test user); ~15 s
#   rgw.sh stop DIR         -> stops rgw, osd, mon by their pid files
#   rgw.sh stop-rgw DIR     -> stops radosgw only
#   rgw.sh start-rgw DIR    -> starts radosgw again and waits until it answers
# Packages: scripts/deps/storage.txt (ceph-mon ceph-osd radosgw awscli curl).
set -euo pipefail
cmd=${1:?usage: rgw.sh start|stop|stop-rgw|start-rgw DIR}
D=${2:?usage: rgw.sh $cmd DIR}
AK=${RGW_ACCESS_KEY:-TESTACCESSKEY}
SK=${RGW_SECRET_KEY:-TESTSECRETKEY}

die() { echo "rgw.sh: $*" >&2; exit 1; }

stop_one() {   # stop_one NAME: TERM, wait up to 10 s, then KILL
  local f=$D/run/$1.pid p
  [[ -f $f ]] || return 0
  p=$(cat "$f")
  kill "$p" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$p" 2>/dev/null || true
  rm -f "$f"
}

free_port() {  # a port nobody listens on now (the kernel picks it)
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_rgw() {
  local port; port=$(cat "$D/rgw.port")
  radosgw -c "$D/ceph.conf" -n client.rgw.0 --pid-file "$D/run/rgw.pid" \
    || die "radosgw did not start; see $D/log/client.rgw.0.log"
  for _ in $(seq 120); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
    sleep 0.5
  done
  tail -20 "$D/log/client.rgw.0.log" >&2 || true
  die "radosgw on port $port did not answer within 60 s"
}

case $cmd in
  stop) for n in rgw osd mon; do stop_one "$n"; done; exit 0 ;;
  stop-rgw) stop_one rgw; exit 0 ;;
  start-rgw) start_rgw; exit 0 ;;
  start)  # more tries with fresh ports and state: under heavy load (seen at a load average
          # above 100) a new OSD is now and then rejected by its monitor ("wrong fsid")
    for attempt in 1 2 3; do
      [[ $attempt -gt 1 ]] && sleep 5
      "$0" start-once "$D" && exit 0
      echo "rgw.sh: start attempt $attempt failed, log: $(tail -n 3 "$D"/log/*.log 2>/dev/null | tr '\n' ' ')" >&2
      "$0" stop "$D" || true
    done
    exit 1 ;;
  start-once) ;;
  *) die "unknown command $cmd" ;;
esac

for b in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph-authtool curl python3; do
  command -v "$b" >/dev/null || die "$b not found: run scripts/install-deps.sh storage"
done
[[ -d $D ]] && "$0" stop "$D"
rm -rf "$D"; mkdir -p "$D"/{run,log,mon/ceph-a,osd/ceph-0,rgw}
MON_PORT=$(free_port); PORT=$(free_port)
while [[ $PORT == "$MON_PORT" ]]; do PORT=$(free_port); done
echo "$PORT" > "$D/rgw.port"
FSID=$(cat /proc/sys/kernel/random/uuid)
cat > "$D/ceph.conf" <<CONF
[global]
fsid = $FSID
mon host = v1:127.0.0.1:$MON_PORT
public addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
mon allow pool delete = true
osd crush chooseleaf type = 0
osd objectstore = memstore
memstore device bytes = 2147483648
run dir = $D/run
admin socket = $D/run/\$name.asok
log file = $D/log/\$name.log
mon data = $D/mon/\$cluster-\$id
osd data = $D/osd/\$cluster-\$id
keyring = $D/keyring
mon data avail crit = 1
[client.rgw.0]
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw data = $D/rgw
CONF
C=(-c "$D/ceph.conf")
ceph-authtool --create-keyring "$D/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
monmaptool --create --addv a "[v1:127.0.0.1:$MON_PORT]" --fsid "$FSID" "$D/monmap" >/dev/null
ceph-mon "${C[@]}" --mkfs -i a --monmap "$D/monmap" --keyring "$D/keyring"
ceph-mon "${C[@]}" -i a --pid-file "$D/run/mon.pid" || die "ceph-mon did not start; see $D/log"
OSDID=$(timeout 60 ceph "${C[@]}" osd create) || die "no answer from ceph-mon; see $D/log/mon.a.log"
ceph-osd "${C[@]}" -i "$OSDID" --mkfs >/dev/null 2>&1 || die "ceph-osd --mkfs failed; see $D/log"
ceph-osd "${C[@]}" -i "$OSDID" --pid-file "$D/run/osd.pid" || die "ceph-osd did not start; see $D/log"
start_rgw
radosgw-admin "${C[@]}" user create --uid=tester --display-name=tester \
  --access-key="$AK" --secret-key="$SK" >/dev/null || die "radosgw-admin user create failed"
cat > "$D/env" <<ENV
S3_ENDPOINT=http://127.0.0.1:$PORT
AWS_ACCESS_KEY_ID=$AK
AWS_SECRET_ACCESS_KEY=$SK
AWS_DEFAULT_REGION=us-east-1
ENV
echo "rgw.sh: s3 endpoint http://127.0.0.1:$PORT (state in $D)"
