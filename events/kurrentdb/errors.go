package kurrentdb

import (
	"context"
	"errors"
	"fmt"

	"github.com/kurrent-io/KurrentDB-Client-Go/kurrentdb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pnyx-civic/pnyx/events"
)

// mapErr translates every error of the client into Pnyx's errors; it is
// the only place that does. op says what was being done, for logs.
//
//   - the caller's own cancellation or deadline stays itself;
//   - wrong expected version and revision conflicts are conflicts matching
//     events.ErrWrongExpectedVersion (Append reports the actual version
//     itself, with a *events.WrongExpectedVersionError);
//   - a missing, deleted or tombstoned stream is events.ErrStreamNotFound;
//   - an append over the server's size limits is invalid input;
//   - an unreachable, closed, not-leader, aborted or timed-out server, and
//     refused credentials, make the store unavailable: none of them is the
//     requester's fault, and retrying later may succeed;
//   - anything else is internal, its detail kept for logs.
//
// The client's own helper, kurrentdb.FromError, returns ok == false when
// there IS an error (checked in v1.4.2, as in v4); this function uses
// errors.As instead, which also sees through the client's fmt.Errorf
// wrapping.
func mapErr(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	code := kurrentdb.ErrorCodeUnknown
	var ke *kurrentdb.Error
	if errors.As(err, &ke) {
		code = ke.Code()
	}
	return mapCode(op, code, status.Code(err), err)
}

// mapCode is mapErr's table, apart so that each of the client's codes can
// be tested (the client's Error has no exported constructor): code is the
// client's classification, grpcCode the gRPC status in err's chain.
func mapCode(op string, code kurrentdb.ErrorCode, grpcCode codes.Code, err error) error {
	switch code {
	case kurrentdb.ErrorCodeWrongExpectedVersion, kurrentdb.ErrorCodeStreamRevisionConflict,
		kurrentdb.ErrorCodeAppendConsistencyViolation:
		return fmt.Errorf("%s: %w: %w", op, events.ErrWrongExpectedVersion, err)
	case kurrentdb.ErrorCodeResourceNotFound, kurrentdb.ErrorCodeStreamDeleted, kurrentdb.ErrorCodeStreamTombstoned:
		return fmt.Errorf("%s: %w: %w", op, events.ErrStreamNotFound, err)
	case kurrentdb.ErrorCodeAppendRecordSizeExceeded, kurrentdb.ErrorCodeAppendTransactionSizeExceeded:
		return &events.Error{Code: events.CodeInvalid, Message: op + ": the append is over the server's size limit", Err: err}
	case kurrentdb.ErrorCodeDeadlineExceeded:
		return unavailable(fmt.Errorf("%s: the server did not answer in time: %w", op, err))
	case kurrentdb.ErrorCodeUnauthenticated, kurrentdb.ErrorCodeAccessDenied:
		return unavailable(fmt.Errorf("%s: the server refused the store's credentials: %w", op, err))
	case kurrentdb.ErrorCodeConnectionClosed, kurrentdb.ErrorUnavailable, kurrentdb.ErrorCodeNotLeader,
		kurrentdb.ErrorAborted:
		return unavailable(fmt.Errorf("%s: %w", op, err))
	}
	// Unknown, parsing, internal client or server, unsupported feature,
	// already exists: the gRPC status, when there is one, tells more.
	switch grpcCode {
	case codes.Unavailable, codes.Aborted, codes.ResourceExhausted:
		return unavailable(fmt.Errorf("%s: %w", op, err))
	case codes.DeadlineExceeded:
		return unavailable(fmt.Errorf("%s: the server did not answer in time: %w", op, err))
	case codes.InvalidArgument:
		// The server refuses an append over its MaxAppendSize with this
		// status; the store checks the size first, so this is a server
		// configured below the store's limit.
		return &events.Error{Code: events.CodeInvalid, Message: op + ": refused by the server as invalid", Err: err}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return unavailable(fmt.Errorf("%s: the server did not answer in time: %w", op, err))
	}
	return &events.Error{Code: events.CodeInternal, Message: op, Err: err}
}

// unavailable wraps err so it matches events.ErrUnavailable and shows only
// "store unavailable" to clients.
func unavailable(err error) error {
	return fmt.Errorf("%w: %w", events.ErrUnavailable, err)
}
