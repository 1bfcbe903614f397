package events

import "strings"

// cpvDivisions are the 45 divisions (first two digits) of the Common
// Procurement Vocabulary 2008, Regulation (EC) No 213/2008.
var cpvDivisions = map[string]bool{
	"03": true, "09": true, "14": true, "15": true, "16": true, "18": true, "19": true,
	"22": true, "24": true, "30": true, "31": true, "32": true, "33": true, "34": true,
	"35": true, "37": true, "38": true, "39": true, "41": true, "42": true, "43": true,
	"44": true, "45": true, "48": true, "50": true, "51": true, "55": true, "60": true,
	"63": true, "64": true, "65": true, "66": true, "70": true, "71": true, "72": true,
	"73": true, "75": true, "76": true, "77": true, "79": true, "80": true, "85": true,
	"90": true, "92": true, "98": true,
}

// ValidateCPV checks a CPV code of the main vocabulary: "NNNNNNNN-N", eight
// digits starting with one of the 45 CPV divisions, a hyphen and the ninth,
// check digit.
//
// The check digit is required but cannot be verified arithmetically: the
// digits the EU published in the 2008 revision do not follow the
// documented algorithm (the Publications Office confirmed the error and
// will not fix it), so any arithmetic check would refuse real codes such
// as 09134000-7 (gas oils). Verifying it means looking the code up in the
// official list, which is outside the domain's reach.
func ValidateCPV(code string) error {
	if len(code) != 10 || code[8] != '-' || !allDigits(code[:8]) || !allDigits(code[9:]) {
		return Invalidf("CPV code %q: want eight digits, a hyphen and a check digit, like 45233140-2", code)
	}
	if !cpvDivisions[code[:2]] {
		return Invalidf("CPV code %q: %s is not a CPV division", code, code[:2])
	}
	return nil
}

// ValidateOCID checks an OCDS contracting process id: "ocds-", a six
// character publisher prefix of lower-case letters and digits, a hyphen and
// the publisher's own identifier (letters, digits, '-', '_', '.', '/'), at
// most MaxIDBytes in all, like "ocds-abc123-2026-0001".
func ValidateOCID(ocid string) error {
	switch {
	case ocid == "":
		return Invalidf("ocid is empty")
	case len(ocid) > MaxIDBytes:
		return Invalidf("ocid is %d bytes, over the limit of %d", len(ocid), MaxIDBytes)
	case strings.Contains(ocid, ".."):
		// OCDS allows it; a file name or a URL path must not see it.
		return Invalidf("ocid %q contains \"..\"", ocid)
	}
	rest, ok := strings.CutPrefix(ocid, "ocds-")
	if !ok || len(rest) < 8 || rest[6] != '-' {
		return Invalidf("ocid %q: want ocds-, a six character prefix, a hyphen and an identifier, like ocds-abc123-2026-0001", ocid)
	}
	for i := range 6 {
		c := rest[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return Invalidf("ocid %q: the prefix after ocds- must be six lower-case letters or digits", ocid)
		}
	}
	for _, c := range []byte(rest[7:]) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_./", c) >= 0) {
			return Invalidf("ocid %q: the identifier may hold letters, digits and - _ . / only", ocid)
		}
	}
	return nil
}
