package entrypoint

import "strings"

// Salvage reads, from a command line that failed to parse, the flags that say where
// the wrapper reports: the status directory, the post file, the termination path and
// the restart policy. It never fails; what it cannot read stays empty. It reads up to
// "--", past values it cannot place, because a bad value is often the cause.
func Salvage(args []string) Config {
	c := Config{RestartPolicy: RestartNever}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") {
			continue // the value of a flag that did not parse, most likely
		}
		name := strings.TrimLeft(a, "-")
		value, hasValue := "", false
		if n, v, ok := strings.Cut(name, "="); ok {
			name, value, hasValue = n, v, true
		}
		var dst *string
		switch name {
		case "status_dir":
			dst = &c.StatusDir
		case "post_file":
			dst = &c.PostFile
		case "termination_path":
			dst = &c.TerminationPath
		case "restart_policy":
			dst = &c.RestartPolicy
		default:
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				break
			}
			i++
			value = args[i]
		}
		if value != "" && !strings.ContainsRune(value, 0) {
			*dst = value
		}
	}
	switch c.RestartPolicy {
	case RestartNever, RestartOnFailure, RestartAlways:
	default:
		c.RestartPolicy = RestartNever
	}
	return c
}
