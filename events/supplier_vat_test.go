package events

import (
	"strings"
	"testing"
)

func TestNormalizeVATID(t *testing.T) {
	valid := []struct{ in, want string }{
		{"094019245", "EL094019245"},
		{"090000045", "EL090000045"},
		{"EL997001671", "EL997001671"},
		{"GR094079101", "EL094079101"},
		{"el 800.123.456", "EL800123456"},
		{"DE123456789", "DE123456789"},
		{"NL123456789B01", "NL123456789B01"},
		{"fr 12 345678901", "FR12345678901"},
	}
	for _, c := range valid {
		t.Run("accepts "+c.in, func(t *testing.T) {
			got, err := NormalizeVATID(c.in)
			if err != nil || got != c.want {
				t.Fatalf("NormalizeVATID(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
		})
	}
	invalid := []string{"", "12345678", "1234567890", "094019246", "000000000", "EL09401924", "US123456789", "DE1", "DE1234567890123", "DE12345_789", "ΑΦΜ094019245"}
	for _, in := range invalid {
		t.Run("refuses "+in, func(t *testing.T) {
			if got, err := NormalizeVATID(in); ErrorCode(err) != CodeInvalid {
				t.Fatalf("NormalizeVATID(%q) = %q, %v; want an invalid error", in, got, err)
			}
		})
	}
	t.Run("every single-digit change of a valid ΑΦΜ's check digit is caught", func(t *testing.T) {
		for d := byte('0'); d <= '9'; d++ {
			s := "09401924" + string(d)
			if ValidAFM(s) != (d == '5') {
				t.Errorf("ValidAFM(%s) = %v", s, ValidAFM(s))
			}
		}
	})
}

func FuzzNormalizeVATID(f *testing.F) {
	for _, s := range []string{"094019245", "EL094019245", "GR 094.019.245", "DE123456789", "XI123456789", "", "ΑΦΜ", "el-0\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := NormalizeVATID(s)
		if err != nil {
			if ErrorCode(err) != CodeInvalid {
				t.Fatalf("error of code %s: %v", ErrorCode(err), err)
			}
			return
		}
		again, err := NormalizeVATID(v)
		if err != nil || again != v {
			t.Fatalf("canonical %q does not normalise to itself: %q, %v", v, again, err)
		}
		if strings.HasPrefix(v, "EL") && !ValidAFM(v[2:]) {
			t.Fatalf("accepted Greek VAT id %q with a bad check digit", v)
		}
		if err := ValidateID("vat", v); err != nil {
			t.Fatalf("canonical %q is not a valid stream id: %v", v, err)
		}
	})
}
