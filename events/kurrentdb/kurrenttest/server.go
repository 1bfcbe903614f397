// Package kurrenttest is an in-process gRPC test double of a KurrentDB
// server, for the tests of events/kurrentdb and of whatever runs Pnyx on
// KurrentDB. It is NOT a store: it keeps everything in memory, fsyncs
// nothing, knows one node, no access control lists, no projections and no
// persistent subscriptions. Its TLS and logins (Options) exist to test
// that a connection string's reach the server.
//
// It serves the client module's own generated service definitions
// (event_store.client.streams.Streams, kurrentdb.protocol.v2.streams's
// StreamsService and the server features, from
// github.com/kurrent-io/KurrentDB-Client-Go/protos/...), so the real
// client talks to it over a real gRPC connection on a loopback port, and
// it implements what the Pnyx adapter relies on, with the server's
// semantics as its protocol documents them:
//
//   - Append with an expected revision (any, no stream, stream exists, an
//     exact revision), answering WrongExpectedVersion with the current
//     revision; re-sent event ids after the expected revision are
//     idempotent (the server's own rule); a request over MaxAppendBytes is
//     refused with InvalidArgument, as the server refuses one over its
//     MaxAppendSize;
//   - reads of a stream and of $all, forwards and backwards, with counts;
//     a missing stream answers StreamNotFound; reads of $all from a
//     position include it, backwards reads stop before it;
//   - catch-up subscriptions to $all from the start or after a position,
//     with server-side filters on the event type or the stream name
//     (prefixes or a regular expression), then live events;
//   - AppendRecords of the v2 streams service (KurrentDB 26.1): records
//     for several streams in one step, with consistency checks on any
//     stream, written or not, evaluated and written under one lock, all or
//     none; a failed check answers FailedPrecondition with every failing
//     check in AppendConsistencyViolationErrorDetails, a request over
//     MaxAppendBytes Aborted with AppendTransactionSizeExceededErrorDetails,
//     as the server does; a classic read of such a record returns its
//     properties as a JSON object of strings with the server's "$schema."
//     keys added. The server features service announces it, as the client
//     asks before using it (Options.Classic stands for an older server);
//     unlike the real server, a request naming one stream in two
//     spellings is refused (the server groups them ignoring case);
//   - Drop, which ends every open subscription with Unavailable, as a
//     connection lost between client and server does, and Hold, which
//     leaves reads and appends unanswered, as a server that hangs does.
//
// Positions are like a real server's: commit and prepare positions are
// equal for each event, ascend, and leave gaps (each event advances the
// log by its size), so nothing can assume they are dense; a stream read
// sends the commit position as unknown (math.MaxUint64) with the prepare
// position, as a server answering from its index does. The server's
// "created" stamp is sent in ticks, as the client requires (it calls
// log.Fatalf on an event without one).
package kurrenttest

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/kurrent-io/KurrentDB-Client-Go/protos/kurrentdb/protocols/v1/serverfeatures"
	"github.com/kurrent-io/KurrentDB-Client-Go/protos/kurrentdb/protocols/v1/shared"
	api "github.com/kurrent-io/KurrentDB-Client-Go/protos/kurrentdb/protocols/v1/streams"
	v2 "github.com/kurrent-io/KurrentDB-Client-Go/protos/kurrentdb/protocols/v2/streams/streams"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Options configure a Server. The zero value is usable.
type Options struct {
	// MaxAppendBytes is the server's MaxAppendSize: the most bytes of data
	// and metadata one append may carry. <= 0 means 1 MiB, the server's
	// default.
	MaxAppendBytes int
	// Now stamps each event's "created" time; nil means time.Now.
	Now func() time.Time
	// TLS, when set, makes the server speak TLS with this configuration
	// (see SelfSigned); URL then says tls=true.
	TLS *tls.Config
	// Users, when set, are the logins and passwords the server accepts:
	// every call must carry one as HTTP Basic credentials, or it is
	// refused as Unauthenticated, as a secure server does.
	Users map[string]string
	// Classic makes the server one from before KurrentDB 26.1: it serves
	// the classic streams API only, without AppendRecords, and says so
	// when the client asks what it supports.
	Classic bool
	// BeforeRecords, when set, runs as each AppendRecords request arrives,
	// before the server evaluates it: a test's way to let another writer
	// in between what a client read and what it writes.
	BeforeRecords func()
	// Addr is the address to listen on; "" means a free loopback port.
	// A test restarts a server on the address of one it closed to stand
	// for a server that went away and came back (see Restart).
	Addr string
}

