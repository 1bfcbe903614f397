package graphql

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/lru"
	"golang.org/x/time/rate"
)

// caller is who sent a request, as the mutations need it: the bearer
// token's secret (never logged) and the client the rate limit counts.
type caller struct {
	secret    string
	malformed bool // an Authorization header that is not "Bearer <secret>"
	client    string
}

type callerKey struct{}

func callerOf(ctx context.Context) caller {
	c, _ := ctx.Value(callerKey{}).(caller)
	return c
}

// callerFrom reads the caller of r: the Authorization header, and the
// client's address (see clientOf).
func (h *Handler) callerFrom(r *http.Request) caller {
	var c caller
	if a := r.Header.Get("Authorization"); a != "" {
		scheme, secret, ok := strings.Cut(a, " ")
		secret = strings.TrimSpace(secret)
		if ok && strings.EqualFold(scheme, "Bearer") && secret != "" {
			c.secret = secret
		} else {
			c.malformed = true
		}
	}
	c.client = clientOf(r, h.writes.ClientIPHeader)
	return c
}

// clientOf is the client the rate limit counts: the address of the
// connection, or the last entry of the trusted proxy's header when one is
// configured and holds an address. An IPv6 client counts by its /64, the
// block one subscriber usually holds.
func clientOf(r *http.Request, header string) string {
	addr := ""
	if header != "" {
		if v := r.Header.Values(header); len(v) > 0 {
			parts := strings.Split(v[len(v)-1], ",")
			addr = strings.TrimSpace(parts[len(parts)-1])
		}
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		host, _, serr := net.SplitHostPort(r.RemoteAddr)
		if serr != nil {
			host = r.RemoteAddr
		}
		if ip, err = netip.ParseAddr(host); err != nil {
			return "unknown"
		}
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// limiters hold one token bucket per client, the most recently seen
// maxClients of them: a client forgotten starts again with a full bucket,
// which bounds memory without letting one client past its rate while it
// keeps sending.
type limiters struct {
	mu      sync.Mutex
	buckets *lru.LRU[*rate.Limiter]
	every   rate.Limit
	burst   int
}

const maxClients = 10_000

func newLimiters(every rate.Limit, burst int) *limiters {
	return &limiters{buckets: lru.New[*rate.Limiter](maxClients), every: every, burst: burst}
}

// allow takes one submission of client at now, or returns a rate-limited
// error saying when the next one is allowed.
func (l *limiters) allow(ctx context.Context, client string, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets.Get(ctx, client)
	if !ok {
		b = rate.NewLimiter(l.every, l.burst)
		l.buckets.Add(ctx, client, b)
	}
	r := b.ReserveN(now, 1)
	if !r.OK() {
		return &apiError{code: CodeRateLimited, message: "too many submissions from this client: try again later"}
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return &apiError{code: CodeRateLimited, message: "too many submissions from this client: try again later", retryAfter: d}
	}
	return nil
}
