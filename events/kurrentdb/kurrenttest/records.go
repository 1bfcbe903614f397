package kurrenttest

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/google/uuid"
	"github.com/kurrent-io/KurrentDB-Client-Go/protos/kurrentdb/protocols/v1/serverfeatures"
	"github.com/kurrent-io/KurrentDB-Client-Go/protos/kurrentdb/protocols/v1/shared"
	streamerrors "github.com/kurrent-io/KurrentDB-Client-Go/protos/kurrentdb/protocols/v2/streams/errors"
	v2 "github.com/kurrent-io/KurrentDB-Client-Go/protos/kurrentdb/protocols/v2/streams/streams"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"
)

// The expected-state constants of the v2 protocol (ExpectedRevisionConstants).
const (
	stateNoStream = -1
	stateAny      = -2
	stateExists   = -4
)

// Version is the server version the double announces: the first with
// AppendRecords.
const Version = "26.1.0"

// features answers the client's question, on connecting, of what the
// server offers. The client enables AppendRecords only when the server
// lists it (method "appendrecords" of the v2 streams service).
type features struct {
	serverfeatures.UnimplementedServerFeaturesServer
	s *Server
}

func (f *features) GetSupportedMethods(context.Context, *shared.Empty) (*serverfeatures.SupportedMethods, error) {
	if f.s.opts.Classic {
		// A server before 26.1: no AppendRecords, as the real one answers.
		return &serverfeatures.SupportedMethods{EventStoreServerVersion: "24.10.0", Methods: []*serverfeatures.SupportedMethod{
			{ServiceName: "event_store.client.streams.streams", MethodName: "append"},
			{ServiceName: "event_store.client.streams.streams", MethodName: "read"},
		}}, nil
	}
	return &serverfeatures.SupportedMethods{EventStoreServerVersion: Version, Methods: []*serverfeatures.SupportedMethod{
		{ServiceName: "event_store.client.streams.streams", MethodName: "append"},
		{ServiceName: "event_store.client.streams.streams", MethodName: "read"},
		{ServiceName: "kurrentdb.protocol.v2.streams.streamsservice", MethodName: "appendrecords"},
	}}, nil
}

// recordsService is the v2 streams service: AppendRecords only (not the
// older AppendSession, which Pnyx does not use).
type recordsService struct {
	v2.UnimplementedStreamsServiceServer
	s *Server
}

func (r *recordsService) AppendRecords(ctx context.Context, req *v2.AppendRecordsRequest) (*v2.AppendRecordsResponse, error) {
	if r.s.opts.Classic {
		return nil, status.Error(codes.Unimplemented, "unknown service kurrentdb.protocol.v2.streams.StreamsService")
	}
	if err := r.s.wait(ctx); err != nil {
		return nil, err
	}
	if r.s.opts.BeforeRecords != nil {
		r.s.opts.BeforeRecords()
	}
	return r.s.appendRecords(req)
}

// proposal is one record of an AppendRecords request, checked.
type proposal struct {
	id     uuid.UUID
	stream string
	meta   map[string]string
	custom []byte
	data   []byte
}