// Server is a running test double. It is safe for concurrent use.
type Server struct {
	opts Options
	lis  net.Listener
	grpc *grpc.Server

	mu      sync.Mutex
	log     []*record
	streams map[string][]*record
	next    uint64        // the position the next event gets
	wake    chan struct{} // closed and replaced after each append
	drop    chan struct{} // closed and replaced by Drop
	hold    chan struct{} // while not nil, reads and appends wait for it to close
	sent    int           // events sent by reads (not subscriptions)
}

type record struct {
	id       uuid.UUID
	stream   string
	revision uint64
	position uint64
	meta     map[string]string
	custom   []byte
	data     []byte
}

// Start listens on a loopback port and serves until Close.
func Start(opts Options) (*Server, error) {
	if opts.MaxAppendBytes <= 0 {
		opts.MaxAppendBytes = 1 << 20
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("kurrenttest: listen: %w", err)
	}
	s := &Server{
		opts:    opts,
		lis:     lis,
		streams: map[string][]*record{},
		next:    1 << 10, // a real log starts with the server's own records
		wake:    make(chan struct{}),
		drop:    make(chan struct{}),
	}
	s.grpc = s.newGRPC()
	go s.grpc.Serve(lis)
	return s, nil
}

// URL is the connection string of the server.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opts.TLS != nil {
		return "kurrentdb://" + s.lis.Addr().String() + "?tls=true"
	}
	return "kurrentdb://" + s.lis.Addr().String() + "?tls=false"
}

// newGRPC is a gRPC server with the double's services: the classic
// streams API, the v2 streams API (AppendRecords) and the server features
// the client asks for on connecting.
func (s *Server) newGRPC() *grpc.Server {
	opts := []grpc.ServerOption{grpc.MaxRecvMsgSize(64 << 20),
		grpc.StreamInterceptor(s.authenticateStream), grpc.UnaryInterceptor(s.authenticateUnary)}
	if s.opts.TLS != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(s.opts.TLS)))
	}
	g := grpc.NewServer(opts...)
	api.RegisterStreamsServer(g, &streams{s: s})
	v2.RegisterStreamsServiceServer(g, &recordsService{s: s})
	serverfeatures.RegisterServerFeaturesServer(g, &features{s: s})
	return g
}

func (s *Server) authenticateStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if err := s.authenticate(ss.Context()); err != nil {
		return err
	}
	return handler(srv, ss)
}

// authenticateUnary checks the v2 appends; the server features answer
// anyone, as a real server's do.
func (s *Server) authenticateUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if !strings.Contains(info.FullMethod, "ServerFeatures") {
		if err := s.authenticate(ctx); err != nil {
			return nil, err
		}
	}
	return handler(ctx, req)
}

// authenticate refuses a call without the Basic credentials of one of
// Options.Users, when there are users.
func (s *Server) authenticate(ctx context.Context) error {
	if len(s.opts.Users) == 0 {
		return nil
	}
	md, _ := metadata.FromIncomingContext(ctx)
	for _, h := range md.Get("authorization") {
		raw, ok := strings.CutPrefix(h, "Basic ")
		if !ok {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(raw)
		if err != nil {
			continue
		}
		login, password, _ := strings.Cut(string(b), ":")
		if want, known := s.opts.Users[login]; known && want == password {
			return nil
		}
	}
	return status.Error(codes.Unauthenticated, "bad or missing credentials")
}

// Close stops the server and ends every call in progress.
func (s *Server) Close() {
	s.mu.Lock()
	g := s.grpc
	s.mu.Unlock()
	g.Stop()
}

// Restart stops the server, cutting every connection, and serves the same
// log again on the same address: a server that went away and came back.
func (s *Server) Restart() error {
	s.Down()
	return s.Up()
}

// Down stops serving, cutting every connection, and keeps the log; Up
// serves it again on the same address.
func (s *Server) Down() {
	s.mu.Lock()
	g := s.grpc
	s.mu.Unlock()
	g.Stop()
}

// Up serves the log again after Down, on the same address.
func (s *Server) Up() error {
	s.mu.Lock()
	addr := s.lis.Addr().String()
	s.mu.Unlock()
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("kurrenttest: listen again: %w", err)
	}
	g := s.newGRPC()
	s.mu.Lock()
	s.lis, s.grpc = lis, g
	s.mu.Unlock()
	go g.Serve(lis)
	return nil
}

