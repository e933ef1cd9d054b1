#!/bin/sh
# plugin_size.sh PLUGIN PLUGINPATH
#
# Prints the size of PLUGIN, the .so `make build` wrote, and of the same build linked with
# -s -w (no symbol table, no DWARF), built into a temporary directory and removed after.
# Run it from the repository root with the plugin path make build used; `make bench` does.
set -eu

if [ $# -ne 2 ] || [ ! -f "$1" ]; then
	echo "usage: $0 PLUGIN PLUGINPATH (PLUGIN is the .so make build wrote)" >&2
	exit 2
fi
so=$1
pluginpath=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

${GO:-go} build -buildmode=plugin -gcflags=-p="$pluginpath" \
	-ldflags="-pluginpath=$pluginpath -s -w" -o "$tmp/stripped.so" .

row() {
	awk -v n="$1" -v b="$2" 'BEGIN { printf "%-32s %10d bytes %7.2f MiB\n", n, b, b / 1048576 }'
}
row "$so (make build)" "$(stat -c %s "$so")"
row "same build, -ldflags=-s -w" "$(stat -c %s "$tmp/stripped.so")"
