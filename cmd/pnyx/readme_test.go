package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestREADMEConfigurationTable keeps the README's table in step with the
// settings: every key appears with its variable, flag and default, and the
// table has no row for a key that is gone.
func TestREADMEConfigurationTable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	// The rows of the table under "## Configuration", by key.
	rows := map[string]string{}
	inSection := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "## ") {
			inSection = line == "## Configuration"
		}
		if inSection && strings.HasPrefix(line, "| `") {
			key, _, _ := strings.Cut(strings.TrimPrefix(line, "| `"), "`")
			rows[key] = line
		}
	}
	known := map[string]bool{}
	for _, s := range settings {
		known[s.Key] = true
	}
	for key := range rows {
		if !known[key] {
			t.Errorf("README documents %s, which is no setting", key)
		}
	}
	for _, s := range settings {
		t.Run(s.Key+" is documented as it is", func(t *testing.T) {
			row, ok := rows[s.Key]
			if !ok {
				t.Fatalf("README has no row for %s", s.Key)
			}
			def := fmt.Sprint(s.Default)
			if d, ok := s.Default.(time.Duration); ok {
				def = d.String()
			}
			def = "`" + def + "`"
			if def == "``" {
				def = "| none |" // an empty default reads as none
			}
			for _, want := range []string{"`" + s.Env() + "`", "`--" + s.Flag + "`", def} {
				if !strings.Contains(row, want) {
					t.Errorf("row %q lacks %s", row, want)
				}
			}
		})
	}
}
