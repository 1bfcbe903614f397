package events

import "testing"

func TestValidateCPV(t *testing.T) {
	// Real codes of CPV 2008, with their published check digits.
	for _, code := range []string{"03113100-7", "03113200-8", "18451000-5", "18453000-9", "71355000-1", "71355200-3", "09134000-7", "45233140-2", "90511000-2", "98000000-3"} {
		t.Run("accepts "+code, func(t *testing.T) {
			if err := ValidateCPV(code); err != nil {
				t.Fatal(err)
			}
		})
	}
	for _, code := range []string{"", "03113100", "03113100-", "03113100-77", "0311310-07", "03113100_7", "0311310a-7", "99000000-1", "00000000-0", "٠٣١١٣١٠٠-٧"} {
		t.Run("refuses "+code, func(t *testing.T) {
			if err := ValidateCPV(code); ErrorCode(err) != CodeInvalid {
				t.Fatalf("ValidateCPV(%q) = %v, want invalid", code, err)
			}
		})
	}
}

func TestValidateOCID(t *testing.T) {
	for _, id := range []string{"ocds-abc123-2026-0001", "ocds-213czf-000-00001", "ocds-a1b2c3-DHM/2026.1_a"} {
		t.Run("accepts "+id, func(t *testing.T) {
			if err := ValidateOCID(id); err != nil {
				t.Fatal(err)
			}
		})
	}
	for _, id := range []string{"", "ocds-", "ocds-abc123", "ocds-abc123-", "ocds-ABC123-1", "ocds-abc12-1", "abcd-abc123-1", "ocds-abc123-a b", "ocds-abc123-Δ"} {
		t.Run("refuses "+id, func(t *testing.T) {
			if err := ValidateOCID(id); ErrorCode(err) != CodeInvalid {
				t.Fatalf("ValidateOCID(%q) = %v, want invalid", id, err)
			}
		})
	}
}

func FuzzValidateCPV(f *testing.F) {
	for _, s := range []string{"03113100-7", "45233140-2", "99000000-1", "", "--------", "0311310٠-7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateCPV(s)
		if err != nil {
			if ErrorCode(err) != CodeInvalid {
				t.Fatalf("error of code %s: %v", ErrorCode(err), err)
			}
			return
		}
		if len(s) != 10 || s[8] != '-' || !allDigits(s[:8]+s[9:]) || !cpvDivisions[s[:2]] {
			t.Fatalf("accepted %q", s)
		}
	})
}

func FuzzValidateOCID(f *testing.F) {
	for _, s := range []string{"ocds-abc123-2026-0001", "ocds-abc123-", "ocds-\x00", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateOCID(s)
		if err != nil && ErrorCode(err) != CodeInvalid {
			t.Fatalf("error of code %s: %v", ErrorCode(err), err)
		}
		if err == nil && ValidateStream(ProcurementStream(s)) != nil {
			t.Fatalf("accepted %q that makes a bad stream name", s)
		}
	})
}
