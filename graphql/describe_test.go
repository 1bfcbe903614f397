package graphql_test

import (
	"strings"
	"testing"

	gqlast "github.com/vektah/gqlparser/v2/ast"
)

// TestEverythingIsDescribed requires a description on every type, field,
// argument, input field and enum value of the schema: the explorer shows
// them, and clients read the API from them.
func TestEverythingIsDescribed(t *testing.T) {
	var missing []string
	for name, def := range schemaDoc.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		if strings.TrimSpace(def.Description) == "" {
			missing = append(missing, name)
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if strings.TrimSpace(f.Description) == "" {
				missing = append(missing, name+"."+f.Name)
			}
			for _, a := range f.Arguments {
				if strings.TrimSpace(a.Description) == "" {
					missing = append(missing, name+"."+f.Name+"("+a.Name+")")
				}
			}
		}
		if def.Kind == gqlast.Enum {
			for _, v := range def.EnumValues {
				if strings.TrimSpace(v.Description) == "" {
					missing = append(missing, name+"."+v.Name)
				}
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d parts of the schema have no description: %s", len(missing), strings.Join(missing, ", "))
	}
}
