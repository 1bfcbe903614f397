package events

import "context"

// Commands that concern a citizen name them by their SubjectRef in the
// vault and carry their words in the clear, so that deciders can check
// both; the command service then protects them before deciding (personal):
// it asks the Sealer for the author's reference of the entity and seals
// the words, and the decider writes only those into events. Neither the
// subject reference nor the clear text can reach the log, and a retry
// decides on the same sealed values.

// personal is implemented by commands that concern a citizen.
type personal interface {
	Command
	// protect returns the command with its author reference and sealed
	// texts set by s.
	protect(ctx context.Context, s Sealer) (Command, error)
	// withoutSubject returns the command with its SubjectRef cleared, as
	// its idempotency hash sees it: the reference is the vault's id of the
	// person, which differs from one vault to another (the same record
	// replayed into a new vault, the demo), while the entity id, the words
	// and the time already tell one submission from another.
	withoutSubject() Command
}

// protected holds what the command service set on a personal command.
type protected struct {
	author AuthorRef
	sealed []Sealed
}

// requireSealed refuses a personal command the command service did not
// protect: without a vault, a citizen's command cannot be recorded.
func (p protected) requireSealed(texts int) error {
	if p.author == "" || len(p.sealed) != texts {
		return &Error{Code: CodeInternal, Message: "a citizen's command reached its decider without being sealed by the vault"}
	}
	return nil
}

// ErrNoVault is matched by the error for a citizen's command given to a
// command service without a vault (ServiceOptions.Sealer).
var ErrNoVault = &Error{Code: CodeUnavailable, Message: "the personal-data vault is not available: citizens' comments and requests cannot be recorded"}

// protect protects cmd when it concerns a citizen.
func (s *Service) protect(ctx context.Context, cmd Command) (Command, error) {
	p, ok := cmd.(personal)
	if !ok {
		return cmd, nil
	}
	if s.sealer == nil {
		return nil, ErrNoVault
	}
	return p.protect(ctx, s.sealer)
}

func (c SubmitComment) withoutSubject() Command   { c.SubjectRef = ""; return c }
func (c WithdrawComment) withoutSubject() Command { c.SubjectRef = ""; return c }

// withoutReceipt is a submission as its idempotency hash sees it: the
// receipt is drawn anew for every attempt, so a retry is the same
// submission whatever receipt it carries (and replays the first, whose
// receipt alone works).
func (c SubmitComment) withoutReceipt() SubmitComment { c.ReceiptSHA256 = ""; return c }
func (c SubmitRequest) withoutSubject() Command       { c.Requester = ""; return c }
