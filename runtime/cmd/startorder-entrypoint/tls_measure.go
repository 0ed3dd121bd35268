//go:build tlsmeasure

package main

// Not part of the wrapper. Built only with -tags tlsmeasure, to measure what an HTTPS
// readiness probe would cost in binary size (runtime/BENCHMARKS.runtime.md, HTTPS):
//
//	CGO_ENABLED=0 go build -tags tlsmeasure -trimpath -ldflags='-s -w' ./cmd/startorder-entrypoint
//
// A TLS client on the probe's socket needs crypto/tls, which also pulls in package net.

import (
	"crypto/tls"
	"os"
)

func init() {
	if os.Getenv("STARTORDER_TLS_MEASURE") != "" {
		c := tls.Client(nil, &tls.Config{InsecureSkipVerify: os.Getenv("STARTORDER_TLS_VERIFY") == ""})
		c.Handshake()
	}
}
