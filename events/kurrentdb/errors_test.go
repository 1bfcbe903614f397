package kurrentdb

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/kurrent-io/KurrentDB-Client-Go/kurrentdb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pnyx-civic/pnyx/events"
)

func TestEveryClientErrorCodeMapsToAPnyxError(t *testing.T) {
	cause := errors.New("the client's cause")
	cases := []struct {
		name     string
		code     kurrentdb.ErrorCode
		grpcCode codes.Code
		want     events.Code
		is       error
	}{
		{"wrong expected version is a conflict", kurrentdb.ErrorCodeWrongExpectedVersion, codes.OK, events.CodeConflict, events.ErrWrongExpectedVersion},
		{"a stream revision conflict is a conflict", kurrentdb.ErrorCodeStreamRevisionConflict, codes.OK, events.CodeConflict, events.ErrWrongExpectedVersion},
		{"a consistency violation is a conflict", kurrentdb.ErrorCodeAppendConsistencyViolation, codes.OK, events.CodeConflict, events.ErrWrongExpectedVersion},
		{"a missing resource is a missing stream", kurrentdb.ErrorCodeResourceNotFound, codes.OK, events.CodeNotFound, events.ErrStreamNotFound},
		{"a deleted stream is a missing stream", kurrentdb.ErrorCodeStreamDeleted, codes.OK, events.CodeNotFound, events.ErrStreamNotFound},
		{"a tombstoned stream is a missing stream", kurrentdb.ErrorCodeStreamTombstoned, codes.OK, events.CodeNotFound, events.ErrStreamNotFound},
		{"a record over the size limit is invalid", kurrentdb.ErrorCodeAppendRecordSizeExceeded, codes.OK, events.CodeInvalid, events.ErrInvalid},
		{"a transaction over the size limit is invalid", kurrentdb.ErrorCodeAppendTransactionSizeExceeded, codes.OK, events.CodeInvalid, events.ErrInvalid},
		{"the server's deadline makes the store unavailable", kurrentdb.ErrorCodeDeadlineExceeded, codes.OK, events.CodeUnavailable, events.ErrUnavailable},
		{"refused credentials make the store unavailable", kurrentdb.ErrorCodeUnauthenticated, codes.OK, events.CodeUnavailable, events.ErrUnavailable},
		{"a denied access makes the store unavailable", kurrentdb.ErrorCodeAccessDenied, codes.OK, events.CodeUnavailable, events.ErrUnavailable},
		{"a closed connection makes the store unavailable", kurrentdb.ErrorCodeConnectionClosed, codes.OK, events.CodeUnavailable, events.ErrUnavailable},
		{"an unavailable node makes the store unavailable", kurrentdb.ErrorUnavailable, codes.OK, events.CodeUnavailable, events.ErrUnavailable},
		{"a follower node makes the store unavailable", kurrentdb.ErrorCodeNotLeader, codes.OK, events.CodeUnavailable, events.ErrUnavailable},
		{"an aborted request makes the store unavailable", kurrentdb.ErrorAborted, codes.OK, events.CodeUnavailable, events.ErrUnavailable},
		{"an unknown error is internal", kurrentdb.ErrorCodeUnknown, codes.OK, events.CodeInternal, nil},
		{"an unsupported feature is internal", kurrentdb.ErrorCodeUnsupportedFeature, codes.OK, events.CodeInternal, nil},
		{"a resource that already exists is internal", kurrentdb.ErrorCodeResourceAlreadyExists, codes.OK, events.CodeInternal, nil},
		{"a parsing error is internal", kurrentdb.ErrorCodeParsing, codes.OK, events.CodeInternal, nil},
		{"an internal client error is internal", kurrentdb.ErrorCodeInternalClient, codes.OK, events.CodeInternal, nil},
		{"an internal server error is internal", kurrentdb.ErrorCodeInternalServer, codes.OK, events.CodeInternal, nil},
		{"an unknown error with status unavailable is unavailable", kurrentdb.ErrorCodeUnknown, codes.Unavailable, events.CodeUnavailable, events.ErrUnavailable},
		{"an unknown error with status resource exhausted is unavailable", kurrentdb.ErrorCodeUnknown, codes.ResourceExhausted, events.CodeUnavailable, events.ErrUnavailable},
		{"an unknown error with status deadline exceeded is unavailable", kurrentdb.ErrorCodeUnknown, codes.DeadlineExceeded, events.CodeUnavailable, events.ErrUnavailable},
		{"an unknown error with status invalid argument (over MaxAppendSize) is invalid", kurrentdb.ErrorCodeUnknown, codes.InvalidArgument, events.CodeInvalid, events.ErrInvalid},
		{"an internal error with status internal stays internal", kurrentdb.ErrorCodeInternalServer, codes.Internal, events.CodeInternal, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := mapCode("append to vote-1", tc.code, tc.grpcCode, cause)
			if got := events.ErrorCode(err); got != tc.want {
				t.Errorf("code %q, want %q (%v)", got, tc.want, err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("%v does not match %v", err, tc.is)
			}
			if !errors.Is(err, cause) {
				t.Errorf("%v lost its cause", err)
			}
			if msg := events.ErrorMessage(err); tc.want == events.CodeInternal && msg != "internal error" {
				t.Errorf("a client reads %q of an internal error", msg)
			}
		})
	}
}

