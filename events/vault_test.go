package events

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSubjectRef(t *testing.T) {
	t.Run("a new reference is random and well formed", func(t *testing.T) {
		a, err := NewSubjectRef(bytes.NewReader(bytes.Repeat([]byte{0xab}, 16)))
		if err != nil || a != "subj-abababababababababababababababab" || a.Validate() != nil {
			t.Fatalf("NewSubjectRef = %q, %v", a, err)
		}
	})
	t.Run("a failing source of randomness is an internal error", func(t *testing.T) {
		if _, err := NewSubjectRef(strings.NewReader("short")); ErrorCode(err) != CodeInternal {
			t.Fatalf("err = %v", err)
		}
	})
	for _, r := range []SubjectRef{"", "subj-", "eleni@example.gr", "subj-0123456789ABCDEF0123456789abcdef", "subj-0123456789abcdef0123456789abcde", "SUBJ-0123456789abcdef0123456789abcdef"} {
		t.Run("refuses "+string(r), func(t *testing.T) {
			if ErrorCode(r.Validate()) != CodeInvalid {
				t.Fatalf("Validate(%q) passed", r)
			}
		})
	}
}

func TestPersonValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		p    Person
		ok   bool
	}{
		{"a Greek name alone is enough", Person{Name: "Ελένη Παπαδοπούλου"}, true},
		{"a display name alone is enough", Person{DisplayName: "Ελένη Π."}, true},
		{"a full person is valid", Person{Name: "Ελένη", Email: "eleni@example.gr", Phone: "+30 (210) 123-4567", DisplayName: "Ε."}, true},
		{"an empty person is refused", Person{}, false},
		{"an e-mail that is not an address is refused", Person{Email: "eleni at example"}, false},
		{"an e-mail with a display part is refused", Person{Email: "Eleni <eleni@example.gr>"}, false},
		{"a phone with letters is refused", Person{Phone: "210-ELENI"}, false},
		{"a phone with too few digits is refused", Person{Phone: "12345"}, false},
		{"a name over the limit is refused", Person{Name: strings.Repeat("α", MaxPersonFieldRunes+1)}, false},
		{"invalid UTF-8 is refused", Person{Name: "\xff"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.p.Validate()
			if (err == nil) != c.ok || (err != nil && ErrorCode(err) != CodeInvalid) {
				t.Fatalf("Validate = %v", err)
			}
		})
	}
}

func FuzzSubjectRef(f *testing.F) {
	f.Add("subj-0123456789abcdef0123456789abcdef")
	f.Add("subj-")
	f.Fuzz(func(t *testing.T, s string) {
		if err := SubjectRef(s).Validate(); err == nil {
			if len(s) != 37 || !strings.HasPrefix(s, "subj-") || strings.Trim(s[5:], "0123456789abcdef") != "" {
				t.Fatalf("accepted %q", s)
			}
		} else if ErrorCode(err) != CodeInvalid {
			t.Fatalf("error of code %s", ErrorCode(err))
		}
	})
}

func FuzzPersonValidate(f *testing.F) {
	f.Add("Ελένη", "eleni@example.gr", "+30 210 123 4567", "Ε.")
	f.Add("", "a@b", "((((", "\xff")
	f.Fuzz(func(t *testing.T, name, email, phone, display string) {
		p := Person{Name: name, Email: email, Phone: phone, DisplayName: display}
		err := p.Validate()
		if err != nil {
			if ErrorCode(err) != CodeInvalid {
				t.Fatalf("error of code %s", ErrorCode(err))
			}
			return
		}
		if p == (Person{}) || !utf8.ValidString(name+email+phone+display) {
			t.Fatalf("accepted %+v", p)
		}
	})
}
