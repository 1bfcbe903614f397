package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

var update = flag.Bool("update", false, "rewrite docs/EVENTS.md from the catalog")

// eventsMD is docs/EVENTS.md, relative to this package.
var eventsMD = filepath.Join("..", "..", "..", "docs", "EVENTS.md")

func TestEventsMDIsCurrent(t *testing.T) {
	var buf bytes.Buffer
	if err := render(&buf, events.Catalog(), events.Rules()); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(eventsMD, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(eventsMD)
	if err != nil {
		t.Fatalf("%v; generate it with go run ./events/internal/eventsdoc > docs/EVENTS.md", err)
	}
	if !bytes.Equal(got, buf.Bytes()) {
		t.Fatal("docs/EVENTS.md is not current: regenerate it with go run ./events/internal/eventsdoc > docs/EVENTS.md (or go test ./events/internal/eventsdoc -update) and review the diff")
	}
}

func TestRenderNamesEveryTypeAndField(t *testing.T) {
	var buf bytes.Buffer
	if err := render(&buf, events.Catalog(), events.Rules()); err != nil {
		t.Fatal(err)
	}
	doc := buf.String()
	for _, s := range events.Catalog() {
		if !strings.Contains(doc, "### "+s.Type+"\n") || !strings.Contains(doc, s.Doc) {
			t.Errorf("%s or its doc is missing", s.Type)
		}
	}
	for _, want := range []string{"`number` | `int64`", "`settings` | `events.BodySettings`", "### events.BodySettings", "`kind` | `events.BodyKind (string)`", "Schema 2 (events stored at older schemas are upcast on read)",
		"**AdoptDecision** records `decision.adopted`", "one decision per passed vote", "## Rules of every command"} {
		if !strings.Contains(doc, want) {
			t.Errorf("document lacks %q", want)
		}
	}
}