// Drop ends every open subscription with status Unavailable, as a lost
// connection does; the client then reconnects.
func (s *Server) Drop() {
	s.mu.Lock()
	close(s.drop)
	s.drop = make(chan struct{})
	s.mu.Unlock()
}

// Hold makes every read and append that starts from now on wait, without
// answering, until release is called or the call's own deadline ends: a
// server that stopped answering. Subscriptions already open go on.
func (s *Server) Hold() (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.hold = ch
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			if s.hold == ch {
				s.hold = nil
			}
			s.mu.Unlock()
			close(ch)
		})
	}
}

// wait blocks while the server is held.
func (s *Server) wait(ctx context.Context) error {
	s.mu.Lock()
	hold := s.hold
	s.mu.Unlock()
	if hold == nil {
		return nil
	}
	select {
	case <-hold:
		return nil
	case <-ctx.Done():
		return status.FromContextError(ctx.Err()).Err()
	}
}

// Len is the number of events in the log.
func (s *Server) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.log)
}

type streams struct {
	api.UnimplementedStreamsServer
	s *Server
}

func (st *streams) Append(srv grpc.ClientStreamingServer[api.AppendReq, api.AppendResp]) error {
	if err := st.s.wait(srv.Context()); err != nil {
		return err
	}
	first, err := srv.Recv()
	if err != nil {
		return err
	}
	opts := first.GetOptions()
	if opts == nil {
		return status.Error(codes.InvalidArgument, "the first message of an append must be its options")
	}
	stream := string(opts.GetStreamIdentifier().GetStreamName())
	var proposed []*api.AppendReq_ProposedMessage
	size := 0
	for {
		m, err := srv.Recv()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return err
		}
		p := m.GetProposedMessage()
		if p == nil {
			return status.Error(codes.InvalidArgument, "an append message after the options must be a proposed message")
		}
		size += len(p.Data) + len(p.CustomMetadata)
		proposed = append(proposed, p)
	}
	if size > st.s.opts.MaxAppendBytes {
		return status.Error(codes.InvalidArgument, "maximum append size exceeded")
	}
	resp, err := st.s.append(stream, opts, proposed)
	if err != nil {
		return err
	}
	return srv.SendAndClose(resp)
}

