package events

import (
	"encoding/hex"
	"net/url"
	"strings"
)

// DocumentRef points at a document published elsewhere (an agenda item's
// study, minutes, a decision's signed PDF, a tender's terms). The log keeps
// the reference and its SHA-256, so anyone can check the file they download
// is the one recorded.
type DocumentRef struct {
	Title     string `json:"title"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	URL       string `json:"url"`
}

// Limits of a document reference.
const (
	maxMediaTypeBytes = 255 // RFC 6838: 127 for each of type and subtype
	maxURLBytes       = 2048
)

// Validate checks a title (ValidateText), a media type, a non-negative size, a SHA-256 of
// 64 hex digits and an absolute http(s) URL.
func (d DocumentRef) Validate() error {
	if err := ValidateText("document title", d.Title, MaxTitleRunes); err != nil {
		return err
	}
	if len(d.MediaType) > maxMediaTypeBytes || !strings.Contains(d.MediaType, "/") || ValidateText("media type", d.MediaType, maxMediaTypeBytes) != nil {
		return Invalidf("document %q: media type %q is not type/subtype", d.Title, d.MediaType)
	}
	if d.Size < 0 {
		return Invalidf("document %q: size is negative", d.Title)
	}
	if b, err := hex.DecodeString(d.SHA256); err != nil || len(b) != 32 {
		return Invalidf("document %q: sha256 must be 64 hex digits", d.Title)
	}
	if len(d.URL) > maxURLBytes {
		return Invalidf("document %q: url is over the limit of %d bytes", d.Title, maxURLBytes)
	}
	u, err := url.Parse(d.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Invalidf("document %q: url must be an absolute http(s) URL", d.Title)
	}
	return nil
}

// ValidateDocuments checks each reference in docs.
func ValidateDocuments(docs []DocumentRef) error {
	for _, d := range docs {
		if err := d.Validate(); err != nil {
			return err
		}
	}
	return nil
}
