#!/bin/sh
# deb.sh CONTROL STAGE VERSION OUT: builds OUT (a .deb) from the files under
# STAGE, with the control files of CONTROL (control.in gets the version,
# the architecture and the installed size). Files belong to root.
set -eu
control=$1 stage=$2 version=$3 out=$4
mkdir -p "$stage/DEBIAN"
for f in conffiles postinst prerm postrm; do
	[ -f "$control/$f" ] && install -m "$( [ "$f" = conffiles ] && echo 0644 || echo 0755 )" "$control/$f" "$stage/DEBIAN/$f"
done
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$(dpkg --print-architecture)/" -e "s/@SIZE@/$size/" \
	"$control/control.in" > "$stage/DEBIAN/control"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$out" >/dev/null
echo "$out"
