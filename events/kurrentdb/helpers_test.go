package kurrentdb_test

import (
	"strconv"
	"strings"
)

func itoa(n int) string             { return strconv.Itoa(n) }
func repeat(s string, n int) string { return strings.Repeat(s, n) }
func contains(s, sub string) bool   { return strings.Contains(s, sub) }
