# The traced job of the kernel-matrix guest: one of each thing a family records.
/bin/busybox echo hello a "b c"
echo jobtrail-smoke >/tmp/smoke-file.txt
netcheck tcp-client 7000 ping-0123456789
netcheck dns-query 53 smoke.jobtrail.test
mkdir -p /tmp/mnt
mount -t tmpfs none /tmp/mnt && umount /tmp/mnt
bpftool prog show --json >/tmp/progs.json 2>&1
exit 3
