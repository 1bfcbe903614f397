package graphql_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen/config"
)

// TestGeneratedCodeIsCurrent regenerates the executor from schema.graphql
// and gqlgen.yml into a scratch directory and requires it to equal the
// committed code: a schema change without `go generate ./graphql` fails.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("regenerating loads every package the schema binds")
	}
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	// Inside the module, so the scratch package resolves the model
	// packages it imports; under testdata, so no build sees it.
	scratch, err := os.MkdirTemp("testdata", "regen-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !t.Failed() {
			os.RemoveAll(scratch)
		}
	})
	cfg, err := config.LoadConfig("gqlgen.yml")
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(scratch)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Exec.Filename = filepath.Join(abs, "generated.go")
	cfg.Model.Filename = filepath.Join(abs, "models_gen.go")
	if err := api.Generate(cfg); err != nil {
		t.Fatalf("gqlgen generate: %v", err)
	}
	// The scratch package's path shows in gqlgen's mangled names, and the
	// schema's in its source table: both as the committed package's.
	mangle := strings.NewReplacer(".", "ᚗ", "/", "ᚋ", "-", "ᚑ").Replace
	const module = "github.com/pnyx-civic/pnyx/graphql/"
	asCommitted := strings.NewReplacer(mangle(module+filepath.ToSlash(scratch)), mangle(module+"generated"),
		`"../../schema.graphql"`, `"../schema.graphql"`)
	for _, name := range []string{"generated.go", "models_gen.go"} {
		regenerated, err := os.ReadFile(filepath.Join(scratch, name))
		if err != nil {
			t.Fatal(err)
		}
		want := []byte(asCommitted.Replace(string(regenerated)))
		got, err := os.ReadFile(filepath.Join("generated", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("generated/%s is not what schema.graphql generates: run `go generate ./graphql` and commit the result", name)
		}
	}
}
