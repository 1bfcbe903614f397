// Package schematest validates Pnyx's open-data output in tests against
// the official schemas of the standards, kept in testdata/schemas (see
// SOURCES.md there) and embedded, so nothing is fetched at test time and
// every package's tests find them. Only tests import it.
package schematest

import (
	"bytes"
	"embed"
	"encoding/json"
	"io/fs"
	"path"
	"testing"

	"github.com/dlclark/regexp2/v2"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed testdata/schemas
var schemas embed.FS

// File returns the bytes of a schema file, by its path under
// testdata/schemas, such as "ocds-1.1.5/codelists/releaseTag.csv".
func File(t testing.TB, name string) []byte {
	t.Helper()
	b, err := fs.ReadFile(schemas, path.Join("testdata/schemas", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The Frictionless profiles use look-ahead in patterns, which Go's regexp
// lacks: patterns compile with regexp2 (backtracking, .NET syntax).
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

// Compiler returns a compiler with the local files registered under
// their ids: ids maps each id (URL) to a file under testdata/schemas.
// convert, when set, rewrites each document before it is registered (a
// draft-03 schema into draft-04).
func Compiler(t testing.TB, ids map[string]string, convert func(any) any) *jsonschema.Compiler {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.UseRegexpEngine(regexpEngine)
	for u, f := range ids {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(File(t, f)))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if convert != nil {
			doc = convert(doc)
		}
		if err := c.AddResource(u, doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	return c
}

// Compile compiles the schema at url from file, with the other ids
// registered as in Compiler.
func Compile(t testing.TB, url, file string, ids map[string]string) *jsonschema.Schema {
	t.Helper()
	all := map[string]string{url: file}
	for u, f := range ids {
		all[u] = f
	}
	s, err := Compiler(t, all, nil).Compile(url)
	if err != nil {
		t.Fatalf("compile %s: %v", url, err)
	}
	return s
}

// Validate reports an error of t for each violation of s by doc.
func Validate(t testing.TB, s *jsonschema.Schema, what string, doc []byte) {
	t.Helper()
	if err := Check(s, doc); err != nil {
		t.Errorf("%s does not validate: %v", what, err)
	}
}

// Check returns the violations of s by doc, nil when it validates.
func Check(s *jsonschema.Schema, doc []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	return s.Validate(inst)
}

// DataPackage compiles the Frictionless v2 profiles: datapackage,
// dataresource and tableschema.
func DataPackage(t testing.TB) (pkg, resource, table *jsonschema.Schema) {
	const base = "https://datapackage.org/profiles/2.0/"
	return Compile(t, base+"datapackage.json", "datapackage-2.0/datapackage.json", nil),
		Compile(t, base+"dataresource.json", "datapackage-2.0/dataresource.json", nil),
		Compile(t, base+"tableschema.json", "datapackage-2.0/tableschema.json", nil)
}

// JSON marshals v for Check, failing t on an error.
func JSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Draft03To04 rewrites a draft-03 schema document as draft-04: a
// property's "required": true becomes its name in the parent's
// "required" array, and $schema names draft-04. Popolo's schemas are
// draft-03, which the validator does not read.
func Draft03To04(doc any) any {
	switch x := doc.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, v := range x {
			out[k] = Draft03To04(v)
		}
		if s, ok := out["$schema"].(string); ok && s == "http://json-schema.org/draft-03/schema#" {
			out["$schema"] = "http://json-schema.org/draft-04/schema#"
		}
		if _, ok := out["required"].(bool); ok {
			delete(out, "required")
		}
		if props, ok := x["properties"].(map[string]any); ok {
			var req []any
			for name, p := range props {
				if pm, ok := p.(map[string]any); ok && pm["required"] == true {
					req = append(req, name)
				}
			}
			if req != nil {
				out["required"] = req
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, v := range x {
			out[i] = Draft03To04(v)
		}
		return out
	}
	return doc
}

// Popolo compiles the Popolo schema of kind (person, organization,
// membership, motion, vote_event, ...), converted to draft-04, with every
// other Popolo schema registered under its id.
func Popolo(t testing.TB, kind string) *jsonschema.Schema {
	t.Helper()
	const base = "http://www.popoloproject.com/schemas/"
	entries, err := fs.ReadDir(schemas, "testdata/schemas/popolo-1.0")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, e := range entries {
		ids[base+e.Name()] = "popolo-1.0/" + e.Name()
	}
	s, err := Compiler(t, ids, Draft03To04).Compile(base + kind + ".json")
	if err != nil {
		t.Fatalf("compile popolo %s: %v", kind, err)
	}
	return s
}
