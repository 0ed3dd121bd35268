package entrypoint

import (
	"errors"
	"slices"
	"sync"
)

// fakeStatus keeps an in-memory file system and the order of operations.
type fakeStatus struct {
	mu       sync.Mutex
	initErr  error
	writeErr map[string]bool
	files    map[string]string
	written  map[string]bool // every path ever written
	log      []string
	term     []byte
}

func (s *fakeStatus) Init(dir string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, "init "+dir)
	return s.initErr
}

func (s *fakeStatus) Lock(dir, content string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[dir+"/lock"] = content
	s.log = append(s.log, "lock "+dir)
	return nil
}

func (s *fakeStatus) MkParent(path string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, "mkparent "+path)
	return nil
}

func (s *fakeStatus) Write(path, content string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.writeErr[path] {
		s.log = append(s.log, "failed write "+path)
		return errors.New("write " + path + ": no space left on device")
	}
	s.files[path] = content
	if s.written == nil {
		s.written = map[string]bool{}
	}
	s.written[path] = true
	s.log = append(s.log, "write "+path)
	return nil
}

func (s *fakeStatus) Remove(path string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.files, path)
	s.log = append(s.log, "remove "+path)
	return nil
}

func (s *fakeStatus) WriteTermination(path string, msg []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.term = msg
	s.log = append(s.log, "term "+path)
	return nil
}

func (s *fakeStatus) has(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.files[path]
	return ok
}

// wrote reports whether path was written during the run (it may be removed since).
func (s *fakeStatus) wrote(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.written[path]
}

func (s *fakeStatus) index(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Index(s.log, op)
}