func TestMapErr(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	bg := context.Background()
	cases := []struct {
		name string
		ctx  context.Context
		err  error
		want events.Code
		is   error
	}{
		{"nil is nil", bg, nil, "", nil},
		{"the caller's cancellation stays itself", cancelled, errors.New("rpc error"), events.CodeInternal, context.Canceled},
		{"a cancellation in the chain stays itself", bg, fmt.Errorf("read: %w", context.Canceled), events.CodeInternal, context.Canceled},
		{"a deadline in the chain is unavailable", bg, fmt.Errorf("read: %w", context.DeadlineExceeded), events.CodeUnavailable, events.ErrUnavailable},
		{"a bare gRPC unavailable status is unavailable", bg, status.Error(codes.Unavailable, "connection refused"), events.CodeUnavailable, events.ErrUnavailable},
		{"a wrapped gRPC invalid argument status is invalid", bg, fmt.Errorf("append: %w", status.Error(codes.InvalidArgument, "maximum append size exceeded")), events.CodeInvalid, events.ErrInvalid},
		{"a client error wrapped by the client is read through the wrapping", bg, fmt.Errorf("could not construct read operation. Reason: %w", closedClientError(t)), events.CodeUnavailable, events.ErrUnavailable},
		{"any other error is internal", bg, errors.New("boom"), events.CodeInternal, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := mapErr(tc.ctx, "read all", tc.err)
			if tc.err == nil {
				if err != nil {
					t.Fatalf("mapErr(nil) = %v", err)
				}
				return
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("%v does not match %v", err, tc.is)
			}
			if tc.is != context.Canceled {
				if got := events.ErrorCode(err); got != tc.want {
					t.Errorf("code %q, want %q (%v)", got, tc.want, err)
				}
			}
		})
	}
}

// closedClientError is a real error of the client: any call on a closed
// client returns ErrorCodeConnectionClosed.
func closedClientError(t *testing.T) error {
	cfg, err := kurrentdb.ParseConnectionString("kurrentdb://127.0.0.1:1?tls=false")
	if err != nil {
		t.Fatal(err)
	}
	c, err := kurrentdb.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	_, err = c.ReadAll(context.Background(), kurrentdb.ReadAllOptions{}, 1)
	var ke *kurrentdb.Error
	if !errors.As(err, &ke) || ke.Code() != kurrentdb.ErrorCodeConnectionClosed {
		t.Fatalf("a closed client answered %v, want ErrorCodeConnectionClosed", err)
	}
	// FromError's ok is false when there IS an error, as the package doc
	// says.
	if _, ok := kurrentdb.FromError(err); ok {
		t.Error("FromError returned ok == true for an error")
	}
	return err
}

func TestPositionOfAReadEvent(t *testing.T) {
	cases := []struct {
		name string
		in   kurrentdb.Position
		want events.Position
	}{
		{"an $all read's commit position is the position", kurrentdb.Position{Commit: 4096, Prepare: 4096}, 4096},
		{"a stream read's unknown commit position falls back to the prepare position", kurrentdb.Position{Commit: noPosition, Prepare: 4096}, 4096},
		{"no known position at all is 0, unknown", kurrentdb.Position{Commit: noPosition, Prepare: noPosition}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := position(tc.in); got != tc.want {
				t.Errorf("position(%+v) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}
