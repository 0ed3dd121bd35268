package entrypoint

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The probes talk TCP through raw socket system calls instead of package net: net
// adds about 360 KB to the binary, which would push it past its 2.5 MB budget. The
// price is name resolution: IP literals, "localhost" and /etc/hosts only (no DNS).
// Readiness checks run inside the pod, where localhost or the pod IP is the norm.

// splitHostPort splits "host:port" or "[v6]:port".
func splitHostPort(s string) (host string, port int, err error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "", 0, errors.New("missing port")
	}
	host, ps := s[:i], s[i+1:]
	if strings.HasPrefix(host, "[") {
		if !strings.HasSuffix(host, "]") {
			return "", 0, errors.New("bad IPv6 literal")
		}
		host = host[1 : len(host)-1]
	} else if strings.Contains(host, ":") {
		return "", 0, errors.New("IPv6 address needs brackets")
	}
	port, perr := strconv.Atoi(ps)
	if perr != nil || port < 1 || port > 65535 || host == "" {
		return "", 0, errors.New("bad host or port")
	}
	return host, port, nil
}

// resolve turns host into addresses: an IP literal, localhost, or an /etc/hosts entry.
func resolve(host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a.Unmap()}, nil
	}
	var out []netip.Addr
	if b, err := os.ReadFile("/etc/hosts"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if i := strings.IndexByte(line, '#'); i >= 0 {
				line = line[:i]
			}
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			a, err := netip.ParseAddr(f[0])
			if err != nil {
				continue
			}
			for _, name := range f[1:] {
				if strings.EqualFold(strings.TrimSuffix(name, "."), strings.TrimSuffix(host, ".")) {
					out = append(out, a.Unmap())
				}
			}
		}
	}
	if len(out) == 0 && strings.EqualFold(host, "localhost") {
		out = []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback()}
	}
	if len(out) == 0 {
		return nil, errors.New("cannot resolve " + host + " (only IP addresses, localhost and /etc/hosts names are supported)")
	}
	return out, nil
}

// tcpConn is a connected blocking socket with one absolute deadline: before every
// send and receive, SO_SNDTIMEO/SO_RCVTIMEO are set to the time left, so a server
// that drips a byte at a time cannot keep an attempt alive past its deadline.
type tcpConn struct {
	fd       int
	deadline time.Time
}

func (c tcpConn) Close() error { return syscall.Close(c.fd) }

// arm sets the socket timeouts to the time left until the deadline.
func (c tcpConn) arm() error {
	left := time.Until(c.deadline)
	if left <= 0 {
		return context.DeadlineExceeded
	}
	tv := syscall.NsecToTimeval(left.Nanoseconds())
	if tv.Sec == 0 && tv.Usec == 0 {
		tv.Usec = 1
	}
	syscall.SetsockoptTimeval(c.fd, syscall.SOL_SOCKET, syscall.SO_SNDTIMEO, &tv)
	syscall.SetsockoptTimeval(c.fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv)
	return nil
}

// timedOut maps the errno of an expired socket timeout to context.DeadlineExceeded.
func timedOut(err error) error {
	if err == syscall.EAGAIN || err == syscall.EINPROGRESS || err == syscall.ETIMEDOUT {
		return context.DeadlineExceeded
	}
	return err
}

func (c tcpConn) write(b []byte) error {
	for len(b) > 0 {
		if err := c.arm(); err != nil {
			return err
		}
		n, err := syscall.Write(c.fd, b)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return timedOut(err)
		}
		b = b[n:]
	}
	return nil
}

// readLine reads up to the first newline (at most 4 KiB).
func (c tcpConn) readLine() (string, error) {
	var buf []byte
	tmp := make([]byte, 512)
	for len(buf) < 4096 {
		if err := c.arm(); err != nil {
			return "", err
		}
		n, err := syscall.Read(c.fd, tmp)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return "", timedOut(err)
		}
		if n == 0 {
			break
		}
		buf = append(buf, tmp[:n]...)
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			return string(buf[:i+1]), nil
		}
	}
	if len(buf) == 0 {
		return "", errors.New("connection closed without a response")
	}
	return string(buf), nil
}

// dialTCP connects to hostport, trying each address, within ctx's deadline (5 s if
// none), which stays the deadline of everything done on the connection.
func dialTCP(ctx context.Context, hostport string) (tcpConn, error) {
	host, port, err := splitHostPort(hostport)
	if err != nil {
		return tcpConn{}, err
	}
	addrs, err := resolve(host)
	if err != nil {
		return tcpConn{}, err
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(5 * time.Second)
	}
	var last error
	for _, a := range addrs {
		if err := ctx.Err(); err != nil {
			return tcpConn{}, err
		}
		c, err := connect(a, port, deadline)
		if err == nil {
			return c, nil
		}
		last = timedOut(err)
		if last == context.DeadlineExceeded {
			return tcpConn{}, last
		}
	}
	return tcpConn{}, last
}

func connect(a netip.Addr, port int, deadline time.Time) (tcpConn, error) {
	family := syscall.AF_INET
	var sa syscall.Sockaddr
	if a.Is4() {
		sa = &syscall.SockaddrInet4{Port: port, Addr: a.As4()}
	} else {
		family = syscall.AF_INET6
		sa = &syscall.SockaddrInet6{Port: port, Addr: a.As16()}
	}
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return tcpConn{}, err
	}
	c := tcpConn{fd: fd, deadline: deadline}
	// A blocking connect ends when SO_SNDTIMEO expires.
	if err := c.arm(); err != nil {
		syscall.Close(fd)
		return tcpConn{}, err
	}
	for {
		err = syscall.Connect(fd, sa)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		syscall.Close(fd)
		return tcpConn{}, err
	}
	return c, nil
}
