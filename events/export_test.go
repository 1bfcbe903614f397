package events

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
