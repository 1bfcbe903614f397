package kurrentdb_test

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
)

func itoa(n int) string             { return strconv.Itoa(n) }
func repeat(s string, n int) string { return strings.Repeat(s, n) }
func contains(s, sub string) bool   { return strings.Contains(s, sub) }

// syncBuffer is a log destination safe for the store's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