// appendRecords is the server's AppendRecords: every check, on a stream
// written or not, is evaluated against the log as it is when the request
// commits, under the one lock that appends take, and every failing check
// is reported; then the records are written in the request's order, or
// none is. A stream written without a check is written at any revision.
func (s *Server) appendRecords(req *v2.AppendRecordsRequest) (*v2.AppendRecordsResponse, error) {
	if len(req.GetRecords()) == 0 {
		return nil, status.Error(codes.InvalidArgument, "Append records request must contain at least one record.")
	}
	spelled := map[string]string{} // folded name -> the spelling used
	name := func(stream string) error {
		f := foldCase(stream)
		if prev, ok := spelled[f]; ok && prev != stream {
			// The real server groups a request's streams ignoring case
			// (and would write both spellings' records to the first); the
			// double refuses, and the store never sends such a request.
			return status.Errorf(codes.InvalidArgument, "stream %q and %q differ only in case", prev, stream)
		}
		spelled[f] = stream
		return nil
	}
	type check struct {
		index    int
		stream   string
		expected int64
	}
	var checks []check
	checked := map[string]bool{}
	for i, c := range req.GetChecks() {
		sc := c.GetStreamState()
		if sc == nil || sc.GetStream() == "" {
			return nil, status.Error(codes.InvalidArgument, "a consistency check must name a stream")
		}
		if checked[sc.GetStream()] {
			return nil, status.Error(codes.InvalidArgument, "Each stream can only appear once in consistency checks. Use a single check per stream.")
		}
		if e := sc.GetExpectedState(); e < 0 && e != stateNoStream && e != stateAny && e != stateExists {
			return nil, status.Errorf(codes.InvalidArgument, "expected state %d is not a revision or a state constant", e)
		}
		if err := name(sc.GetStream()); err != nil {
			return nil, err
		}
		checked[sc.GetStream()] = true
		checks = append(checks, check{index: i, stream: sc.GetStream(), expected: sc.GetExpectedState()})
	}
	proposed := make([]proposal, len(req.GetRecords()))
	size := 0
	for i, rec := range req.GetRecords() {
		p, err := propose(rec)
		if err != nil {
			return nil, err
		}
		if err := name(p.stream); err != nil {
			return nil, err
		}
		size += len(p.data) + len(p.custom)
		proposed[i] = p
	}
	if size > s.opts.MaxAppendBytes {
		st, _ := status.New(codes.Aborted, "append transaction size exceeded").WithDetails(&streamerrors.AppendTransactionSizeExceededErrorDetails{
			Size: int32(min(size, 1<<31-1)), MaxSize: int32(min(s.opts.MaxAppendBytes, 1<<31-1)),
		})
		return nil, st.Err()
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	var violations []*streamerrors.ConsistencyViolation
	for _, c := range checks {
		actual := int64(len(s.streams[c.stream])) - 1 // -1: no stream
		ok := true
		switch c.expected {
		case stateNoStream:
			ok = actual < 0
		case stateExists:
			ok = actual >= 0
		case stateAny:
		default:
			ok = actual == c.expected
		}
		if !ok {
			violations = append(violations, &streamerrors.ConsistencyViolation{
				CheckIndex: int32(c.index),
				Type: &streamerrors.ConsistencyViolation_StreamState{StreamState: &streamerrors.ConsistencyViolation_StreamStateViolation{
					Stream: c.stream, ExpectedState: c.expected, ActualState: actual,
				}},
			})
		}
	}
	if len(violations) > 0 {
		st, _ := status.New(codes.FailedPrecondition, "one or more consistency checks failed").WithDetails(
			&streamerrors.AppendConsistencyViolationErrorDetails{Violations: violations})
		return nil, st.Err()
	}
	created := strconv.FormatInt(s.opts.Now().UnixNano()/100, 10)
	var order []string // streams written, in the order first written
	seen := map[string]bool{}
	var last *record
	for _, p := range proposed {
		if !seen[p.stream] {
			seen[p.stream] = true
			order = append(order, p.stream)
		}
		p.meta["created"] = created
		last = &record{
			id:       p.id,
			stream:   p.stream,
			revision: uint64(len(s.streams[p.stream])),
			position: s.next,
			meta:     p.meta,
			custom:   p.custom,
			data:     p.data,
		}
		s.next += uint64(64 + len(p.stream) + len(p.data) + len(p.custom))
		s.log = append(s.log, last)
		s.streams[p.stream] = append(s.streams[p.stream], last)
	}
	close(s.wake)
	s.wake = make(chan struct{})
	resp := &v2.AppendRecordsResponse{Position: int64(last.position)}
	for _, stream := range order {
		resp.Revisions = append(resp.Revisions, &v2.StreamRevision{Stream: stream, Revision: int64(len(s.streams[stream])) - 1})
	}
	return resp, nil
}

// propose checks one record as the server does and gives it the shape a
// classic read returns: the schema name as its type, its format as a
// content type, and its properties as the custom metadata, a JSON object
// of their values as strings with the server's own "$schema." keys added
// (KurrentDB's tests of reading v2 records through the classic API show
// this shape).
func propose(rec *v2.AppendRecord) (proposal, error) {
	stream := rec.GetStream()
	switch {
	case stream == "":
		return proposal{}, status.Error(codes.InvalidArgument, "Each record must specify a target stream.")
	case strings.HasPrefix(stream, "$"):
		return proposal{}, status.Error(codes.InvalidArgument, "Records cannot target system streams (starting with '$').")
	case rec.GetSchema().GetName() == "":
		return proposal{}, status.Error(codes.InvalidArgument, "a record needs a schema name")
	}
	id := uuid.New()
	if rec.RecordId != nil {
		var err error
		if id, err = uuid.Parse(rec.GetRecordId()); err != nil {
			return proposal{}, status.Errorf(codes.InvalidArgument, "record id %q is not a UUID", rec.GetRecordId())
		}
	}
	props := map[string]any{}
	for k, v := range rec.GetProperties() {
		if strings.HasPrefix(k, "$") {
			return proposal{}, status.Errorf(codes.InvalidArgument, "property %q: user properties must not start with '$'", k)
		}
		props[k] = propertyString(v)
	}
	format := rec.GetSchema().GetFormat()
	props["$schema.name"] = rec.GetSchema().GetName()
	props["$schema.format"] = strings.TrimPrefix(format.String(), "SCHEMA_FORMAT_")
	custom, err := json.Marshal(props)
	if err != nil {
		return proposal{}, status.Error(codes.Internal, err.Error())
	}
	contentType := "application/octet-stream"
	if format == v2.SchemaFormat_SCHEMA_FORMAT_JSON {
		contentType = "application/json"
	}
	return proposal{
		id:     id,
		stream: stream,
		meta:   map[string]string{"type": rec.GetSchema().GetName(), "content-type": contentType},
		custom: custom,
		data:   rec.GetData(),
	}, nil
}

// propertyString is a property's value as the classic read shows it: a
// string as itself, anything else in its text form.
func propertyString(v *structpb.Value) any {
	switch k := v.GetKind().(type) {
	case *structpb.Value_StringValue:
		return k.StringValue
	case *structpb.Value_NullValue:
		return nil
	case *structpb.Value_BoolValue:
		if k.BoolValue {
			return "True"
		}
		return "False"
	case *structpb.Value_NumberValue:
		return strconv.FormatFloat(k.NumberValue, 'g', -1, 64)
	}
	b, _ := v.MarshalJSON()
	return fmt.Sprintf("%s", b)
}

// foldCase maps s to one spelling of all those equal to it ignoring case
// (Unicode simple folding, as strings.EqualFold: "ς", "σ" and "Σ" are
// one), a little wider than the server's ordinal comparison ignoring case.
func foldCase(s string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, s)
}
