package kurrentdb

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/kurrent-io/KurrentDB-Client-Go/kurrentdb"

	"github.com/pnyx-civic/pnyx/events"
)

// Schemes are the connection string schemes the store accepts: the
// client's own, KurrentDB's and EventStoreDB's, with DNS or gossip
// discovery ("+discover") for a cluster.
var Schemes = []string{"kurrentdb", "kurrentdb+discover", "esdb", "esdb+discover"}

// IsConnectionString reports whether s names a KurrentDB server by one of
// Schemes, without validating the rest.
func IsConnectionString(s string) bool {
	scheme, _, ok := strings.Cut(s, "://")
	if !ok {
		return false
	}
	for _, sc := range Schemes {
		if strings.EqualFold(scheme, sc) {
			return true
		}
	}
	return false
}

// ParseConnectionString checks a connection string and returns the
// client's configuration. TLS is on unless the string says tls=false;
// credentials (user:password@) are sent only over TLS, as the client
// does. A bad string is an invalid error whose message never repeats the
// password.
func ParseConnectionString(s string) (cfg *kurrentdb.Configuration, err error) {
	if !IsConnectionString(s) {
		return nil, events.Invalidf("store %q: want a connection string starting with %s://", Redact(s), strings.Join(Schemes, ":// or "))
	}
	defer func() {
		// The client's parser is not ours to trust with any input: a
		// panic in it is a bad string, not a crash.
		if r := recover(); r != nil {
			cfg, err = nil, events.Invalidf("store %s: not a valid connection string", Redact(s))
		}
	}()
	// The client accepts the scheme in lower case only.
	scheme, rest, _ := strings.Cut(s, "://")
	cfg, err = kurrentdb.ParseConnectionString(strings.ToLower(scheme) + "://" + rest)
	if err != nil {
		return nil, events.Invalidf("store %s: %s", Redact(s), redactIn(err.Error(), s))
	}
	if cfg.Address == "" && len(cfg.GossipSeeds) == 0 {
		return nil, events.Invalidf("store %s: no host", Redact(s))
	}
	// The client ignores a defaultDeadline it cannot parse and keeps a
	// deadline of zero, which fails every append at once (v1.4.2).
	if cfg.DefaultDeadline != nil && *cfg.DefaultDeadline <= 0 {
		return nil, events.Invalidf("store %s: defaultDeadline must be a positive number of milliseconds", Redact(s))
	}
	return cfg, nil
}

// Redact returns the connection string with its password replaced, for
// logs and messages.
func Redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		if at := strings.LastIndex(s, "@"); at >= 0 {
			if i := strings.Index(s, "://"); i >= 0 && i+3 <= at {
				return s[:i+3] + "xxxxx@" + s[at+1:]
			}
			return "xxxxx@" + s[at+1:]
		}
		return s
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// redactIn removes the credentials of connection string s from msg:
// whatever stands between the scheme and the last '@', and the password
// within it, whether or not s parses as a URL.
func redactIn(msg, s string) string {
	_, rest, ok := strings.Cut(s, "://")
	at := strings.LastIndex(rest, "@")
	if !ok || at < 0 {
		return msg
	}
	userinfo := rest[:at]
	if _, p, ok := strings.Cut(userinfo, ":"); ok && p != "" {
		msg = strings.ReplaceAll(msg, p, "xxxxx")
	}
	if userinfo != "" {
		msg = strings.ReplaceAll(msg, userinfo, "xxxxx")
	}
	return msg
}

// describe is the connection string as a log line may show it.
func describe(s string) string { return fmt.Sprintf("kurrentdb store %s", Redact(s)) }
