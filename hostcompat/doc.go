// Package hostcompat tells whether a plugin .so will load into a given StreamSpace API
// server binary, and builds one that does.
//
// Go's plugin package refuses a plugin unless host and plugin were built by the same Go
// release, from identical copies of every package they both link, with the same code
// generation settings (-race, -trimpath, build tags, GOAMD64 and the like), and, when
// paths are not trimmed, from the same GOROOT and module cache directories, since the
// source paths are part of each package's hash. A host built with CGO_ENABLED=0 cannot
// load plugins at all, and a plugin linked against one C library (glibc or musl) does
// not load into a process running on the other.
//
// Inspect reads these facts from an ELF executable or shared object, Compare sets two
// of them side by side, Check does both and prints the result, and AlignedBuild builds
// a plugin whose facts match a given host.
package hostcompat
