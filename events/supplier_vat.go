package events

import "strings"

// VAT ids name suppliers: supplier streams are "supplier-<VAT id>" with the
// id in canonical form, so one legal entity has exactly one stream whatever
// way a clerk typed its number.

// euVATPrefixes are the country prefixes of EU VAT ids (VIES), with EL for
// Greece and XI for Northern Ireland.
var euVATPrefixes = map[string]bool{
	"AT": true, "BE": true, "BG": true, "CY": true, "CZ": true, "DE": true, "DK": true,
	"EE": true, "EL": true, "ES": true, "FI": true, "FR": true, "HR": true, "HU": true,
	"IE": true, "IT": true, "LT": true, "LU": true, "LV": true, "MT": true, "NL": true,
	"PL": true, "PT": true, "RO": true, "SE": true, "SI": true, "SK": true, "XI": true,
}

// NormalizeVATID returns the canonical form of a supplier's VAT id, or an
// invalid error. A Greek ΑΦΜ is written bare ("094014201"), with the VIES
// prefix "EL" or with the ISO prefix "GR"; its canonical form is
// "EL"+9 digits and its check digit must hold. Other EU VAT ids need their
// country prefix and 2 to 12 letters or digits; their national check digits
// are not verified here. Spaces, dots and hyphens are ignored.
func NormalizeVATID(s string) (string, error) {
	if len(s) > 40 {
		return "", Invalidf("VAT id is over 40 characters")
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '.' || r == '-':
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			return "", Invalidf("VAT id %q contains %q; want letters and digits", s, r)
		}
	}
	v := b.String()
	if len(v) == 9 && allDigits(v) {
		v = "EL" + v
	}
	if len(v) < 4 {
		return "", Invalidf("VAT id %q is too short", s)
	}
	prefix, body := v[:2], v[2:]
	if prefix == "GR" {
		prefix = "EL"
	}
	if !euVATPrefixes[prefix] {
		return "", Invalidf("VAT id %q: %q is not an EU VAT country prefix", s, v[:2])
	}
	if prefix == "EL" {
		if !ValidAFM(body) {
			return "", Invalidf("VAT id %q is not a valid Greek ΑΦΜ (9 digits with a check digit)", s)
		}
		return prefix + body, nil
	}
	if len(body) < 2 || len(body) > 12 {
		return "", Invalidf("VAT id %q: want 2 to 12 letters or digits after the country prefix", s)
	}
	return prefix + body, nil
}

// ValidAFM reports whether s is a Greek tax number (ΑΦΜ): 9 digits, not all
// zero, whose last digit is the check digit: the first eight weighted by
// 256, 128, …, 2, summed, modulo 11, modulo 10.
func ValidAFM(s string) bool {
	if len(s) != 9 || !allDigits(s) || s == "000000000" {
		return false
	}
	sum := 0
	for i := range 8 {
		sum += int(s[i]-'0') << (8 - i)
	}
	return sum%11%10 == int(s[8]-'0')
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
