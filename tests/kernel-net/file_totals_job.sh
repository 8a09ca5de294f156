#!/bin/sh
# The job of file_totals.py: each way a CI step moves file bytes through an fd that is not the
# one its open returned, with byte counts the test checks exactly.
# usage: file_totals_job.sh DIR PYTHON
set -e
w=$1 py=$2
head -c 50000 /dev/zero >"$w/redirect.bin"              # the shell opens, head writes through fd 1
echo one >>"$w/append.txt"                              # the shell's builtin, twice: 4 + 4 bytes
echo two >>"$w/append.txt"
dd if=/dev/zero of="$w/dd.bin" bs=123457 count=1 2>/dev/null   # dd reopens of= onto fd 1
dd if="$w/dd.bin" of=/dev/null bs=70001 count=1 2>/dev/null    # and if= onto fd 0
head -c 3333 /dev/zero | tee "$w/tee.bin" >/dev/null
"$py" - "$w" <<'PY'
import os, sys
w = sys.argv[1]
flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
# one description shared by parent and child after fork: 1000 + 2000 bytes
fd = os.open(w + "/forked.bin", flags, 0o644)
pid = os.fork()
if pid == 0:
    os.write(fd, b"c" * 1000)
    os._exit(0)
os.waitpid(pid, 0)
os.write(fd, b"p" * 2000)
os.close(fd)
# dup2 onto stdout, written through fd 1 only, released at exit: 4242 bytes
pid = os.fork()
if pid == 0:
    fd = os.open(w + "/dup2.bin", flags, 0o644)
    os.dup2(fd, 1)
    os.close(fd)
    os.write(1, b"d" * 4242)
    os._exit(0)
os.waitpid(pid, 0)
# sendfile: 10000 of the 12345 bytes of src.bin into dst.bin
src = os.open(w + "/src.bin", flags, 0o644)
os.write(src, b"s" * 12345)
os.close(src)
src = os.open(w + "/src.bin", os.O_RDONLY)
dst = os.open(w + "/dst.bin", flags, 0o644)
sent = 0
while sent < 10000:
    n = os.sendfile(dst, src, sent, 10000 - sent)
    if n <= 0:
        break
    sent += n
os.close(src)
os.close(dst)
PY
# the runner's command file for $GITHUB_ENV, under a runner-like _work/_temp tree
cmd="$w/runner/_work/_temp/_runner_file_commands"
mkdir -p "$cmd"
GITHUB_ENV="$cmd/set_env_5d3c2b1a-0000-4000-8000-000000000001"
echo "FOO=bar" >>"$GITHUB_ENV"
echo "LD_PRELOAD=/tmp/x.so" >>"$GITHUB_ENV"
