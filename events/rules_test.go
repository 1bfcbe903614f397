package events

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestRulesCoverEveryCommand keeps Rules (and so docs/EVENTS.md) complete:
// every exported command of the package (a type with a Stream method) has
// its rules, each naming events of the catalog of its aggregate.
func TestRulesCoverEveryCommand(t *testing.T) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var commands []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Name.Name != "Stream" || len(fn.Recv.List) != 1 {
				continue
			}
			if id, ok := fn.Recv.List[0].Type.(*ast.Ident); ok && ast.IsExported(id.Name) {
				commands = append(commands, id.Name)
			}
		}
	}
	spec := map[string]EventSpec{}
	for _, s := range Catalog() {
		spec[s.Type] = s
	}
	documented := map[string]bool{}
	for _, r := range Rules() {
		documented[r.Command] = true
		if len(r.Rules) == 0 || len(r.Events) == 0 {
			t.Errorf("%s has no rules or no events", r.Command)
		}
		for _, e := range r.Events {
			s, ok := spec[e]
			if !ok {
				t.Errorf("%s records %s, which is not in the catalog", r.Command, e)
			}
			if i := slices.Index(r.Events, e); i == 0 && s.Aggregate != r.Aggregate {
				t.Errorf("%s is a command of %s, but its first event %s belongs to %s", r.Command, r.Aggregate, e, s.Aggregate)
			}
		}
	}
	if len(commands) < 40 {
		t.Fatalf("found only %d commands: %v", len(commands), commands)
	}
	for _, c := range commands {
		if !documented[c] {
			t.Errorf("command %s has no rules in Rules()", c)
		}
	}
}
