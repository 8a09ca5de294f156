# The traced job of the kernel-matrix guest: one of each thing a family records.
/bin/busybox echo hello a "b c"
echo jobtrail-smoke >/tmp/smoke-file.txt
netcheck tcp-client 7000 ping-0123456789
netcheck dns-query 53 smoke.jobtrail.test
mkdir -p /tmp/mnt
mount -t tmpfs none /tmp/mnt && umount /tmp/mnt
touch /tmp/job-waiting # /init reads the BPF run times now
i=0
while [ ! -e /tmp/progs.json ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
exit 3
