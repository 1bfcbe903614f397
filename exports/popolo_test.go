package exports_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/exports"
	"github.com/pnyx-civic/pnyx/internal/schematest"
)

func TestPopoloOfTheDemo(t *testing.T) {
	w := demoMunicipality(t)
	out, _ := writeRelease(t, w, 0)
	b, err := os.ReadFile(filepath.Join(out, exports.PopoloFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string][]json.RawMessage
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for key, kind := range map[string]string{"persons": "person", "organizations": "organization", "memberships": "membership",
		"motions": "motion", "vote_events": "vote_event"} {
		t.Run(key+" validate against the Popolo schema", func(t *testing.T) {
			if len(doc[key]) == 0 {
				t.Fatalf("no %s", key)
			}
			s := schematest.Popolo(t, kind)
			bad := 0
			for i, item := range doc[key] {
				if err := schematest.Check(s, item); err != nil {
					if bad++; bad <= 3 {
						t.Errorf("%s[%d]: %v", key, i, err)
					}
				}
			}
		})
	}
	t.Run("vote events carry counts and each member's vote", func(t *testing.T) {
		withVotes := 0
		for _, ve := range doc["vote_events"] {
			var v struct {
				Counts []struct{ Option string } `json:"counts"`
				Votes  []struct {
					VoterID string `json:"voter_id"`
					Option  string `json:"option"`
				} `json:"votes"`
			}
			json.Unmarshal(ve, &v)
			if len(v.Votes) > 0 {
				withVotes++
			}
		}
		if withVotes == 0 {
			t.Error("no vote event has votes")
		}
	})
	t.Run("persons hold public fields only", func(t *testing.T) {
		for _, p := range doc["persons"] {
			var m map[string]any
			json.Unmarshal(p, &m)
			for k := range m {
				if k != "id" && k != "name" {
					t.Errorf("person field %s", k)
				}
			}
		}
	})
	t.Run("the converted schema still refuses what Popolo forbids", func(t *testing.T) {
		s := schematest.Popolo(t, "count")
		if schematest.Check(s, []byte(`{"option":"yes"}`)) == nil {
			t.Error("a count without a value passed: the required properties were lost")
		}
		s = schematest.Popolo(t, "membership")
		if schematest.Check(s, []byte(`{"start_date":"`+strings.Repeat("x", 4)+`"}`)) == nil {
			t.Error("a membership with a malformed date passed")
		}
	})
}
