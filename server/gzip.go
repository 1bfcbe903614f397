package server

import (
	"compress/gzip"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// gzipWriter compresses an answer when the client accepts gzip and the
// answer is text a client will read (JSON, NDJSON, CSV, plain text). It
// decides at the status line, from the headers the handler set: an answer
// that is encoded already (/metrics compresses itself), has no body (HEAD,
// 204, 304) or is binary passes through untouched.
type gzipWriter struct {
	http.ResponseWriter
	accepts bool // the client accepts gzip
	head    bool // a HEAD request: no body follows
	decided bool
	gz      *gzip.Writer // set once the answer is being compressed
}

var gzipPool = sync.Pool{New: func() any {
	gz, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	return gz
}}

func newGzipWriter(w http.ResponseWriter, r *http.Request) *gzipWriter {
	return &gzipWriter{ResponseWriter: w, accepts: acceptsGzip(r.Header.Values("Accept-Encoding")), head: r.Method == http.MethodHead}
}

func (w *gzipWriter) WriteHeader(code int) {
	if code >= 200 && !w.decided {
		w.decided = true
		h := w.Header()
		if compressible(h.Get("Content-Type")) && h.Get("Content-Encoding") == "" && code != http.StatusNoContent && code != http.StatusNotModified &&
			code != http.StatusPartialContent { // a range is of the identity, never gzipped
			h.Add("Vary", "Accept-Encoding")
			if w.accepts && !w.head {
				h.Set("Content-Encoding", "gzip")
				h.Del("Content-Length")
				w.gz = gzipPool.Get().(*gzip.Writer)
				w.gz.Reset(w.ResponseWriter)
			}
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *gzipWriter) Write(b []byte) (int, error) {
	if !w.decided {
		// As net/http would, but before compressing: a type sniffed from
		// gzip bytes would be wrong.
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", http.DetectContentType(b))
		}
		w.WriteHeader(http.StatusOK)
	}
	if w.gz != nil {
		return w.gz.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// AcceptsGzip reports whether the client accepts gzip and the answer has
// a body: whether an answer compressible text would be compressed. A
// handler that keeps answers compressed already (GraphQL's response
// cache) writes them with Content-Encoding set, which passes through.
func (w *gzipWriter) AcceptsGzip() bool { return w.accepts && !w.head }

// Flush sends what is compressed so far, for handlers that stream.
func (w *gzipWriter) Flush() {
	if w.gz != nil {
		_ = w.gz.Flush()
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach deadlines and the connection.
func (w *gzipWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// close ends the compressed stream, if there is one.
func (w *gzipWriter) close() {
	if w.gz == nil {
		return
	}
	_ = w.gz.Close()
	w.gz.Reset(nil)
	gzipPool.Put(w.gz)
	w.gz = nil
}

// acceptsGzip reads Accept-Encoding: gzip with a weight above 0, or else
// * with a weight above 0 (an explicit gzip;q=0 refuses it whatever * says).
func acceptsGzip(values []string) bool {
	gzipQ, anyQ := -1.0, -1.0
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(part, ";")
			switch name = strings.TrimSpace(name); {
			case strings.EqualFold(name, "gzip"):
				gzipQ = weight(params)
			case name == "*":
				anyQ = weight(params)
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return anyQ > 0
}

// weight is the q parameter of an Accept-Encoding item: 1 when absent, 0
// when it is not a number.
func weight(params string) float64 {
	for p := range strings.SplitSeq(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return 0
			}
			return q
		}
	}
	return 1
}

// compressible reports whether an answer of media type ct is text worth
// compressing.
func compressible(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"):
		return true
	case strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	switch mt {
	case "application/json", "application/x-ndjson", "application/xml", "application/javascript":
		return true
	}
	return false
}
