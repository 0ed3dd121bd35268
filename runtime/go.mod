module startorder/runtime

go 1.26

// The runtime image is pinned by digest (src/generated/runtime-image.ts): the same bytes need the same Go release.
toolchain go1.26.8
