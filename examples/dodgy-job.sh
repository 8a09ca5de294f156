#!/bin/sh
# The "dodgy user" session of the seed blog post, as a sample job for `jobtrail-sidecar record`
# (scripts/demo.sh). Harmless: the mount point does not exist, so mount fails even where
# /dev/sda2 does; curl only talks to 127.0.0.1:1.
whoami
ls -la / > /dev/null
mount /dev/sda2 /mnt/jobtrail-demo-no-such-dir 2>/dev/null || echo "mount failed (as expected)"
if command -v curl >/dev/null 2>&1; then
  curl -k -s --max-time 2 https://127.0.0.1:1/ || echo "curl failed (as expected)"
  # the post's `curl -k | bash`: curl fails, so the shell reads nothing and runs nothing
  curl -k -s --max-time 2 https://127.0.0.1:1/install.sh | sh
fi
ls /jobtrail-demo-no-such-file 2>/dev/null || echo "a failing command"
echo "dodgy" | tr a-z A-Z | wc -c
exit 0
