package server

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/exports"
)

// cors lets pages of the configured origins read Pnyx's answers from a
// browser. Pnyx's data is public and no answer depends on cookies, so
// credentials are never allowed and "*" is safe to configure.
type cors struct {
	any     bool
	origins map[string]bool
}

// CORS answers: what a page may send, and which of Pnyx's headers it may
// read.
const (
	corsMethods = "GET, HEAD, POST"
	corsHeaders = "Authorization, Content-Type, If-None-Match"
	corsMaxAge  = "600"
)

var corsExposed = strings.Join([]string{HeaderRequestID, exports.HeaderNextAfter, exports.HeaderHead, "ETag"}, ", ")

// newCORS reads the allowed origins (see CheckCORSOrigin).
func newCORS(origins []string) (cors, error) {
	c := cors{origins: map[string]bool{}}
	for _, o := range origins {
		if err := CheckCORSOrigin(o); err != nil {
			return cors{}, err
		}
		if o == "*" {
			c.any = true
			continue
		}
		u, _ := url.Parse(o)
		c.origins[u.Scheme+"://"+strings.ToLower(u.Host)] = true
	}
	return c, nil
}

// CheckCORSOrigin returns nil for "*" or an origin such as
// "https://data.example.org" (a scheme, http or https, and a host, with no
// path, query or user), and an invalid error naming o otherwise.
func CheckCORSOrigin(o string) error {
	if o == "*" {
		return nil
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return events.Invalidf("CORS origin %q: want * or an origin such as https://data.example.org", o)
	}
	return nil
}

// handle adds the CORS headers an allowed origin needs, and answers a
// preflight itself (it returns true then). Without configured origins it
// does nothing, and a browser keeps its same-origin rule.
func (c cors) handle(w http.ResponseWriter, r *http.Request) bool {
	if !c.any && len(c.origins) == 0 {
		return false
	}
	h := w.Header()
	if !c.any {
		h.Add("Vary", "Origin")
	}
	origin := r.Header.Get("Origin")
	allowed := origin != "" && (c.any || c.origins[strings.ToLower(origin)])
	preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
	if allowed {
		if c.any {
			h.Set("Access-Control-Allow-Origin", "*")
		} else {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		if preflight {
			h.Set("Access-Control-Allow-Methods", corsMethods)
			h.Set("Access-Control-Allow-Headers", corsHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAge)
		} else {
			h.Set("Access-Control-Expose-Headers", corsExposed)
		}
	}
	if preflight {
		// Answered whether allowed or not: without the headers above, the
		// browser refuses the request it asked about.
		w.WriteHeader(http.StatusNoContent)
	}
	return preflight
}
