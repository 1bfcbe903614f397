package events

import "reflect"

// Fold returns the state after payloads, starting from Initial: the tests'
// way to give a decider the state of a stream. The command service folds
// through Aggregate, with its state cache.
func (d Decider[S]) Fold(payloads ...Payload) S {
	s := d.Initial()
	for _, p := range payloads {
		s = d.Evolve(s, p)
	}
	return s
}

// Unguarded makes s skip the authorization step, for the tests whose
// aggregates are their own (service_fixture_test.go) or whose subject is
// another rule than who may record it.
func Unguarded(s *Service) *Service { s.unguarded = true; return s }

// StampNow is stampNow, for the test that every command takes it.
var StampNow = stampNow

// PermittedCommands are the types of every command of the domain: those
// with a row in the permissions table.
func PermittedCommands() []reflect.Type {
	out := make([]reflect.Type, 0, len(permissions))
	for t := range permissions {
		out = append(out, t)
	}
	return out
}
