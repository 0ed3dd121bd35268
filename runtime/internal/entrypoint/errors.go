// Package entrypoint implements startorder-entrypoint, the wrapper that replaces the
// command of every ordered container: it waits for dependencies, runs the real command
// as a child, and reports what happened through files in a shared directory.
package entrypoint

import (
	"errors"
	"fmt"
)

// Exit codes of the wrapper itself (docs/CONTRACT.md). Any other code is the child's.
const (
	ExitOK            = 0
	ExitUsage         = 2   // bad flag or argument, unreadable directory
	ExitDependency    = 3   // a dependency failed or -wait_timeout expired
	ExitIO            = 4   // the wrapper's own I/O failure (status dir unwritable, ...)
	ExitReadyTimeout  = 5   // -ready_timeout ran out: the child was stopped
	ExitTimeout       = 124 // -timeout expired
	ExitNotExecutable = 126 // the command exists but cannot be executed
	ExitNotFound      = 127 // the command does not exist
	ExitSignalBase    = 128 // 128+N: the child was killed by signal N
)

// UsageError is a bad flag, argument or unreadable path. It maps to ExitUsage.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, a ...any) error { return &UsageError{Msg: fmt.Sprintf(format, a...)} }

// IOError is a failure of the wrapper's own I/O. It maps to ExitIO.
type IOError struct {
	Op  string
	Err error
}

func (e *IOError) Error() string { return e.Op + ": " + e.Err.Error() }
func (e *IOError) Unwrap() error { return e.Err }

// StartError is a failure to start the child; Code is 126 or 127 (or ExitIO).
type StartError struct {
	Code int
	Path string
	Err  error
}

func (e *StartError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *StartError) Unwrap() error { return e.Err }

// AccessError reports a waited path that cannot be inspected (for example a directory
// the wrapper's UID may not read). It maps to ExitUsage.
type AccessError struct {
	Path string
	Err  error
}

func (e *AccessError) Error() string { return "cannot read " + e.Path + ": " + e.Err.Error() }
func (e *AccessError) Unwrap() error { return e.Err }

// ExitCode maps an error to the wrapper's exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ue *UsageError
	var ae *AccessError
	var se *StartError
	switch {
	case errors.As(err, &ue), errors.As(err, &ae):
		return ExitUsage
	case errors.As(err, &se):
		return se.Code
	}
	return ExitIO
}