func (s *Server) append(stream string, opts *api.AppendReq_Options, proposed []*api.AppendReq_ProposedMessage) (*api.AppendResp, error) {
	ids := make([]uuid.UUID, len(proposed))
	for i, p := range proposed {
		st := p.GetId().GetStructured()
		if st == nil {
			return nil, status.Error(codes.InvalidArgument, "event id must be structured")
		}
		ids[i] = fromBits(st.MostSignificantBits, st.LeastSignificantBits)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	recs := s.streams[stream]
	current := int64(len(recs)) - 1
	ok := true
	switch e := opts.GetExpectedStreamRevision().(type) {
	case *api.AppendReq_Options_NoStream:
		ok = current < 0
	case *api.AppendReq_Options_StreamExists:
		ok = current >= 0
	case *api.AppendReq_Options_Revision:
		ok = current == int64(e.Revision)
	}
	if !ok {
		// The server's idempotency: the same ids right after the expected
		// revision are a retry, answered as a success.
		after := int64(-1)
		if r, isRev := opts.GetExpectedStreamRevision().(*api.AppendReq_Options_Revision); isRev {
			after = int64(r.Revision)
		}
		if _, isNo := opts.GetExpectedStreamRevision().(*api.AppendReq_Options_NoStream); isNo || after >= 0 {
			if sameIDs(recs, after+1, ids) && len(ids) > 0 {
				last := recs[after+int64(len(ids))]
				return success(last.revision, last.position), nil
			}
		}
		return wrongExpected(opts, current), nil
	}
	if len(proposed) == 0 {
		if current < 0 {
			return &api.AppendResp{Result: &api.AppendResp_Success_{Success: &api.AppendResp_Success{
				CurrentRevisionOption: &api.AppendResp_Success_NoStream{NoStream: &shared.Empty{}},
				PositionOption:        &api.AppendResp_Success_NoPosition{NoPosition: &shared.Empty{}},
			}}}, nil
		}
		last := recs[current]
		return success(last.revision, last.position), nil
	}
	created := strconv.FormatInt(s.opts.Now().UnixNano()/100, 10)
	var last *record
	for i, p := range proposed {
		meta := map[string]string{"created": created}
		for k, v := range p.Metadata {
			meta[k] = v
		}
		last = &record{
			id:       ids[i],
			stream:   stream,
			revision: uint64(current + 1 + int64(i)),
			position: s.next,
			meta:     meta,
			custom:   p.CustomMetadata,
			data:     p.Data,
		}
		// A real log advances by the bytes each record takes.
		s.next += uint64(64 + len(stream) + len(p.Data) + len(p.CustomMetadata))
		s.log = append(s.log, last)
		s.streams[stream] = append(s.streams[stream], last)
	}
	close(s.wake)
	s.wake = make(chan struct{})
	return success(last.revision, last.position), nil
}

func sameIDs(recs []*record, from int64, ids []uuid.UUID) bool {
	if from < 0 || from+int64(len(ids)) > int64(len(recs)) {
		return false
	}
	for i, id := range ids {
		if recs[from+int64(i)].id != id {
			return false
		}
	}
	return true
}

func success(revision, position uint64) *api.AppendResp {
	return &api.AppendResp{Result: &api.AppendResp_Success_{Success: &api.AppendResp_Success{
		CurrentRevisionOption: &api.AppendResp_Success_CurrentRevision{CurrentRevision: revision},
		PositionOption: &api.AppendResp_Success_Position{Position: &api.AppendResp_Position{
			CommitPosition: position, PreparePosition: position,
		}},
	}}}
}

func wrongExpected(opts *api.AppendReq_Options, current int64) *api.AppendResp {
	w := &api.AppendResp_WrongExpectedVersion{}
	if current < 0 {
		w.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: &shared.Empty{}}
	} else {
		w.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: uint64(current)}
	}
	switch e := opts.GetExpectedStreamRevision().(type) {
	case *api.AppendReq_Options_NoStream:
		w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedNoStream{ExpectedNoStream: &shared.Empty{}}
	case *api.AppendReq_Options_StreamExists:
		w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedStreamExists{ExpectedStreamExists: &shared.Empty{}}
	case *api.AppendReq_Options_Revision:
		w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedRevision{ExpectedRevision: e.Revision}
	default:
		w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedAny{ExpectedAny: &shared.Empty{}}
	}
	return &api.AppendResp{Result: &api.AppendResp_WrongExpectedVersion_{WrongExpectedVersion: w}}
}

