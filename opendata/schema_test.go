package opendata_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/dlclark/regexp2/v2"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The Frictionless profiles use look-ahead in patterns, which Go's regexp
// lacks: patterns compile with regexp2 (ECMAScript-like, backtracking).
type backtracking struct {
	re  *regexp2.Regexp
	src string
}

func (b backtracking) MatchString(s string) bool {
	ok, err := b.re.MatchString(s)
	return ok && err == nil
}

func (b backtracking) String() string { return b.src }

func regexpEngine(s string) (jsonschema.Regexp, error) {
	re, err := regexp2.Compile(s)
	if err != nil {
		return nil, err
	}
	return backtracking{re: re, src: s}, nil
}

// compileSchema compiles the schema at url from the local copy file (under
// testdata/schemas), with every other local file registered under its id
// as ids, so nothing is fetched.
func compileSchema(t testing.TB, url, file string, ids map[string]string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.UseRegexpEngine(regexpEngine)
	add := func(u, f string) {
		b, err := os.ReadFile(filepath.Join("testdata", "schemas", f))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := c.AddResource(u, doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	add(url, file)
	for u, f := range ids {
		add(u, f)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatalf("compile %s: %v", url, err)
	}
	return s
}

// validate checks doc against s and reports every violation.
func validate(t testing.TB, s *jsonschema.Schema, what string, doc []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("%s: not JSON: %v", what, err)
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("%s does not validate: %v", what, err)
	}
}

func jsonschemaUnmarshal(b []byte) (any, error) { return jsonschema.UnmarshalJSON(bytes.NewReader(b)) }
