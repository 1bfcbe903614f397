package graphql

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql/handler/lru"

	"github.com/pnyx-civic/pnyx/events"
)

// The response cache keeps the bytes of anonymous queries' answers keyed
// by (the query's hash, its operation name and variables, the serving
// position), so an answer is reused exactly while the read model serves
// the same position, and never after it moves: invalidation is exact, not
// timed. A GET answer carries the key as its ETag, and a matching
// If-None-Match is answered 304 without running the query.

const (
	// responseCacheSize is how many answers are kept.
	responseCacheSize = 1000
	// maxCachedBytes is the largest answer kept.
	maxCachedBytes = 256 << 10
)

// cachedAnswer is one kept answer: its bytes, and the same bytes
// compressed with gzip, made once at the first request that accepts them.
type cachedAnswer struct {
	body []byte
	etag string

	gzipOnce sync.Once
	gzipped  []byte // nil when compressing failed
}

// compressed returns the answer compressed with gzip, or nil.
func (a *cachedAnswer) compressed() []byte {
	a.gzipOnce.Do(func() {
		var b bytes.Buffer
		gz := gzip.NewWriter(&b)
		if _, err := gz.Write(a.body); err == nil && gz.Close() == nil {
			a.gzipped = b.Bytes()
		}
	})
	return a.gzipped
}

// compressor is a response writer that compresses an answer for a client
// that accepts gzip, and passes through as it is an answer whose
// Content-Encoding its handler set: the server's. A cached answer is
// compressed once, not at every request.
type compressor interface {
	// AcceptsGzip reports whether the answer would be compressed.
	AcceptsGzip() bool
}

// cacheState is what a request's operation tells the cache about itself.
type cacheState struct {
	mu        sync.Mutex
	cacheable bool // a query, answered without errors
	position  events.Position
}

type cacheStateKey struct{}

func cacheStateOf(ctx context.Context) *cacheState {
	c, _ := ctx.Value(cacheStateKey{}).(*cacheState)
	return c
}

// cacheKeyOf is the part of the cache key a request itself names: its
// query (or persisted query hash), operation and variables, canonical.
// ok is false for a request the cache does not serve: one with a token,
// one whose Cache-Control asks for no-cache (a fresh answer, neither read
// from the cache nor kept), a body it cannot read as one GraphQL request,
// or no query.
func cacheKeyOf(r *http.Request, body []byte) (key string, ok bool) {
	if r.Header.Get("Authorization") != "" || strings.Contains(r.Header.Get("Cache-Control"), "no-cache") {
		return "", false
	}
	var p struct {
		Query         string          `json:"query"`
		OperationName string          `json:"operationName"`
		Variables     json.RawMessage `json:"variables"`
		Extensions    struct {
			PersistedQuery struct {
				Hash string `json:"sha256Hash"`
			} `json:"persistedQuery"`
		} `json:"extensions"`
	}
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		p.Query, p.OperationName = q.Get("query"), q.Get("operationName")
		p.Variables = json.RawMessage(q.Get("variables"))
		if ext := q.Get("extensions"); ext != "" && json.Unmarshal([]byte(ext), &p.Extensions) != nil {
			return "", false
		}
	case http.MethodPost:
		if json.Unmarshal(body, &p) != nil {
			return "", false
		}
	default:
		return "", false
	}
	h := sha256.New()
	switch {
	case p.Query != "":
		sum := sha256.Sum256([]byte(p.Query))
		h.Write([]byte(hex.EncodeToString(sum[:])))
	case p.Extensions.PersistedQuery.Hash != "":
		h.Write([]byte(p.Extensions.PersistedQuery.Hash))
	default:
		return "", false
	}
	var vars any
	if len(bytes.TrimSpace(p.Variables)) > 0 && json.Unmarshal(p.Variables, &vars) != nil {
		return "", false
	}
	canonical, _ := json.Marshal(vars) // maps marshal with sorted keys
	h.Write([]byte{0})
	h.Write([]byte(p.OperationName))
	h.Write([]byte{0})
	h.Write(canonical)
	return hex.EncodeToString(h.Sum(nil)), true
}

func positionKey(key string, pos events.Position) string {
	return key + "@" + strconv.FormatUint(uint64(pos), 10)
}

func etagOf(key string) string {
	sum := sha256.Sum256([]byte(key))
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// responseCache serves and keeps answers.
type responseCache struct {
	answers *lru.LRU[*cachedAnswer]
}

func newResponseCache() *responseCache {
	return &responseCache{answers: lru.New[*cachedAnswer](responseCacheSize)}
}

// capture records what the handler writes, to keep it.
type capture struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
	over   bool
}

func (c *capture) WriteHeader(status int) {
	c.status = status
	c.ResponseWriter.WriteHeader(status)
}

func (c *capture) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if !c.over {
		if c.body.Len()+len(b) > maxCachedBytes {
			c.over = true
			c.body.Reset()
		} else {
			c.body.Write(b)
		}
	}
	return c.ResponseWriter.Write(b)
}

// readBody reads a POST body up to limit bytes; over it is an invalid
// error.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.Method != http.MethodPost {
		return nil, nil
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return nil, &events.Error{Code: events.CodeInvalid, Message: "the request body is larger than " +
			strconv.FormatInt(limit, 10) + " bytes, or could not be read", Err: err}
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b, nil
}