func (st *streams) Read(req *api.ReadReq, srv grpc.ServerStreamingServer[api.ReadResp]) error {
	o := req.GetOptions()
	if o == nil {
		return status.Error(codes.InvalidArgument, "a read needs options")
	}
	if _, sub := o.GetCountOption().(*api.ReadReq_Options_Subscription); sub {
		if o.GetAll() == nil {
			return status.Error(codes.Unimplemented, "the test server subscribes to $all only")
		}
		return st.s.subscribe(srv.Context(), o, srv)
	}
	if err := st.s.wait(srv.Context()); err != nil {
		return err
	}
	count := o.GetCount()
	backwards := o.GetReadDirection() == api.ReadReq_Options_Backwards
	var out []*record
	if so := o.GetStream(); so != nil {
		name := string(so.GetStreamIdentifier().GetStreamName())
		var found bool
		out, found = st.s.readStream(name, so, backwards, count)
		if !found {
			return srv.Send(&api.ReadResp{Content: &api.ReadResp_StreamNotFound_{StreamNotFound: &api.ReadResp_StreamNotFound{
				StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(name)},
			}}})
		}
	} else {
		out = st.s.readAll(o.GetAll(), backwards, count)
	}
	st.s.mu.Lock()
	st.s.sent += len(out)
	st.s.mu.Unlock()
	fromStream := o.GetStream() != nil
	for _, r := range out {
		if err := srv.Send(eventResp(r, fromStream)); err != nil {
			return err
		}
	}
	return nil
}

// EventsRead is how many events the server has sent in answer to reads
// (not subscriptions) since it started: a test's measure of how much a
// client reads.
func (s *Server) EventsRead() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent
}

func (s *Server) readStream(name string, so *api.ReadReq_Options_StreamOptions, backwards bool, count uint64) ([]*record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	recs, found := s.streams[name]
	if !found {
		return nil, false
	}
	var out []*record
	if backwards {
		from := int64(len(recs)) - 1
		if r, ok := so.GetRevisionOption().(*api.ReadReq_Options_StreamOptions_Revision); ok && int64(r.Revision) < from {
			from = int64(r.Revision)
		}
		for i := from; i >= 0 && uint64(len(out)) < count; i-- {
			out = append(out, recs[i])
		}
		return out, true
	}
	from := uint64(0)
	switch r := so.GetRevisionOption().(type) {
	case *api.ReadReq_Options_StreamOptions_Revision:
		from = r.Revision
	case *api.ReadReq_Options_StreamOptions_End:
		from = uint64(len(recs))
	}
	for i := from; i < uint64(len(recs)) && uint64(len(out)) < count; i++ {
		out = append(out, recs[i])
	}
	return out, true
}

func (s *Server) readAll(ao *api.ReadReq_Options_AllOptions, backwards bool, count uint64) []*record {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*record
	if backwards {
		i := len(s.log) - 1
		if p := ao.GetPosition(); p != nil {
			i = s.firstAtOrAfter(p.CommitPosition) - 1 // before the position
		} else if ao.GetStart() != nil {
			i = -1
		}
		for ; i >= 0 && uint64(len(out)) < count; i-- {
			out = append(out, s.log[i])
		}
		return out
	}
	i := 0
	if p := ao.GetPosition(); p != nil {
		i = s.firstAtOrAfter(p.CommitPosition) // including the position
	} else if ao.GetEnd() != nil {
		i = len(s.log)
	}
	for ; i < len(s.log) && uint64(len(out)) < count; i++ {
		out = append(out, s.log[i])
	}
	return out
}

