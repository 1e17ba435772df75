#!/bin/sh
# Builds the images the docker sandbox tests run (no registry needed): a root made of
# Debian's busybox-static, imported with `docker import`. Idempotent: an image that exists is
# kept. Each image carries its name in /etc/cmdx-image, so a test can tell which one ran.
#   usage: docker-test-image.sh [docker-cli]    (prints nothing on success)
set -eu
docker=${1:-docker}
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || { echo "docker-test-image: busybox not found (apt-get install busybox-static)" >&2; exit 1; }
# a dynamically linked busybox would need the host's libraries inside the image
if ldd "$busybox" >/dev/null 2>&1; then
  echo "docker-test-image: $busybox is not statically linked (apt-get install busybox-static)" >&2; exit 1
fi
for tag in default alt; do
  image="cmd-executor-test/busybox:$tag"
  "$docker" image inspect "$image" >/dev/null 2>&1 && continue
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/proc" "$root/sys" "$root/dev"
  chmod 1777 "$root/tmp" # docker copies it onto the --tmpfs mount: jobs run as other uids
  cp "$busybox" "$root/bin/busybox"
  for applet in $("$busybox" --list); do [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$root/etc/passwd"
  printf '%s\n' "$tag" > "$root/etc/cmdx-image"
  tar -C "$root" -c . | "$docker" import --change 'ENV PATH=/bin' - "$image" >/dev/null
  rm -rf "$root"
  trap - EXIT
done