// firstAtOrAfter is the index of the first event at or after position p.
func (s *Server) firstAtOrAfter(p uint64) int {
	lo, hi := 0, len(s.log)
	for lo < hi {
		m := (lo + hi) / 2
		if s.log[m].position < p {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// filter is a subscription's server-side filter.
type filter struct {
	onType   bool
	prefixes []string
	re       *regexp.Regexp
}

func newFilter(o *api.ReadReq_Options) (*filter, error) {
	fo := o.GetFilter()
	if fo == nil {
		return nil, nil
	}
	f := &filter{}
	var e *api.ReadReq_Options_FilterOptions_Expression
	switch x := fo.GetFilter().(type) {
	case *api.ReadReq_Options_FilterOptions_EventType:
		f.onType, e = true, x.EventType
	case *api.ReadReq_Options_FilterOptions_StreamIdentifier:
		e = x.StreamIdentifier
	default:
		return nil, status.Error(codes.InvalidArgument, "a filter needs an event type or stream expression")
	}
	f.prefixes = e.GetPrefix()
	if e.GetRegex() != "" {
		re, err := regexp.Compile(e.GetRegex())
		if err != nil {
			return nil, status.Error(codes.InvalidArgument, "filter regex: "+err.Error())
		}
		f.re = re
	}
	return f, nil
}

func (f *filter) keep(r *record) bool {
	if f == nil {
		return true
	}
	v := r.stream
	if f.onType {
		v = r.meta["type"]
	}
	if f.re != nil {
		return f.re.MatchString(v)
	}
	for _, p := range f.prefixes {
		if strings.HasPrefix(v, p) {
			return true
		}
	}
	return len(f.prefixes) == 0
}

func (s *Server) subscribe(ctx context.Context, o *api.ReadReq_Options, srv grpc.ServerStreamingServer[api.ReadResp]) error {
	f, err := newFilter(o)
	if err != nil {
		return err
	}
	s.mu.Lock()
	drop := s.drop
	s.mu.Unlock()
	if err := srv.Send(&api.ReadResp{Content: &api.ReadResp_Confirmation{Confirmation: &api.ReadResp_SubscriptionConfirmation{
		SubscriptionId: uuid.NewString(),
	}}}); err != nil {
		return err
	}
	next := 0 // index in the log of the next event to consider
	ao := o.GetAll()
	s.mu.Lock()
	switch {
	case ao.GetPosition() != nil:
		// A subscription from a position starts after it.
		next = s.firstAtOrAfter(ao.GetPosition().CommitPosition + 1)
	case ao.GetEnd() != nil:
		next = len(s.log)
	}
	s.mu.Unlock()
	caughtUp := false
	for {
		s.mu.Lock()
		batch := s.log[next:len(s.log):len(s.log)]
		wake := s.wake
		s.mu.Unlock()
		for _, r := range batch {
			if !f.keep(r) {
				continue
			}
			if err := srv.Send(eventResp(r, false)); err != nil {
				return err
			}
		}
		next += len(batch)
		if !caughtUp && len(batch) == 0 {
			caughtUp = true
			if err := srv.Send(&api.ReadResp{Content: &api.ReadResp_CaughtUp_{CaughtUp: &api.ReadResp_CaughtUp{}}}); err != nil {
				return err
			}
		}
		if len(batch) > 0 {
			continue
		}
		select {
		case <-wake:
		case <-drop:
			return status.Error(codes.Unavailable, "connection dropped by the test server")
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// eventResp is an event as the server sends it. A stream read is answered
// from the server's index, which knows an event's log (prepare) position
// but not its commit position: a real server sends the commit position
// as unknown (ulong.MaxValue) and no position of the read; so does this
// double.
func eventResp(r *record, fromStream bool) *api.ReadResp {
	most, least := toBits(r.id)
	commit := r.position
	if fromStream {
		commit = math.MaxUint64
	}
	ev := &api.ReadResp_ReadEvent{
		Event: &api.ReadResp_ReadEvent_RecordedEvent{
			Id: &shared.UUID{Value: &shared.UUID_Structured_{Structured: &shared.UUID_Structured{
				MostSignificantBits: most, LeastSignificantBits: least,
			}}},
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(r.stream)},
			StreamRevision:   r.revision,
			PreparePosition:  r.position,
			CommitPosition:   commit,
			Metadata:         r.meta,
			CustomMetadata:   r.custom,
			Data:             r.data,
		},
	}
	if fromStream {
		ev.Position = &api.ReadResp_ReadEvent_NoPosition{NoPosition: &shared.Empty{}}
	} else {
		ev.Position = &api.ReadResp_ReadEvent_CommitPosition{CommitPosition: r.position}
	}
	return &api.ReadResp{Content: &api.ReadResp_Event{Event: ev}}
}

func toBits(id uuid.UUID) (int64, int64) {
	var most, least uint64
	for i := range 8 {
		most = most<<8 | uint64(id[i])
		least = least<<8 | uint64(id[8+i])
	}
	return int64(most), int64(least)
}

func fromBits(most, least int64) uuid.UUID {
	var id uuid.UUID
	m, l := uint64(most), uint64(least)
	for i := 7; i >= 0; i-- {
		id[i], id[8+i] = byte(m), byte(l)
		m, l = m>>8, l>>8
	}
	return id
}
